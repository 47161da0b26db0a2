package woocommerce

import (
	"slices"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// rateCosts is what the order holds per VAT rate (key: the rate's String()), excluding VAT: the
// product lines after discounts, shipping and fees of one rate, each counted when positive. It is
// what WooCommerce splits a charge over (WC_Cart_Totals::get_tax_class_costs: a negative fee's
// tax is split over the cart's tax classes in proportion to these amounts, shipping included).
type rateCosts struct {
	rates map[string]decimal.Decimal
	costs map[string]decimal.Decimal
}

func newRateCosts() *rateCosts {
	return &rateCosts{rates: map[string]decimal.Decimal{}, costs: map[string]decimal.Decimal{}}
}

// add counts a positive amount at rate.
func (c *rateCosts) add(rate, amount decimal.Decimal) {
	if !amount.IsPositive() {
		return
	}
	k := rate.String()
	c.rates[k] = rate
	c.costs[k] = c.costs[k].Add(amount)
}

// splitByRate returns the shop's split of a charge taxed at several rates: the tax per rate from
// its taxes[] (by the rate_percent of tax_lines), and the amount excluding VAT per rate the way
// WooCommerce split it, in proportion to the order's costs per rate (rounded to cents, the rest
// on the largest part). A rate with tax but no cost in the order (an order edited by hand) gets
// tax ÷ rate instead, the rest going to the 0 % part or else the largest. It returns nil when the
// charge has one rate or less, or a rate id has no known percentage.
func splitByRate(total, tax decimal.Decimal, taxes []wcTax, rates map[string]decimal.Decimal, costs *rateCosts) []sdk.RateTax {
	taxBy := map[string]decimal.Decimal{}
	rateOf := map[string]decimal.Decimal{}
	seen := map[string]bool{}
	for _, t := range taxes {
		id := string(t.ID)
		if id == "" || seen[id] || !t.Total.Valid {
			continue
		}
		seen[id] = true
		p, ok := rates[id]
		if !ok {
			return nil
		}
		k := p.String()
		rateOf[k] = p
		taxBy[k] = taxBy[k].Add(t.Total.D)
	}
	nonzero := 0
	for _, v := range taxBy {
		if !v.IsZero() {
			nonzero++
		}
	}
	if nonzero < 2 || total.IsZero() {
		return nil
	}
	// The parts: every rate with tax, and every rate the order has costs at.
	keys := map[string]bool{}
	for k := range taxBy {
		keys[k] = true
	}
	byCost := true
	for k, v := range taxBy {
		if !v.IsZero() && !costs.costs[k].IsPositive() {
			byCost = false
		}
	}
	if byCost {
		for k, r := range costs.rates {
			keys[k] = true
			rateOf[k] = r
		}
	}
	parts := make([]sdk.RateTax, 0, len(keys))
	for k := range keys {
		parts = append(parts, sdk.RateTax{Rate: rateOf[k], TotalExcl: decimal.Zero, Tax: taxBy[k]})
	}
	// Highest rate first, so the parts come out the same every time.
	slices.SortFunc(parts, func(a, b sdk.RateTax) int { return b.Rate.Cmp(a.Rate) })
	sumCost := decimal.Zero
	for _, p := range parts {
		sumCost = sumCost.Add(costs.costs[p.Rate.String()])
	}
	left := total
	largest := 0
	for i := range parts {
		p := &parts[i]
		switch {
		case byCost && sumCost.IsPositive():
			p.TotalExcl = total.Mul(costs.costs[p.Rate.String()]).DivRound(sumCost, 2)
		case p.Rate.IsPositive():
			p.TotalExcl = p.Tax.Mul(hundred).DivRound(p.Rate, 2)
		}
		left = left.Sub(p.TotalExcl)
		if p.TotalExcl.Abs().GreaterThan(parts[largest].TotalExcl.Abs()) {
			largest = i
		}
	}
	if !left.IsZero() {
		at := largest
		if !byCost {
			for i, p := range parts {
				if p.Rate.IsZero() {
					at = i
				}
			}
		}
		parts[at].TotalExcl = parts[at].TotalExcl.Add(left)
	}
	// The shop's tax total is what counts: a rounding difference between taxes[] and total_tax
	// goes to the largest part.
	sumTax := decimal.Zero
	for _, p := range parts {
		sumTax = sumTax.Add(p.Tax)
	}
	if d := tax.Sub(sumTax); !d.IsZero() {
		parts[largest].Tax = parts[largest].Tax.Add(d)
	}
	out := parts[:0]
	for _, p := range parts {
		if !p.TotalExcl.IsZero() || !p.Tax.IsZero() {
			out = append(out, p)
		}
	}
	return out
}
