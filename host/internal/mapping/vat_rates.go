package mapping

import (
	"sort"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// VAT per rate.
//
// A charge the shop taxed at several rates carries the shop's own split (sdk.Charge.TaxByRate:
// WooCommerce splits a negative fee over the cart's rates, shipping counted): it is booked as one
// line per rate with exactly those amounts (shopSplit), never spread over the product lines in
// proportion to their amounts, which put a cent or two of VAT on the wrong rate.
//
// Even then SnelStart's VAT per rate can differ from the shop's by a cent or more: a shop such as
// WooCommerce rounds VAT per line and adds the rounded amounts, SnelStart rounds the VAT of each
// rate's total once (100 lines of 0.99 at 21 %: the shop 21.00, SnelStart 20.83). The totals
// are kept equal (totals.go); the VAT per rate cannot be forced, so compareVATPerRate names each
// rate that differs in the order's warnings.

// shopSplit returns the parts of a charge the shop split by rate, when they add up to the
// charge's amounts; ok is false otherwise (then the charge is split as before).
func shopSplit(c sdk.Charge) ([]ratedAmount, bool) {
	if len(c.TaxByRate) == 0 {
		return nil, false
	}
	excl, tax := decimal.Zero, decimal.Zero
	out := make([]ratedAmount, 0, len(c.TaxByRate))
	for _, p := range c.TaxByRate {
		excl, tax = excl.Add(p.TotalExcl), tax.Add(p.Tax)
		rt := p.Rate
		out = append(out, ratedAmount{rate: &rt, excl: p.TotalExcl, incl: p.TotalExcl.Add(p.Tax)})
	}
	if !excl.Equal(c.TotalExcl) || !tax.Equal(c.Tax) {
		return nil, false
	}
	return out, true
}

// shopVATByRate is the shop's VAT per rate (key: rate.String()): its product lines' tax plus
// charges with one rate or the shop's split, discounts subtracted. ok is false when a charge
// with tax has neither (its VAT per rate is not the shop's own figure).
func shopVATByRate(o sdk.Order) (map[string]sdk.Money, bool) {
	out := map[string]sdk.Money{}
	for _, l := range o.Lines {
		k := l.TaxRate.String()
		out[k] = out[k].Add(l.Tax)
	}
	add := func(cs []sdk.Charge, sign int64) bool {
		s := decimal.NewFromInt(sign)
		for _, c := range cs {
			switch {
			case c.TaxRate != nil:
				k := c.TaxRate.String()
				out[k] = out[k].Add(c.Tax.Mul(s))
			case len(c.TaxByRate) > 0:
				for _, p := range c.TaxByRate {
					k := p.Rate.String()
					out[k] = out[k].Add(p.Tax.Mul(s))
				}
			case !c.Tax.IsZero():
				return false
			}
		}
		return true
	}
	ok := add(o.ShippingLines, 1) && add(o.Fees, 1) && add(o.Discounts, -1)
	return out, ok
}

// compareVATPerRate adds a warning for every VAT rate at which SnelStart's predicted VAT (the
// plan's Totals.ByRate) differs from the shop's, when the totals are predicted, no difference
// was booked (a difference line changes the VAT per rate itself and has its own warning) and
// every line is booked at the shop's rate.
func (op *orderPlan) compareVATPerRate() {
	t := op.plan.Totals
	if !t.Predicted || !t.Difference.IsZero() {
		return
	}
	// A line booked at another rate than the shop's (vat_check warn or off) moves VAT between
	// rates itself; vat_check is what reports that, not rounding.
	for _, l := range op.plan.Lines {
		if l.ShopRate != nil && l.VATRate != nil && !l.ShopRate.Equal(*l.VATRate) {
			return
		}
	}
	shop, ok := shopVATByRate(op.o)
	if !ok {
		return
	}
	ledger := map[string]sdk.Money{}
	for _, rt := range t.ByRate {
		ledger[rt.Rate.String()] = rt.VAT
	}
	keys := make([]string, 0, len(shop))
	for k := range shop {
		keys = append(keys, k)
	}
	for k := range ledger {
		if _, ok := shop[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := decimal.NewFromString(keys[i])
		b, _ := decimal.NewFromString(keys[j])
		return a.GreaterThan(b)
	})
	for _, k := range keys {
		s, l := shop[k], ledger[k]
		if s.Round(2).Equal(l.Round(2)) {
			continue
		}
		op.w.Add(text.Template("reason.vat_rounding"),
			k, Money(s), Money(l))
	}
}
