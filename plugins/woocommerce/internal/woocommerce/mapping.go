package woocommerce

import (
	"encoding/json"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Coupon handling modes (config attribute "coupons").
const (
	// couponsSeparate books product lines at their price before coupons and reports the coupon
	// discount as Discounts charges, one per VAT rate (built from the lines' subtotal - total,
	// so that every amount adds up to the cent).
	couponsSeparate = "separate"
	// couponsInLines books product lines at WooCommerce's totals after coupons (Discount on the
	// line says how much) and reports no coupon charges.
	couponsInLines = "in_lines"
)

// mapOptions are the settings that shape the mapping.
type mapOptions struct {
	// Coupons is couponsSeparate or couponsInLines.
	Coupons string
	// CustomerCodeMeta is the order meta key holding the customer's code ("" = none).
	CustomerCodeMeta string
	// InvoiceNumberMeta are the order meta keys holding the shop's invoice number, tried in
	// order; the first set becomes Extra["invoice_number"].
	InvoiceNumberMeta []string
}

// hundred is 100 as a decimal.
var hundred = decimal.NewFromInt(100)

// mapOrder maps a WooCommerce order onto koppel's canonical order. Whatever the options, the
// result satisfies: sum of lines' TotalIncl + shipping + fees - discounts = Totals.Total and the
// same for the excluding and tax figures, whenever WooCommerce's own figures do.
func mapOrder(o *wcOrder, opt mapOptions) (sdk.Order, error) {
	id := o.ID.String()
	if id == "" {
		return sdk.Order{}, fmt.Errorf("order without id")
	}
	out := sdk.Order{
		ID:               id,
		Number:           string(o.Number),
		Status:           string(o.Status),
		Currency:         string(o.Currency),
		PricesIncludeTax: o.PricesIncludeTax,
		Note:             string(o.CustomerNote),
		Refunded:         decimal.Zero,
		Cancelled:        string(o.Status) == "cancelled",
	}
	if out.Number == "" {
		out.Number = id
	}
	out.CreatedAt = gmtOr(o.DateCreatedGMT, o.DateCreated).T
	mod := gmtOr(o.DateModifiedGMT, o.DateModified)
	if !mod.Valid {
		return sdk.Order{}, fmt.Errorf("order %s has no date_modified_gmt", id)
	}
	out.ModifiedAt = mod.T

	// Customer and addresses.
	out.Customer = sdk.Customer{
		ID:        o.CustomerID.String(),
		Email:     strings.TrimSpace(string(o.Billing.Email)),
		FirstName: string(o.Billing.FirstName),
		LastName:  string(o.Billing.LastName),
		Company:   string(o.Billing.Company),
		Phone:     string(o.Billing.Phone),
		VATNumber: vatNumber(o.MetaData),
		Code:      metaText(o.MetaData, opt.CustomerCodeMeta),
	}
	out.Billing = mapAddress(o.Billing)
	out.Shipping = mapAddress(o.Shipping)

	// Payment.
	paid := gmtOr(o.DatePaidGMT, o.DatePaid)
	out.Payment = sdk.Payment{
		Method:        string(o.PaymentMethod),
		Title:         string(o.PaymentTitle),
		Paid:          paid.Valid,
		TransactionID: string(o.TransactionID),
	}
	if paid.Valid {
		t := paid.T
		out.Payment.PaidAt = &t
	}

	rates := map[string]decimal.Decimal{}
	for _, tl := range o.TaxLines {
		if tl.RatePercent.Valid && tl.RateID != "" {
			rates[string(tl.RateID)] = tl.RatePercent.D
		}
	}

	// Product lines; in separate mode the coupon discount per rate is collected on the way.
	type discGroup struct {
		rate      decimal.Decimal
		excl, tax decimal.Decimal
	}
	var groups []*discGroup
	costs := newRateCosts()
	for _, li := range o.LineItems {
		total, tax := li.Total.D, li.TotalTax.D
		sub, subTax := total, tax
		if li.Subtotal.Valid {
			sub = li.Subtotal.D
		}
		if li.SubtotalTax.Valid {
			subTax = li.SubtotalTax.D
		}
		rate := lineRate(li.Taxes, rates, total, tax)
		costs.add(rate, total)
		line := sdk.OrderLine{
			ID:          li.ID.String(),
			ProductID:   li.ProductID.String(),
			VariationID: li.VariationID.String(),
			SKU:         strings.TrimSpace(string(li.SKU)),
			Name:        cleanText(string(li.Name)),
			Quantity:    li.Quantity.D,
			TaxRate:     rate,
			Discount:    decimal.Zero,
			Options:     lineOptions(li.MetaData),
		}
		if opt.Coupons == couponsInLines {
			line.TotalExcl, line.Tax = total, tax
			line.Discount = sub.Sub(total)
		} else {
			line.TotalExcl, line.Tax = sub, subTax
			dExcl, dTax := sub.Sub(total), subTax.Sub(tax)
			if !dExcl.IsZero() || !dTax.IsZero() {
				var g *discGroup
				for _, x := range groups {
					if x.rate.Equal(rate) {
						g = x
					}
				}
				if g == nil {
					g = &discGroup{rate: rate, excl: decimal.Zero, tax: decimal.Zero}
					groups = append(groups, g)
				}
				g.excl, g.tax = g.excl.Add(dExcl), g.tax.Add(dTax)
			}
		}
		line.TotalIncl = line.TotalExcl.Add(line.Tax)
		line.UnitPriceExcl = perUnit(line.TotalExcl, line.Quantity)
		line.UnitPriceIncl = perUnit(line.TotalIncl, line.Quantity)
		out.Lines = append(out.Lines, line)
	}

	shipping := make([]sdk.Charge, len(o.ShippingLines))
	for i, sl := range o.ShippingLines {
		shipping[i] = mapCharge(string(sl.MethodID), cleanText(string(sl.MethodTitle)), sl, rates)
	}
	fees := make([]sdk.Charge, len(o.FeeLines))
	for i, fl := range o.FeeLines {
		name := cleanText(string(fl.Name))
		fees[i] = mapCharge(name, name, fl, rates)
	}
	// A charge taxed at several rates carries the shop's split (taxes[] per rate), its amount
	// split over the rates as WooCommerce did: in proportion to the costs per rate.
	for _, c := range slices.Concat(shipping, fees) {
		if c.TaxRate != nil {
			costs.add(*c.TaxRate, c.TotalExcl)
		}
	}
	for i := range shipping {
		if shipping[i].TaxRate == nil {
			shipping[i].TaxByRate = splitByRate(shipping[i].TotalExcl, shipping[i].Tax, o.ShippingLines[i].Taxes, rates, costs)
		}
	}
	out.ShippingLines = append(out.ShippingLines, shipping...)
	for i, c := range fees {
		if c.TaxRate == nil {
			c.TaxByRate = splitByRate(c.TotalExcl, c.Tax, o.FeeLines[i].Taxes, rates, costs)
		}
		if c.TotalIncl.IsNegative() || (c.TotalIncl.IsZero() && c.TotalExcl.IsNegative()) {
			// A negative fee is a discount: reported as a positive amount to subtract.
			c.TotalExcl, c.Tax, c.TotalIncl = c.TotalExcl.Neg(), c.Tax.Neg(), c.TotalIncl.Neg()
			for j := range c.TaxByRate {
				c.TaxByRate[j].TotalExcl, c.TaxByRate[j].Tax = c.TaxByRate[j].TotalExcl.Neg(), c.TaxByRate[j].Tax.Neg()
			}
			out.Discounts = append(out.Discounts, c)
			continue
		}
		out.Fees = append(out.Fees, c)
	}
	if len(groups) > 0 {
		var codes []string
		for _, cl := range o.CouponLines {
			if c := strings.TrimSpace(string(cl.Code)); c != "" {
				codes = append(codes, c)
			}
		}
		code := strings.Join(codes, ", ")
		name := "Korting"
		if code != "" {
			name = "Kortingscode " + code
		}
		for _, g := range groups {
			r := g.rate
			n := name
			if len(groups) > 1 {
				n = fmt.Sprintf("%s (%s%%)", name, r.String())
			}
			out.Discounts = append(out.Discounts, sdk.Charge{
				Code: code, Name: n, TotalExcl: g.excl, Tax: g.tax, TotalIncl: g.excl.Add(g.tax), TaxRate: &r,
			})
		}
	}

	out.Totals = sdk.Totals{Total: o.Total.D, Tax: o.TotalTax.D, TotalExcl: o.Total.D.Sub(o.TotalTax.D)}
	for _, r := range o.Refunds {
		out.Refunded = out.Refunded.Add(r.Total.D.Abs())
	}

	out.Extra = map[string]string{}
	setExtra(out.Extra, "order_key", string(o.OrderKey))
	setExtra(out.Extra, "created_via", string(o.CreatedVia))
	setExtra(out.Extra, "woocommerce_version", string(o.Version))
	setExtra(out.Extra, "parent_id", o.ParentID.String())
	setExtra(out.Extra, "billing_state", string(o.Billing.State))
	setExtra(out.Extra, "shipping_state", string(o.Shipping.State))
	for _, m := range o.MetaData {
		k := string(m.Key)
		if k == "" || strings.HasPrefix(k, "_") {
			continue
		}
		setExtra(out.Extra, "meta."+k, scalarText(m.Value))
	}
	for _, k := range opt.InvoiceNumberMeta {
		if v := invoiceNumberMeta(o.MetaData, strings.TrimSpace(k)); v != "" {
			setExtra(out.Extra, "invoice_number", v)
			break
		}
	}
	if len(out.Extra) == 0 {
		out.Extra = nil
	}
	return out, nil
}

// gmtOr returns the GMT date when WooCommerce gave one, else the site-local one.
func gmtOr(gmt, local wcTime) wcTime {
	if gmt.Valid {
		return gmt
	}
	return local
}

// setExtra stores a non-empty value.
func setExtra(m map[string]string, k, v string) {
	if v = strings.TrimSpace(v); v != "" {
		m[k] = v
	}
}

// perUnit divides a line amount by its quantity (zero for a zero quantity).
func perUnit(amount, qty decimal.Decimal) decimal.Decimal {
	if qty.IsZero() {
		return decimal.Zero
	}
	return amount.Div(qty)
}

// lineRate is the VAT percentage of a line: the tax_lines rate_percent of the rate ids in its
// taxes (summed when several rates stack); 0 for an untaxed line; computed from the amounts,
// to two decimals, for stores older than WooCommerce 3.7 that do not send rate_percent.
func lineRate(taxes []wcTax, rates map[string]decimal.Decimal, total, tax decimal.Decimal) decimal.Decimal {
	if r, ok, _ := chargeRate(taxes, rates); ok {
		return r
	}
	if total.IsZero() {
		return decimal.Zero
	}
	return tax.Div(total).Mul(hundred).Round(2)
}

// chargeRate looks up the rate of a taxes[] list. ok is false when a rate id has no known
// percentage; single is false when more than one rate applies.
func chargeRate(taxes []wcTax, rates map[string]decimal.Decimal) (rate decimal.Decimal, ok, single bool) {
	seen := map[string]bool{}
	rate = decimal.Zero
	for _, t := range taxes {
		id := string(t.ID)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		p, known := rates[id]
		if !known {
			return decimal.Zero, false, false
		}
		rate = rate.Add(p)
	}
	return rate, true, len(seen) <= 1
}

// mapCharge maps a shipping or fee line.
func mapCharge(code, name string, c wcCharge, rates map[string]decimal.Decimal) sdk.Charge {
	out := sdk.Charge{Code: code, Name: name, TotalExcl: c.Total.D, Tax: c.TotalTax.D}
	out.TotalIncl = out.TotalExcl.Add(out.Tax)
	var nonzero []wcTax
	for _, t := range c.Taxes {
		if t.Total.Valid && !t.Total.D.IsZero() {
			nonzero = append(nonzero, t)
		}
	}
	switch {
	case len(nonzero) == 0 && out.Tax.IsZero():
		z := decimal.Zero
		out.TaxRate = &z
	default:
		if r, ok, single := chargeRate(nonzero, rates); ok && single {
			out.TaxRate = &r
		} else if !ok && len(nonzero) == 1 && !out.TotalExcl.IsZero() {
			r := out.Tax.Div(out.TotalExcl).Mul(hundred).Round(2)
			out.TaxRate = &r
		}
	}
	return out
}

// mapAddress maps a billing or shipping address; an address with nothing filled is empty.
func mapAddress(a wcAddress) sdk.Address {
	return sdk.Address{
		FirstName: strings.TrimSpace(string(a.FirstName)),
		LastName:  strings.TrimSpace(string(a.LastName)),
		Company:   strings.TrimSpace(string(a.Company)),
		Street:    strings.TrimSpace(string(a.Address1)),
		Street2:   strings.TrimSpace(string(a.Address2)),
		Postcode:  strings.TrimSpace(string(a.Postcode)),
		City:      strings.TrimSpace(string(a.City)),
		Country:   strings.ToUpper(strings.TrimSpace(string(a.Country))),
		Phone:     strings.TrimSpace(string(a.Phone)),
		Email:     strings.TrimSpace(string(a.Email)),
	}
}

// vatKeys are order meta keys EU VAT plugins store the customer's VAT number under (visible
// ones; keys starting with "_" are hidden by the REST API).
var vatKeys = []string{"vat_number", "billing_vat", "billing_vat_number", "vat_id", "btw_nummer", "yweu_billing_vat"}

// vatNumber finds a VAT number in the order's meta.
func vatNumber(meta []wcMeta) string {
	for _, want := range vatKeys {
		for _, m := range meta {
			k := strings.ToLower(strings.TrimPrefix(string(m.Key), "_"))
			if k == want {
				if v := strings.TrimSpace(scalarText(m.Value)); v != "" {
					return v
				}
			}
		}
	}
	return ""
}

// lineOptions turns a line's meta_data into options: variation attributes and add-ons with
// their display labels, HTML entities decoded and tags removed. Internal keys (starting with
// "_") and structured values are left out.
func lineOptions(meta []wcMeta) []sdk.Option {
	var out []sdk.Option
	for _, m := range meta {
		key := string(m.Key)
		if key == "" || strings.HasPrefix(key, "_") {
			continue
		}
		name := scalarText(m.DisplayKey)
		if strings.HasPrefix(name, "_") {
			continue
		}
		if name == "" {
			name = strings.TrimPrefix(key, "pa_")
		}
		value := scalarText(m.DisplayValue)
		if value == "" {
			value = scalarText(m.Value)
		}
		name, value = cleanText(name), cleanText(value)
		if name == "" || value == "" {
			continue
		}
		out = append(out, sdk.Option{Name: name, Value: value})
	}
	return out
}

// cleanText decodes HTML entities, removes tags and trims: WooCommerce escapes names and
// formats display values as HTML.
func cleanText(s string) string {
	if strings.ContainsRune(s, '<') {
		var b strings.Builder
		in := false
		for _, r := range s {
			switch {
			case r == '<':
				in = true
			case r == '>' && in:
				in = false
			case !in:
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	return strings.TrimSpace(html.UnescapeString(s))
}

// mapProduct maps a product or variation. parent, when known, is a variation's parent: its
// name prefixes the variation's (unless the name already starts with it) and its tax class and status apply (productTax). tax gives
// PriceIncludesTax and TaxRate (taxTable.rateFor); with tax nil prices count as excluding tax
// and TaxRate is set only for an untaxed product (0).
func mapProduct(p, parent *wcProduct, tax *taxTable) (sdk.Product, error) {
	id := p.ID.String()
	if id == "" {
		return sdk.Product{}, fmt.Errorf("product without id")
	}
	out := sdk.Product{
		ID:               id,
		ParentID:         p.ParentID.String(),
		SKU:              strings.TrimSpace(string(p.SKU)),
		Name:             cleanText(string(p.Name)),
		Price:            decimal.Zero,
		PriceIncludesTax: tax != nil && tax.pricesIncludeTax,
		ManagesStock:     p.managesStock(),
		ModifiedAt:       gmtOr(p.DateModifiedGMT, p.DateModified).T,
	}
	parentName := ""
	if parent != nil {
		parentName = string(parent.Name)
	}
	// The variations endpoint names a variation by its attributes ("M"); /products names it as
	// WooCommerce's title ("T-shirt - M"), which already starts with the parent's name.
	if pn := cleanText(parentName); pn != "" && out.ParentID != "" && !strings.HasPrefix(out.Name, pn) {
		if out.Name == "" {
			out.Name = pn
		} else {
			out.Name = pn + " - " + out.Name
		}
	}
	switch {
	case p.RegularPrice.Valid:
		out.Price = p.RegularPrice.D
	case p.Price.Valid:
		out.Price = p.Price.D
	}
	if p.StockQuantity.Valid {
		q := p.StockQuantity.D
		out.Stock = &q
	}
	out.TaxRate = tax.rateFor(productTax(p, parent))
	return out, nil
}

// invoiceNumberMeta reads one invoice_number_meta key: the meta entry of that name (a text or a
// number), or, for "<meta key>.<field>", that field of a meta entry holding an object (WP
// Overnight keeps "_wcpdf_invoice_number_data" = {"number", "formatted_number", "prefix", ...}).
func invoiceNumberMeta(meta []wcMeta, key string) string {
	if v := metaText(meta, key); v != "" {
		return v
	}
	i := strings.LastIndex(key, ".")
	if i <= 0 || i == len(key)-1 {
		return ""
	}
	name, field := key[:i], key[i+1:]
	for _, m := range meta {
		if string(m.Key) != name {
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(m.Value, &obj) != nil {
			continue
		}
		if v := strings.TrimSpace(scalarText(obj[field])); v != "" {
			return v
		}
	}
	return ""
}
