package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// guardWatch is the fake ledger recording which references the double-import guard's batched
// look-ups have answered, and holding the creates of the first batch's orders until the guard
// of a later batch is asked.
type guardWatch struct {
	*fakeLedger

	mu       sync.Mutex
	answered map[string]bool
	batches  int
	first    []string      // the references of the first batch's look-up
	ahead    chan struct{} // closed when a second batch's look-up is asked
	early    []string      // references created before a look-up covering them answered
	held     int           // creates of the first batch that waited for the look-ahead
	timedOut bool
}

func (g *guardWatch) FindSalesOrders(ctx context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	if len(q.References) > 0 {
		g.mu.Lock()
		g.batches++
		if g.batches == 1 {
			g.first = slices.Clone(q.References)
		} else if g.batches == 2 {
			close(g.ahead)
		}
		g.mu.Unlock()
	}
	found, err := g.fakeLedger.FindSalesOrders(ctx, q)
	if err == nil {
		g.mu.Lock()
		for _, ref := range append([]string{q.Reference}, q.References...) {
			g.answered[ref] = true
		}
		g.mu.Unlock()
	}
	return found, err
}

func (g *guardWatch) CreateSalesOrder(ctx context.Context, so sdk.SalesOrder) (sdk.SalesOrder, error) {
	ref := so.PaymentReference
	g.mu.Lock()
	if !g.answered[ref] {
		g.early = append(g.early, ref)
	}
	inFirst := slices.Contains(g.first, ref)
	g.mu.Unlock()
	if inFirst {
		select {
		case <-g.ahead:
		case <-time.After(5 * time.Second):
			g.mu.Lock()
			g.timedOut = true
			g.mu.Unlock()
		}
		g.mu.Lock()
		g.held++
		g.mu.Unlock()
	}
	return g.fakeLedger.CreateSalesOrder(ctx, so)
}

// The run lists ahead of its workers: the guard look-up of the next batch is asked while the
// orders of the first batch are still being created (so the workers never wait for a guard
// after the first), and still no order is created before the look-up covering it answered.
func TestGuardAskedAheadOfTheWorkers(t *testing.T) {
	e := newEnv(t)
	g := &guardWatch{fakeLedger: e.ledger, answered: map[string]bool{}, ahead: make(chan struct{})}
	e.p = New(Options{Profile: e.prof, Shop: e.shop, Ledger: g, Store: e.store, Clock: func() time.Time { return e.now },
		Concurrency: 2, GuardBatch: 5})
	for i := 0; i < 15; i++ {
		e.shop.put(mkOrder(fmt.Sprintf("%03d", i), true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Duration(i) * time.Minute) }))
	}
	res := e.run()
	if res.Imported != 15 || len(e.ledger.orders) != 15 {
		t.Fatalf("imported %d, %d orders in the ledger, want 15", res.Imported, len(e.ledger.orders))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.batches != 3 || len(g.first) != 5 || g.held != 5 {
		t.Fatalf("%d batched look-ups (first %v), %d creates held, want 3, 5 references, 5", g.batches, g.first, g.held)
	}
	if g.timedOut {
		t.Errorf("the next batch's guard was asked only after the first batch's orders were created")
	}
	if len(g.early) > 0 {
		t.Errorf("created before the guard answered: %v", g.early)
	}
}
