package woocommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// The expected base string and signatures were computed by hand from RFC 5849 §3.4.1 (and
// checked with Python's hmac module), not with this package's code.
func TestOAuthSignatureKnownVector(t *testing.T) {
	const nonce = "abcdef0123456789abcdef0123456789"
	u, err := url.Parse("http://SHOP.example:8080/wp-json/wc/v3/orders?per_page=2&status=processing,completed&modified_after=2026-11-24T00:00:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ method, sig string }{
		{sigHMACSHA256, "6P43HB/4WiO9fJ702j6iZq3Fc9soBEp5JnhH45Fo1uo="},
		{sigHMACSHA1, "eKlg/cijtRO3oXzg0xNI+tt78Xo="},
	} {
		q := u.Query()
		q.Set("oauth_consumer_key", "ck_demo")
		q.Set("oauth_timestamp", "1795479246")
		q.Set("oauth_nonce", nonce)
		q.Set("oauth_signature_method", tt.method)
		q.Set("oauth_signature", "ignored")
		wantBase := "GET&http%3A%2F%2Fshop.example%3A8080%2Fwp-json%2Fwc%2Fv3%2Forders&" +
			"modified_after%3D2026-11-24T00%253A00%253A00%26oauth_consumer_key%3Dck_demo%26oauth_nonce%3D" + nonce +
			"%26oauth_signature_method%3D" + tt.method + "%26oauth_timestamp%3D1795479246%26per_page%3D2%26status%3Dprocessing%252Ccompleted"
		if got := oauthBaseString("get", u, q); got != wantBase {
			t.Errorf("base string\n got %s\nwant %s", got, wantBase)
		}
		sig, err := oauthSignature("GET", u, q, "cs_demo", tt.method)
		if err != nil {
			t.Fatal(err)
		}
		if sig != tt.sig {
			t.Errorf("%s signature = %s, want %s", tt.method, sig, tt.sig)
		}
	}
	if _, err := oauthSignature("GET", u, url.Values{}, "x", "PLAINTEXT"); err == nil {
		t.Error("PLAINTEXT must be refused")
	}
}

func TestBaseURI(t *testing.T) {
	for in, want := range map[string]string{
		"http://Shop.Example:80/wp-json/wc/v3/orders?x=1": "http://shop.example/wp-json/wc/v3/orders",
		"https://shop.example:443/a%20b":                  "https://shop.example/a%20b",
		"https://shop.example:8443":                       "https://shop.example:8443/",
	} {
		u, _ := url.Parse(in)
		if got := baseURI(u); got != want {
			t.Errorf("baseURI(%s) = %s, want %s", in, got, want)
		}
	}
}

// A retried request is signed again: a fresh nonce and timestamp, a valid signature each time.
func TestOAuthResignsEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	var nonces []string
	var bad int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		want, _ := oauthSignature(r.Method, &u, q, "cs_demo", q.Get("oauth_signature_method"))
		mu.Lock()
		nonces = append(nonces, q.Get("oauth_nonce"))
		if want != q.Get("oauth_signature") || q.Get("consumer_secret") != "" {
			bad++
		}
		first := len(nonces) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	s := newTestShop(t, srv.URL, nil)
	if _, err := s.api.get(context.Background(), "/orders", url.Values{"page": {"1"}}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(nonces) != 2 || nonces[0] == nonces[1] || nonces[0] == "" {
		t.Fatalf("nonces %v: want two different ones", nonces)
	}
	if bad != 0 {
		t.Fatalf("%d requests carried a bad signature", bad)
	}
}

func TestBasicAndQueryAuth(t *testing.T) {
	for _, mode := range []string{authBasic, authQuery} {
		t.Run(mode, func(t *testing.T) {
			var user, pass, qk, qs string
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				user, pass, _ = r.BasicAuth()
				qk, qs = r.URL.Query().Get("consumer_key"), r.URL.Query().Get("consumer_secret")
				_, _ = w.Write([]byte(`[]`))
			}))
			defer srv.Close()
			cfg := testConfig(srv.URL).Set(attrAuth, mode)
			s, err := newShop(cfg, nil, srv.Client().Transport, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.api.get(context.Background(), "/orders", nil); err != nil {
				t.Fatal(err)
			}
			if mode == authBasic && (user != "ck_demo" || pass != "cs_demo" || qk != "") {
				t.Errorf("basic: user %q pass %q query key %q", user, pass, qk)
			}
			if mode == authQuery && (qk != "ck_demo" || qs != "cs_demo" || user != "") {
				t.Errorf("query: key %q secret %q basic user %q", qk, qs, user)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]sdk.Config{
		"basic over http":  testConfig("http://shop.example").Set(attrAuth, authBasic),
		"query over http":  testConfig("http://shop.example").Set(attrAuth, authQuery),
		"no host":          testConfig("https://"),
		"ftp":              testConfig("ftp://shop.example"),
		"page size 101":    testConfig("https://shop.example").Set(attrPageSize, 101),
		"unknown auth":     testConfig("https://shop.example").Set(attrAuth, "digest"),
		"missing secret":   testConfig("https://shop.example").Set(attrSecret, ""),
		"bad sig method":   testConfig("http://shop.example").Set(attrSigMethod, "RSA-SHA1"),
		"bad coupons mode": testConfig("http://shop.example").Set(attrCoupons, "both"),
	} {
		_, err := New(context.Background(), cfg, nil)
		if sdk.KindOf(err) != sdk.KindConfig {
			t.Errorf("%s: got %v, want a config error", name, err)
		}
	}
	s, err := newShop(testConfig("https://shop.example/blog/wp-json/wc/v3/"), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.api.endpoint("/orders", nil).String(); got != "https://shop.example/blog/wp-json/wc/v3/orders" {
		t.Errorf("endpoint = %s", got)
	}
	if s.api.auth != authBasic {
		t.Errorf("auto over https = %s, want basic", s.api.auth)
	}
	if err := Schema().Validate(); err != nil {
		t.Error(err)
	}
}

// testConfig is a config for a store at u with the demo keys and small pages.
func testConfig(u string) sdk.Config {
	return sdk.Config{}.Set(attrURL, u).Set(attrKey, "ck_demo").Set(attrSecret, "cs_demo").
		Set(attrRatePerMinute, 0).Set(attrTimeout, (5 * time.Second).String())
}

// newTestShop builds a Shop for a test server, with extra settings.
func newTestShop(t testing.TB, u string, set func(sdk.Config)) *Shop {
	t.Helper()
	cfg := testConfig(u)
	if set != nil {
		set(cfg)
	}
	s, err := newShop(cfg, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
