package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// An order's life after import (spec/settings.md "After import").
//
// Every listed order that koppel imported (now or before) is followed:
//
//   - each shop refund (sdk.Order.Refunds) is handled once, per orders.on_refund: credit_order
//     books a credit sales order (mapping.KindCreditOrder: negative quantities, reference
//     <prefix><number>-R<refund id>, on the original order's relatie) through the same
//     exactly-once protocol as any order (intent, look-up by reference, create, outcome, keyed
//     by mapping.RefundOrderID); attention raises an attention item; ignore does nothing.
//   - an order cancelled in the shop (sdk.Order.Cancelled), per orders.on_cancel: delete deletes
//     the SnelStart order while it is still an order and credits it in full when SnelStart
//     refuses because it was invoiced (sdk.KindProcessed); credit_order credits it in full
//     (reference <prefix><number>-C); attention lists it; ignore does nothing. What was done is
//     kept in the OrderRecord (Cancel), so it happens once.
//   - an order whose lines or total changed (a newer modification time, and another total or
//     LinesHash), per orders.on_change: attention lists it with both totals; ignore does nothing.
//
// A cancelled order that was never imported releases what it held: its failure record (which
// held its products' stock back) is deleted.
//
// A transient failure (SnelStart unreachable) leaves the order unfinished: the cursor stays
// before it, so the next run lists it again and continues; nothing is done twice.

// afterImport follows o after import. It returns false when something must be tried again on
// the next run.
func (r *run) afterImport(ctx context.Context, o sdk.Order) (bool, error) {
	p := r.p
	if _, credit := mapping.OriginalID(o.ID); credit {
		return true, nil
	}
	rec, ok, err := GetOrderRecord(ctx, p.store, p.profile, o.ID)
	if err != nil {
		return false, abortState(err, "reason.step.read_order")
	}
	if !ok {
		if o.Cancelled {
			if err := state.Delete(ctx, p.store, state.FailedKey(p.profile, o.ID)); err != nil {
				return false, abortState(err, "reason.step.forget_cancelled", o.Number)
			}
		}
		return true, nil
	}
	done := true
	for _, rf := range o.Refunds {
		ok, err := r.followRefund(ctx, o, rec, rf)
		if err != nil {
			return false, err
		}
		done = done && ok
	}
	if o.Cancelled {
		ok, err := r.followCancel(ctx, o, rec)
		if err != nil {
			return false, err
		}
		return done && ok, nil
	}
	if err := r.followChange(ctx, o, rec); err != nil {
		return false, err
	}
	return done, nil
}

// raise stores an attention item of this profile.
func (r *run) raise(ctx context.Context, it attention.Item) error {
	if _, created, err := attention.Raise(ctx, r.p.store, r.p.profile, it, r.p.now()); err != nil {
		return abortState(err, "reason.step.record_attention")
	} else if created {
		r.p.log.Warn("attention needed", "kind", it.Kind, "order", it.ShopNumber, "what", it.MessageEN)
	}
	return nil
}

func money(m sdk.Money) *sdk.Money { return &m }

// followRefund handles one refund of an imported order per orders.on_refund.
func (r *run) followRefund(ctx context.Context, o sdk.Order, rec OrderRecord, rf sdk.Refund) (bool, error) {
	p := r.p
	switch p.prof.Orders.OnRefund {
	case config.RefundIgnore:
		return true, nil
	case config.RefundAttention:
		left := o.Totals.Total.Sub(o.Refunded)
		return true, r.raise(ctx, attention.Item{
			Kind: attention.KindRefunded, ShopID: o.ID, ShopNumber: o.Number, Detail: rf.ID,
			LedgerOrderID: rec.LedgerOrderID, LedgerNumber: rec.LedgerNumber, ShopTotal: money(left), LedgerTotal: money(rec.TotalIncl),
			Message:   fmt.Sprintf("Order %s is in de webwinkel (deels) terugbetaald: %s (terugbetaling %s).", o.Number, mapping.Money(rf.Amount), rf.ID),
			Action:    fmt.Sprintf("Maak in SnelStart een creditorder van %s bij verkooporder %d.", mapping.Money(rf.Amount), rec.LedgerNumber),
			MessageEN: fmt.Sprintf("Order %s was (partly) refunded in the shop: %s (refund %s).", o.Number, mapping.Money(rf.Amount), rf.ID),
			ActionEN:  fmt.Sprintf("Book a credit order of %s for sales order %d in SnelStart.", mapping.Money(rf.Amount), rec.LedgerNumber),
		})
	}
	var restRate *sdk.Money
	if code := p.prof.Orders.RefundArticle; code != "" && !rf.Rest().IsZero() {
		rate, err := r.articleRate(ctx, code, rf.CreatedAt)
		if err != nil {
			return false, nil // SnelStart not reachable now: the next run tries again
		}
		restRate = rate
	}
	c, err := mapping.CreditRefund(o, rf, p.prof.Orders.RefundArticle, restRate)
	if err != nil {
		return true, r.raise(ctx, attention.Item{
			Kind: attention.KindRefunded, ShopID: o.ID, ShopNumber: o.Number, Detail: rf.ID,
			LedgerOrderID: rec.LedgerOrderID, LedgerNumber: rec.LedgerNumber, ShopTotal: money(o.Totals.Total.Sub(o.Refunded)), LedgerTotal: money(rec.TotalIncl),
			Message:   fmt.Sprintf(text.Template("reason.credit_refused_attention"), rf.ID, o.Number, text.Reason(text.NL, err.Error())),
			Action:    "Maak de creditorder in SnelStart zelf, of stel orders.refund_article in en los dit punt op.",
			MessageEN: fmt.Sprintf(text.Template("reason.credit_refused_attention"), rf.ID, o.Number, err.Error()),
			ActionEN:  "Book the credit order in SnelStart by hand, or set orders.refund_article and resolve this item.",
		})
	}
	c.ModifiedAt = o.ModifiedAt
	return r.credit(ctx, c, rec)
}

