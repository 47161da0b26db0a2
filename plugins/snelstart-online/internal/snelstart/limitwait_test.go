package snelstart

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/callbudget"
)

// syncBuffer is a log output safe for the connector's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// A call held back by the hourly limit is not silent: the connector logs a warning saying how
// long it waits, why, and what the bookkeeper can do (per plan), once for the calls that wait
// together; the minute limit's routine waits stay at debug level.
func TestHourlyLimitWaitIsLogged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plan   string
		hourly int // 0: the plan's default
		limit  int // the hour window the budget file is filled to
		want   []string
		not    []string
	}{
		{"test plan", "test", 0, 1000,
			[]string{"limit of 1000 calls an hour", "test plan", `set plan = "paid" in the ledger block`}, []string{"hourly_limit is set"}},
		{"paid plan", "paid", 0, 5000,
			[]string{"limit of 5000 calls an hour", "paid plan", "ask SnelStart for a higher limit"}, []string{`set plan = "paid"`}},
		{"hourly_limit set", "test", 40, 40,
			[]string{"limit of 40 calls an hour", "hourly_limit is set to 40", `plan = "test" or "paid"`}, []string{"test plan;"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim.Handler())
			defer srv.Close()
			var out syncBuffer
			log := hclog.New(&hclog.LoggerOptions{Output: &out, Level: hclog.Debug})
			dir := t.TempDir()
			cfg := sdk.Config{}.
				Set("client_key", simulator.DefaultClientKey).
				Set("subscription_key", simulator.DefaultSubscriptionKey).
				Set("base_url", srv.URL+"/v2").
				Set("auth_url", srv.URL+"/b2b/token").
				Set("plan", tc.plan)
			if tc.hourly > 0 {
				cfg = cfg.Set("hourly_limit", tc.hourly)
			}
			c, err := newConnector(cfg, log, options{limitsDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			// Earlier runs used up the hour 6 to 5 minutes ago (the budget file is shared by
			// every run): the window has room again in about 55 minutes.
			path := callbudget.Path(dir, "snelstart", srv.URL+"/v2", simulator.DefaultSubscriptionKey, simulator.DefaultClientKey)
			raw := make([]byte, 8*tc.limit)
			from := time.Now().Add(-6 * time.Minute)
			for i := 0; i < tc.limit; i++ {
				binary.LittleEndian.PutUint64(raw[8*i:], uint64(from.Add(time.Duration(i)*time.Minute/time.Duration(tc.limit)).UnixNano()))
			}
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			var wg sync.WaitGroup
			for i := 0; i < 3; i++ { // three workers meet the full window together
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.Check(ctx); !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("Check while the hour is used up: %v, want the context's deadline", err)
					}
				}()
			}
			wg.Wait()
			got := out.String()
			if n := strings.Count(got, "[WARN]"); n != 1 {
				t.Fatalf("%d warnings, want 1:\n%s", n, got)
			}
			for _, w := range append(tc.want, "calls wait 55m", "continue by themselves") {
				if !strings.Contains(got, w) {
					t.Errorf("the warning lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("the warning says %q:\n%s", w, got)
				}
			}
			if sim.Stats().Requests != 0 {
				t.Errorf("SnelStart received %d calls past the hourly limit", sim.Stats().Requests)
			}
		})
	}
}
