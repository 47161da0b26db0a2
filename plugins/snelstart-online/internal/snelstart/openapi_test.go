package snelstart

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// specFile is the OpenAPI document of the B2B API v2, relative to the shared directory.
const specFile = "reference/external/snelstart-b2b-api-v2.openapi.yaml"

// sharedDir finds the shared directory: $KOPPEL_SHARED, or ../shared next to the directory
// holding go.mod.
func sharedDir() string {
	if d := os.Getenv("KOPPEL_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// openAPIRouter loads the OpenAPI document once. A test that needs it skips, naming the
// file, only when the shared directory is absent.
func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	path := filepath.Join(sharedDir(), specFile)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("OpenAPI document %s not found (set KOPPEL_SHARED): %v", path, err)
	}
	specOnce.Do(func() {
		// SnelStart's own examples send date-times without a UTC offset
		// ("2022-01-01T00:00:00", the Dutch wall clock), which is how the connector sends
		// datum; kin-openapi's default date-time check insists on an offset. Accept both.
		openapi3.DefineStringFormatValidator("date-time", openapi3.NewRegexpFormatValidator(
			`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`))
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			specErr = fmt.Errorf("load %s: %w", path, err)
			return
		}
		// The document's own quirks are not what we test: its $top default of 500 lies above
		// its maximum of 25, and "/documenten/{id}" and "/documenten/{documenttype}" collide
		// in the router (the connector never calls /documenten).
		for _, p := range doc.Paths.InMatchingOrder() {
			if strings.HasPrefix(p, "/documenten/") {
				doc.Paths.Delete(p)
			}
		}
		specRouter, specErr = legacy.NewRouter(doc, openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation())
	})
	if specErr != nil {
		t.Fatalf("OpenAPI document: %v", specErr)
	}
	return specRouter
}

// validatingTransport checks every /v2 request the connector sends against the OpenAPI
// document (path, method, parameters, body, subscription key) before passing it on.
type validatingTransport struct {
	t      testing.TB
	next   http.RoundTripper
	router routers.Router

	mu        sync.Mutex
	validated int
	failures  []string
}

// newValidatingTransport wraps next (http.DefaultTransport when nil).
func newValidatingTransport(t testing.TB, next http.RoundTripper) *validatingTransport {
	if next == nil {
		next = http.DefaultTransport
	}
	return &validatingTransport{t: t, next: next, router: openAPIRouter(t)}
}

// RoundTrip implements http.RoundTripper.
func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	i := strings.Index(req.URL.Path, "/v2/")
	if i >= 0 {
		if err := v.validate(req, req.URL.Path[i+len("/v2"):]); err != nil {
			v.mu.Lock()
			v.failures = append(v.failures, fmt.Sprintf("%s %s: %v", req.Method, req.URL.RequestURI(), err))
			v.mu.Unlock()
			v.t.Errorf("request does not match the OpenAPI document: %s %s: %v", req.Method, req.URL.RequestURI(), err)
		}
	}
	return v.next.RoundTrip(req)
}

func (v *validatingTransport) validate(req *http.Request, apiPath string) error {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		_ = req.Body.Close()
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	u := *req.URL
	u.Scheme, u.Host, u.Path, u.RawPath = "https", "b2bapi.snelstart.nl", "/v2"+apiPath, ""
	vreq, err := http.NewRequestWithContext(context.Background(), req.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	vreq.Header = req.Header.Clone()
	route, params, err := v.router.FindRoute(vreq)
	if err != nil {
		return fmt.Errorf("no such operation: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			MultiError: true,
			AuthenticationFunc: func(_ context.Context, ai *openapi3filter.AuthenticationInput) error {
				if ai.SecurityScheme.In == "header" && vreq.Header.Get(ai.SecurityScheme.Name) != "" {
					return nil
				}
				if ai.SecurityScheme.In == "query" && vreq.URL.Query().Get(ai.SecurityScheme.Name) != "" {
					return nil
				}
				return fmt.Errorf("%s not sent", ai.SecurityScheme.Name)
			},
		},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return err
	}
	if req.Header.Get("Authorization") == "" {
		return fmt.Errorf("no Authorization header")
	}
	v.mu.Lock()
	v.validated++
	v.mu.Unlock()
	return nil
}

// count returns how many requests passed validation.
func (v *validatingTransport) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.validated
}

func TestOpenAPIDocumentLoads(t *testing.T) {
	r := openAPIRouter(t)
	req, _ := http.NewRequest(http.MethodGet, "https://b2bapi.snelstart.nl/v2/artikelen?$top=25&$skip=0", nil)
	if _, _, err := r.FindRoute(req); err != nil {
		t.Fatalf("GET /artikelen not found in the document: %v", err)
	}
}
