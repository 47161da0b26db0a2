package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/redact"
	"github.com/shopspring/decimal"
	"golang.org/x/sync/singleflight"
)

// lockTTL is the lease of the import_orders lock; it is renewed while a run goes on.
const lockTTL = 10 * time.Minute

// maxConsecutiveTransient stops a run after this many transient failures in a row: the ledger
// or the shop is having trouble, and the next run will pick up where this one stopped.
const maxConsecutiveTransient = 3

// run is the state of one ImportOrders or Retry run. Its orders are handled by several workers
// at once (import_orders_workers.go): mu guards what they share, except planner and ref (set
// once under planMu, read after ensurePlanner), view (its own lock) and creates.
type run struct {
	p    *Pipeline
	task string
	// retry is set for Retry: parked orders are tried, the cursor is left alone.
	retry bool
	// planner plans the orders (once the reference data is read); view is its view of the
	// ledger, cached for the run.
	planMu  sync.Mutex
	planner *mapping.Planner
	// prefetch is set in an import run until the reference data is first asked for
	// (prefetchPlanner).
	prefetch bool
	ref      *mapping.Reference
	view     *ledgerView
	// creates shares the customer and article creates of the run's workers (apply.go).
	creates singleflight.Group

	mu sync.Mutex
	// queue holds the listed orders not yet released, in listing order; slots bounds it.
	// lastOf holds, per sequencing key, the done channel of the last queued order with it.
	// readyQ holds the queued orders that may start, in listing order; running counts the
	// orders being handled; probing limits that to one (import_orders_workers.go).
	queue   []*orderJob
	seq     int
	slots   chan struct{}
	lastOf  map[string]*orderJob
	readyQ  []*orderJob
	running int
	probing bool
	wg      sync.WaitGroup
	// runErr is the first error that stops the run (errStopRun for a planned stop).
	runErr error
	// seen holds the ids of the orders queued in this run (bounded, caches.go); released
	// counts the orders handled and released.
	seen     *simplelru.LRU[string, bool]
	released int
	// unsettled names the customer and article creates of this run whose outcome stayed
	// unknown (create_once.go): they are not repeated before the next run looks again.
	unsettled map[string]bool
	// rematched holds the orders whose remembered customer SnelStart refused in this run; their
	// customer is matched again once (after_import.go).
	rematched map[string]bool
	// status says which shop statuses are imported.
	status statusPolicy

	// batch holds listed orders not yet queued (see enqueue); guard* hold the double-import
	// guard's look-ups of the queued orders, by reference (dropped when an order is released).
	batch        []pendingOrder
	guardChecked map[string]bool
	guardFound   map[string]sdk.SalesOrder
	guardErr     map[string]error

	res          RunResult
	callsBefore  int64
	byBefore     map[string]int64
	clean        bool // no transient failure yet: the cursor may move on
	cursor       string
	cursorDirty  bool
	transientRun int
	renewedAt    time.Time
	// progressAt is when the in-progress run record was last written (run_progress.go);
	// cursorAt when the cursor was.
	progressAt time.Time
	cursorAt   time.Time
	// expected is how many orders the listing announced (sdk.OrderItem.Total; the ids of a
	// retry), 0 when unknown: Progress.Total.
	expected int
}

func (p *Pipeline) newRun(task string) *run {
	start := p.now()
	r := &run{
		p: p, task: task,
		view: newLedgerView(p), seen: newLRU[string, bool](SeenCacheSize), unsettled: map[string]bool{}, rematched: map[string]bool{},
		status:      p.statusPolicy(),
		res:         RunResult{Profile: p.profile, Task: task, Start: start, Orders: []OrderOutcome{}},
		callsBefore: p.ledger.Calls(), byBefore: p.ledger.snapshot(),
		clean: true, renewedAt: start, cursorAt: start,
		slots: make(chan struct{}, queueFactor*p.concurrency), lastOf: map[string]*orderJob{},
		guardChecked: map[string]bool{}, guardFound: map[string]sdk.SalesOrder{}, guardErr: map[string]error{},
	}
	return r
}

