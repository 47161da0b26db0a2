package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// differenceItem compares SnelStart's total of a created sales order with the shop's, in every
// orders.lines mode. A difference beyond orders.difference_tolerance is never left silent: it
// becomes an attention item (kind difference) naming both totals, stored with the order's
// record, and a warning on the order. A zero total on an order with amounts is SnelStart not
// telling, not a difference.
func (r *run) differenceItem(o sdk.Order, created sdk.SalesOrder, w *mapping.Warnings) *attention.Item {
	set := r.p.prof.Orders
	if created.TotalIncl.IsZero() && !o.Totals.Total.IsZero() {
		return nil
	}
	d := o.Totals.Total.Sub(created.TotalIncl)
	if d.Abs().LessThanOrEqual(set.DifferenceTolerance) {
		return nil
	}
	shop, ledger := o.Totals.Total, created.TotalIncl
	w.Add(text.Template("reason.total_after_create"),
		mapping.Money(ledger), mapping.Money(shop), mapping.Money(d), created.Number)
	why := "SnelStart rekende met andere prijzen of btw dan de winkel"
	if set.Lines == "code_and_quantity" {
		why = "met orders.lines = \"code_and_quantity\" zet SnelStart zelf de prijzen (artikelprijs, prijsafspraken)"
	}
	return &attention.Item{
		Kind: attention.KindDifference, ShopID: o.ID, ShopNumber: o.Number, Detail: created.ID,
		LedgerOrderID: created.ID, LedgerNumber: created.Number, ShopTotal: &shop, LedgerTotal: &ledger,
		Message: fmt.Sprintf("Verkooporder %d (webshoporder %s) heeft in SnelStart een totaal van %s incl. btw, de winkel %s: een verschil van %s (%s).",
			created.Number, o.Number, mapping.Money(ledger), mapping.Money(shop), mapping.Money(d), why),
		Action: fmt.Sprintf("Pas verkooporder %d in SnelStart aan tot %s (prijzen, btw of een regel voor het verschil) en sluit dit punt met koppel resolve.",
			created.Number, mapping.Money(shop)),
		MessageEN: fmt.Sprintf("Sales order %d (shop order %s) totals %s incl. VAT in SnelStart, the shop %s: a difference of %s.",
			created.Number, o.Number, mapping.Money(ledger), mapping.Money(shop), mapping.Money(d)),
		ActionEN: fmt.Sprintf("Correct sales order %d in SnelStart to %s, then close this item with koppel resolve.", created.Number, mapping.Money(shop)),
	}
}

// guardFits decides whether the sales order the double-import guard found with the order's
// reference is this shop order: its customer is the relatie the order would be booked on and its
// total equals the shop's within orders.difference_tolerance. An order that does not fit is not
// adopted: it is held (parked) with an attention item of kind reference_collision, unless a
// person already resolved that item, which confirms the SnelStart order is this one.
func (r *run) guardFits(ctx context.Context, o sdk.Order, ref string, found sdk.SalesOrder) (bool, error) {
	p := r.p
	if creditOf(ctx) != nil {
		return true, nil // a credit order's reference (<reference>-R<refund id>) is koppel's own
	}
	totalFits := found.TotalIncl.Sub(o.Totals.Total).Abs().LessThanOrEqual(p.prof.Orders.DifferenceTolerance)
	customerFits := false
	plan, err := r.planner.Plan(ctx, o)
	if err != nil {
		return false, planError(err)
	}
	if id := plan.Customer.ID; id != "" && strings.EqualFold(id, found.CustomerID) {
		customerFits = true
	}
	if totalFits && customerFits {
		return true, nil
	}
	id := attention.ItemID(attention.KindReferenceCollision, o.ID, found.ID)
	if it, err := attention.Get(ctx, p.store, p.profile, id); err == nil && !it.Open() {
		return true, nil
	} else if err != nil && !errors.Is(err, attention.ErrNotFound) {
		return false, abortState(err, "reason.step.read_attention")
	}
	// what differs, in English like every stored reason
	what := fmt.Sprintf(text.Template("reason.collision_total"), mapping.Money(found.TotalIncl), mapping.Money(o.Totals.Total))
	switch {
	case !customerFits && !totalFits:
		what = fmt.Sprintf(text.Template("reason.collision_both"), mapping.Money(found.TotalIncl), mapping.Money(o.Totals.Total))
	case !customerFits:
		what = text.Template("reason.collision_customer")
	}
	shop, ledger := o.Totals.Total, found.TotalIncl
	it := attention.Item{
		Kind: attention.KindReferenceCollision, ShopID: o.ID, ShopNumber: o.Number, Detail: found.ID,
		LedgerOrderID: found.ID, LedgerNumber: found.Number, ShopTotal: &shop, LedgerTotal: &ledger,
		Message: fmt.Sprintf("SnelStart heeft al verkooporder %d met kenmerk %q, maar met %s; koppel heeft webshoporder %s daarom niet als geboekt overgenomen en niet geboekt.",
			found.Number, ref, text.Reason(text.NL, what), o.Number),
		Action:    fmt.Sprintf("Is verkooporder %d deze webshoporder, sluit dit punt dan met koppel resolve en probeer de order opnieuw (koppel retry): hij wordt dan overgenomen. Is het een andere order, geef die in SnelStart een ander betalingskenmerk en orderreferentie (of zet orders.reference_prefix) en probeer de order opnieuw.", found.Number),
		MessageEN: fmt.Sprintf("SnelStart already has sales order %d with reference %q but with another customer or total; shop order %s was neither adopted nor booked.", found.Number, ref, o.Number),
		ActionEN:  "If it is this order, resolve this item and retry the order; otherwise give the SnelStart order another reference (or set orders.reference_prefix) and retry.",
	}
	if _, _, err := attention.Raise(ctx, p.store, p.profile, it, p.now()); err != nil {
		return false, abortState(err, "reason.step.record_attention")
	}
	return false, refusef(text.Template("reason.reference_collision"), found.Number, ref, what, o.Number)
}

// forgetGoneCustomer handles a sales order SnelStart refused because the remembered relatie is
// inactive or deleted (sdk.CodeCustomerGone): the customer map record is dropped, so the order's
// customer is matched again (once per order and run). It reports whether the order may be
// planned again.
func (r *run) forgetGoneCustomer(ctx context.Context, o sdk.Order, plan *mapping.Plan, err error, w *mapping.Warnings) (bool, error) {
	if !sdk.IsCustomerGone(err) || plan.Customer.Key == "" {
		return false, nil
	}
	r.mu.Lock()
	again := !r.rematched[o.ID]
	r.rematched[o.ID] = true
	r.mu.Unlock()
	if !again {
		return false, nil
	}
	p := r.p
	if derr := state.Delete(ctx, p.store, state.MapKey(p.profile, state.MapCustomer, plan.Customer.Key)); derr != nil {
		return false, abortState(derr, "reason.step.forget_customer", plan.Customer.Code)
	}
	r.view.forget(plan.Customer.Key)
	p.log.Warn("SnelStart refused the remembered customer; it is forgotten and the customer matched again",
		"order", o.Number, "customer", plan.Customer.Code, "reason", reasonOf(err))
	w.Add(text.Template("reason.customer_forgotten"),
		plan.Customer.Code, reasonOf(err))
	return true, nil
}
