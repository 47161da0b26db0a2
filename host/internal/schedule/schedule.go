// Package schedule is koppel's scheduler (S-Connect's "Planning"): it runs the tasks of every
// profile at their interval (task "x" { every = "15m" next = "..." }).
//
// # Semantics
//
//   - A job runs when its next run time has come; next then advances by `every` past the
//     current time. Runs missed while the host was down (or while a run took longer than the
//     interval) run once, not once per missed interval.
//   - The next run time is persisted under schedule/<profile>/<task> when a run starts, so a
//     restart continues the schedule. A job whose `every` or `next` changed in the profile
//     starts afresh: at `next` when given (a past `next` runs at once, then advances), else now.
//   - One profile runs one task at a time (its tasks share the shop, the ledger and their rate
//     limits; the pipeline's state-store locks keep other processes out as well). A due task of
//     a busy profile runs when the profile is free.
//   - Different profiles run in parallel, at most Options.MaxParallel at once.
//   - RunNow starts a task at once ("nu uitvoeren"), scheduled or not, under the same rules: it
//     is refused with ErrBusy while the profile has a run in flight or MaxParallel runs are
//     going. A manual run of a scheduled task that is due counts as its scheduled run (next
//     advances); one that is not due yet leaves next alone. Go does the same for other work
//     of a profile (a retry of failed orders).
//   - Stop ends the scheduling loop; runs in flight go on until they return (the daemon asks
//     them to finish the order in flight first); Wait waits for them. After Stop, RunNow and
//     Go answer ErrStopped.
//
// The clock is injectable (Options.Clock) so tests drive the scheduler on a fake clock.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/host/internal/state"
)

// Clock is the scheduler's view of time.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// TimerAt returns a timer that fires once when the clock reaches t (at once when t is not
	// after Now). An absolute time keeps a fake clock's timers exact however it is advanced.
	TimerAt(t time.Time) Timer
}

// Timer is a one-shot timer.
type Timer interface {
	// C delivers the time when the timer fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
}

// SystemClock is the real clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) TimerAt(t time.Time) Timer {
	return sysTimer{time.NewTimer(max(time.Until(t), 0))}
}

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }
func (t sysTimer) Stop() bool          { return t.t.Stop() }

// Job is one scheduled task of one profile: a task block with `every`.
type Job struct {
	Profile string
	Task    string
	// Every is the interval; a job with Every <= 0 is not scheduled (on demand only).
	Every time.Duration
	// Next is the configured first run time; zero means now.
	Next time.Time
}

// Record is stored under schedule/<profile>/<task>.
type Record struct {
	Profile string `json:"profile"`
	Task    string `json:"task"`
	// Every and ConfiguredNext are the job's settings when Next was computed; when the profile
	// changes them, the schedule starts afresh.
	Every          time.Duration `json:"every"`
	ConfiguredNext time.Time     `json:"configured_next,omitzero"`
	// Next is the next run time.
	Next time.Time `json:"next"`
	// LastStart, LastEnd and LastError describe the last run; Runs counts runs started.
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	Runs      int       `json:"runs"`
}

// RunFunc runs one task of one profile. The scheduler records its error; it never retries.
type RunFunc func(ctx context.Context, profile, task string) error

// Options configure a Scheduler. Store and Run are required.
type Options struct {
	Store *state.Store
	Run   RunFunc
	// Clock defaults to SystemClock.
	Clock Clock
	// MaxParallel is how many profiles may run at once; 0 means 4.
	MaxParallel int
	// RunContext is the context runs get; cancelling it aborts runs in flight. Nil means a
	// context that is never cancelled (runs end by themselves).
	RunContext context.Context
	// Logger; nil discards.
	Logger hclog.Logger
}

// Status is the scheduler's view of one job, or of a task with a run in flight.
type Status struct {
	Record
	// Running is true while a run of the task is in flight; RunningSince is when it started.
	Running      bool      `json:"running"`
	RunningSince time.Time `json:"running_since,omitzero"`
}

// ErrBusy is matched (errors.Is) by the *BusyError RunNow and Go return when the profile has a
// run in flight or MaxParallel runs are going.
var ErrBusy = errors.New("schedule: busy")

// ErrStopped is returned by RunNow and Go once Stop was called.
var ErrStopped = errors.New("schedule: stopping, no new runs start")