// ImportOrders runs import_orders once: it lists the shop's orders from the stored cursor and
// imports each one (see the package documentation). A failing order does not stop the run; the
// error is for what stops the whole run (the shop listing failed, credentials or configuration
// refused, the context ended, the state store failed). The run is recorded under
// run/<profile>/<start> either way, and the result returned also on error.
func (p *Pipeline) ImportOrders(ctx context.Context) (RunResult, error) {
	if err := p.validate(); err != nil {
		return RunResult{}, err
	}
	release, err := p.lock(ctx)
	if err != nil {
		return RunResult{}, err
	}
	defer release()
	r := p.newRun(TaskImportOrders)
	r.prefetch = true
	r.settleAbortedRuns(ctx)
	r.writeProgress(ctx, true)
	cur, _, err := state.Get[CursorRecord](ctx, p.store, state.CursorKey(p.profile, TaskImportOrders))
	if err != nil {
		return r.finish(ctx, stateError(err, "reason.step.read_cursor", TaskImportOrders))
	}
	r.cursor = cur.Cursor
	// Every status is listed when the importable ones are known: the others wait (waiting.go).
	q := r.status.query(sdk.OrderQuery{Since: p.prof.Orders.Since, Cursor: cur.Cursor})
	var yieldErr error
	err = p.shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		if it.Total > 0 {
			r.mu.Lock() // read by the workers' progress reports
			r.expected = it.Total
			r.mu.Unlock()
		}
		yieldErr = r.enqueue(ctx, it.Order, it.Cursor)
		return yieldErr
	})
	// The orders listed before the listing ended (or failed) are still handled.
	if yieldErr == nil {
		yieldErr = r.flush(ctx)
	}
	yieldErr = r.drainInto(ctx, yieldErr)
	err = listingError(err, yieldErr, "reason.step.list_orders")
	if ferr := r.flushCursor(ctx); ferr != nil && err == nil {
		err = ferr
	}
	if err == nil {
		_, err = p.notePaid(ctx)
	}
	return r.finish(ctx, err)
}

// Retry imports the given shop orders again now (`koppel retry`), whether parked or not,
// fetching their current data from the shop (OrderQuery.IDs). Orders already imported are
// skipped; ids the shop does not return are reported as skipped. The cursor is not moved.
func (p *Pipeline) Retry(ctx context.Context, shopIDs []string) (RunResult, error) {
	if err := p.validate(); err != nil {
		return RunResult{}, err
	}
	release, err := p.lock(ctx)
	if err != nil {
		return RunResult{}, err
	}
	defer release()
	r := p.newRun(TaskRetry)
	r.prefetch = true
	r.settleAbortedRuns(ctx)
	r.writeProgress(ctx, true)
	r.retry = true
	r.clean = false
	// A failed credit order (a refund or cancellation after import) is retried through its
	// shop order, which is listed again and followed after import.
	orig := make([]string, 0, len(shopIDs))
	for _, id := range shopIDs {
		o, _ := mapping.OriginalID(id)
		orig = append(orig, o)
	}
	ids := slices.Compact(slices.Sorted(slices.Values(orig)))
	if len(ids) == 0 {
		return r.finish(ctx, nil)
	}
	r.expected = len(ids)
	var yieldErr error
	returned := make(map[string]bool, len(ids))
	err = p.shop.ListOrders(ctx, sdk.OrderQuery{IDs: ids}, func(it sdk.OrderItem) error {
		returned[it.Order.ID] = true
		yieldErr = r.enqueue(ctx, it.Order, "")
		return yieldErr
	})
	if yieldErr == nil {
		yieldErr = r.flush(ctx)
	}
	yieldErr = r.drainInto(ctx, yieldErr)
	err = listingError(err, yieldErr, "reason.step.fetch_orders", strings.Join(ids, ", "))
	if err == nil {
		for _, id := range ids {
			if !returned[id] {
				r.add(OrderOutcome{ShopID: id, Status: StatusSkipped, Reason: ReasonNotInShop}, "")
			}
		}
	}
	return r.finish(ctx, err)
}

// ReasonNotInShop is the reason of a Retry outcome for an id the shop did not return.
const ReasonNotInShop = "the shop did not return this order"

// RetryFailed retries every parked order of the profile (`koppel retry --all-failed`).
func (p *Pipeline) RetryFailed(ctx context.Context) (RunResult, error) {
	if err := p.validate(); err != nil {
		return RunResult{}, err
	}
	var ids []string
	err := ListFailedRecords(ctx, p.store, p.profile, func(f FailedRecord) error {
		ids = append(ids, f.ShopID)
		return nil
	})
	if err != nil {
		return RunResult{}, err
	}
	return p.Retry(ctx, ids)
}

// drainInto waits for the run's workers and returns the error that ended the listing: the
// workers' error when the listing ended without one or was stopped on purpose.
func (r *run) drainInto(ctx context.Context, yieldErr error) error {
	if derr := r.drain(ctx); derr != nil && (yieldErr == nil || errors.Is(yieldErr, errStopRun)) {
		return derr
	}
	return yieldErr
}

// listingError is the error of a shop listing: the callback's own error when it stopped the
// listing (nil for errStopRun), else the shop's, wrapped with the step being taken (a
// "reason.step.*" key and its arguments) and what to do next (serviceError).
func listingError(err, yieldErr error, key string, args ...any) error {
	switch {
	case yieldErr != nil && errors.Is(yieldErr, errStopRun):
		return nil
	case yieldErr != nil:
		return yieldErr
	case err != nil:
		return serviceError(sideShop, err, key, args...)
	}
	return nil
}

