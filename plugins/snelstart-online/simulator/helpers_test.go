package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

const specRel = "reference/external/snelstart-b2b-api-v2.openapi.yaml"

// sharedDir finds the shared reference folder: $KOPPEL_SHARED, else ../shared next to the
// directory holding go.mod.
func sharedDir() string {
	if d := os.Getenv("KOPPEL_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// loadSpec loads the published OpenAPI document once and builds a kin-openapi router for it.
func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		path := filepath.Join(sharedDir(), specRel)
		if _, err := os.Stat(path); err != nil {
			specErr = fmt.Errorf("missing %s: %w", path, err)
			return
		}
		// The API sends local date-times without a UTC offset ("2024-05-01T00:00:00", see
		// snelstart-b2b-api.md §0); kin-openapi's default date-time check insists on one.
		// Accept both forms; everything else about the value is still checked.
		openapi3.DefineStringFormatValidator("date-time", openapi3.NewRegexpFormatValidator(
			`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`))
		openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122))
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			specErr = fmt.Errorf("load %s: %w", path, err)
			return
		}
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	return specRouter, specErr
}

// validatingTransport checks every /v2 request and response against the OpenAPI document.
// Requests marked with the header X-Test-Invalid are deliberately wrong: their request is not
// checked, their response is.
type validatingTransport struct {
	t      testing.TB
	router routers.Router
	mu     sync.Mutex
	checks int
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if v.router == nil || !strings.HasPrefix(req.URL.Path, "/v2/") {
		return http.DefaultTransport.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	// Route against the document's server URL.
	probe := req.Clone(req.Context())
	u := *req.URL
	u.Scheme, u.Host = "https", "b2bapi.snelstart.nl"
	probe.URL = &u
	probe.Host = u.Host
	probe.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := v.router.FindRoute(probe)
	if err != nil && req.Header.Get("X-Test-Invalid") != "" {
		return http.DefaultTransport.RoundTrip(req) // deliberately unknown path
	}
	if err != nil {
		v.t.Errorf("contract: %s %s: no operation in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return http.DefaultTransport.RoundTrip(req)
	}
	// SkipSettingDefaults: the document gives GET /artikelen a $top default (500) above its own
	// maximum (25); an absent $top must not be replaced by that default before validation.
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true, SkipSettingDefaults: true}
	in := &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route, Options: opts}
	if req.Header.Get("X-Test-Invalid") == "" {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			v.t.Errorf("contract: request %s %s does not match the document: %v", req.Method, req.URL, err)
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	declared := route.Operation.Responses.Status(resp.StatusCode) != nil
	// Known deviation: the document types a custom field's `value` (.NET object) as a JSON
	// object; the simulator sends the value itself (a string for Text fields, or null), as the
	// .NET serializer does. For those 200s only the status is checked.
	skipBody := strings.HasSuffix(req.URL.Path, "/customFields") && resp.StatusCode == 200
	switch {
	case skipBody && declared:
	case resp.StatusCode < 300 && !declared:
		v.t.Errorf("contract: %s %s answered %d, which the document does not declare", req.Method, req.URL.Path, resp.StatusCode)
	case declared && len(body) > 0:
		rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode,
			Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
		if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
			v.t.Errorf("contract: response %d to %s %s does not match the document: %v\nbody: %s",
				resp.StatusCode, req.Method, req.URL, err, truncate(string(body), 600))
		}
		v.mu.Lock()
		v.checks++
		v.mu.Unlock()
	}
	return resp, nil
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// tclient is a test client for one simulator.
type tclient struct {
	t     *testing.T
	srv   *Server
	base  string
	token string
	hc    *http.Client
	vt    *validatingTransport
}

// newSim starts a simulator on 127.0.0.1:0 and fetches a token. Every /v2 exchange is checked
// against the OpenAPI document when it is present.
func newSim(t *testing.T, opts Options) *tclient {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	// Every indexed list answer of every test is compared with a full scan's.
	srv.checkIndex = true
	t.Cleanup(func() {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		for _, e := range srv.indexErrors {
			t.Errorf("index and scan disagree: %s", e)
		}
	})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	router, _ := loadSpec()
	vt := &validatingTransport{t: t, router: router}
	c := &tclient{t: t, srv: srv, base: hs.URL, hc: &http.Client{Transport: vt, Timeout: 10 * time.Second}, vt: vt}
	c.token = c.fetchToken()
	return c
}

func (c *tclient) fetchToken() string {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+"/b2b/token", url.Values{"grant_type": {"clientkey"}, "clientkey": {DefaultClientKey}})
	if err != nil {
		c.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&tok) != nil || tok.AccessToken == "" {
		c.t.Fatalf("token: status %d", resp.StatusCode)
	}
	return tok.AccessToken
}

// raw sends a request with both headers; body may be nil, a string (sent as is) or a value (JSON).
func (c *tclient) raw(method, path string, body any, hdr ...string) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		bs, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(bs)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Ocp-Apim-Subscription-Key", DefaultSubscriptionKey)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// call sends a request, requires status want and decodes the body into out (if not nil).
func (c *tclient) call(method, path string, body any, want int, out any, hdr ...string) []byte {
	c.t.Helper()
	st, _, b := c.raw(method, path, body, hdr...)
	if st != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, st, want, truncate(string(b), 500))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode: %v; body %s", method, path, err, truncate(string(b), 300))
		}
	}
	return b
}

// invalid sends a deliberately wrong request and returns its status and body.
func (c *tclient) invalid(method, path string, body any) (int, []byte) {
	c.t.Helper()
	st, _, b := c.raw(method, path, body, "X-Test-Invalid", "1")
	return st, b
}

// wantCode asserts a 400 SnelStart error array containing code.
func wantCode(t *testing.T, status int, body []byte, code string) {
	t.Helper()
	if status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 with %s; body %s", status, code, body)
	}
	var e []apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("body is not an error array: %s", body)
	}
	for _, x := range e {
		if x.ErrorCode == code {
			if x.Message == "" {
				t.Errorf("%s without message", code)
			}
			return
		}
	}
	t.Fatalf("error %s not in %s", code, body)
}

// wantModelState asserts a 400 model-state body naming field.
func wantModelState(t *testing.T, status int, body []byte, field string) {
	t.Helper()
	var m struct {
		Message    string              `json:"message"`
		ModelState map[string][]string `json:"modelState"`
	}
	if status != http.StatusBadRequest || json.Unmarshal(body, &m) != nil || len(m.ModelState[field]) == 0 {
		t.Fatalf("want 400 model state for %s, got %d %s", field, status, body)
	}
}
