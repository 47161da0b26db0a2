package magento

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// magentoTime is how Magento renders created_at and updated_at: UTC without a zone.
const magentoTime = "2006-01-02 15:04:05"

// parseTime reads a Magento timestamp as UTC. The result is after 0001-01-01 00:00:00 UTC
// (Go's zero time, which stands for no time at all) and before the year 10000: a time outside
// them cannot be written as JSON or RFC 3339 again.
func parseTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation(magentoTime, s, time.UTC)
	if err != nil {
		// Some extensions render ISO 8601; accept it rather than fail an order.
		t2, err2 := time.Parse(time.RFC3339, s)
		if err2 != nil {
			return time.Time{}, fmt.Errorf("timestamp %q is not YYYY-MM-DD HH:MM:SS", truncate(s, 40))
		}
		t = t2.UTC()
	}
	if err := sdk.CheckOrderTime(t); err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q %v", truncate(s, 40), err)
	}
	return t, nil
}

// amount is a Magento JSON number decoded exactly (never through float64). It also accepts a
// numeric string and null (zero).
type amount struct{ decimal.Decimal }

// UnmarshalJSON implements json.Unmarshaler.
func (a *amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			a.Decimal = decimal.Zero
			return nil
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %q is not a decimal number", truncate(s, 40))
	}
	a.Decimal = d
	return nil
}

// flexInt is an integer Magento may render as a number, a numeric string, a bool or null.
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(bytes.TrimSpace(b), `"`))
	switch s {
	case "", "null", "false":
		*f = 0
		return nil
	case "true":
		*f = 1
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d, derr := decimal.NewFromString(s)
		if derr != nil {
			return fmt.Errorf("%q is not an integer", truncate(s, 40))
		}
		n = d.IntPart()
	}
	*f = flexInt(n)
	return nil
}

// flexString is a string Magento may render as a number (ids, codes).
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	*f = flexString(b)
	return nil
}

// wireAddress is sales-data-order-address-interface.
type wireAddress struct {
	AddressType string   `json:"address_type"`
	Firstname   string   `json:"firstname"`
	Lastname    string   `json:"lastname"`
	Company     string   `json:"company"`
	Street      []string `json:"street"`
	City        string   `json:"city"`
	Postcode    string   `json:"postcode"`
	CountryID   string   `json:"country_id"`
	Telephone   string   `json:"telephone"`
	Email       string   `json:"email"`
	VatID       string   `json:"vat_id"`
}

// wireItem is sales-data-order-item-interface (the fields the mapping reads).
type wireItem struct {
	ItemID                        flexInt      `json:"item_id"`
	ParentItemID                  *flexInt     `json:"parent_item_id"`
	ProductID                     flexString   `json:"product_id"`
	ProductType                   string       `json:"product_type"`
	SKU                           string       `json:"sku"`
	Name                          string       `json:"name"`
	QtyOrdered                    amount       `json:"qty_ordered"`
	Price                         amount       `json:"price"`
	PriceInclTax                  amount       `json:"price_incl_tax"`
	RowTotal                      amount       `json:"row_total"`
	RowTotalInclTax               amount       `json:"row_total_incl_tax"`
	TaxAmount                     amount       `json:"tax_amount"`
	TaxPercent                    amount       `json:"tax_percent"`
	DiscountAmount                amount       `json:"discount_amount"`
	DiscountTaxCompensationAmount amount       `json:"discount_tax_compensation_amount"`
	ProductOption                 *wireProdOpt `json:"product_option"`
}

type wireProdOpt struct {
	ExtensionAttributes struct {
		CustomOptions []struct {
			OptionID    flexString `json:"option_id"`
			OptionValue flexString `json:"option_value"`
		} `json:"custom_options"`
		ConfigurableItemOptions []struct {
			OptionID    flexString `json:"option_id"`
			OptionValue flexString `json:"option_value"`
		} `json:"configurable_item_options"`
	} `json:"extension_attributes"`
}

