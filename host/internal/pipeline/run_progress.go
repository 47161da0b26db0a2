package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
)

// progressEvery is how often a running order import rewrites its in-progress run record.
const progressEvery = time.Second

// orderLockTasks are the tasks that run under the profile's import_orders lock: while a run of
// one holds it, a record of any of them that is still in progress belongs to a dead process.
var orderLockTasks = []string{TaskImportOrders, TaskRetry, TaskImportOrdersExportStock}

// Unfinished reports whether the run never recorded its end: it is still going on, or its
// process was killed. A process that holds the state store (Badger lets one process at a time
// open it) and runs no task itself knows that every unfinished record is an aborted run.
func (r RunRecord) Unfinished() bool { return r.InProgress && !r.Aborted }

// Interrupted reports whether the run was aborted: closed as aborted by a later run, or still
// unfinished although it is not running in this process (which holds the state store, so no
// other process can be running it).
func (r RunRecord) Interrupted() bool {
	return r.Aborted || (r.InProgress && r.Owner != ProcessOwner())
}

// writeProgress stores the run's record as it is now, marked in progress, so a run that is
// killed still shows in `koppel runs` (as aborted) with what it booked. It writes at most once per
// progressEvery unless force is set; a failure is logged, never fatal (the final record and the
// next run's SettleAbortedRun make up for it).
func (r *run) writeProgress(ctx context.Context, force bool) {
	now := r.p.now()
	if !force && now.Sub(r.progressAt) < progressEvery {
		return
	}
	r.progressAt = now
	rec := RunRecord{RunResult: r.res, InProgress: true, Owner: r.p.lockOwner()}
	rec.End = time.Time{}
	rec.Duration = now.Sub(r.res.Start)
	rec.LedgerCalls = r.p.ledger.Calls() - r.callsBefore
	rec.Orders, rec.Truncated = progressOutcomes(r.res)
	redactRecord(&rec)
	if err := state.Put(ctx, r.p.store, state.RunKey(r.p.profile, r.res.Start), rec); err != nil {
		r.p.log.Warn("recording the run's progress failed", "task", r.task, "error", err)
	}
}

// progressOrders caps the outcomes an in-progress run record carries.
const progressOrders = 100

// progressOutcomes returns the outcomes an in-progress record keeps: only the orders that need
// attention (failed, to be retried), at most progressOrders, without customer names. Booked
// orders are left out: they are in their OrderRecords, from which SettleAbortedRun counts them
// should the run be killed; so the record written every second stays small however long the
// run (rewriting every outcome each second would cost more the longer the backlog).
func progressOutcomes(res RunResult) ([]OrderOutcome, bool) {
	var out []OrderOutcome
	cut := res.Unlisted > 0
	for _, o := range res.Orders {
		if o.Status != StatusFailed && o.Status != StatusRetrying {
			cut = true
			continue
		}
		if len(out) >= progressOrders {
			return out, true
		}
		o.Warnings = append([]string(nil), o.Warnings...) // redacted below; the caller's stay whole
		redactOutcome(&o)
		out = append(out, o)
	}
	if out == nil {
		out = []OrderOutcome{}
	}
	return out, cut
}

// storedOutcomes returns the outcomes of res as a run record keeps them: at most MaxRunOrders,
// without customer names; the flag says some were left out.
func storedOutcomes(res RunResult) ([]OrderOutcome, bool) {
	in := res.Orders
	out := make([]OrderOutcome, 0, min(len(in), MaxRunOrders))
	for i, o := range in {
		if i >= MaxRunOrders {
			return out, true
		}
		o.Warnings = append([]string(nil), o.Warnings...) // redacted below; the caller's stay whole
		redactOutcome(&o)
		out = append(out, o)
	}
	return out, res.Unlisted > 0
}

