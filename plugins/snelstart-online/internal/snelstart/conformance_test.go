package snelstart

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

// faultGate sits in front of the simulator and produces the conformance kit's faults.
type faultGate struct {
	next http.Handler

	mu    sync.Mutex
	fault conformance.Fault
}

func (g *faultGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	f := g.fault
	if f == conformance.FaultCommitThen500 && r.Method == http.MethodPost && r.URL.Path != "/b2b/token" {
		g.fault = "" // only the next create
	}
	g.mu.Unlock()
	switch {
	case f == conformance.FaultThrottle:
		w.Header().Set("Retry-After", "600")
		writeJSONTest(w, http.StatusTooManyRequests, map[string]any{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 600 seconds."})
	case f == conformance.FaultUnavailable:
		w.Header().Set("Retry-After", "600")
		writeJSONTest(w, http.StatusServiceUnavailable, map[string]any{"statusCode": 503, "message": "Service unavailable"})
	case f == conformance.FaultCommitThen500 && r.Method == http.MethodPost && r.URL.Path != "/b2b/token":
		rec := &discardWriter{header: http.Header{}}
		g.next.ServeHTTP(rec, r) // the simulator commits the create
		writeJSONTest(w, http.StatusInternalServerError, map[string]string{"message": "An error has occurred."})
	default:
		g.next.ServeHTTP(w, r)
	}
}

// discardWriter swallows a response.
type discardWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return d.body.Write(b) }
func (d *discardWriter) WriteHeader(int)             {}

func (g *faultGate) inject(_ context.Context, f conformance.Fault) (func(), error) {
	switch f {
	case conformance.FaultThrottle, conformance.FaultUnavailable, conformance.FaultCommitThen500:
	default:
		return nil, fmt.Errorf("fault %s not supported", f)
	}
	g.mu.Lock()
	g.fault = f
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.fault = ""
		g.mu.Unlock()
	}, nil
}

func TestConformance(t *testing.T) {
	sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	gate := &faultGate{next: sim.Handler()}
	srv := httptest.NewServer(gate)
	defer srv.Close()
	cfg := simConfig(srv.URL)
	info := PluginInfo("test")
	vt := newValidatingTransport(t, nil)
	conformance.TestLedger(t, conformance.LedgerHarness{
		Info: info,
		New: func(ctx context.Context, c sdk.Config) (sdk.Ledger, error) {
			return newConnector(c, hclog.NewNullLogger(), options{transport: vt})
		},
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
		Unreachable: conformance.WithURL(conformance.WithURL(cfg, "base_url", conformance.UnreachableURL+"/v2"),
			"auth_url", conformance.UnreachableURL+"/b2b/token"),
		ArticleCode: "SHIRT-01",
		InjectFault: gate.inject,
	})
}
