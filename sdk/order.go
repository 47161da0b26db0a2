package sdk

import "time"

// Order is a webshop order in koppel's canonical form. Shop connectors fill it from their API;
// the host maps it onto a SnelStart sales order. Amounts are in Currency.
type Order struct {
	// ID is the shop's own, stable id of the order (WooCommerce id, Magento entity_id). The host
	// keys its state by it.
	ID string `json:"id"`
	// Number is the order number the customer and the shop owner see ("1042", "000000123").
	Number string `json:"number"`
	// Status is the shop's status string, unchanged ("processing", "complete").
	Status string `json:"status"`
	// Cancelled is true when the shop's status means the order is cancelled (WooCommerce
	// "cancelled", Magento state "canceled"): the host then follows orders.on_cancel for an
	// imported order and releases the stock it held back for a waiting one. A fully refunded
	// order is not cancelled: its Refunds say what was paid back.
	Cancelled bool `json:"cancelled,omitempty"`
	// CreatedAt and ModifiedAt are the shop's times, in UTC. ModifiedAt must change whenever the
	// order's status, lines, totals or refunds change: the host lists changed orders by it and
	// sees edits after import by comparing it (and the totals) with what it imported.
	CreatedAt  time.Time `json:"created_at"`
	ModifiedAt time.Time `json:"modified_at"`
	// Currency is the ISO 4217 code ("EUR").
	Currency string `json:"currency"`
	// PricesIncludeTax tells whether the shop entered its prices including VAT. Line amounts in
	// this Order are always given both ways (see OrderLine), so this is informational: it says
	// which of the two figures is the shop's original.
	PricesIncludeTax bool `json:"prices_include_tax"`
	// Customer is who placed the order.
	Customer Customer `json:"customer"`
	// Billing and Shipping are the invoice and delivery addresses; Shipping may be empty (a
	// digital order), in which case the billing address is the delivery address.
	Billing  Address `json:"billing"`
	Shipping Address `json:"shipping"`
	// Lines are the product lines, in the shop's order. Bundle or configurable children refer to
	// their parent through ParentLineID.
	Lines []OrderLine `json:"lines"`
	// Shipping costs, fees (payment surcharges; a negative fee is a discount) and order-level
	// discounts (coupons), each as its own charge.
	ShippingLines []Charge `json:"shipping_lines,omitempty"`
	Fees          []Charge `json:"fees,omitempty"`
	Discounts     []Charge `json:"discounts,omitempty"`
	// Totals are the shop's own figures; the host compares SnelStart's totals to them.
	Totals Totals `json:"totals"`
	// Payment is how the customer paid.
	Payment Payment `json:"payment"`
	// Refunded is the amount refunded so far (positive), zero when none. It equals the sum of
	// Refunds[i].Amount when the connector fills Refunds.
	Refunded Money `json:"refunded"`
	// Refunds are the shop's refunds of the order (WooCommerce refunds, Magento credit memos),
	// oldest first; empty when none. Each becomes one credit sales order (orders.on_refund).
	// Lines, Totals and the charges above stay the order as placed: refunds never change them.
	Refunds []Refund `json:"refunds,omitempty"`
	// Note is the customer's note on the order, if any.
	Note string `json:"note,omitempty"`
	// Extra holds shop-specific fields the mapping may use (name → value).
	Extra map[string]string `json:"extra,omitempty"`
}

// OrderLine is one product line of an Order.
type OrderLine struct {
	// ID is the shop's id of the line.
	ID string `json:"id"`
	// ProductID and VariationID are the shop's product ids (VariationID empty for a simple
	// product).
	ProductID   string `json:"product_id,omitempty"`
	VariationID string `json:"variation_id,omitempty"`
	// SKU is the product code; the host matches it to a SnelStart article code. May be empty.
	SKU string `json:"sku"`
	// Name is the product name as the shop shows it, HTML entities decoded.
	Name string `json:"name"`
	// Quantity ordered; decimal because some shops sell by weight or length.
	Quantity Money `json:"quantity"`
	// UnitPriceExcl and UnitPriceIncl are the price of one unit after line-level discounts,
	// excluding and including VAT, unrounded where the shop gives more precision.
	UnitPriceExcl Money `json:"unit_price_excl"`
	UnitPriceIncl Money `json:"unit_price_incl"`
	// TotalExcl, Tax and TotalIncl are the shop's line totals after line discounts (TotalIncl =
	// TotalExcl + Tax).
	TotalExcl Money `json:"total_excl"`
	Tax       Money `json:"tax"`
	TotalIncl Money `json:"total_incl"`
	// TaxRate is the VAT percentage of the line ("21", "9", "0").
	TaxRate Money `json:"tax_rate"`
	// Discount is the line discount the shop gave (excluding VAT, positive), informational.
	Discount Money `json:"discount"`
	// Options are chosen variation attributes and add-ons ("Inhoud" = "1 liter").
	Options []Option `json:"options,omitempty"`
	// ParentLineID links a bundle or configurable child to its parent line; empty otherwise.
	ParentLineID string `json:"parent_line_id,omitempty"`
}

// Option is one product option on an order line, with display labels.
type Option struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Refund is one refund of an order in the shop: a WooCommerce refund, a Magento credit memo. All
// amounts are positive figures of what was paid back.
type Refund struct {
	// ID is the shop's id of the refund, stable: the host books each refund once, keyed by it
	// (the credit order's reference is <prefix><order number>-R<ID>).
	ID string `json:"id"`
	// CreatedAt is when the refund was made, in UTC.
	CreatedAt time.Time `json:"created_at"`
	// Amount is the total refunded including VAT.
	Amount Money `json:"amount"`
	// Reason is the shop's reason text, if any.
	Reason string `json:"reason,omitempty"`
	// Lines are the order lines refunded, with quantity and amounts. Empty for an amount-only
	// refund.
	Lines []RefundLine `json:"lines,omitempty"`
	// Shipping and Fees are refunded shipping costs and fees, amounts positive.
	Shipping []Charge `json:"shipping,omitempty"`
	Fees     []Charge `json:"fees,omitempty"`
}