// wireOrder is sales-data-order-interface (the fields the mapping reads).
type wireOrder struct {
	EntityID                              flexInt      `json:"entity_id"`
	IncrementID                           string       `json:"increment_id"`
	State                                 string       `json:"state"`
	Status                                string       `json:"status"`
	CreatedAt                             string       `json:"created_at"`
	UpdatedAt                             string       `json:"updated_at"`
	OrderCurrencyCode                     string       `json:"order_currency_code"`
	CustomerID                            *flexInt     `json:"customer_id"`
	CustomerIsGuest                       flexInt      `json:"customer_is_guest"`
	CustomerEmail                         string       `json:"customer_email"`
	CustomerFirstname                     string       `json:"customer_firstname"`
	CustomerLastname                      string       `json:"customer_lastname"`
	CustomerTaxvat                        string       `json:"customer_taxvat"`
	CustomerNote                          string       `json:"customer_note"`
	CouponCode                            string       `json:"coupon_code"`
	DiscountDescription                   string       `json:"discount_description"`
	StoreID                               flexInt      `json:"store_id"`
	GrandTotal                            amount       `json:"grand_total"`
	Subtotal                              amount       `json:"subtotal"`
	TaxAmount                             amount       `json:"tax_amount"`
	DiscountAmount                        amount       `json:"discount_amount"`
	DiscountTaxCompensationAmount         amount       `json:"discount_tax_compensation_amount"`
	ShippingAmount                        amount       `json:"shipping_amount"`
	ShippingTaxAmount                     amount       `json:"shipping_tax_amount"`
	ShippingInclTax                       amount       `json:"shipping_incl_tax"`
	ShippingDiscountAmount                amount       `json:"shipping_discount_amount"`
	ShippingDiscountTaxCompensationAmount amount       `json:"shipping_discount_tax_compensation_amount"`
	ShippingDescription                   string       `json:"shipping_description"`
	TotalPaid                             *amount      `json:"total_paid"`
	TotalDue                              *amount      `json:"total_due"`
	TotalRefunded                         amount       `json:"total_refunded"`
	BillingAddress                        *wireAddress `json:"billing_address"`
	Items                                 []wireItem   `json:"items"`
	Payment                               *struct {
		Method                string       `json:"method"`
		AdditionalInformation []flexString `json:"additional_information"`
		LastTransID           string       `json:"last_trans_id"`
	} `json:"payment"`
	ExtensionAttributes *struct {
		ShippingAssignments []struct {
			Shipping struct {
				Address *wireAddress `json:"address"`
				Method  string       `json:"method"`
			} `json:"shipping"`
		} `json:"shipping_assignments"`
		// ItemAppliedTaxes holds the tax per rate of each item and of shipping (type
		// "shipping"), as Magento applied it.
		ItemAppliedTaxes []struct {
			Type         string `json:"type"`
			AppliedTaxes []struct {
				Code    string `json:"code"`
				Percent amount `json:"percent"`
				Amount  amount `json:"amount"`
			} `json:"applied_taxes"`
		} `json:"item_applied_taxes"`
	} `json:"extension_attributes"`
}

// orderPage is sales-data-order-search-result-interface.
type orderPage struct {
	Items      []wireOrder `json:"items"`
	TotalCount int         `json:"total_count"`
}

// wireStockItem is catalog-inventory-data-stock-item-interface (the fields used).
type wireStockItem struct {
	ItemID      flexInt `json:"item_id"`
	Qty         amount  `json:"qty"`
	IsInStock   bool    `json:"is_in_stock"`
	ManageStock *bool   `json:"manage_stock"`
}

// wireProduct is catalog-data-product-interface (the fields used).
type wireProduct struct {
	ID                  flexInt `json:"id"`
	SKU                 string  `json:"sku"`
	Name                string  `json:"name"`
	TypeID              string  `json:"type_id"`
	Price               amount  `json:"price"`
	UpdatedAt           string  `json:"updated_at"`
	ExtensionAttributes *struct {
		StockItem                *wireStockItem `json:"stock_item"`
		ConfigurableProductLinks []flexInt      `json:"configurable_product_links"`
	} `json:"extension_attributes"`
}

// productPage is catalog-data-product-search-results-interface.
type productPage struct {
	Items      []wireProduct `json:"items"`
	TotalCount int           `json:"total_count"`
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
