package httpclient

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// maxInWindow returns the largest number of times falling in any half-open window [t, t+w).
func maxInWindow(times []time.Time, w time.Duration) int {
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		if n := i - j + 1; n > best {
			best = n
		}
	}
	return best
}

// maxInClosedWindow is maxInWindow for closed windows [t, t+w].
func maxInClosedWindow(times []time.Time, w time.Duration) int {
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) > w {
			j++
		}
		if n := i - j + 1; n > best {
			best = n
		}
	}
	return best
}

// TestLimiterParamsFakeClock drives the real limiter parameters with a fake clock: a greedy
// caller takes every token as soon as it exists, for ten minutes, and no 60 s window (closed)
// may hold more than the limit, while the sustained rate stays at least 85% of it.
func TestLimiterParamsFakeClock(t *testing.T) {
	for _, perMin := range []int{1, 2, 5, 60, 100, 120, 500} {
		r, b := limiterParams(perMin, time.Minute)
		lim := rate.NewLimiter(r, b)
		now := time.Unix(1_700_000_000, 0)
		end := now.Add(10 * time.Minute)
		var starts []time.Time
		for now.Before(end) {
			res := lim.ReserveN(now, 1)
			if !res.OK() {
				t.Fatalf("%d/min: reservation refused", perMin)
			}
			now = now.Add(res.DelayFrom(now))
			starts = append(starts, now)
		}
		limit := perMin
		got := maxInWindow(starts, time.Minute)
		if got > limit {
			t.Errorf("%d/min: %d starts in one half-open minute", perMin, got)
		}
		if perMin > 1 {
			if got := maxInClosedWindow(starts, time.Minute); got > limit {
				t.Errorf("%d/min: %d starts in one closed minute", perMin, got)
			}
		}
		if sustained := float64(len(starts)) / 10; sustained < 0.85*float64(perMin) && perMin >= 10 {
			t.Errorf("%d/min: sustained only %.1f/min", perMin, sustained)
		}
	}
}

// startRecorder records when each attempt starts, as the transport sees it.
type startRecorder struct {
	mu     sync.Mutex
	starts []time.Time
	next   http.RoundTripper
}

