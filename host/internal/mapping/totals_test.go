package mapping

import (
	"context"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// TestPredictTotals pins the two VAT rounding models on the vectors of snelstart-totals.md.
func TestPredictTotals(t *testing.T) {
	rd := &Reference{Groups: map[string]sdk.RevenueGroup{"h": {ID: "h", VATClass: sdk.VATHigh}, "l": {ID: "l", VATClass: sdk.VATLow}}}
	rd.Data.VATRates = testReferenceData().VATRates
	lines := func(n int, price, group string) []plannedLine {
		var out []plannedLine
		for i := 0; i < n; i++ {
			out = append(out, plannedLine{line: sdk.SalesOrderLine{ArticleID: "a", UnitPrice: dp(price), Quantity: d("1")}, article: &Article{RevenueGroupID: group}})
		}
		return out
	}
	cases := []struct {
		name             string
		lines            []plannedLine
		perRate, perLine string
	}{
		{"3 x 0.07 at 21%", lines(3, "0.07", "h"), "0.25", "0.24"},
		{"7 x 0.10 at 9%", lines(7, "0.10", "l"), "0.76", "0.77"},
	}
	for _, c := range cases {
		pr, pl, ok := predictTotals(rd, day, false, c.lines)
		if !ok || !pr.Equal(d(c.perRate)) || !pl.Equal(d(c.perLine)) {
			t.Errorf("%s: per rate %s per line %s (ok %v), want %s / %s", c.name, pr, pl, ok, c.perRate, c.perLine)
		}
	}
}

func TestUnitPriceFor(t *testing.T) {
	cases := []struct {
		total, qty, unit string
		rounded          bool
		want             string
	}{
		{"1.00", "3", "0.333", false, "0.333"},
		{"12.10", "2", "6.05", false, "6.05"},
		{"10.89", "2", "5.445", false, "5.445"},
		{"1.00", "3", "0.333", true, "0.33"},
		{"5.00", "0", "5.00", false, "5"},
	}
	for _, c := range cases {
		if got := unitPriceFor(d(c.total), d(c.qty), d(c.unit), c.rounded); !got.Equal(d(c.want)) {
			t.Errorf("unitPriceFor(%s, %s, %s, %v) = %s, want %s", c.total, c.qty, c.unit, c.rounded, got, c.want)
		}
	}
}

// A difference booked on an article with VAT, in an order entered excluding VAT, makes
// SnelStart's total the shop's to the cent (found by FuzzPlanAmounts: the price was the
// difference without VAT rounded to cents, and with the VAT on it rounded per rate SnelStart's
// total came to 12.12 for the shop's 12.13). A price a cent off may be the one that reaches the
// shop's total (10.07: 12.20); when none does (10.00: 12.13 and 12.19, VAT rounding skips
// them), the order is sent including VAT.
func TestDifferenceOnTaxedArticleMatchesToTheCent(t *testing.T) {
	for _, c := range []struct {
		price, total string
		incl         bool
	}{{"10.00", "12.12", false}, {"10.00", "12.13", true}, {"10.00", "12.19", true}, {"10.00", "11.50", false}, {"10.07", "12.20", false}} {
		prof := testProfile()
		prof.Orders.DifferenceArticle = "DIVERS"
		o := mkOrder("1", false, []ln{{"MOK", "Mok", "1", c.price, "21"}})
		o.Totals.Total = d(c.total)
		ref, err := ResolveReference(prof, testReferenceData())
		if err != nil {
			t.Fatal(err)
		}
		pl, err := NewPlanner(prof, ref, newMemView()).Plan(context.Background(), o)
		if err != nil || pl.Action != ActionCreate {
			t.Fatalf("%s for %s: %v %+v", c.total, c.price, err, pl)
		}
		if tot := pl.Totals; !tot.Predicted || !tot.Ledger.Equal(d(c.total)) || tot.PricesIncludeVAT != c.incl {
			t.Errorf("%s for %s: SnelStart's total %s (predicted %v, including VAT %v), want the shop's (including VAT %v)",
				c.total, c.price, tot.Ledger, tot.Predicted, tot.PricesIncludeVAT, c.incl)
		}
	}
}
