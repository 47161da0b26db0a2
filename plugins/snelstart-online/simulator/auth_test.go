package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenEndpoint(t *testing.T) {
	c := newSim(t, Options{})
	cases := []struct {
		name      string
		form      url.Values
		ctype     string
		status    int
		wantError string
	}{
		{"clientkey", url.Values{"grant_type": {"clientkey"}, "clientkey": {DefaultClientKey}}, "", 200, ""},
		{"password grant from decoded key", url.Values{"grant_type": {"password"}, "username": {"demo"}, "password": {"demo"}}, "", 200, ""},
		{"wrong clientkey", url.Values{"grant_type": {"clientkey"}, "clientkey": {"d3Jvbmc6a2V5"}}, "", 400, "invalid_grant"},
		{"wrong password", url.Values{"grant_type": {"password"}, "username": {"demo"}, "password": {"x"}}, "", 400, "invalid_grant"},
		{"missing clientkey", url.Values{"grant_type": {"clientkey"}}, "", 400, "invalid_request"},
		{"unsupported grant", url.Values{"grant_type": {"client_credentials"}}, "", 400, "unsupported_grant_type"},
		{"json body", nil, "application/json", 400, "invalid_request"},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			var resp *http.Response
			var err error
			if k.ctype != "" {
				resp, err = http.Post(c.base+"/b2b/token", k.ctype, strings.NewReader(`{"grant_type":"clientkey","clientkey":"`+DefaultClientKey+`"}`))
			} else {
				resp, err = http.PostForm(c.base+"/b2b/token", k.form)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != k.status {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, k.status, body)
			}
			if k.wantError != "" {
				if body["error"] != k.wantError {
					t.Errorf("error %v, want %s", body["error"], k.wantError)
				}
				return
			}
			if body["token_type"] != "bearer" || body["expires_in"] != float64(3599) || body["access_token"] == "" {
				t.Errorf("token body %v", body)
			}
		})
	}
}

func TestAPIAuthHeaders(t *testing.T) {
	clock := newFakeClock()
	c := newSim(t, Options{Clock: clock.Now})
	type tc struct {
		name   string
		hdr    []string
		query  string
		status int
		msg    string
	}
	cases := []tc{
		{"both headers", nil, "", 200, ""},
		{"key as query parameter", []string{"Ocp-Apim-Subscription-Key", ""}, "?subscription-key=" + DefaultSubscriptionKey, 200, ""},
		{"missing subscription key", []string{"Ocp-Apim-Subscription-Key", ""}, "", 401, "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."},
		{"invalid subscription key", []string{"Ocp-Apim-Subscription-Key", "nope"}, "", 401, "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."},
		{"missing bearer", []string{"Authorization", ""}, "", 401, "Authorization has been denied for this request."},
		{"unknown bearer", []string{"Authorization", "Bearer forged"}, "", 401, "Authorization has been denied for this request."},
		{"basic instead of bearer", []string{"Authorization", "Basic " + DefaultClientKey}, "", 401, "Authorization has been denied for this request."},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			st, _, body := c.raw("GET", "/v2/companyInfo"+k.query, nil, append(k.hdr, "X-Test-Invalid", "1")...)
			if st != k.status {
				t.Fatalf("status %d, want %d: %s", st, k.status, body)
			}
			if k.msg != "" {
				var m map[string]any
				_ = json.Unmarshal(body, &m)
				if m["message"] != k.msg {
					t.Errorf("message %v, want %q", m["message"], k.msg)
				}
				if strings.HasPrefix(k.msg, "Access denied") && m["statusCode"] != float64(401) {
					t.Errorf("APIM body without statusCode: %s", body)
				}
			}
		})
	}
	// Tokens expire after expires_in seconds.
	clock.Advance(3598 * time.Second)
	c.call("GET", "/v2/landen", nil, 200, nil)
	clock.Advance(2 * time.Second)
	if st, _, _ := c.raw("GET", "/v2/landen", nil); st != 401 {
		t.Fatalf("expired token: status %d", st)
	}
	c.token = c.fetchToken()
	c.call("GET", "/v2/landen", nil, 200, nil)
	c.srv.ExpireTokens()
	if st, _, _ := c.raw("GET", "/v2/landen", nil); st != 401 {
		t.Fatalf("ExpireTokens: status %d", st)
	}
}

func TestScopesEnforced(t *testing.T) {
	c := newSim(t, Options{Scopes: []string{"orders:read", "settings:read"}})
	c.call("GET", "/v2/verkooporders", nil, 200, nil)
	c.call("GET", "/v2/landen", nil, 200, nil)
	for _, p := range []struct{ method, path string }{
		{"GET", "/v2/relaties"}, {"GET", "/v2/artikelen"}, {"POST", "/v2/verkooporders"}, {"PUT", "/v2/companyInfo"},
	} {
		var body any
		if p.method != "GET" {
			body = map[string]any{}
		}
		st, _, b := c.raw(p.method, p.path, body, "X-Test-Invalid", "1")
		if st != http.StatusForbidden || len(b) != 0 {
			t.Errorf("%s %s: %d %q, want 403 without body", p.method, p.path, st, b)
		}
	}
}
