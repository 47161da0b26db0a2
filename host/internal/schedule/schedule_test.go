package schedule

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
)

// fakeClock is a manual clock: time moves only by Advance, which fires the timers due.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c     chan time.Time
	at    time.Time
	clock *fakeClock
	done  bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) TimerAt(t time.Time) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	ft := &fakeTimer{c: make(chan time.Time, 1), at: t, clock: c}
	if !t.After(c.now) {
		ft.done = true
		ft.c <- c.now
		return ft
	}
	c.timers = append(c.timers, ft)
	return ft
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }
func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		if t.done {
			continue
		}
		if !t.at.After(c.now) {
			t.done = true
			t.c <- c.now
			continue
		}
		keep = append(keep, t)
	}
	c.timers = keep
}

var t0 = time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)

// runner records runs; a run blocks while its task's gate is closed.
type runner struct {
	clock   *fakeClock
	started chan string
	mu      sync.Mutex
	gates   map[string]chan struct{}
	active  int
	peak    int
}

func newRunner(c *fakeClock) *runner {
	return &runner{clock: c, started: make(chan string, 100), gates: map[string]chan struct{}{}}
}

// block makes runs of profile/task wait until release.
func (r *runner) block(profile, task string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gates[profile+"/"+task] = make(chan struct{})
}

func (r *runner) release(profile, task string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g, ok := r.gates[profile+"/"+task]; ok {
		close(g)
		delete(r.gates, profile+"/"+task)
	}
}

func (r *runner) run(ctx context.Context, profile, task string) error {
	r.mu.Lock()
	g := r.gates[profile+"/"+task]
	r.active++
	r.peak = max(r.peak, r.active)
	r.mu.Unlock()
	r.started <- fmt.Sprintf("%s/%s@%s", profile, task, r.clock.Now().Format("15:04"))
	if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
		}
	}
	r.mu.Lock()
	r.active--
	r.mu.Unlock()
	return nil
}

// expect waits for the next run and checks its name and time.
func (r *runner) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-r.started:
		if got != want {
			t.Fatalf("run %q, want %q", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no run, want %q", want)
	}
}

// expectSet waits for runs in any order.
func (r *runner) expectSet(t *testing.T, want ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, w := range want {
		left[w] = true
	}
	for range want {
		select {
		case got := <-r.started:
			if !left[got] {
				t.Fatalf("run %q, want one of %v", got, left)
			}
			delete(left, got)
		case <-time.After(30 * time.Second):
			t.Fatalf("no run, want %v", left)
		}
	}
}

// none checks that no run starts for a moment.
func (r *runner) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-r.started:
		t.Fatalf("unexpected run %q", got)
	case <-time.After(80 * time.Millisecond):
	}
}

