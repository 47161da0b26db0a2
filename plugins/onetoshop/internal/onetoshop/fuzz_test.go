package onetoshop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// Fuzz targets for what the connector reads from Onetoshop: order and product JSON (decoded and
// mapped), error answers, the address helpers, and the cursor it gets back from the host.

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

// simulatedBodies returns list and single answers as the simulator renders them.
func simulatedBodies(f *testing.F) [][]byte {
	sim, err := simulator.New(simulator.Options{})
	if err != nil {
		f.Fatal(err)
	}
	orders, err := sim.GenerateOrders(3)
	if err != nil {
		f.Fatal(err)
	}
	get := func(path string) []byte {
		req := httptest.NewRequest(http.MethodGet, simulator.DefaultBasePath+path, nil)
		req.Header.Set(simulator.DefaultAuthHeader, "Bearer "+simulator.DefaultToken)
		rec := httptest.NewRecorder()
		sim.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			f.Fatalf("simulator %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	out := [][]byte{get("/orders?limit=2"), get("/products?limit=3")}
	for _, o := range orders {
		out = append(out, get(fmt.Sprintf("/orders/%d", o.ID)))
	}
	return out
}

// checkOnetoshopOrder asserts what holds for every order mapOrder returns.
func checkOnetoshopOrder(t *testing.T, o sdk.Order) {
	t.Helper()
	if o.ID == "" || o.Number == "" || o.ModifiedAt.IsZero() || o.CreatedAt.IsZero() || o.Currency == "" {
		t.Fatalf("mapped order without id, number, times or currency: %+v", o)
	}
	for _, l := range o.Lines {
		if l.ID == "" || !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) {
			t.Fatalf("line %q: %s + %s != %s", l.ID, l.TotalExcl, l.Tax, l.TotalIncl)
		}
	}
	for _, cs := range [][]sdk.Charge{o.ShippingLines, o.Fees, o.Discounts} {
		for _, c := range cs {
			if !c.TotalExcl.Add(c.Tax).Equal(c.TotalIncl) {
				t.Fatalf("charge %q: %s + %s != %s", c.Name, c.TotalExcl, c.Tax, c.TotalIncl)
			}
		}
	}
	for _, c := range o.Discounts {
		if c.TotalIncl.IsNegative() {
			t.Fatalf("discount %q is negative: %s", c.Name, c.TotalIncl)
		}
	}
	if !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
		t.Fatalf("totals: %s + %s != %s", o.Totals.TotalExcl, o.Totals.Tax, o.Totals.Total)
	}
	if o.Refunded.IsNegative() {
		t.Fatalf("refunded %s is negative", o.Refunded)
	}
	for _, a := range []sdk.Address{o.Billing, o.Shipping} {
		if Country(a.Country) != a.Country || Postcode(a.Postcode, a.Country) != a.Postcode || JoinStreet(a.Street, "", "") != a.Street {
			t.Fatalf("address not normalised: %+v", a)
		}
	}
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("mapped order does not encode: %v", err)
	}
}

