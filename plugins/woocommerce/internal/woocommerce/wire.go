package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// wcDecimal is a WooCommerce amount: a JSON string ("12.10", "0.9", ""), a JSON number (line
// price 17.955, rate_percent 21) or null. It is parsed from the JSON text, never via float64.
type wcDecimal struct {
	D     decimal.Decimal
	Valid bool // false for null, "" or an absent field
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *wcDecimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*d = wcDecimal{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		s = strings.TrimSpace(scalarText(b))
		if s == "" {
			return nil
		}
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %q is not a decimal number", truncate(s, 40))
	}
	d.D, d.Valid = v, true
	return nil
}

// wcID is an id WooCommerce sends as a number, or sometimes as a string ("" for none).
type wcID string

// UnmarshalJSON implements json.Unmarshaler.
func (i *wcID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*i = ""
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*i = wcID(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id %q is not a number", truncate(string(b), 40))
	}
	*i = wcID(n.String())
	return nil
}

// String returns the id, "" for none and for 0.
func (i wcID) String() string {
	if i == "0" {
		return ""
	}
	return string(i)
}

// Int returns the id as an integer (0 when none or not numeric).
func (i wcID) Int() int64 {
	n, _ := strconv.ParseInt(string(i), 10, 64)
	return n
}

// wcString is a string field that some stores send as null, a number or a bool.
type wcString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *wcString) UnmarshalJSON(b []byte) error {
	*s = wcString(scalarText(b))
	return nil
}

// scalarText renders a JSON scalar as text: strings unquoted, numbers and bools as written,
// null, objects and arrays as "".
func scalarText(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return ""
	}
	switch b[0] {
	case '"':
		if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
			return string(b[1 : len(b)-1]) // no escapes: the common case, without a second parse
		}
		var v string
		if json.Unmarshal(b, &v) == nil {
			return v
		}
		return ""
	case '{', '[', 'n':
		return ""
	}
	return string(b)
}

// wcTime is a WooCommerce date "2006-01-02T15:04:05" without zone (or null). The *_gmt fields
// are UTC; others are site-local.
type wcTime struct {
	T     time.Time
	Valid bool
}

// wcTimeLayouts are the forms WooCommerce (and hand-made fixtures) use.
var wcTimeLayouts = []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05"}

// UnmarshalJSON implements json.Unmarshaler. A malformed date is an error, and so is one that
// is 0001-01-01T00:00:00 UTC (Go's zero time, which stands for no date) or outside the years 1
// to 9999 in UTC (it could not be written as JSON or RFC 3339 again).
func (t *wcTime) UnmarshalJSON(b []byte) error {
	*t = wcTime{}
	s := scalarText(b)
	if s == "" {
		return nil
	}
	for _, l := range wcTimeLayouts {
		if v, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			v = v.UTC()
			if err := sdk.CheckOrderTime(v); err != nil {
				return fmt.Errorf("date %q %v", truncate(s, 40), err)
			}
			t.T, t.Valid = v, true
			return nil
		}
	}
	return fmt.Errorf("date %q is not in WooCommerce's format", truncate(s, 40))
}

