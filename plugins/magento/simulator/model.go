package simulator

import (
	"time"

	"github.com/shopspring/decimal"
)

// timeLayout is how Magento renders created_at and updated_at: UTC, no zone, a space.
const timeLayout = "2006-01-02 15:04:05"

// num is an exact decimal rendered as a bare JSON number (12.1, 5, -3.5), as Magento renders
// amounts and quantities.
type num struct{ d decimal.Decimal }

// MarshalJSON implements json.Marshaler.
func (n num) MarshalJSON() ([]byte, error) { return []byte(n.d.String()), nil }

func mk(d decimal.Decimal) num { return num{d} }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Product is one catalog product of the simulated store.
type Product struct {
	ID          int64
	SKU         string
	Name        string
	TypeID      string // simple, configurable, bundle, virtual
	Price       decimal.Decimal
	TaxPercent  decimal.Decimal
	Status      int // 1 enabled, 2 disabled
	CreatedAt   time.Time
	UpdatedAt   time.Time
	StockItemID int64
	ManageStock bool
	// Children are the SKUs of a configurable's variations or a bundle's selections.
	Children []string
	// DynamicPrice marks a bundle whose price is the sum of its selections.
	DynamicPrice bool
	// Parent is the configurable a variation belongs to ("" otherwise).
	Parent string
}

// sourceItem is an MSI source item: the quantity of one SKU at one source.
type sourceItem struct {
	SKU        string `json:"sku"`
	SourceCode string `json:"source_code"`
	Quantity   num    `json:"quantity"`
	Status     int    `json:"status"`
}

// Address is a sales order address as Magento renders it.
type Address struct {
	AddressType       string   `json:"address_type"`
	City              string   `json:"city"`
	Company           string   `json:"company,omitempty"`
	CountryID         string   `json:"country_id"`
	CustomerAddressID int64    `json:"customer_address_id,omitempty"`
	Email             string   `json:"email,omitempty"`
	EntityID          int64    `json:"entity_id"`
	Firstname         string   `json:"firstname"`
	Lastname          string   `json:"lastname"`
	ParentID          int64    `json:"parent_id"`
	Postcode          string   `json:"postcode"`
	Region            string   `json:"region,omitempty"`
	Street            []string `json:"street"`
	Telephone         string   `json:"telephone"`
	VatID             string   `json:"vat_id,omitempty"`
}

// item is one order row (sales_order_item).
type item struct {
	AmountRefunded                num            `json:"amount_refunded"`
	BasePrice                     num            `json:"base_price"`
	BaseRowTotal                  num            `json:"base_row_total"`
	BaseTaxAmount                 num            `json:"base_tax_amount"`
	BaseDiscountAmount            num            `json:"base_discount_amount"`
	CreatedAt                     string         `json:"created_at"`
	DiscountAmount                num            `json:"discount_amount"`
	DiscountPercent               num            `json:"discount_percent"`
	DiscountTaxCompensationAmount num            `json:"discount_tax_compensation_amount"`
	IsQtyDecimal                  int            `json:"is_qty_decimal"`
	IsVirtual                     int            `json:"is_virtual"`
	ItemID                        int64          `json:"item_id"`
	Name                          string         `json:"name"`
	NoDiscount                    int            `json:"no_discount"`
	OrderID                       int64          `json:"order_id"`
	OriginalPrice                 num            `json:"original_price"`
	ParentItemID                  *int64         `json:"parent_item_id,omitempty"`
	Price                         num            `json:"price"`
	PriceInclTax                  num            `json:"price_incl_tax"`
	ProductID                     int64          `json:"product_id"`
	ProductType                   string         `json:"product_type"`
	ProductOption                 *productOption `json:"product_option,omitempty"`
	QtyCanceled                   num            `json:"qty_canceled"`
	QtyInvoiced                   num            `json:"qty_invoiced"`
	QtyOrdered                    num            `json:"qty_ordered"`
	QtyRefunded                   num            `json:"qty_refunded"`
	QtyShipped                    num            `json:"qty_shipped"`
	QuoteItemID                   int64          `json:"quote_item_id"`
	RowTotal                      num            `json:"row_total"`
	RowTotalInclTax               num            `json:"row_total_incl_tax"`
	SKU                           string         `json:"sku"`
	StoreID                       int            `json:"store_id"`
	TaxAmount                     num            `json:"tax_amount"`
	TaxPercent                    num            `json:"tax_percent"`
	UpdatedAt                     string         `json:"updated_at"`
	ParentItem                    *item          `json:"parent_item,omitempty"`
}

