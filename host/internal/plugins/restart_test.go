package plugins

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// TestKillMidCall kills a plugin with SIGKILL while a call is inside it: the call in flight
// fails at once with the sdk kind the protocol promises (retryable for a look-up, outcome
// unknown for a create), and the next call starts the plugin again and reconfigures the
// instance.
func TestKillMidCall(t *testing.T) {
	tests := []struct {
		plugin   string
		method   string
		wantKind sdk.ErrorKind
		wantText string
		slowCall func(ctx context.Context, m *Manager, cfg sdk.Config) error
		check    func(ctx context.Context, m *Manager, cfg sdk.Config) (sdk.CheckResult, error)
	}{
		{
			plugin: "testshop", method: "FindProducts", wantKind: sdk.KindRetryable,
			wantText: "the call can be repeated",
			slowCall: func(ctx context.Context, m *Manager, cfg sdk.Config) error {
				s, err := m.Shop(ctx, "testshop", "inst", cfg)
				if err != nil {
					return err
				}
				_, err = s.FindProducts(ctx, []string{"A"})
				return err
			},
			check: func(ctx context.Context, m *Manager, cfg sdk.Config) (sdk.CheckResult, error) {
				s, err := m.Shop(ctx, "testshop", "inst", cfg)
				if err != nil {
					return sdk.CheckResult{}, err
				}
				return s.Check(ctx)
			},
		},
		{
			plugin: "testledger", method: "CreateSalesOrder", wantKind: sdk.KindOutcomeUnknown,
			wantText: "whether it took effect is unknown",
			slowCall: func(ctx context.Context, m *Manager, cfg sdk.Config) error {
				l, err := m.Ledger(ctx, "testledger", "inst", cfg)
				if err != nil {
					return err
				}
				_, err = l.CreateSalesOrder(ctx, sdk.SalesOrder{OrderReference: "koppel-1"})
				return err
			},
			check: func(ctx context.Context, m *Manager, cfg sdk.Config) (sdk.CheckResult, error) {
				l, err := m.Ledger(ctx, "testledger", "inst", cfg)
				if err != nil {
					return sdk.CheckResult{}, err
				}
				return l.Check(ctx)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.plugin, func(t *testing.T) {
			ctx := testCtx(t)
			dir := installPlugins(t, tt.plugin)
			var logs logBuffer
			m := newTestManager(t, Options{Dir: dir, AllowUnlocked: true, Logger: testLogger(&logs)})
			const secret = "s3cr3t-token-value"
			cfg := sdk.Config{}.Set("label", "L1").Set("sleep", "30s").Set("token", secret)

			// Keep one handle across the restart: the same sdk.Shop/Ledger must keep working.
			errc := make(chan error, 1)
			go func() { errc <- tt.slowCall(ctx, m, cfg) }()
			// The plugin's own log line, relayed through the host logger under the plugin's
			// name, says it is inside the call.
			logs.waitFor(t, "sleeping in call", 30*time.Second)
			procs := m.Processes()
			if len(procs) != 1 {
				t.Fatalf("Processes = %+v", procs)
			}
			oldPID := procs[0].PID
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, "sleeping in call") &&
					(!strings.Contains(line, "[INFO]") || !strings.Contains(line, "host."+tt.plugin)) {
					t.Errorf("plugin log line not relayed at its level under the plugin's name: %s", line)
				}
			}
			p, err := os.FindProcess(oldPID)
			if err != nil {
				t.Fatal(err)
			}
			killed := time.Now()
			if err := p.Kill(); err != nil {
				t.Fatal(err)
			}

			// The plugin sleeps 30 s in the call: an answer well before that is the kill's.
			var callErr error
			select {
			case callErr = <-errc:
			case <-time.After(20 * time.Second):
				t.Fatal("the call in flight did not fail after its plugin was killed")
			}
			t.Logf("the call failed %s after the kill", time.Since(killed).Round(time.Millisecond))
			if got := sdk.KindOf(callErr); got != tt.wantKind {
				t.Errorf("in-flight error kind = %s, want %s (err: %v)", got, tt.wantKind, callErr)
			}
			for _, want := range []string{
				"plugin " + tt.plugin + " stopped answering during " + tt.method,
				tt.wantText,
				"it is started again on the next call",
			} {
				if !strings.Contains(callErr.Error(), want) {
					t.Errorf("in-flight error %q lacks %q", callErr, want)
				}
			}

			// The next call works: a new process, the instance configured again.
			res, err := tt.check(ctx, m, cfg)
			if err != nil {
				t.Fatalf("call after the kill: %v", err)
			}
			if !strings.HasSuffix(res.Summary, " L1") {
				t.Errorf("Check summary %q: instance not reconfigured with its label", res.Summary)
			}
			if res.Details["pid"] == strconv.Itoa(oldPID) {
				t.Errorf("answered by the killed pid %d", oldPID)
			}
			procs = m.Processes()
			if len(procs) != 1 || procs[0].PID == oldPID || procs[0].Restarts != 1 ||
				strconv.Itoa(procs[0].PID) != res.Details["pid"] {
				t.Errorf("after restart Processes = %+v (answer from pid %s)", procs, res.Details["pid"])
			}
			if processAlive(oldPID) {
				t.Errorf("killed pid %d still present (not reaped)", oldPID)
			}
			if !strings.Contains(logs.String(), "plugin process ended") {
				t.Errorf("restart not logged:\n%s", logs.String())
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("a secret reached the log:\n%s", logs.String())
			}
		})
	}
}

// TestSameHandleAfterRestart checks that an sdk.Shop obtained before the crash keeps working.
func TestSameHandleAfterRestart(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	m := newTestManager(t, Options{Dir: dir, AllowUnlocked: true})
	shop, err := m.Shop(ctx, "testshop", "inst", sdk.Config{}.Set("label", "kept"))
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		procs := m.Processes()
		if len(procs) != 1 {
			t.Fatalf("round %d: Processes = %+v", round, procs)
		}
		p, _ := os.FindProcess(procs[0].PID)
		if err := p.Kill(); err != nil {
			t.Fatal(err)
		}
		// Each death within a minute of its start counts towards the backoff; wait it out.
		deadline := time.Now().Add(30 * time.Second)
		for {
			res, err := shop.Check(ctx)
			if err == nil {
				if res.Summary != "shop kept" || res.Details["pid"] == strconv.Itoa(procs[0].PID) {
					t.Errorf("round %d: %+v", round, res)
				}
				break
			}
			if sdk.KindOf(err) != sdk.KindRetryable || time.Now().After(deadline) {
				t.Fatalf("round %d: %v", round, err)
			}
			time.Sleep(sdk.RetryAfterOf(err) + 10*time.Millisecond)
		}
	}
	if got := m.Processes()[0].Restarts; got != 3 {
		t.Errorf("Restarts = %d, want 3", got)
	}
}
