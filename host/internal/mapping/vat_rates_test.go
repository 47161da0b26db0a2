package mapping

import (
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// vatOf returns the plan's predicted SnelStart VAT at rate.
func vatOf(t *testing.T, pl *Plan, rate string) sdk.Money {
	t.Helper()
	for _, rt := range pl.Totals.ByRate {
		if rt.Rate.Equal(d(rate)) {
			return rt.VAT
		}
	}
	t.Fatalf("no %s%% in %+v", rate, pl.Totals.ByRate)
	return sdk.Money{}
}

// planCreate plans o under the test profile and checks that it is to be created.
func planCreate(t *testing.T, o sdk.Order) *Plan {
	t.Helper()
	prof := testProfile()
	ref, err := ResolveReference(prof, testReferenceData())
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlanner(prof, ref, newMemView()).Plan(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	mustAction(t, pl, ActionCreate)
	return pl
}

// feeOrder is an order entered excluding VAT: 10.00 at 21 %, 10.00 at 9 %, shipping 20.00 at
// 21 % and a negative fee of 4.00 whose tax WooCommerce split in proportion to the cart per rate
// with shipping counted (30 : 10): 3.00 at 21 % (0.63) and 1.00 at 9 % (0.09).
func feeOrder(split bool) sdk.Order {
	return mkOrder("1", false, []ln{{"MOK", "Mok", "1", "10.00", "21"}, {"KOFFIE", "Koffie", "1", "10.00", "9"}}, func(o *sdk.Order) {
		r21 := d("21")
		o.ShippingLines = []sdk.Charge{{Name: "PostNL", TotalExcl: d("20.00"), Tax: d("4.20"), TotalIncl: d("24.20"), TaxRate: &r21}}
		fee := sdk.Charge{Name: "Korting", TotalExcl: d("4.00"), Tax: d("0.72"), TotalIncl: d("4.72")}
		if split {
			fee.TaxByRate = []sdk.RateTax{{Rate: d("21"), TotalExcl: d("3.00"), Tax: d("0.63")}, {Rate: d("9"), TotalExcl: d("1.00"), Tax: d("0.09")}}
		}
		o.Discounts = []sdk.Charge{fee}
	})
}

// A charge with the shop's split per rate is booked with that split: SnelStart's VAT per rate and
// total equal the shop's (21 %: 2.10 + 4.20 - 0.63 = 5.67; 9 %: 0.90 - 0.09 = 0.81), and no
// warning about VAT per rate. Spread over the product lines instead (no split given), the VAT
// lands on the wrong rate.
func TestChargeBookedWithTheShopsSplitPerRate(t *testing.T) {
	pl := planCreate(t, feeOrder(true))
	if v21, v9 := vatOf(t, pl, "21"), vatOf(t, pl, "9"); !v21.Equal(d("5.67")) || !v9.Equal(d("0.81")) {
		t.Fatalf("VAT per rate 21%%: %s, 9%%: %s; want the shop's 5.67 and 0.81", v21, v9)
	}
	if !pl.Totals.Ledger.Equal(d("42.48")) || !pl.Totals.Difference.IsZero() {
		t.Fatalf("totals %+v, want 42.48 without difference", pl.Totals)
	}
	for _, w := range pl.Warnings {
		if strings.Contains(w, "VAT at") {
			t.Fatalf("warning about VAT per rate although it matches: %q", w)
		}
	}

	// Without the shop's split the fee is spread over the product lines (10 : 10), which puts
	// VAT on the wrong rate: what this change is for.
	old := planCreate(t, feeOrder(false))
	if v21, v9 := vatOf(t, old, "21"), vatOf(t, old, "9"); v21.Equal(d("5.67")) && v9.Equal(d("0.81")) {
		t.Fatalf("spread over the product lines gave the shop's VAT per rate too (%s, %s): the case proves nothing", v21, v9)
	}
}

// Where SnelStart's rounding cannot follow the shop's (100 lines of 0.99 at 21 %: the shop
// rounds VAT per line, 21.00; SnelStart per rate), the total is still the shop's and the order
// carries a warning naming both VAT figures.
func TestVATPerLineRoundingNamedInWarnings(t *testing.T) {
	var lines []ln
	for i := 0; i < 100; i++ {
		lines = append(lines, ln{"MOK", "Mok", "1", "0.99", "21"})
	}
	o := mkOrder("1", false, lines)
	pl := planCreate(t, o)
	if !o.Totals.Tax.Equal(d("21.00")) || !pl.Totals.Ledger.Equal(d("120.00")) {
		t.Fatalf("shop tax %s, SnelStart total %s; want 21.00 and 120.00", o.Totals.Tax, pl.Totals.Ledger)
	}
	found := false
	for _, w := range pl.Warnings {
		found = found || (strings.Contains(w, "VAT at 21%") && strings.Contains(w, "21.00") && strings.Contains(w, vatOf(t, pl, "21").StringFixed(2)))
	}
	if !found {
		t.Fatalf("no warning naming the shop's 21.00 and SnelStart's %s: %q", vatOf(t, pl, "21"), pl.Warnings)
	}
}