func (s *startRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.starts = append(s.starts, time.Now())
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

// TestRateLimitSlidingWindowReal runs the client for real against a server with the limit
// scaled to a short window (40 per 500 ms, i.e. the proportions of 4800/min) and many
// goroutines, and checks the recorded starts: that every attempt goes through the limiter,
// with the window it was given. (TestLimiterParamsFakeClock proves the exact bound.)
//
// The limiter grants start times; the transport sees a start a little later, when the
// goroutine runs again, and on a loaded machine a process that was not scheduled for a while
// sends the starts it owes together. So the window checked is shortened by the slack: starts
// seen in any window of 500 ms - slack were granted within 500 ms as long as none came later
// than the slack. The slack is 50 ms plus the longest stall a canary goroutine saw during the
// measurement (it sleeps 2 ms at a time and notes how late it wakes). A measurement whose
// stalls leave less than a 250 ms window, or that fails, is repeated: load comes and goes, a
// limiter that lets too many through fails every time (a burst of the full limit, the classic
// mistake, puts at least 40 + 36·0.5 in a 250 ms window).
func TestRateLimitSlidingWindowReal(t *testing.T) {
	const attempts = 3
	var problems []string
	for a := 1; a <= attempts; a++ {
		problems = measureSlidingWindow(t)
		if len(problems) == 0 {
			return
		}
		t.Logf("measurement %d of %d: %s", a, attempts, strings.Join(problems, "; "))
	}
	t.Errorf("the rate limit was off in all %d measurements: %s", attempts, strings.Join(problems, "; "))
}

// measureSlidingWindow sends 110 requests from 16 goroutines through a client limited to 40
// per 500 ms and returns what was wrong with the starts and the duration.
func measureSlidingWindow(t *testing.T) []string {
	const perWindow, window, total = 40, 500 * time.Millisecond, 110
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {})
	var stall atomic.Int64 // the longest stall the canary saw, in nanoseconds
	canaryDone := make(chan struct{})
	defer close(canaryDone)
	go func() {
		const nap = 2 * time.Millisecond
		for {
			select {
			case <-canaryDone:
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(nap)
			if late := int64(time.Since(t0) - nap); late > stall.Load() {
				stall.Store(late)
			}
		}
	}()
	rec := &startRecorder{next: http.DefaultTransport.(*http.Transport).Clone()}
	c := newClient(Options{RatePerMinute: perWindow, Transport: rec}, window)
	var wg sync.WaitGroup
	jobs := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				resp, err := get(t, context.Background(), c, srv.URL)
				if err != nil {
					t.Error(err)
					continue
				}
				_, _ = ReadBody(resp, 0)
			}
		}()
	}
	start := time.Now()
	for range total {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	var problems []string
	if len(rec.starts) != total {
		t.Fatalf("%d starts recorded for %d requests", len(rec.starts), total)
	}
	slack := 50*time.Millisecond + time.Duration(stall.Load())
	if window-slack < 250*time.Millisecond {
		return []string{fmt.Sprintf("the process stalled for %v: no window left to check", time.Duration(stall.Load()))}
	}
	if got := maxInWindow(rec.starts, window-slack); got > perWindow {
		problems = append(problems, fmt.Sprintf("%d starts in one %v window (stalls up to %v), limit %d per %v", got, window-slack,
			time.Duration(stall.Load()).Round(time.Millisecond), perWindow, window))
	}
	// Burst 4, then 36 per 500 ms: the 106 more cannot be granted before 1.47 s, however late
	// the callers run (the bucket saves up no more than the burst); a limiter 10% too fast
	// would be done by 1.33 s. Load only makes it slower.
	if elapsed < 1420*time.Millisecond || elapsed > 3*time.Second {
		problems = append(problems, fmt.Sprintf("%d requests took %v; the limiter is off its rate", total, elapsed))
	}
	return problems
}

func TestLimiterOffWhenZero(t *testing.T) {
	l := newStartLimiter(0, 0, time.Minute, nil)
	for range 1000 {
		release, err := l.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
}

func TestLimiterAcquireHonoursContext(t *testing.T) {
	l := newStartLimiter(1, 1, time.Hour, nil)
	rel, err := l.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(ctx); err == nil {
		t.Fatal("second acquire with the slot taken succeeded")
	}
	rel()
	if _, err := l.acquire(ctx); err == nil {
		t.Fatal("acquire without a token within the deadline succeeded")
	}
}

// countingBudget admits n starts and then refuses.
type countingBudget struct {
	left  atomic.Int64
	waits atomic.Int64
}

func (b *countingBudget) Wait(ctx context.Context) error {
	b.waits.Add(1)
	if b.left.Add(-1) < 0 {
		return fmt.Errorf("budget spent")
	}
	return nil
}

// A Budget replaces the RatePerMinute limiter: every attempt waits on it, and its refusal
// ends the call before anything is sent.
func TestBudgetGatesEveryAttempt(t *testing.T) {
	b := &countingBudget{}
	b.left.Store(3)
	l := newStartLimiter(1, 0, time.Hour, b)
	if l.limiter != nil {
		t.Fatal("the RatePerMinute limiter is kept beside the budget")
	}
	for i := range 3 {
		rel, err := l.acquire(context.Background())
		if err != nil {
			t.Fatalf("acquire %d: %v", i, err)
		}
		rel()
	}
	if _, err := l.acquire(context.Background()); err == nil || !strings.Contains(err.Error(), "budget spent") {
		t.Fatalf("acquire past the budget: %v", err)
	}
	if b.waits.Load() != 4 {
		t.Fatalf("%d waits, want 4", b.waits.Load())
	}
}
