package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/sdk"
)

// TaskReconcile is the task name of `koppel reconcile` and of `task "reconcile"`.
const TaskReconcile = "reconcile"

// DefaultReconcilePeriod is how far back the reconcile task looks when it runs from the
// schedule or `koppel sync PROFILE reconcile`: the last 30 days, or from orders.since when that
// is later.
const DefaultReconcilePeriod = 30 * 24 * time.Hour

// Reconcile compares the shop's orders with SnelStart's (`koppel reconcile`, task reconcile).
//
// The shop's orders created or modified since since are listed (every status; the profile's
// importable statuses decide which are compared). Orders koppel never imports are not compared:
// credit orders of the shop, orders in a status the profile does not import, orders created
// before orders.since, and cancelled orders (their duplicates are still reported). For each
// compared order the SnelStart sales orders carrying its reference (reference_prefix + number,
// in the orderreferentie or betalingskenmerk) are looked up, Options.GuardBatch orders (default
// 25) per FindSalesOrders call. Credit orders (reference ...-R<id> or ...-C) carry another
// reference and are neither matched nor counted as duplicates. The findings:
//
//   - missing: koppel recorded the order as booked in SnelStart but SnelStart has no sales order
//     with its reference (unless koppel itself deleted it because the order was cancelled).
//     An order that is merely not imported yet (no record, no failure: the next import run takes
//     it) is counted as pending, and an order whose import failed is counted as failed: it is
//     already on the failed list (koppel orders --failed, the dashboard, notify) with its reason,
//     so reconcile does not report it a second time.
//   - duplicate: SnelStart has two or more sales orders with the reference.
//   - difference: SnelStart has exactly one sales order with the reference and its total
//     including VAT differs from the shop's order total including VAT by more than
//     orders.difference_tolerance. A difference koppel booked on orders.difference_article is a
//     line of that sales order, so it is part of SnelStart's total and closes the gap; refunds
//     are not subtracted on either side (the shop's order total stays the order as placed, and
//     koppel books refunds as separate credit orders).
//
// Each finding is raised as an attention item (kind missing, duplicate or difference); an item
// is raised once per situation (the detail key is the SnelStart order ids, or its total), so a
// second reconcile of the same situation adds nothing. Reconcile writes nothing to the shop or
// SnelStart and does not take the import lock.
func (p *Pipeline) Reconcile(ctx context.Context, since time.Time) (ReconcileResult, error) {
	if err := p.validate(); err != nil {
		return ReconcileResult{}, err
	}
	if s := p.prof.Orders.Since; !s.IsZero() && s.After(since) {
		since = s
	}
	rc := &reconciler{p: p, status: p.statusPolicy(), seen: map[string]bool{}}
	rc.res = ReconcileResult{Profile: p.profile, Since: since.UTC(), Findings: []ReconcileFinding{}}
	before := p.ledger.Calls()
	q := rc.status.query(sdk.OrderQuery{Since: since})
	var yieldErr error
	err := p.shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		yieldErr = rc.add(ctx, it.Order)
		return yieldErr
	})
	if yieldErr == nil {
		yieldErr = rc.flush(ctx)
	}
	err = listingError(err, yieldErr, "reason.step.list_orders")
	rc.res.LedgerCalls = p.ledger.Calls() - before
	if err != nil {
		return rc.res, unwrapAbort(err)
	}
	return rc.res, nil
}

// ReconcileResult is what one reconcile found.
type ReconcileResult struct {
	Profile string    `json:"profile"`
	Since   time.Time `json:"since"`
	// Listed counts the distinct shop orders listed; Compared those compared with SnelStart;
	// Skipped those koppel never imports; Pending those not imported yet (the next import run
	// takes them); Failed those on the failed list.
	Listed   int `json:"listed"`
	Compared int `json:"compared"`
	Skipped  int `json:"skipped"`
	Pending  int `json:"pending"`
	// Failed counts the compared orders whose import failed and that SnelStart does not have:
	// they are on the failed list already and are not reported again.
	Failed int `json:"failed"`
	// Findings lists every difference found, in listing order; NewItems counts the attention
	// items this reconcile opened (a finding raised before is not new).
	Findings []ReconcileFinding `json:"findings"`
	NewItems int                `json:"new_items"`
	// LedgerCalls is the number of ledger calls made (batched look-ups).
	LedgerCalls int64 `json:"ledger_calls"`
}

