package sdk

import (
	"context"
	"time"
)

// Shop is the webshop side of a profile: one configured instance of a shop plugin. All methods
// are safe for concurrent use. Errors are *Error values whose Kind tells the host what to do.
type Shop interface {
	// Check connects to the shop and reports what it found (name, version). A URL that
	// redirects is an error of KindUnreachable naming the redirect target; refused credentials
	// are KindAuth.
	Check(ctx context.Context) (CheckResult, error)

	// ListOrders streams the orders created or modified after q.Since (and, when q.Cursor is
	// set, from that cursor on), oldest modification first, calling yield once per order. The
	// listing is at-least-once: after a resume an order may be yielded again (an overlap window
	// protects against orders modified while paging); the host removes repeats by ID and
	// ModifiedAt. Each yielded OrderItem carries the cursor to resume from after it. When yield
	// returns an error, ListOrders stops and returns that error.
	ListOrders(ctx context.Context, q OrderQuery, yield func(OrderItem) error) error

	// ListProducts streams products (and variations) modified after q.Since / from q.Cursor,
	// with the same at-least-once contract as ListOrders.
	ListProducts(ctx context.Context, q ProductQuery, yield func(ProductItem) error) error

	// FindProducts looks products up by SKU. Unknown SKUs are simply absent from the result
	// (not an error).
	FindProducts(ctx context.Context, skus []string) ([]Product, error)

	// WriteStock sets stock quantities, in the shop's own batch sizes. It returns one result per
	// level, in order; a per-item failure is in the result, not the error. The error is for a
	// failure of the call as a whole.
	WriteStock(ctx context.Context, levels []StockLevel) ([]StockResult, error)
}

// OrderQuery selects the orders ListOrders streams.
type OrderQuery struct {
	// Since: orders created or modified before this are never listed (orders.since).
	Since time.Time `json:"since"`
	// Cursor is the opaque resume point from a previously yielded OrderItem; empty to start
	// at Since.
	Cursor string `json:"cursor,omitempty"`
	// Statuses limits the shop statuses listed; empty means the plugin's default set.
	Statuses []string `json:"statuses,omitempty"`
	// AllStatuses lists every status; the host decides which are importable. When true the
	// connector ignores Statuses and its own configured statuses and lists orders in every
	// status the shop has (WooCommerce "any", which leaves out trashed orders), so the host
	// also sees orders that are still waiting (pending payment, on hold) and can hold back
	// their products' stock.
	AllStatuses bool `json:"all_statuses,omitempty"`
	// IDs, when set, lists exactly these orders (for retry), ignoring Since and Cursor.
	IDs []string `json:"ids,omitempty"`
}

// OrderItem is one streamed order with the cursor to resume after it.
type OrderItem struct {
	Order  Order  `json:"order"`
	Cursor string `json:"cursor"`
	// Total is how many orders the listing expects to yield in all, as far as the shop said so
	// (WooCommerce X-WP-Total, Magento total_count, a paging block's total), counted from the
	// start of this listing (not from this item); 0 when unknown. It is a hint for a progress
	// display only: a listing may yield more (orders modified while paging) or fewer (orders
	// it skips, repeats dropped) than announced, and the host never relies on it. A plugin may
	// set it on every item or on some; the latest non-zero value counts. Plugins built before
	// this field existed send none: the host then shows progress without a total.
	Total int `json:"total,omitempty"`
}

// ProductQuery selects the products ListProducts streams.
type ProductQuery struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
}

// ProductItem is one streamed product with the cursor to resume after it.
type ProductItem struct {
	Product Product `json:"product"`
	Cursor  string  `json:"cursor"`
}
