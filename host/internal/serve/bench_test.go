package serve

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// seedBig writes runs runs of perRun order outcomes, orders order records and failed failed
// records to profile winkel.
func seedBig(b *testing.B, store *state.Store, runs, perRun, orders, failed int) {
	ctx := context.Background()
	for r := range runs {
		start := t0.Add(-time.Duration(r+1) * time.Hour)
		rec := pipeline.TaskRunRecord{RunRecord: pipeline.RunRecord{RunResult: pipeline.RunResult{
			Profile: "winkel", Task: "import_orders", Start: start, End: start.Add(time.Minute), Duration: time.Minute, Imported: perRun}}}
		for i := range perRun {
			rec.Orders = append(rec.Orders, pipeline.OrderOutcome{ShopID: fmt.Sprint(r*perRun + i), ShopNumber: fmt.Sprint(100000 + r*perRun + i),
				Status: pipeline.StatusImported, LedgerNumber: 1 + r*perRun + i, CustomerCode: 20000 + i, TotalIncl: moneyP("99.95")})
		}
		if err := state.Put(ctx, store, state.RunKey("winkel", start), rec); err != nil {
			b.Fatal(err)
		}
	}
	// Batches keep each transaction small.
	for lo := 0; lo < orders; lo += 1000 {
		err := store.Update(ctx, func(tx *state.Tx) error {
			for i := lo; i < min(lo+1000, orders); i++ {
				id := fmt.Sprintf("o%07d", i)
				if err := state.Put(ctx, tx, state.OrderKey("winkel", id), pipeline.OrderRecord{ShopID: id, ShopNumber: id,
					Status: pipeline.StatusImported, LedgerNumber: i, CustomerCode: 20000 + i%500, TotalIncl: money("12.34"),
					DoneAt: t0.Add(-time.Duration(i) * time.Minute)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	err := store.Update(ctx, func(tx *state.Tx) error {
		for i := range failed {
			id := fmt.Sprintf("f%05d", i)
			if err := state.Put(ctx, tx, state.FailedKey("winkel", id), pipeline.FailedRecord{ShopID: id, ShopNumber: id,
				Reason: "artikel bestaat niet", Parked: true, Attempts: 1, LastFailedAt: t0.Add(-time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchGet(b *testing.B, h http.Handler, path string) {
	b.ReportAllocs()
	bytes := 0
	b.ResetTimer()
	for b.Loop() {
		rec := newRecorder(h, "GET", path)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		bytes = rec.Body.Len()
	}
	b.ReportMetric(float64(bytes), "bytes/page")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
}

// BenchmarkDashboard renders the page over 50 runs of 500 orders and 200 failed orders: the
// cost of one auto-refresh while a run goes.
func BenchmarkDashboard(b *testing.B) {
	e := newEnv(b, nil)
	seedBig(b, e.store, 50, 500, 0, 200)
	benchGet(b, e.h, "/")
}

// BenchmarkAPIOrders lists the newest 100 of 20,000 imported orders.
func BenchmarkAPIOrders(b *testing.B) {
	e := newEnv(b, nil)
	seedBig(b, e.store, 0, 0, 20000, 0)
	benchGet(b, e.h, "/api/orders?profile=winkel&status=imported&limit=100")
}

// BenchmarkMetricsScrape scrapes /metrics with 200 failed orders stored.
func BenchmarkMetricsScrape(b *testing.B) {
	e := newEnv(b, nil)
	seedBig(b, e.store, 0, 0, 0, 200)
	e.m.RunFinished("winkel", "import_orders", ResultOK, time.Second, 1, 0, 3, 2)
	benchGet(b, e.h, "/metrics")
}
