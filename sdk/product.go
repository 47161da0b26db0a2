package sdk

import "time"

// Product is a webshop product or variation, as import_articles and stock export see it.
type Product struct {
	// ID is the shop's id; for a variation, ParentID is the parent product's id.
	ID       string `json:"id"`
	ParentID string `json:"parent_id,omitempty"`
	// SKU is the product code, matched to a SnelStart article code.
	SKU  string `json:"sku"`
	Name string `json:"name"`
	// Price is the regular selling price as the shop stores it (including or excluding VAT
	// per PriceIncludesTax).
	Price            Money `json:"price"`
	PriceIncludesTax bool  `json:"price_includes_tax"`
	// TaxRate is the VAT percentage, when the shop can tell it.
	TaxRate *Money `json:"tax_rate,omitempty"`
	// ManagesStock tells whether the shop tracks stock for it; Stock is the current quantity.
	ManagesStock bool      `json:"manages_stock"`
	Stock        *Money    `json:"stock,omitempty"`
	ModifiedAt   time.Time `json:"modified_at"`
}

// StockLevel is a quantity to write to (or read from) the shop for one product code.
type StockLevel struct {
	SKU string `json:"sku"`
	// ProductID and ParentID are the shop ids when known (from an earlier look-up); a
	// connector that gets them may skip its own SKU look-up.
	ProductID string `json:"product_id,omitempty"`
	ParentID  string `json:"parent_id,omitempty"`
	Quantity  Money  `json:"quantity"`
}

// StockResult is the outcome of writing one StockLevel.
type StockResult struct {
	SKU       string `json:"sku"`
	ProductID string `json:"product_id,omitempty"`
	ParentID  string `json:"parent_id,omitempty"`
	// Err is empty on success; otherwise the shop's reason (unknown SKU, stock not managed).
	Err string `json:"error,omitempty"`
	// NotFound is set when the shop has no product with this SKU.
	NotFound bool `json:"not_found,omitempty"`
}
