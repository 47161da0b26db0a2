package httpclient

import (
	"context"
	"net/http"
	"sort"
	"sync"
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
// goroutines, and checks the recorded starts.
func TestRateLimitSlidingWindowReal(t *testing.T) {
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {})
	const perWindow, window, total = 40, 500 * time.Millisecond, 110
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
	if got := maxInWindow(rec.starts, window); got > perWindow {
		t.Errorf("%d starts in one %v window, limit %d", got, window, perWindow)
	}
	// burst 4, then 36 per 500 ms: 106 more take about 1.47 s.
	if elapsed < 1300*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("%d requests took %v; the limiter is off its rate", total, elapsed)
	}
}

func TestLimiterOffWhenZero(t *testing.T) {
	l := newStartLimiter(0, 0, time.Minute)
	for range 1000 {
		release, err := l.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
}

func TestLimiterAcquireHonoursContext(t *testing.T) {
	l := newStartLimiter(1, 1, time.Hour)
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