// lock takes the profile's import_orders lock unless the caller holds it.
func (p *Pipeline) lock(ctx context.Context) (func(), error) {
	if p.opts.NoLock {
		return func() {}, nil
	}
	owner := p.lockOwner()
	release, err := p.store.AcquireLock(ctx, p.profile, TaskImportOrders, owner, lockTTL)
	if err != nil {
		return nil, fmt.Errorf("import_orders of profile %q: %w", p.profile, err)
	}
	return func() {
		if err := release(); err != nil {
			p.log.Warn("releasing the import_orders lock failed", "error", err)
		}
	}, nil
}

func (p *Pipeline) lockOwner() string {
	if p.opts.LockOwner != "" {
		return p.opts.LockOwner
	}
	return ProcessOwner()
}

// ProcessOwner is the default lock owner of this process ("host/pid"), also stored as the Owner
// of its in-progress run records: a record of another owner that is still in progress while this
// process holds the state store was left by a killed process.
func ProcessOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// renewLock extends the lease during long runs.
func (r *run) renewLock(ctx context.Context) error {
	if r.p.opts.NoLock {
		return nil
	}
	r.mu.Lock()
	due := r.p.now().Sub(r.renewedAt) >= lockTTL/4
	if due {
		r.renewedAt = r.p.now()
	}
	r.mu.Unlock()
	if !due {
		return nil
	}
	if err := r.p.store.RenewLock(ctx, r.p.profile, TaskImportOrders, r.p.lockOwner(), lockTTL); err != nil {
		return abortf("reason.run.lock_lost", TaskImportOrders, err)
	}
	return nil
}

// pendingOrder is a listed order waiting in the run's batch.
type pendingOrder struct {
	order  sdk.Order
	cursor string
}

// DefaultGuardBatch is how many listed orders share one double-import guard look-up.
const DefaultGuardBatch = 25

// guardBatch is Options.GuardBatch, or DefaultGuardBatch when that is not set.
func (p *Pipeline) guardBatch() int {
	if p.opts.GuardBatch > 0 {
		return p.opts.GuardBatch
	}
	return DefaultGuardBatch
}

// enqueue adds a listed order to the batch and handles the batch when it is full. It returns an
// error only to stop the listing.
func (r *run) enqueue(ctx context.Context, o sdk.Order, cursor string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.batch = append(r.batch, pendingOrder{order: o, cursor: cursor})
	if len(r.batch) >= r.p.guardBatch() {
		return r.flush(ctx)
	}
	return nil
}

// flush handles the batched orders in listing order, after one double-import guard look-up for
// those of them that are about to be created. submit returns as soon as an order is queued (it
// blocks only while the run's queue is full), so the listing runs ahead of the workers and the
// look-up of the next batch is asked while the orders before it are still being worked: after
// the first batch no worker waits for a guard's answer.
func (r *run) flush(ctx context.Context) error {
	items := r.batch
	r.batch = nil
	if len(items) == 0 {
		return nil
	}
	if stopping(r.p.shop) {
		return r.stopOnRequest()
	}
	r.prefetchArticles(ctx, items)
	r.prefetchCustomers(ctx, items)
	if err := r.prepareGuard(ctx, items); err != nil {
		return err
	}
	for _, it := range items {
		// A graceful stop is honoured between orders: the orders in flight finish, the rest
		// (queued or not) is left (the cursor has not moved past it) for the next run.
		if stopping(r.p.shop) {
			return r.stopOnRequest()
		}
		if err := r.submit(ctx, it); err != nil {
			return err
		}
	}
	return nil
}

// stopOnRequest ends the run on a graceful stop: no queued order starts any more.
func (r *run) stopOnRequest() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Stopped = mapping.FirstNonEmpty(r.res.Stopped, text.Template("reason.run.on_request"))
	if r.runErr == nil {
		r.runErr = errStopRun
	}
	return errStopRun
}

// prepareGuard implements the double-import guard of orders.payment_reference for a batch: the
// references of the orders about to be created (not done, not waiting, not skipped, not parked,
// no unfinished create of their own) are looked up in the ledger with one FindSalesOrders call
// (SalesOrderQuery.References). guard then answers from that look-up. A failed look-up is
// recorded per reference, so those orders fail transiently (nothing is created unguarded); only
// a failure that ends the run (credentials, configuration) is returned.
func (r *run) prepareGuard(ctx context.Context, items []pendingOrder) error {
	if !r.p.prof.Orders.PaymentReference {
		return nil
	}
	var refs []string
	inBatch := map[string]bool{}
	for _, it := range items {
		o := it.order
		if r.wasSeen(o.ID) || inBatch[o.ID] {
			continue
		}
		inBatch[o.ID] = true
		_, decided, _, _, err := r.screen(ctx, o)
		if err != nil {
			return err
		}
		if decided {
			continue
		}
		if _, hasIntent, err := state.Get[IntentRecord](ctx, r.p.store, state.IntentKey(r.p.profile, o.ID)); err != nil {
			return abortState(err, "reason.step.read_intent")
		} else if hasIntent {
			continue // the unfinished create is resolved by its own look-up
		}
		ref := r.p.reference(o)
		if !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	r.prefetchPlanner(ctx)
	found, err := r.p.findBooked(ctx, refs...)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if classify(err) == classAbort {
			return abortf(serviceKey(sideLedger, err), step("reason.step.guard", len(refs)), err)
		}
		for _, ref := range refs {
			r.guardErr[ref] = text.Errorf("reason.lookup_guard", ref, err)
		}
		return nil
	}
	present := 0
	for _, ref := range refs {
		delete(r.guardErr, ref)
		r.guardChecked[ref] = true
		if so, ok := pickByReference(found, ref); ok {
			r.guardFound[ref] = so
			present++
		}
	}
	if present > 0 {
		r.p.log.Warn("SnelStart already has sales orders koppel has no record of; they are recorded, not created again", "count", present)
	}
	return nil
}

