package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Request bodies for POST/PUT /orders. Fields WooCommerce documents as read-only (totals,
// taxes, tax_lines) are accepted as a seeding extension: when a request gives them they are
// kept as given instead of computed, so tools can seed exact orders through the real API.

type addressInput struct {
	FirstName jString `json:"first_name"`
	LastName  jString `json:"last_name"`
	Company   jString `json:"company"`
	Address1  jString `json:"address_1"`
	Address2  jString `json:"address_2"`
	City      jString `json:"city"`
	State     jString `json:"state"`
	Postcode  jString `json:"postcode"`
	Country   jString `json:"country"`
	Email     jString `json:"email"`
	Phone     jString `json:"phone"`
}

type taxInput struct {
	ID       jInt   `json:"id"`
	Total    jMoney `json:"total"`
	Subtotal jMoney `json:"subtotal"`
}

type lineInput struct {
	ID          jInt        `json:"id"`
	Name        jString     `json:"name"`
	ProductID   jInt        `json:"product_id"`
	VariationID jInt        `json:"variation_id"`
	SKU         jString     `json:"sku"`
	Quantity    jInt        `json:"quantity"`
	TaxClass    jString     `json:"tax_class"`
	Subtotal    jMoney      `json:"subtotal"`
	SubtotalTax jMoney      `json:"subtotal_tax"`
	Total       jMoney      `json:"total"`
	TotalTax    jMoney      `json:"total_tax"`
	Taxes       []taxInput  `json:"taxes"`
	MetaData    []metaInput `json:"meta_data"`
}

type shippingInput struct {
	ID          jInt        `json:"id"`
	MethodTitle jString     `json:"method_title"`
	MethodID    jString     `json:"method_id"`
	InstanceID  jString     `json:"instance_id"`
	Total       jMoney      `json:"total"`
	TotalTax    jMoney      `json:"total_tax"`
	Taxes       []taxInput  `json:"taxes"`
	MetaData    []metaInput `json:"meta_data"`
}

type feeInput struct {
	ID        jInt        `json:"id"`
	Name      jString     `json:"name"`
	TaxClass  jString     `json:"tax_class"`
	TaxStatus jString     `json:"tax_status"`
	Total     jMoney      `json:"total"`
	TotalTax  jMoney      `json:"total_tax"`
	Taxes     []taxInput  `json:"taxes"`
	MetaData  []metaInput `json:"meta_data"`
}

type couponInput struct {
	ID          jInt        `json:"id"`
	Code        jString     `json:"code"`
	Discount    jMoney      `json:"discount"`
	DiscountTax jMoney      `json:"discount_tax"`
	MetaData    []metaInput `json:"meta_data"`
}

type taxLineInput struct {
	RateID           jInt   `json:"rate_id"`
	TaxTotal         jMoney `json:"tax_total"`
	ShippingTaxTotal jMoney `json:"shipping_tax_total"`
}

type refundInput struct {
	ID     jInt    `json:"id"`
	Reason jString `json:"reason"`
	Total  jMoney  `json:"total"`
}

type orderInput struct {
	ID                 jInt            `json:"id"` // batch update and seeding only
	ParentID           jInt            `json:"parent_id"`
	Status             jString         `json:"status"`
	Currency           jString         `json:"currency"`
	CustomerID         jInt            `json:"customer_id"`
	CustomerNote       jString         `json:"customer_note"`
	Billing            *addressInput   `json:"billing"`
	Shipping           *addressInput   `json:"shipping"`
	PaymentMethod      jString         `json:"payment_method"`
	PaymentMethodTitle jString         `json:"payment_method_title"`
	TransactionID      jString         `json:"transaction_id"`
	SetPaid            jBool           `json:"set_paid"`
	MetaData           []metaInput     `json:"meta_data"`
	LineItems          []lineInput     `json:"line_items"`
	ShippingLines      []shippingInput `json:"shipping_lines"`
	FeeLines           []feeInput      `json:"fee_lines"`
	CouponLines        []couponInput   `json:"coupon_lines"`
	// Seeding extensions (read-only in WooCommerce).
	PricesIncludeTax  jBool          `json:"prices_include_tax"`
	DiscountTotal     jMoney         `json:"discount_total"`
	DiscountTax       jMoney         `json:"discount_tax"`
	ShippingTotal     jMoney         `json:"shipping_total"`
	ShippingTax       jMoney         `json:"shipping_tax"`
	CartTax           jMoney         `json:"cart_tax"`
	Total             jMoney         `json:"total"`
	TotalTax          jMoney         `json:"total_tax"`
	TaxLines          []taxLineInput `json:"tax_lines"`
	Refunds           []refundInput  `json:"refunds"`
	CustomerIPAddress jString        `json:"customer_ip_address"`
	CustomerUserAgent jString        `json:"customer_user_agent"`
	// Seed-only (honoured by /_sim/seed and --seed, ignored on the API).
	Number          jString `json:"number"`
	OrderKey        jString `json:"order_key"`
	CreatedVia      jString `json:"created_via"`
	DateCreatedGMT  jString `json:"date_created_gmt"`
	DateModifiedGMT jString `json:"date_modified_gmt"`
	DatePaidGMT     jString `json:"date_paid_gmt"`
	DateCompleted   jString `json:"date_completed_gmt"`
}

var writableOrderStatuses = []string{"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash", "checkout-draft"}

var currencies = []string{"EUR", "USD", "GBP", "CHF", "DKK", "SEK", "NOK", "PLN", "CZK", "HUF", "RON", "BGN", "JPY", "AUD", "CAD", "NZD"}

// validate checks field types and enums, reporting every bad top-level parameter.
func (in *orderInput) validate() *wpError {
	var p problems
	p.integer("parent_id", "parent_id", in.ParentID)
	p.str("status", "status", in.Status)
	if in.Status.Set && !in.Status.Bad && !contains(writableOrderStatuses, in.Status.V) {
		p.list = append(p.list, enumProblem("status", writableOrderStatuses))
	}
	p.str("currency", "currency", in.Currency)
	if in.Currency.Set && !in.Currency.Bad && !contains(currencies, in.Currency.V) {
		p.list = append(p.list, enumProblem("currency", currencies))
	}
	p.integer("customer_id", "customer_id", in.CustomerID)
	p.str("customer_note", "customer_note", in.CustomerNote)
	for _, a := range []struct {
		name string
		v    *addressInput
	}{{"billing", in.Billing}, {"shipping", in.Shipping}} {
		if a.v == nil {
			continue
		}
		for field, v := range map[string]jString{"first_name": a.v.FirstName, "last_name": a.v.LastName, "company": a.v.Company,
			"address_1": a.v.Address1, "address_2": a.v.Address2, "city": a.v.City, "state": a.v.State,
			"postcode": a.v.Postcode, "country": a.v.Country, "email": a.v.Email, "phone": a.v.Phone} {
			p.str(a.name, a.name+"["+field+"]", v)
		}
		if a.name == "billing" && a.v.Email.Set && !a.v.Email.Bad && a.v.Email.V != "" && !strings.Contains(a.v.Email.V, "@") {
			p.addMsg("billing", "rest_invalid_email", "Invalid email address.")
		}
	}
	p.str("payment_method", "payment_method", in.PaymentMethod)
	p.str("payment_method_title", "payment_method_title", in.PaymentMethodTitle)
	p.str("transaction_id", "transaction_id", in.TransactionID)
	p.boolean("set_paid", "set_paid", in.SetPaid)
	checkMeta(&p, "meta_data", in.MetaData)
	for i, li := range in.LineItems {
		b := idx("line_items", i)
		p.integer("line_items", b+"[id]", li.ID)
		p.str("line_items", b+"[name]", li.Name)
		p.integer("line_items", b+"[product_id]", li.ProductID)
		p.integer("line_items", b+"[variation_id]", li.VariationID)
		p.str("line_items", b+"[sku]", li.SKU)
		p.integer("line_items", b+"[quantity]", li.Quantity)
		p.str("line_items", b+"[tax_class]", li.TaxClass)
		p.money("line_items", b+"[subtotal]", li.Subtotal)
		p.money("line_items", b+"[subtotal_tax]", li.SubtotalTax)
		p.money("line_items", b+"[total]", li.Total)
		p.money("line_items", b+"[total_tax]", li.TotalTax)
		checkTaxes(&p, "line_items", b, li.Taxes)
		checkMeta(&p, "line_items", li.MetaData)
	}
	for i, sl := range in.ShippingLines {
		b := idx("shipping_lines", i)
		p.integer("shipping_lines", b+"[id]", sl.ID)
		p.str("shipping_lines", b+"[method_title]", sl.MethodTitle)
		p.str("shipping_lines", b+"[method_id]", sl.MethodID)
		p.str("shipping_lines", b+"[instance_id]", sl.InstanceID)
		p.money("shipping_lines", b+"[total]", sl.Total)
		p.money("shipping_lines", b+"[total_tax]", sl.TotalTax)
		checkTaxes(&p, "shipping_lines", b, sl.Taxes)
		checkMeta(&p, "shipping_lines", sl.MetaData)
	}
	for i, f := range in.FeeLines {
		b := idx("fee_lines", i)
		p.integer("fee_lines", b+"[id]", f.ID)
		p.str("fee_lines", b+"[name]", f.Name)
		p.str("fee_lines", b+"[tax_class]", f.TaxClass)
		p.str("fee_lines", b+"[tax_status]", f.TaxStatus)
		if f.TaxStatus.Set && !f.TaxStatus.Bad && f.TaxStatus.V != "taxable" && f.TaxStatus.V != "none" {
			p.list = append(p.list, paramProblem{Param: "fee_lines", Code: "rest_not_in_enum", Message: b + "[tax_status] is not one of taxable and none."})
		}
		p.money("fee_lines", b+"[total]", f.Total)
		p.money("fee_lines", b+"[total_tax]", f.TotalTax)
		checkTaxes(&p, "fee_lines", b, f.Taxes)
		checkMeta(&p, "fee_lines", f.MetaData)
	}
	for i, c := range in.CouponLines {
		b := idx("coupon_lines", i)
		p.integer("coupon_lines", b+"[id]", c.ID)
		p.str("coupon_lines", b+"[code]", c.Code)
		p.money("coupon_lines", b+"[discount]", c.Discount)
		checkMeta(&p, "coupon_lines", c.MetaData)
	}
	for _, m := range []struct {
		name string
		v    jMoney
	}{{"discount_total", in.DiscountTotal}, {"discount_tax", in.DiscountTax}, {"shipping_total", in.ShippingTotal},
		{"shipping_tax", in.ShippingTax}, {"cart_tax", in.CartTax}, {"total", in.Total}, {"total_tax", in.TotalTax}} {
		p.money(m.name, m.name, m.v)
	}
	for i, t := range in.TaxLines {
		b := idx("tax_lines", i)
		p.integer("tax_lines", b+"[rate_id]", t.RateID)
		p.money("tax_lines", b+"[tax_total]", t.TaxTotal)
		p.money("tax_lines", b+"[shipping_tax_total]", t.ShippingTaxTotal)
	}
	return p.err()
}

func checkTaxes(p *problems, top, base string, ts []taxInput) {
	for j, t := range ts {
		tb := base + "[taxes][" + strconv.Itoa(j) + "]"
		p.integer(top, tb+"[id]", t.ID)
		p.money(top, tb+"[total]", t.Total)
		p.money(top, tb+"[subtotal]", t.Subtotal)
	}
}

func checkMeta(p *problems, top string, ms []metaInput) {
	for j, m := range ms {
		b := top + "[" + strconv.Itoa(j) + "]"
		if top != "meta_data" {
			b = top + "[meta_data][" + strconv.Itoa(j) + "]"
		}
		p.integer(top, b+"[id]", m.ID)
		p.str(top, b+"[key]", m.Key)
	}
}

func (s *Server) newMeta(ms []metaInput) []Meta {
	out := make([]Meta, 0, len(ms))
	for _, m := range ms {
		if !m.Key.Set {
			continue
		}
		s.nextMetaID++
		v := m.Value
		if len(v) == 0 || !json.Valid(v) {
			v = json.RawMessage(`""`)
		}
		out = append(out, Meta{ID: s.nextMetaID, Key: m.Key.V, Value: append(json.RawMessage(nil), v...)})
	}
	return out
}

// mergeMeta applies request meta to existing meta: an entry with a known id or key is
// replaced, others are added (WooCommerce's update_meta_data).
func (s *Server) mergeMeta(cur []Meta, ms []metaInput) []Meta {
	for _, nm := range s.newMeta(ms) {
		replaced := false
		for i := range cur {
			if cur[i].Key == nm.Key {
				nm.ID = cur[i].ID
				cur[i] = nm
				replaced = true
				break
			}
		}
		if !replaced {
			cur = append(cur, nm)
		}
	}
	return cur
}

func applyAddress(a *Address, in *addressInput) {
	if in == nil {
		return
	}
	set := func(dst *string, v jString) {
		if v.Set && !v.Bad {
			*dst = v.V
		}
	}
	set(&a.FirstName, in.FirstName)
	set(&a.LastName, in.LastName)
	set(&a.Company, in.Company)
	set(&a.Address1, in.Address1)
	set(&a.Address2, in.Address2)
	set(&a.City, in.City)
	set(&a.State, in.State)
	set(&a.Postcode, in.Postcode)
	set(&a.Email, in.Email)
	set(&a.Phone, in.Phone)
	if in.Country.Set && !in.Country.Bad {
		a.Country = strings.ToUpper(in.Country.V) // ISO codes are stored upper case
	}
}

// orderKeyChars are the characters of a generated order key.
const orderKeyChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s *Server) newOrderKey() string {
	b := make([]byte, 13)
	for i := range b {
		b[i] = orderKeyChars[s.rnd.Intn(len(orderKeyChars))]
	}
	return "wc_order_" + string(b)
}

