package serve

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/jsonconv"
)

// TestAPIJSONConventions walks every JSON endpoint of the API — answers and errors — and
// checks each body against the conventions (package jsonconv): snake_case keys only, durations
// as seconds under *_seconds, never nanoseconds or Go duration strings.
func TestAPIJSONConventions(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Planner = &fakePlanner{}
		o.Commands = func(_ context.Context, req CommandRequest, stdout, stderr io.Writer) int {
			_, _ = io.WriteString(stdout, "ok "+strings.Join(req.Args, " ")+"\n")
			_, _ = io.WriteString(stderr, "a warning\n")
			return 0
		}
	})
	// A run on record through the API, so /api/profiles reports a last run.
	wantStatus(t, e.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", nil, nil), http.StatusAccepted)
	e.sched.wait()
	items, err := attention.List(context.Background(), e.store, "winkel", attention.Filter{})
	if err != nil || len(items) == 0 {
		t.Fatalf("seeded attention items: %v, %v", items, err)
	}
	json := map[string]string{"Content-Type": "application/json"}
	for _, c := range []struct {
		method, path string
		body         string
		status       int
	}{
		{"GET", "/healthz", "", 200},
		{"GET", "/api/profiles", "", 200},
		{"GET", "/api/runs", "", 200},
		{"GET", "/api/runs?orders=1", "", 200},
		{"GET", "/api/runs?profile=winkel&limit=1", "", 200},
		{"GET", "/api/orders", "", 200},
		{"GET", "/api/orders?profile=winkel&status=failed", "", 200},
		{"GET", "/api/orders?status=imported", "", 200},
		{"GET", "/api/attention", "", 200},
		{"GET", "/api/attention?all=1", "", 200},
		{"GET", "/api/profiles/winkel/plan", "", 200},
		{"GET", "/api/profiles/winkel/plan?task=export_stock", "", 200},
		{"POST", "/api/profiles/winkel/tasks/export_stock/run", "", 202},
		{"POST", "/api/profiles/winkel/orders/1002/retry", "", 202},
		{"POST", "/api/profiles/winkel/orders/retry-failed", "", 202},
		{"POST", "/api/profiles/winkel/attention/" + items[0].ID + "/resolve", "", 200},
		{"POST", "/api/cli", `{"args":["orders","winkel"]}`, 200},
		// Errors are JSON too.
		{"GET", "/api/orders?profile=nobody", "", 404},
		{"GET", "/api/runs?limit=x", "", 400},
		{"POST", "/api/profiles/nobody/tasks/import_orders/run", "", 404},
		{"POST", "/api/profiles/winkel/attention/ffffffff/resolve", "", 404},
		{"GET", "/api/profiles/winkel/plan?task=nonsense", "", 400},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		resp := e.do(t, c.method, c.path, body, json)
		raw := readBody(t, resp)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d\n%s", c.method, c.path, resp.StatusCode, c.status, raw)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
			t.Errorf("%s %s: content type %q, not JSON", c.method, c.path, ct)
		}
		for _, v := range jsonconv.Violations([]byte(raw), "calls_by_method", "details") {
			t.Errorf("%s %s: %s", c.method, c.path, v)
		}
	}
}
