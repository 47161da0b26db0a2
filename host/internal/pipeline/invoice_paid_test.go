package pipeline

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// noteShop is a fake shop that can add notes to orders (sdk.OrderNoter).
type noteShop struct {
	*fakeShop
	mu    sync.Mutex
	notes map[string]int
}

func (s *noteShop) AddOrderNote(_ context.Context, orderID, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes[orderID]++
	return nil
}

// TestMarkPaidTakesTurns: invoices that stay unpaid do not keep the ones after them from being
// looked up: a run looks at most markPaidBatch of them, and the next run goes on after the last
// one looked at, wrapping around.
func TestMarkPaidTakesTurns(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) {
		p.Orders.BookAs = config.BookAsInvoice
		p.Orders.MarkPaid = true
	})
	shop := &noteShop{fakeShop: e.shop, notes: map[string]int{}}
	e.p = New(Options{Profile: e.prof, Shop: shop, Ledger: e.ledger, Store: e.store, Clock: func() time.Time { return e.now }, Concurrency: testConcurrency})
	ctx := context.Background()
	const unpaid, paid = markPaidBatch + 20, 3
	zero := sdk.Money{}
	for i := range unpaid + paid {
		id := fmt.Sprintf("o%04d", i)
		n := "F-" + id
		if err := state.Put(ctx, e.store, state.MapKey(e.prof.Name, MapUnpaid, id), UnpaidRecord{ShopID: id, ShopNumber: id, InvoiceNumber: n}); err != nil {
			t.Fatal(err)
		}
		inv := sdk.SalesInvoice{Number: n}
		if i >= unpaid { // the last ones, beyond the first run's batch, are paid
			inv.OpenBalance = &zero
		}
		e.ledger.invoices = append(e.ledger.invoices, inv)
	}
	first, err := e.p.notePaid(ctx)
	if err != nil || first != 0 {
		t.Fatalf("first run: %d notes, %v; want 0 (the paid invoices lie beyond its batch)", first, err)
	}
	second, err := e.p.notePaid(ctx)
	if err != nil || second != paid {
		t.Fatalf("second run: %d notes, %v; want %d: it goes on after the first run's batch", second, err, paid)
	}
	for i := unpaid; i < unpaid+paid; i++ {
		if id := fmt.Sprintf("o%04d", i); shop.notes[id] != 1 {
			t.Errorf("order %s got %d notes, want 1", id, shop.notes[id])
		}
	}
	left := 0
	if err := state.List(ctx, e.store, state.MapPrefix(e.prof.Name, MapUnpaid), func(state.Key, UnpaidRecord) error { left++; return nil }); err != nil {
		t.Fatal(err)
	}
	if left != unpaid {
		t.Fatalf("%d invoices still waiting, want the %d unpaid ones", left, unpaid)
	}
}