// settleAbortedRuns closes the in-progress records of earlier runs under the import_orders lock,
// which this run now holds: their processes were killed. Each is marked aborted, with what it
// booked counted again from the order records (SettleAbortedRun). A failure is logged only.
func (r *run) settleAbortedRuns(ctx context.Context) {
	var open []RunRecord
	err := ListRunRecords(ctx, r.p.store, r.p.profile, 50, func(rec RunRecord) error {
		if rec.Unfinished() && slices.Contains(orderLockTasks, rec.Task) && !rec.Start.Equal(r.res.Start) {
			open = append(open, rec)
		}
		return nil
	})
	if err != nil {
		r.p.log.Warn("reading unfinished runs failed", "error", err)
		return
	}
	for _, rec := range open {
		settled, err := SettleAbortedRun(ctx, r.p.store, rec, r.res.Start)
		if err == nil {
			err = state.Put(ctx, r.p.store, state.RunKey(r.p.profile, rec.Start), settled)
		}
		if err != nil {
			r.p.log.Warn("closing the record of an aborted run failed", "start", rec.Start, "error", err)
			continue
		}
		r.p.log.Warn("an earlier run was aborted (its process ended without finishing)", "task", rec.Task,
			"start", rec.Start.Format(time.RFC3339), "imported", settled.Imported)
	}
}

// SettleAbortedRun returns rec, a run whose process ended without finishing it, as aborted: the
// orders recorded as done from its start until `until` (the start of the next run, or now) are
// counted as what it booked and added to its outcomes, since its progress record leaves booked
// orders out and its last progress write may have missed the last of them. Runs under one lock
// never overlap, so the orders of that window are the aborted run's.
func SettleAbortedRun(ctx context.Context, s *state.Store, rec RunRecord, until time.Time) (RunRecord, error) {
	known := map[string]bool{}
	for _, o := range rec.Orders {
		if o.Status == StatusImported || o.Status == StatusAdopted || o.Status == StatusAlreadyPresent {
			known[o.ShopID] = true
		}
	}
	var last time.Time
	imported, present := 0, 0
	err := ListOrderRecords(ctx, s, rec.Profile, func(or OrderRecord) error {
		if or.DoneAt.Before(rec.Start) || !or.DoneAt.Before(until) {
			return nil
		}
		if or.DoneAt.After(last) {
			last = or.DoneAt
		}
		if or.Status == StatusAlreadyPresent {
			present++
		} else {
			imported++
		}
		if known[or.ShopID] {
			return nil
		}
		out := OrderOutcome{ShopID: or.ShopID, ShopNumber: or.ShopNumber, Status: or.Status, LedgerOrderID: or.LedgerOrderID,
			LedgerNumber: or.LedgerNumber, CustomerCode: or.CustomerCode, Warnings: or.Warnings}
		total := or.TotalIncl
		out.TotalIncl = &total
		if len(rec.Orders) < MaxRunOrders {
			rec.Orders = append(rec.Orders, out)
		} else {
			rec.Truncated = true
		}
		return nil
	})
	if err != nil {
		return rec, fmt.Errorf("count what the aborted run of %s booked: %w", rec.Start.Format(time.RFC3339), err)
	}
	// The order records are the account of what the run booked; the progress counts may lag.
	rec.Imported, rec.AlreadyPresent = max(rec.Imported, imported), max(rec.AlreadyPresent, present)
	rec.Aborted = true
	rec.InProgress = false
	if last.After(rec.Start.Add(rec.Duration)) {
		rec.Duration = last.Sub(rec.Start)
	}
	return rec, nil
}

// markInProgress stores the in-progress record of a task run that started at start (the
// article and stock tasks when they start; import_orders_export_stock once its order part is
// done and the stock part begins), so a run whose process is killed shows as aborted. A failure
// is logged only: the run's final record is written either way.
func (p *Pipeline) markInProgress(ctx context.Context, start time.Time, tr TaskRun) {
	rec := TaskRunRecord{RunRecord: RunRecord{RunResult: tr.RunResult, InProgress: true, Owner: p.lockOwner()},
		Articles: tr.Articles, Stock: tr.Stock}
	rec.Profile, rec.Start, rec.End = p.profile, start, time.Time{}
	rec.Orders, rec.Truncated = progressOutcomes(tr.RunResult)
	if err := state.Put(ctx, p.store, state.RunKey(p.profile, start), rec); err != nil {
		p.log.Warn("recording the run's start failed", "task", tr.Task, "error", err)
	}
}

// BookedByRun reports whether a run of task books orders (so what an aborted one booked can be
// counted from the order records: SettleAbortedRun); the article and stock tasks do not.
func BookedByRun(task string) bool { return slices.Contains(orderLockTasks, task) }