// ReconcileFinding is one order whose SnelStart side does not match the shop.
type ReconcileFinding struct {
	Kind       attention.Kind `json:"kind"`
	ShopID     string         `json:"shop_id"`
	ShopNumber string         `json:"shop_number"`
	Reference  string         `json:"reference"`
	// LedgerNumbers are the SnelStart sales orders with the reference (none when missing).
	LedgerNumbers []int      `json:"ledger_numbers"`
	ShopTotal     sdk.Money  `json:"shop_total"`
	LedgerTotal   *sdk.Money `json:"ledger_total,omitempty"`
	// ItemID is the attention item raised; New is false when it was raised before.
	ItemID string `json:"item_id"`
	New    bool   `json:"new"`
	// Message and Action are the item's Dutch texts.
	Message string `json:"message"`
	Action  string `json:"action"`
}

type reconciler struct {
	p      *Pipeline
	status statusPolicy
	seen   map[string]bool
	batch  []sdk.Order
	res    ReconcileResult
}

// add screens one listed order and buffers it for the batched look-up.
func (rc *reconciler) add(ctx context.Context, o sdk.Order) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rc.seen[o.ID] {
		return nil // the listing is at-least-once
	}
	rc.seen[o.ID] = true
	rc.res.Listed++
	since := rc.p.prof.Orders.Since
	_, credit := mapping.OriginalID(o.ID)
	if credit || !rc.status.importableStatus(o.Status) || (!since.IsZero() && !o.CreatedAt.IsZero() && o.CreatedAt.Before(since)) {
		rc.res.Skipped++
		return nil
	}
	rc.batch = append(rc.batch, o)
	if len(rc.batch) >= rc.p.guardBatch() {
		return rc.flush(ctx)
	}
	return nil
}

