package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// benchShop fills e with the issue-5 benchmark: 100 articles in SnelStart, 200 shop customers
// of whom 100 already exist in SnelStart (found by e-mail), and n orders (offset first) of 1-3
// lines plus shipping, spread over those customers and articles.
func benchSetup(e *env, offset, n int, seedLedger bool) {
	if seedLedger {
		for i := 0; i < 100; i++ {
			g := "g-hoog"
			if i%2 == 1 {
				g = "g-laag"
			}
			e.ledger.addArticle(sdk.Article{Code: fmt.Sprintf("A%03d", i), Description: fmt.Sprintf("Artikel %d", i), RevenueGroupID: g})
		}
		for c := 0; c < 100; c++ {
			e.ledger.addRelatie(sdk.Relatie{Name: fmt.Sprintf("Klant %d", c), Email: fmt.Sprintf("klant%d@example.nl", c),
				Address: sdk.LedgerAddress{Street: "Straat 1", Postcode: fmt.Sprintf("%04dAB", 1000+c), City: "Plaats", Country: "NL"}})
		}
	}
	for k := offset; k < offset+n; k++ {
		c := k % 200
		var lines []ln
		for j := 0; j < 1+k%3; j++ {
			a := (k*7 + j*13) % 100
			rate := "21"
			if a%2 == 1 {
				rate = "9"
			}
			lines = append(lines, ln{sku: fmt.Sprintf("A%03d", a), name: fmt.Sprintf("Artikel %d", a), qty: fmt.Sprint(1 + j), price: fmt.Sprintf("%d.%02d", 2+a%20, (a*31)%100), rate: rate})
		}
		id := fmt.Sprintf("%06d", k)
		e.shop.put(mkOrder(id, true, lines, func(o *sdk.Order) {
			o.ModifiedAt = day.Add(time.Duration(k) * time.Second)
			o.Customer = sdk.Customer{ID: fmt.Sprintf("c%03d", c), Email: fmt.Sprintf("klant%d@example.nl", c), FirstName: "Klant", LastName: fmt.Sprint(c)}
			o.Billing.Postcode = fmt.Sprintf("%04dAB", 1000+c)
			o.Billing.Email = o.Customer.Email
			o.ShippingLines = []sdk.Charge{chg("PostNL", "4.95", "21", true)}
		}))
	}
}

// TestLedgerCallBudget: issue 5's targets, ≤1.5 ledger calls per order cold and ≤1.1 warm (a
// warm order is exactly one CreateSalesOrder).
func TestLedgerCallBudget(t *testing.T) {
	e := newEnv(t)
	benchSetup(e, 0, 1000, true)
	cold := e.run()
	if cold.Imported != 1000 || cold.CallsPerOrder() > 1.5 {
		t.Fatalf("cold: imported %d, %.3f calls/order %v", cold.Imported, cold.CallsPerOrder(), cold.CallsByMethod)
	}
	benchSetup(e, 1000, 1000, false)
	warm := e.run()
	if warm.Imported != 1000 || warm.CallsPerOrder() > 1.1 || warm.CallsByMethod["CreateSalesOrder"] != 1000 {
		t.Fatalf("warm: imported %d, %.3f calls/order %v", warm.Imported, warm.CallsPerOrder(), warm.CallsByMethod)
	}
	t.Logf("cold %.3f calls/order %v; warm %.3f calls/order %v", cold.CallsPerOrder(), cold.CallsByMethod, warm.CallsPerOrder(), warm.CallsByMethod)
}

// BenchmarkImportOrdersCold imports 1,000 orders (benchSetup) from an empty state; Warm imports
// 1,000 more after that, every customer and article known. Each runs with the state in memory
// and on disk with synchronous writes as koppel runs it (state=disk-sync: every commit waits
// for an fsync, so the state transactions per order are what the disk costs), with the env's
// orders in flight (testConcurrency). Besides the ledger calls and orders/s they report the state
// transactions per order: commits (read-write), writes (the Badger transactions, one fsync each,
// that wrote them: fewer when commits that only wrote were grouped) and views (read-only).
func BenchmarkImportOrdersCold(b *testing.B) {
	benchImportOrders(b, false)
}