// articleRate is the VAT rate of the omzetgroep of article code on date, or nil when the article
// or its rate is not known (the planner then reports the article).
func (r *run) articleRate(ctx context.Context, code string, date time.Time) (*sdk.Money, error) {
	if err := r.ensurePlanner(ctx); err != nil {
		return nil, err
	}
	found, err := r.p.ledger.FindArticles(ctx, sdk.ArticleQuery{Code: code})
	if err != nil {
		return nil, err
	}
	for _, a := range found {
		if a.Code != code {
			continue
		}
		if _, rate, ok := r.ref.VATOf(a.RevenueGroupID, date); ok {
			return &rate, nil
		}
	}
	return nil, nil
}

// credit books the credit order c (mapping.CreditRefund or CreditCancel) of the order of rec
// exactly once, through the same steps as an order. It reports whether it is finished (done, or
// parked for a person); a transient failure is tried again on the next run.
func (r *run) credit(ctx context.Context, c sdk.Order, rec OrderRecord) (bool, error) {
	out, terminal, err := r.process(withCredit(ctx, &rec), c)
	if err != nil {
		return false, err
	}
	if out.Status != StatusSkipped {
		if f, ok := ctx.Value(followKey{}).(*follow); ok {
			f.outs = append(f.outs, numberedOutcome{out: out, number: c.Number}) // released with the order
		} else {
			r.mu.Lock()
			r.add(out, c.Number)
			r.mu.Unlock()
		}
	}
	return terminal, nil
}

// followCancel handles a cancelled imported order per orders.on_cancel, once.
func (r *run) followCancel(ctx context.Context, o sdk.Order, rec OrderRecord) (bool, error) {
	p := r.p
	if rec.Cancel != "" {
		return true, nil
	}
	item := func(msg, action, msgEN, actionEN string) attention.Item {
		return attention.Item{Kind: attention.KindCancelled, ShopID: o.ID, ShopNumber: o.Number,
			LedgerOrderID: rec.LedgerOrderID, LedgerNumber: rec.LedgerNumber, ShopTotal: money(sdk.Money{}), LedgerTotal: money(rec.TotalIncl),
			Message: msg, Action: action, MessageEN: msgEN, ActionEN: actionEN}
	}
	listed := func() (bool, error) {
		err := r.raise(ctx, item(
			fmt.Sprintf("Order %s is na de import geannuleerd in de webwinkel; SnelStart heeft verkooporder %d van %s.", o.Number, rec.LedgerNumber, mapping.Money(rec.TotalIncl)),
			fmt.Sprintf("Verwijder verkooporder %d in SnelStart, of crediteer hem als hij al gefactureerd is.", rec.LedgerNumber),
			fmt.Sprintf("Order %s was cancelled in the shop after import; SnelStart has sales order %d of %s.", o.Number, rec.LedgerNumber, mapping.Money(rec.TotalIncl)),
			fmt.Sprintf("Delete sales order %d in SnelStart, or credit it when it was invoiced.", rec.LedgerNumber)))
		if err != nil {
			return false, err
		}
		return true, r.markCancel(ctx, o.ID, "listed")
	}
	creditAll := func() (bool, error) {
		if len(o.Refunds) > 0 {
			return listed() // part was paid back already: a person decides what is left
		}
		ok, err := r.credit(ctx, mapping.CreditCancel(o), rec)
		if err != nil || !ok {
			return ok, err
		}
		if _, done, err := GetOrderRecord(ctx, p.store, p.profile, mapping.CancelOrderID(o.ID)); err != nil {
			return false, abortState(err, "reason.step.read_credit", o.Number)
		} else if !done {
			return listed() // the credit order is parked with its reason; list the cancellation too
		}
		return true, r.markCancel(ctx, o.ID, "credited")
	}
	switch p.prof.Orders.OnCancel {
	case config.CancelIgnore:
		return true, r.markCancel(ctx, o.ID, "ignored")
	case config.CancelAttention:
		return listed()
	case config.CancelCreditOrder:
		return creditAll()
	}
	if p.invoiceMode() {
		return creditAll() // a booked invoice is never deleted: it is credited
	}
	// delete
	err := p.ledger.DeleteSalesOrder(ctx, rec.LedgerOrderID)
	switch kind := sdk.KindOf(err); {
	case err == nil || kind == sdk.KindNotFound:
		p.log.Info("deleted the sales order of an order cancelled in the shop", "order", o.Number, "number", rec.LedgerNumber)
		return true, r.markCancel(ctx, o.ID, "deleted")
	case kind == sdk.KindProcessed:
		p.log.Info("the sales order of a cancelled order was invoiced; crediting it", "order", o.Number, "number", rec.LedgerNumber)
		return creditAll()
	case classify(err) == classTransient:
		p.log.Warn("deleting the sales order of a cancelled order failed; tried again on the next run", "order", o.Number, "error", err)
		return false, nil
	}
	if e := r.raise(ctx, attention.Item{Kind: attention.KindFailedAction, ShopID: o.ID, ShopNumber: o.Number, Detail: "delete",
		LedgerOrderID: rec.LedgerOrderID, LedgerNumber: rec.LedgerNumber, ShopTotal: money(sdk.Money{}), LedgerTotal: money(rec.TotalIncl),
		Message:   fmt.Sprintf("Order %s is geannuleerd, maar SnelStart weigerde verkooporder %d te verwijderen: %s", o.Number, rec.LedgerNumber, text.Failure(text.NL, kindName(err), reasonOf(err))),
		Action:    fmt.Sprintf("Verwijder of crediteer verkooporder %d in SnelStart zelf.", rec.LedgerNumber),
		MessageEN: fmt.Sprintf("Order %s was cancelled, but SnelStart refused to delete sales order %d: %s", o.Number, rec.LedgerNumber, text.Failure(text.EN, kindName(err), reasonOf(err))),
		ActionEN:  fmt.Sprintf("Delete or credit sales order %d in SnelStart yourself.", rec.LedgerNumber),
	}); e != nil {
		return false, e
	}
	return true, r.markCancel(ctx, o.ID, "listed")
}