// formatWCTime renders t in UTC as WooCommerce expects dates with dates_are_gmt=true.
func formatWCTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// wcOrder is the part of a v3 order object the connector reads.
type wcOrder struct {
	ID               wcID       `json:"id"`
	ParentID         wcID       `json:"parent_id"`
	Number           wcString   `json:"number"`
	OrderKey         wcString   `json:"order_key"`
	CreatedVia       wcString   `json:"created_via"`
	Version          wcString   `json:"version"`
	Status           wcString   `json:"status"`
	Currency         wcString   `json:"currency"`
	DateCreated      wcTime     `json:"date_created"`
	DateCreatedGMT   wcTime     `json:"date_created_gmt"`
	DateModified     wcTime     `json:"date_modified"`
	DateModifiedGMT  wcTime     `json:"date_modified_gmt"`
	DatePaid         wcTime     `json:"date_paid"`
	DatePaidGMT      wcTime     `json:"date_paid_gmt"`
	DiscountTotal    wcDecimal  `json:"discount_total"`
	DiscountTax      wcDecimal  `json:"discount_tax"`
	ShippingTotal    wcDecimal  `json:"shipping_total"`
	ShippingTax      wcDecimal  `json:"shipping_tax"`
	Total            wcDecimal  `json:"total"`
	TotalTax         wcDecimal  `json:"total_tax"`
	PricesIncludeTax bool       `json:"prices_include_tax"`
	CustomerID       wcID       `json:"customer_id"`
	CustomerNote     wcString   `json:"customer_note"`
	Billing          wcAddress  `json:"billing"`
	Shipping         wcAddress  `json:"shipping"`
	PaymentMethod    wcString   `json:"payment_method"`
	PaymentTitle     wcString   `json:"payment_method_title"`
	TransactionID    wcString   `json:"transaction_id"`
	MetaData         []wcMeta   `json:"meta_data"`
	LineItems        []wcLine   `json:"line_items"`
	TaxLines         []wcTaxRow `json:"tax_lines"`
	ShippingLines    []wcCharge `json:"shipping_lines"`
	FeeLines         []wcCharge `json:"fee_lines"`
	CouponLines      []wcCoupon `json:"coupon_lines"`
	Refunds          []wcRefund `json:"refunds"`
}

// wcAddress is a billing or shipping address.
type wcAddress struct {
	FirstName wcString `json:"first_name"`
	LastName  wcString `json:"last_name"`
	Company   wcString `json:"company"`
	Address1  wcString `json:"address_1"`
	Address2  wcString `json:"address_2"`
	City      wcString `json:"city"`
	State     wcString `json:"state"`
	Postcode  wcString `json:"postcode"`
	Country   wcString `json:"country"`
	Email     wcString `json:"email"`
	Phone     wcString `json:"phone"`
}

// wcMeta is one meta_data entry; values may be any JSON.
type wcMeta struct {
	Key          wcString        `json:"key"`
	Value        json.RawMessage `json:"value"`
	DisplayKey   json.RawMessage `json:"display_key"`
	DisplayValue json.RawMessage `json:"display_value"`
}

// wcTax is one entry of a line's taxes[]: the tax rate id and its amount.
type wcTax struct {
	ID       wcID      `json:"id"`
	Total    wcDecimal `json:"total"`
	Subtotal wcDecimal `json:"subtotal"`
}

// wcLine is one line_items entry.
type wcLine struct {
	ID          wcID      `json:"id"`
	Name        wcString  `json:"name"`
	ProductID   wcID      `json:"product_id"`
	VariationID wcID      `json:"variation_id"`
	Quantity    wcDecimal `json:"quantity"`
	TaxClass    wcString  `json:"tax_class"`
	Subtotal    wcDecimal `json:"subtotal"`
	SubtotalTax wcDecimal `json:"subtotal_tax"`
	Total       wcDecimal `json:"total"`
	TotalTax    wcDecimal `json:"total_tax"`
	Taxes       []wcTax   `json:"taxes"`
	MetaData    []wcMeta  `json:"meta_data"`
	SKU         wcString  `json:"sku"`
	Price       wcDecimal `json:"price"`
	ParentName  wcString  `json:"parent_name"`
}

// wcTaxRow is one tax_lines entry: a tax rate used on the order.
type wcTaxRow struct {
	ID          wcID      `json:"id"`
	RateCode    wcString  `json:"rate_code"`
	RateID      wcID      `json:"rate_id"`
	Label       wcString  `json:"label"`
	Compound    bool      `json:"compound"`
	TaxTotal    wcDecimal `json:"tax_total"`
	ShipTax     wcDecimal `json:"shipping_tax_total"`
	RatePercent wcDecimal `json:"rate_percent"`
}

