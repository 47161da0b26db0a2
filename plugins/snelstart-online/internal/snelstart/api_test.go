package snelstart

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// gatheringTransport holds each filtered list request to path until want of them are in flight
// at once (or a deadline passes, when they are sent one after the other), and records the most
// that were in flight together.
type gatheringTransport struct {
	next http.RoundTripper
	path string
	want int

	mu       sync.Mutex
	inFlight int
	most     int
	arrived  chan struct{}
}

func (g *gatheringTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, g.path) || req.URL.Query().Get("$filter") == "" {
		return g.next.RoundTrip(req)
	}
	g.mu.Lock()
	g.inFlight++
	g.most = max(g.most, g.inFlight)
	if g.inFlight == g.want {
		close(g.arrived)
	}
	g.mu.Unlock()
	select {
	case <-g.arrived:
	case <-time.After(5 * time.Second):
	}
	resp, err := g.next.RoundTrip(req)
	g.mu.Lock()
	g.inFlight--
	g.mu.Unlock()
	return resp, err
}

// A look-up split over several filters (request lines kept under maxFilterLen) sends its parts
// at the same time: a batch's guard, article codes or invoice numbers cost one round trip.
func TestSplitLookUpSendsPartsTogether(t *testing.T) {
	long := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%04d-%s", prefix, i, strings.Repeat("x", 40))
		}
		return out
	}
	refs, codes, numbers := long("WS", 25), long("ART", 25), long("F", 25)
	emails := long("klant", 25)
	for i := range emails {
		emails[i] += "@example.nl"
	}
	tests := []struct {
		name   string
		path   string
		parts  int
		lookUp func(c *Connector) error
	}{
		{"guard", "/verkooporders", len(referenceFilters(refs, maxFilterLen)), func(c *Connector) error {
			_, err := c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{References: refs})
			return err
		}},
		{"article codes", "/artikelen", len(joinFilters(eqStrings("Artikelcode", codes), maxFilterLen)), func(c *Connector) error {
			_, err := c.FindArticles(ctxBg, sdk.ArticleQuery{Codes: codes})
			return err
		}},
		{"customer e-mails", "/relaties", len(relatieEmailFilters(emails, maxFilterLen)), func(c *Connector) error {
			_, err := c.FindRelaties(ctxBg, sdk.RelatieQuery{Emails: emails})
			return err
		}},
		{"invoice numbers", "/verkoopfacturen", len(joinFilters(eqStrings("Factuurnummer", numbers), maxFilterLen)), func(c *Connector) error {
			_, err := c.FindSalesInvoices(ctxBg, sdk.SalesInvoiceQuery{Numbers: numbers})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.parts < 2 {
				t.Fatalf("the look-up fits one filter; the test wants it split")
			}
			sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim.Handler())
			defer srv.Close()
			gt := &gatheringTransport{next: newValidatingTransport(t, nil), path: tt.path, want: tt.parts, arrived: make(chan struct{})}
			c, err := newConnector(simConfig(srv.URL).Set("max_concurrent", 5), nil, options{transport: gt})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.lookUp(c); err != nil {
				t.Fatal(err)
			}
			gt.mu.Lock()
			defer gt.mu.Unlock()
			if gt.most != tt.parts {
				t.Fatalf("at most %d of the %d parts were in flight together, want all", gt.most, tt.parts)
			}
		})
	}
}

// eqStrings is one `field eq 'v'` clause per value.
func eqStrings(field string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = eqString(field, v)
	}
	return out
}
