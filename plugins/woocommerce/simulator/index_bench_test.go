package simulator

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkIncrementalListing measures the connector's incremental listing (orders modified
// after a minute ago, orderby=modified&order=asc, one page) after one order changed, with 1,000
// to 100,000 orders stored: ns/listing stays the same, as the listing starts at its place in the
// modification index (binary search on modified_after) instead of sorting every order.
func BenchmarkIncrementalListing(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		// The store is generated once per size, not for every b.N the framework tries.
		t := &testing.T{}
		e := newEnv(t, Options{})
		orders, err := e.sim.GenerateOrders(n)
		if err != nil {
			b.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			list := func() {
				since := e.clock.Now().Add(-time.Minute).UTC().Format("2006-01-02T15:04:05")
				resp := e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "100", "orderby", "modified", "order", "asc",
					"dates_are_gmt", "true", "modified_after", since, "status", "any"), nil)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			list() // the generated history is indexed once, before the timing
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				e.clock.Advance(time.Second)
				if _, err := e.sim.TouchOrder(orders[i%len(orders)].ID, ""); err != nil {
					b.Fatal(err)
				}
				list()
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/listing")
		})
	}
}