// wasSeen reports whether the run queued order id before.
func (r *run) wasSeen(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen.Contains(id)
}

// dropGuard forgets the guard's look-up of ref (r.mu held), once its order is released.
func (r *run) dropGuard(ref string) {
	delete(r.guardChecked, ref)
	delete(r.guardFound, ref)
	delete(r.guardErr, ref)
}

// handle processes one queued order (from its worker): import it, keep its stock hold in step,
// and follow it after import. The error is for what stops the run.
func (r *run) handle(ctx context.Context, o sdk.Order) (jobResult, error) {
	if err := ctx.Err(); err != nil {
		return jobResult{}, err
	}
	if err := r.renewLock(ctx); err != nil {
		return jobResult{}, err
	}
	f := &follow{}
	ctx = withFollow(ctx, f)
	out, terminal, err := r.process(ctx, o)
	if err != nil {
		return jobResult{}, err
	}
	if err := r.updateHold(ctx, o, out); err != nil {
		return jobResult{}, err
	}
	if terminal {
		followed, err := r.afterImport(ctx, o)
		if err != nil {
			return jobResult{}, err
		}
		terminal = followed
	}
	return jobResult{terminal: terminal, status: out.Status, slowDown: out.slowDown,
		outs: append(f.outs, numberedOutcome{out: out, number: o.Number})}, nil
}

// add counts an outcome and reports progress (r.mu held while workers run).
func (r *run) add(out OrderOutcome, number string) {
	switch out.Status {
	case StatusImported, StatusAdopted:
		r.res.Imported++
	case StatusAlreadyPresent:
		r.res.AlreadyPresent++
	case StatusWaiting:
		r.res.Waiting++
	case StatusFailed:
		r.res.Failed++
	case StatusRetrying:
		r.res.Retrying++
	default:
		r.res.Skipped++
	}
	if len(r.res.Orders) < MaxRunOrders {
		r.res.Orders = append(r.res.Orders, out)
	} else {
		r.res.Unlisted++
	}
	if r.p.prog != nil {
		r.p.prog(Progress{
			Profile: r.p.profile, Task: r.task, Seen: r.res.Seen(), Total: r.expectedTotal(),
			Imported: r.res.Imported, AlreadyPresent: r.res.AlreadyPresent, Waiting: r.res.Waiting,
			Failed: r.res.Failed, Retrying: r.res.Retrying, Skipped: r.res.Skipped,
			LedgerCalls: r.p.ledger.Calls() - r.callsBefore, Current: number,
		})
	}
}

// expectedTotal is Progress.Total: the orders the listing announced, never fewer than the run
// has handled (a listing may yield more than announced); 0 when the shop announced none.
func (r *run) expectedTotal() int {
	if r.expected <= 0 {
		return 0
	}
	return max(r.expected, r.res.Seen())
}

// advance moves the pending cursor past an order, while no transient failure blocks it.
func (r *run) advance(cursor string) {
	if r.retry || !r.clean || cursor == "" || cursor == r.cursor {
		return
	}
	r.cursor = cursor
	r.cursorDirty = true
}

// maybeFlushCursor writes the in-progress run record and the cursor now and then (r.mu held
// while workers run): the cursor every 100 released orders and at least every progressEvery.
// Only the releaser writes the cursor, so the stored one never goes back; an order done after it
// is found by its order record when it is listed again.
func (r *run) maybeFlushCursor(ctx context.Context) error {
	r.writeProgress(ctx, false)
	if r.released%100 == 0 || r.p.now().Sub(r.cursorAt) >= progressEvery {
		return r.flushCursor(ctx)
	}
	return nil
}

// flushCursor stores the pending cursor (r.mu held while workers run).
func (r *run) flushCursor(ctx context.Context) error {
	if !r.cursorDirty {
		return nil
	}
	r.cursorAt = r.p.now()
	if err := state.Put(ctx, r.p.store, state.CursorKey(r.p.profile, TaskImportOrders), CursorRecord{Cursor: r.cursor, UpdatedAt: r.p.now()}); err != nil {
		return abortState(err, "reason.step.store_cursor", TaskImportOrders)
	}
	r.cursorDirty = false
	return nil
}

