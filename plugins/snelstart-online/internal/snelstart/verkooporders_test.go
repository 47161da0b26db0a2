package snelstart

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// referenceFilters splits a long list into filters of bounded length that together name every
// reference, quotes doubled.
func TestReferenceFilters(t *testing.T) {
	var refs []string
	for i := 0; i < 60; i++ {
		refs = append(refs, fmt.Sprintf("WEB-%05d", i))
	}
	refs = append(refs, "O'Brien-1")
	filters := referenceFilters(refs, maxFilterLen)
	if len(filters) < 2 {
		t.Fatalf("61 references in %d filter(s); want them split", len(filters))
	}
	joined := strings.Join(filters, " or ")
	for _, f := range filters {
		if n := len(escapeQueryValue(f)); n > maxFilterLen {
			t.Fatalf("filter of %d encoded characters > %d", n, maxFilterLen)
		}
	}
	for _, r := range refs {
		lit := odataString(r)
		if !strings.Contains(joined, "Betalingskenmerk eq "+lit) || !strings.Contains(joined, "Orderreferentie eq "+lit) {
			t.Fatalf("reference %q missing from the filters", r)
		}
	}
	if !strings.Contains(joined, "'O''Brien-1'") {
		t.Fatal("quote not doubled")
	}
	if got := referenceFilters([]string{strings.Repeat("x", 3000)}, maxFilterLen); len(got) != 1 {
		t.Fatalf("an over-long reference gives %d filters, want 1", len(got))
	}
}

// FindSalesOrders with References finds every existing order of a batch in as many requests
// as there are filters, with Reference merged in; when SnelStart refuses the filter, one scan
// answers the whole batch.
func TestFindSalesOrdersByReferences(t *testing.T) {
	tests := []struct {
		name    string
		refused []string
		scan    bool // one listing instead of one request per filter
	}{
		{"filter", nil, false},
		{"filter refused: scan", []string{"Betalingskenmerk"}, true},
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
			var want, ask []string
			for i := 0; i < 30; i++ {
				ref := fmt.Sprintf("WS-%04d", 7000+i)
				if i%3 == 0 {
					if _, err := c.CreateSalesOrder(ctxBg, orderFor(ref)); err != nil {
						t.Fatal(err)
					}
					want = append(want, ref)
				}
				ask = append(ask, ref)
			}
			// Orders booked outside koppel carry only a betalingskenmerk.
			other := orderFor("")
			other.PaymentReference = "WS-HAND"
			if _, err := c.CreateSalesOrder(ctxBg, other); err != nil {
				t.Fatal(err)
			}
			want = append(want, "WS-HAND")
			rt.mu.Lock()
			rt.passed = nil
			rt.mu.Unlock()
			got, err := c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-HAND", References: ask})
			if err != nil {
				t.Fatal(err)
			}
			var refs []string
			for _, so := range got {
				refs = append(refs, firstNonEmpty(so.OrderReference, so.PaymentReference))
			}
			sort.Strings(refs)
			sort.Strings(want)
			if !slices.Equal(refs, want) {
				t.Fatalf("found %v, want %v", refs, want)
			}
			rt.mu.Lock()
			n := len(rt.passed)
			rt.mu.Unlock()
			wantN := len(referenceFilters(append([]string{"WS-HAND"}, ask...), maxFilterLen))
			if tt.scan {
				wantN = 1
			}
			if wantN < 2 && !tt.scan {
				t.Fatalf("31 references fit one filter; the test wants them split")
			}
			if n != wantN {
				t.Fatalf("%d list requests reached SnelStart, want %d", n, wantN)
			}
			none, err := c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{References: []string{"WS-NONE-1", "WS-NONE-2"}})
			if err != nil || len(none) != 0 {
				t.Fatalf("unknown references: %v %+v", err, none)
			}
		})
	}
}
