package pipeline

import (
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
)

// vat_check uses the rate on the order date: a 9% order placed before a rate change passes,
// the same order after it fails.
func TestVATCheckUsesOrderDate(t *testing.T) {
	change := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want OutcomeStatus
	}{{change.Add(-time.Hour), StatusImported}, {change.Add(time.Hour), StatusFailed}} {
		e := newEnv(t)
		e.ledger.ref.VATRates[1].Until = &change
		e.ledger.ref.VATRates = append(e.ledger.ref.VATRates, sdk.VATRate{Class: sdk.VATLow, Percentage: d("11"), From: change})
		o := mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.CreatedAt = c.at })
		mustStatus(t, e.one(o), c.want)
	}
}

// Statuses are checked by the pipeline too (Retry lists by id, whatever the status).
func TestWaitingStatusOnRetry(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Orders.Statuses = []string{"processing"} })
	e.shop.put(mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Status = "pending" }))
	res, err := e.p.Retry(t.Context(), []string{"1"})
	if err != nil || res.Waiting != 1 || len(e.ledger.orders) != 0 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
}
