package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Statuses are the order statuses the simulated shop knows (assumed, API.md "Order statuses").
var Statuses = []string{"new", "pending_payment", "paid", "processing", "shipped", "completed", "cancelled", "refunded"}

func knownStatus(s string) bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Amount is a money amount rendered as a JSON string with two decimals ("12.10"). It reads
// strings and numbers.
type Amount struct{ decimal.Decimal }

// A makes an Amount from a decimal literal; it returns zero for a malformed one (generator and
// tests only use literals).
func A(s string) Amount {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}
	}
	return Amount{d}
}

// MarshalJSON implements json.Marshaler, with two decimals at least.
// Amounts with more than two decimals (a unit price after a discount) keep them.
func (a Amount) MarshalJSON() ([]byte, error) {
	if !a.Round(2).Equal(a.Decimal) {
		return []byte(`"` + a.String() + `"`), nil
	}
	return []byte(`"` + a.StringFixed(2) + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*a = Amount{}
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("amount %s: not a decimal", b)
	}
	a.Decimal = d
	return nil
}

// Time is a timestamp rendered as RFC 3339 in Europe/Amsterdam with its offset, whole seconds.
type Time struct{ time.Time }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.In(amsterdam).Format(time.RFC3339) + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("time %q: want RFC 3339", s)
	}
	t.Time = v.Truncate(time.Second)
	return nil
}

// Order is an order as the API renders it (API.md "Order").
type Order struct {
	ID               int64    `json:"id"`
	Number           string   `json:"number"`
	Status           string   `json:"status"`
	CreatedAt        Time     `json:"created_at"`
	UpdatedAt        Time     `json:"updated_at"`
	Currency         string   `json:"currency"`
	PricesIncludeVAT bool     `json:"prices_include_vat"`
	Customer         Customer `json:"customer"`
	BillingAddress   Address  `json:"billing_address"`
	ShippingAddress  *Address `json:"shipping_address"`
	Lines            []Line   `json:"lines"`

	ShippingMethod      string     `json:"shipping_method"`
	ShippingMethodName  string     `json:"shipping_method_name"`
	ShippingCosts       Amount     `json:"shipping_costs"`
	ShippingVATRate     Amount     `json:"shipping_vat_rate"`
	ShippingVAT         Amount     `json:"shipping_vat"`
	PaymentCosts        Amount     `json:"payment_costs"`
	PaymentCostsVATRate Amount     `json:"payment_costs_vat_rate"`
	PaymentCostsVAT     Amount     `json:"payment_costs_vat"`
	Discounts           []Discount `json:"discounts"`

	PaymentMethod     string `json:"payment_method"`
	PaymentMethodName string `json:"payment_method_name"`
	Paid              bool   `json:"paid"`
	PaidAt            Time   `json:"paid_at"`
	TransactionID     string `json:"transaction_id,omitempty"`

	TotalExclVAT   Amount `json:"total_excl_vat"`
	VATTotal       Amount `json:"vat_total"`
	TotalInclVAT   Amount `json:"total_incl_vat"`
	RefundedAmount Amount `json:"refunded_amount"`
	CustomerNote   string `json:"customer_note"`
	// Refunds are the order's refunds, oldest first (assumed shape, API.md "Refunds").
	Refunds []Refund `json:"refunds,omitempty"`
}

// Refund is one refund of an order (assumed): the amount paid back including VAT, the lines,
// shipping and payment costs it names; whatever the amount has beyond them is an amount-only
// refund.
type Refund struct {
	ID                  int64        `json:"id"`
	CreatedAt           Time         `json:"created_at"`
	AmountInclVAT       Amount       `json:"amount_incl_vat"`
	Reason              string       `json:"reason"`
	Lines               []RefundLine `json:"lines"`
	ShippingInclVAT     Amount       `json:"shipping_incl_vat"`
	ShippingVAT         Amount       `json:"shipping_vat"`
	PaymentCostsInclVAT Amount       `json:"payment_costs_incl_vat"`
	PaymentCostsVAT     Amount       `json:"payment_costs_vat"`
}

// RefundLine is one order line in a Refund.
type RefundLine struct {
	LineID        int64  `json:"line_id"`
	Quantity      Amount `json:"quantity"`
	AmountInclVAT Amount `json:"amount_incl_vat"`
	VATRate       Amount `json:"vat_rate"`
	VATAmount     Amount `json:"vat_amount"`
}

// Customer is an order's customer; ID 0 is a guest.
type Customer struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	VATNumber string `json:"vat_number"`
}

// Address is a billing or shipping address, street and house number apart.
type Address struct {
	Company           string `json:"company"`
	FirstName         string `json:"first_name"`
	LastName          string `json:"last_name"`
	Street            string `json:"street"`
	HouseNumber       string `json:"house_number"`
	HouseNumberSuffix string `json:"house_number_suffix"`
	Address2          string `json:"address2"`
	PostalCode        string `json:"postal_code"`
	City              string `json:"city"`
	Country           string `json:"country"`
	Phone             string `json:"phone"`
	Email             string `json:"email"`
}