// finish records the run and returns its result.
func (r *run) finish(ctx context.Context, runErr error) (RunResult, error) {
	r.res.End = r.p.now()
	r.res.Duration = r.res.End.Sub(r.res.Start)
	r.res.LedgerCalls = r.p.ledger.Calls() - r.callsBefore
	r.res.CallsByMethod = callsSince(r.p.ledger.snapshot(), r.byBefore)
	rec := RunRecord{RunResult: r.res}
	rec.Orders, rec.Truncated = storedOutcomes(r.res)
	if runErr != nil {
		rec.Error = strings.TrimPrefix(runErr.Error(), errAbort.Error()+": ")
		r.p.log.Error("import_orders run failed", "task", r.task, "error", rec.Error)
	}
	// Record the run even when ctx ended: the history should show the interrupted run.
	wctx := ctx
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
	}
	redactRecord(&rec)
	if err := state.Put(wctx, r.p.store, state.RunKey(r.p.profile, r.res.Start), rec); err != nil && runErr == nil {
		runErr = stateError(err, "reason.step.record_run")
	}
	r.p.pruneRuns(wctx)
	r.p.log.Info("import_orders run finished", "task", r.task, "imported", r.res.Imported, "already_present", r.res.AlreadyPresent,
		"waiting", r.res.Waiting, "failed", r.res.Failed, "retrying", r.res.Retrying, "skipped", r.res.Skipped,
		"ledger_calls", r.res.LedgerCalls, "duration", r.res.Duration)
	if runErr != nil {
		runErr = unwrapAbort(runErr)
	}
	return r.res, runErr
}

// pruneRuns deletes the profile's run records older than Options.Retention (personal data
// and history are not kept longer than the koppel block's retention_days). A failure is logged:
// the next run tries again.
func (p *Pipeline) pruneRuns(ctx context.Context) {
	keep := p.opts.Retention
	if keep == 0 {
		keep = DefaultRetention
	}
	if keep < 0 {
		return
	}
	n, err := p.store.DeleteOlder(ctx, state.NSRun.ProfilePrefix(p.profile), p.now().Add(-keep))
	if err != nil {
		p.log.Warn("removing old run records failed", "error", err)
		return
	}
	if n > 0 {
		p.log.Info("removed run records older than the retention period", "count", n, "retention", keep)
	}
}

// unwrapAbort removes the internal errAbort marker from a run error's text, keeping the chain.
func unwrapAbort(err error) error {
	if errors.Is(err, errAbort) {
		return &runError{msg: strings.TrimPrefix(err.Error(), errAbort.Error()+": "), err: err}
	}
	return err
}

// runError is an error that stopped a run.
type runError struct {
	msg string
	err error
}

func (e *runError) Error() string { return e.msg }
func (e *runError) Unwrap() error { return e.err }

// process handles one order and says whether the cursor may move past it (terminal). An error
// stops the run.
func (r *run) process(ctx context.Context, o sdk.Order) (OrderOutcome, bool, error) {
	p := r.p
	out, decided, failed, wasFailed, err := r.screen(ctx, o)
	if err != nil || decided {
		return out, decided, err
	}
	if err := r.ensurePlanner(ctx); err != nil {
		return out, false, err
	}

	var w mapping.Warnings
	rec, req, err := r.importOne(ctx, o, &w)
	out.Warnings = w
	if err == nil {
		out.Status = rec.Status
		out.LedgerOrderID, out.LedgerNumber, out.CustomerCode = rec.LedgerOrderID, rec.LedgerNumber, rec.CustomerCode
		out.CustomerName = rec.customerName
		t := rec.TotalIncl
		out.TotalIncl = &t
		for _, msg := range w {
			p.log.Warn("order imported with a warning", "order", o.Number, "warning", msg)
		}
		return out, true, nil
	}
	class := classify(err)
	if class == classAbort {
		return out, false, err
	}
	if ctx.Err() != nil {
		return out, false, ctx.Err()
	}
	now := p.now()
	f := FailedRecord{
		ShopID: o.ID, ShopNumber: o.Number, Reason: reasonOf(err), Kind: kindName(err), Code: codeOf(err),
		Attempts: 1, FirstFailedAt: now, LastFailedAt: now, ShopModifiedAt: o.ModifiedAt, Order: o, Request: req,
	}
	if wasFailed {
		f.Attempts = failed.Attempts + 1
		f.FirstFailedAt = failed.FirstFailedAt
		if req == nil {
			f.Request = failed.Request
		}
	}
	terminal := class == classPermanent
	if class == classTransient && f.Attempts >= p.opts.ParkAfter && now.Sub(f.FirstFailedAt) >= p.opts.ParkAfterAge {
		terminal = true
		f.Reason = fmt.Sprintf(text.Template("reason.gave_up"), f.Attempts, f.FirstFailedAt.Format(time.RFC3339), f.Reason)
	}
	f.Parked = terminal
	// The stored reason (kept until the order is resolved, shown on the dashboard) names the
	// field without its personal value; the run's result (the summary printed now) keeps it.
	stored := f
	stored.Reason = redact.Personal(f.Reason)
	if err := state.Put(ctx, p.store, state.FailedKey(p.profile, o.ID), stored); err != nil {
		return out, false, abortState(err, "reason.step.record_failure", o.Number)
	}
	out.Reason, out.Kind, out.Code = f.Reason, f.Kind, f.Code
	if terminal {
		out.Status = StatusFailed
		p.log.Warn("order failed and is parked", "order", o.Number, "reason", f.Reason)
	} else {
		out.Status = StatusRetrying
		p.log.Warn("order failed, retried on the next run", "order", o.Number, "reason", f.Reason)
		if ra := sdk.RetryAfterOf(err); ra > 0 {
			out.slowDown = true // the service asked to slow down: stop after this one
		}
	}
	return out, terminal, nil
}

