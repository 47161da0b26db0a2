package magento

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// BenchmarkListOrders50k streams 50,000 orders from the in-process simulator (OAuth-signed
// pages of 100, mapped to sdk.Order; the client-side rate limit is off so the figure is the
// connector's and simulator's own speed) and reports orders per second, the live heap the
// listing holds above the filled simulator (sampled after a GC every 5,000 orders: flat means
// streaming keeps memory constant), allocated bytes per order (both sides of the wire) and
// HTTP calls per listing.
func BenchmarkListOrders50k(b *testing.B) {
	n := benchOrders()
	e := startSim(b, simulator.Options{})
	if _, err := e.sim.GenerateOrders(n, "processing"); err != nil {
		b.Fatal(err)
	}
	s := mustShop(b, e.config().Set("requests_per_minute", 0))
	b.ResetTimer()
	var peak, base, allocStart, allocEnd uint64
	var calls int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, allocStart = ms.HeapAlloc, ms.TotalAlloc
		before := s.Calls()
		b.StartTimer()
		start := time.Now()
		count := 0
		err := s.ListOrders(context.Background(), sdk.OrderQuery{}, func(it sdk.OrderItem) error {
			count++
			if count%5000 == 0 {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				b.StartTimer()
				if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
					peak = ms.HeapAlloc - base
				}
			}
			return nil
		})
		elapsed += time.Since(start)
		runtime.ReadMemStats(&ms)
		allocEnd = ms.TotalAlloc
		if err != nil {
			b.Fatal(err)
		}
		if count != n {
			b.Fatalf("%d orders, want %d", count, n)
		}
		calls = s.Calls() - before
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(peak)/(1<<20), "live-heap-MB")
	b.ReportMetric(float64(allocEnd-allocStart)/float64(n), "alloc-B/order")
	b.ReportMetric(float64(calls), "calls/listing")
}

// BenchmarkMapOrder maps the fixture order (configurable, bundles, tax compensation).
func BenchmarkMapOrder(b *testing.B) {
	w := decodeFixture(&testing.T{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := mapOrder(w, mapOptions{Discounts: discountsInLines}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkWriteStockMSI writes 1,000 stock levels in batches of 20.
func BenchmarkWriteStockMSI(b *testing.B) {
	e := startSim(b, simulator.Options{})
	s := mustShop(b, e.config().Set("requests_per_minute", 0))
	levels := make([]sdk.StockLevel, 1000)
	for i := range levels {
		levels[i] = sdk.StockLevel{SKU: []string{"KP-1001", "KP-1002", "KP-1003", "KP-1004"}[i%4], Quantity: d("5")}
	}
	before := s.Calls()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.WriteStock(context.Background(), levels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(levels)*b.N)/b.Elapsed().Seconds(), "levels/s")
	b.ReportMetric(float64(s.Calls()-before)/float64(b.N), "calls/1000-levels")
}

// benchOrders is 50,000, or KOPPEL_BENCH_ORDERS when set (for profiling smaller runs).
func benchOrders() int {
	if v, err := strconv.Atoi(os.Getenv("KOPPEL_BENCH_ORDERS")); err == nil && v > 0 {
		return v
	}
	return 50_000
}
