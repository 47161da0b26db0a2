package simulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a running simulator with a signing client.
type env struct {
	t     *testing.T
	sim   *Server
	ts    *httptest.Server
	clock *fakeClock
	nonce int
	alg   string
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	if opts.Clock == nil {
		opts.Clock = clock.Now
	}
	sim, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(sim.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, sim: sim, ts: ts, clock: clock, alg: "HMAC-SHA256"}
}

// oauthQuery signs method+URL (path and ordered query pairs) as an OAuth 1.0a one-legged
// client written from RFC 5849 would, and returns the full query string.
func (e *env) oauthQuery(method, path string, q [][2]string, secret string, ts int64, nonce string) string {
	all := append([][2]string{}, q...)
	all = append(all,
		[2]string{"oauth_consumer_key", e.sim.ConsumerKey()},
		[2]string{"oauth_nonce", nonce},
		[2]string{"oauth_signature_method", e.alg},
		[2]string{"oauth_timestamp", strconv.FormatInt(ts, 10)},
	)
	enc := make([]string, len(all))
	for i, p := range all {
		enc[i] = rfc3986(p[0]) + "=" + rfc3986(p[1])
	}
	sort.Strings(enc)
	base := method + "&" + rfc3986(e.ts.URL+path) + "&" + rfc3986(strings.Join(enc, "&"))
	var h func() hash.Hash = sha256.New
	if e.alg == "HMAC-SHA1" {
		h = sha1.New
	}
	m := hmac.New(h, []byte(secret+"&"))
	m.Write([]byte(base))
	sig := base64.StdEncoding.EncodeToString(m.Sum(nil))
	var parts []string
	for _, p := range all {
		parts = append(parts, rfc3986(p[0])+"="+rfc3986(p[1]))
	}
	parts = append(parts, "oauth_signature="+rfc3986(sig))
	return strings.Join(parts, "&")
}

func (e *env) nextNonce() string {
	e.nonce++
	return fmt.Sprintf("nonce%026d", e.nonce)
}

// do sends a signed request; q is the non-OAuth query in order.
func (e *env) do(method, path string, q [][2]string, body any) *http.Response {
	e.t.Helper()
	raw := e.oauthQuery(method, path, q, e.sim.ConsumerSecret(), e.clock.Now().Unix(), e.nextNonce())
	return e.raw(method, path+"?"+raw, body, nil)
}

func (e *env) raw(method, pathQuery string, body any, hdr http.Header) *http.Response {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.ts.URL+pathQuery, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, pathQuery, err)
	}
	return resp
}

// decode reads a response body as generic JSON and checks the status.
func decode(t *testing.T, resp *http.Response, wantStatus int) any {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, wantStatus, b)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, b)
	}
	return v
}

func obj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %T", v)
	}
	return m
}

func arr(t *testing.T, v any) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("want a JSON array, got %T", v)
	}
	return a
}

// sharedDir finds the shared reference directory: $KOPPEL_SHARED, or ../shared next to the
// directory holding go.mod.
func sharedDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("KOPPEL_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// capture loads a captured WooCommerce response; skips (naming the file) only when the
// shared directory is absent.
func capture(t *testing.T, name string) any {
	t.Helper()
	p := filepath.Join(sharedDir(t), "reference", "external", "woocommerce-captured", name)
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		t.Skipf("captured response %s not available", p)
	}
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return v
}

// ordersQuery builds a list query.
func qs(kv ...string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
