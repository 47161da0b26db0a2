package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// FailedEvent is the event of an order parked for a person. A new failure of the order after
// it was imported or retried (another FirstFailedAt) is a new event.
func FailedEvent(profile string, r pipeline.FailedRecord) Event {
	nr := r.ShopNumber
	if nr == "" {
		nr = r.ShopID
	}
	return Event{
		Kind:   KindFailed,
		ID:     r.ShopID + "@" + r.FirstFailedAt.UTC().Format(time.RFC3339Nano),
		Time:   r.LastFailedAt,
		Title:  fmt.Sprintf("Bestelling %s is niet in SnelStart geboekt", nr),
		Detail: text.Failure(text.NL, r.Kind, r.Reason), // stored in English, read in Dutch
		Action: fmt.Sprintf("Los de oorzaak op en boek de bestelling opnieuw: koppel retry %s %s, of 'Opnieuw' op het dashboard.", profile, nr),
		Order:  nr,
	}
}

// AttentionEvent is the event of a new attention item.
func AttentionEvent(it attention.Item) Event {
	title := it.Message
	if it.ShopNumber != "" {
		title = fmt.Sprintf("Bestelling %s: %s", it.ShopNumber, it.Message)
	}
	detail := ""
	if it.ShopTotal != nil && it.LedgerTotal != nil {
		detail = fmt.Sprintf("Totaal in de webshop %s, in SnelStart %s.", euro(*it.ShopTotal), euro(*it.LedgerTotal))
	}
	return Event{Kind: KindAttention, ID: it.ID, Time: it.CreatedAt, Title: title, Detail: detail,
		Action: it.Action + fmt.Sprintf(" Daarna: koppel resolve %s %s.", it.Profile, it.ID), Order: it.ShopNumber}
}

// TaskFailedEvent is the event of a task run that ended with an error; start tells runs apart
// (a zero start, a run that never started, is taken as now).
func TaskFailedEvent(profile, task string, start time.Time, err error) Event {
	if start.IsZero() {
		start = time.Now()
	}
	return Event{
		Kind:   KindTaskFailed,
		ID:     task + "@" + start.UTC().Format(time.RFC3339Nano),
		Time:   start,
		Title:  fmt.Sprintf("De taak %s is mislukt", task),
		Detail: text.Reason(text.NL, err.Error()),
		Action: fmt.Sprintf("Bekijk de uitvoering (koppel runs %s of het dashboard); de taak loopt bij de volgende keer opnieuw. Blijft het mislukken, test de verbinding met koppel check %s.", profile, profile),
		Task:   task,
	}
}

// Sweep records the events the state store holds for p (orders parked for a person, open
// attention items) that were not recorded before, then flushes: run it after every task run.
func (n *Notifier) Sweep(ctx context.Context, p *config.Profile) error {
	if p == nil || p.Notify == nil {
		return nil
	}
	var evs []Event
	err := n.o.Store.View(ctx, func(tx *state.Tx) error {
		if p.Notify.Wants(KindFailed) {
			if err := state.List(ctx, tx, state.NSFailed.ProfilePrefix(p.Name), func(_ state.Key, r pipeline.FailedRecord) error {
				if r.Parked {
					evs = append(evs, FailedEvent(p.Name, r))
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if p.Notify.Wants(KindAttention) {
			items, err := attention.List(ctx, tx, p.Name, attention.Filter{})
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Open() {
					evs = append(evs, AttentionEvent(it))
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("notify %s: read failed orders and attention items: %w", p.Name, err)
	}
	for _, ev := range evs {
		if _, err := n.recordOnly(ctx, p, ev); err != nil {
			return err
		}
	}
	return n.Flush(ctx, p)
}

// recordOnly is Record without the immediate flush (Sweep flushes once at the end).
func (n *Notifier) recordOnly(ctx context.Context, p *config.Profile, ev Event) (bool, error) {
	saved := p.Notify.Digest
	if saved != "none" {
		return n.Record(ctx, p, ev)
	}
	q := *p
	nb := *p.Notify
	nb.Digest = "daily"
	q.Notify = &nb
	return n.Record(ctx, &q, ev)
}

// euro writes an amount the Dutch way: € 1234,50.
func euro(m sdk.Money) string { return "€ " + strings.Replace(m.StringFixed(2), ".", ",", 1) }