type productOption struct {
	ExtensionAttributes productOptionExt `json:"extension_attributes"`
}

type productOptionExt struct {
	CustomOptions          []customOption       `json:"custom_options,omitempty"`
	ConfigurableItemOption []configurableOption `json:"configurable_item_options,omitempty"`
	BundleOptions          []bundleOption       `json:"bundle_options,omitempty"`
}

type customOption struct {
	OptionID    string `json:"option_id"`
	OptionValue string `json:"option_value"`
}

type configurableOption struct {
	OptionID    string `json:"option_id"`
	OptionValue int    `json:"option_value"`
}

type bundleOption struct {
	OptionID         int     `json:"option_id"`
	OptionQty        int     `json:"option_qty"`
	OptionSelections []int64 `json:"option_selections"`
}

type payment struct {
	AccountStatus         *string  `json:"account_status"`
	AdditionalInformation []string `json:"additional_information"`
	AmountOrdered         num      `json:"amount_ordered"`
	AmountPaid            *num     `json:"amount_paid,omitempty"`
	BaseAmountOrdered     num      `json:"base_amount_ordered"`
	CcLast4               *string  `json:"cc_last4"`
	EntityID              int64    `json:"entity_id"`
	LastTransID           string   `json:"last_trans_id,omitempty"`
	Method                string   `json:"method"`
	ParentID              int64    `json:"parent_id"`
}

type shippingTotal struct {
	BaseShippingAmount     num `json:"base_shipping_amount"`
	BaseShippingInclTax    num `json:"base_shipping_incl_tax"`
	BaseShippingTaxAmount  num `json:"base_shipping_tax_amount"`
	ShippingAmount         num `json:"shipping_amount"`
	ShippingDiscountAmount num `json:"shipping_discount_amount"`
	ShippingInclTax        num `json:"shipping_incl_tax"`
	ShippingTaxAmount      num `json:"shipping_tax_amount"`
}

type shipping struct {
	Address *Address      `json:"address,omitempty"`
	Method  string        `json:"method,omitempty"`
	Total   shippingTotal `json:"total"`
}

type shippingAssignment struct {
	Shipping shipping `json:"shipping"`
	Items    []*item  `json:"items"`
}

type orderExt struct {
	ShippingAssignments []shippingAssignment `json:"shipping_assignments,omitempty"`
}

type statusHistory struct {
	Comment            string `json:"comment"`
	CreatedAt          string `json:"created_at"`
	EntityID           int64  `json:"entity_id"`
	EntityName         string `json:"entity_name"`
	IsCustomerNotified int    `json:"is_customer_notified"`
	IsVisibleOnFront   int    `json:"is_visible_on_front"`
	ParentID           int64  `json:"parent_id"`
	Status             string `json:"status"`
}