// BusyError says why a run could not start now. It matches ErrBusy.
type BusyError struct {
	// Profile is the profile asked for; Running the task it is running ("" when the limit of
	// parallel runs was the reason).
	Profile, Running string
	// Since is when the running task started.
	Since time.Time
	// Limit is MaxParallel when that was the reason, else 0.
	Limit int
}

func (e *BusyError) Error() string {
	if e.Running != "" {
		return fmt.Sprintf("profile %s is running %s (since %s)", e.Profile, e.Running, e.Since.Format(time.RFC3339))
	}
	return fmt.Sprintf("%d runs are in flight, the most that may run at once", e.Limit)
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

type jobKey struct{ profile, task string }

type jobState struct {
	job     Job
	rec     Record
	running bool
}

// Scheduler runs jobs at their times. Its methods are safe for concurrent use.
type Scheduler struct {
	opts  Options
	clock Clock
	log   hclog.Logger

	mu       sync.Mutex
	jobs     map[jobKey]*jobState
	busy     map[string]bool      // profiles with a run in flight
	inflight map[jobKey]time.Time // every run in flight (scheduled or manual) and its start
	active   int
	stopped  bool
	wake     chan struct{}
	stopCh   chan struct{}
	wg       sync.WaitGroup
}

// New returns a Scheduler with no jobs; SetJobs gives it some, Run starts it.
func New(opts Options) *Scheduler {
	s := &Scheduler{opts: opts, clock: opts.Clock, log: opts.Logger, jobs: map[jobKey]*jobState{}, busy: map[string]bool{},
		inflight: map[jobKey]time.Time{}, wake: make(chan struct{}, 1), stopCh: make(chan struct{})}
	if s.clock == nil {
		s.clock = SystemClock()
	}
	if s.log == nil {
		s.log = hclog.NewNullLogger()
	}
	if s.opts.MaxParallel <= 0 {
		s.opts.MaxParallel = 4
	}
	if s.opts.RunContext == nil {
		s.opts.RunContext = context.Background()
	}
	return s
}

// SetJobs replaces the scheduled jobs (at start and on every reload). A job that is unchanged
// keeps its next run time (from memory, else from the state store); a new or changed job starts
// at its configured next, or now. Jobs that are gone are no longer started; a run of one that
// is in flight finishes.
func (s *Scheduler) SetJobs(ctx context.Context, jobs []Job) error {
	if s.opts.Store == nil || s.opts.Run == nil {
		return errors.New("schedule: Options.Store and Options.Run are required")
	}
	now := s.clock.Now()
	next := map[jobKey]*jobState{}
	var toStore []Record
	s.mu.Lock()
	for _, j := range jobs {
		if j.Every <= 0 {
			continue
		}
		k := jobKey{j.Profile, j.Task}
		if old, ok := s.jobs[k]; ok && old.job.Every == j.Every && old.job.Next.Equal(j.Next) {
			old.job = j
			next[k] = old
			continue
		}
		rec, ok, err := state.Get[Record](ctx, s.opts.Store, state.ScheduleKey(j.Profile, j.Task))
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("schedule: read the schedule of %s/%s: %w", j.Profile, j.Task, err)
		}
		if !ok || rec.Every != j.Every || !rec.ConfiguredNext.Equal(j.Next) || rec.Next.IsZero() {
			rec = Record{Profile: j.Profile, Task: j.Task, Every: j.Every, ConfiguredNext: j.Next, Next: j.Next,
				LastStart: rec.LastStart, LastEnd: rec.LastEnd, LastError: rec.LastError, Runs: rec.Runs}
			if rec.Next.IsZero() {
				rec.Next = now
			}
			toStore = append(toStore, rec)
		}
		st := &jobState{job: j, rec: rec}
		_, st.running = s.inflight[k]
		next[k] = st
	}
	s.jobs = next
	s.mu.Unlock()
	for _, rec := range toStore {
		if err := state.Put(ctx, s.opts.Store, state.ScheduleKey(rec.Profile, rec.Task), rec); err != nil {
			return fmt.Errorf("schedule: store the schedule of %s/%s: %w", rec.Profile, rec.Task, err)
		}
	}
	s.poke()
	return nil
}

