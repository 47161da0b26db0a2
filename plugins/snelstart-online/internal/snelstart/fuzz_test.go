package snelstart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// Fuzz targets for what the connector reads from SnelStart: 4xx error bodies (the three 400
// shapes, APIM and plain text), the JSON of relaties, artikelen and verkooporders (decoded and
// mapped), and the token endpoint's answer.

// watchdog crashes the test process when one input takes longer than hangLimit, so that the
// fuzzer records a hang as a failing input (it has no time limit of its own per input).
func watchdog(input any) (stop func()) {
	tm := time.AfterFunc(hangLimit, func() {
		panic(fmt.Sprintf("input took longer than %s: %q", hangLimit, input))
	})
	return func() { tm.Stop() }
}

// hangLimit is how long one fuzz input may take (generous: make test runs on 2 loaded cores).
const hangLimit = 10 * time.Second

// fuzzConnector is a connector whose transport is never used (the targets call its decoding
// and mapping directly), with the fake's two countries in its cache.
func fuzzConnector(f *testing.F) *Connector {
	c, err := newConnector(testConfig("http://snelstart.invalid"), nil, options{transport: http.DefaultTransport})
	if err != nil {
		f.Fatal(err)
	}
	c.landen.set([]landIn{{ID: landNL, LandcodeISO: "NL"}, {ID: landBE, LandcodeISO: "BE"}})
	return c
}

