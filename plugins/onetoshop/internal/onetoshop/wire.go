package onetoshop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must resolve on hosts without a zoneinfo database

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// The JSON shapes of API.md. Every field is optional on the wire: a missing field decodes to its
// zero value and the mapping derives what it can (for example a line's VAT from its total
// including VAT and its rate).

// envelope is a list answer: {"data":[...],"meta":{...}}.
type envelope[T any] struct {
	Data []T      `json:"data"`
	Meta wireMeta `json:"meta"`
}

// single is a one-object answer: {"data":{...}}.
type single[T any] struct {
	Data *T `json:"data"`
}

// wireMeta is a list answer's paging block.
type wireMeta struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"`
	Pages int `json:"pages"`
}

// wireError is the error body {"error":{"code","message"}}.
type wireError struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wireShop is GET /shop.
type wireShop struct {
	Name             string `json:"name"`
	URL              string `json:"url"`
	Platform         string `json:"platform"`
	APIVersion       string `json:"api_version"`
	Currency         string `json:"currency"`
	PricesIncludeVAT *bool  `json:"prices_include_vat"`
	TimeZone         string `json:"timezone"`
}

// wireOrder is one order of GET /orders and GET /orders/{id}.
type wireOrder struct {
	ID               flexID       `json:"id"`
	Number           flexID       `json:"number"`
	Status           string       `json:"status"`
	CreatedAt        string       `json:"created_at"`
	UpdatedAt        string       `json:"updated_at"`
	Currency         string       `json:"currency"`
	PricesIncludeVAT *bool        `json:"prices_include_vat"`
	Customer         wireCustomer `json:"customer"`
	BillingAddress   wireAddress  `json:"billing_address"`
	ShippingAddress  *wireAddress `json:"shipping_address"`
	Lines            []wireLine   `json:"lines"`

	ShippingMethod      string         `json:"shipping_method"`
	ShippingMethodName  string         `json:"shipping_method_name"`
	ShippingCosts       amount         `json:"shipping_costs"`
	ShippingVATRate     amount         `json:"shipping_vat_rate"`
	ShippingVAT         amount         `json:"shipping_vat"`
	PaymentCosts        amount         `json:"payment_costs"`
	PaymentCostsVATRate amount         `json:"payment_costs_vat_rate"`
	PaymentCostsVAT     amount         `json:"payment_costs_vat"`
	Discounts           []wireDiscount `json:"discounts"`

	PaymentMethod     string `json:"payment_method"`
	PaymentMethodName string `json:"payment_method_name"`
	Paid              bool   `json:"paid"`
	PaidAt            string `json:"paid_at"`
	TransactionID     string `json:"transaction_id"`

	TotalExclVAT   amount `json:"total_excl_vat"`
	VATTotal       amount `json:"vat_total"`
	TotalInclVAT   amount `json:"total_incl_vat"`
	RefundedAmount amount `json:"refunded_amount"`
	CustomerNote   string `json:"customer_note"`
	// Refunds are the order's refunds (assumed, API.md "Refunds").
	Refunds []wireRefund `json:"refunds"`
}

// wireRefund is one refund of an order (assumed).
type wireRefund struct {
	ID                  flexID           `json:"id"`
	CreatedAt           string           `json:"created_at"`
	AmountInclVAT       amount           `json:"amount_incl_vat"`
	Reason              string           `json:"reason"`
	Lines               []wireRefundLine `json:"lines"`
	ShippingInclVAT     amount           `json:"shipping_incl_vat"`
	ShippingVAT         amount           `json:"shipping_vat"`
	PaymentCostsInclVAT amount           `json:"payment_costs_incl_vat"`
	PaymentCostsVAT     amount           `json:"payment_costs_vat"`
}

// wireRefundLine is one order line in a refund (assumed).
type wireRefundLine struct {
	LineID        flexID `json:"line_id"`
	Quantity      amount `json:"quantity"`
	AmountInclVAT amount `json:"amount_incl_vat"`
	VATRate       amount `json:"vat_rate"`
	VATAmount     amount `json:"vat_amount"`
}