// FuzzMapOrder decodes a list answer, a single answer or a bare object as orders and as
// products, and maps each. Beyond not panicking: the amounts of a mapped order add up per line,
// per charge and in the totals, its addresses are normalised, and a product that maps has an id
// and a modification time.
func FuzzMapOrder(f *testing.F) {
	f.Add([]byte(richOrder))
	f.Add([]byte(`{"data":[` + richOrder + `],"meta":{"page":1,"limit":25,"total":1,"pages":1}}`))
	for _, b := range simulatedBodies(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"data":{"id":"9","updated_at":"1700000000","lines":[{"quantity":"2","total_excl_vat":"10","vat_rate":"-100"}],
		"payment_costs":"1","payment_costs_vat_rate":"-100","discounts":[{"amount_incl_vat":"-5"}],"vat_total":null}}`))
	f.Add([]byte(`{"id":1,"created_at":"2026-11-24 10:00:00","lines":[{"unit_price_incl_vat":"1,5","quantity":0,"vat_rate":"-100"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		defer watchdog(body)()
		var orders []wireOrder
		var env envelope[wireOrder]
		var one single[wireOrder]
		switch {
		case json.Unmarshal(body, &env) == nil && env.Data != nil:
			orders = env.Data
		case json.Unmarshal(body, &one) == nil && one.Data != nil:
			orders = []wireOrder{*one.Data}
		default:
			var w wireOrder
			if json.Unmarshal(body, &w) == nil {
				orders = []wireOrder{w}
			}
		}
		for _, w := range orders {
			if o, err := mapOrder(w); err == nil {
				checkOnetoshopOrder(t, o)
			} else if _, terr := parseTime(w.UpdatedAt); w.ID != "" && terr == nil && checkRates(w) == nil {
				t.Fatalf("order %q with an id, a good updated_at and no negative rate refused: %v", w.ID, err)
			}
		}
		var penv envelope[wireProduct]
		if json.Unmarshal(body, &penv) == nil {
			for _, w := range penv.Data {
				if p, err := mapProduct(w); err == nil && (p.ID == "" || p.ModifiedAt.IsZero()) {
					t.Fatalf("product without id or time: %+v", p)
				}
			}
		}
	})
}

// FuzzAddress runs the address helpers on any text. Beyond not panicking: JoinStreet gives one
// line without doubled, leading or trailing spaces that keeps the house number, and it, Country
// and Postcode are idempotent (applying them to their own result changes nothing).
func FuzzAddress(f *testing.F) {
	for _, c := range [][5]string{
		{"Dorpsstraat", "12", "", "1234ab", "nl"},
		{"Dorpsstraat", "12", "A", "1234 AB", "Nederland"},
		{"Dorpsstraat", "12", "bis", " 1234  ab ", "NLD"},
		{"Dorpsstraat", "12", "-3", "B-1000", "België"},
		{"Dorpsstraat 12", "12", "", "10115", "Deutschland"},
		{"Dorpsstraat 12", "12", "a", "SW1A 1AA", "United Kingdom"},
		{"  Lange   Nieuwstraat ", " 7 ", " / 2 ", "", ""},
		{"", "", "ß", "ǅ", "ß"},
	} {
		f.Add(c[0], c[1], c[2], c[3], c[4])
	}
	f.Fuzz(func(t *testing.T, street, number, suffix, postcode, country string) {
		defer watchdog([]string{street, number, suffix, postcode, country})()
		s := JoinStreet(street, number, suffix)
		if s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
			t.Fatalf("JoinStreet(%q, %q, %q) = %q: stray spaces", street, number, suffix, s)
		}
		if n := collapse(number); n != "" && !strings.Contains(s, n) {
			t.Fatalf("JoinStreet(%q, %q, %q) = %q lost the number", street, number, suffix, s)
		}
		if again := JoinStreet(s, "", ""); again != s {
			t.Fatalf("JoinStreet not idempotent: %q → %q", s, again)
		}
		c := Country(country)
		if again := Country(c); again != c {
			t.Fatalf("Country(%q) = %q, but Country(%q) = %q", country, c, c, again)
		}
		p := Postcode(postcode, c)
		if again := Postcode(p, c); again != p {
			t.Fatalf("Postcode(%q, %q) = %q, but again %q", postcode, c, p, again)
		}
		if utf8.ValidString(street) && utf8.ValidString(number) && utf8.ValidString(suffix) && !utf8.ValidString(s) {
			t.Fatalf("JoinStreet made invalid UTF-8 from valid input: %q", s)
		}
	})
}

// FuzzCursor decodes any cursor. Beyond not panicking: a decoded position survives encoding
// and decoding again with the same second and the same ids (up to the cap a cursor keeps).
func FuzzCursor(f *testing.F) {
	p := position{}
	p.moveTo(1_795_479_246)
	for _, id := range []string{"1042", "1043", "x"} {
		p.add(id)
	}
	f.Add(p.encode())
	f.Add((&position{}).encode())
	f.Add("eyJ2IjoxLCJ0IjotMX0")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, s string) {
		defer watchdog(s)()
		q, err := decodeCursor(s)
		if err != nil {
			if sdk.KindOf(err) != sdk.KindPermanent {
				t.Fatalf("bad cursor %q: %v is not KindPermanent", s, err)
			}
			return
		}
		again, err := decodeCursor(q.encode())
		if err != nil {
			t.Fatalf("re-encoding %q: %v", s, err)
		}
		want := q.ids
		if len(want) > maxCursorIDs {
			want = want[:maxCursorIDs]
		}
		if again.T != q.T || strings.Join(again.ids, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("round trip of %q changed the position", s)
		}
		for _, id := range want {
			if !again.has(id) {
				t.Fatalf("round trip lost id %q", id)
			}
		}
	})
}