// markCancel records in the order's record what was done about its cancellation.
func (r *run) markCancel(ctx context.Context, shopID, what string) error {
	p := r.p
	now := p.now()
	err := p.store.Update(ctx, func(tx *state.Tx) error {
		rec, ok, err := state.Get[OrderRecord](ctx, tx, state.OrderKey(p.profile, shopID))
		if err != nil || !ok {
			return err
		}
		rec.Cancel, rec.CancelAt = what, &now
		return tx.Put(state.OrderKey(p.profile, shopID), rec)
	})
	if err != nil {
		return abortState(err, "reason.step.record_cancel", shopID)
	}
	return nil
}

// followChange lists an imported order whose lines or total changed in the shop.
func (r *run) followChange(ctx context.Context, o sdk.Order, rec OrderRecord) error {
	if r.p.prof.Orders.OnChange == config.ChangeIgnore || !o.ModifiedAt.After(rec.ShopModifiedAt) {
		return nil
	}
	h := linesHash(o)
	if o.Totals.Total.Equal(rec.ShopTotal) && (rec.LinesHash == "" || rec.LinesHash == h) {
		return nil
	}
	return r.raise(ctx, attention.Item{
		Kind: attention.KindChanged, ShopID: o.ID, ShopNumber: o.Number, Detail: h + "/" + o.Totals.Total.String(),
		LedgerOrderID: rec.LedgerOrderID, LedgerNumber: rec.LedgerNumber, ShopTotal: money(o.Totals.Total), LedgerTotal: money(rec.TotalIncl),
		Message: fmt.Sprintf("Order %s is na de import gewijzigd in de webwinkel: totaal nu %s, in SnelStart %s.", o.Number,
			mapping.Money(o.Totals.Total), mapping.Money(rec.TotalIncl)),
		Action: fmt.Sprintf("Pas verkooporder %d in SnelStart aan (of maak een creditorder) zodat hij met de webwinkel overeenkomt.", rec.LedgerNumber),
		MessageEN: fmt.Sprintf("Order %s was changed in the shop after import: total now %s, %s in SnelStart.", o.Number,
			mapping.Money(o.Totals.Total), mapping.Money(rec.TotalIncl)),
		ActionEN: fmt.Sprintf("Correct sales order %d in SnelStart (or book a credit order) so that it matches the shop.", rec.LedgerNumber),
	})
}

// linesHash is a short hash of what an order books: every line's SKU, quantity and amount, and
// every charge's amount. Names, statuses and refunds are left out.
func linesHash(o sdk.Order) string {
	var b strings.Builder
	for _, l := range o.Lines {
		fmt.Fprintf(&b, "L%s|%s|%s|%s\n", l.ID, l.SKU, l.Quantity.String(), l.TotalIncl.String())
	}
	for _, cs := range [][]sdk.Charge{o.ShippingLines, o.Fees, o.Discounts} {
		for _, c := range cs {
			fmt.Fprintf(&b, "C%s|%s\n", c.Code, c.TotalIncl.String())
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
