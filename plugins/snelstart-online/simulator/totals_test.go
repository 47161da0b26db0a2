package simulator

import (
	"testing"

	"github.com/shopspring/decimal"
)

func dl(aantal, prijs, korting, pct string) TotalsLine {
	return TotalsLine{Aantal: decimal.RequireFromString(aantal), Stuksprijs: decimal.RequireFromString(prijs),
		KortingsPercentage: decimal.RequireFromString(korting), BtwPercentage: decimal.RequireFromString(pct)}
}

func TestComputeTotals(t *testing.T) {
	mixed := []TotalsLine{dl("2", "10.00", "0", "21"), dl("1", "27.50", "0", "9"), dl("3", "0.333", "0", "21")}
	cases := []struct {
		name       string
		in         TotalsInput
		mode       RoundingMode
		mid        Midpoint
		lines      []string
		excl, incl string
	}{
		// 3 × 0.333 = 0.999 → 1.00; per rate: 21%: 21.00 → 4.41; 9%: 27.50 → 2.475 → 2.48.
		{"mixed excl per rate", TotalsInput{Lines: mixed}, PerRateOverTotal, HalfAwayFromZero, []string{"20", "27.5", "1"}, "48.5", "55.39"},
		// Half-even: 2.475 → 2.48 (8 is even) — same; per line 0.21 VAT on 1.00 → same.
		{"mixed excl per line", TotalsInput{Lines: mixed}, PerLine, HalfAwayFromZero, []string{"20", "27.5", "1"}, "48.5", "55.39"},
		// Stukprijs mode rounds 0.333 → 0.33 first: 3 × 0.33 = 0.99.
		{"stukprijs mode", TotalsInput{Lines: mixed, OverStukprijs: true}, PerRateOverTotal, HalfAwayFromZero, []string{"20", "27.5", "0.99"}, "48.49", "55.38"},
		// snelstart-totals.md §1.7 vectors: 3 × 0.07 at 21% per rate 0.0441 → 0.04, per line 3 × 0.0147 → 0.03.
		{"3x0.07 per rate", TotalsInput{Lines: []TotalsLine{dl("1", "0.07", "0", "21"), dl("1", "0.07", "0", "21"), dl("1", "0.07", "0", "21")}},
			PerRateOverTotal, HalfAwayFromZero, []string{"0.07", "0.07", "0.07"}, "0.21", "0.25"},
		{"3x0.07 per line", TotalsInput{Lines: []TotalsLine{dl("1", "0.07", "0", "21"), dl("1", "0.07", "0", "21"), dl("1", "0.07", "0", "21")}},
			PerLine, HalfAwayFromZero, []string{"0.07", "0.07", "0.07"}, "0.21", "0.24"},
		// Midpoint: base 0.50 at 9% = 0.045 → 0.05 away from zero, 0.04 half-even.
		{"midpoint away", TotalsInput{Lines: []TotalsLine{dl("1", "0.50", "0", "9")}}, PerRateOverTotal, HalfAwayFromZero, []string{"0.5"}, "0.5", "0.55"},
		{"midpoint even", TotalsInput{Lines: []TotalsLine{dl("1", "0.50", "0", "9")}}, PerRateOverTotal, HalfEven, []string{"0.5"}, "0.5", "0.54"},
		// Line discount 10% over 3 × 19.99 = 59.97 → 53.973 → 53.97; VAT 21% 11.3337 → 11.33.
		{"line discount", TotalsInput{Lines: []TotalsLine{dl("3", "19.99", "10", "21")}}, PerRateOverTotal, HalfAwayFromZero, []string{"53.97"}, "53.97", "65.3"},
		// Factuurkorting 5% before VAT: 21%: 100 → 95 → 19.95; 9%: 50 → 47.5 → 4.275 → 4.28.
		{"factuurkorting", TotalsInput{Factuurkorting: decimal.NewFromInt(5), Lines: []TotalsLine{dl("1", "100", "0", "21"), dl("1", "50", "0", "9")}},
			PerRateOverTotal, HalfAwayFromZero, []string{"100", "50"}, "142.5", "166.73"},
		{"factuurkorting even", TotalsInput{Factuurkorting: decimal.NewFromInt(5), Lines: []TotalsLine{dl("1", "100", "0", "21"), dl("1", "50", "0", "9")}},
			PerRateOverTotal, HalfEven, []string{"100", "50"}, "142.5", "166.73"},
		// Inclusief: 24.20 at 21% → VAT 4.20, excl 20.00; 10.90 at 9% → VAT 0.90.
		{"inclusief per rate", TotalsInput{Inclusief: true, Lines: []TotalsLine{dl("1", "24.20", "0", "21"), dl("1", "10.90", "0", "9")}},
			PerRateOverTotal, HalfAwayFromZero, []string{"24.2", "10.9"}, "30", "35.1"},
		// Inclusief 3 × 0.99 at 9%: per rate 2.97 × 9/109 = 0.2452 → 0.25; per line 0.0817 → 0.08 × 3 = 0.24.
		{"inclusief 0.99 per rate", TotalsInput{Inclusief: true, Lines: []TotalsLine{dl("1", "0.99", "0", "9"), dl("1", "0.99", "0", "9"), dl("1", "0.99", "0", "9")}},
			PerRateOverTotal, HalfAwayFromZero, []string{"0.99", "0.99", "0.99"}, "2.72", "2.97"},
		{"inclusief 0.99 per line", TotalsInput{Inclusief: true, Lines: []TotalsLine{dl("1", "0.99", "0", "9"), dl("1", "0.99", "0", "9"), dl("1", "0.99", "0", "9")}},
			PerLine, HalfAwayFromZero, []string{"0.99", "0.99", "0.99"}, "2.73", "2.97"},
		// Inclusief with a line discount and a factuurkorting: 2 × 12.10 −10% = 21.78 → ×0.98 = 21.3444 → 21.34 → VAT 3.7036 → 3.70.
		{"inclusief discounts", TotalsInput{Inclusief: true, Factuurkorting: decimal.NewFromInt(2), Lines: []TotalsLine{dl("2", "12.10", "10", "21")}},
			PerRateOverTotal, HalfAwayFromZero, []string{"21.78"}, "17.64", "21.34"},
		{"empty order", TotalsInput{}, PerRateOverTotal, HalfAwayFromZero, []string{}, "0", "0"},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			r := ComputeTotals(k.in, k.mode, k.mid)
			if len(r.LineTotals) != len(k.lines) {
				t.Fatalf("line totals %v", r.LineTotals)
			}
			for i, want := range k.lines {
				if r.LineTotals[i].String() != want {
					t.Errorf("line %d: %s, want %s", i, r.LineTotals[i], want)
				}
			}
			if r.TotaalExclusiefBtw.String() != k.excl || r.TotaalInclusiefBtw.String() != k.incl {
				t.Errorf("excl %s incl %s, want %s %s", r.TotaalExclusiefBtw, r.TotaalInclusiefBtw, k.excl, k.incl)
			}
			// Invariant: incl − excl is the summed VAT.
			var vat decimal.Decimal
			for _, p := range r.PerRate {
				vat = vat.Add(p.VAT)
			}
			if !r.TotaalInclusiefBtw.Sub(r.TotaalExclusiefBtw).Equal(vat) {
				t.Errorf("incl − excl ≠ VAT %s", vat)
			}
		})
	}
}