// Itemised returns the part of the refund named by lines, shipping and fees (incl. VAT).
func (r Refund) Itemised() Money {
	sum := Money{}
	for _, l := range r.Lines {
		sum = sum.Add(l.TotalIncl)
	}
	for _, c := range r.Shipping {
		sum = sum.Add(c.TotalIncl)
	}
	for _, c := range r.Fees {
		sum = sum.Add(c.TotalIncl)
	}
	return sum
}

// Rest returns the amount-only part of the refund: Amount minus what lines, shipping and fees
// name (incl. VAT). The host books it on orders.refund_article. Zero when the refund is fully
// itemised; the whole Amount for an amount-only refund.
func (r Refund) Rest() Money { return r.Amount.Sub(r.Itemised()) }

// RefundLine is one order line in a Refund.
type RefundLine struct {
	// LineID is the OrderLine.ID refunded; SKU and Name repeat that line's product.
	LineID string `json:"line_id"`
	SKU    string `json:"sku,omitempty"`
	Name   string `json:"name,omitempty"`
	// Quantity is the number of units refunded (positive); zero when only an amount of the line
	// was refunded.
	Quantity Money `json:"quantity"`
	// TotalExcl, Tax and TotalIncl are the amounts refunded for the line (positive).
	TotalExcl Money `json:"total_excl"`
	Tax       Money `json:"tax"`
	TotalIncl Money `json:"total_incl"`
	// TaxRate is the line's VAT percentage.
	TaxRate Money `json:"tax_rate"`
}

// Charge is a shipping, fee or discount amount on an order.
type Charge struct {
	// Code identifies the charge in the shop (shipping method id, coupon code, fee name).
	Code string `json:"code,omitempty"`
	// Name is the label the customer saw ("PostNL", "Kortingscode WELKOM10").
	Name string `json:"name"`
	// TotalExcl, Tax and TotalIncl as with OrderLine. Discounts are positive amounts that are
	// subtracted; a negative fee is itself a discount.
	TotalExcl Money `json:"total_excl"`
	Tax       Money `json:"tax"`
	TotalIncl Money `json:"total_incl"`
	// TaxRate is the VAT percentage, when a single rate applies; empty for a charge spread over
	// several rates.
	TaxRate *Money `json:"tax_rate,omitempty"`
	// TaxByRate is the shop's own split of a charge taxed at several rates (TaxRate empty): one
	// part per rate, in the shop's figures (WooCommerce's fee_lines[].taxes and
	// shipping_lines[].taxes, Magento's per-rate amounts). The parts' TotalExcl add up to the
	// charge's TotalExcl and their Tax to its Tax. Empty when the shop gives no split; the host
	// then spreads the charge over the order's product lines. Like the charge's amounts, the
	// parts of a discount are positive.
	TaxByRate []RateTax `json:"tax_by_rate,omitempty"`
}

// RateTax is the part of a charge taxed at one VAT rate.
type RateTax struct {
	// Rate is the VAT percentage ("21", "9", "0").
	Rate Money `json:"rate"`
	// TotalExcl is the part of the charge's amount excluding VAT taxed at Rate; Tax is the VAT
	// the shop computed on it.
	TotalExcl Money `json:"total_excl"`
	Tax       Money `json:"tax"`
}

// Totals are an order's grand totals as the shop computed them.
type Totals struct {
	// TotalExcl is the order total excluding VAT, Tax the VAT, Total the amount the customer
	// pays (Total = TotalExcl + Tax).
	TotalExcl Money `json:"total_excl"`
	Tax       Money `json:"tax"`
	Total     Money `json:"total"`
}

// Payment describes how an order is paid.
type Payment struct {
	// Method is the shop's code ("ideal", "bacs"); Title its label ("iDEAL").
	Method string `json:"method,omitempty"`
	Title  string `json:"title,omitempty"`
	// Paid tells whether the shop has registered the payment; PaidAt when.
	Paid   bool       `json:"paid"`
	PaidAt *time.Time `json:"paid_at,omitempty"`
	// TransactionID is the payment provider's reference, if any.
	TransactionID string `json:"transaction_id,omitempty"`
}

// Customer is the person or company that placed an order.
type Customer struct {
	// ID is the shop's customer id; empty for a guest order.
	ID string `json:"id,omitempty"`
	// Code is a customer code the shop keeps that may equal a SnelStart relatiecode.
	Code string `json:"code,omitempty"`
	// Email is the order e-mail address.
	Email string `json:"email"`
	// FirstName, LastName and Company as entered.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Company   string `json:"company,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// VATNumber is the customer's VAT id as entered, unvalidated.
	VATNumber string `json:"vat_number,omitempty"`
}

// Guest reports whether the order was placed without an account.
func (c Customer) Guest() bool { return c.ID == "" || c.ID == "0" }

// Address is a postal address.
type Address struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Company   string `json:"company,omitempty"`
	// Street is the street with house number and addition, as one line.
	Street string `json:"street,omitempty"`
	// Street2 is a second address line, if any.
	Street2  string `json:"street2,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	City     string `json:"city,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code ("NL").
	Country string `json:"country,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
}

// Empty reports whether no field of the address is set.
func (a Address) Empty() bool { return a == Address{} }