// wireCustomer is an order's customer block.
type wireCustomer struct {
	ID        flexID `json:"id"`
	Code      string `json:"code"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	VATNumber string `json:"vat_number"`
}

// wireAddress is a billing or shipping address with the Dutch split of street and number.
type wireAddress struct {
	Company           string `json:"company"`
	FirstName         string `json:"first_name"`
	LastName          string `json:"last_name"`
	Street            string `json:"street"`
	HouseNumber       flexID `json:"house_number"`
	HouseNumberSuffix string `json:"house_number_suffix"`
	Address2          string `json:"address2"`
	PostalCode        string `json:"postal_code"`
	City              string `json:"city"`
	Country           string `json:"country"`
	Phone             string `json:"phone"`
	Email             string `json:"email"`
}

// wireLine is one product line of an order.
type wireLine struct {
	ID               flexID       `json:"id"`
	ProductID        flexID       `json:"product_id"`
	VariantID        flexID       `json:"variant_id"`
	ParentLineID     flexID       `json:"parent_line_id"`
	SKU              string       `json:"sku"`
	EAN              string       `json:"ean"`
	Name             string       `json:"name"`
	Quantity         amount       `json:"quantity"`
	UnitPriceInclVAT amount       `json:"unit_price_incl_vat"`
	UnitPriceExclVAT amount       `json:"unit_price_excl_vat"`
	VATRate          amount       `json:"vat_rate"`
	DiscountInclVAT  amount       `json:"discount_incl_vat"`
	TotalInclVAT     amount       `json:"total_incl_vat"`
	TotalExclVAT     amount       `json:"total_excl_vat"`
	VATAmount        amount       `json:"vat_amount"`
	Options          []wireOption `json:"options"`
}

// wireOption is a chosen product option.
type wireOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// wireDiscount is an order-level discount (coupon), a positive amount including VAT.
type wireDiscount struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	AmountInclVAT amount `json:"amount_incl_vat"`
	VATRate       amount `json:"vat_rate"`
	VATAmount     amount `json:"vat_amount"`
}

// wireProduct is one product or variant of GET /products.
type wireProduct struct {
	ID           flexID  `json:"id"`
	ParentID     flexID  `json:"parent_id"`
	SKU          string  `json:"sku"`
	EAN          string  `json:"ean"`
	Name         string  `json:"name"`
	PriceInclVAT amount  `json:"price_incl_vat"`
	PriceExclVAT amount  `json:"price_excl_vat"`
	VATRate      amount  `json:"vat_rate"`
	ManageStock  bool    `json:"manage_stock"`
	Stock        *amount `json:"stock"`
	UpdatedAt    string  `json:"updated_at"`
}

// amount is a decimal read from a JSON string ("12.10", "12,10") or number (12.1), never
// through float64. Set tells a present value from an absent or null one.
type amount struct {
	D   decimal.Decimal
	Set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (a *amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*a = amount{}
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			*a = amount{}
			return nil
		}
	}
	d, err := sdk.ParseMoney(s)
	if err != nil {
		return err
	}
	*a = amount{D: d, Set: true}
	return nil
}

// or returns the amount, or def when it is absent.
func (a amount) or(def decimal.Decimal) decimal.Decimal {
	if a.Set {
		return a.D
	}
	return def
}

// flexID is an id or number sent as a JSON string or number; 0 and null are empty.
type flexID string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null" || string(b) == "false":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id %s: not a string or number", b)
		}
		*f = flexID(n.String())
	}
	if *f == "0" {
		*f = ""
	}
	return nil
}

// amsterdam is the shop's time zone for timestamps without an offset (assumed).
var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// parseTime reads an API timestamp: RFC 3339 with an offset (API.md), or, leniently,
// "2006-01-02 15:04:05" in Europe/Amsterdam. The result is in UTC, in the years 1 to 9999 (a
// time outside them cannot be written as JSON or RFC 3339 again) and not 0001-01-01T00:00:00Z
// (Go's zero time, which stands for no time at all).
func parseTime(s string) (time.Time, error) {
	t, err := parseAnyTime(s)
	if err != nil {
		return time.Time{}, err
	}
	if err := sdk.CheckOrderTime(t); err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q %v", strings.TrimSpace(s), err)
	}
	return t, nil
}

func parseAnyTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty timestamp")
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, amsterdam); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339", s)
}

// formatTime renders a query timestamp (RFC 3339 in UTC, whole seconds).
func formatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }
