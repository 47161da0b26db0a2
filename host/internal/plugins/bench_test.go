package plugins

import (
	"context"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// BenchmarkPluginStart measures starting a plugin process and getting its Info (handshake,
// AutoMTLS, one RPC), with the checksum from the lock file verified on each start.
func BenchmarkPluginStart(b *testing.B) {
	dir := installPlugins(b, "testshop")
	ctx := context.Background()
	if _, err := Lock(ctx, dir); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := NewManager(Options{Dir: dir})
		start := time.Now()
		if _, err := m.Info(ctx, "testshop"); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		b.StopTimer()
		_ = m.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/start")
}

// BenchmarkRoundTrip measures one host→plugin gRPC round trip through the supervisor
// (Shop.Check on the fake shop), sequential and from 8 goroutines per CPU at once.
func BenchmarkRoundTrip(b *testing.B) {
	dir := installPlugins(b, "testshop")
	ctx := context.Background()
	m := newTestManager(b, Options{Dir: dir, AllowUnlocked: true})
	shop, err := m.Shop(ctx, "testshop", "bench", sdk.Config{}.Set("label", "x"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("sequential", func(b *testing.B) {
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := shop.Check(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(8)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := shop.Check(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
	})
}
