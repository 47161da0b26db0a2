package simulator

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Address is a billing or shipping address as WooCommerce stores it. Email is only rendered on
// billing addresses.
type Address struct {
	FirstName string
	LastName  string
	Company   string
	Address1  string
	Address2  string
	City      string
	State     string
	Postcode  string
	Country   string
	Email     string
	Phone     string
}

// Meta is one meta_data entry. Value holds raw JSON (a string, number, object or array);
// DisplayKey and DisplayValue are only rendered on order items and default to Key and Value.
type Meta struct {
	ID           int64
	Key          string
	Value        json.RawMessage
	DisplayKey   string
	DisplayValue string
}

// ItemTax is one entry of an order item's taxes[] array: the tax rate id and the amounts.
// Subtotal is invalid (rendered as "") on shipping and fee lines, as WooCommerce does.
type ItemTax struct {
	RateID   int64
	Total    decimal.Decimal
	Subtotal decimal.NullDecimal
}

// LineItem is an order's product line. Amounts exclude tax (also in tax-inclusive shops);
// the gross line amount is Total + TotalTax. SKU, price, image and parent_name are rendered
// from the current product catalogue, as WooCommerce does.
type LineItem struct {
	ID          int64
	Name        string
	ProductID   int64
	VariationID int64
	Quantity    int64
	TaxClass    string
	Subtotal    decimal.Decimal
	SubtotalTax decimal.Decimal
	Total       decimal.Decimal
	TotalTax    decimal.Decimal
	Taxes       []ItemTax
	MetaData    []Meta
	// catalogue marks amounts taken from the catalogue price (not yet adjusted for a
	// tax-inclusive shop); fixedTax marks taxes given by the request (kept, not computed).
	catalogue bool
	fixedTax  bool
}

// TaxLine is one order tax_lines[] entry: the totals per tax rate.
type TaxLine struct {
	ID               int64
	RateCode         string
	RateID           int64
	Label            string
	Compound         bool
	TaxTotal         decimal.Decimal
	ShippingTaxTotal decimal.Decimal
	RatePercent      decimal.Decimal
	MetaData         []Meta
}

// ShippingLine is one shipping_lines[] entry.
type ShippingLine struct {
	ID          int64
	MethodTitle string
	MethodID    string
	InstanceID  string
	Total       decimal.Decimal
	TotalTax    decimal.Decimal
	Taxes       []ItemTax
	TaxStatus   string
	MetaData    []Meta
}

// FeeLine is one fee_lines[] entry; Total may be negative.
type FeeLine struct {
	ID        int64
	Name      string
	TaxClass  string
	TaxStatus string
	Total     decimal.Decimal
	TotalTax  decimal.Decimal
	Taxes     []ItemTax
	MetaData  []Meta
}

// CouponLine is one coupon_lines[] entry.
type CouponLine struct {
	ID            int64
	Code          string
	Discount      decimal.Decimal
	DiscountTax   decimal.Decimal
	DiscountType  string
	NominalAmount decimal.Decimal
	FreeShipping  bool
	MetaData      []Meta
}

// Refund is one refund of an order. Total is negative, as the order's refunds[] summary renders
// it; Amount is the positive amount GET /orders/{id}/refunds shows. Items are the refunded
// product lines, shipping lines and fees (none for an amount-only refund).
type Refund struct {
	ID              int64
	Reason          string
	Total           decimal.Decimal
	Amount          decimal.Decimal
	DateCreated     time.Time
	RefundedBy      int64
	RefundedPayment bool
	Items           []RefundItem
}

// RefundItem is one item of a refund, stored as WooCommerce stores it: the item type of the
// refunded item ("line_item", "shipping", "fee"), negative quantity and amounts, and the id of
// the refunded order item (meta _refunded_item_id).
type RefundItem struct {
	ID             int64
	Type           string
	RefundedItemID int64
	MetaID         int64
	Name           string
	ProductID      int64
	VariationID    int64
	Quantity       int64
	TaxClass       string
	MethodID       string
	Total          decimal.Decimal
	TotalTax       decimal.Decimal
	Taxes          []ItemTax
}

// Order is an order as the simulator stores it. Times are instants (rendered in the site
// timezone and in GMT, at second resolution); money is decimal and rendered as strings.
type Order struct {
	ID                 int64
	ParentID           int64
	Number             string
	OrderKey           string
	CreatedVia         string
	Version            string
	Status             string
	Currency           string
	PricesIncludeTax   bool
	DateCreated        time.Time
	DateModified       time.Time
	DatePaid           *time.Time
	DateCompleted      *time.Time
	DiscountTotal      decimal.Decimal
	DiscountTax        decimal.Decimal
	ShippingTotal      decimal.Decimal
	ShippingTax        decimal.Decimal
	CartTax            decimal.Decimal
	Total              decimal.Decimal
	TotalTax           decimal.Decimal
	CustomerID         int64
	CustomerIPAddress  string
	CustomerUserAgent  string
	CustomerNote       string
	Billing            Address
	Shipping           Address
	PaymentMethod      string
	PaymentMethodTitle string
	TransactionID      string
	CartHash           string
	MetaData           []Meta
	LineItems          []LineItem
	TaxLines           []TaxLine
	ShippingLines      []ShippingLine
	FeeLines           []FeeLine
	CouponLines        []CouponLine
	Refunds            []Refund
	// stockReduced records that stock was reduced for this order (WooCommerce's
	// _order_stock_reduced flag), so it is done once.
	stockReduced bool
}

