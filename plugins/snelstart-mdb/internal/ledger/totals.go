package ledger

import (
	"sort"

	"github.com/shopspring/decimal"
)

// pricedLine is one order line as the totals need it.
type pricedLine struct {
	Quantity  decimal.Decimal
	UnitPrice decimal.Decimal
	// Discount is the line discount in percent.
	Discount decimal.Decimal
	// Rate is the VAT percentage; Text lines have none.
	Rate decimal.Decimal
	Text bool
}

// lineTotal is round(quantity × unit price × (1 − discount/100), 2), half away from zero
// (Java's ROUND_HALF_UP, as SnelStart rounds).
func lineTotal(quantity, price, discount decimal.Decimal) decimal.Decimal {
	hundred := decimal.NewFromInt(100)
	return quantity.Mul(price).Mul(hundred.Sub(discount)).Shift(-2).Round(2)
}

// rateTotal is the totals of the lines at one VAT rate.
type rateTotal struct {
	Rate  decimal.Decimal
	Lines decimal.Decimal // sum of the line totals
	VAT   decimal.Decimal
	Excl  decimal.Decimal
	Incl  decimal.Decimal
}

// orderTotals computes the line totals and the order's totals as SnelStart does: line
// totals are summed per VAT rate; the VAT of each rate is rounded to cents once, on that sum
// (on top of it for prices excluding VAT, contained in it for prices including VAT).
func orderTotals(lines []pricedLine, pricesIncl bool) (lineTotals []decimal.Decimal, perRate []rateTotal, excl, incl decimal.Decimal) {
	lineTotals = make([]decimal.Decimal, len(lines))
	sums := map[string]*rateTotal{}
	for i, l := range lines {
		if l.Text {
			lineTotals[i] = decimal.Zero
			continue
		}
		t := lineTotal(l.Quantity, l.UnitPrice, l.Discount)
		lineTotals[i] = t
		key := l.Rate.String()
		rt := sums[key]
		if rt == nil {
			rt = &rateTotal{Rate: l.Rate}
			sums[key] = rt
		}
		rt.Lines = rt.Lines.Add(t)
	}
	hundred := decimal.NewFromInt(100)
	for _, rt := range sums {
		if pricesIncl {
			rt.VAT = rt.Lines.Mul(rt.Rate).DivRound(hundred.Add(rt.Rate), 16).Round(2)
			rt.Incl = rt.Lines
			rt.Excl = rt.Lines.Sub(rt.VAT)
		} else {
			rt.VAT = rt.Lines.Mul(rt.Rate).Shift(-2).Round(2)
			rt.Excl = rt.Lines
			rt.Incl = rt.Lines.Add(rt.VAT)
		}
		excl = excl.Add(rt.Excl)
		incl = incl.Add(rt.Incl)
		perRate = append(perRate, *rt)
	}
	sort.Slice(perRate, func(i, j int) bool { return perRate[i].Rate.LessThan(perRate[j].Rate) })
	return lineTotals, perRate, excl, incl
}
