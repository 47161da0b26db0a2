package onetoshop

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

var hundred = decimal.NewFromInt(100)

// exclFromIncl returns the part of an amount including VAT at rate that is not VAT, rounded to
// cents: 12.10 at 21 → 10.00.
func exclFromIncl(incl, rate decimal.Decimal) decimal.Decimal {
	return incl.Mul(hundred).Div(hundred.Add(rate)).Round(2)
}

// split returns (excl, tax, incl) of an amount including VAT: tax is the given VAT when the
// shop sent it, otherwise derived from the rate; excl is always incl − tax so the three add up.
func split(incl decimal.Decimal, rate decimal.Decimal, tax amount, excl amount) (decimal.Decimal, decimal.Decimal, decimal.Decimal) {
	var t decimal.Decimal
	switch {
	case tax.Set:
		t = tax.D
	case excl.Set:
		t = incl.Sub(excl.D)
	default:
		t = incl.Sub(exclFromIncl(incl, rate))
	}
	return incl.Sub(t), t, incl
}

// mapOrder turns an API order into koppel's canonical order. It fails only when the order
// cannot be identified or dated, or carries a negative VAT rate; missing amounts are derived
// (API.md, "Order").
func mapOrder(w wireOrder) (sdk.Order, error) {
	o := sdk.Order{
		ID:               string(w.ID),
		Number:           string(w.Number),
		Status:           strings.TrimSpace(w.Status),
		Currency:         strings.ToUpper(strings.TrimSpace(w.Currency)),
		PricesIncludeTax: true,
		Note:             strings.TrimSpace(w.CustomerNote),
	}
	if o.ID == "" {
		return o, fmt.Errorf("order without id")
	}
	if o.Number == "" {
		o.Number = o.ID
	}
	if o.Currency == "" {
		o.Currency = "EUR"
	}
	if w.PricesIncludeVAT != nil {
		o.PricesIncludeTax = *w.PricesIncludeVAT
	}
	if err := checkRates(w); err != nil {
		return o, fmt.Errorf("order %s: %w", o.ID, err)
	}
	var err error
	if o.ModifiedAt, err = parseTime(w.UpdatedAt); err != nil {
		if o.ModifiedAt, err = parseTime(w.CreatedAt); err != nil {
			return o, fmt.Errorf("order %s: updated_at: %w", o.ID, err)
		}
	}
	if o.CreatedAt, err = parseTime(w.CreatedAt); err != nil {
		o.CreatedAt = o.ModifiedAt
	}

	o.Billing = mapAddress(w.BillingAddress)
	if w.ShippingAddress != nil {
		o.Shipping = mapAddress(*w.ShippingAddress)
	}
	c := w.Customer
	o.Customer = sdk.Customer{
		ID:        string(c.ID),
		Code:      strings.TrimSpace(c.Code),
		Email:     strings.TrimSpace(c.Email),
		FirstName: strings.TrimSpace(c.FirstName),
		LastName:  strings.TrimSpace(c.LastName),
		Company:   strings.TrimSpace(c.Company),
		Phone:     strings.TrimSpace(c.Phone),
		VATNumber: strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(c.VATNumber)), " ", ""),
	}
	// The customer block may be thin; the billing address fills the gaps.
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&o.Customer.Email, o.Billing.Email)
	fill(&o.Customer.FirstName, o.Billing.FirstName)
	fill(&o.Customer.LastName, o.Billing.LastName)
	fill(&o.Customer.Company, o.Billing.Company)
	fill(&o.Customer.Phone, o.Billing.Phone)
	fill(&o.Billing.Email, o.Customer.Email)

	sumIncl, sumTax := decimal.Zero, decimal.Zero
	for i, wl := range w.Lines {
		l := mapLine(wl)
		if l.ID == "" {
			l.ID = fmt.Sprintf("%s-%d", o.ID, i+1)
		}
		o.Lines = append(o.Lines, l)
		sumIncl, sumTax = sumIncl.Add(l.TotalIncl), sumTax.Add(l.Tax)
	}

	if w.ShippingCosts.Set && (!w.ShippingCosts.D.IsZero() || w.ShippingMethod != "") || w.ShippingMethod != "" {
		ch := charge(w.ShippingMethod, firstNonEmpty(w.ShippingMethodName, w.ShippingMethod, "Verzendkosten"),
			w.ShippingCosts.or(decimal.Zero), w.ShippingVATRate, w.ShippingVAT)
		o.ShippingLines = append(o.ShippingLines, ch)
		sumIncl, sumTax = sumIncl.Add(ch.TotalIncl), sumTax.Add(ch.Tax)
	}
	if w.PaymentCosts.Set && !w.PaymentCosts.D.IsZero() {
		ch := charge(w.PaymentMethod, "Betalingskosten "+firstNonEmpty(w.PaymentMethodName, w.PaymentMethod),
			w.PaymentCosts.D, w.PaymentCostsVATRate, w.PaymentCostsVAT)
		ch.Name = strings.TrimSpace(ch.Name)
		o.Fees = append(o.Fees, ch)
		sumIncl, sumTax = sumIncl.Add(ch.TotalIncl), sumTax.Add(ch.Tax)
	}
	for _, d := range w.Discounts {
		name := firstNonEmpty(d.Name, d.Code, "Korting")
		ch := charge(d.Code, name, d.AmountInclVAT.or(decimal.Zero).Abs(), d.VATRate, absAmount(d.VATAmount))
		o.Discounts = append(o.Discounts, ch)
		sumIncl, sumTax = sumIncl.Sub(ch.TotalIncl), sumTax.Sub(ch.Tax)
	}

	// Totals: the shop's own figures; Total and Tax are what the customer paid and the VAT
	// charged, the figure excluding VAT follows from them so the three always add up.
	total := w.TotalInclVAT.or(sumIncl)
	tax := w.VATTotal.or(decimal.Zero)
	if !w.VATTotal.Set {
		if w.TotalExclVAT.Set {
			tax = total.Sub(w.TotalExclVAT.D)
		} else {
			tax = sumTax
		}
	}
	o.Totals = sdk.Totals{TotalExcl: total.Sub(tax), Tax: tax, Total: total}

	o.Payment = sdk.Payment{
		Method:        strings.TrimSpace(w.PaymentMethod),
		Title:         firstNonEmpty(w.PaymentMethodName, w.PaymentMethod),
		Paid:          w.Paid,
		TransactionID: strings.TrimSpace(w.TransactionID),
	}
	if t, err := parseTime(w.PaidAt); err == nil {
		o.Payment.PaidAt = &t
		o.Payment.Paid = true
	}
	o.Refunded = w.RefundedAmount.or(decimal.Zero).Abs()
	o.Cancelled = o.Status == "cancelled"
	o.Refunds = mapRefunds(w, o)
	return o, nil
}

