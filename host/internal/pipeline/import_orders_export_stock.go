package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// cancelledStatuses are shop statuses of orders that will never be imported: a waiting order in
// one of them holds nothing back (the shop gave its stock back).
var cancelledStatuses = []string{"cancelled", "canceled", "refunded", "failed", "trash", "closed", "void", "declined"}

// ImportOrdersExportStock runs import_orders_export_stock once (S-Connect's "importeren orders
// + exporteren voorraad"): first import_orders, so every shop order is in SnelStart and
// SnelStart's stock is right; then export_stock, except for the products on orders that are
// still waiting (a shop status outside orders.statuses) or failed, since SnelStart's stock of
// those is too high: they are named in the run's StockSummary.HeldBack. When the order part
// fails as a whole, no stock is exported. The whole run holds the profile's import_orders lock
// (so no import_orders run slips in between), and the stock part the export_stock lock. It is
// recorded as one run of task import_orders_export_stock.
func (p *Pipeline) ImportOrdersExportStock(ctx context.Context) (RunResult, error) {
	tr, err := p.importOrdersExportStock(ctx)
	return tr.RunResult, err
}

func (p *Pipeline) importOrdersExportStock(ctx context.Context) (TaskRun, error) {
	if err := p.validate(); err != nil {
		return TaskRun{}, err
	}
	release, err := p.holdLock(ctx, TaskImportOrders)
	if err != nil {
		return TaskRun{}, err
	}
	defer release()
	rec := &recordingShop{Shop: p.shop, skus: map[string][]string{}, status: map[string]string{}}
	opts := p.opts
	opts.Shop, opts.NoLock, opts.Ledger = rec, true, p.ledger
	orders := New(opts)
	orders.now = p.now
	// The order run shares this run's start and counters: both parts are one run.
	tc := p.startTask()
	res, err := orders.ImportOrders(ctx)
	tr := TaskRun{RunResult: res}
	tr.Task = TaskImportOrdersExportStock
	if err != nil {
		return p.finishTaskAt(ctx, tc, res, tr, fmt.Errorf("import_orders part: %w", err))
	}
	if err := p.updateHolds(ctx, res, rec); err != nil {
		return p.finishTaskAt(ctx, tc, res, tr, err)
	}
	if stopping(p.shop) {
		tr.Stopped = firstNonEmpty(tr.Stopped, "stopped on request before the stock export")
		return p.finishTaskAt(ctx, tc, res, tr, nil)
	}
	if res.Stopped != "" {
		// Orders were left for the next run: their stock in SnelStart is not final either.
		tr.Stopped = res.Stopped + "; stock not exported in this run"
		return p.finishTaskAt(ctx, tc, res, tr, nil)
	}
	relStock, err := p.holdLock(ctx, TaskExportStock)
	if err != nil {
		return p.finishTaskAt(ctx, tc, res, tr, err)
	}
	defer relStock()
	held, err := p.heldProducts(ctx)
	if err != nil {
		return p.finishTaskAt(ctx, tc, res, tr, err)
	}
	sum, err := p.exportStock(ctx, held)
	tr.Stock = sum
	if err == nil && stopping(p.shop) {
		tr.Stopped = "stopped on request"
	}
	return p.finishTaskAt(ctx, tc, res, tr, err)
}

// finishTaskAt records the combined run under the order part's start time, replacing the
// record the order part wrote, so one run shows once in the execution overview.
func (p *Pipeline) finishTaskAt(ctx context.Context, tc taskClock, orders RunResult, tr TaskRun, err error) (TaskRun, error) {
	if !orders.Start.IsZero() {
		tc.start = orders.Start
	}
	return p.finishTask(ctx, tc, tr, err)
}

// updateHolds keeps map/<profile>/stock-hold/ in step with the order run: a waiting order holds
// its products back, an order that was imported, failed (its FailedRecord holds them), or
// cancelled releases its hold.
func (p *Pipeline) updateHolds(ctx context.Context, res RunResult, rec *recordingShop) error {
	now := p.now()
	err := p.store.Update(ctx, func(tx *state.Tx) error {
		for _, o := range res.Orders {
			key := state.MapKey(p.profile, MapStockHold, o.ShopID)
			skus, status := rec.of(o.ShopID)
			if o.Status == StatusWaiting && len(skus) > 0 && !slices.Contains(cancelledStatuses, strings.ToLower(status)) {
				h, ok, err := state.Get[HoldRecord](ctx, tx, key)
				if err != nil {
					return err
				}
				if !ok {
					h.Since = now
				}
				h.ShopID, h.ShopNumber, h.Status, h.SKUs = o.ShopID, o.ShopNumber, status, skus
				if err := tx.Put(key, h); err != nil {
					return err
				}
				continue
			}
			if o.Status == StatusSkipped && o.LedgerNumber == 0 && o.Reason != "" && strings.HasPrefix(o.Reason, "parked") {
				continue // parked and unchanged: its failed record still holds it
			}
			if err := tx.Delete(key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: record the waiting orders: %v", errAbort, err)
	}
	return nil
}

// recordingShop remembers the SKUs and status of every order listed through it.
type recordingShop struct {
	sdk.Shop
	mu     sync.Mutex
	skus   map[string][]string
	status map[string]string
}

func (s *recordingShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	return s.Shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		var skus []string
		for _, l := range it.Order.Lines {
			if sku := strings.TrimSpace(l.SKU); sku != "" && !slices.Contains(skus, sku) {
				skus = append(skus, sku)
			}
		}
		s.mu.Lock()
		s.skus[it.Order.ID] = skus
		s.status[it.Order.ID] = it.Order.Status
		s.mu.Unlock()
		return yield(it)
	})
}

func (s *recordingShop) of(id string) ([]string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skus[id], s.status[id]
}
