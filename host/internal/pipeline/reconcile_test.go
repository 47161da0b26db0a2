package pipeline

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/sdk"
)

// reconcileSetup imports n orders, then removes the first SnelStart order, books the second
// twice and changes the third's total.
func reconcileSetup(t testing.TB, n int) *env {
	e := newEnv(t)
	benchSetup(e, 0, n, true)
	if res := e.run(); res.Imported != n {
		t.Fatalf("imported %d of %d orders", res.Imported, n)
	}
	l := e.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.orders) != n {
		t.Fatalf("ledger holds %d orders, want %d", len(l.orders), n)
	}
	// The orders were booked concurrently: put them in shop order, so index i is shop order i.
	slices.SortFunc(l.orders, func(a, b sdk.SalesOrder) int { return strings.Compare(a.OrderReference, b.OrderReference) })
	dup := l.orders[1]
	dup.ID, dup.Number = "so-by-hand", 99999
	l.orders[2].TotalIncl = l.orders[2].TotalIncl.Add(d("10.00"))
	l.orders = append(l.orders[1:], dup)
	return e
}

func TestReconcileFindsMissingDuplicateDifference(t *testing.T) {
	e := reconcileSetup(t, 30)
	ctx := context.Background()
	res, err := e.p.Reconcile(ctx, time.Time{})
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if res.Listed != 30 || res.Compared != 30 || res.Pending != 0 {
		t.Errorf("listed %d, compared %d, pending %d; want 30, 30, 0", res.Listed, res.Compared, res.Pending)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, string(f.Kind)+":"+f.ShopID)
		if !f.New || f.ItemID == "" || f.Action == "" {
			t.Errorf("finding %+v: want a new item with an action", f)
		}
	}
	want := []string{"missing:000000", "duplicate:000001", "difference:000002"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	if f := res.Findings[1]; len(f.LedgerNumbers) != 2 || f.LedgerNumbers[1] != 99999 {
		t.Errorf("duplicate's SnelStart orders %v, want two ending in 99999", f.LedgerNumbers)
	}
	if f := res.Findings[2]; f.LedgerTotal == nil || !f.LedgerTotal.Sub(f.ShopTotal).Equal(d("10.00")) {
		t.Errorf("difference: SnelStart %v, shop %s; want 10.00 apart", f.LedgerTotal, f.ShopTotal)
	}
	// 30 orders in batches of 25: two look-ups.
	if res.LedgerCalls != 2 {
		t.Errorf("ledger calls %d, want 2", res.LedgerCalls)
	}
	items, err := attention.List(ctx, e.store, e.p.profile, attention.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || res.NewItems != 3 {
		t.Fatalf("%d attention items (%d new), want 3", len(items), res.NewItems)
	}
	again, err := e.p.Reconcile(ctx, time.Time{})
	if err != nil {
		t.Fatalf("second Reconcile: %v", err)
	}
	if again.NewItems != 0 || len(again.Findings) != 3 {
		t.Errorf("second reconcile: %d new items, %d findings; want 0 new of 3", again.NewItems, len(again.Findings))
	}
	if items, _ = attention.List(ctx, e.store, e.p.profile, attention.Filter{All: true}); len(items) != 3 {
		t.Errorf("after the second reconcile %d items, want 3", len(items))
	}
}

func TestReconcileToleranceAndTask(t *testing.T) {
	e := newEnv(t)
	benchSetup(e, 0, 3, true)
	e.run()
	e.ledger.mu.Lock()
	e.ledger.orders[0].TotalIncl = e.ledger.orders[0].TotalIncl.Add(d("0.01"))
	e.ledger.mu.Unlock()
	e.prof.Orders.DifferenceTolerance = d("0.01")
	tr, err := e.p.RunTask(context.Background(), TaskReconcile)
	if err != nil {
		t.Fatalf("RunTask reconcile: %v", err)
	}
	if tr.Reconcile == nil || len(tr.Reconcile.Findings) != 0 || tr.Reconcile.Compared != 3 {
		t.Fatalf("reconcile task within tolerance: %+v, want 3 compared and no findings", tr.Reconcile)
	}
	if want := e.now.Add(-DefaultReconcilePeriod).UTC(); !tr.Reconcile.Since.Equal(want) {
		t.Errorf("task since %s, want %s", tr.Reconcile.Since, want)
	}
	e.prof.Orders.DifferenceTolerance = sdk.Money{}
	res, err := e.p.Reconcile(context.Background(), time.Time{})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].Kind != attention.KindDifference {
		t.Fatalf("reconcile without tolerance: %+v, %v; want one difference", res.Findings, err)
	}
}

// BenchmarkReconcile10000: reconcile of 10,000 imported orders against the fake ledger; the
// figure that matters is ledger-calls/order (batched reference look-ups).
func BenchmarkReconcile10000(b *testing.B) {
	e := reconcileSetup(b, 10000)
	var calls, orders int64
	for b.Loop() {
		res, err := e.p.Reconcile(context.Background(), time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 3 {
			b.Fatalf("%d findings, want 3", len(res.Findings))
		}
		calls += res.LedgerCalls
		orders += int64(res.Compared)
	}
	b.ReportMetric(float64(calls)/float64(orders), "ledger-calls/order")
	b.ReportMetric(float64(calls)/float64(b.N), "ledger-calls/run")
}

// A failed order is on the failed list already: reconcile counts it, and neither raises an
// attention item for it nor counts it as pending.
func TestReconcileCountsFailedOrdersWithoutReportingThem(t *testing.T) {
	e := newEnv(t)
	benchSetup(e, 0, 2, true)
	// A001 is in the 9 % group; the shop charges 21 %: the VAT check fails the order.
	e.shop.put(mkOrder("bad1", false, []ln{{sku: "A001", name: "Artikel 1", qty: "1", price: "10.00", rate: "21"}}))
	if res := e.run(); res.Imported != 2 || res.Failed != 1 {
		t.Fatalf("imported %d, failed %d; want 2 and 1", res.Imported, res.Failed)
	}
	ctx := context.Background()
	res, err := e.p.Reconcile(ctx, time.Time{})
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if res.Compared != 3 || res.Failed != 1 || res.Pending != 0 || len(res.Findings) != 0 {
		t.Fatalf("compared %d, failed %d, pending %d, findings %+v; want 3, 1, 0 and none", res.Compared, res.Failed, res.Pending, res.Findings)
	}
	items, err := attention.List(ctx, e.store, e.p.profile, attention.Filter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Errorf("reconcile raised %d attention items for a failed order, want none: %+v", len(items), items)
	}
}