// applyOrder applies a create or update request to o (a fresh order when creating); the caller
// holds mu. seed honours the seed-only fields. It never leaves o half-changed on error: the
// caller passes a clone and stores it only on success.
func (s *Server) applyOrder(o *Order, in *orderInput, creating, seed bool) *wpError {
	now := s.now()
	if creating {
		for _, li := range in.LineItems {
			if !(li.SKU.Set && li.SKU.V != "") && li.ProductID.V == 0 && li.VariationID.V == 0 {
				return newErr(http.StatusBadRequest, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.")
			}
		}
	}
	str := func(dst *string, v jString) {
		if v.Set && !v.Bad {
			*dst = v.V
		}
	}
	if in.ParentID.Set {
		o.ParentID = in.ParentID.V
	}
	str(&o.Currency, in.Currency)
	if in.CustomerID.Set {
		if in.CustomerID.V < 0 {
			return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
		}
		o.CustomerID = in.CustomerID.V
	}
	str(&o.CustomerNote, in.CustomerNote)
	applyAddress(&o.Billing, in.Billing)
	applyAddress(&o.Shipping, in.Shipping)
	str(&o.PaymentMethod, in.PaymentMethod)
	str(&o.PaymentMethodTitle, in.PaymentMethodTitle)
	str(&o.TransactionID, in.TransactionID)
	str(&o.CustomerIPAddress, in.CustomerIPAddress)
	str(&o.CustomerUserAgent, in.CustomerUserAgent)
	if in.PricesIncludeTax.Set {
		o.PricesIncludeTax = in.PricesIncludeTax.V
	}
	if in.MetaData != nil {
		o.MetaData = s.mergeMeta(o.MetaData, in.MetaData)
	}
	if seed {
		str(&o.Number, in.Number)
		str(&o.OrderKey, in.OrderKey)
		str(&o.CreatedVia, in.CreatedVia)
		for _, d := range []struct {
			v   jString
			dst **time.Time
		}{{in.DatePaidGMT, &o.DatePaid}, {in.DateCompleted, &o.DateCompleted}} {
			if d.v.Set && d.v.V != "" {
				if t, err := time.Parse(wcDateLayout, strings.TrimSuffix(d.v.V, "Z")); err == nil {
					*d.dst = &t
				}
			}
		}
		for _, r := range in.Refunds {
			id := r.ID.V
			if id == 0 {
				s.nextPostID++
				id = s.nextPostID
			}
			o.Refunds = append(o.Refunds, Refund{ID: id, Reason: r.Reason.V, Total: r.Total.V, Amount: r.Total.V.Abs(),
				DateCreated: s.now()})
		}
	}

	itemsChanged := false
	fixed := fixedTotals{}
	// Line items.
	for _, li := range in.LineItems {
		itemsChanged = true
		if li.ID.Set && li.ID.V != 0 && !creating {
			pos := -1
			for i := range o.LineItems {
				if o.LineItems[i].ID == li.ID.V {
					pos = i
				}
			}
			if pos < 0 {
				return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_item_id", "Order item ID provided is not associated with order.")
			}
			if li.Quantity.Set && li.Quantity.V == 0 {
				o.LineItems = append(o.LineItems[:pos], o.LineItems[pos+1:]...)
				continue
			}
			item := &o.LineItems[pos]
			if e := s.fillLine(item, li, false); e != nil {
				return e
			}
			continue
		}
		item := LineItem{}
		s.nextItemID++
		item.ID = s.nextItemID
		if e := s.fillLine(&item, li, true); e != nil {
			return e
		}
		o.LineItems = append(o.LineItems, item)
	}
	for _, sl := range in.ShippingLines {
		itemsChanged = true
		var line *ShippingLine
		if sl.ID.Set && sl.ID.V != 0 && !creating {
			for i := range o.ShippingLines {
				if o.ShippingLines[i].ID == sl.ID.V {
					line = &o.ShippingLines[i]
				}
			}
			if line == nil {
				return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_item_id", "Order item ID provided is not associated with order.")
			}
		} else {
			s.nextItemID++
			o.ShippingLines = append(o.ShippingLines, ShippingLine{ID: s.nextItemID, TaxStatus: "taxable"})
			line = &o.ShippingLines[len(o.ShippingLines)-1]
		}
		str(&line.MethodTitle, sl.MethodTitle)
		str(&line.MethodID, sl.MethodID)
		str(&line.InstanceID, sl.InstanceID)
		if sl.Total.Set {
			line.Total = sl.Total.V
		}
		if sl.Taxes != nil || sl.TotalTax.Set {
			line.Taxes, line.TotalTax = givenTaxes(sl.Taxes, sl.TotalTax, false)
			fixed.shipping = append(fixed.shipping, line.ID)
		}
		line.MetaData = s.mergeMeta(line.MetaData, sl.MetaData)
	}
	for _, f := range in.FeeLines {
		itemsChanged = true
		var line *FeeLine
		if f.ID.Set && f.ID.V != 0 && !creating {
			for i := range o.FeeLines {
				if o.FeeLines[i].ID == f.ID.V {
					line = &o.FeeLines[i]
				}
			}
			if line == nil {
				return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_item_id", "Order item ID provided is not associated with order.")
			}
		} else {
			if !f.Name.Set || f.Name.V == "" {
				return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_fee_item", "Fee name is required.")
			}
			s.nextItemID++
			o.FeeLines = append(o.FeeLines, FeeLine{ID: s.nextItemID, TaxStatus: "taxable"})
			line = &o.FeeLines[len(o.FeeLines)-1]
		}
		str(&line.Name, f.Name)
		str(&line.TaxClass, f.TaxClass)
		str(&line.TaxStatus, f.TaxStatus)
		if f.Total.Set {
			line.Total = f.Total.V
		}
		if f.Taxes != nil || f.TotalTax.Set {
			line.Taxes, line.TotalTax = givenTaxes(f.Taxes, f.TotalTax, false)
			fixed.fees = append(fixed.fees, line.ID)
		}
		line.MetaData = s.mergeMeta(line.MetaData, f.MetaData)
	}
	for _, c := range in.CouponLines {
		itemsChanged = true
		if !c.Code.Set || c.Code.V == "" {
			return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_coupon", "Coupon code is required.")
		}
		code := strings.ToLower(strings.TrimSpace(c.Code.V))
		cp, ok := s.coupons[code]
		if !ok {
			return invalidCoupon(code)
		}
		dup := false
		for _, ex := range o.CouponLines {
			if ex.Code == code {
				dup = true
			}
		}
		if dup {
			continue
		}
		s.nextItemID++
		s.nextMetaID++
		info, _ := json.Marshal([]any{cp.ID, cp.Code, cp.DiscountType, number(cp.Amount)})
		infoStr, _ := json.Marshal(string(info))
		line := CouponLine{ID: s.nextItemID, Code: code, DiscountType: cp.DiscountType, NominalAmount: cp.Amount,
			FreeShipping: cp.FreeShipping,
			MetaData:     []Meta{{ID: s.nextMetaID, Key: "coupon_info", Value: infoStr}}}
		if c.Discount.Set {
			line.Discount = c.Discount.V
			line.DiscountTax = c.DiscountTax.V
			fixed.coupons = append(fixed.coupons, line.ID)
		}
		o.CouponLines = append(o.CouponLines, line)
	}
	for _, li := range in.LineItems {
		if li.Taxes != nil || li.TotalTax.Set {
			fixed.lines = true
		}
	}
	addressChanged := in.Billing != nil || in.Shipping != nil
	if creating || itemsChanged || addressChanged {
		s.calculateTotals(o, fixed, in)
	}
	s.applyGivenTotals(o, in)

	// Status last, as WooCommerce does (set_paid and status transitions after the items).
	oldStatus := o.Status
	if in.Status.Set && !in.Status.Bad {
		o.Status = in.Status.V
	}
	if in.SetPaid.Set && in.SetPaid.V {
		if o.DatePaid == nil {
			t := now
			o.DatePaid = &t
		}
		if o.Status == "pending" || o.Status == "failed" || o.Status == "on-hold" || o.Status == "" {
			if s.needsProcessing(o) {
				o.Status = "processing"
			} else {
				o.Status = "completed"
			}
		}
	}
	if o.Status != oldStatus || creating {
		if (o.Status == "processing" || o.Status == "completed") && o.DatePaid == nil && !seed {
			t := now
			o.DatePaid = &t
		}
		if o.Status == "completed" && o.DateCompleted == nil && !seed {
			t := now
			o.DateCompleted = &t
		}
	}
	switch o.Status {
	case "processing", "completed", "on-hold":
		if seed {
			o.stockReduced = true // a seeded order carries its own _reduced_stock meta
			break
		}
		s.reduceStock(o)
	case "cancelled", "pending", "failed":
		s.restoreStock(o)
	}
	return nil
}

// fixedTotals records which items carry taxes given by the request.
type fixedTotals struct {
	lines    bool
	shipping []int64
	fees     []int64
	coupons  []int64
}

// givenTaxes turns request taxes into item taxes and their total.
func givenTaxes(ts []taxInput, total jMoney, withSubtotal bool) ([]ItemTax, decimal.Decimal) {
	out := make([]ItemTax, 0, len(ts))
	sum := decimal.Zero
	for _, t := range ts {
		it := ItemTax{RateID: t.ID.V, Total: t.Total.V}
		if withSubtotal {
			sub := t.Subtotal.V
			if !t.Subtotal.Set {
				sub = t.Total.V
			}
			it.Subtotal = decimal.NullDecimal{Decimal: sub, Valid: true}
		}
		out = append(out, it)
		sum = sum.Add(t.Total.V)
	}
	if total.Set {
		sum = total.V
	}
	return out, sum
}

// fillLine applies a line item request to item.
func (s *Server) fillLine(item *LineItem, li lineInput, creating bool) *wpError {
	var prod *Product
	if li.SKU.Set && li.SKU.V != "" {
		for _, k := range sortedKeys(s.products) {
			if p := s.products[k]; p.SKU == li.SKU.V {
				prod = p
				break
			}
		}
		if prod == nil {
			// wc_get_product_id_by_sku gives 0: the line is stored without a product.
			item.ProductID, item.VariationID = 0, 0
		} else if prod.Type == "variation" {
			item.ProductID, item.VariationID = prod.ParentID, prod.ID
		} else {
			item.ProductID, item.VariationID = prod.ID, 0
		}
	} else {
		if li.ProductID.Set {
			item.ProductID = li.ProductID.V
		}
		if li.VariationID.Set {
			item.VariationID = li.VariationID.V
		}
		id := item.ProductID
		if item.VariationID != 0 {
			id = item.VariationID
		}
		prod = s.products[id]
		if prod == nil && (li.ProductID.Set || li.VariationID.Set) {
			// An unknown product: WooCommerce stores the line without one (product_id 0).
			item.ProductID, item.VariationID = 0, 0
		}
		if prod != nil && prod.Type == "variation" && item.ProductID == 0 {
			item.ProductID = prod.ParentID
		}
	}
	if li.Quantity.Set {
		if li.Quantity.V < 0 {
			return newErr(http.StatusBadRequest, "woocommerce_rest_invalid_quantity", "Quantity must be a positive number.")
		}
		item.Quantity = li.Quantity.V
	} else if creating {
		item.Quantity = 1
	}
	if li.Name.Set {
		item.Name = li.Name.V
	} else if creating && prod != nil {
		item.Name = s.lineName(prod)
	}
	if li.TaxClass.Set {
		item.TaxClass = li.TaxClass.V
	} else if creating && prod != nil {
		item.TaxClass = s.productTaxClass(prod)
	}
	if creating && prod != nil && prod.Type == "variation" {
		for _, a := range prod.Attributes {
			s.nextMetaID++
			v, _ := json.Marshal(a.Option)
			item.MetaData = append(item.MetaData, Meta{ID: s.nextMetaID, Key: sanitizeTitle(a.Name), Value: v,
				DisplayKey: a.Name, DisplayValue: a.Option})
		}
	}
	item.MetaData = s.mergeMeta(item.MetaData, li.MetaData)
	// Amounts: given ones are kept; missing ones come from the catalogue price.
	if li.Subtotal.Set {
		item.Subtotal = li.Subtotal.V
	}
	if li.Total.Set {
		item.Total = li.Total.V
	}
	if !li.Subtotal.Set && !li.Total.Set && (creating || li.Quantity.Set) {
		price := decimal.Zero
		if prod != nil {
			if cp := currentPrice(prod); cp.Valid {
				price = cp.Decimal
			}
		}
		item.Subtotal = price.Mul(decimal.NewFromInt(item.Quantity)).Round(2)
		item.Total = item.Subtotal
		item.catalogue = true
	} else if li.Subtotal.Set && !li.Total.Set {
		item.Total = item.Subtotal
	} else if li.Total.Set && !li.Subtotal.Set && creating {
		item.Subtotal = item.Total
	}
	if li.Taxes != nil || li.TotalTax.Set {
		item.Taxes, item.TotalTax = givenTaxes(li.Taxes, li.TotalTax, true)
		item.SubtotalTax = item.TotalTax
		if li.SubtotalTax.Set {
			item.SubtotalTax = li.SubtotalTax.V
		} else if li.Taxes != nil {
			sum := decimal.Zero
			for _, t := range item.Taxes {
				sum = sum.Add(t.Subtotal.Decimal)
			}
			item.SubtotalTax = sum
		}
		item.fixedTax = true
	} else {
		item.fixedTax = false
	}
	return nil
}

// lineName is the order item name WooCommerce gives a product: a variation is named
// "Parent - Value, Value".
func (s *Server) lineName(p *Product) string {
	if p.Type != "variation" {
		return p.Name
	}
	parent := ""
	if pp, ok := s.products[p.ParentID]; ok {
		parent = pp.Name
	}
	return parent + " - " + variationName(p)
}

// productTaxClass is the tax class of a product as an order item carries it ("" = standard);
// a variation with class "parent" takes the parent's ("" on a variation is the standard class,
// as WooCommerce's "Standard" choice beside "Same as parent").
func (s *Server) productTaxClass(p *Product) string {
	tc := p.TaxClass
	if p.Type == "variation" && tc == "parent" {
		if pp, ok := s.products[p.ParentID]; ok {
			tc = pp.TaxClass
		} else {
			tc = ""
		}
	}
	if tc == "standard" {
		tc = ""
	}
	return tc
}

// rateFor returns the tax rate for a country and tax class ("" = standard), or nil (no tax).
func (s *Server) rateFor(country, class string) *TaxRate {
	if class == "" {
		class = "standard"
	}
	for i := range s.taxes {
		t := &s.taxes[i]
		if strings.EqualFold(t.Country, country) && t.Class == class {
			return t
		}
	}
	return nil
}

func taxCountry(o *Order) string {
	if o.Shipping.Country != "" {
		return o.Shipping.Country
	}
	return o.Billing.Country
}

var hundred = decimal.NewFromInt(100)

// taxOn returns the tax on an amount excluding tax, rounded to cents.
func taxOn(amount decimal.Decimal, r *TaxRate) decimal.Decimal {
	return amount.Mul(r.Rate).Div(hundred).Round(2)
}

// taxIn returns the tax held in an amount including tax, rounded to cents
// (round(amount × rate / (100 + rate)), WooCommerce's calc_inclusive_tax).
func taxIn(amount decimal.Decimal, r *TaxRate) decimal.Decimal {
	return amount.Mul(r.Rate).DivRound(hundred.Add(r.Rate), 20).Round(2)
}

// calculateTotals computes what the request did not give: line prices in tax-inclusive shops,
// coupon discounts, taxes per item from the store's rates and the customer's country, tax lines
// and the order totals (WooCommerce's calculate_totals).
//
// In a shop whose prices include tax (o.PricesIncludeTax) WooCommerce works on the gross
// amounts, as the cart does: a catalogue price is gross, coupons are taken off the gross line
// amounts (so a fixed cart coupon of 5.00 takes 5.00 off the price including tax), and a line's
// tax is taken out of its gross amount (round(gross × rate / (100 + rate))), the net amount being
// the rest. A line whose net amounts the request gave counts net + tax on net as its gross. In a
// shop whose prices exclude tax, coupons come off the net amounts and tax is rate × net.
func (s *Server) calculateTotals(o *Order, fixed fixedTotals, in *orderInput) {
	country := taxCountry(o)
	incl := o.PricesIncludeTax
	// gross holds, per line with a positive rate in a tax-inclusive shop, the gross subtotal
	// and (once coupons are applied, or when the line is not discounted) the gross total.
	type grossLine struct {
		rate           *TaxRate
		sub, tot       decimal.Decimal
		hasSub, hasTot bool
	}
	gross := make([]grossLine, len(o.LineItems))
	// 1. Catalogue prices in a tax-inclusive shop: the price holds tax, the line is stored net.
	for i := range o.LineItems {
		li := &o.LineItems[i]
		r := s.rateFor(country, li.TaxClass)
		if r != nil && !r.Rate.IsPositive() {
			r = nil
		}
		gross[i].rate = r
		if !incl || li.fixedTax || r == nil {
			li.catalogue = false
			continue
		}
		switch {
		case li.catalogue:
			gross[i].sub = li.Subtotal
			li.Subtotal = li.Subtotal.Sub(taxIn(li.Subtotal, r))
			li.Total = li.Subtotal
		default:
			gross[i].sub = li.Subtotal.Add(taxOn(li.Subtotal, r))
		}
		gross[i].hasSub = true
		if li.Total.Equal(li.Subtotal) {
			gross[i].tot, gross[i].hasTot = gross[i].sub, true
		}
		li.catalogue = false
	}
	// 2. Coupons (only when the request did not give line totals and discounts itself), on the
	// gross amounts in a tax-inclusive shop and on the net ones otherwise.
	if len(o.CouponLines) > 0 && len(fixed.coupons) == 0 && !linesGiveTotals(in) {
		// amount is what a coupon is measured against: gross where known, else net.
		amount := make([]decimal.Decimal, len(o.LineItems))
		for i := range o.LineItems {
			o.LineItems[i].Total = o.LineItems[i].Subtotal
			amount[i] = o.LineItems[i].Subtotal
			if gross[i].hasSub {
				amount[i] = gross[i].sub
			}
		}
		for ci := range o.CouponLines {
			c := &o.CouponLines[ci]
			cp := s.coupons[c.Code]
			if cp == nil {
				continue
			}
			c.Discount = decimal.Zero
			base := decimal.Zero
			for _, a := range amount {
				base = base.Add(a)
			}
			if !base.IsPositive() {
				continue
			}
			want := decimal.Zero
			if cp.DiscountType == "percent" {
				want = base.Mul(cp.Amount).Div(hundred).Round(2)
			} else {
				want = decimal.Min(cp.Amount, base)
			}
			left := want
			for i := range o.LineItems {
				li := &o.LineItems[i]
				share := amount[i].Mul(want).Div(base).Round(2)
				if i == len(o.LineItems)-1 {
					share = left
				}
				if share.GreaterThan(amount[i]) {
					share = amount[i]
				}
				amount[i] = amount[i].Sub(share)
				left = left.Sub(share)
				before := li.Total
				if gross[i].hasSub {
					li.Total = amount[i].Sub(taxIn(amount[i], gross[i].rate))
				} else {
					li.Total = amount[i]
				}
				// The coupon line's discount is excluding tax, as WooCommerce reports it.
				c.Discount = c.Discount.Add(before.Sub(li.Total))
			}
		}
		for i := range o.LineItems {
			if gross[i].hasSub {
				gross[i].tot, gross[i].hasTot = amount[i], true
			}
		}
	}
	// 3. Item taxes: taken out of the gross amounts where known, else rate × net.
	for i := range o.LineItems {
		li := &o.LineItems[i]
		if li.fixedTax {
			continue
		}
		li.Taxes, li.TotalTax, li.SubtotalTax = nil, decimal.Zero, decimal.Zero
		if r := s.rateFor(country, li.TaxClass); r != nil {
			li.TotalTax = taxOn(li.Total, r)
			li.SubtotalTax = taxOn(li.Subtotal, r)
			if g := gross[i]; g.hasSub {
				li.SubtotalTax = g.sub.Sub(li.Subtotal)
			}
			if g := gross[i]; g.hasTot {
				li.TotalTax = g.tot.Sub(li.Total)
			}
			li.Taxes = []ItemTax{{RateID: r.ID, Total: li.TotalTax, Subtotal: decimal.NullDecimal{Decimal: li.SubtotalTax, Valid: true}}}
		}
	}
	shipClass := s.shippingTaxClass(o)
	for i := range o.ShippingLines {
		sl := &o.ShippingLines[i]
		if containsID(fixed.shipping, sl.ID) {
			continue
		}
		sl.Taxes, sl.TotalTax = []ItemTax{}, decimal.Zero
		if r := s.rateFor(country, shipClass); r != nil && r.Shipping {
			sl.TotalTax = taxOn(sl.Total, r)
			sl.Taxes = []ItemTax{{RateID: r.ID, Total: sl.TotalTax}}
		}
	}
	for i := range o.FeeLines {
		f := &o.FeeLines[i]
		if containsID(fixed.fees, f.ID) {
			continue
		}
		f.Taxes, f.TotalTax = []ItemTax{}, decimal.Zero
		switch {
		case f.Total.IsNegative():
			f.Taxes, f.TotalTax = s.negativeFeeTaxes(o, f, country)
		case f.TaxStatus == "taxable":
			if r := s.rateFor(country, f.TaxClass); r != nil {
				f.TotalTax = taxOn(f.Total, r)
				f.Taxes = []ItemTax{{RateID: r.ID, Total: f.TotalTax}}
			}
		}
	}
	// 4. Coupon discount tax from the lines.
	if len(o.CouponLines) > 0 && len(fixed.coupons) == 0 {
		discTax := decimal.Zero
		for _, li := range o.LineItems {
			discTax = discTax.Add(li.SubtotalTax.Sub(li.TotalTax))
		}
		if len(o.CouponLines) == 1 {
			o.CouponLines[0].DiscountTax = discTax
		} else {
			total := decimal.Zero
			for _, c := range o.CouponLines {
				total = total.Add(c.Discount)
			}
			left := discTax
			for i := range o.CouponLines {
				c := &o.CouponLines[i]
				share := decimal.Zero
				if total.IsPositive() {
					share = discTax.Mul(c.Discount).Div(total).Round(2)
				}
				if i == len(o.CouponLines)-1 {
					share = left
				}
				c.DiscountTax = share
				left = left.Sub(share)
			}
		}
	}
	// 5. Tax lines and totals.
	if in.TaxLines == nil {
		o.TaxLines = s.buildTaxLines(o)
	}
	recomputeOrderTotals(o)
}

func linesGiveTotals(in *orderInput) bool {
	for _, li := range in.LineItems {
		if li.Total.Set {
			return true
		}
	}
	return false
}

// shippingTaxClass follows WooCommerce's "shipping tax class based on cart items"
// (WC_Tax::get_shipping_tax_rates): the standard class when a standard-rated item is in the
// cart; the one class when all items share it; else the first of the store's additional classes
// (in the order the store lists them: reduced rate before zero rate) that an item has, so a cart
// of 0 % and 9 % items gets shipping at 9 %. An order without items gets no shipping tax
// (noShippingTax).
func (s *Server) shippingTaxClass(o *Order) string {
	classes := map[string]bool{}
	for _, li := range o.LineItems {
		if li.TaxClass == "" || li.TaxClass == "standard" {
			return ""
		}
		classes[li.TaxClass] = true
	}
	if len(classes) == 0 {
		return noShippingTax
	}
	for _, t := range s.taxes {
		if classes[t.Class] {
			return t.Class
		}
	}
	return noShippingTax
}

// buildTaxLines aggregates item taxes per rate, reusing existing tax line ids.
func (s *Server) buildTaxLines(o *Order) []TaxLine {
	type agg struct{ items, ship decimal.Decimal }
	sums := map[int64]*agg{}
	var order []int64
	add := func(id int64, amt decimal.Decimal, ship bool) {
		a, ok := sums[id]
		if !ok {
			a = &agg{}
			sums[id] = a
			order = append(order, id)
		}
		if ship {
			a.ship = a.ship.Add(amt)
		} else {
			a.items = a.items.Add(amt)
		}
	}
	for _, li := range o.LineItems {
		for _, t := range li.Taxes {
			add(t.RateID, t.Total, false)
		}
	}
	for _, f := range o.FeeLines {
		for _, t := range f.Taxes {
			add(t.RateID, t.Total, false)
		}
	}
	for _, sl := range o.ShippingLines {
		for _, t := range sl.Taxes {
			add(t.RateID, t.Total, true)
		}
	}
	existing := map[int64]int64{}
	for _, tl := range o.TaxLines {
		existing[tl.RateID] = tl.ID
	}
	out := make([]TaxLine, 0, len(order))
	for _, id := range order {
		var rate TaxRate
		for _, t := range s.taxes {
			if t.ID == id {
				rate = t
			}
		}
		lineID, ok := existing[id]
		if !ok {
			s.nextItemID++
			lineID = s.nextItemID
		}
		out = append(out, TaxLine{ID: lineID, RateCode: rateCode(rate), RateID: id, Label: rate.Name,
			Compound: rate.Compound, TaxTotal: sums[id].items, ShippingTaxTotal: sums[id].ship, RatePercent: rate.Rate})
	}
	return out
}

// rateCode is WooCommerce's tax rate code: COUNTRY-STATE-NAME-PRIORITY, upper case.
func rateCode(r TaxRate) string {
	var parts []string
	for _, p := range []string{r.Country, r.State, r.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if r.Name == "" {
		parts = append(parts, "TAX")
	}
	parts = append(parts, strconv.FormatInt(r.Priority, 10))
	return strings.ToUpper(strings.Join(parts, "-"))
}

// recomputeOrderTotals sets the order-level totals from the items.
func recomputeOrderTotals(o *Order) {
	disc, discTax, ship, shipTax, cartTax, lines, fees := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	for _, li := range o.LineItems {
		disc = disc.Add(li.Subtotal.Sub(li.Total))
		discTax = discTax.Add(li.SubtotalTax.Sub(li.TotalTax))
		cartTax = cartTax.Add(li.TotalTax)
		lines = lines.Add(li.Total)
	}
	for _, f := range o.FeeLines {
		cartTax = cartTax.Add(f.TotalTax)
		fees = fees.Add(f.Total)
	}
	for _, sl := range o.ShippingLines {
		ship = ship.Add(sl.Total)
		shipTax = shipTax.Add(sl.TotalTax)
	}
	o.DiscountTotal, o.DiscountTax = disc, discTax
	o.ShippingTotal, o.ShippingTax = ship, shipTax
	o.CartTax = cartTax
	o.TotalTax = cartTax.Add(shipTax)
	o.Total = lines.Add(fees).Add(ship).Add(o.TotalTax)
}

// applyGivenTotals keeps order-level totals and tax lines the request gives.
func (s *Server) applyGivenTotals(o *Order, in *orderInput) {
	for _, m := range []struct {
		v   jMoney
		dst *decimal.Decimal
	}{{in.DiscountTotal, &o.DiscountTotal}, {in.DiscountTax, &o.DiscountTax}, {in.ShippingTotal, &o.ShippingTotal},
		{in.ShippingTax, &o.ShippingTax}, {in.CartTax, &o.CartTax}, {in.Total, &o.Total}, {in.TotalTax, &o.TotalTax}} {
		if m.v.Set && !m.v.Bad {
			*m.dst = m.v.V
		}
	}
	if in.TaxLines != nil {
		existing := map[int64]int64{}
		for _, tl := range o.TaxLines {
			existing[tl.RateID] = tl.ID
		}
		o.TaxLines = nil
		for _, t := range in.TaxLines {
			tl := TaxLine{RateID: t.RateID.V, TaxTotal: t.TaxTotal.V, ShippingTaxTotal: t.ShippingTaxTotal.V}
			tl.ID = existing[t.RateID.V]
			if tl.ID == 0 {
				s.nextItemID++
				tl.ID = s.nextItemID
			}
			for _, r := range s.taxes {
				if r.ID == tl.RateID {
					tl.RateCode, tl.Label, tl.Compound, tl.RatePercent = rateCode(r), r.Name, r.Compound, r.Rate
				}
			}
			o.TaxLines = append(o.TaxLines, tl)
		}
	}
}

// reduceStock lowers stock once for a paid/processing order and notes _reduced_stock on items.
func (s *Server) reduceStock(o *Order) {
	if o.stockReduced {
		return
	}
	o.stockReduced = true
	for i := range o.LineItems {
		li := &o.LineItems[i]
		id := li.ProductID
		if li.VariationID != 0 {
			id = li.VariationID
		}
		p, ok := s.products[id]
		if !ok {
			continue
		}
		p.TotalSales += li.Quantity
		if p.Type == "variation" {
			if parent, ok := s.products[p.ParentID]; ok {
				parent.TotalSales += li.Quantity
			}
			if p.ManageStockParent {
				if parent, ok := s.products[p.ParentID]; ok {
					p = parent
				}
			}
		}
		if !p.ManageStock || p.StockQuantity == nil {
			continue
		}
		q := *p.StockQuantity - li.Quantity
		p.StockQuantity = &q
		p.StockStatus = stockStatusFor(p)
		s.nextMetaID++
		v, _ := json.Marshal(strconv.FormatInt(li.Quantity, 10))
		li.MetaData = append(li.MetaData, Meta{ID: s.nextMetaID, Key: "_reduced_stock", Value: v})
	}
}

// restoreStock gives reduced stock back (an order cancelled or set back to pending).
func (s *Server) restoreStock(o *Order) {
	if !o.stockReduced {
		return
	}
	o.stockReduced = false
	for i := range o.LineItems {
		li := &o.LineItems[i]
		kept := li.MetaData[:0]
		var reduced int64
		for _, m := range li.MetaData {
			if m.Key == "_reduced_stock" {
				var v string
				if json.Unmarshal(m.Value, &v) == nil {
					reduced, _ = strconv.ParseInt(v, 10, 64)
				}
				continue
			}
			kept = append(kept, m)
		}
		li.MetaData = kept
		id := li.ProductID
		if li.VariationID != 0 {
			id = li.VariationID
		}
		p, ok := s.products[id]
		if !ok || reduced == 0 {
			continue
		}
		if p.Type == "variation" && p.ManageStockParent {
			if parent, ok := s.products[p.ParentID]; ok {
				p = parent
			}
		}
		if p.StockQuantity != nil {
			q := *p.StockQuantity + reduced
			p.StockQuantity = &q
			p.StockStatus = stockStatusFor(p)
		}
	}
}

// stockStatusFor derives stock_status from the quantity when stock is managed.
func stockStatusFor(p *Product) string {
	if !p.ManageStock || p.StockQuantity == nil {
		if p.StockStatus == "" {
			return "instock"
		}
		return p.StockStatus
	}
	if *p.StockQuantity > 0 {
		return "instock"
	}
	if p.Backorders == "yes" || p.Backorders == "notify" {
		return "onbackorder"
	}
	return "outofstock"
}

func invalidOrderID(status int) *wpError {
	return newErr(status, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
}

func dpOf(req *request) int {
	if v, ok := req.query.lookup("dp"); ok {
		if n, ok := parseInt(v); ok && n >= 0 && n <= 10 {
			return int(n)
		}
	}
	return 2
}

// createOrderLocked creates an order from a decoded request; the caller holds mu.
func (s *Server) createOrderLocked(in *orderInput, seed bool) (*Order, *wpError) {
	if e := in.validate(); e != nil {
		return nil, e
	}
	now := s.now()
	o := &Order{Status: "pending", Currency: s.opts.Currency, CreatedVia: "rest-api", Version: s.opts.Version,
		PricesIncludeTax: s.opts.PricesIncludeTax, DateCreated: now, DateModified: now}
	// Ids and keys are taken only on success, so a refused request leaves no gap.
	saved := [3]int64{s.nextPostID, s.nextItemID, s.nextMetaID}
	if e := s.applyOrder(o, in, true, seed); e != nil {
		s.nextPostID, s.nextItemID, s.nextMetaID = saved[0], saved[1], saved[2]
		if e.Code == codeInvalidCoupon && !seed {
			s.leaveCheckoutDraft(in)
		}
		return nil, e
	}
	if seed && in.ID.Set && in.ID.V > 0 {
		if _, taken := s.orders[in.ID.V]; taken {
			return nil, newErr(http.StatusBadRequest, "woocommerce_rest_shop_order_exists", "Cannot create existing order.")
		}
		o.ID = in.ID.V
		if o.ID > s.nextPostID {
			s.nextPostID = o.ID
		}
	} else {
		s.nextPostID++
		o.ID = s.nextPostID
	}
	if o.Number == "" {
		o.Number = strconv.FormatInt(o.ID, 10)
	}
	if o.OrderKey == "" {
		o.OrderKey = s.newOrderKey()
	}
	if seed {
		if t, ok := seedTime(in.DateCreatedGMT); ok {
			o.DateCreated = t
			o.DateModified = t
		}
		if t, ok := seedTime(in.DateModifiedGMT); ok {
			o.DateModified = t
		}
	}
	s.orders[o.ID] = o
	s.modIdx.put(o)
	return o, nil
}

func seedTime(v jString) (time.Time, bool) {
	if !v.Set || v.V == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(wcDateLayout, strings.TrimSuffix(v.V, "Z"))
	return t, err == nil
}

// updateOrderLocked applies an update to a stored order; the caller holds mu.
func (s *Server) updateOrderLocked(id int64, in *orderInput) (*Order, *wpError) {
	cur, ok := s.orders[id]
	if !ok {
		return nil, invalidOrderID(http.StatusBadRequest)
	}
	if e := in.validate(); e != nil {
		return nil, e
	}
	c := cur.clone()
	saved := [3]int64{s.nextPostID, s.nextItemID, s.nextMetaID}
	if e := s.applyOrder(&c, in, false, false); e != nil {
		s.nextPostID, s.nextItemID, s.nextMetaID = saved[0], saved[1], saved[2]
		return nil, e
	}
	c.DateModified = s.now()
	c.Version = s.opts.Version
	*cur = c
	s.modIdx.put(cur)
	return cur, nil
}

func (s *Server) listOrders(w http.ResponseWriter, req *request) {
	lp, e := s.parseList(req.query, ordersCollection)
	if e == nil {
		e = cannotList(req)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.recordPerPage(lp.PerPage)
	home := s.homeURL(req)
	// The page is rendered under the lock (rendering reads products too) and encoded after it.
	s.mu.Lock()
	out, total := s.orderPageLocked(lp, home)
	s.mu.Unlock()
	pages := (total + lp.PerPage - 1) / lp.PerPage
	if len(out) == 0 && lp.Page > 1 {
		// HPOS on WooCommerce 10: a page past the end reports zero totals.
		total, pages = 0, 0
	}
	w.Header().Set("Allow", "GET, POST")
	s.setPaging(w, req, lp, total, pages, []qp{{"status[0]", "any"}, {"dp", "2"}, {"context", "view"}})
	writeJSON(w, http.StatusOK, out)
}

// orderPageLocked renders the requested page of the orders matching lp and counts all matches;
// the caller holds mu. orderby=modified&order=asc (the incremental listing every client uses)
// walks the modification index from modified_after on; other orderings sort the matches.
func (s *Server) orderPageLocked(lp *listParams, home string) (out []any, total int) {
	from := (lp.Page - 1) * lp.PerPage
	if lp.HasOffset {
		from = lp.Offset
	}
	out = make([]any, 0, lp.PerPage)
	if lp.OrderBy == "modified" && lp.Order == "asc" {
		idx := s.modIdx.sorted(s.orders)
		start := 0
		dates := lp.After != nil || lp.Before != nil || lp.ModBefore != nil || lp.ModAfter != nil
		if lp.ModAfter != nil && lp.DatesAreGMT {
			start = firstModifiedAfter(idx, lp.ModAfter.t)
			dates = lp.After != nil || lp.Before != nil || lp.ModBefore != nil
		}
		mask, quick := statusMask(lp), onlyStatusFilter(lp)
		// The orders of one second come in the order tieOrder gives them, every request anew.
		var group []*Order
		for i := start; i < len(idx); {
			sec := idx[i].sec
			group = group[:0]
			for ; i < len(idx) && idx[i].sec == sec; i++ {
				en := idx[i]
				if quick && mask&(uint64(1)<<en.status) == 0 {
					continue
				}
				o := en.o
				if (!quick && !orderMatches(o, lp)) || (dates && !s.dateFilter(lp, o.DateCreated, o.DateModified)) {
					continue
				}
				group = append(group, o)
			}
			if len(group) > 1 && total+len(group) > from && total < from+lp.PerPage {
				s.tieOrder(group)
			}
			for _, o := range group {
				if total >= from && len(out) < lp.PerPage {
					out = append(out, s.renderOrder(o, home, lp.DP))
				}
				total++
			}
		}
		return out, total
	}
	var recs []sortable
	for _, id := range sortedKeys(s.orders) {
		o := s.orders[id]
		if !orderMatches(o, lp) || !s.dateFilter(lp, o.DateCreated, o.DateModified) {
			continue
		}
		recs = append(recs, sortable{id: o.ID, created: o.DateCreated, modified: o.DateModified, title: o.Number})
	}
	sortRecords(recs, lp)
	lo, hi, _ := pageBounds(lp, len(recs))
	for _, r := range recs[lo:hi] {
		out = append(out, s.renderOrder(s.orders[r.id], home, lp.DP))
	}
	return out, len(recs)
}

// orderMatches applies status, ids, customer, product and search.
func orderMatches(o *Order, lp *listParams) bool {
	if !idFilter(lp, o.ID, o.ParentID) {
		return false
	}
	statusOK := false
	for _, st := range lp.Status {
		// "any" is every status but trash: checkout-draft and auto-draft orders too, as a
		// WooCommerce 10 store with HPOS lists them (reference A.8b).
		if st == "any" && o.Status != "trash" || st == o.Status {
			statusOK = true
		}
	}
	if !statusOK {
		return false
	}
	if lp.Customer != nil && o.CustomerID != *lp.Customer {
		return false
	}
	if lp.Product != nil {
		found := false
		for _, li := range o.LineItems {
			if li.ProductID == *lp.Product || li.VariationID == *lp.Product {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	if lp.Search != "" {
		q := strings.ToLower(lp.Search)
		hay := strings.ToLower(strings.Join([]string{strconv.FormatInt(o.ID, 10), o.Number, o.Billing.FirstName, o.Billing.LastName,
			o.Billing.Company, o.Billing.Email, o.Billing.City, o.Shipping.FirstName, o.Shipping.LastName, o.Shipping.Company}, " "))
		for _, li := range o.LineItems {
			hay += " " + strings.ToLower(li.Name)
		}
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}

func (s *Server) getOrder(w http.ResponseWriter, req *request, id int64) {
	if e := cannotView(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		writeError(w, invalidOrderID(http.StatusNotFound))
		return
	}
	writeJSON(w, http.StatusOK, s.renderOrder(o, s.homeURL(req), dpOf(req)))
}

func (s *Server) createOrder(w http.ResponseWriter, req *request) {
	var in orderInput
	if e := decodeCreate(req, &in); e != nil {
		writeError(w, e)
		return
	}
	if in.ID.Set && in.ID.V != 0 {
		writeError(w, newErr(http.StatusBadRequest, "woocommerce_rest_shop_order_exists", "Cannot create existing order."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, e := s.createOrderLocked(&in, false)
	if e != nil {
		writeError(w, e)
		return
	}
	home := s.homeURL(req)
	w.Header().Set("Location", home+"/wp-json/wc/v3/orders/"+strconv.FormatInt(o.ID, 10))
	writeJSON(w, http.StatusCreated, s.renderOrder(o, home, dpOf(req)))
}

func (s *Server) updateOrder(w http.ResponseWriter, req *request, id int64) {
	var in orderInput
	if e := decodeBody(req.r, &in); e != nil {
		writeError(w, e)
		return
	}
	if e := cannotEdit(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, e := s.updateOrderLocked(id, &in)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, s.renderOrder(o, s.homeURL(req), dpOf(req)))
}

// deleteOrderLocked trashes (or with force deletes) an order and returns it as it was answered.
func (s *Server) deleteOrderLocked(id int64, force bool, home string, dp int) (orderedMap, *wpError) {
	o, ok := s.orders[id]
	if !ok {
		return nil, invalidOrderID(http.StatusNotFound)
	}
	if force {
		out := s.renderOrder(o, home, dp)
		delete(s.orders, id)
		s.modIdx.del(id)
		return out, nil
	}
	if o.Status == "trash" {
		return nil, newErr(http.StatusGone, "woocommerce_rest_already_trashed", "The order has already been deleted.")
	}
	o.Status = "trash"
	o.DateModified = s.now()
	s.modIdx.put(o)
	return s.renderOrder(o, home, dp), nil
}

func (s *Server) deleteOrder(w http.ResponseWriter, req *request, id int64) {
	force := false
	if v, ok := req.query.lookup("force"); ok {
		b, valid := parseBool(v)
		if !valid {
			writeError(w, invalidParams(typeProblem("force", "boolean")))
			return
		}
		force = b
	}
	if e := cannotDelete(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out, e := s.deleteOrderLocked(id, force, s.homeURL(req), dpOf(req))
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// batchInput is a batch request body; items stay raw so one bad item fails alone.
type batchInput struct {
	Create []json.RawMessage `json:"create"`
	Update []json.RawMessage `json:"update"`
	Delete []json.RawMessage `json:"delete"`
}

func batchTooLarge() *wpError {
	return newErr(http.StatusRequestEntityTooLarge, "woocommerce_rest_request_entity_too_large",
		"Unable to accept more than "+strconv.Itoa(batchLimit)+" items for this request.")
}

func itemError(id int64, e *wpError) orderedMap {
	return orderedMap{{"id", id}, {"error", orderedMap{{"code", e.Code}, {"message", e.Message}, {"data", orderedMap{{"status", e.Status}}}}}}
}

func (s *Server) readBatch(w http.ResponseWriter, req *request) (*batchInput, bool) {
	var in batchInput
	if e := decodeBody(req.r, &in); e != nil {
		writeError(w, e)
		return nil, false
	}
	if len(in.Create)+len(in.Update)+len(in.Delete) > batchLimit {
		writeError(w, batchTooLarge())
		return nil, false
	}
	if e := cannotBatch(req); e != nil {
		writeError(w, e)
		return nil, false
	}
	return &in, true
}

// batchID reads a delete entry: an id number or numeric string.
func batchID(raw json.RawMessage) int64 {
	var j jInt
	_ = j.UnmarshalJSON(raw)
	if j.Bad {
		return 0
	}
	return j.V
}

func (s *Server) batchOrders(w http.ResponseWriter, req *request) {
	in, ok := s.readBatch(w, req)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	home, dp := s.homeURL(req), dpOf(req)
	out := orderedMap{}
	if len(in.Create) > 0 {
		res := make([]any, 0, len(in.Create))
		for _, raw := range in.Create {
			var oi orderInput
			if err := json.Unmarshal(raw, &oi); err != nil {
				res = append(res, itemError(0, newErr(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")))
				continue
			}
			o, e := s.createOrderLocked(&oi, false)
			if e != nil {
				res = append(res, itemError(0, e))
				continue
			}
			res = append(res, s.renderOrder(o, home, dp))
		}
		out = append(out, kv{"create", res})
	}
	if len(in.Update) > 0 {
		res := make([]any, 0, len(in.Update))
		for _, raw := range in.Update {
			var oi orderInput
			if err := json.Unmarshal(raw, &oi); err != nil {
				res = append(res, itemError(0, newErr(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")))
				continue
			}
			o, e := s.updateOrderLocked(oi.ID.V, &oi)
			if e != nil {
				res = append(res, itemError(oi.ID.V, e))
				continue
			}
			res = append(res, s.renderOrder(o, home, dp))
		}
		out = append(out, kv{"update", res})
	}
	if len(in.Delete) > 0 {
		res := make([]any, 0, len(in.Delete))
		for _, raw := range in.Delete {
			id := batchID(raw)
			r, e := s.deleteOrderLocked(id, true, home, dp)
			if e != nil {
				res = append(res, itemError(id, e))
				continue
			}
			res = append(res, r)
		}
		out = append(out, kv{"delete", res})
	}
	writeJSON(w, http.StatusOK, out)
}