func BenchmarkImportOrdersWarm(b *testing.B) {
	benchImportOrders(b, true)
}

func benchImportOrders(b *testing.B, warm bool) {
	for _, onDisk := range []bool{false, true} {
		name := "state=memory"
		if onDisk {
			name = "state=disk-sync"
		}
		b.Run(name, func(b *testing.B) {
			var calls, orders int64
			var txns state.TxnCounts
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				e := newEnv(b)
				if onDisk {
					st, err := state.Open(context.Background(), b.TempDir(), state.Options{GCInterval: -1})
					if err != nil {
						b.Fatal(err)
					}
					e = newEnvStore(b, e.prof, st)
					b.Cleanup(func() { _ = st.Close() })
				}
				benchSetup(e, 0, 1000, true)
				if warm {
					e.run()
					benchSetup(e, 1000, 1000, false)
				}
				before := e.store.TxnCounts()
				b.StartTimer()
				start := time.Now()
				res := e.run()
				elapsed += time.Since(start)
				after := e.store.TxnCounts()
				calls += res.LedgerCalls
				orders += int64(res.Imported)
				txns.Commits += after.Commits - before.Commits
				txns.Writes += after.Writes - before.Writes
				txns.Views += after.Views - before.Views
			}
			b.ReportMetric(float64(calls)/float64(orders), "ledger-calls/order")
			b.ReportMetric(float64(orders)/elapsed.Seconds(), "orders/s")
			b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(orders), "ms/order")
			b.ReportMetric(float64(txns.Commits)/float64(orders), "state-commits/order")
			b.ReportMetric(float64(txns.Writes)/float64(orders), "state-writes/order")
			b.ReportMetric(float64(txns.Views)/float64(orders), "state-views/order")
		})
	}
}

// BenchmarkPlan1000OrdersWarmView: planning (mapping.Planner.Plan) 1,000 orders of known
// customers and articles against a warm view (every look-up answered from the view's cache), as
// the sync and koppel plan do for each order before anything is written.
func BenchmarkPlan1000OrdersWarmView(b *testing.B) {
	e := newEnv(b)
	benchSetup(e, 0, 1000, true)
	e.run()
	benchSetup(e, 1000, 1000, false)
	var orders []sdk.Order
	for _, o := range e.shop.orders {
		if o.ID >= "001000" {
			orders = append(orders, o)
		}
	}
	ctx := context.Background()
	r := e.p.newRun("bench")
	rd, err := e.p.loadReference(ctx)
	if err != nil {
		b.Fatal(err)
	}
	planner := mapping.NewPlanner(e.prof, rd, r.view)
	for _, o := range orders { // warm the view
		if _, err := planner.Plan(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	calls := e.p.ledger.Calls()
	n := 0
	start := time.Now()
	for b.Loop() {
		for _, o := range orders {
			pl, err := planner.Plan(ctx, o)
			if err != nil || pl.Action != mapping.ActionCreate {
				b.Fatalf("order %s: %v %v", o.Number, err, pl.Problems)
			}
			n++
		}
	}
	if d := e.p.ledger.Calls() - calls; d != 0 {
		b.Fatalf("a warm view made %d ledger calls", d)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "orders/s")
	b.ReportMetric(float64(len(orders)), "orders/op")
}

// BenchmarkPreview1000Orders: `koppel plan` of 1,000 new orders of known customers and
// articles (listing, screening, the batched double-import guard and planning; nothing
// written), with the ledger calls it makes.
func BenchmarkPreview1000Orders(b *testing.B) {
	e := newEnv(b)
	benchSetup(e, 0, 1000, true)
	e.run()
	benchSetup(e, 1000, 1000, false)
	ctx := context.Background()
	var n, calls int64
	start := time.Now()
	for b.Loop() {
		rep, err := e.p.Plan(ctx, TaskImportOrders, PlanOptions{Limit: 1000})
		if err != nil || rep.Summary.Create != 1000 {
			b.Fatalf("plan: %v %+v", err, rep.Summary)
		}
		n += int64(len(rep.Orders))
		calls += rep.LedgerCalls
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "orders/s")
	b.ReportMetric(float64(calls)/float64(n), "ledger-calls/order")
}
