package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkLimitShare runs `koppel sync` against the SnelStart simulator's limit of 100 calls
// a minute with more orders than fit in the run, stops it with an interrupt after a fixed time,
// and reports the share of the limit koppel used: the calls SnelStart admitted divided by the
// most a sliding 60 s limit admits in that time (limit × (whole minutes + 1)). It also reports
// the 429 answers (0 expected: any fails the benchmark) and the highest number of calls in any
// minute. `make bench` runs 75 s (two windows); KOPPEL_SOAK=1 (`make soak`) runs 3 minutes and a
// half (four windows). A run's length lies mid-window on purpose: a sliding window admits its
// next full minute's calls the moment the oldest calls leave it, so a run ending just after a
// whole number of minutes would count one more minute's calls as possible while the 1 s margin
// koppel keeps per window (see callbudget) has not yet passed.
func BenchmarkLimitShare(b *testing.B) {
	const limit = 100
	run, orders := 75*time.Second, 150
	if soak() {
		run, orders = 3*time.Minute+30*time.Second, 500
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := newRig(b, rigOptions{Orders: orders, AllImportable: true,
			SSArgs:   []string{"--rate-limit", strconv.Itoa(limit)},
			Settings: map[string]string{"ledger.rate_limit": strconv.Itoa(limit)}})
		b.StartTimer()
		took := r.syncFor(run)
		b.StopTimer()
		st := r.ssStats()
		if st.Requests == 0 {
			b.Fatal("SnelStart received no call")
		}
		allowed := float64(limit) * (float64(int(took/time.Minute)) + 1)
		b.ReportMetric(100*float64(st.Requests-st.RateLimited)/allowed, "limit-share-%")
		b.ReportMetric(float64(st.MaxPerWindow), "max-calls/min")
		b.ReportMetric(float64(st.RateLimited), "429s")
		b.ReportMetric(took.Seconds(), "run-s")
		if st.RateLimited > 0 {
			b.Errorf("SnelStart answered %d calls with 429 (limit %d a minute, most in a minute %d)", st.RateLimited, limit, st.MaxPerWindow)
		}
		b.StartTimer()
	}
}

// syncFor runs `koppel sync winkel import_orders` and interrupts it (SIGINT, as a person
// pressing Ctrl-C) after d; it returns how long the process ran.
func (r *rig) syncFor(d time.Duration) time.Duration {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "koppel"), "sync", "winkel", "import_orders", "--json", "--config", r.dir)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil && ctx.Err() == nil {
		r.t.Fatalf("koppel sync: %v\n%s", err, errb.String())
	}
	return took
}