// FuzzErrorBody maps any status and body of a failed call. Beyond not panicking: the answer is
// an *sdk.Error of the kind the status calls for, a 400 body that parses gives at least one
// error, the first SnelStart code becomes the error's code, and neither the koppelsleutel nor
// the subscription key appears in the error even when the body echoes them.
func FuzzErrorBody(f *testing.F) {
	for _, c := range []struct {
		status int
		body   string
	}{
		{400, `[{"errorCode":"REL-0008","message":"Relatiecode reeds in gebruik","details":"1043"}]`},
		{400, `[{"errorCode":"VOR-0007","message":"Postcode mag maximaal 25 karakters bevatten"},{"errorCode":"VOR-0011","message":"x"}]`},
		{400, `{"message":"The request is invalid.","modelState":{"model.regels[0].aantal":["Error converting value \"x\""],"model.datum":["Required"]}}`},
		{400, `{"Message":"No HTTP resource was found that matches the request URI."}`},
		{400, `{"errorCode":"ALG-0104","message":"Ongeldig OData filter"}`},
		{401, `{"statusCode":401,"message":"Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."}`},
		{403, `{"statusCode":403,"message":"Out of call volume quota. Quota will be replenished in 00:00:59."}`},
		{403, `{"message":"quota ` + testSubKey + `"}`},
		{400, `[{"errorCode":"` + testClientKey + `","message":"` + testSubKey + `"}]`},
		{409, "Bad Request\nmore"},
		{400, `[{"errorCode":`},
		{404, ``},
		{429, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`},
		{500, `<html/>`},
		{302, ``},
	} {
		f.Add(c.status, []byte(c.body), c.status%2 == 0)
	}
	c := fuzzConnector(f)
	f.Fuzz(func(t *testing.T, status int, body []byte, post bool) {
		defer watchdog([]any{status, body, post})()
		if status < 300 || status > 599 {
			return
		}
		call := call{method: http.MethodGet, path: "/relaties", what: "customer 1043"}
		if post {
			w := &verkooporderWrite{Afleveradres: &adres{Postcode: strings.Repeat("9", 26)}, Factuuradres: &adres{Straat: strings.Repeat("s", 51)}}
			call = call2(http.MethodPost, "/verkooporders", "the sales order", orderAddressRoles(w))
		}
		err := c.api.statusError(call, status, "https://b2bapi.snelstart.nl/v2/x?key="+testSubKey, body)
		var se *sdk.Error
		if !errors.As(err, &se) || se.Message == "" {
			t.Fatalf("status %d: %v is not an *sdk.Error with a message", status, err)
		}
		want := sdk.KindPermanent
		switch {
		case status < 400:
			want = sdk.KindUnreachable
		case status == 401:
			want = sdk.KindAuth
		case status == 403:
			want = sdk.KindAuth
			if se.Kind == sdk.KindRetryable && strings.Contains(se.Message, "quota") {
				want = sdk.KindRetryable
			}
		case status == 404:
			want = sdk.KindNotFound
		case status == 429:
			want = sdk.KindRetryable
		case status >= 500 && post:
			want = sdk.KindOutcomeUnknown
		case status >= 500:
			want = sdk.KindRetryable
		}
		if se.Kind != want {
			t.Fatalf("status %d: kind %s, want %s", status, se.Kind, want)
		}
		if s := se.Error(); strings.Contains(s, testClientKey) || strings.Contains(s, testSubKey) {
			t.Fatalf("status %d: a key leaks: %s", status, s)
		}
		errs := parseErrorBody(body)
		if len(strings.TrimSpace(string(body))) > 0 && len(errs) == 0 {
			t.Fatalf("non-empty body %q gave no error", body)
		}
		if status == 400 && len(errs) > 0 && errs[0].Code != "" && se.Code != c.api.http.Redact(errs[0].Code) {
			t.Fatalf("code %q, want SnelStart's %q", se.Code, errs[0].Code)
		}
	})
}

// call2 builds a call with address roles (a helper, so the target reads as one statement).
func call2(method, path, what string, roles addressRoles) call {
	return call{method: method, path: path, what: what, roles: roles}
}

// simulatorLists returns the relaties and artikelen lists the simulator answers.
func simulatorLists(f *testing.F) [][]byte {
	sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
	if err != nil {
		f.Fatal(err)
	}
	h := sim.Handler()
	req := httptest.NewRequest(http.MethodPost, "/b2b/token", strings.NewReader("grant_type=clientkey&clientkey="+url.QueryEscape(simulator.DefaultClientKey)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var tok tokenResponse
	if err := unmarshalNumbers(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		f.Fatalf("simulator token: %d %s", rec.Code, rec.Body)
	}
	out := [][]byte{rec.Body.Bytes()}
	for _, p := range []string{"/v2/relaties?$top=3", "/v2/artikelen?$top=3"} {
		req := httptest.NewRequest(http.MethodGet, p, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Ocp-Apim-Subscription-Key", simulator.DefaultSubscriptionKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			f.Fatalf("simulator %s: %d %s", p, rec.Code, rec.Body)
		}
		out = append(out, rec.Body.Bytes())
	}
	return out
}

// Record kinds FuzzDecode reads a body as.
const (
	asRelaties uint8 = iota
	asArtikelen
	asVerkooporders
	asToken
	recordKinds
)

// FuzzDecode reads a body as a list of relaties, artikelen or verkooporders (decoded as the
// connector does, numbers exactly) and maps every record, or as the token endpoint's answer.
// Beyond not panicking: mapping keeps ids, lines and components; a composite article is marked
// so; a token answer either fails with an *sdk.Error or gives a token with a positive lifetime.
func FuzzDecode(f *testing.F) {
	for i, b := range simulatorLists(f) {
		f.Add([]uint8{asToken, asRelaties, asArtikelen}[i], b)
	}
	f.Add(asVerkooporders, []byte(`[{"id":"5a1b0000-0000-4000-8000-000000000001","relatie":{"id":"r1"},"procesStatus":"Order","nummer":12,
		"modifiedOn":"2026-05-01T10:00:00.123","datum":"2026-05-01T00:00:00","krediettermijn":14,"betalingskenmerk":"WC-1042",
		"afleveradres":{"straat":"Dorpsstraat 12a","postcode":"1234 AB","plaats":"Amersfoort","land":{"id":"`+landNL+`"}},
		"factuuradres":null,"verkooporderBtwIngaveModel":"Inclusief","regels":[{"artikel":{"id":"a1"},"omschrijving":"Snoeischaar",
		"stuksprijs":22.46,"aantal":"2","kortingsPercentage":0,"totaal":44.92},{"omschrijving":"tekst","aantal":null}],
		"totaalExclusiefBtw":37.12,"totaalInclusiefBtw":"44.92"}]`))
	f.Add(asArtikelen, []byte(`[{"id":"a1","artikelcode":"TUIN-001","verkoopprijs":"1e3","vrijeVoorraad":-2.5,
		"extraVelden":[{"naam":"EAN","waarde":"870"}],"subartikelen":[{"id":"a2","artikelcode":"X","aantal":2}]}]`))
	f.Add(asRelaties, []byte(`[{"id":"r1","relatiesoort":["Klant"],"relatiecode":1043,"krediettermijn":null,
		"vestigingsAdres":{"land":{"id":"`+strings.ToUpper(landBE)+`"}},"aanmaningEmailVersturen":{"shouldSend":true,"email":"x@y"}}]`))
	f.Add(asToken, []byte(`{"access_token":"abc","token_type":"bearer","expires_in":3599}`))
	f.Add(asToken, []byte(`{"access_token":"abc","expires_in":99999999999999}`))
	f.Add(asToken, []byte(`{"access_token":"abc","expires_in":"12.5"}`))
	f.Add(asToken, []byte(`{"access_token":"abc","expires_in":9223372037}`))
	f.Add(asToken, []byte(`{"error":"invalid_grant"}`))
	c := fuzzConnector(f)
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		defer watchdog([]any{kind, body})()
		switch kind % recordKinds {
		case asRelaties:
			var list []relatieIn
			if unmarshalNumbers(body, &list) != nil {
				return
			}
			for _, r := range list {
				got := c.fromRelatie(r)
				if got.ID != r.ID || got.Code != r.Relatiecode {
					t.Fatalf("relatie %q mapped to %+v", r.ID, got)
				}
			}
		case asArtikelen:
			var list []artikelIn
			if unmarshalNumbers(body, &list) != nil {
				return
			}
			for _, a := range list {
				got := fromArtikel(a)
				if got.ID != a.ID || len(got.Components) != len(a.Subartikelen) || (len(got.Components) > 0 && !got.Composite) {
					t.Fatalf("artikel %q mapped to %+v", a.ID, got)
				}
			}
		case asVerkooporders:
			var list []verkooporderIn
			if unmarshalNumbers(body, &list) != nil {
				return
			}
			for _, v := range list {
				got := c.fromVerkooporder(v)
				if got.ID != v.ID || len(got.Lines) != len(v.Regels) || got.Number != v.Nummer {
					t.Fatalf("verkooporder %q mapped to %+v", v.ID, got)
				}
			}
		case asToken:
			tok, life, err := fetchToken(body)
			if err != nil {
				var se *sdk.Error
				if !errors.As(err, &se) {
					t.Fatalf("token answer %q: %T is not an *sdk.Error", body, err)
				}
				return
			}
			if tok == "" || life <= renewBefore {
				t.Fatalf("token answer %q: token %q for %s", body, tok, life)
			}
		}
	})
}

// fetchToken runs the clientkey grant against a transport that answers 200 with body.
func fetchToken(body []byte) (string, time.Duration, error) {
	rt := roundTrip(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(string(body))), Request: r}, nil
	})
	hc := httpclient.New(httpclient.Options{Transport: rt, MaxAttempts: 1, Redact: []string{testClientKey}})
	ts := newTokenSource(hc, "https://auth.snelstart.invalid/b2b/token", testClientKey, nil)
	return ts.fetch(context.Background())
}

// roundTrip adapts a function to http.RoundTripper.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Keys are redacted from SnelStart's error code and from a quota message too, and a huge
// expires_in cannot overflow into a negative token lifetime (found by FuzzErrorBody and
// FuzzDecode).
func TestErrorCodeRedactedAndTokenLifetimeCapped(t *testing.T) {
	c, err := newConnector(testConfig("http://snelstart.invalid"), nil, options{transport: http.DefaultTransport})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		status int
		body   string
	}{
		{400, `[{"errorCode":"` + testClientKey + `","message":"x"}]`},
		{403, `{"message":"quota of ` + testSubKey + `"}`},
	} {
		err := c.api.statusError(call{method: http.MethodGet, path: "/relaties", what: "x"}, tc.status, "", []byte(tc.body))
		if s := err.Error(); strings.Contains(s, testClientKey) || strings.Contains(s, testSubKey) {
			t.Errorf("%d %s: %s", tc.status, tc.body, s)
		}
	}
	for _, exp := range []string{"9223372037", "99999999999999999"} {
		_, life, err := fetchToken([]byte(`{"access_token":"abc","expires_in":` + exp + `}`))
		if err != nil || life != maxTokenLifetime {
			t.Errorf("expires_in %s: life %s, %v", exp, life, err)
		}
	}
}

// A secret in a text SnelStart's error body holds is redacted before the text is cut to 200
// characters: cut first, the secret's first characters stayed in the message where redaction
// no longer recognised them.
func TestStatusErrorRedactsBeforeCutting(t *testing.T) {
	c, err := newConnector(testConfig("http://snelstart.invalid"), nil, options{transport: http.DefaultTransport})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		strings.Repeat("x", 190) + " " + testClientKey,
		`[{"errorCode":"X","message":"m","details":"` + strings.Repeat("y", 190) + testSubKey + `"}]`,
	} {
		err := c.api.statusError(call{method: http.MethodGet, path: "/relaties", what: "customer 1"}, 400, "", []byte(body))
		if s := err.Error(); strings.Contains(s, testClientKey[:6]) || strings.Contains(s, testSubKey[:6]) {
			t.Errorf("part of a key in %q", s)
		}
	}
}

// A token answer whose expires_in is no longer than renewBefore is given the default lifetime
// (found by FuzzDecode: with expires_in 1 the token was never cached, so every call fetched a
// new one).
func TestShortTokenLifetimeIsNotUsed(t *testing.T) {
	for _, c := range []struct {
		expiresIn string
		want      time.Duration
	}{{"1", defaultTokenLifetime}, {"60", defaultTokenLifetime}, {"61", 61 * time.Second}, {"3599", 3599 * time.Second}} {
		_, life, err := fetchToken([]byte(`{"access_token":"abc","expires_in":` + c.expiresIn + `}`))
		if err != nil || life != c.want {
			t.Errorf("expires_in %s: %s, %v; want %s", c.expiresIn, life, err, c.want)
		}
	}
}