// poke wakes the loop.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run schedules until ctx ends or Stop is called. Runs it started go on; see Wait.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		s.startDue()
		at, ok := s.nextDue()
		var timer Timer
		var fire <-chan time.Time
		if ok {
			timer = s.clock.TimerAt(at)
			fire = timer.C()
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			s.Stop()
			return nil
		case <-s.stopCh:
			if timer != nil {
				timer.Stop()
			}
			return nil
		case <-s.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// Stop ends scheduling: no run is started after it returns (one already being started when it
// is called still begins). Runs in flight go on; Wait waits for them.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		s.stopped = true
		close(s.stopCh)
	}
}

// Wait waits for the runs in flight.
func (s *Scheduler) Wait() { s.wg.Wait() }

// Running reports how many runs are in flight.
func (s *Scheduler) Running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// Jobs returns the status of every scheduled job, sorted by profile and task.
func (s *Scheduler) Jobs() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.jobs))
	for k, j := range s.jobs {
		since, running := s.inflight[k]
		out = append(out, Status{Record: j.rec, Running: running, RunningSince: since})
	}
	sortStatus(out)
	return out
}

// Status returns what the scheduler knows of profile's tasks, sorted by task: every scheduled
// job of the profile (with its record: next run, last start and end) and every task of it with a
// run in flight, scheduled or started by RunNow or Go (those without a job carry only Profile and
// Task). It never blocks on a run.
func (s *Scheduler) Status(profile string) []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Status
	for k, j := range s.jobs {
		if k.profile != profile {
			continue
		}
		since, running := s.inflight[k]
		out = append(out, Status{Record: j.rec, Running: running, RunningSince: since})
	}
	for k, since := range s.inflight {
		if _, ok := s.jobs[k]; ok || k.profile != profile {
			continue
		}
		out = append(out, Status{Record: Record{Profile: k.profile, Task: k.task}, Running: true, RunningSince: since})
	}
	sortStatus(out)
	return out
}

func sortStatus(out []Status) {
	sort.Slice(out, func(i, k int) bool {
		if out[i].Profile != out[k].Profile {
			return out[i].Profile < out[k].Profile
		}
		return out[i].Task < out[k].Task
	})
}

// RunNow starts task of profile at once with Options.Run, in the background, and returns a
// channel closed when the run has ended. The task need not be scheduled. It returns a
// *BusyError (errors.Is ErrBusy) while the profile has a run in flight or MaxParallel runs are
// going, and ErrStopped after Stop. Once RunNow has returned, Status reports the task as
// Running until the run ends. A scheduled task that is due counts this run as its scheduled
// one (next advances); otherwise next is left alone.
func (s *Scheduler) RunNow(profile, task string) (<-chan struct{}, error) {
	if s.opts.Run == nil {
		return nil, errors.New("schedule: Options.Run is required")
	}
	run := s.opts.Run
	return s.startManual(profile, task, func(ctx context.Context) error { return run(ctx, profile, task) })
}

// Go runs fn as work of profile named name (e.g. "retry"), in the background, under the same
// rules as RunNow: never beside another run of the profile, within MaxParallel, not after
// Stop, waited for by Wait. fn gets Options.RunContext and the profile and name. The returned
// channel is closed when fn has returned.
func (s *Scheduler) Go(profile, name string, fn RunFunc) (<-chan struct{}, error) {
	if fn == nil {
		return nil, errors.New("schedule: Go needs a function")
	}
	return s.startManual(profile, name, func(ctx context.Context) error { return fn(ctx, profile, name) })
}

// startManual starts fn as a run of profile/task now, or says why not.
func (s *Scheduler) startManual(profile, task string, fn func(context.Context) error) (<-chan struct{}, error) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil, ErrStopped
	}
	if s.busy[profile] {
		e := &BusyError{Profile: profile}
		for k, since := range s.inflight {
			if k.profile == profile {
				e.Running, e.Since = k.task, since
			}
		}
		s.mu.Unlock()
		return nil, e
	}
	if s.active >= s.opts.MaxParallel {
		s.mu.Unlock()
		return nil, &BusyError{Profile: profile, Limit: s.opts.MaxParallel}
	}
	k := jobKey{profile, task}
	now := s.clock.Now()
	j := s.jobs[k]
	var rec *Record
	if j != nil {
		j.running = true
		if !j.rec.Next.After(now) {
			j.rec.Next = advance(j.rec.Next, j.job.Every, now)
		}
		j.rec.LastStart = now
		j.rec.Runs++
		r := j.rec
		rec = &r
	}
	s.busy[profile] = true
	s.inflight[k] = now
	s.active++
	done := make(chan struct{})
	s.wg.Add(1)
	s.mu.Unlock()
	// The start is stored before the run begins, so the record of its end comes after it.
	if rec != nil {
		s.store(*rec)
	}
	go s.runJob(k, j, fn, done)
	s.poke() // the loop's next due time may have moved
	return done, nil
}

