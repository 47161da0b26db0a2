package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// Task names of the tasks beside import_orders (spec/settings.md, task).
const (
	TaskImportArticles          = "import_articles"
	TaskExportStock             = "export_stock"
	TaskImportOrdersExportStock = "import_orders_export_stock"
)

// TaskRun is the result of one run of any task: the RunResult every run has (for
// import_orders_export_stock its order counts and outcomes; for import_articles the counts
// Imported = articles created or updated, AlreadyPresent = articles SnelStart already had and
// that needed no change, Skipped, Failed, Retrying), plus what the run did to articles or stock.
type TaskRun struct {
	RunResult
	// Articles is set by import_articles.
	Articles *ArticleSummary `json:"articles,omitempty"`
	// Stock is set by export_stock and import_orders_export_stock (nil when the orders part
	// stopped the run before stock was exported).
	Stock *StockSummary `json:"stock,omitempty"`
	// Reconcile is set by reconcile.
	Reconcile *ReconcileResult `json:"reconcile,omitempty"`
}

// FailedItems counts what failed in the run: orders and articles that failed or will be
// retried, and stock levels the shop refused. Products the shop does not know are not failures.
func (t TaskRun) FailedItems() int {
	n := t.Failed + t.Retrying
	if t.Stock != nil {
		n += len(t.Stock.Failed) + t.Stock.FailedTruncated
	}
	return n
}

// TaskRunRecord is stored under run/<profile>/<start> for runs of import_articles, export_stock
// and import_orders_export_stock. It is a RunRecord (the same JSON fields, so ListRunRecords reads
// it) with the article or stock summary added; ListTaskRuns reads it whole.
type TaskRunRecord struct {
	RunRecord
	Articles *ArticleSummary `json:"articles,omitempty"`
	Stock    *StockSummary   `json:"stock,omitempty"`
	// Reconcile is the summary of a reconcile run.
	Reconcile *ReconcileResult `json:"reconcile,omitempty"`
}

// ListTaskRuns calls fn for the runs of profile, newest first, at most limit (0 = all), with
// the article and stock summaries of the tasks that have them.
func ListTaskRuns(ctx context.Context, s *state.Store, profile string, limit int, fn func(TaskRunRecord) error) error {
	err := state.List(ctx, s, state.NSRun.ProfilePrefix(profile), func(_ state.Key, r TaskRunRecord) error { return fn(r) },
		state.Reverse(), state.Limit(limit))
	if err != nil {
		return fmt.Errorf("list runs of profile %q: %w", profile, err)
	}
	return nil
}

// RunTask runs one task of the profile by name (import_orders, import_articles, export_stock,
// import_orders_export_stock) and returns its result. An unknown name is an error; the run is
// not recorded then.
func (p *Pipeline) RunTask(ctx context.Context, task string) (TaskRun, error) {
	switch task {
	case TaskImportOrders:
		res, err := p.ImportOrders(ctx)
		return TaskRun{RunResult: res}, err
	case TaskImportArticles:
		return p.importArticles(ctx)
	case TaskExportStock:
		return p.exportStockTask(ctx)
	case TaskImportOrdersExportStock:
		return p.importOrdersExportStock(ctx)
	case TaskReconcile:
		return p.reconcileTask(ctx)
	}
	return TaskRun{}, fmt.Errorf("unknown task %q (tasks: %s, %s, %s, %s, %s)", task,
		TaskImportOrders, TaskImportArticles, TaskExportStock, TaskImportOrdersExportStock, TaskReconcile)
}

// taskClock is the bookkeeping every task run shares: start time and ledger calls.
type taskClock struct {
	start       time.Time
	callsBefore int64
	byBefore    map[string]int64
}

func (p *Pipeline) startTask() taskClock {
	return taskClock{start: p.now(), callsBefore: p.ledger.Calls(), byBefore: p.ledger.snapshot()}
}

