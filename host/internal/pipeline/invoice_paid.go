package pipeline

// orders.mark_paid (invoice mode): an order booked as a sales invoice is remembered as unpaid
// (map kind "unpaid", written with its order record); at the end of every import_orders run the
// remembered invoices are looked up in SnelStart by number, and for each one SnelStart shows paid
// (openstaand saldo 0) the shop order gets a note, after which it is forgotten. The note is added
// at most once: the shop plugin skips a note whose text the order already carries, so a crash
// between the note and forgetting the invoice adds nothing the next time.

import (
	"context"
	"fmt"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// MapUnpaid is the map kind of UnpaidRecord: the invoices whose payment koppel still waits for
// (orders.mark_paid).
const MapUnpaid state.MapKind = "unpaid"

// UnpaidRecord is an order booked as a sales invoice whose shop order gets a note once SnelStart
// shows the invoice paid.
type UnpaidRecord struct {
	ShopID        string `json:"shop_id"`
	ShopNumber    string `json:"shop_number"`
	InvoiceNumber string `json:"invoice_number"`
}

// markPaidBatch is how many remembered invoices one run looks up at most, and per
// FindSalesInvoices call.
const (
	markPaidBatch = 500
	markPaidChunk = 50
)

// mapUnpaidNext holds, under unpaidNextKey, the shop id of the last remembered invoice a run looked
// up: the next run starts after it and wraps around, so every invoice gets its turn however
// many stay unpaid.
const mapUnpaidNext state.MapKind = "unpaid_next"

func unpaidNextKey(profile string) state.Key { return state.MapKey(profile, mapUnpaidNext, "after") }

// unpaidTurn returns the remembered invoices this run looks up: at most markPaidBatch, in key
// order starting after the last one the previous run looked up, wrapping around to the first.
func (p *Pipeline) unpaidTurn(ctx context.Context) ([]UnpaidRecord, error) {
	after, _, err := state.Get[string](ctx, p.store, unpaidNextKey(p.profile))
	if err != nil {
		return nil, fmt.Errorf("read where the payment look-ups stopped: %w", err)
	}
	var next, wrapped []UnpaidRecord
	err = state.List(ctx, p.store, state.MapPrefix(p.profile, MapUnpaid), func(_ state.Key, u UnpaidRecord) error {
		switch {
		case after != "" && state.MapKey(p.profile, MapUnpaid, u.ShopID) <= state.MapKey(p.profile, MapUnpaid, after):
			if len(wrapped) < markPaidBatch {
				wrapped = append(wrapped, u)
			}
		case len(next) < markPaidBatch:
			next = append(next, u)
		default:
			return state.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the invoices waiting for payment: %w", err)
	}
	return append(next, wrapped[:min(len(wrapped), markPaidBatch-len(next))]...), nil
}

// markPaid reports whether orders.mark_paid applies to this profile.
func (p *Pipeline) markPaid() bool { return p.invoiceMode() && p.prof.Orders.MarkPaid }

// rememberUnpaidTx remembers the invoice of rec, in the transaction that records it, when
// orders.mark_paid is on. Credit bookings (refunds, cancellations) are not remembered.
func (p *Pipeline) rememberUnpaidTx(tx *state.Tx, rec OrderRecord) error {
	if !p.markPaid() {
		return nil
	}
	n := rec.InvoiceNumber()
	if _, credit := mapping.OriginalID(rec.ShopID); credit || n == "" {
		return nil
	}
	return tx.Put(state.MapKey(p.profile, MapUnpaid, rec.ShopID), UnpaidRecord{ShopID: rec.ShopID, ShopNumber: rec.ShopNumber, InvoiceNumber: n})
}

// notePaid looks the remembered invoices up in SnelStart and adds the paid note to the shop
// orders whose invoice is paid. A failed look-up or note is logged and tried again next run;
// only a state store failure is returned. It returns how many notes were added.
func (p *Pipeline) notePaid(ctx context.Context) (int, error) {
	if !p.markPaid() {
		return 0, nil
	}
	noter, ok := p.shop.(sdk.OrderNoter)
	if !ok {
		p.log.Warn("orders.mark_paid is on, but the shop cannot add notes to orders")
		return 0, nil
	}
	todo, err := p.unpaidTurn(ctx)
	if err != nil {
		return 0, err
	}
	noted := 0
	for start := 0; start < len(todo); start += markPaidChunk {
		chunk := todo[start:min(start+markPaidChunk, len(todo))]
		numbers := make([]string, len(chunk))
		for i, u := range chunk {
			numbers[i] = u.InvoiceNumber
		}
		found, err := p.ledger.FindSalesInvoices(ctx, sdk.SalesInvoiceQuery{Numbers: numbers})
		if err != nil {
			p.log.Warn("looking up whether invoices are paid failed; tried again next run", "error", err)
			return noted, nil
		}
		// The next run goes on after this chunk, so invoices that stay unpaid do not keep the
		// ones after them from being looked at.
		if err := state.Put(ctx, p.store, unpaidNextKey(p.profile), chunk[len(chunk)-1].ShopID); err != nil {
			return noted, fmt.Errorf("remember where the payment look-ups stopped: %w", err)
		}
		paid := map[string]sdk.SalesInvoice{}
		for _, inv := range found {
			if inv.OpenBalance != nil && inv.OpenBalance.IsZero() {
				paid[inv.Number] = inv
			}
		}
		for _, u := range chunk {
			inv, ok := paid[u.InvoiceNumber]
			if !ok {
				continue
			}
			note := text.Printer{Lang: text.NL}.T("reason.invoice_paid_note", inv.Number, inv.Total.StringFixed(2))
			if err := noter.AddOrderNote(ctx, u.ShopID, note); err != nil {
				p.log.Warn("adding the paid note to the shop order failed; tried again next run", "order", u.ShopNumber, "error", err)
				continue
			}
			if err := state.Delete(ctx, p.store, state.MapKey(p.profile, MapUnpaid, u.ShopID)); err != nil {
				return noted, fmt.Errorf("forget paid invoice %s: %w", u.InvoiceNumber, err)
			}
			noted++
		}
	}
	return noted, nil
}