// Attribute is a product attribute (Options set, on a product) or a variation's chosen value
// (Option set, on a variation).
type Attribute struct {
	ID        int64
	Name      string
	Slug      string
	Position  int
	Visible   bool
	Variation bool
	Options   []string
	Option    string
}

// Product is a product or a variation (Type "variation", ParentID set) as the simulator
// stores it. Products, variations and orders share one id sequence, as WordPress posts do.
type Product struct {
	ID               int64
	ParentID         int64
	Type             string
	Name             string
	Slug             string
	Status           string
	SKU              string
	Description      string
	ShortDescription string
	RegularPrice     decimal.NullDecimal
	SalePrice        decimal.NullDecimal
	TaxStatus        string
	TaxClass         string
	ManageStock      bool
	// ManageStockParent renders manage_stock as "parent" on a variation whose stock is kept
	// by the parent product.
	ManageStockParent bool
	StockQuantity     *int64
	StockStatus       string
	Backorders        string
	Virtual           bool
	Downloadable      bool
	Weight            string
	TotalSales        int64
	Attributes        []Attribute
	MenuOrder         int64
	DateCreated       time.Time
	DateModified      time.Time
	MetaData          []Meta
}

// Coupon is a coupon the store knows; coupon_lines in POST /orders must name one.
// DiscountType is "percent" or "fixed_cart"; Amount is the percentage or the amount.
type Coupon struct {
	ID           int64
	Code         string
	DiscountType string
	Amount       decimal.Decimal
	FreeShipping bool
	Description  string
	DateCreated  time.Time
}

// TaxRate is one row of the store's tax table (GET /taxes). Class is "standard",
// "reduced-rate", "zero-rate" or a custom slug.
type TaxRate struct {
	ID       int64
	Country  string
	State    string
	Rate     decimal.Decimal
	Name     string
	Priority int64
	Compound bool
	Shipping bool
	Order    int64
	Class    string
}

func copyMeta(in []Meta) []Meta {
	if in == nil {
		return nil
	}
	out := make([]Meta, len(in))
	for i, m := range in {
		m.Value = append(json.RawMessage(nil), m.Value...)
		out[i] = m
	}
	return out
}

func copyTaxes(in []ItemTax) []ItemTax {
	if in == nil {
		return nil
	}
	return append([]ItemTax(nil), in...)
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}

// clone returns a deep copy of o, so snapshots never share memory with the store.
func (o *Order) clone() Order {
	c := *o
	c.DatePaid = copyTime(o.DatePaid)
	c.DateCompleted = copyTime(o.DateCompleted)
	c.MetaData = copyMeta(o.MetaData)
	c.LineItems = make([]LineItem, len(o.LineItems))
	for i, li := range o.LineItems {
		li.Taxes = copyTaxes(li.Taxes)
		li.MetaData = copyMeta(li.MetaData)
		c.LineItems[i] = li
	}
	c.TaxLines = make([]TaxLine, len(o.TaxLines))
	for i, tl := range o.TaxLines {
		tl.MetaData = copyMeta(tl.MetaData)
		c.TaxLines[i] = tl
	}
	c.ShippingLines = make([]ShippingLine, len(o.ShippingLines))
	for i, sl := range o.ShippingLines {
		sl.Taxes = copyTaxes(sl.Taxes)
		sl.MetaData = copyMeta(sl.MetaData)
		c.ShippingLines[i] = sl
	}
	c.FeeLines = make([]FeeLine, len(o.FeeLines))
	for i, fl := range o.FeeLines {
		fl.Taxes = copyTaxes(fl.Taxes)
		fl.MetaData = copyMeta(fl.MetaData)
		c.FeeLines[i] = fl
	}
	c.CouponLines = make([]CouponLine, len(o.CouponLines))
	for i, cl := range o.CouponLines {
		cl.MetaData = copyMeta(cl.MetaData)
		c.CouponLines[i] = cl
	}
	c.Refunds = make([]Refund, len(o.Refunds))
	for i, r := range o.Refunds {
		r.Items = append([]RefundItem(nil), r.Items...)
		for j := range r.Items {
			r.Items[j].Taxes = copyTaxes(r.Items[j].Taxes)
		}
		c.Refunds[i] = r
	}
	return c
}

// clone returns a deep copy of p.
func (p *Product) clone() Product {
	c := *p
	if p.StockQuantity != nil {
		v := *p.StockQuantity
		c.StockQuantity = &v
	}
	c.Attributes = make([]Attribute, len(p.Attributes))
	for i, a := range p.Attributes {
		a.Options = append([]string(nil), a.Options...)
		c.Attributes[i] = a
	}
	c.MetaData = copyMeta(p.MetaData)
	return c
}
