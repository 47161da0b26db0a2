package ledger

import (
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

func TestOrderTotalsDemoOrders(t *testing.T) {
	d := sdk.MustMoney
	line := func(q, p, disc, rate string) pricedLine {
		return pricedLine{Quantity: d(q), UnitPrice: d(p), Discount: d(disc), Rate: d(rate)}
	}
	text := pricedLine{Text: true}
	cases := []struct {
		name       string
		incl       bool
		lines      []pricedLine
		lineTotals []string
		excl, tot  string
	}{
		{"1040 excl. VAT, 10% discount, text line", false,
			[]pricedLine{line("24", "6.1983", "10", "21"), line("5", "2.8843", "0", "21"), text, line("3", "14.6789", "0", "9")},
			[]string{"133.88", "14.42", "0.00", "44.04"}, "192.34", "227.44"},
		{"1041 incl. VAT, negative discount line", true,
			[]pricedLine{text, line("2", "9", "0", "21"), line("1", "24.95", "0", "9"), line("1", "39.95", "0", "21"), line("1", "4.95", "0", "21"), line("1", "-5", "0", "21")},
			[]string{"0.00", "18.00", "24.95", "39.95", "4.95", "-5.00"}, "70.74", "82.85"},
		{"1042 excl. VAT, fractional quantity, 0% voucher", false,
			[]pricedLine{line("2.5", "1.6446", "0", "21"), line("2", "25", "0", "0"), line("1", "45.4132", "0", "21"), line("1", "4.0909", "0", "21")},
			[]string{"4.11", "50.00", "45.41", "4.09"}, "103.61", "114.87"},
		{"half-cent rounds up", false, []pricedLine{line("1", "0.005", "0", "0")}, []string{"0.01"}, "0.01", "0.01"},
		{"negative half-cent rounds away from zero", false, []pricedLine{line("1", "-0.005", "0", "0")}, []string{"-0.01"}, "-0.01", "-0.01"},
	}
	for _, c := range cases {
		totals, _, excl, incl := orderTotals(c.lines, c.incl)
		for i, want := range c.lineTotals {
			if totals[i].StringFixed(2) != want {
				t.Errorf("%s: line %d total %s, want %s", c.name, i+1, totals[i].StringFixed(2), want)
			}
		}
		if excl.StringFixed(2) != c.excl || incl.StringFixed(2) != c.tot {
			t.Errorf("%s: totals %s / %s, want %s / %s", c.name, excl.StringFixed(2), incl.StringFixed(2), c.excl, c.tot)
		}
	}
}
