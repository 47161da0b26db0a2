package orderfiles

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// BenchmarkListOrders lists a folder of 100 daily export files with 100 orders of two lines each
// (10,000 orders): every listing parses every file, so this is the cost of one import run's read.
func BenchmarkListOrders(b *testing.B) {
	dir := b.TempDir()
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for f := 0; f < 100; f++ {
		var sb strings.Builder
		sb.WriteString(strings.Join(simHeader, ";") + "\n")
		for i := 0; i < 100; i++ {
			id := f*100 + i
			ts := start.Add(time.Duration(id) * time.Minute).Format(time.RFC3339)
			base := fmt.Sprintf("%d;W%d;processing;%s;%s;k%d@example.nl;K;L;Straat 1;1234 AB;Utrecht;NL;ideal;ja;6,95;21", id, id, ts, ts, id)
			sb.WriteString(base + ";KOFFIE-1KG;Koffie;2;24,95;9\n")
			sb.WriteString(base + ";MOK-WIT;Mok;1;8,50;21\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("orders-%03d.csv", f)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	s, err := New(context.Background(), sdk.Config{}.Set("location", dir), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		n = 0
		if err := s.ListOrders(context.Background(), sdk.OrderQuery{}, func(sdk.OrderItem) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	if n != 10000 {
		b.Fatalf("listed %d orders", n)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}
