package pipeline

// The preview of an order's life after import (after_import.go): for an order koppel imported
// before, what the next sync would do about its refunds, its cancellation and its edits, decided
// as followRefund, followCancel and followChange decide it, with every write left out (no credit
// order created, no SnelStart order deleted, no attention item raised, no record marked).

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Actions of the preview entries about an order imported before.
const (
	// ActionCredit: a credit sales order is booked (a refund, or a cancellation credited in full).
	ActionCredit mapping.Action = "credit"
	// ActionDelete: the SnelStart sales order of a cancelled order is deleted.
	ActionDelete mapping.Action = "delete"
	// ActionAttention: the order is listed for a person (koppel attention) with the reason.
	ActionAttention mapping.Action = "attention"
)

// planAfterImport previews what the sync does about o when koppel imported it before: one entry
// per refund credited or listed, one for a cancellation, one for an edit. Things done before
// (a credit order booked, a cancellation handled, an item raised) have no entry.
func (r *run) planAfterImport(ctx context.Context, o sdk.Order) ([]OrderPlan, error) {
	p := r.p
	if _, credit := mapping.OriginalID(o.ID); credit {
		return nil, nil
	}
	rec, ok, err := GetOrderRecord(ctx, p.store, p.profile, o.ID)
	if err != nil {
		return nil, abortState(err, "reason.step.read_order")
	}
	if !ok {
		return nil, nil
	}
	var out []OrderPlan
	for _, rf := range o.Refunds {
		op, ok, err := r.planRefund(ctx, o, rec, rf)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, op)
		}
	}
	var op OrderPlan
	if o.Cancelled {
		op, ok, err = r.planCancel(ctx, o, rec)
	} else {
		op, ok, err = r.planChange(ctx, o, rec)
	}
	if err != nil {
		return nil, err
	}
	if ok {
		out = append(out, op)
	}
	return out, nil
}

// followEntry is a preview entry about imported order o.
func followEntry(o sdk.Order, rec OrderRecord, action mapping.Action, reason string) OrderPlan {
	return OrderPlan{ShopID: o.ID, Number: o.Number, Of: o.Number, Action: action, Reason: reason,
		LedgerNumber: rec.LedgerNumber, TotalShop: mapping.Money(o.Totals.Total), TotalLedger: mapping.Money(rec.TotalIncl)}
}

// raised reports whether the attention item (kind, shop id, detail) exists, open or resolved:
// the sync then raises nothing new.
func (r *run) raised(ctx context.Context, kind attention.Kind, shopID, detail string) (bool, error) {
	_, err := attention.Get(ctx, r.p.store, r.p.profile, attention.ItemID(kind, shopID, detail))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, attention.ErrNotFound):
		return false, nil
	}
	return false, abortState(err, "reason.step.read_attention")
}

// planRefund previews followRefund.
func (r *run) planRefund(ctx context.Context, o sdk.Order, rec OrderRecord, rf sdk.Refund) (OrderPlan, bool, error) {
	p := r.p
	switch p.prof.Orders.OnRefund {
	case config.RefundIgnore:
		return OrderPlan{}, false, nil
	case config.RefundAttention:
		if seen, err := r.raised(ctx, attention.KindRefunded, o.ID, rf.ID); err != nil || seen {
			return OrderPlan{}, false, err
		}
		return followEntry(o, rec, ActionAttention, fmt.Sprintf(text.Template("reason.plan_refund_listed"),
			rf.ID, mapping.Money(rf.Amount), rec.LedgerNumber)), true, nil
	}
	var restRate *sdk.Money
	if code := p.prof.Orders.RefundArticle; code != "" && !rf.Rest().IsZero() {
		rate, err := r.articleRate(ctx, code, rf.CreatedAt)
		if err != nil {
			if classify(err) == classAbort {
				return OrderPlan{}, false, err
			}
			op := followEntry(o, rec, mapping.ActionFail, "")
			op.Number = o.Number + "-R" + rf.ID
			op.Problems = []string{fmt.Sprintf(text.Template("reason.refund_rate_lookup"), reasonOf(err))}
			return op, true, nil
		}
		restRate = rate
	}
	c, err := mapping.CreditRefund(o, rf, p.prof.Orders.RefundArticle, restRate)
	if err != nil {
		if seen, err := r.raised(ctx, attention.KindRefunded, o.ID, rf.ID); err != nil || seen {
			return OrderPlan{}, false, err
		}
		return followEntry(o, rec, ActionAttention, fmt.Sprintf(text.Template("reason.plan_refund_unbookable"), rf.ID, err.Error())), true, nil
	}
	c.ModifiedAt = o.ModifiedAt
	return r.planCredit(ctx, o, c, rec, fmt.Sprintf(text.Template("reason.plan_credit_refund"), rf.ID, mapping.Money(rf.Amount), rec.LedgerNumber))
}

