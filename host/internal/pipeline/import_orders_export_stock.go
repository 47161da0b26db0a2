package pipeline

import (
	"context"
	"fmt"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// ImportOrdersExportStock runs import_orders_export_stock once (S-Connect's "importeren orders
// + exporteren voorraad"): first import_orders, so every shop order is in SnelStart and
// SnelStart's stock is right; then export_stock, except for the products on orders that are
// still waiting in a status that holds stock (see waiting.go; the order run records them) or
// failed, since SnelStart's stock of those is too high: they are named in the run's
// StockSummary.HeldBack. When the order part fails as a whole, no stock is exported. The whole run holds the profile's import_orders lock
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
	opts := p.opts
	opts.NoLock, opts.Ledger = true, p.ledger
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
	if stopping(p.shop) {
		tr.Stopped = mapping.FirstNonEmpty(tr.Stopped, text.Template("reason.run.on_request_before_stock"))
		return p.finishTaskAt(ctx, tc, res, tr, nil)
	}
	if res.Stopped != "" {
		// Orders were left for the next run: their stock in SnelStart is not final either.
		tr.Stopped = fmt.Sprintf(text.Template("reason.run.stock_not_exported"), res.Stopped)
		return p.finishTaskAt(ctx, tc, res, tr, nil)
	}
	// The order part recorded itself as finished; the combined run is not, until the stock
	// part is done.
	p.markInProgress(ctx, res.Start, tr)
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
		tr.Stopped = text.Template("reason.run.on_request")
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