// prefetchPlanner starts reading the reference data beside the guard's look-up, once, in an
// import run (whose workers need it and whose drain waits for it); a failure is left for the
// first order's ensurePlanner to meet again.
func (r *run) prefetchPlanner(ctx context.Context) {
	r.planMu.Lock()
	start := r.prefetch && r.planner == nil
	r.prefetch = false
	r.planMu.Unlock()
	if !start {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = r.ensurePlanner(ctx)
	}()
}

// ensurePlanner reads the reference data and makes the run's planner, once per run.
func (r *run) ensurePlanner(ctx context.Context) error {
	r.planMu.Lock()
	defer r.planMu.Unlock()
	if r.planner != nil {
		return nil
	}
	rd, err := r.p.loadReference(ctx)
	if err != nil {
		if classify(err) == classAbort {
			return err
		}
		return fmt.Errorf("%w: %v", errAbort, err)
	}
	r.ref = rd
	r.planner = mapping.NewPlanner(r.p.prof, rd, r.view)
	return nil
}

// screen decides the orders that need no import: already done, created before orders.since,
// waiting for a status, or parked and unchanged. decided is true for those (their outcome is
// out; all are terminal). Otherwise it returns the order's failure record, if any.
func (r *run) screen(ctx context.Context, o sdk.Order) (out OrderOutcome, decided bool, failed FailedRecord, wasFailed bool, err error) {
	p := r.p
	out = OrderOutcome{ShopID: o.ID, ShopNumber: o.Number}
	if rec, ok, err := GetOrderRecord(ctx, p.store, p.profile, o.ID); err != nil {
		return out, false, failed, false, abortState(err, "reason.step.read_order")
	} else if ok {
		out.Status, out.LedgerOrderID, out.LedgerNumber, out.CustomerCode = StatusSkipped, rec.LedgerOrderID, rec.LedgerNumber, rec.CustomerCode
		out.Reason = fmt.Sprintf(text.Template("reason.already_imported"), rec.LedgerNumber)
		return out, true, failed, false, nil
	}
	since := p.prof.Orders.Since
	if !since.IsZero() && !o.CreatedAt.IsZero() && o.CreatedAt.Before(since) {
		out.Status = StatusSkipped
		out.Reason = fmt.Sprintf(text.Template("reason.before_since"), o.CreatedAt.Format(time.RFC3339), since.Format(time.RFC3339))
		return out, true, failed, false, nil
	}
	if _, credit := mapping.OriginalID(o.ID); !credit && !r.status.importableStatus(o.Status) {
		out.Status = StatusWaiting
		out.Reason = r.status.waitingReason(o.Status)
		return out, true, failed, false, nil
	}
	failed, wasFailed, err = GetFailedRecord(ctx, p.store, p.profile, o.ID)
	if err != nil {
		return out, false, failed, false, abortState(err, "reason.step.read_failure")
	}
	if wasFailed && failed.Parked && !r.retry && !o.ModifiedAt.After(failed.ShopModifiedAt) {
		out.Status = StatusSkipped
		out.Reason = fmt.Sprintf(text.Template("reason.parked_unchanged"), failed.Reason)
		out.parked = true
		return out, true, failed, wasFailed, nil
	}
	return out, false, failed, wasFailed, nil
}

// doneRecord is an OrderRecord plus the in-memory-only customer name.
type doneRecord struct {
	OrderRecord
	customerName string
}

