package sdk

import "context"

// OrderNoter is the optional note side of a Shop: adding a note (an order comment visible to
// the shop's staff) to an order. koppel uses it for orders.mark_paid: once the ledger shows
// the invoice of a booked order paid, the shop order gets a note saying so. A shop plugin whose
// shop takes notes implements it and declares CapOrderNotes; over the plugin protocol a shop
// without it answers every call with KindConfig.
type OrderNoter interface {
	// AddOrderNote adds note to the shop order with id orderID, unless that order already
	// carries a note with exactly this text: a retry after a crash or a lost answer does not
	// add it twice. An unknown order is KindNotFound.
	AddOrderNote(ctx context.Context, orderID, note string) error
}

// OrderNote is the payload of AddOrderNote over the plugin protocol.
type OrderNote struct {
	OrderID string `json:"order_id"`
	Note    string `json:"note"`
}

// CapOrderNotes is declared by a shop plugin whose Shop implements OrderNoter.
const CapOrderNotes = "order_notes"
