package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/schedule"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// This file connects the daemon to the dashboard (package serve): the serve.Scheduler and
// serve.Retrier adapters over the scheduler, the last run of every task kept in memory, and the
// counting of shop calls for /metrics.

// taskKey names a task (or "retry") of a profile.
type taskKey struct{ profile, task string }

// lastRun is the last finished run of a task since the daemon started, as the pipeline returned
// it: with the customer names, which are only kept in memory.
type lastRun struct {
	tr  pipeline.TaskRun
	err error
}

// countingShop counts the calls the pipeline makes to the shop connector (a listing is one
// call however many pages the plugin reads), for koppel_shop_calls_total.
type countingShop struct {
	sdk.Shop
	calls atomic.Int64
}

func (c *countingShop) Check(ctx context.Context) (sdk.CheckResult, error) {
	c.calls.Add(1)
	return c.Shop.Check(ctx)
}

func (c *countingShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	c.calls.Add(1)
	return c.Shop.ListOrders(ctx, q, yield)
}

func (c *countingShop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	c.calls.Add(1)
	return c.Shop.ListProducts(ctx, q, yield)
}

func (c *countingShop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	c.calls.Add(1)
	return c.Shop.FindProducts(ctx, skus)
}

func (c *countingShop) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	c.calls.Add(1)
	return c.Shop.WriteStock(ctx, levels)
}

// profiles returns the running profiles (the set the last successful reload made), for the
// dashboard.
func (d *daemon) profiles() []*config.Profile {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*config.Profile(nil), d.profs...)
}

