package callbudget

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock shared by the budgets of one test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func withClock(b *Budget, c *fakeClock) *Budget { b.now = c.now; return b }

var testWindows = []Window{{Limit: 5, Period: time.Minute}, {Limit: 8, Period: time.Hour}}

// takeAll takes starts until the budget asks to wait; it returns how many it got and the wait.
func takeAll(t *testing.T, b *Budget) (int, time.Duration) {
	t.Helper()
	for n := 0; n < 100; n++ {
		wait, _, err := b.take()
		if err != nil {
			t.Fatal(err)
		}
		if wait > 0 {
			return n, wait
		}
	}
	t.Fatal("the budget never asked to wait")
	return 0, 0
}

func TestWindows(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(t *testing.T) string
	}{
		{"memory", func(*testing.T) string { return "" }},
		{"file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "x.budget") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
			b := withClock(New(tc.path(t), testWindows...), c)
			n, wait := takeAll(t, b)
			if n != 5 {
				t.Fatalf("first minute: %d starts, want 5", n)
			}
			if want := time.Minute + time.Second; wait != want {
				t.Fatalf("wait = %v, want %v (the window and its margin)", wait, want)
			}
			c.add(wait)
			n, wait = takeAll(t, b)
			if n != 3 {
				t.Fatalf("second minute: %d starts, want 3 (the hour allows 8)", n)
			}
			if want := time.Hour + time.Minute - (time.Minute + time.Second); wait != want {
				t.Fatalf("hour wait = %v, want %v", wait, want)
			}
			c.add(wait)
			if n, _ := takeAll(t, b); n != 5 {
				t.Fatalf("after the hour: %d starts, want 5", n)
			}
		})
	}
}

// Two budgets on one file are two processes (or profiles) of one administration: they share
// the window, and a budget opened later (a new process) sees the starts of the earlier one.
func TestFileIsShared(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	path := Path(t.TempDir(), "snelstart", "https://example.invalid", "sub", "client")
	a := withClock(New(path, testWindows...), c)
	if n, _ := takeAll(t, a); n != 5 {
		t.Fatalf("a: %d starts, want 5", n)
	}
	b := withClock(New(path, testWindows...), c)
	if n, wait := takeAll(t, b); n != 0 || wait <= 0 {
		t.Fatalf("b after a filled the minute: %d starts (wait %v), want 0", n, wait)
	}
	c.add(61 * time.Second)
	if n, _ := takeAll(t, b); n != 3 {
		t.Fatalf("b in the next minute: %d starts, want 3", n)
	}
	other := withClock(New(Path(filepath.Dir(path), "snelstart", "https://example.invalid", "sub", "other"), testWindows...), c)
	if n, _ := takeAll(t, other); n != 5 {
		t.Fatalf("another administration: %d starts, want its own 5", n)
	}
}

// Goroutines of several budgets on one file, with the real clock: no window ever holds more
// starts (as recorded in the file) than the limit.
func TestConcurrentStartsStayInside(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.budget")
	const limit, period = 20, 600 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for p := 0; p < 3; p++ {
		b := New(path, Window{Limit: limit, Period: period})
		b.started = func(ns int64) {
			mu.Lock()
			starts = append(starts, time.Unix(0, ns))
			mu.Unlock()
		}
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					if err := b.Wait(ctx); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	if len(starts) != 60 {
		t.Fatalf("%d starts, want 60", len(starts))
	}
	sortTimes(starts)
	for i := range starts {
		j := i
		for j < len(starts) && starts[j].Sub(starts[i]) < period {
			j++
		}
		if j-i > limit {
			t.Fatalf("%d starts within %v from start %d, limit %d", j-i, period, i, limit)
		}
	}
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// A damaged file (a torn write, entries from a clock that jumped) never blocks the budget.
func TestDamagedFile(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "x.budget")
	future := encode([]int64{c.now().Add(48 * time.Hour).UnixNano(), c.now().Add(72 * time.Hour).UnixNano()})
	if err := os.WriteFile(path, append(future, 1, 2, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	b := withClock(New(path, testWindows...), c)
	if n, _ := takeAll(t, b); n != 5 {
		t.Fatalf("%d starts, want 5", n)
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	b := New("", Window{Limit: 1, Period: time.Hour})
	if err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if err := New("", Window{}).Wait(ctx); err != nil {
		t.Fatalf("a budget without windows waited: %v", err)
	}
}

func TestPathHidesKeys(t *testing.T) {
	p := Path("/state/limits", "snelstart", "https://b2bapi.snelstart.nl/v2", "geheim-abonnement", "geheim-koppel")
	if strings.Contains(p, "geheim") || !strings.HasPrefix(p, filepath.Join("/state/limits", "snelstart-")) {
		t.Fatalf("path %q", p)
	}
	if p == Path("/state/limits", "snelstart", "https://b2bapi.snelstart.nl/v2", "geheim-abonnement", "ander") {
		t.Fatal("two client keys share a path")
	}
	if Path("", "snelstart", "k") != "" {
		t.Fatal("no dir must mean memory")
	}
}

// OnWait is told the window that holds a call back and for how long: the minute window while
// the minute is full, the hour window once the hour is (the wait the caller would otherwise
// sit through in silence).
func TestOnWaitNamesTheFullWindow(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	type told struct {
		w    Window
		wait time.Duration
	}
	var got []told
	var cancel context.CancelFunc
	b := withClock(New("", testWindows...), c).OnWait(func(w Window, wait time.Duration) {
		got = append(got, told{w, wait})
		cancel() // end the real wait; the loop below lets it pass on the fake clock
	})
	for started := 0; started < 9; {
		var ctx context.Context
		ctx, cancel = context.WithCancel(context.Background())
		err := b.Wait(ctx)
		cancel()
		switch {
		case err == nil:
			started++
		case errors.Is(err, context.Canceled):
			c.add(got[len(got)-1].wait)
		default:
			t.Fatal(err)
		}
	}
	// 5 starts, a minute wait, 3 starts, an hour wait (the hour allows 8), a 9th start.
	want := []told{
		{testWindows[0], time.Minute + time.Second},
		{testWindows[1], time.Hour + time.Minute - (time.Minute + time.Second)},
	}
	if len(got) != len(want) {
		t.Fatalf("told %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("wait %d: told %+v, want %+v", i, got[i], want[i])
		}
	}
}