// flush looks up the references of the buffered orders with one ledger call and compares.
func (rc *reconciler) flush(ctx context.Context) error {
	batch := rc.batch
	rc.batch = nil
	if len(batch) == 0 {
		return nil
	}
	refs := make([]string, 0, len(batch))
	for _, o := range batch {
		if ref := rc.p.reference(o); !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	found, err := rc.p.findBooked(ctx, refs...) // invoices by number in invoice mode
	if err != nil {
		return abortf(serviceKey(sideLedger, err), step("reason.step.reconcile_lookup", len(refs)), err)
	}
	for _, o := range batch {
		if err := rc.compare(ctx, o, rc.p.reference(o), found); err != nil {
			return err
		}
	}
	return nil
}

// compare checks one order against the SnelStart orders found for its batch.
func (rc *reconciler) compare(ctx context.Context, o sdk.Order, ref string, found []sdk.SalesOrder) error {
	p := rc.p
	var mine []sdk.SalesOrder
	for _, so := range found {
		if so.PaymentReference == ref || so.OrderReference == ref {
			mine = append(mine, so)
		}
	}
	rec, recorded, err := GetOrderRecord(ctx, p.store, p.profile, o.ID)
	if err != nil {
		return abortState(err, "reason.step.read_order")
	}
	if len(mine) > 1 {
		rc.res.Compared++
		return rc.duplicate(ctx, o, ref, mine)
	}
	if o.Cancelled {
		rc.res.Skipped++
		return nil
	}
	rc.res.Compared++
	if len(mine) == 0 {
		if recorded {
			if rec.Cancel == "deleted" {
				return nil
			}
			return rc.raise(ctx, ReconcileFinding{Kind: attention.KindMissing, ShopID: o.ID, ShopNumber: o.Number, Reference: ref,
				LedgerNumbers: []int{}, ShopTotal: o.Totals.Total}, rec.LedgerOrderID,
				fmt.Sprintf("Order %s is door koppel geboekt als verkooporder %d, maar SnelStart heeft geen verkooporder met kenmerk %s meer.", o.Number, rec.LedgerNumber, ref),
				fmt.Sprintf("Zoek uit of verkooporder %d in SnelStart is verwijderd. Hoort de order geboekt te zijn, maak hem dan opnieuw aan in SnelStart (kenmerk %s) en los dit punt op.", rec.LedgerNumber, ref),
				fmt.Sprintf("Order %s was booked by koppel as sales order %d, but SnelStart no longer has a sales order with reference %s.", o.Number, rec.LedgerNumber, ref),
				fmt.Sprintf("Find out whether sales order %d was deleted in SnelStart. If the order should be booked, book it again in SnelStart (reference %s) and resolve this item.", rec.LedgerNumber, ref))
		}
		_, wasFailed, err := GetFailedRecord(ctx, p.store, p.profile, o.ID)
		if err != nil {
			return abortState(err, "reason.step.read_failure")
		}
		if wasFailed {
			rc.res.Failed++
		} else {
			rc.res.Pending++
		}
		return nil
	}
	so := mine[0]
	diff := so.TotalIncl.Sub(o.Totals.Total)
	if diff.Abs().LessThanOrEqual(p.prof.Orders.DifferenceTolerance) {
		return nil
	}
	lt := so.TotalIncl
	return rc.raise(ctx, ReconcileFinding{Kind: attention.KindDifference, ShopID: o.ID, ShopNumber: o.Number, Reference: ref,
		LedgerNumbers: []int{so.Number}, ShopTotal: o.Totals.Total, LedgerTotal: &lt}, so.ID+":"+mapping.Money(lt),
		fmt.Sprintf("Verkooporder %d (order %s) heeft in SnelStart totaal %s incl. btw, de webwinkel %s: verschil %s.", so.Number, o.Number, mapping.Money(lt), mapping.Money(o.Totals.Total), mapping.Money(diff)),
		fmt.Sprintf("Vergelijk verkooporder %d in SnelStart met order %s in de webwinkel en corrigeer de verkeerde kant; los dit punt daarna op.", so.Number, o.Number),
		fmt.Sprintf("Sales order %d (order %s) totals %s incl. VAT in SnelStart, the shop %s: difference %s.", so.Number, o.Number, mapping.Money(lt), mapping.Money(o.Totals.Total), mapping.Money(diff)),
		fmt.Sprintf("Compare sales order %d in SnelStart with order %s in the shop and correct the wrong side; then resolve this item.", so.Number, o.Number))
}

// duplicate raises the finding of an order SnelStart holds more than once.
func (rc *reconciler) duplicate(ctx context.Context, o sdk.Order, ref string, mine []sdk.SalesOrder) error {
	slices.SortFunc(mine, func(a, b sdk.SalesOrder) int { return a.Number - b.Number })
	nums := make([]int, len(mine))
	ids := make([]string, len(mine))
	shown := make([]string, len(mine))
	for i, so := range mine {
		nums[i], ids[i], shown[i] = so.Number, so.ID, fmt.Sprint(so.Number)
	}
	list := strings.Join(shown, ", ")
	return rc.raise(ctx, ReconcileFinding{Kind: attention.KindDuplicate, ShopID: o.ID, ShopNumber: o.Number, Reference: ref,
		LedgerNumbers: nums, ShopTotal: o.Totals.Total}, strings.Join(ids, ","),
		fmt.Sprintf("Order %s staat %d keer in SnelStart met kenmerk %s: verkooporders %s.", o.Number, len(mine), ref, list),
		"Verwijder in SnelStart de dubbele verkooporder(s) zodat er één overblijft (of crediteer een al gefactureerde) en los dit punt op.",
		fmt.Sprintf("Order %s is in SnelStart %d times with reference %s: sales orders %s.", o.Number, len(mine), ref, list),
		"Delete the duplicate sales order(s) in SnelStart so one remains (or credit one already invoiced) and resolve this item.")
}

// raise records f and opens (or refreshes) its attention item.
func (rc *reconciler) raise(ctx context.Context, f ReconcileFinding, detail, msg, action, msgEN, actionEN string) error {
	p := rc.p
	f.Message, f.Action = msg, action
	it := attention.Item{Kind: f.Kind, ShopID: f.ShopID, ShopNumber: f.ShopNumber, Detail: detail,
		ShopTotal: money(f.ShopTotal), LedgerTotal: f.LedgerTotal,
		Message: msg, Action: action, MessageEN: msgEN, ActionEN: actionEN}
	if len(f.LedgerNumbers) == 1 {
		it.LedgerNumber = f.LedgerNumbers[0]
	}
	stored, created, err := attention.Raise(ctx, p.store, p.profile, it, p.now())
	if err != nil {
		return abortState(err, "reason.step.record_attention")
	}
	f.ItemID, f.New = stored.ID, created
	if created {
		rc.res.NewItems++
		p.log.Warn("attention needed", "kind", f.Kind, "order", f.ShopNumber, "what", msgEN)
	}
	rc.res.Findings = append(rc.res.Findings, f)
	return nil
}

// reconcileTask runs the task reconcile over DefaultReconcilePeriod and records it as a run.
func (p *Pipeline) reconcileTask(ctx context.Context) (TaskRun, error) {
	if err := p.validate(); err != nil {
		return TaskRun{}, err
	}
	tc := p.startTask()
	tr := TaskRun{RunResult: RunResult{Task: TaskReconcile}}
	res, err := p.Reconcile(ctx, p.now().Add(-DefaultReconcilePeriod))
	tr.Reconcile = &res
	return p.finishTask(ctx, tc, tr, err)
}
