package plugins

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

func TestSharedProcessManyInstances(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop", "testledger")
	m := newTestManager(t, Options{Dir: dir, AllowUnlocked: true})

	a, err := m.Shop(ctx, "testshop", "profile-a", sdk.Config{}.Set("label", "A"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Shop(ctx, "testshop", "profile-b", sdk.Config{}.Set("label", "B"))
	if err != nil {
		t.Fatal(err)
	}
	ra, err := a.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ra.Summary != "shop A" || rb.Summary != "shop B" {
		t.Errorf("summaries %q, %q; each instance must keep its own config", ra.Summary, rb.Summary)
	}
	if ra.Details["pid"] != rb.Details["pid"] {
		t.Errorf("instances ran in different processes: %s, %s", ra.Details["pid"], rb.Details["pid"])
	}
	procs := m.Processes()
	if len(procs) != 1 || procs[0].Name != "testshop" || procs[0].Info.Kind != sdk.KindShop {
		t.Errorf("Processes = %+v", procs)
	}

	// Streams work through the supervisor.
	var ids []string
	err = a.ListOrders(ctx, sdk.OrderQuery{}, func(it sdk.OrderItem) error {
		ids = append(ids, it.Order.ID)
		return nil
	})
	if err != nil || strings.Join(ids, ",") != "1,2,3" {
		t.Errorf("ListOrders = %v, %v", ids, err)
	}

	// Many concurrent calls share the one process.
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := b.FindProducts(ctx, []string{"SKU-1"}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	if n := len(m.Processes()); n != 1 {
		t.Errorf("%d processes after concurrent calls, want 1", n)
	}

	// A ledger plugin gets its own process.
	l, err := m.Ledger(ctx, "testledger", "profile-a", sdk.Config{}.Set("label", "L"))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := l.Check(ctx); err != nil || r.Summary != "ledger L" {
		t.Errorf("ledger Check = %+v, %v", r, err)
	}
	if n := len(m.Processes()); n != 2 {
		t.Errorf("%d processes, want 2", n)
	}
}

func TestKindAndConfigErrors(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop", "testledger")
	m := newTestManager(t, Options{Dir: dir, AllowUnlocked: true})

	_, err := m.Ledger(ctx, "testshop", "p", sdk.Config{})
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "plugin testshop is a shop plugin, not a ledger plugin") {
		t.Errorf("wrong kind: %v", err)
	}
	_, err = m.Shop(ctx, "testledger", "p", sdk.Config{})
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "not a shop plugin") {
		t.Errorf("wrong kind: %v", err)
	}
	_, err = m.Shop(ctx, "testshop", "p", sdk.Config{}.Set("refuse", true).Set("token", "s3cr3t-value"))
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "refused on purpose") ||
		strings.Contains(err.Error(), "s3cr3t-value") {
		t.Errorf("refused config: %v", err)
	}
	_, err = m.Shop(ctx, "testshop", "", sdk.Config{})
	if sdk.KindOf(err) != sdk.KindConfig {
		t.Errorf("empty instance id: %v", err)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop", "testledger")
	m := NewManager(Options{Dir: dir, AllowUnlocked: true})
	var logs logBuffer
	m.logger = testLogger(&logs)
	shop, err := m.Shop(ctx, "testshop", "p", sdk.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ledger, err := m.Ledger(ctx, "testledger", "p", sdk.Config{}.Set("sleep", "30s"))
	if err != nil {
		t.Fatal(err)
	}
	// A call is still inside the ledger when Close comes.
	inFlight := make(chan error, 1)
	go func() {
		_, err := ledger.CreateSalesOrder(ctx, sdk.SalesOrder{})
		inFlight <- err
	}()
	logs.waitFor(t, "sleeping in call", 30*time.Second)
	procs := m.Processes()
	if len(procs) != 2 {
		t.Fatalf("Processes = %+v", procs)
	}
	start := time.Now()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %s; a graceful shutdown should be quick", d)
	}
	for _, p := range procs {
		if processAlive(p.PID) {
			t.Errorf("plugin %s (pid %d) still running after Close", p.Name, p.PID)
		}
	}
	if len(m.Processes()) != 0 {
		t.Errorf("Processes after Close = %+v", m.Processes())
	}
	select {
	case err := <-inFlight:
		if sdk.KindOf(err) != sdk.KindOutcomeUnknown {
			t.Errorf("create in flight during Close: %v (kind %s)", err, sdk.KindOf(err))
		}
	case <-time.After(20 * time.Second):
		t.Error("the call in flight did not end with Close")
	}
	_, err = shop.Check(ctx)
	if !errors.Is(err, ErrClosed) || sdk.KindOf(err) != sdk.KindRetryable {
		t.Errorf("call after Close: %v", err)
	}
	if _, err := m.Info(ctx, "testshop"); !errors.Is(err, ErrClosed) {
		t.Errorf("Info after Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCrashingPluginBacksOff(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testcrash")
	// The backoff after two failed starts is 250 ms of wall time: a third call made within it
	// is refused without starting. On a loaded machine the call can come later than that;
	// then nothing is proven and the scenario runs again with a fresh manager.
	var m *Manager
	var err error
	for scenario := 1; ; scenario++ {
		m = newTestManager(t, Options{Dir: dir, AllowUnlocked: true})
		// First two attempts start the binary (no delay after the first failure).
		for i := 0; i < 2; i++ {
			_, err := m.Info(ctx, "testcrash")
			if sdk.KindOf(err) != sdk.KindRetryable || !strings.Contains(err.Error(), "could not start") {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		m.mu.Lock()
		p := m.procs["testcrash"]
		m.mu.Unlock()
		p.mu.Lock()
		next := p.nextStart
		p.mu.Unlock()
		// The third, at once, is refused without starting: backoff.
		_, err = m.Info(ctx, "testcrash")
		if time.Now().Before(next) || scenario == 5 {
			break
		}
		t.Logf("scenario %d: the third call came after the backoff ended (a loaded machine); again", scenario)
	}
	if sdk.KindOf(err) != sdk.KindRetryable || sdk.RetryAfterOf(err) <= 0 || sdk.RetryAfterOf(err) > 250*time.Millisecond ||
		!strings.Contains(err.Error(), "stopped 2 times in a row") {
		t.Fatalf("during backoff: %v (retry after %s)", err, sdk.RetryAfterOf(err))
	}
	time.Sleep(sdk.RetryAfterOf(err) + 20*time.Millisecond)
	_, err = m.Info(ctx, "testcrash")
	if !strings.Contains(err.Error(), "could not start") {
		t.Errorf("after backoff: %v", err)
	}
}

func TestRestartDelay(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{0, 0}, {1, 0}, {2, 250 * time.Millisecond}, {3, 500 * time.Millisecond}, {4, time.Second},
		{8, 16 * time.Second}, {9, 30 * time.Second}, {10, 30 * time.Second}, {1000, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := restartDelay(tt.n); got != tt.want {
			t.Errorf("restartDelay(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

// processAlive reports whether pid exists (and is not a zombie on Linux).
func processAlive(pid int) bool {
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		// Field 3 is the state; Z (zombie) and X (dead) are gone for our purposes.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && len(s) > i+2 {
			return s[i+2] != 'Z' && s[i+2] != 'X'
		}
		return true
	} else if _, serr := os.Stat("/proc/self"); serr == nil {
		return false // procfs present, pid absent
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	return p.Signal(syscall.Signal(0)) == nil
}
