package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Waiting orders and the stock they hold back.
//
// import_orders lists the shop's orders in every status (sdk.OrderQuery.AllStatuses) and
// decides itself which are importable: the statuses of orders.statuses, or, when that is unset,
// the shop plugin's own `statuses` attribute. Every other order "waits": it is not imported, the
// cursor moves past it, and it is listed again when the shop changes it (a status change changes
// its modification time), and imported then if its new status is importable. Only when neither
// list exists does the pipeline ask the plugin for its default set (Statuses empty,
// AllStatuses false) as before.
//
// A waiting order whose status may still become importable holds its products' stock back: its
// SKUs are recorded under map/<profile>/stock-hold/<shop-id> (HoldRecord), so export_stock and
// import_orders_export_stock do not offer stock that is already sold but not yet in SnelStart.
// An order in a final status (cancelled, refunded, failed) holds nothing: the shop gave its stock
// back. Which statuses hold is fixed per shop (holdingStatuses):
//
//   - woocommerce: pending (awaiting payment), on-hold (awaiting a bank transfer or a check);
//     not: completed, cancelled, refunded, failed, trash, checkout-draft;
//   - magento: new, pending, pending_payment, holded, payment_review, fraud;
//     not: complete, closed, canceled;
//   - onetoshop (plugins/onetoshop/API.md): new, pending_payment;
//     not: completed, cancelled, refunded;
//   - any other shop plugin: every status except the usual final ones (finalStatuses).
//
// A status in orders.statuses is importable and never holds. The hold ends when the order is
// imported, fails (its FailedRecord holds the products then), moves to a status that does not
// hold, or after HoldMaxAge.

// holdingStatuses are, per shop plugin, the statuses of orders that are not final: the customer
// may still pay, or the shop owner release the order.
var holdingStatuses = map[string][]string{
	"woocommerce": {"pending", "on-hold"},
	"magento":     {"new", "pending", "pending_payment", "holded", "payment_review", "fraud"},
	"onetoshop":   {"new", "pending_payment"},
}

// finalStatuses are statuses that never hold stock for a shop plugin without its own list.
var finalStatuses = []string{"cancelled", "canceled", "refunded", "failed", "trash", "closed", "void",
	"declined", "completed", "complete", "checkout-draft", "expired"}

// statusPolicy is the run's view of the shop's order statuses.
type statusPolicy struct {
	// importable are the statuses imported (lower case); nil means every listed order is
	// importable (the plugin's default set was asked for).
	importable []string
	// any is set when importable holds "any": every status is importable.
	any bool
	// source names where importable came from, for messages.
	source string
	shop   string
}

// statusPolicy works out which statuses are importable: orders.statuses, else the shop
// plugin's `statuses` attribute, else nil (the plugin's default set).
func (p *Pipeline) statusPolicy() statusPolicy {
	sp := statusPolicy{shop: strings.ToLower(p.prof.Shop.Name)}
	list, src := cleanStatuses(p.prof.Orders.Statuses), "orders.statuses"
	if len(list) == 0 && p.prof.Shop.Config != nil {
		list, src = cleanStatuses(p.prof.Shop.Config.StringList("statuses")), "the shop's statuses"
	}
	if len(list) == 0 {
		return sp
	}
	sp.importable, sp.source = list, src
	sp.any = slices.Contains(list, "any")
	return sp
}

// cleanStatuses lower-cases and trims a status list, dropping empty entries and the "wc-"
// prefix WooCommerce uses in its database.
func cleanStatuses(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "wc-")
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// query is the listing query: every status when the host knows which are importable (the
// importable ones are passed too, for a plugin that predates AllStatuses), else the plugin's
// default set.
func (sp statusPolicy) query(q sdk.OrderQuery) sdk.OrderQuery {
	if sp.importable != nil && !sp.any {
		q.Statuses = slices.Clone(sp.importable)
		q.AllStatuses = true
	} else if sp.any {
		q.AllStatuses = true
	}
	return q
}

// importableStatus reports whether an order in status is imported.
func (sp statusPolicy) importableStatus(status string) bool {
	if sp.importable == nil || sp.any {
		return true
	}
	return slices.Contains(sp.importable, strings.TrimPrefix(strings.ToLower(strings.TrimSpace(status)), "wc-"))
}

// holds reports whether a waiting order in status holds its products' stock back.
func (sp statusPolicy) holds(status string) bool {
	st := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(status)), "wc-")
	if st == "" || (sp.importable != nil && sp.importableStatus(st)) {
		return false
	}
	if list, ok := holdingStatuses[sp.shop]; ok {
		return slices.Contains(list, st)
	}
	return !slices.Contains(finalStatuses, st)
}

// waitingReason is the outcome reason of an order that waits.
func (sp statusPolicy) waitingReason(status string) string {
	list := strings.Join(sp.importable, ", ")
	if sp.holds(status) {
		return fmt.Sprintf(text.Template("reason.status_waiting_stock"), status, sp.source, list)
	}
	return fmt.Sprintf(text.Template("reason.status_waiting"), status, sp.source, list)
}

// orderSKUs are the distinct SKUs of an order's lines.
func orderSKUs(o sdk.Order) []string {
	var skus []string
	for _, l := range o.Lines {
		if sku := strings.TrimSpace(l.SKU); sku != "" && !slices.Contains(skus, sku) {
			skus = append(skus, sku)
		}
	}
	return skus
}

// updateHold keeps the order's HoldRecord in step with its outcome: a waiting order in a status
// that holds records its SKUs; any other outcome removes the record (a failed order is held by
// its FailedRecord; a parked, unchanged one keeps whatever it had).
//
// Whether an order holds is read from the state store, not kept in memory: a first sync of a
// long history may list tens of thousands of waiting orders, and the run's memory must not grow
// with them. For an order that never waited the read is answered by Badger's bloom filters.
func (r *run) updateHold(ctx context.Context, o sdk.Order, out OrderOutcome) error {
	key := state.MapKey(r.p.profile, MapStockHold, o.ID)
	if out.Status == StatusWaiting && !o.Cancelled && r.status.holds(o.Status) {
		skus := orderSKUs(o)
		if len(skus) > 0 {
			err := r.p.store.Update(ctx, func(tx *state.Tx) error {
				h, ok, err := state.Get[HoldRecord](ctx, tx, key)
				if err != nil {
					return err
				}
				if !ok {
					h.Since = r.p.now()
				}
				h.ShopID, h.ShopNumber, h.Status, h.SKUs = o.ID, o.Number, o.Status, skus
				return tx.Put(key, h)
			})
			if err != nil {
				return abortState(err, "reason.step.record_waiting", o.Number)
			}
			return nil
		}
	}
	if out.Status == StatusSkipped && out.parked {
		return nil
	}
	_, held, err := state.Get[HoldRecord](ctx, r.p.store, key)
	if err != nil {
		return abortState(err, "reason.step.read_held_stock", o.Number)
	}
	if !held {
		return nil
	}
	if err := state.Delete(ctx, r.p.store, key); err != nil {
		return abortState(err, "reason.step.release_stock", o.Number)
	}
	return nil
}
