package state

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// BenchmarkPutGet measures one Put followed by one Get of a small record, in
// memory and on disk with and without fsync. ops/s counts Put and Get each.
func BenchmarkPutGet(b *testing.B) {
	cases := []struct {
		name string
		open func(b *testing.B) *Store
	}{
		{"memory", func(b *testing.B) *Store { return memStore(b) }},
		{"disk-nosync", func(b *testing.B) *Store {
			s := diskStore(b, b.TempDir())
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
		{"disk-sync", func(b *testing.B) *Store {
			s, err := Open(context.Background(), b.TempDir(), Options{GCInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			s := c.open(b)
			rec := orderRec{Invoice: "F-2025-0001", Total: decimal.RequireFromString("121.00")}
			i := 0
			start := time.Now()
			for b.Loop() {
				key := OrderKey("shop/1", strconv.Itoa(i%10000))
				if err := Put(ctx, s, key, rec); err != nil {
					b.Fatal(err)
				}
				if _, ok, err := Get[orderRec](ctx, s, key); err != nil || !ok {
					b.Fatalf("get: ok=%v err=%v", ok, err)
				}
				i++
			}
			b.ReportMetric(float64(2*i)/time.Since(start).Seconds(), "ops/s")
		})
	}
}