// A negative VAT rate is refused instead of dividing by zero at -100 (found by FuzzMapOrder:
// exclFromIncl and the unit price excluding VAT divided by 100 + rate).
func TestMapOrderRefusesNegativeRate(t *testing.T) {
	for _, body := range []string{
		`{"id":1,"updated_at":"2026-11-24T10:00:00Z","lines":[{"unit_price_incl_vat":"10","vat_rate":"-100"}]}`,
		`{"id":1,"updated_at":"2026-11-24T10:00:00Z","shipping_costs":"5","shipping_vat_rate":"-100"}`,
		`{"id":1,"updated_at":"2026-11-24T10:00:00Z","payment_costs":"1","payment_costs_vat_rate":"-100"}`,
		`{"id":1,"updated_at":"2026-11-24T10:00:00Z","discounts":[{"amount_incl_vat":"5","vat_rate":"-100"}]}`,
		`{"id":1,"updated_at":"2026-11-24T10:00:00Z","lines":[{"unit_price_incl_vat":"10","vat_rate":"-9"}]}`,
	} {
		var w wireOrder
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatal(err)
		}
		if _, err := mapOrder(w); err == nil || !strings.Contains(err.Error(), "not a VAT percentage") {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// Go's zero time is refused like a missing timestamp: an order mapped with it had no times (a
// gap left next to the year check of FuzzMapOrder's earlier finding).
func TestParseTimeRefusesZero(t *testing.T) {
	for _, s := range []string{"0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00", "0000-12-31T23:00:00-01:00"} {
		if got, err := parseTime(s); err == nil {
			t.Errorf("parseTime(%q) = %v, want an error", s, got)
		}
	}
	body := `{"id":1,"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}`
	var w wireOrder
	if err := json.Unmarshal([]byte(body), &w); err != nil {
		t.Fatal(err)
	}
	if o, err := mapOrder(w); err == nil {
		t.Fatalf("order with zero times mapped: created %v, modified %v", o.CreatedAt, o.ModifiedAt)
	}
}

// fuzzToken is the token of FuzzErrorBody's client: an answer may echo it, the error must not.
const fuzzToken = "ots-token-5e6f7a8b9c0d"

// FuzzErrorBody maps any status, body and Location as a failed answer. Beyond not panicking:
// the error is an *sdk.Error of the kind the status class calls for, and the token appears
// neither in its code nor in its message, even when the body or the Location echoes it.
func FuzzErrorBody(f *testing.F) {
	for _, c := range []struct {
		status   int
		body     string
		location string
	}{
		{401, `{"error":{"code":"unauthorized","message":"Invalid or missing token"}}`, ""},
		{422, `{"error":{"code":"validation_failed","message":"status: unknown value"}}`, ""},
		{400, `{"error":{"code":"` + fuzzToken + `","message":"token ` + fuzzToken + ` is not valid here"}}`, ""},
		{404, `{"error":{"code":"not_found","message":"x` + strings.Repeat("é", 160) + `"}}`, ""},
		{429, `{"error":{"code":"rate_limited","message":"Too many requests"}}`, ""},
		{503, `<html>Service Unavailable</html>`, ""},
		{301, ``, "https://shop.example/api/v1/orders?token=" + fuzzToken},
		{302, ``, "%zz" + fuzzToken},
		{500, `{"error":null}`, ""},
	} {
		f.Add(c.status, []byte(c.body), c.location)
	}
	set, err := parseSettings(testConfig("https://shop.example", fuzzToken))
	if err != nil {
		f.Fatal(err)
	}
	a := newAPI(set, hclog.NewNullLogger(), nil)
	f.Fuzz(func(t *testing.T, status int, body []byte, location string) {
		defer watchdog([]any{status, body, location})()
		if status < 300 || status > 599 {
			return
		}
		u := set.endpoint("/orders", url.Values{"token": {fuzzToken}})
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: req}
		if location != "" {
			resp.Header.Set("Location", location)
		}
		err = a.apiError(http.MethodGet, req.URL, resp, body)
		var se *sdk.Error
		if !errors.As(err, &se) || se.Message == "" {
			t.Fatalf("status %d: %v is not an *sdk.Error with a message", status, err)
		}
		want := sdk.KindPermanent
		switch {
		case status < 400:
			want = sdk.KindUnreachable
		case status == 401 || status == 403:
			want = sdk.KindAuth
		case status == 404:
			want = sdk.KindNotFound
		case status == 429 || status >= 500:
			want = sdk.KindRetryable
		}
		if se.Kind != want {
			t.Fatalf("status %d: kind %s, want %s", status, se.Kind, want)
		}
		if s := se.Error(); strings.Contains(s, fuzzToken) {
			t.Fatalf("status %d: the token leaks: %s", status, s)
		}
		if utf8.Valid(body) && utf8.ValidString(location) && !utf8.ValidString(se.Error()) {
			t.Fatalf("status %d: valid UTF-8 in, invalid out: %q", status, se.Error())
		}
	})
}