// profileNamed returns the running profile named name, or nil.
func (d *daemon) profileNamed(name string) *config.Profile {
	for _, p := range d.profiles() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// runAndRecord runs fn on the profile's current pipeline and then prints the run's summary
// line, counts it in the metrics and keeps it as the task's last run. The scheduler makes sure
// a profile runs one thing at a time, so the shop calls counted meanwhile are this run's.
func (d *daemon) runAndRecord(profile, task string, fn func(*pipeline.Pipeline) (pipeline.TaskRun, error)) (pipeline.TaskRun, error) {
	d.mu.Lock()
	p, shop := d.pipes[profile], d.shops[profile]
	d.mu.Unlock()
	var (
		tr        pipeline.TaskRun
		err       error
		shopCalls int64
	)
	if p == nil || shop == nil {
		err = fmt.Errorf("profile %s is no longer configured", profile)
	} else {
		before := shop.calls.Load()
		tr, err = fn(p)
		shopCalls = shop.calls.Load() - before
	}
	if tr.Profile == "" {
		tr.Profile = profile
	}
	if tr.Task == "" {
		tr.Task = task
	}
	if tr.End.IsZero() { // the run did not start (its lock was held, the profile is gone)
		tr.End = time.Now()
		if tr.Start.IsZero() {
			tr.Start = tr.End
		}
	}
	d.metrics.ObserveRun(profile, task, tr, err, shopCalls)
	d.runsMu.Lock()
	d.runs[taskKey{profile, task}] = lastRun{tr: tr, err: err}
	d.runsMu.Unlock()
	d.printf("%s %s\n", time.Now().Format(time.RFC3339), summaryLine(tr, err))
	d.notifyAfterRun(profile, task, tr, err)
	return tr, err
}

// lastRunOf returns the last run of a task since the daemon started.
func (d *daemon) lastRunOf(profile, task string) (lastRun, bool) {
	d.runsMu.Lock()
	defer d.runsMu.Unlock()
	r, ok := d.runs[taskKey{profile, task}]
	return r, ok
}

// locksOf names the state-store locks a task takes (see the pipeline).
func locksOf(task string) []string {
	switch task {
	case pipeline.TaskImportOrdersExportStock:
		return []string{pipeline.TaskImportOrders, pipeline.TaskExportStock}
	case pipeline.TaskRetry:
		return []string{pipeline.TaskImportOrders}
	}
	return []string{task}
}

// lockedElsewhere returns an error matching serve.ErrBusy when another koppel process (a
// `koppel sync`, a second host) holds a lock the task needs, so the dashboard can say so at once
// instead of recording a run that fails. The pipeline's own locking stays the real guard.
func (d *daemon) lockedElsewhere(ctx context.Context, profile, task string) error {
	now := time.Now()
	for _, l := range locksOf(task) {
		info, ok, err := state.Get[state.LockInfo](ctx, d.store, state.LockKey(profile, l))
		if err != nil {
			return fmt.Errorf("read the lock of %s/%s: %w", profile, l, err)
		}
		if ok && now.Before(info.ExpiresAt) {
			return fmt.Errorf("%w: %s of profile %s is locked by %s since %s", serve.ErrBusy, l, profile, info.Owner, info.Since.Format(time.RFC3339))
		}
	}
	return nil
}

// busyError maps the scheduler's refusals to the errors serve answers 409 to.
func busyError(err error) error {
	switch {
	case errors.Is(err, schedule.ErrBusy):
		return fmt.Errorf("%w: %v", serve.ErrBusy, err)
	case errors.Is(err, schedule.ErrStopped):
		return fmt.Errorf("%w: koppel is stopping", serve.ErrBusy)
	}
	return err
}

// dashScheduler is the daemon's scheduler as the dashboard sees it.
type dashScheduler struct{ d *daemon }

// RunNow starts task of profile in the background under the scheduler's rules (never beside
// another run of the profile, within --max-parallel); see serve.Scheduler.
func (s dashScheduler) RunNow(ctx context.Context, profile, task string) (string, error) {
	d := s.d
	if d.pipelineOf(profile) == nil {
		return "", fmt.Errorf("profile %q: %w", profile, serve.ErrNotFound)
	}
	if !config.ValidTaskName(task) {
		return "", fmt.Errorf("task %q: %w", task, serve.ErrNotFound)
	}
	if err := d.lockedElsewhere(ctx, profile, task); err != nil {
		return "", err
	}
	if _, err := d.sched.RunNow(profile, task); err != nil {
		return "", busyError(err)
	}
	id := fmt.Sprintf("%s/%s/%d", profile, task, d.runSeq.Add(1))
	// Actions are logged whatever the log level: on stdout, beside the run summaries.
	d.printf("%s %s %s: started from the dashboard or API (run %s)\n", time.Now().Format(time.RFC3339), profile, task, id)
	return id, nil
}

// Status reports the tasks of profile: its task blocks in the profile's order (also those
// without every, which run on demand), then tasks run on demand since the daemon started, each
// with its interval, next run, whether it runs and its last run kept in memory.
func (s dashScheduler) Status(profile string) []serve.TaskStatus {
	d := s.d
	p := d.profileNamed(profile)
	if p == nil {
		return nil
	}
	sched := map[string]schedule.Status{}
	for _, st := range d.sched.Status(profile) {
		sched[st.Task] = st
	}
	var order []string
	seen := map[string]bool{}
	add := func(task string) {
		if !seen[task] && config.ValidTaskName(task) {
			seen[task] = true
			order = append(order, task)
		}
	}
	every := map[string]time.Duration{}
	for _, t := range p.Tasks {
		add(string(t.Name))
		every[string(t.Name)] = t.Every
	}
	for _, t := range config.TaskNames {
		if _, ok := sched[string(t)]; ok {
			add(string(t))
		} else if _, ok := d.lastRunOf(profile, string(t)); ok {
			add(string(t))
		}
	}
	out := make([]serve.TaskStatus, 0, len(order))
	for _, task := range order {
		ts := serve.TaskStatus{Task: task, Every: every[task]}
		if st, ok := sched[task]; ok {
			if st.Every > 0 {
				ts.Every, ts.Next = st.Every, st.Next
			}
			ts.Running, ts.RunningSince = st.Running, st.RunningSince
		}
		if r, ok := d.lastRunOf(profile, task); ok {
			ts.Last = serve.Summarize(r.tr, r.err)
		}
		out = append(out, ts)
	}
	return out
}

// dashRetrier re-runs failed orders for the dashboard's "Opnieuw".
type dashRetrier struct{ d *daemon }

// Retry starts Pipeline.Retry of shopIDs in the background, as a run of the profile under the
// scheduler's rules; see serve.Retrier.
func (r dashRetrier) Retry(ctx context.Context, profile string, shopIDs []string) error {
	d := r.d
	if d.pipelineOf(profile) == nil {
		return fmt.Errorf("profile %q: %w", profile, serve.ErrNotFound)
	}
	if err := d.lockedElsewhere(ctx, profile, pipeline.TaskRetry); err != nil {
		return err
	}
	ids := append([]string(nil), shopIDs...)
	_, err := d.sched.Go(profile, pipeline.TaskRetry, func(ctx context.Context, profile, task string) error {
		_, err := d.runAndRecord(profile, task, func(p *pipeline.Pipeline) (pipeline.TaskRun, error) {
			res, err := p.Retry(ctx, ids)
			return pipeline.TaskRun{RunResult: res}, err
		})
		return err
	})
	if err != nil {
		return busyError(err)
	}
	d.printf("%s %s retry of order(s) %s: started from the dashboard or API\n", time.Now().Format(time.RFC3339), profile, strings.Join(ids, ", "))
	return nil
}

// dashPlanner makes the dashboard's previews ("Voorbeeld") with the profile's pipeline.
type dashPlanner struct{ d *daemon }

// Plan previews task of profile; see serve.Planner. It takes no task lock: a preview writes
// nothing, so it may run beside the profile's own runs.
func (p dashPlanner) Plan(ctx context.Context, profile, task string, opts pipeline.PlanOptions) (pipeline.PlanReport, error) {
	pipe := p.d.pipelineOf(profile)
	if pipe == nil {
		return pipeline.PlanReport{}, fmt.Errorf("profile %q: %w", profile, serve.ErrNotFound)
	}
	return pipe.Plan(ctx, task, opts)
}
