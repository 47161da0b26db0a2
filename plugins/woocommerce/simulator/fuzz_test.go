package simulator

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} } //nolint:gosec // test against a self-signed simulator

// fuzzServer is a store whose requests count as TLS (through TrustProxyHTTPS), so Basic
// auth works with httptest.NewRecorder and the fuzzers reach the handlers.
func fuzzServer(f *testing.F) *Server {
	clock := &fakeClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	s, err := New(Options{Clock: clock.Now, TrustProxyHTTPS: true})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.GenerateOrders(20); err != nil {
		f.Fatal(err)
	}
	return s
}

func serveFuzz(s *Server, method, target, body string) *httptest.ResponseRecorder {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, "http://shop.test/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, "http://shop.test/", nil)
	}
	req.URL.RawQuery = ""
	if p, q, ok := strings.Cut(target, "?"); ok {
		req.URL.Path, req.URL.RawQuery = p, q
	} else {
		req.URL.Path = target
	}
	req.RequestURI = ""
	req.Header.Set("X-Forwarded-Proto", "https")
	req.SetBasicAuth("ck_demo", "cs_demo")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// FuzzListQuery feeds arbitrary query strings to the list endpoints: never a panic, always a
// JSON answer with a 2xx or 4xx status.
func FuzzListQuery(f *testing.F) {
	for _, seed := range []string{
		"per_page=101", "page=0", "page=2&per_page=5&orderby=modified&order=asc&dates_are_gmt=true&modified_after=2026-11-20T10:00:00",
		"status=processing,completed", "status[]=any&status[]=trash", "include=1,2,abc", "modified_after=2026-13-40T99:99:99Z",
		"after=2026-11-20T10:00:00%2B01:00", "orderby=include&include[]=20&include[]=14", "offset=3&per_page=2", "dp=-1",
		"dates_are_gmt=maybe", "search=%C3%86r%C3%B8", "%zz=%", "sku=GEN-TS-m,GEN-BOEK-KOKEN", "type=variable&stock_status=instock",
		"per_page=1e3", "page=99999999999999999999", "_fields=id",
	} {
		f.Add(seed)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, q string) {
		for _, path := range []string{"/wp-json/wc/v3/orders", "/wp-json/wc/v3/products", "/wp-json/wc/v3/taxes"} {
			rec := serveFuzz(s, "GET", path+"?"+q, "")
			if rec.Code != 200 && rec.Code != 400 {
				t.Fatalf("%s?%s: status %d: %s", path, q, rec.Code, rec.Body.String())
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s?%s: invalid JSON %q", path, q, rec.Body.String())
			}
		}
	})
}

// FuzzOrderBody feeds arbitrary bodies to POST /orders and PUT /orders/{id}.
func FuzzOrderBody(f *testing.F) {
	for _, seed := range []string{
		`{}`, `[]`, `null`, `{"line_items":[{"product_id":"abc"}]}`, `{"line_items":[{"product_id":1,"total":1}]}`,
		`{"status":"weird"}`, `{"billing":"x"}`, `{"line_items":{"a":1}}`, `{"coupon_lines":[{"code":"nope"}]}`,
		`{"line_items":[{"sku":"GEN-SOK-43","quantity":-1}]}`, `{"fee_lines":[{"name":"x","total":"1e400"}]}`,
		`{"set_paid":"yes","line_items":[{"product_id":21,"quantity":"2"}]}`, `{"meta_data":[{"key":1,"value":{}}]}`,
		`{"line_items":[{"id":99,"quantity":0}]}`, `{"tax_lines":[{"rate_id":"x"}]}`,
	} {
		f.Add(seed)
	}
	s := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []struct{ method, path string }{{"POST", "/wp-json/wc/v3/orders"}, {"PUT", "/wp-json/wc/v3/orders/25"}, {"POST", "/wp-json/wc/v3/products/batch"}} {
			rec := serveFuzz(s, target.method, target.path, body)
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q: status %d: %s", target.method, target.path, body, rec.Code, rec.Body.String())
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s %q: invalid JSON", target.method, target.path, body)
			}
		}
	})
}
