package snelstart

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// Test credentials: distinctive strings so a test can assert they never leak.
const (
	testClientKey = "c2VjcmV0LWNsaWVudDprZXktOTk5"
	testSubKey    = "sub-key-7f3a9c1e"
)

// Land ids used by the fake server.
const (
	landNL = "6b7a1c2e-0000-4000-8000-000000000528"
	landBE = "6b7a1c2e-0000-4000-8000-000000000056"
)

// fakeAPI is a small SnelStart stand-in for unit tests: a token endpoint, key and bearer
// checks, GET /v2/landen, and whatever routes a test adds. Every /v2 request the connector
// sends is also validated against the OpenAPI document by the connector's transport.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server
	mux *http.ServeMux

	mu        sync.Mutex
	tokens    map[string]bool
	issued    int
	expiresIn int
	calls     map[string]int // "GET /v2/artikelen" → count
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, mux: http.NewServeMux(), tokens: map[string]bool{}, expiresIn: 3599, calls: map[string]int{}}
	f.mux.HandleFunc("POST /b2b/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "clientkey" || r.PostForm.Get("clientkey") != testClientKey {
			writeJSONTest(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		if r.Header.Get("Ocp-Apim-Subscription-Key") != "" {
			t.Errorf("the subscription key was sent to the token endpoint")
		}
		f.mu.Lock()
		f.issued++
		tok := fmt.Sprintf("token-%d", f.issued)
		f.tokens[tok] = true
		exp := f.expiresIn
		f.mu.Unlock()
		writeJSONTest(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": exp})
	})
	f.handle("GET /v2/landen", func(w http.ResponseWriter, r *http.Request) {
		writeJSONTest(w, http.StatusOK, []map[string]any{
			{"id": landNL, "naam": "Nederland", "landcodeISO": "NL", "landcode": "NL", "uri": "/landen/" + landNL},
			{"id": landBE, "naam": "België", "landcodeISO": "BE", "landcode": "B", "uri": "/landen/" + landBE},
		})
	})
	f.srv = httptest.NewServer(f.mux)
	t.Cleanup(f.srv.Close)
	return f
}

// handle adds an API route behind the key and bearer checks.
func (f *fakeAPI) handle(pattern string, h http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls[method+" "+path]++
		f.mu.Unlock()
		if r.Header.Get("Ocp-Apim-Subscription-Key") != testSubKey {
			writeJSONTest(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."})
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		ok := f.tokens[tok]
		f.mu.Unlock()
		if !ok {
			writeJSONTest(w, http.StatusUnauthorized, map[string]string{"message": "Authorization has been denied for this request."})
			return
		}
		h(w, r)
	})
}

// revokeTokens makes every issued token invalid (as SnelStart does after an hour).
func (f *fakeAPI) revokeTokens() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

// count returns how often a route was called.
func (f *fakeAPI) count(pattern string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[pattern]
}

// tokensIssued returns how many tokens were handed out.
func (f *fakeAPI) tokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued
}

// testConfig returns a config for a server at base (no client-side rate limit).
func testConfig(base string) sdk.Config {
	return sdk.Config{}.
		Set("client_key", testClientKey).
		Set("subscription_key", testSubKey).
		Set("base_url", base+"/v2").
		Set("auth_url", base+"/b2b/token").
		Set("rate_limit", 0).
		Set("max_concurrent", 0)
}

// connector builds a connector against the fake with a validating transport.
func (f *fakeAPI) connector(t *testing.T, o options) (*Connector, *validatingTransport) {
	t.Helper()
	vt := newValidatingTransport(t, nil)
	o.transport = vt
	if o.maxRetryWait == 0 {
		o.maxRetryWait = 2 * time.Second
	}
	c, err := newConnector(testConfig(f.srv.URL), nil, o)
	if err != nil {
		t.Fatalf("newConnector: %v", err)
	}
	return c, vt
}

func writeJSONTest(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// wantKind fails unless err is an *sdk.Error of kind k.
func wantKind(t *testing.T, err error, k sdk.ErrorKind) *sdk.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want a %s error, got nil", k)
	}
	var se *sdk.Error
	if !asSDK(err, &se) {
		t.Fatalf("want *sdk.Error of kind %s, got %T: %v", k, err, err)
	}
	if se.Kind != k {
		t.Fatalf("want kind %s, got %s: %v", k, se.Kind, err)
	}
	noSecrets(t, err.Error())
	return se
}

// noSecrets fails when s contains a key.
func noSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testClientKey, testSubKey} {
		if strings.Contains(s, secret) {
			t.Fatalf("a secret leaked into %q", s)
		}
	}
}
