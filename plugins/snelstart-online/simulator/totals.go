package simulator

import (
	"sort"

	"github.com/shopspring/decimal"
)

// TotalsLine is one order line as the totals computation sees it.
type TotalsLine struct {
	Aantal             decimal.Decimal
	Stuksprijs         decimal.Decimal
	KortingsPercentage decimal.Decimal
	// BtwPercentage is the VAT rate of the article's omzetgroep on the order date.
	BtwPercentage decimal.Decimal
}

// TotalsInput is an order as the totals computation sees it.
type TotalsInput struct {
	// Inclusief is true when stuksprijs includes VAT (verkooporderBtwIngaveModel "Inclusief").
	Inclusief bool
	// OverStukprijs selects companyInfo regelkortingVerkooporder "BerekenenOverStukprijs"
	// (round the unit price first); false is "BerekenenOverRegelBedrag".
	OverStukprijs bool
	// Factuurkorting is the invoice discount percentage, applied before VAT.
	Factuurkorting decimal.Decimal
	Lines          []TotalsLine
}

// VATAmount is the VAT of one rate.
type VATAmount struct {
	BtwPercentage decimal.Decimal
	Base          decimal.Decimal // discounted amount in the order's Incl/Excl mode
	VAT           decimal.Decimal
}

// TotalsResult holds the computed line totals (regels[].totaal) and header totals.
type TotalsResult struct {
	LineTotals         []decimal.Decimal
	PerRate            []VATAmount // sorted by rate
	TotaalExclusiefBtw decimal.Decimal
	TotaalInclusiefBtw decimal.Decimal
}

// Rounder rounds to cents with the configured midpoint rule.
type Rounder Midpoint

// Round2 rounds d to two decimals.
func (r Rounder) Round2(d decimal.Decimal) decimal.Decimal {
	if Midpoint(r) == HalfEven {
		return d.RoundBank(2)
	}
	return d.Round(2)
}

var hundred = decimal.NewFromInt(100)

// ComputeTotals implements the model of snelstart-totals.md §1.7:
//
//	line:     totaal = round2(aantal × stuksprijs × (1 − k/100))               (BerekenenOverRegelBedrag)
//	          totaal = round2(aantal × round2(round2(stuksprijs) × (1 − k/100))) (BerekenenOverStukprijs)
//	per rate: base = round2(Σ totaal × (1 − factuurkorting/100))
//	Exclusief: vat = round2(base × pct/100);        excl = base;       incl = base + vat
//	Inclusief: vat = round2(base × pct/(100+pct));  incl = base;       excl = base − vat
//
// With PerLine the discount and VAT are rounded per line and then summed. Every rounding uses the
// midpoint rule m.
func ComputeTotals(in TotalsInput, mode RoundingMode, m Midpoint) TotalsResult {
	r := Rounder(m)
	fk := decimal.NewFromInt(1).Sub(in.Factuurkorting.Div(hundred))
	res := TotalsResult{LineTotals: make([]decimal.Decimal, len(in.Lines))}
	type acc struct{ sum, base, vat decimal.Decimal }
	rates := map[string]*acc{}
	pcts := map[string]decimal.Decimal{}
	vatOf := func(base, pct decimal.Decimal) decimal.Decimal {
		if in.Inclusief {
			return r.Round2(base.Mul(pct).DivRound(hundred.Add(pct), 20))
		}
		return r.Round2(base.Mul(pct).Div(hundred))
	}
	for i, l := range in.Lines {
		k := decimal.NewFromInt(1).Sub(l.KortingsPercentage.Div(hundred))
		var t decimal.Decimal
		if in.OverStukprijs {
			p := r.Round2(l.Stuksprijs)
			t = r.Round2(l.Aantal.Mul(r.Round2(p.Mul(k))))
		} else {
			t = r.Round2(l.Aantal.Mul(l.Stuksprijs).Mul(k))
		}
		res.LineTotals[i] = t
		key := l.BtwPercentage.String()
		a := rates[key]
		if a == nil {
			a = &acc{}
			rates[key] = a
			pcts[key] = l.BtwPercentage
		}
		a.sum = a.sum.Add(t)
		if mode == PerLine {
			b := r.Round2(t.Mul(fk))
			a.base = a.base.Add(b)
			a.vat = a.vat.Add(vatOf(b, l.BtwPercentage))
		}
	}
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return pcts[keys[i]].LessThan(pcts[keys[j]]) })
	for _, k := range keys {
		a, pct := rates[k], pcts[k]
		if mode != PerLine {
			a.base = r.Round2(a.sum.Mul(fk))
			a.vat = vatOf(a.base, pct)
		}
		res.PerRate = append(res.PerRate, VATAmount{BtwPercentage: pct, Base: a.base, VAT: a.vat})
		if in.Inclusief {
			res.TotaalInclusiefBtw = res.TotaalInclusiefBtw.Add(a.base)
			res.TotaalExclusiefBtw = res.TotaalExclusiefBtw.Add(a.base.Sub(a.vat))
		} else {
			res.TotaalExclusiefBtw = res.TotaalExclusiefBtw.Add(a.base)
			res.TotaalInclusiefBtw = res.TotaalInclusiefBtw.Add(a.base.Add(a.vat))
		}
	}
	return res
}
