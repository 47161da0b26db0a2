package onetoshop

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// BenchmarkListOrders lists 2000 generated orders from the simulator over loopback HTTP, 100 per
// page, and reports orders per second and HTTP requests per order.
func BenchmarkListOrders(b *testing.B) {
	const n = 2000
	sim, u := startSim(b, simulator.Options{})
	if _, err := sim.GenerateOrders(n); err != nil {
		b.Fatal(err)
	}
	s := newTestShop(b, u, func(c sdk.Config) { c.Set(attrRatePerMinute, 0) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got := 0
		if err := s.ListOrders(context.Background(), sdk.OrderQuery{Statuses: []string{"any"}}, func(sdk.OrderItem) error {
			got++
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("listed %d of %d", got, n)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(s.Calls())/float64(n*b.N), "requests/order")
}

// BenchmarkMapOrder decodes and maps the rich order of the mapping test.
func BenchmarkMapOrder(b *testing.B) {
	raw := []byte(richOrder)
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		var w wireOrder
		if err := json.Unmarshal(raw, &w); err != nil {
			b.Fatal(err)
		}
		if _, err := mapOrder(w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkWriteStock writes 20 levels by SKU (look-up plus PUT each, 4 in parallel) and
// reports levels per second and requests per level.
func BenchmarkWriteStock(b *testing.B) {
	sim, u := startSim(b, simulator.Options{})
	if _, err := sim.GenerateOrders(1); err != nil {
		b.Fatal(err)
	}
	var levels []sdk.StockLevel
	for i, p := range sim.Products() {
		if p.ManageStock {
			levels = append(levels, sdk.StockLevel{SKU: p.SKU, Quantity: d(fmt.Sprint(i))})
		}
	}
	s := newTestShop(b, u, func(c sdk.Config) { c.Set(attrRatePerMinute, 0) })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := s.WriteStock(context.Background(), levels)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != "" {
				b.Fatal(r.Err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(levels)*b.N)/b.Elapsed().Seconds(), "levels/s")
	b.ReportMetric(float64(s.Calls())/float64(len(levels)*b.N), "requests/level")
}