// Order is one sales order, kept in the shape GET /V1/orders renders (field order as Magento:
// alphabetical).
type Order struct {
	BaseCurrencyCode                      string          `json:"base_currency_code"`
	BaseDiscountAmount                    num             `json:"base_discount_amount"`
	BaseGrandTotal                        num             `json:"base_grand_total"`
	BaseDiscountTaxCompensationAmount     num             `json:"base_discount_tax_compensation_amount"`
	BaseShippingAmount                    num             `json:"base_shipping_amount"`
	BaseSubtotal                          num             `json:"base_subtotal"`
	BaseTaxAmount                         num             `json:"base_tax_amount"`
	BaseToGlobalRate                      num             `json:"base_to_global_rate"`
	BaseToOrderRate                       num             `json:"base_to_order_rate"`
	BaseTotalDue                          num             `json:"base_total_due"`
	BillingAddress                        *Address        `json:"billing_address,omitempty"`
	BillingAddressID                      int64           `json:"billing_address_id"`
	CouponCode                            string          `json:"coupon_code,omitempty"`
	CreatedAt                             string          `json:"created_at"`
	CustomerEmail                         string          `json:"customer_email"`
	CustomerFirstname                     string          `json:"customer_firstname,omitempty"`
	CustomerGroupID                       int             `json:"customer_group_id"`
	CustomerID                            *int64          `json:"customer_id,omitempty"`
	CustomerIsGuest                       int             `json:"customer_is_guest"`
	CustomerLastname                      string          `json:"customer_lastname,omitempty"`
	CustomerNote                          string          `json:"customer_note,omitempty"`
	CustomerNoteNotify                    int             `json:"customer_note_notify"`
	CustomerTaxvat                        string          `json:"customer_taxvat,omitempty"`
	DiscountAmount                        num             `json:"discount_amount"`
	DiscountDescription                   string          `json:"discount_description,omitempty"`
	DiscountTaxCompensationAmount         num             `json:"discount_tax_compensation_amount"`
	EmailSent                             int             `json:"email_sent"`
	EntityID                              int64           `json:"entity_id"`
	GlobalCurrencyCode                    string          `json:"global_currency_code"`
	GrandTotal                            num             `json:"grand_total"`
	IncrementID                           string          `json:"increment_id"`
	IsVirtual                             int             `json:"is_virtual"`
	OrderCurrencyCode                     string          `json:"order_currency_code"`
	ProtectCode                           string          `json:"protect_code"`
	QuoteID                               int64           `json:"quote_id"`
	RemoteIP                              string          `json:"remote_ip"`
	ShippingAmount                        num             `json:"shipping_amount"`
	ShippingDescription                   string          `json:"shipping_description,omitempty"`
	ShippingDiscountAmount                num             `json:"shipping_discount_amount"`
	ShippingDiscountTaxCompensationAmount num             `json:"shipping_discount_tax_compensation_amount"`
	ShippingInclTax                       num             `json:"shipping_incl_tax"`
	ShippingTaxAmount                     num             `json:"shipping_tax_amount"`
	State                                 string          `json:"state"`
	Status                                string          `json:"status"`
	StoreCurrencyCode                     string          `json:"store_currency_code"`
	StoreID                               int             `json:"store_id"`
	StoreName                             string          `json:"store_name"`
	StoreToBaseRate                       num             `json:"store_to_base_rate"`
	StoreToOrderRate                      num             `json:"store_to_order_rate"`
	Subtotal                              num             `json:"subtotal"`
	SubtotalInclTax                       num             `json:"subtotal_incl_tax"`
	TaxAmount                             num             `json:"tax_amount"`
	TotalDue                              num             `json:"total_due"`
	TotalItemCount                        int             `json:"total_item_count"`
	TotalPaid                             *num            `json:"total_paid,omitempty"`
	TotalQtyOrdered                       num             `json:"total_qty_ordered"`
	TotalRefunded                         *num            `json:"total_refunded,omitempty"`
	UpdatedAt                             string          `json:"updated_at"`
	Weight                                num             `json:"weight"`
	Items                                 []*item         `json:"items"`
	Payment                               *payment        `json:"payment,omitempty"`
	StatusHistories                       []statusHistory `json:"status_histories"`
	ExtensionAttributes                   *orderExt       `json:"extension_attributes,omitempty"`

	updated time.Time // UpdatedAt as a time, for filters and sorting
	created time.Time
}