// nextDue is when the earliest idle job is due; false when there is none.
func (s *Scheduler) nextDue() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best time.Time
	for _, j := range s.jobs {
		if j.running || s.busy[j.job.Profile] {
			continue // its end wakes the loop
		}
		if best.IsZero() || j.rec.Next.Before(best) {
			best = j.rec.Next
		}
	}
	return best, !best.IsZero()
}

// advance returns the first time after now on the grid next + k*every (k >= 1).
func advance(next time.Time, every time.Duration, now time.Time) time.Time {
	if every <= 0 {
		return time.Time{}
	}
	if next.After(now) {
		return next.Add(every)
	}
	k := now.Sub(next)/every + 1
	return next.Add(k * every)
}

// startDue starts every due job whose profile is free, within MaxParallel.
func (s *Scheduler) startDue() {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	now := s.clock.Now()
	var due []*jobState
	for _, j := range s.jobs {
		if !j.running && !j.rec.Next.After(now) {
			due = append(due, j)
		}
	}
	sort.Slice(due, func(i, k int) bool {
		if !due[i].rec.Next.Equal(due[k].rec.Next) {
			return due[i].rec.Next.Before(due[k].rec.Next)
		}
		if due[i].job.Profile != due[k].job.Profile {
			return due[i].job.Profile < due[k].job.Profile
		}
		return due[i].job.Task < due[k].job.Task
	})
	type launch struct {
		k   jobKey
		j   *jobState
		rec Record
	}
	var started []launch
	for _, j := range due {
		if s.active >= s.opts.MaxParallel {
			break
		}
		if s.busy[j.job.Profile] {
			continue
		}
		k := jobKey{j.job.Profile, j.job.Task}
		j.running = true
		s.busy[k.profile] = true
		s.inflight[k] = now
		s.active++
		j.rec.Next = advance(j.rec.Next, j.job.Every, now)
		j.rec.LastStart = now
		j.rec.Runs++
		started = append(started, launch{k, j, j.rec})
		s.wg.Add(1)
	}
	s.mu.Unlock()
	// Each start is stored before its run begins, so the record of its end comes after it.
	run := s.opts.Run
	for _, l := range started {
		s.store(l.rec)
		k := l.k
		go s.runJob(k, l.j, func(ctx context.Context) error { return run(ctx, k.profile, k.task) }, nil)
	}
}

func (s *Scheduler) store(rec Record) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := state.Put(ctx, s.opts.Store, state.ScheduleKey(rec.Profile, rec.Task), rec); err != nil {
		s.log.Error("storing the schedule failed", "profile", rec.Profile, "task", rec.Task, "error", err)
	}
}

// runJob runs fn as the run of k; j is the scheduled job of k, nil for a task run on demand.
// done, when not nil, is closed at the end.
func (s *Scheduler) runJob(k jobKey, j *jobState, fn func(context.Context) error, done chan struct{}) {
	defer s.wg.Done()
	if done != nil {
		defer close(done)
	}
	s.log.Info("task started", "profile", k.profile, "task", k.task)
	err := s.safeRun(k, fn)
	end := s.clock.Now()
	s.mu.Lock()
	s.busy[k.profile] = false
	delete(s.inflight, k)
	s.active--
	if cur := s.jobs[k]; cur != nil {
		cur.running = false // the job may have been replaced by a reload during the run
	}
	var rec Record
	current := false
	if j != nil {
		j.running = false
		j.rec.LastEnd = end
		j.rec.LastError = ""
		if err != nil {
			j.rec.LastError = err.Error()
		}
		rec = j.rec
		current = s.jobs[k] == j
	}
	s.mu.Unlock()
	if current {
		s.store(rec)
	}
	if err != nil {
		s.log.Warn("task failed", "profile", k.profile, "task", k.task, "error", err)
	} else {
		s.log.Info("task finished", "profile", k.profile, "task", k.task)
	}
	s.poke()
}

// safeRun calls fn, turning a panic of a run into an error so one broken run cannot stop the
// daemon.
func (s *Scheduler) safeRun(k jobKey, fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("task %s of profile %s panicked: %v", k.task, k.profile, r)
		}
	}()
	return fn(s.opts.RunContext)
}
