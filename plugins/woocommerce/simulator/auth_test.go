package simulator

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func errCode(t *testing.T, v any) (string, string) {
	t.Helper()
	m := obj(t, v)
	c, _ := m["code"].(string)
	msg, _ := m["message"].(string)
	return c, msg
}

func TestOAuthAcceptsValidSignatures(t *testing.T) {
	for _, alg := range []string{"HMAC-SHA1", "HMAC-SHA256"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, Options{})
			e.alg = alg
			v := decode(t, e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "5", "status", "processing,completed"), nil), 200)
			if len(arr(t, v)) != 0 {
				t.Fatalf("empty store listed orders: %v", v)
			}
		})
	}
}

func TestOAuthInAuthorizationHeader(t *testing.T) {
	e := newEnv(t, Options{})
	raw := e.oauthQuery("GET", "/wp-json/wc/v3/orders", nil, e.sim.ConsumerSecret(), e.clock.Now().Unix(), e.nextNonce())
	var parts []string
	for _, p := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(p, "=")
		parts = append(parts, k+`="`+v+`"`)
	}
	hdr := http.Header{"Authorization": {"OAuth " + strings.Join(parts, ", ")}}
	decode(t, e.raw("GET", "/wp-json/wc/v3/orders", nil, hdr), 200)
}

func TestAuthFailures(t *testing.T) {
	e := newEnv(t, Options{})
	now := e.clock.Now().Unix()
	path := "/wp-json/wc/v3/orders"
	tests := []struct {
		name     string
		query    string
		hdr      http.Header
		code     string
		msg      string
		status   int
		pathOnly bool
	}{
		{name: "wrong secret", query: e.oauthQuery("GET", path, nil, "cs_wrong", now, "n-wrong-secret"),
			status: 401, code: "woocommerce_rest_authentication_error", msg: "Invalid signature - provided signature does not match."},
		{name: "stale timestamp", query: e.oauthQuery("GET", path, nil, e.sim.ConsumerSecret(), now-16*60, "n-stale"),
			status: 401, code: "woocommerce_rest_authentication_error", msg: "Invalid timestamp."},
		{name: "future timestamp", query: e.oauthQuery("GET", path, nil, e.sim.ConsumerSecret(), now+16*60, "n-future"),
			status: 401, code: "woocommerce_rest_authentication_error", msg: "Invalid timestamp."},
		{name: "unknown key", query: strings.Replace(e.oauthQuery("GET", path, nil, e.sim.ConsumerSecret(), now, "n-key"), "ck_demo", "ck_other", 1),
			status: 401, code: "woocommerce_rest_authentication_error", msg: "Consumer key is invalid."},
		{name: "missing nonce", query: "oauth_consumer_key=ck_demo&oauth_timestamp=1&oauth_signature=x&oauth_signature_method=HMAC-SHA1",
			status: 401, code: "woocommerce_rest_authentication_missing_parameter", msg: "Missing OAuth parameter oauth_nonce"},
		{name: "basic over http", hdr: http.Header{"Authorization": {"Basic Y2tfZGVtbzpjc19kZW1v"}},
			status: 401, code: "woocommerce_rest_cannot_view", msg: "Sorry, you cannot list resources."},
		{name: "query keys over http", query: "consumer_key=ck_demo&consumer_secret=cs_demo",
			status: 401, code: "woocommerce_rest_cannot_view", msg: "Sorry, you cannot list resources."},
		{name: "no auth", status: 401, code: "woocommerce_rest_cannot_view", msg: "Sorry, you cannot list resources."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pq := path
			if tc.query != "" {
				pq += "?" + tc.query
			}
			code, msg := errCode(t, decode(t, e.raw("GET", pq, nil, tc.hdr), tc.status))
			if code != tc.code || msg != tc.msg {
				t.Fatalf("got %s %q, want %s %q", code, msg, tc.code, tc.msg)
			}
		})
	}
}

func TestOAuthReplayedNonce(t *testing.T) {
	e := newEnv(t, Options{})
	q := e.oauthQuery("GET", "/wp-json/wc/v3/orders", nil, e.sim.ConsumerSecret(), e.clock.Now().Unix(), "same-nonce")
	decode(t, e.raw("GET", "/wp-json/wc/v3/orders?"+q, nil, nil), 200)
	code, msg := errCode(t, decode(t, e.raw("GET", "/wp-json/wc/v3/orders?"+q, nil, nil), 401))
	if code != "woocommerce_rest_authentication_error" || msg != "Invalid nonce - nonce has already been used." {
		t.Fatalf("replay: got %s %q", code, msg)
	}
	// After the 15-minute window the old nonce is forgotten, but the old timestamp is refused.
	e.clock.Advance(20 * time.Minute)
	code, _ = errCode(t, decode(t, e.raw("GET", "/wp-json/wc/v3/orders?"+q, nil, nil), 401))
	if code != "woocommerce_rest_authentication_error" {
		t.Fatalf("late replay: %s", code)
	}
}