func openStore(t *testing.T) *state.Store {
	t.Helper()
	st, err := state.Open(context.Background(), "", state.Options{InMemory: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// start runs a scheduler over jobs until the test ends.
func start(t *testing.T, st *state.Store, c *fakeClock, r *runner, maxPar int, jobs ...Job) *Scheduler {
	t.Helper()
	s := New(Options{Store: st, Run: r.run, Clock: c, MaxParallel: maxPar})
	if err := s.SetJobs(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		r.mu.Lock()
		for k, g := range r.gates {
			close(g)
			delete(r.gates, k)
		}
		r.mu.Unlock()
		s.Wait()
	})
	return s
}

func record(t *testing.T, st *state.Store, profile, task string) Record {
	t.Helper()
	rec, ok, err := state.Get[Record](context.Background(), st, state.ScheduleKey(profile, task))
	if err != nil || !ok {
		t.Fatalf("schedule record %s/%s: %v %v", profile, task, ok, err)
	}
	return rec
}

// settle waits until no run is in flight.
func settle(t *testing.T, s *Scheduler) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Running() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("runs did not finish")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestIntervalRunsNowThenEveryInterval(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	s := start(t, st, c, r, 0, Job{Profile: "a", Task: "import_orders", Every: 15 * time.Minute})
	r.expect(t, "a/import_orders@06:00")
	settle(t, s)
	c.Advance(14 * time.Minute)
	r.none(t)
	c.Advance(time.Minute)
	r.expect(t, "a/import_orders@06:15")
	settle(t, s)
	if rec := record(t, st, "a", "import_orders"); !rec.Next.Equal(t0.Add(30*time.Minute)) || rec.Runs != 2 {
		t.Fatalf("record after two runs: next %s runs %d", rec.Next, rec.Runs)
	}
	// A job without every is on demand only: never scheduled.
	if err := s.SetJobs(context.Background(), []Job{{Profile: "a", Task: "import_orders", Every: 15 * time.Minute}, {Profile: "a", Task: "export_stock"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Jobs()); n != 1 {
		t.Fatalf("jobs = %d, want 1 (export_stock has no every)", n)
	}
}

func TestNextIsTheFirstRunTime(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	s := start(t, st, c, r, 0, Job{Profile: "a", Task: "import_orders_export_stock", Every: time.Hour, Next: t0.Add(2 * time.Hour)})
	r.none(t)
	c.Advance(119 * time.Minute)
	r.none(t)
	c.Advance(time.Minute)
	r.expect(t, "a/import_orders_export_stock@08:00")
	settle(t, s)
	if rec := record(t, st, "a", "import_orders_export_stock"); !rec.Next.Equal(t0.Add(3 * time.Hour)) {
		t.Fatalf("next after the first run = %s, want 09:00", rec.Next)
	}
}

func TestMissedRunsRunOnce(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	// The host was down for five hours: five runs were missed.
	job := Job{Profile: "a", Task: "import_orders", Every: time.Hour}
	if err := state.Put(context.Background(), st, state.ScheduleKey("a", "import_orders"),
		Record{Profile: "a", Task: "import_orders", Every: time.Hour, Next: t0.Add(-5*time.Hour + 10*time.Minute), Runs: 7}); err != nil {
		t.Fatal(err)
	}
	s := start(t, st, c, r, 0, job)
	r.expect(t, "a/import_orders@06:00")
	r.none(t)
	settle(t, s)
	rec := record(t, st, "a", "import_orders")
	// The grid of the old schedule is kept: 01:10 + k hours, the first after 06:00.
	if !rec.Next.Equal(t0.Add(10*time.Minute)) || rec.Runs != 8 {
		t.Fatalf("after the missed runs: next %s runs %d", rec.Next.Format(time.RFC3339), rec.Runs)
	}
}

func TestNoOverlapWithinAProfile(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	r.block("a", "import_orders")
	s := start(t, st, c, r, 0,
		Job{Profile: "a", Task: "import_orders", Every: time.Minute},
		Job{Profile: "a", Task: "import_articles", Every: time.Hour, Next: t0.Add(30 * time.Second)})
	r.expect(t, "a/import_orders@06:00")
	// Ten intervals pass while the run hangs: neither another import_orders nor the profile's
	// other task starts.
	for i := 0; i < 10; i++ {
		c.Advance(time.Minute)
	}
	r.none(t)
	r.release("a", "import_orders")
	// Then the waiting task runs, and import_orders runs once for all its missed intervals.
	r.expectSet(t, "a/import_articles@06:10", "a/import_orders@06:10")
	r.none(t)
	settle(t, s)
	if r.peak != 1 {
		t.Fatalf("%d runs of one profile at once", r.peak)
	}
}

func TestProfilesInParallelUpToTheLimit(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	for _, p := range []string{"a", "b", "c"} {
		r.block(p, "export_stock")
	}
	s := start(t, st, c, r, 2,
		Job{Profile: "a", Task: "export_stock", Every: time.Hour},
		Job{Profile: "b", Task: "export_stock", Every: time.Hour},
		Job{Profile: "c", Task: "export_stock", Every: time.Hour})
	r.expectSet(t, "a/export_stock@06:00", "b/export_stock@06:00")
	r.none(t)
	if s.Running() != 2 {
		t.Fatalf("running = %d, want 2", s.Running())
	}
	r.release("a", "export_stock")
	r.expect(t, "c/export_stock@06:00")
	r.release("b", "export_stock")
	r.release("c", "export_stock")
	settle(t, s)
	if r.peak != 2 {
		t.Fatalf("peak parallel runs %d, want 2", r.peak)
	}
}

func TestScheduleSurvivesRestart(t *testing.T) {
	c := &fakeClock{now: t0}
	st := openStore(t)
	job := Job{Profile: "a", Task: "import_articles", Every: 24 * time.Hour}
	r1 := newRunner(c)
	s1 := New(Options{Store: st, Run: r1.run, Clock: c})
	if err := s1.SetJobs(context.Background(), []Job{job}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s1.Run(ctx); close(done) }()
	r1.expect(t, "a/import_articles@06:00")
	settle(t, s1)
	cancel()
	<-done
	s1.Wait()

	// The host restarts three hours later: the daily run is not repeated.
	c.Advance(3 * time.Hour)
	r2 := newRunner(c)
	s2 := start(t, st, c, r2, 0, job)
	r2.none(t)
	if jobs := s2.Jobs(); len(jobs) != 1 || !jobs[0].Next.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("after restart: %+v", jobs)
	}
	c.Advance(21 * time.Hour)
	r2.expect(t, "a/import_articles@06:00")

	// Changing the interval in the profile starts the schedule afresh.
	settle(t, s2)
	if err := s2.SetJobs(context.Background(), []Job{{Profile: "a", Task: "import_articles", Every: 12 * time.Hour, Next: c.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	r2.none(t)
	c.Advance(time.Hour)
	r2.expect(t, "a/import_articles@07:00")
}

func TestStopStartsNothingNew(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	r.block("a", "import_orders")
	s := start(t, st, c, r, 0, Job{Profile: "a", Task: "import_orders", Every: time.Minute},
		Job{Profile: "b", Task: "import_orders", Every: time.Minute, Next: t0.Add(time.Hour)})
	r.expect(t, "a/import_orders@06:00")
	s.Stop()
	c.Advance(2 * time.Hour)
	r.none(t)
	if s.Running() != 1 {
		t.Fatalf("the run in flight must go on after Stop")
	}
	r.release("a", "import_orders")
	s.Wait()
	if s.Running() != 0 {
		t.Fatal("Wait returned with a run in flight")
	}
}

func TestAdvance(t *testing.T) {
	cases := []struct {
		next, now time.Time
		every     time.Duration
		want      time.Time
	}{
		{t0, t0, time.Hour, t0.Add(time.Hour)},
		{t0, t0.Add(59 * time.Minute), time.Hour, t0.Add(time.Hour)},
		{t0, t0.Add(time.Hour), time.Hour, t0.Add(2 * time.Hour)},
		{t0, t0.Add(100 * time.Hour), time.Hour, t0.Add(101 * time.Hour)},
		{t0, t0, 0, time.Time{}},
	}
	for _, c := range cases {
		if got := advance(c.next, c.every, c.now); !got.Equal(c.want) {
			t.Errorf("advance(%s, %s, %s) = %s, want %s", c.next, c.every, c.now, got, c.want)
		}
	}
}

// wait waits for a done channel of RunNow or Go.
func waitDone(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not end")
	}
}

func TestRunNowStartsAtOnceUnderTheNoOverlapRule(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	s := start(t, st, c, r, 0, Job{Profile: "a", Task: "import_orders", Every: time.Hour, Next: t0.Add(30 * time.Minute)})
	r.none(t)

	// An on-demand task (no job): Running as soon as RunNow returns, and a second run of the
	// profile is refused while it goes.
	r.block("a", "export_stock")
	done, err := s.RunNow("a", "export_stock")
	if err != nil {
		t.Fatal(err)
	}
	st1 := s.Status("a")
	if len(st1) != 2 || st1[0].Task != "export_stock" || !st1[0].Running || !st1[0].RunningSince.Equal(t0) ||
		st1[1].Task != "import_orders" || st1[1].Running || !st1[1].Next.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("status while export_stock runs: %+v", st1)
	}
	r.expect(t, "a/export_stock@06:00")
	for _, task := range []string{"import_orders", "export_stock"} {
		_, err := s.RunNow("a", task)
		var be *BusyError
		if !errors.Is(err, ErrBusy) || !errors.As(err, &be) || be.Running != "export_stock" {
			t.Fatalf("RunNow(%s) while the profile runs: %v", task, err)
		}
	}
	if _, err := s.Go("a", "retry", func(context.Context, string, string) error { return nil }); !errors.Is(err, ErrBusy) {
		t.Fatalf("Go while the profile runs: %v", err)
	}
	// The scheduled run that comes due meanwhile waits for the profile.
	c.Advance(30 * time.Minute)
	r.none(t)
	r.release("a", "export_stock")
	waitDone(t, done)
	r.expect(t, "a/import_orders@06:30")
	settle(t, s)
	if got := s.Status("a"); len(got) != 1 || got[0].Task != "import_orders" || got[0].Running {
		t.Fatalf("status after the runs: %+v", got)
	}

	// A manual run of a scheduled task that is not due leaves next alone.
	next := record(t, st, "a", "import_orders").Next
	done, err = s.RunNow("a", "import_orders")
	if err != nil {
		t.Fatal(err)
	}
	r.expect(t, "a/import_orders@06:30")
	waitDone(t, done)
	settle(t, s)
	if rec := record(t, st, "a", "import_orders"); !rec.Next.Equal(next) || rec.Runs != 2 || rec.LastEnd.IsZero() {
		t.Fatalf("after a manual run that was not due: %+v (next was %s)", rec, next)
	}
	if r.peak != 1 {
		t.Fatalf("%d runs of one profile at once", r.peak)
	}
}

func TestRunNowOfADueTaskCountsAsTheScheduledRun(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	// SetJobs without Run: the job is due now, RunNow runs it before the loop does.
	s := New(Options{Store: st, Run: r.run, Clock: c})
	if err := s.SetJobs(context.Background(), []Job{{Profile: "a", Task: "import_articles", Every: 24 * time.Hour}}); err != nil {
		t.Fatal(err)
	}
	done, err := s.RunNow("a", "import_articles")
	if err != nil {
		t.Fatal(err)
	}
	r.expect(t, "a/import_articles@06:00")
	waitDone(t, done)
	ctx, cancel := context.WithCancel(context.Background())
	loop := make(chan struct{})
	go func() { s.Run(ctx); close(loop) }()
	defer func() { cancel(); <-loop; s.Wait() }()
	r.none(t) // not once more: the manual run was the due run
	if rec := record(t, st, "a", "import_articles"); !rec.Next.Equal(t0.Add(24*time.Hour)) || rec.Runs != 1 {
		t.Fatalf("record: %+v", rec)
	}
}

func TestRunNowLimitsAndStop(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	s := start(t, st, c, r, 1)
	r.block("a", "import_orders")
	if _, err := s.RunNow("a", "import_orders"); err != nil {
		t.Fatal(err)
	}
	r.expect(t, "a/import_orders@06:00")
	// Another profile is refused at MaxParallel 1.
	_, err := s.RunNow("b", "import_orders")
	var be *BusyError
	if !errors.As(err, &be) || be.Limit != 1 || be.Running != "" {
		t.Fatalf("RunNow beyond MaxParallel: %v", err)
	}
	// Go's work runs after the slot is free, and its panic is an error, not a crash.
	r.release("a", "import_orders")
	settle(t, s)
	var got []string
	done, err := s.Go("b", "retry", func(_ context.Context, p, name string) error {
		got = append(got, p+"/"+name)
		panic("boom")
	})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, done)
	if len(got) != 1 || got[0] != "b/retry" {
		t.Fatalf("Go ran %v", got)
	}
	settle(t, s)
	s.Stop()
	if _, err := s.RunNow("a", "import_orders"); !errors.Is(err, ErrStopped) {
		t.Fatalf("RunNow after Stop: %v", err)
	}
	if _, err := s.Go("a", "retry", func(context.Context, string, string) error { return nil }); !errors.Is(err, ErrStopped) {
		t.Fatalf("Go after Stop: %v", err)
	}
}

// TestReloadDuringARunKeepsRunningTrue: a job replaced by SetJobs while it runs is reported
// running until the run ends, and not after.
func TestReloadDuringARun(t *testing.T) {
	c := &fakeClock{now: t0}
	r := newRunner(c)
	st := openStore(t)
	r.block("a", "import_orders")
	s := start(t, st, c, r, 0, Job{Profile: "a", Task: "import_orders", Every: time.Hour})
	r.expect(t, "a/import_orders@06:00")
	if err := s.SetJobs(context.Background(), []Job{{Profile: "a", Task: "import_orders", Every: 2 * time.Hour}}); err != nil {
		t.Fatal(err)
	}
	if j := s.Jobs(); len(j) != 1 || !j[0].Running {
		t.Fatalf("after a reload during the run: %+v", j)
	}
	r.release("a", "import_orders")
	settle(t, s)
	if j := s.Jobs(); len(j) != 1 || j[0].Running {
		t.Fatalf("after the run: %+v", j)
	}
	// The changed job starts afresh (now), after the run in flight ended.
	r.expect(t, "a/import_orders@06:00")
}
