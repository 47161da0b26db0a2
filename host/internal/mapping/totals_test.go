package mapping

import (
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
