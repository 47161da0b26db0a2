package simulator

import "github.com/shopspring/decimal"

// noShippingTax is the shipping tax class of an order whose cart has no taxable item: no rate
// matches it, so shipping is not taxed.
const noShippingTax = "-none-"

// negativeFeeTaxes returns the taxes of a negative fee as WooCommerce computes them
// (WC_Cart_Totals::calculate_fee_totals): a negative fee is a discount on the whole cart, so its
// amount is split over the cart's tax classes in proportion to what the cart holds in each
// (get_tax_class_costs: items after coupons, shipping and positive fees, each when positive;
// shipping with the "based on cart items" class counts under the first item's class), and each
// part is taxed at its class's rate, rounded per rate. The part of untaxed items gets no tax.
// The caller holds mu.
func (s *Server) negativeFeeTaxes(o *Order, fee *FeeLine, country string) ([]ItemTax, decimal.Decimal) {
	const untaxed = "\x00untaxed"
	costs := map[string]decimal.Decimal{}
	add := func(class string, amount decimal.Decimal) {
		if amount.IsPositive() {
			costs[class] = costs[class].Add(amount)
		}
	}
	first := ""
	for i, li := range o.LineItems {
		if i == 0 {
			first = li.TaxClass
		}
		add(li.TaxClass, li.Total)
	}
	for _, sl := range o.ShippingLines {
		if len(o.LineItems) > 0 {
			add(first, sl.Total)
		}
	}
	for _, f := range o.FeeLines {
		if f.ID == fee.ID || !f.Total.IsPositive() {
			continue
		}
		if f.TaxStatus == "taxable" {
			add(f.TaxClass, f.Total)
		} else {
			add(untaxed, f.Total)
		}
	}
	sum := decimal.Zero
	for _, c := range costs {
		sum = sum.Add(c)
	}
	taxes, total := []ItemTax{}, decimal.Zero
	if !sum.IsPositive() {
		return taxes, total
	}
	// The store's classes in its own order, standard first, so the taxes come out the same
	// every time.
	done := map[string]bool{}
	for _, t := range s.taxes {
		class := t.Class
		if class == "standard" {
			class = ""
		}
		if done[class] {
			continue
		}
		done[class] = true
		c, ok := costs[class]
		if !ok {
			continue
		}
		r := s.rateFor(country, class)
		if r == nil {
			continue
		}
		part := fee.Total.Mul(c).Div(sum)
		tax := part.Mul(r.Rate).Div(hundred).Round(2)
		taxes = append(taxes, ItemTax{RateID: r.ID, Total: tax})
		total = total.Add(tax)
	}
	return taxes, total
}