// finishTask fills the run's end, duration and ledger calls, records the run under
// run/<profile>/<start>, removes the profile's runs older than the retention period (pruneRuns)
// and returns the result with runErr (or the error of recording it).
func (p *Pipeline) finishTask(ctx context.Context, tc taskClock, tr TaskRun, runErr error) (TaskRun, error) {
	tr.Profile = p.profile
	tr.Start = tc.start
	tr.End = p.now()
	tr.Duration = tr.End.Sub(tr.Start)
	tr.LedgerCalls = p.ledger.Calls() - tc.callsBefore
	tr.CallsByMethod = callsSince(p.ledger.snapshot(), tc.byBefore)
	if tr.Orders == nil {
		tr.Orders = []OrderOutcome{}
	}
	rec := TaskRunRecord{RunRecord: RunRecord{RunResult: tr.RunResult}, Articles: tr.Articles, Stock: tr.Stock, Reconcile: tr.Reconcile}
	rec.Orders, rec.Truncated = storedOutcomes(tr.RunResult)
	if runErr != nil {
		runErr = unwrapAbort(runErr)
		rec.Error = runErr.Error()
		p.log.Error("run failed", "task", tr.Task, "error", rec.Error)
	}
	wctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
	}
	redactTaskRecord(&rec)
	if err := state.Put(wctx, p.store, state.RunKey(p.profile, tc.start), rec); err != nil && runErr == nil {
		runErr = stateError(err, "reason.step.record_run")
	}
	p.pruneRuns(wctx)
	p.log.Info("run finished", "task", tr.Task, "ledger_calls", tr.LedgerCalls, "duration", tr.Duration)
	return tr, runErr
}

// holdLock takes the profile's lock of task in the state store and renews it in the background
// until release is called, so a long run keeps it. Another holder (a second host, a
// `koppel sync` while the daemon runs it) makes it fail with state.ErrLocked.
func (p *Pipeline) holdLock(ctx context.Context, task string) (release func(), err error) {
	if p.opts.NoLock {
		return func() {}, nil
	}
	owner := p.lockOwner()
	rel, err := p.store.AcquireLock(ctx, p.profile, task, owner, lockTTL)
	if err != nil {
		return nil, fmt.Errorf("%s of profile %q: %w", task, p.profile, err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(lockTTL / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := p.store.RenewLock(context.WithoutCancel(ctx), p.profile, task, owner, lockTTL); err != nil {
					p.log.Warn("renewing the task lock failed", "task", task, "error", err)
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			if err := rel(); err != nil {
				p.log.Warn("releasing the task lock failed", "task", task, "error", err)
			}
		})
	}, nil
}

// errDrained ends a listing of a Stoppable shop once stop is requested.
var errDrained = errors.New("stop requested")

// Stoppable wraps shop for the daemon's graceful stop: once stop is closed, ListOrders and
// ListProducts end cleanly (returning nil) before the next item, so the order or product in
// flight finishes, its outcome and the cursor are recorded, and nothing new starts. The order
// run also looks at stop before each order of a double-import guard batch (orders already
// listed are left for the next run), and the stock export between its writes. Other calls pass
// through unchanged.
func Stoppable(shop sdk.Shop, stop <-chan struct{}) sdk.Shop {
	return &stoppableShop{Shop: shop, stop: stop}
}

type stoppableShop struct {
	sdk.Shop
	stop <-chan struct{}
}

func (s *stoppableShop) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func (s *stoppableShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	err := s.Shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		if s.stopping() {
			return errDrained
		}
		return yield(it)
	})
	if errors.Is(err, errDrained) {
		return nil
	}
	return err
}

func (s *stoppableShop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	err := s.Shop.ListProducts(ctx, q, func(it sdk.ProductItem) error {
		if s.stopping() {
			return errDrained
		}
		return yield(it)
	})
	if errors.Is(err, errDrained) {
		return nil
	}
	return err
}

// stopping reports whether the shop is a Stoppable whose stop was requested.
func stopping(shop sdk.Shop) bool {
	for {
		switch s := shop.(type) {
		case *stoppableShop:
			if s.stopping() {
				return true
			}
			shop = s.Shop
		default:
			return false
		}
	}
}

// capList appends s to list unless it holds max entries already; it reports whether s was
// left out.
func capList(list *[]string, s string, max int) bool {
	if len(*list) >= max {
		return true
	}
	*list = append(*list, s)
	return false
}

// trimAbort removes the internal abort marker from an error text.
func trimAbort(err error) string {
	return strings.TrimPrefix(err.Error(), errAbort.Error()+": ")
}