// importOne runs the exactly-once protocol for one order. On failure it returns the refused
// request, when the failure came from the create.
func (r *run) importOne(ctx context.Context, o sdk.Order, w *mapping.Warnings) (doneRecord, *sdk.SalesOrder, error) {
	p := r.p
	ref := p.reference(o)
	intent, hasIntent, err := state.Get[IntentRecord](ctx, p.store, state.IntentKey(p.profile, o.ID))
	if err != nil {
		return doneRecord{}, nil, abortState(err, "reason.step.read_intent")
	}
	if hasIntent {
		// A previous create's outcome is unknown: look before creating again.
		refs := []string{intent.Reference}
		if ref != intent.Reference {
			refs = append(refs, ref)
		}
		for _, x := range refs {
			found, err := p.findBooked(ctx, x)
			if err != nil {
				return doneRecord{}, nil, text.Errorf("reason.lookup_unfinished", x, err)
			}
			if so, ok := pickByReference(found, x); ok {
				p.log.Info("adopted a sales order whose create had no answer", "order", o.Number, "number", so.Number)
				d, err := r.recordDone(ctx, o, x, so, StatusAdopted, decimal.Zero, nil, customerRef{})
				return d, nil, err
			}
		}
	} else if found, ok, err := r.guard(ctx, ref); err != nil {
		return doneRecord{}, nil, err
	} else if ok {
		if fits, err := r.guardFits(ctx, o, ref, found); err != nil || !fits {
			return doneRecord{}, nil, err
		}
		w.Add(text.Template("reason.already_present_ref"), found.Number, ref)
		d, err := r.recordDone(ctx, o, ref, found, StatusAlreadyPresent, decimal.Zero, *w, customerRef{})
		return d, nil, err
	}

	var plan *mapping.Plan
	shown := o // the order as recorded: a credit order's totals are negative
	if c := creditOf(ctx); c != nil {
		plan, err = r.planner.PlanCredit(ctx, o, c.CustomerID, c.CustomerCode)
		shown.Totals = sdk.Totals{TotalExcl: o.Totals.TotalExcl.Neg(), Tax: o.Totals.Tax.Neg(), Total: o.Totals.Total.Neg()}
	} else {
		plan, err = r.planner.Plan(ctx, o)
	}
	if plan == nil {
		return doneRecord{}, nil, planError(err)
	}
	*w = append(*w, plan.Warnings...)
	if err != nil {
		return doneRecord{}, nil, planError(err)
	}
	if err := r.rememberFound(ctx, plan); err != nil {
		return doneRecord{}, nil, err
	}
	if plan.Action == mapping.ActionFail {
		if plan.Customer.Forget {
			if err := state.Delete(ctx, p.store, state.MapKey(p.profile, state.MapCustomer, plan.Customer.Key)); err != nil {
				return doneRecord{}, nil, text.Errorf("reason.forget_customer", err)
			}
			r.view.forget(plan.Customer.Key)
		}
		return doneRecord{}, nil, refusef("%s", plan.Reason())
	}
	cust, err := r.applyCustomer(ctx, plan)
	if err != nil {
		return doneRecord{}, nil, err
	}
	ids, err := r.applyArticles(ctx, plan)
	if err != nil {
		return doneRecord{}, nil, err
	}
	so := plan.Bind(cust.ID, ids)
	diff := plan.Totals.Difference

	intent = IntentRecord{ShopID: o.ID, ShopNumber: o.Number, Reference: ref, CustomerID: cust.ID,
		StartedAt: p.now(), Attempts: intent.Attempts + 1}
	if err := state.Put(ctx, p.store, state.IntentKey(p.profile, o.ID), intent); err != nil {
		return doneRecord{}, nil, abortState(err, "reason.step.record_order_intent", o.Number)
	}
	created, err := p.book(ctx, plan, so, cust.ID)
	if err != nil {
		req := so
		if outcomeUnknown(err) {
			intent.LastError = reasonOf(err)
			if perr := state.Put(ctx, p.store, state.IntentKey(p.profile, o.ID), intent); perr != nil {
				p.log.Warn("could not update the intent", "order", o.Number, "error", perr)
			}
		} else if derr := state.Delete(ctx, p.store, state.IntentKey(p.profile, o.ID)); derr != nil {
			p.log.Warn("could not delete the intent", "order", o.Number, "error", derr)
		}
		if again, ferr := r.forgetGoneCustomer(ctx, o, plan, err, w); ferr != nil {
			return doneRecord{}, &req, ferr
		} else if again {
			return r.importOne(ctx, o, w)
		}
		if classify(err) == classPermanent {
			r.forgetArticles(ctx, lineArticleKeys(plan))
		}
		return doneRecord{}, &req, text.Errorf(refusedKey(plan, classify(err) == classPermanent), err)
	}
	if created.Number == 0 && created.ID == "" {
		return doneRecord{}, nil, text.Errorf("reason.sales_order_no_id")
	}
	item := r.differenceItem(shown, created, w)
	if p.prof.Orders.ReuseLastTemplate {
		r.view.addTemplate(cust.ID, so.TemplateID)
	}
	if created.CustomerID == "" {
		created.CustomerID = cust.ID
	}
	d, err := r.recordDone(ctx, shown, ref, created, StatusImported, diff, *w, cust, item)
	d.customerName = cust.Name
	return d, nil, err
}

