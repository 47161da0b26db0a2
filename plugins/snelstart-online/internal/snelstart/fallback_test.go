package snelstart

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// refusingTransport stands in for a SnelStart that does not support some $filter properties
// on verkooporders: it answers ALG-0104 for a filter containing any refused word, and records
// the filters it let through.
type refusingTransport struct {
	next    http.RoundTripper
	refused []string

	mu     sync.Mutex
	passed []string
}

func (r *refusingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/verkooporders") && req.Method == http.MethodGet {
		f := req.URL.Query().Get("$filter")
		for _, w := range r.refused {
			if strings.Contains(f, w) {
				body := `[{"errorCode":"ALG-0104","message":"Ongeldig OData filter"}]`
				return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}},
					Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
			}
		}
		r.mu.Lock()
		r.passed = append(r.passed, f)
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func TestOrderLookupFallsBackWhenFilterRefused(t *testing.T) {
	tests := []struct {
		name    string
		refused []string
		want    []string // filters that reached the server during the two look-ups
	}{
		{"ModifiedOn supported", []string{"Betalingskenmerk", "Relatie/Id"}, []string{"ModifiedOn ge datetime'", "ModifiedOn ge datetime'"}},
		{"no filter supported", []string{"Betalingskenmerk", "Relatie/Id", "ModifiedOn"}, []string{"", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim.Handler())
			defer srv.Close()
			rt := &refusingTransport{next: newValidatingTransport(t, nil), refused: tt.refused}
			c, err := newConnector(simConfig(srv.URL), nil, options{transport: rt})
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range []string{"WS-5001", "WS-5002"} {
				if _, err := c.CreateSalesOrder(ctxBg, orderFor(ref)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-5001"})
			if err != nil || len(got) != 1 || got[0].OrderReference != "WS-5001" {
				t.Fatalf("by reference: %v %+v", err, got)
			}
			if !c.filterRefused.Load() {
				t.Fatal("the refusal was not remembered")
			}
			got, err = c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{CustomerID: string(simulator.RelatieJanDeVries), Limit: 1})
			if err != nil || len(got) != 1 || got[0].OrderReference != "WS-5002" {
				t.Fatalf("most recent: %v %+v", err, got)
			}
			if len(tt.refused) == 3 && !c.modifiedRefused.Load() {
				t.Fatal("the ModifiedOn refusal was not remembered")
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			if len(rt.passed) != len(tt.want) {
				t.Fatalf("filters sent %q, want %q", rt.passed, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(rt.passed[i], w) || (w == "" && rt.passed[i] != "") {
					t.Fatalf("filter %d = %q, want prefix %q", i, rt.passed[i], w)
				}
			}
		})
	}
}

func TestOrderLookupFilterModeReportsRefusal(t *testing.T) {
	sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	rt := &refusingTransport{next: http.DefaultTransport, refused: []string{"Betalingskenmerk"}}
	c, err := newConnector(simConfig(srv.URL).Set("order_lookup", LookupFilter), nil, options{transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-1"})
	if se := wantKind(t, err, sdk.KindPermanent); se.Code != "ALG-0104" || !strings.Contains(se.Message, "search filter") {
		t.Fatalf("error %v", se)
	}
}
