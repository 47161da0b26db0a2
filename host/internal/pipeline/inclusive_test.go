package pipeline

import (
	"testing"
)

// An order entered excluding VAT whose total depends on the VAT rounding (the shop rounds per
// line, SnelStart may round per rate) is sent including VAT, so SnelStart's total is the
// shop's to the cent under either rounding; one whose total does not depend on it is sent
// excluding VAT, as the shop has it.
func TestExclusiveOrderSentInclusiveWhenRoundingMatters(t *testing.T) {
	coffee3 := ln{sku: "KOFFIE", name: "Koffie", qty: "3", price: "18.95", rate: "9"}
	book := ln{sku: "BOEK", name: "Boek", qty: "1", price: "24.50", rate: "9"}
	mugs := ln{sku: "MOK", name: "Mok", qty: "2", price: "5.00", rate: "21"}
	for _, tc := range []struct {
		name     string
		lines    []ln
		perLine  bool
		wantIncl bool
	}{
		{"ambiguous, SnelStart per rate", []ln{coffee3, book}, false, true},
		{"ambiguous, SnelStart per line", []ln{coffee3, book}, true, true},
		{"VAT on a half cent (midpoint rule decides)", []ln{book}, false, true},
		{"unambiguous", []ln{mugs}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.ledger.vatPerLine = tc.perLine
			o := mkOrder("1", false, tc.lines)
			mustStatus(t, e.one(o), StatusImported)
			so := e.ledger.only(t)
			if !so.TotalIncl.Equal(o.Totals.Total) {
				t.Fatalf("SnelStart total %s, shop total %s", so.TotalIncl, o.Totals.Total)
			}
			if so.PricesIncludeVAT != tc.wantIncl {
				t.Fatalf("prices including VAT = %v, want %v", so.PricesIncludeVAT, tc.wantIncl)
			}
		})
	}
}