// TestTotalsSwitchesOverHTTP shows the same order under each switch, set by option and by the
// admin endpoint.
func TestTotalsSwitchesOverHTTP(t *testing.T) {
	seven := func() map[string]any {
		var ls []map[string]any
		for i := 0; i < 7; i++ {
			ls = append(ls, line(ArtikelKookboek, "1", "0.10"))
		}
		return orderBody(RelatieJanDeVries, ls...)
	}
	for _, k := range []struct {
		opts Options
		incl string
	}{
		{Options{}, "0.76"},                  // 0.70 × 9% = 0.063 → 0.06
		{Options{Rounding: PerLine}, "0.77"}, // 7 × round(0.009) = 7 × 0.01
	} {
		c := newSim(t, k.opts)
		var o Verkooporder
		c.call("POST", "/v2/verkooporders", seven(), 201, &o)
		if o.TotaalInclusiefBtw.String() != k.incl {
			t.Errorf("%v: incl %s, want %s", k.opts.Rounding, o.TotaalInclusiefBtw, k.incl)
		}
	}
	c := newSim(t, Options{})
	mid := orderBody(RelatieJanDeVries, line(ArtikelKookboek, "1", "0.50"))
	var o Verkooporder
	c.call("POST", "/v2/verkooporders", mid, 201, &o)
	if o.TotaalInclusiefBtw.String() != "0.55" {
		t.Errorf("away: %s", o.TotaalInclusiefBtw)
	}
	c.srv.SetVATRounding(PerRateOverTotal, HalfEven)
	c.call("POST", "/v2/verkooporders", mid, 201, &o)
	if o.TotaalInclusiefBtw.String() != "0.54" {
		t.Errorf("even: %s", o.TotaalInclusiefBtw)
	}
}