// guard answers the double-import guard of orders.payment_reference for one order about to be
// created: whether SnelStart already has a sales order with ref. It uses the batch's look-up
// (prepareGuard); a reference the batch did not look up is asked for on its own.
func (r *run) guard(ctx context.Context, ref string) (sdk.SalesOrder, bool, error) {
	if !r.p.prof.Orders.PaymentReference {
		return sdk.SalesOrder{}, false, nil
	}
	r.mu.Lock()
	gerr, failed := r.guardErr[ref]
	checked := r.guardChecked[ref]
	known, present := r.guardFound[ref]
	r.mu.Unlock()
	if failed {
		return sdk.SalesOrder{}, false, gerr
	}
	if checked {
		return known, present, nil
	}
	found, err := r.p.findBooked(ctx, ref)
	if err != nil {
		return sdk.SalesOrder{}, false, text.Errorf("reason.lookup_guard", ref, err)
	}
	so, ok := pickByReference(found, ref)
	return so, ok, nil
}

// pickByReference returns the order whose betalingskenmerk or orderreferentie is ref.
func pickByReference(found []sdk.SalesOrder, ref string) (sdk.SalesOrder, bool) {
	for _, so := range found {
		if so.PaymentReference == ref || so.OrderReference == ref {
			return so, true
		}
	}
	return sdk.SalesOrder{}, false
}

// recordDone writes the OrderRecord (cust is the relatie booked on when known: its relatiecode,
// and its name for a business customer), deletes the intent and the failure record, and raises
// the attention items given (nil ones are skipped), in one transaction. The cursor moves when the
// order is released (import_orders_workers.go).
func (r *run) recordDone(ctx context.Context, o sdk.Order, ref string, so sdk.SalesOrder, status OutcomeStatus, diff sdk.Money, w mapping.Warnings, cust customerRef, items ...*attention.Item) (doneRecord, error) {
	p := r.p
	rec := OrderRecord{
		ShopID: o.ID, ShopNumber: o.Number, Reference: ref, Status: status,
		LedgerOrderID: so.ID, LedgerNumber: so.Number, CustomerID: so.CustomerID,
		TotalExcl: so.TotalExcl, TotalIncl: so.TotalIncl, ShopTotal: o.Totals.Total, DifferenceBooked: diff,
		ShopModifiedAt: o.ModifiedAt, DoneAt: p.now(), Warnings: w, LinesHash: linesHash(o),
		CustomerName: BusinessName(o, cust.Name, cust.Fixed),
	}
	code := cust.Code
	rec.CustomerCode = code
	if c, ok := r.view.codeOf(so.CustomerID); ok && code == 0 {
		rec.CustomerCode = c
	}
	err := p.store.Update(ctx, func(tx *state.Tx) error {
		if err := tx.Put(state.OrderKey(p.profile, o.ID), rec); err != nil {
			return err
		}
		if err := p.rememberUnpaidTx(tx, rec); err != nil {
			return err
		}
		if err := tx.Delete(state.IntentKey(p.profile, o.ID)); err != nil {
			return err
		}
		if err := tx.Delete(state.FailedKey(p.profile, o.ID)); err != nil {
			return err
		}
		for _, it := range items {
			if it == nil {
				continue
			}
			if _, _, err := attention.RaiseTx(ctx, tx, p.profile, *it, p.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// The order exists in SnelStart; the intent stays, so the next run adopts it.
		return doneRecord{}, abortState(err, "reason.step.record_done", o.Number, so.Number)
	}
	return doneRecord{OrderRecord: rec}, nil
}

// outcomeUnknown reports whether a failed create may nevertheless have been committed: the
// ledger said so (KindOutcomeUnknown), or the call broke without a typed answer (a crashed
// plugin, a broken connection).
func outcomeUnknown(err error) bool {
	var se *sdk.Error
	if !errors.As(err, &se) {
		return !errors.Is(err, context.Canceled)
	}
	return se.Kind == sdk.KindOutcomeUnknown
}

// reasonOf is the message of a failure for the failed record.
func reasonOf(err error) string {
	return strings.TrimPrefix(err.Error(), errAbort.Error()+": ")
}

// kindName is the failure kind stored in the failed record.
func kindName(err error) string {
	var se *sdk.Error
	if errors.As(err, &se) {
		return string(se.Kind)
	}
	if errors.Is(err, errPermanent) {
		return "refused"
	}
	return "transport"
}

func codeOf(err error) string {
	var se *sdk.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return ""
}

// planError is the error of a plan that could not be made: a configuration problem stops the
// run (every order would fail the same way); a failed look-up is returned as it is.
func planError(err error) error {
	var ce *mapping.ConfigError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w: %s", errAbort, ce.Msg)
	}
	return err
}

// reference is what koppel stamps on the sales order of a shop order.
func (p *Pipeline) reference(o sdk.Order) string {
	return mapping.BookingReference(p.prof.Orders, o)
}
