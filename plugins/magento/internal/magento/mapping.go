package magento

import (
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// Discount handling modes (config attribute "discounts").
const (
	// discountsInLines books product lines at Magento's amounts after discounts (the
	// line's Discount says how much) and reports no discount charges.
	discountsInLines = "in_lines"
	// discountsSeparate books product lines before discounts and reports the discount as
	// Discounts charges, one per VAT rate.
	discountsSeparate = "separate"
)

// mapOptions are the configuration the mapping needs.
type mapOptions struct {
	Discounts        string
	PricesIncludeTax bool
}

var hundred = decimal.NewFromInt(100)

// mapOrder converts a Magento order to the canonical form. Order-level totals come from
// grand_total and tax_amount and are authoritative. Lines: a configurable product is one
// line (money from the parent row, SKU and variation id from the child row); a bundle is its
// parent line plus one line per selection, with the money on the selections for a dynamic
// price and on the parent for a fixed price (the other side priced 0). Line amounts after
// discount add back discount_tax_compensation_amount, so TotalExcl + Tax = TotalIncl exactly.
func mapOrder(w *wireOrder, opt mapOptions) (sdk.Order, error) {
	created, err := parseTime(w.CreatedAt)
	if err != nil {
		return sdk.Order{}, fmt.Errorf("order %d: created_at: %w", w.EntityID, err)
	}
	modified, err := parseTime(w.UpdatedAt)
	if err != nil {
		return sdk.Order{}, fmt.Errorf("order %d: updated_at: %w", w.EntityID, err)
	}
	o := sdk.Order{
		ID:               strconv.FormatInt(int64(w.EntityID), 10),
		Number:           w.IncrementID,
		Status:           w.Status,
		CreatedAt:        created,
		ModifiedAt:       modified,
		Currency:         strings.ToUpper(w.OrderCurrencyCode),
		PricesIncludeTax: opt.PricesIncludeTax,
		Note:             w.CustomerNote,
		Refunded:         w.TotalRefunded.Decimal,
		Cancelled:        w.State == "canceled",
		Extra:            map[string]string{"state": w.State, "store_id": strconv.FormatInt(int64(w.StoreID), 10)},
	}
	if w.CouponCode != "" {
		o.Extra["coupon_code"] = w.CouponCode
	}
	// Customer.
	o.Customer = sdk.Customer{Email: w.CustomerEmail, FirstName: w.CustomerFirstname, LastName: w.CustomerLastname,
		VATNumber: w.CustomerTaxvat}
	if w.CustomerID != nil && *w.CustomerID > 0 && w.CustomerIsGuest == 0 {
		o.Customer.ID = strconv.FormatInt(int64(*w.CustomerID), 10)
	}
	if w.BillingAddress != nil {
		o.Billing = mapAddress(w.BillingAddress)
		o.Customer.Company = o.Billing.Company
		o.Customer.Phone = o.Billing.Phone
		if o.Customer.FirstName == "" && o.Customer.LastName == "" {
			o.Customer.FirstName, o.Customer.LastName = o.Billing.FirstName, o.Billing.LastName
		}
		if o.Customer.VATNumber == "" {
			o.Customer.VATNumber = w.BillingAddress.VatID
		}
		if o.Customer.Email == "" {
			o.Customer.Email = o.Billing.Email
		}
	}
	shipMethod := ""
	if w.ExtensionAttributes != nil {
		for _, sa := range w.ExtensionAttributes.ShippingAssignments {
			if sa.Shipping.Address != nil && o.Shipping.Empty() {
				o.Shipping = mapAddress(sa.Shipping.Address)
			}
			if shipMethod == "" {
				shipMethod = sa.Shipping.Method
			}
		}
	}
	if shipMethod != "" {
		o.Extra["shipping_method"] = shipMethod
	}

	// Lines.
	byID := map[int64]*wireItem{}
	children := map[int64][]*wireItem{}
	for i := range w.Items {
		it := &w.Items[i]
		byID[int64(it.ItemID)] = it
		if it.ParentItemID != nil && *it.ParentItemID != 0 {
			children[int64(*it.ParentItemID)] = append(children[int64(*it.ParentItemID)], it)
		}
	}
	type rateSum struct{ excl, tax decimal.Decimal }
	discByRate := map[string]*rateSum{}
	addLine := func(money *wireItem, l sdk.OrderLine, priced bool) {
		l.Quantity = money.QtyOrdered.Decimal
		if priced {
			fillLineMoney(&l, money, opt)
			if opt.Discounts == discountsSeparate {
				after := money.RowTotal.Sub(money.DiscountAmount.Decimal).Add(money.DiscountTaxCompensationAmount.Decimal)
				dExcl := money.RowTotal.Sub(after)
				dIncl := money.RowTotalInclTax.Sub(after.Add(money.TaxAmount.Decimal))
				if !dExcl.IsZero() || !dIncl.IsZero() {
					k := l.TaxRate.String()
					if discByRate[k] == nil {
						discByRate[k] = &rateSum{}
					}
					discByRate[k].excl = discByRate[k].excl.Add(dExcl)
					discByRate[k].tax = discByRate[k].tax.Add(dIncl.Sub(dExcl))
				}
			}
		} else {
			zeroMoney(&l)
		}
		o.Lines = append(o.Lines, l)
	}
	for i := range w.Items {
		it := &w.Items[i]
		var parent *wireItem
		if it.ParentItemID != nil && *it.ParentItemID != 0 {
			parent = byID[int64(*it.ParentItemID)]
		}
		switch {
		case parent != nil && parent.ProductType == "configurable":
			continue // merged into the parent's line
		case it.ProductType == "configurable":
			l := baseLine(it)
			if kids := children[int64(it.ItemID)]; len(kids) > 0 {
				child := kids[0]
				l.SKU = child.SKU
				l.VariationID = string(child.ProductID)
				if child.Name != "" && child.Name != it.Name {
					l.Options = append(l.Options, sdk.Option{Name: "Variant", Value: html.UnescapeString(child.Name)})
				}
			}
			addLine(it, l, true)
		case it.ProductType == "bundle":
			l := baseLine(it)
			addLine(it, l, !dynamicBundle(children[int64(it.ItemID)]))
		case parent != nil && parent.ProductType == "bundle":
			l := baseLine(it)
			l.ParentLineID = strconv.FormatInt(int64(parent.ItemID), 10)
			addLine(it, l, dynamicBundle(children[int64(parent.ItemID)]))
		default:
			l := baseLine(it)
			if parent != nil {
				l.ParentLineID = strconv.FormatInt(int64(parent.ItemID), 10)
			}
			addLine(it, l, true)
		}
	}

	// Shipping: the amounts after the shipping discount (its tax compensation added back).
	shipExcl := w.ShippingAmount.Sub(w.ShippingDiscountAmount.Decimal).Add(w.ShippingDiscountTaxCompensationAmount.Decimal)
	if !shipExcl.IsZero() || !w.ShippingTaxAmount.IsZero() || w.ShippingDescription != "" {
		c := sdk.Charge{Code: shipMethod, Name: w.ShippingDescription, TotalExcl: shipExcl,
			Tax: w.ShippingTaxAmount.Decimal, TotalIncl: shipExcl.Add(w.ShippingTaxAmount.Decimal)}
		if r, ok := shippingRate(w); ok {
			// Magento's own rate of the shipping tax (item_applied_taxes), exact.
			c.TaxRate = &r
		} else if shipExcl.Abs().GreaterThanOrEqual(decimal.NewFromInt(1)) {
			r := w.ShippingTaxAmount.Mul(hundred).Div(shipExcl).Round(0)
			c.TaxRate = &r
		}
		if c.Name == "" {
			c.Name = "Verzendkosten"
		}
		o.ShippingLines = append(o.ShippingLines, c)
	}
	if opt.Discounts == discountsSeparate {
		rates := make([]string, 0, len(discByRate))
		for k := range discByRate {
			rates = append(rates, k)
		}
		sort.Strings(rates)
		name := w.DiscountDescription
		if name == "" {
			name = w.CouponCode
		}
		if name == "" {
			name = "Korting"
		}
		for _, k := range rates {
			d := discByRate[k]
			r, _ := decimal.NewFromString(k)
			o.Discounts = append(o.Discounts, sdk.Charge{Code: w.CouponCode, Name: name, TotalExcl: d.excl, Tax: d.tax,
				TotalIncl: d.excl.Add(d.tax), TaxRate: &r})
		}
	}

	// Totals: Magento's own, authoritative.
	o.Totals = sdk.Totals{TotalExcl: w.GrandTotal.Sub(w.TaxAmount.Decimal), Tax: w.TaxAmount.Decimal, Total: w.GrandTotal.Decimal}

	// Payment.
	if w.Payment != nil {
		o.Payment.Method = w.Payment.Method
		if len(w.Payment.AdditionalInformation) > 0 {
			o.Payment.Title = string(w.Payment.AdditionalInformation[0])
		}
		o.Payment.TransactionID = w.Payment.LastTransID
	}
	paid := w.TotalPaid != nil && w.TotalPaid.GreaterThanOrEqual(w.GrandTotal.Decimal) && w.GrandTotal.IsPositive()
	if w.GrandTotal.IsZero() && w.State != "canceled" {
		paid = true
	}
	o.Payment.Paid = paid
	return o, nil
}

// dynamicBundle reports whether a bundle's money sits on its selections (any child priced).
func dynamicBundle(kids []*wireItem) bool {
	for _, k := range kids {
		if !k.RowTotal.IsZero() || !k.TaxAmount.IsZero() {
			return true
		}
	}
	return false
}

// baseLine fills identity, name and options of a row.
func baseLine(it *wireItem) sdk.OrderLine {
	l := sdk.OrderLine{ID: strconv.FormatInt(int64(it.ItemID), 10), ProductID: string(it.ProductID), SKU: it.SKU,
		Name: html.UnescapeString(it.Name)}
	if it.ProductOption != nil {
		for _, co := range it.ProductOption.ExtensionAttributes.CustomOptions {
			// The REST order gives the option's id, not its title.
			l.Options = append(l.Options, sdk.Option{Name: "Option " + string(co.OptionID), Value: html.UnescapeString(string(co.OptionValue))})
		}
	}
	return l
}

// fillLineMoney sets the amounts of a priced row.
func fillLineMoney(l *sdk.OrderLine, it *wireItem, opt mapOptions) {
	l.TaxRate = it.TaxPercent.Decimal
	if opt.Discounts == discountsSeparate {
		l.TotalExcl = it.RowTotal.Decimal
		l.TotalIncl = it.RowTotalInclTax.Decimal
		l.Tax = l.TotalIncl.Sub(l.TotalExcl)
		l.UnitPriceExcl = it.Price.Decimal
		l.UnitPriceIncl = it.PriceInclTax.Decimal
		l.Discount = decimal.Zero
		return
	}
	l.TotalExcl = it.RowTotal.Sub(it.DiscountAmount.Decimal).Add(it.DiscountTaxCompensationAmount.Decimal)
	l.Tax = it.TaxAmount.Decimal
	l.TotalIncl = l.TotalExcl.Add(l.Tax)
	l.Discount = it.RowTotal.Sub(l.TotalExcl)
	if l.Discount.IsZero() || it.QtyOrdered.IsZero() {
		l.UnitPriceExcl = it.Price.Decimal
		l.UnitPriceIncl = it.PriceInclTax.Decimal
		if it.PriceInclTax.IsZero() && !it.Price.IsZero() && !it.QtyOrdered.IsZero() {
			l.UnitPriceIncl = l.TotalIncl.DivRound(it.QtyOrdered.Decimal, 4)
		}
		return
	}
	l.UnitPriceExcl = l.TotalExcl.DivRound(it.QtyOrdered.Decimal, 4)
	l.UnitPriceIncl = l.TotalIncl.DivRound(it.QtyOrdered.Decimal, 4)
}

func zeroMoney(l *sdk.OrderLine) {
	z := decimal.Zero
	l.UnitPriceExcl, l.UnitPriceIncl, l.TotalExcl, l.Tax, l.TotalIncl, l.TaxRate, l.Discount = z, z, z, z, z, z, z
}

// mapAddress converts an order address. Magento keeps the street as lines; Dutch shops often
// split street, house number and addition over lines 2 and 3, which are joined into Street
// when they look like a number and addition.
func mapAddress(a *wireAddress) sdk.Address {
	out := sdk.Address{FirstName: a.Firstname, LastName: a.Lastname, Company: a.Company, Postcode: a.Postcode,
		City: a.City, Country: strings.ToUpper(a.CountryID), Phone: a.Telephone, Email: a.Email}
	var lines []string
	for _, s := range a.Street {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	if len(lines) == 0 {
		return out
	}
	out.Street = lines[0]
	rest := lines[1:]
	if len(rest) > 0 && startsWithDigit(rest[0]) {
		out.Street += " " + rest[0]
		rest = rest[1:]
		if len(rest) > 0 && len(rest[0]) <= 6 {
			out.Street += " " + rest[0]
			rest = rest[1:]
		}
	}
	out.Street2 = strings.Join(rest, " ")
	return out
}

func startsWithDigit(s string) bool {
	for _, r := range s {
		return unicode.IsDigit(r)
	}
	return false
}

// shippingRate returns the VAT rate Magento applied to shipping, from the order's
// extension_attributes.item_applied_taxes entry of type "shipping", when it names exactly one
// rate whose amount is the shipping tax. Several rates on shipping stack on the same amount in
// Magento (they are not a split of it), so they give no single rate; the caller then derives one.
func shippingRate(w *wireOrder) (decimal.Decimal, bool) {
	if w.ExtensionAttributes == nil {
		return decimal.Zero, false
	}
	var found []decimal.Decimal
	sum := decimal.Zero
	for _, it := range w.ExtensionAttributes.ItemAppliedTaxes {
		if it.Type != "shipping" {
			continue
		}
		for _, at := range it.AppliedTaxes {
			found = append(found, at.Percent.Decimal)
			sum = sum.Add(at.Amount.Decimal)
		}
	}
	if len(found) != 1 || !sum.Round(2).Equal(w.ShippingTaxAmount.Round(2)) {
		return decimal.Zero, false
	}
	return found[0], true
}