// mapRefunds maps the order's refunds (assumed shape, API.md "Refunds"), oldest first: the
// lines refunded (with the order line's SKU and name), shipping and payment costs; the rest of
// the amount is an amount-only refund.
func mapRefunds(w wireOrder, o sdk.Order) []sdk.Refund {
	if len(w.Refunds) == 0 {
		return nil
	}
	lines := map[string]sdk.OrderLine{}
	for _, l := range o.Lines {
		lines[l.ID] = l
	}
	var out []sdk.Refund
	for _, wr := range w.Refunds {
		r := sdk.Refund{ID: string(wr.ID), Amount: wr.AmountInclVAT.or(decimal.Zero).Abs(), Reason: strings.TrimSpace(wr.Reason)}
		if t, err := parseTime(wr.CreatedAt); err == nil {
			r.CreatedAt = t
		}
		for _, wl := range wr.Lines {
			incl, vat := wl.AmountInclVAT.or(decimal.Zero).Abs(), wl.VATAmount.or(decimal.Zero).Abs()
			ol := lines[string(wl.LineID)]
			rate := wl.VATRate.or(ol.TaxRate)
			r.Lines = append(r.Lines, sdk.RefundLine{LineID: string(wl.LineID), SKU: ol.SKU, Name: ol.Name,
				Quantity: wl.Quantity.or(decimal.Zero).Abs(), TotalExcl: incl.Sub(vat), Tax: vat, TotalIncl: incl, TaxRate: rate})
		}
		charge := func(code, name string, incl, vat sdk.Money, rate decimal.Decimal) sdk.Charge {
			return sdk.Charge{Code: code, Name: name, TotalExcl: incl.Sub(vat), Tax: vat, TotalIncl: incl, TaxRate: &rate}
		}
		if v := wr.ShippingInclVAT.or(decimal.Zero).Abs(); v.IsPositive() {
			r.Shipping = append(r.Shipping, charge(w.ShippingMethod, w.ShippingMethodName, v, wr.ShippingVAT.or(decimal.Zero).Abs(), w.ShippingVATRate.or(decimal.Zero)))
		}
		if v := wr.PaymentCostsInclVAT.or(decimal.Zero).Abs(); v.IsPositive() {
			r.Fees = append(r.Fees, charge(w.PaymentMethod, "Betaalkosten", v, wr.PaymentCostsVAT.or(decimal.Zero).Abs(), w.PaymentCostsVATRate.or(decimal.Zero)))
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// checkRates refuses a negative VAT rate: no amount can be derived from it (at -100 the
// derivation divides by zero), and booking it would be wrong.
func checkRates(w wireOrder) error {
	bad := func(a amount) bool { return a.Set && a.D.IsNegative() }
	for i, l := range w.Lines {
		if bad(l.VATRate) {
			return fmt.Errorf("line %d: vat_rate %s is not a VAT percentage", i+1, l.VATRate.D)
		}
	}
	for i, d := range w.Discounts {
		if bad(d.VATRate) {
			return fmt.Errorf("discount %d: vat_rate %s is not a VAT percentage", i+1, d.VATRate.D)
		}
	}
	if bad(w.ShippingVATRate) {
		return fmt.Errorf("shipping_vat_rate %s is not a VAT percentage", w.ShippingVATRate.D)
	}
	if bad(w.PaymentCostsVATRate) {
		return fmt.Errorf("payment_costs_vat_rate %s is not a VAT percentage", w.PaymentCostsVATRate.D)
	}
	return nil
}

// mapLine maps one product line. Amounts missing on the wire are derived: the total from unit
// price × quantity, VAT from the rate, excluding-VAT figures as total − VAT.
func mapLine(w wireLine) sdk.OrderLine {
	qty := w.Quantity.or(decimal.NewFromInt(1))
	rate := w.VATRate.or(decimal.Zero)
	incl := w.TotalInclVAT.or(w.UnitPriceInclVAT.D.Mul(qty).Round(2))
	if !w.TotalInclVAT.Set && !w.UnitPriceInclVAT.Set && w.TotalExclVAT.Set {
		// A shop that sends only excluding-VAT figures.
		tax := w.VATAmount.or(w.TotalExclVAT.D.Mul(rate).Div(hundred).Round(2))
		incl = w.TotalExclVAT.D.Add(tax)
	}
	excl, tax, incl := split(incl, rate, w.VATAmount, w.TotalExclVAT)
	l := sdk.OrderLine{
		ID:           string(w.ID),
		ProductID:    string(w.ProductID),
		VariationID:  string(w.VariantID),
		SKU:          strings.TrimSpace(w.SKU),
		Name:         strings.TrimSpace(html.UnescapeString(w.Name)),
		Quantity:     qty,
		TotalExcl:    excl,
		Tax:          tax,
		TotalIncl:    incl,
		TaxRate:      rate,
		ParentLineID: string(w.ParentLineID),
	}
	divisor := hundred.Add(rate)
	switch {
	case w.UnitPriceInclVAT.Set:
		l.UnitPriceIncl = w.UnitPriceInclVAT.D
	case !qty.IsZero():
		l.UnitPriceIncl = incl.DivRound(qty, 6)
	}
	switch {
	case w.UnitPriceExclVAT.Set:
		l.UnitPriceExcl = w.UnitPriceExclVAT.D
	case !qty.IsZero() && w.TotalExclVAT.Set:
		l.UnitPriceExcl = excl.DivRound(qty, 6)
	default:
		l.UnitPriceExcl = l.UnitPriceIncl.Mul(hundred).DivRound(divisor, 6)
	}
	if w.DiscountInclVAT.Set {
		l.Discount = exclFromIncl(w.DiscountInclVAT.D.Abs(), rate)
	}
	for _, op := range w.Options {
		name, value := strings.TrimSpace(html.UnescapeString(op.Name)), strings.TrimSpace(html.UnescapeString(op.Value))
		if name != "" || value != "" {
			l.Options = append(l.Options, sdk.Option{Name: name, Value: value})
		}
	}
	return l
}

// charge builds a shipping, fee or discount charge from an amount including VAT.
func charge(code, name string, incl decimal.Decimal, rate, tax amount) sdk.Charge {
	excl, t, incl := split(incl, rate.or(decimal.Zero), tax, amount{})
	ch := sdk.Charge{Code: strings.TrimSpace(code), Name: strings.TrimSpace(name), TotalExcl: excl, Tax: t, TotalIncl: incl}
	if rate.Set {
		r := rate.D
		ch.TaxRate = &r
	}
	return ch
}

func absAmount(a amount) amount {
	if a.Set {
		a.D = a.D.Abs()
	}
	return a
}

// mapAddress maps an address, joining street, number and suffix (JoinStreet) and normalising
// the country code and postcode.
func mapAddress(w wireAddress) sdk.Address {
	return sdk.Address{
		FirstName: strings.TrimSpace(w.FirstName),
		LastName:  strings.TrimSpace(w.LastName),
		Company:   strings.TrimSpace(w.Company),
		Street:    JoinStreet(w.Street, string(w.HouseNumber), w.HouseNumberSuffix),
		Street2:   collapse(w.Address2),
		Postcode:  Postcode(w.PostalCode, Country(w.Country)),
		City:      collapse(w.City),
		Country:   Country(w.Country),
		Phone:     strings.TrimSpace(w.Phone),
		Email:     strings.TrimSpace(w.Email),
	}
}

// Postcode normalises a Dutch postcode to "1234 AB"; others are trimmed and upper-cased.
func Postcode(p, country string) string {
	p = strings.ToUpper(collapse(p))
	if country == "NL" || country == "" {
		compact := strings.ReplaceAll(p, " ", "")
		if len(compact) == 6 && isDigits(compact[:4]) && isLetters(compact[4:]) {
			return compact[:4] + " " + compact[4:]
		}
	}
	return p
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// mapProduct maps a product or variant. The price is the one the shop stores: including VAT
// when it sends price_incl_vat, else excluding.
func mapProduct(w wireProduct) (sdk.Product, error) {
	p := sdk.Product{
		ID:           string(w.ID),
		ParentID:     string(w.ParentID),
		SKU:          strings.TrimSpace(w.SKU),
		Name:         strings.TrimSpace(html.UnescapeString(w.Name)),
		ManagesStock: w.ManageStock,
	}
	if p.ID == "" {
		return p, fmt.Errorf("product without id")
	}
	switch {
	case w.PriceInclVAT.Set:
		p.Price, p.PriceIncludesTax = w.PriceInclVAT.D, true
	case w.PriceExclVAT.Set:
		p.Price = w.PriceExclVAT.D
	}
	if w.VATRate.Set {
		r := w.VATRate.D
		p.TaxRate = &r
	}
	if w.Stock != nil && w.Stock.Set {
		s := w.Stock.D
		p.Stock = &s
	}
	t, err := parseTime(w.UpdatedAt)
	if err != nil {
		return p, fmt.Errorf("product %s: updated_at: %w", p.ID, err)
	}
	p.ModifiedAt = t
	return p, nil
}