// Line is an order line. UnitPriceInclVAT is after line discounts; DiscountInclVAT is the
// line's total discount, informational.
type Line struct {
	ID               int64    `json:"id"`
	ProductID        int64    `json:"product_id"`
	VariantID        int64    `json:"variant_id"`
	SKU              string   `json:"sku"`
	EAN              string   `json:"ean"`
	Name             string   `json:"name"`
	Quantity         Amount   `json:"quantity"`
	UnitPriceInclVAT Amount   `json:"unit_price_incl_vat"`
	VATRate          Amount   `json:"vat_rate"`
	DiscountInclVAT  Amount   `json:"discount_incl_vat"`
	TotalInclVAT     Amount   `json:"total_incl_vat"`
	TotalExclVAT     Amount   `json:"total_excl_vat"`
	VATAmount        Amount   `json:"vat_amount"`
	Options          []Option `json:"options"`
}

// Option is a chosen product option.
type Option struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Discount is an order-level discount, a positive amount including VAT at one rate.
type Discount struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	AmountInclVAT Amount `json:"amount_incl_vat"`
	VATRate       Amount `json:"vat_rate"`
	VATAmount     Amount `json:"vat_amount"`
}

// Product is a product or variant (ParentID set) as the API renders it.
type Product struct {
	ID           int64  `json:"id"`
	ParentID     int64  `json:"parent_id"`
	SKU          string `json:"sku"`
	EAN          string `json:"ean"`
	Name         string `json:"name"`
	PriceInclVAT Amount `json:"price_incl_vat"`
	VATRate      Amount `json:"vat_rate"`
	ManageStock  bool   `json:"manage_stock"`
	Stock        *int64 `json:"stock"`
	UpdatedAt    Time   `json:"updated_at"`
}

// ShopInfo is GET /shop.
type ShopInfo struct {
	Name             string `json:"name"`
	URL              string `json:"url"`
	Platform         string `json:"platform"`
	APIVersion       string `json:"api_version"`
	Currency         string `json:"currency"`
	PricesIncludeVAT bool   `json:"prices_include_vat"`
	TimeZone         string `json:"timezone"`
}

// Seed is the document of --seed, POST /_sim/seed and GET /_sim/dump.
type Seed struct {
	Products []Product `json:"products"`
	Orders   []Order   `json:"orders"`
}

var hundred = decimal.NewFromInt(100)

// splitIncl returns (excl, vat) of an amount including VAT at rate, rounded to cents.
func splitIncl(incl, rate decimal.Decimal) (decimal.Decimal, decimal.Decimal) {
	excl := incl.Mul(hundred).Div(hundred.Add(rate)).Round(2)
	return excl, incl.Sub(excl)
}

// complete fills in the derived amounts of o (line totals, VAT, order totals) from unit
// prices, quantities and rates, so a seed may give only those. Amounts already set are kept.
func complete(o *Order) {
	sumIncl, sumVAT := decimal.Zero, decimal.Zero
	for i := range o.Lines {
		l := &o.Lines[i]
		if l.Quantity.IsZero() {
			l.Quantity = A("1")
		}
		if l.TotalInclVAT.IsZero() {
			l.TotalInclVAT = Amount{l.UnitPriceInclVAT.Mul(l.Quantity.Decimal).Round(2)}
		}
		if l.TotalExclVAT.IsZero() && l.VATAmount.IsZero() {
			ex, v := splitIncl(l.TotalInclVAT.Decimal, l.VATRate.Decimal)
			l.TotalExclVAT, l.VATAmount = Amount{ex}, Amount{v}
		}
		sumIncl = sumIncl.Add(l.TotalInclVAT.Decimal)
		sumVAT = sumVAT.Add(l.VATAmount.Decimal)
	}
	if !o.ShippingCosts.IsZero() && o.ShippingVAT.IsZero() {
		_, v := splitIncl(o.ShippingCosts.Decimal, o.ShippingVATRate.Decimal)
		o.ShippingVAT = Amount{v}
	}
	if !o.PaymentCosts.IsZero() && o.PaymentCostsVAT.IsZero() {
		_, v := splitIncl(o.PaymentCosts.Decimal, o.PaymentCostsVATRate.Decimal)
		o.PaymentCostsVAT = Amount{v}
	}
	sumIncl = sumIncl.Add(o.ShippingCosts.Decimal).Add(o.PaymentCosts.Decimal)
	sumVAT = sumVAT.Add(o.ShippingVAT.Decimal).Add(o.PaymentCostsVAT.Decimal)
	for i := range o.Discounts {
		d := &o.Discounts[i]
		if d.VATAmount.IsZero() {
			_, v := splitIncl(d.AmountInclVAT.Decimal, d.VATRate.Decimal)
			d.VATAmount = Amount{v}
		}
		sumIncl = sumIncl.Sub(d.AmountInclVAT.Decimal)
		sumVAT = sumVAT.Sub(d.VATAmount.Decimal)
	}
	if o.TotalInclVAT.IsZero() && o.VATTotal.IsZero() {
		o.TotalInclVAT, o.VATTotal = Amount{sumIncl}, Amount{sumVAT}
		o.TotalExclVAT = Amount{sumIncl.Sub(sumVAT)}
	}
	if o.Currency == "" {
		o.Currency = "EUR"
	}
}