// planCredit previews the credit order c of imported order o: nothing when it was booked (or
// parked) before, else its customer, lines and totals as the sync books them.
func (r *run) planCredit(ctx context.Context, o, c sdk.Order, rec OrderRecord, reason string) (OrderPlan, bool, error) {
	p := r.p
	if _, decided, _, _, err := r.screen(ctx, c); err != nil || decided {
		return OrderPlan{}, false, err
	}
	ref := p.reference(c)
	intent, hasIntent, err := state.Get[IntentRecord](ctx, p.store, state.IntentKey(p.profile, c.ID))
	if err != nil {
		return OrderPlan{}, false, abortState(err, "reason.step.read_intent")
	}
	refs := []string{ref}
	if hasIntent {
		refs = slices.Compact([]string{intent.Reference, ref})
	}
	for _, x := range refs {
		var found bool
		if hasIntent { // as importOne: look for what an unanswered create may have made
			var all []sdk.SalesOrder
			if all, err = p.findBooked(ctx, x); err == nil {
				_, found = pickByReference(all, x)
			}
		} else {
			_, found, err = r.guard(ctx, x)
		}
		if err != nil {
			if classify(err) == classAbort {
				return OrderPlan{}, false, err
			}
			op := followEntry(o, rec, mapping.ActionFail, "")
			op.Number, op.Reference = c.Number, ref
			op.Problems = []string{fmt.Sprintf(text.Template("reason.lookup_credit"), x, reasonOf(err))}
			return op, true, nil
		}
		if found { // SnelStart has it already: the sync records it and books nothing
			return OrderPlan{}, false, nil
		}
	}
	if err := r.ensurePlanner(ctx); err != nil {
		return OrderPlan{}, false, err
	}
	plan, err := r.planner.PlanCredit(ctx, c, rec.CustomerID, rec.CustomerCode)
	if plan == nil || err != nil {
		if err = planError(err); classify(err) == classAbort {
			return OrderPlan{}, false, err
		}
		op := followEntry(o, rec, mapping.ActionFail, reason)
		op.Number, op.Reference = c.Number, ref
		op.Problems = []string{fmt.Sprintf(text.Template("reason.credit_unplannable"), reasonOf(err))}
		return op, true, nil
	}
	r.view.simulate(plan)
	shown := c
	shown.Totals = sdk.Totals{TotalExcl: c.Totals.TotalExcl.Neg(), Tax: c.Totals.Tax.Neg(), Total: c.Totals.Total.Neg()}
	op := orderPlanOf(shown, plan)
	op.Of, op.Reference, op.LedgerNumber = o.Number, ref, rec.LedgerNumber
	if plan.Action == mapping.ActionCreate {
		op.Action = ActionCredit
		op.Reason = reason
	}
	return op, true, nil
}

// planCancel previews followCancel.
func (r *run) planCancel(ctx context.Context, o sdk.Order, rec OrderRecord) (OrderPlan, bool, error) {
	p := r.p
	if rec.Cancel != "" {
		return OrderPlan{}, false, nil
	}
	listed := followEntry(o, rec, ActionAttention, fmt.Sprintf(text.Template("reason.plan_cancel_listed"),
		rec.LedgerNumber, mapping.Money(rec.TotalIncl), p.prof.Orders.OnCancel))
	creditAll := func() (OrderPlan, bool, error) {
		if len(o.Refunds) > 0 {
			listed.Reason = fmt.Sprintf(text.Template("reason.plan_cancel_refunded"),
				rec.LedgerNumber, mapping.Money(rec.TotalIncl))
			return listed, true, nil
		}
		return r.planCredit(ctx, o, mapping.CreditCancel(o), rec, fmt.Sprintf(text.Template("reason.plan_credit_cancel"), rec.LedgerNumber))
	}
	switch p.prof.Orders.OnCancel {
	case config.CancelIgnore:
		return OrderPlan{}, false, nil
	case config.CancelAttention:
		return listed, true, nil
	case config.CancelCreditOrder:
		return creditAll()
	}
	if p.invoiceMode() {
		return creditAll() // a booked invoice is never deleted: it is credited
	}
	op := followEntry(o, rec, ActionDelete, fmt.Sprintf(text.Template("reason.plan_cancel_delete"),
		rec.LedgerNumber, mapping.Money(rec.TotalIncl), o.Number))
	op.TotalShop = mapping.Money(sdk.Money{})
	return op, true, nil
}

// planChange previews followChange.
func (r *run) planChange(ctx context.Context, o sdk.Order, rec OrderRecord) (OrderPlan, bool, error) {
	if r.p.prof.Orders.OnChange == config.ChangeIgnore || !o.ModifiedAt.After(rec.ShopModifiedAt) {
		return OrderPlan{}, false, nil
	}
	h := linesHash(o)
	if o.Totals.Total.Equal(rec.ShopTotal) && (rec.LinesHash == "" || rec.LinesHash == h) {
		return OrderPlan{}, false, nil
	}
	if seen, err := r.raised(ctx, attention.KindChanged, o.ID, h+"/"+o.Totals.Total.String()); err != nil || seen {
		return OrderPlan{}, false, err
	}
	return followEntry(o, rec, ActionAttention, fmt.Sprintf(text.Template("reason.plan_changed"),
		mapping.Money(o.Totals.Total), mapping.Money(rec.TotalIncl), rec.LedgerNumber)), true, nil
}
