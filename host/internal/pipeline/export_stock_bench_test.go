package pipeline

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// pagedLedger lists its articles in pages of pageSize, one "request" each, as SnelStart's
// GET /artikelen does ($top at most 25).
type pagedLedger struct {
	*fakeLedger
	mu       sync.Mutex
	arts     []sdk.Article
	pageSize int
	pages    int
}

func (l *pagedLedger) ListStock(ctx context.Context, yield func(sdk.Article) error) error {
	l.mu.Lock()
	arts := l.arts
	l.mu.Unlock()
	for start := 0; start < len(arts); start += l.pageSize {
		l.mu.Lock()
		l.pages++
		l.mu.Unlock()
		for _, a := range arts[start:min(start+l.pageSize, len(arts))] {
			if err := yield(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// BenchmarkExportStock20k: issue 7's figure. 20,000 stock-tracked articles in SnelStart, all
// known to the shop and exported once before; 1% (200) changed since. Reported: ledger calls
// (stock pages of 25), shop calls (write batches of 100 plus SKU look-ups of 50), and the same
// for the first export of all 20,000.
func BenchmarkExportStock20k(b *testing.B) {
	const n, changed = 20000, 200
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := state.Open(ctx, b.TempDir(), state.Options{NoSync: true, GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		prof := baseProfile()
		prof.Stock = config.Stock{Quantity: config.QuantityFree, Composites: true}
		shop := newStockShop(&fakeShop{})
		led := &pagedLedger{fakeLedger: newFakeLedger(), pageSize: 25}
		for k := 0; k < n; k++ {
			sku := fmt.Sprintf("SKU%05d", k)
			led.arts = append(led.arts, sdk.Article{ID: "id-" + sku, Code: sku, Description: sku, StockTracked: true,
				FreeStock: decimal.NewFromInt(int64(k % 50))})
			parent := ""
			if k%4 == 0 {
				parent = fmt.Sprintf("P%d", k/400) // a quarter are variations
			}
			shop.add(sku, parent)
		}
		now := day
		p := New(Options{Profile: prof, Shop: shop, Ledger: led, Store: st, Clock: func() time.Time { return now }})

		start := time.Now()
		tr, err := p.RunTask(ctx, TaskExportStock)
		if err != nil || tr.Stock.Written != n {
			b.Fatalf("first export: %v %+v", err, tr.Stock)
		}
		firstDur := time.Since(start)
		firstLedger, firstShop, firstLookups := led.pages, shop.batches+shop.lookups, shop.lookups

		for k := 0; k < changed; k++ {
			a := &led.arts[k*(n/changed)+1] // simple products (every 4th is a variation)
			a.FreeStock = a.FreeStock.Add(decimal.NewFromInt(7))
		}
		led.pages = 0
		shop.reset()
		now = now.Add(15 * time.Minute)
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		start = time.Now()
		tr, err = p.RunTask(ctx, TaskExportStock)
		dur := time.Since(start)
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		if err != nil || tr.Stock.Written != changed || tr.Stock.Unchanged != n-changed {
			b.Fatalf("1%% export: %v written %d unchanged %d", err, tr.Stock.Written, tr.Stock.Unchanged)
		}
		b.ReportMetric(float64(led.pages), "ledger_calls")
		b.ReportMetric(float64(shop.batches+shop.lookups), "shop_calls")
		b.ReportMetric(float64(shop.batches), "shop_write_batches")
		b.ReportMetric(float64(shop.lookups), "shop_lookups")
		b.ReportMetric(float64(dur.Milliseconds()), "ms")
		b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20), "MB_alloc")
		b.ReportMetric(float64(firstLedger), "first_ledger_calls")
		b.ReportMetric(float64(firstShop), "first_shop_calls")
		b.ReportMetric(float64(firstLookups), "first_shop_lookups")
		b.ReportMetric(float64(firstDur.Milliseconds()), "first_ms")
		st.Close()
	}
}
