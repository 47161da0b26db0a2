package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

func TestCheck(t *testing.T) {
	errBody := func(code, msg string, st int) string {
		return fmt.Sprintf(`{"code":%q,"message":%q,"data":{"status":%d}}`, code, msg, st)
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    sdk.ErrorKind
		want    []string // substrings of the summary or the error
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/wp-json/wc/v3":
				_, _ = w.Write([]byte(`{"namespace":"wc/v3","routes":{}}`))
			case "/wp-json/wc/v3/orders":
				w.Header().Set("X-WP-Total", "37")
				_, _ = w.Write([]byte(`[{"id":15,"version":"9.9.9"}]`))
			case "/wp-json/wc/v3/system_status":
				_, _ = w.Write([]byte(`{"environment":{"home_url":"http://shop.example","version":"10.0.2","wp_version":"6.8.8"}}`))
			}
		}, "", []string{"WooCommerce 10.0.2 at http://shop.example (37 orders)"}},
		{"version from an order", func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/wp-json/wc/v3":
				_, _ = w.Write([]byte(`{"namespace":"wc/v3"}`))
			case "/wp-json/wc/v3/orders":
				_, _ = w.Write([]byte(`[{"id":15,"version":"9.9.9"}]`))
			default:
				w.WriteHeader(404)
				_, _ = w.Write([]byte(errBody("rest_no_route", "No route", 404)))
			}
		}, "", []string{"WooCommerce 9.9.9 at http://127.0.0.1"}},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://www.shop.example"+r.URL.Path+"?"+r.URL.RawQuery, http.StatusMovedPermanently)
		}, sdk.KindUnreachable, []string{"redirects (301) to https://www.shop.example/wp-json/wc/v3"}},
		{"bad key", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(errBody("woocommerce_rest_authentication_error", "Consumer key is invalid.", 401)))
		}, sdk.KindAuth, []string{"consumer_key", "bad API key"}},
		{"bad secret", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/wp-json/wc/v3" {
				_, _ = w.Write([]byte(`{"namespace":"wc/v3"}`))
				return
			}
			w.WriteHeader(401)
			_, _ = w.Write([]byte(errBody("woocommerce_rest_authentication_error", "Invalid signature - provided signature does not match.", 401)))
		}, sdk.KindAuth, []string{"consumer_secret", "bad API keys"}},
		{"no rest api", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			_, _ = w.Write([]byte(errBody("rest_no_route", "No route was found matching the URL and request method.", 404)))
		}, sdk.KindUnreachable, []string{"no WooCommerce REST API at", "permalinks"}},
		{"html page", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`<!doctype html><html>Welkom</html>`))
		}, sdk.KindUnreachable, []string{"did not answer as the WooCommerce REST API"}},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
		}, sdk.KindRetryable, []string{"500"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			s := newTestShop(t, srv.URL, nil)
			res, err := s.Check(context.Background())
			text := res.Summary
			if err != nil {
				text = err.Error()
			}
			if sdk.KindOf(err) != tt.kind {
				t.Fatalf("kind %q (%v), want %q", sdk.KindOf(err), err, tt.kind)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q does not contain %q", text, w)
				}
			}
			if strings.Contains(text, "cs_demo") || strings.Contains(text, "ck_demo") {
				t.Errorf("secret in %q", text)
			}
		})
	}
}