// wcCharge is a shipping_lines or fee_lines entry.
type wcCharge struct {
	ID          wcID      `json:"id"`
	MethodTitle wcString  `json:"method_title"`
	MethodID    wcString  `json:"method_id"`
	Name        wcString  `json:"name"`
	TaxStatus   wcString  `json:"tax_status"`
	Total       wcDecimal `json:"total"`
	TotalTax    wcDecimal `json:"total_tax"`
	Taxes       []wcTax   `json:"taxes"`
	MetaData    []wcMeta  `json:"meta_data"`
}

// wcCoupon is a coupon_lines entry.
type wcCoupon struct {
	ID          wcID      `json:"id"`
	Code        wcString  `json:"code"`
	Discount    wcDecimal `json:"discount"`
	DiscountTax wcDecimal `json:"discount_tax"`
}

// wcRefund is a refunds entry; Total is negative.
type wcRefund struct {
	ID     wcID      `json:"id"`
	Reason wcString  `json:"reason"`
	Total  wcDecimal `json:"total"`
}

// wcRefundDoc is one refund of GET /orders/{id}/refunds: amount positive, items with negative
// quantities and amounts, each naming the refunded order item in meta _refunded_item_id.
// shipping_lines and fee_lines are absent in stores older than WooCommerce 9.
type wcRefundDoc struct {
	ID             wcID       `json:"id"`
	DateCreated    wcTime     `json:"date_created"`
	DateCreatedGMT wcTime     `json:"date_created_gmt"`
	Amount         wcDecimal  `json:"amount"`
	Reason         wcString   `json:"reason"`
	LineItems      []wcLine   `json:"line_items"`
	ShippingLines  []wcCharge `json:"shipping_lines"`
	FeeLines       []wcCharge `json:"fee_lines"`
}

// wcProduct is the part of a product or variation the connector reads.
type wcProduct struct {
	ID              wcID            `json:"id"`
	ParentID        wcID            `json:"parent_id"`
	Type            wcString        `json:"type"`
	Status          wcString        `json:"status"`
	Name            wcString        `json:"name"`
	SKU             wcString        `json:"sku"`
	Price           wcDecimal       `json:"price"`
	RegularPrice    wcDecimal       `json:"regular_price"`
	TaxClass        wcString        `json:"tax_class"`
	TaxStatus       wcString        `json:"tax_status"`   // taxable, shipping or none
	ManageStock     json.RawMessage `json:"manage_stock"` // true, false or "parent"
	StockQuantity   wcDecimal       `json:"stock_quantity"`
	DateModified    wcTime          `json:"date_modified"`
	DateModifiedGMT wcTime          `json:"date_modified_gmt"`
	Variations      []wcID          `json:"variations"`
	Attributes      []wcVarAttr     `json:"attributes"`
}

// wcVarAttr is a variation's attribute (name, option); products' attributes have options
// instead and are ignored.
type wcVarAttr struct {
	Name   wcString `json:"name"`
	Option wcString `json:"option"`
}

// managesStock reports whether manage_stock is true (a variation's "parent" counts as managed
// by the parent, which is reported as true as well since the quantity is tracked).
func (p wcProduct) managesStock() bool {
	s := strings.TrimSpace(string(p.ManageStock))
	return s == "true" || s == `"parent"`
}

// wcError is the WP REST error body.
type wcError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Status int                        `json:"status"`
		Params map[string]json.RawMessage `json:"params"`
	} `json:"data"`
}

// batchReply is the answer of a /batch endpoint.
type batchReply struct {
	Update []batchItem `json:"update"`
}

// batchItem is one element of a batch answer: a product or an error.
type batchItem struct {
	ID            wcID            `json:"id"`
	SKU           wcString        `json:"sku"`
	ManageStock   json.RawMessage `json:"manage_stock"`
	StockQuantity wcDecimal       `json:"stock_quantity"`
	Error         *wcError        `json:"error"`
}