func TestSignatureCoversQueryAndPath(t *testing.T) {
	e := newEnv(t, Options{})
	q := e.oauthQuery("GET", "/wp-json/wc/v3/orders", qs("per_page", "5"), e.sim.ConsumerSecret(), e.clock.Now().Unix(), "n-tamper")
	tampered := strings.Replace(q, "per_page=5", "per_page=6", 1)
	code, _ := errCode(t, decode(t, e.raw("GET", "/wp-json/wc/v3/orders?"+tampered, nil, nil), 401))
	if code != "woocommerce_rest_authentication_error" {
		t.Fatalf("tampered query accepted: %s", code)
	}
	// A POST signed as GET fails too.
	q = e.oauthQuery("GET", "/wp-json/wc/v3/orders", nil, e.sim.ConsumerSecret(), e.clock.Now().Unix(), "n-method")
	code, _ = errCode(t, decode(t, e.raw("POST", "/wp-json/wc/v3/orders?"+q, map[string]any{}, nil), 401))
	if code != "woocommerce_rest_authentication_error" {
		t.Fatalf("method not signed: %s", code)
	}
}

func TestBasicAndQueryKeysOverTLS(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	sim, err := New(Options{Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(sim.Handler())
	defer ts.Close()
	get := func(url string, user, pass string) *http.Response {
		req, _ := http.NewRequest("GET", url, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	decode(t, get(ts.URL+"/wp-json/wc/v3/orders", "ck_demo", "cs_demo"), 200)
	decode(t, get(ts.URL+"/wp-json/wc/v3/orders?consumer_key=ck_demo&consumer_secret=cs_demo", "", ""), 200)
	code, msg := errCode(t, decode(t, get(ts.URL+"/wp-json/wc/v3/orders", "ck_demo", "cs_bad"), 401))
	if code != "woocommerce_rest_authentication_error" || msg != "Consumer secret is invalid." {
		t.Fatalf("bad secret over TLS: %s %q", code, msg)
	}
}

func TestTrustProxyHTTPS(t *testing.T) {
	for _, trust := range []bool{false, true} {
		e := newEnv(t, Options{TrustProxyHTTPS: trust})
		hdr := http.Header{"X-Forwarded-Proto": {"https"}, "Authorization": {"Basic Y2tfZGVtbzpjc19kZW1v"}}
		want := 401
		if trust {
			want = 200
		}
		decode(t, e.raw("GET", "/wp-json/wc/v3/orders", nil, hdr), want)
	}
}

func TestReadOnlyKeyCannotWrite(t *testing.T) {
	e := newEnv(t, Options{KeyPermissions: "read"})
	decode(t, e.do("GET", "/wp-json/wc/v3/orders", nil, nil), 200)
	code, msg := errCode(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{}), 401))
	if code != "woocommerce_rest_authentication_error" || !strings.Contains(msg, "write permissions") {
		t.Fatalf("read key wrote: %s %q", code, msg)
	}
}

func TestIndexIsPublicAndRedirect(t *testing.T) {
	e := newEnv(t, Options{})
	v := obj(t, decode(t, e.raw("GET", "/wp-json/wc/v3", nil, nil), 200))
	if v["namespace"] != "wc/v3" || obj(t, v["routes"])["/wc/v3/orders"] == nil {
		t.Fatalf("namespace index: %v", v)
	}
	ss := obj(t, decode(t, e.do("GET", "/wp-json/wc/v3/system_status", nil, nil), 200))
	if obj(t, ss["environment"])["version"] != DefaultVersion {
		t.Fatalf("system_status version: %v", ss["environment"])
	}
	code, _ := errCode(t, decode(t, e.do("GET", "/wp-json/wc/v3/nope", nil, nil), 404))
	if code != "rest_no_route" {
		t.Fatalf("unknown route: %s", code)
	}

	r := newEnv(t, Options{RedirectTo: "https://shop.example"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(r.ts.URL + "/wp-json/wc/v3/orders?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://shop.example/wp-json/wc/v3/orders?x=1" {
		t.Fatalf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
