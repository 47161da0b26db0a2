package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Secrets planted in the fixtures: no answer and no log line may contain them.
const (
	testToken      = "tok-3f9a1c7e-very-secret"
	testShopSecret = "cs_live_SHOP_SECRET_42"
	testLedgerKey  = "SNELSTART_KEY_SECRET_99"
)

// t0 is the fixtures' clock.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func money(s string) sdk.Money { return decimal.RequireFromString(s) }

func moneyP(s string) *sdk.Money { m := money(s); return &m }

// testProfiles are two profiles whose plugin blocks hold secrets.
func testProfiles() []*config.Profile {
	return []*config.Profile{
		{
			Name: "winkel", Description: "Webwinkel De Vries",
			Shop: config.PluginBlock{Name: "woocommerce", Config: sdk.Config{
				"url": json.RawMessage(`"https://shop.example"`), "consumer_secret": json.RawMessage(`"` + testShopSecret + `"`)}},
			Ledger: config.PluginBlock{Name: "snelstart", Config: sdk.Config{"subscription_key": json.RawMessage(`"` + testLedgerKey + `"`)}},
			Tasks: []config.Task{
				{Name: config.TaskImportOrders, Every: 15 * time.Minute},
				{Name: config.TaskExportStock, Every: time.Hour},
			},
		},
		{
			Name:   "magento-nl",
			Shop:   config.PluginBlock{Name: "magento"},
			Ledger: config.PluginBlock{Name: "snelstart"},
			Tasks:  []config.Task{{Name: config.TaskImportOrders}},
		},
	}
}

// fakeScheduler is a Scheduler whose runs write records to the store after delay.
type fakeScheduler struct {
	store *state.Store
	delay time.Duration
	// err, when set, is returned by RunNow.
	err error

	mu      sync.Mutex
	status  map[string][]TaskStatus
	calls   []string
	seq     int
	running sync.WaitGroup
	// onRun produces the run of a task (default: the demo import of two orders).
	onRun func(profile, task string, start time.Time) (pipeline.TaskRunRecord, []pipeline.OrderRecord, []pipeline.OrderOutcome)
}

func newFakeScheduler(store *state.Store, profiles []*config.Profile) *fakeScheduler {
	f := &fakeScheduler{store: store, status: map[string][]TaskStatus{}}
	for _, p := range profiles {
		for _, t := range p.Tasks {
			next := time.Time{}
			if t.Every > 0 {
				next = t0.Add(t.Every)
			}
			f.status[p.Name] = append(f.status[p.Name], TaskStatus{Task: string(t.Name), Every: t.Every, Next: next})
		}
	}
	f.onRun = demoRun
	return f
}

func (f *fakeScheduler) RunNow(_ context.Context, profile, task string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, profile+"/"+task)
	if f.err != nil {
		return "", f.err
	}
	sts, ok := f.status[profile]
	if !ok {
		return "", fmt.Errorf("profile %q: %w", profile, ErrNotFound)
	}
	idx := -1
	for i, s := range sts {
		if s.Task == task {
			idx = i
		}
	}
	if idx < 0 {
		sts = append(sts, TaskStatus{Task: task})
		idx = len(sts) - 1
	}
	if sts[idx].Running {
		return "", fmt.Errorf("%s/%s: %w", profile, task, ErrBusy)
	}
	f.seq++
	start := t0.Add(time.Duration(f.seq) * time.Hour)
	sts[idx].Running, sts[idx].RunningSince = true, start
	f.status[profile] = sts
	f.running.Add(1)
	go f.finish(profile, task, start)
	return fmt.Sprintf("%s/%s/%d", profile, task, f.seq), nil
}

func (f *fakeScheduler) finish(profile, task string, start time.Time) {
	defer f.running.Done()
	time.Sleep(f.delay)
	rec, orders, outcomes := f.onRun(profile, task, start)
	ctx := context.Background()
	_ = f.store.Update(ctx, func(tx *state.Tx) error {
		for _, o := range orders {
			if err := state.Put(ctx, tx, state.OrderKey(profile, o.ShopID), o); err != nil {
				return err
			}
		}
		return state.Put(ctx, tx, state.RunKey(profile, rec.Start), rec)
	})
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.status[profile] {
		if s.Task == task {
			tr := pipeline.TaskRun{RunResult: rec.RunResult}
			tr.Orders = outcomes
			f.status[profile][i].Running = false
			f.status[profile][i].Last = Summarize(tr, nil)
		}
	}
}

func (f *fakeScheduler) Status(profile string) []TaskStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]TaskStatus(nil), f.status[profile]...)
}

func (f *fakeScheduler) wait() { f.running.Wait() }

// demoRun imports orders 1101 and 1102 (customer names only in memory).
func demoRun(profile, task string, start time.Time) (pipeline.TaskRunRecord, []pipeline.OrderRecord, []pipeline.OrderOutcome) {
	outs := []pipeline.OrderOutcome{
		{ShopID: "501", ShopNumber: "1101", Status: pipeline.StatusImported, LedgerOrderID: "so-1101", LedgerNumber: 7001,
			CustomerCode: 20031, CustomerName: "Bakkerij Jansen", TotalIncl: moneyP("1234.5")},
		{ShopID: "502", ShopNumber: "1102", Status: pipeline.StatusImported, LedgerOrderID: "so-1102", LedgerNumber: 7002,
			CustomerCode: 20032, CustomerName: "Fietsen Pietersen", TotalIncl: moneyP("60.5")},
	}
	stored := make([]pipeline.OrderOutcome, len(outs))
	copy(stored, outs)
	for i := range stored {
		stored[i].CustomerName = ""
	}
	rec := pipeline.TaskRunRecord{RunRecord: pipeline.RunRecord{RunResult: pipeline.RunResult{
		Profile: profile, Task: task, Start: start, End: start.Add(1500 * time.Millisecond), Duration: 1500 * time.Millisecond,
		Imported: 2, LedgerCalls: 9, Orders: stored}}}
	var orders []pipeline.OrderRecord
	for _, o := range outs {
		// Both are business customers: their records keep the relatie's name (pipeline.BusinessName).
		orders = append(orders, pipeline.OrderRecord{ShopID: o.ShopID, ShopNumber: o.ShopNumber, Reference: "WC-" + o.ShopNumber,
			Status: o.Status, LedgerOrderID: o.LedgerOrderID, LedgerNumber: o.LedgerNumber, CustomerCode: o.CustomerCode, CustomerName: o.CustomerName,
			TotalExcl: o.TotalIncl.Div(money("1.21")).Round(2), TotalIncl: *o.TotalIncl, ShopTotal: *o.TotalIncl, DoneAt: rec.End})
	}
	return rec, orders, outs
}

// storeRun writes a run and its order records to the state store, as a `koppel sync` in
// another process leaves them.
func storeRun(t testing.TB, store *state.Store, rec pipeline.TaskRunRecord, orders []pipeline.OrderRecord) {
	t.Helper()
	ctx := context.Background()
	for _, o := range orders {
		if err := state.Put(ctx, store, state.OrderKey(rec.Profile, o.ShopID), o); err != nil {
			t.Fatal(err)
		}
	}
	if err := state.Put(ctx, store, state.RunKey(rec.Profile, rec.Start), rec); err != nil {
		t.Fatal(err)
	}
}

// fakeRetrier records the retries asked for.
type fakeRetrier struct {
	mu    sync.Mutex
	err   error
	calls []string
}

func (f *fakeRetrier) Retry(_ context.Context, profile string, ids []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, profile+":"+strings.Join(ids, ","))
	return f.err
}

// seed writes the fixture records: two runs of winkel, imported orders and two failed ones.
func seed(t testing.TB, store *state.Store) {
	t.Helper()
	ctx := context.Background()
	put := func(k state.Key, v any) {
		if err := state.Put(ctx, store, k, v); err != nil {
			t.Fatal(err)
		}
	}
	older := pipeline.TaskRunRecord{RunRecord: pipeline.RunRecord{RunResult: pipeline.RunResult{
		Profile: "winkel", Task: "import_orders", Start: t0.Add(-2 * time.Hour), End: t0.Add(-2*time.Hour + 3*time.Second),
		Duration: 3 * time.Second, Imported: 1, Failed: 1, LedgerCalls: 12,
		Orders: []pipeline.OrderOutcome{
			{ShopID: "401", ShopNumber: "1001", Status: pipeline.StatusImported, LedgerNumber: 6001, CustomerCode: 20010, TotalIncl: moneyP("121")},
			{ShopID: "402", ShopNumber: "1002", Status: pipeline.StatusFailed, Reason: "artikel X-1 bestaat niet in SnelStart"},
		}}}}
	newer := pipeline.TaskRunRecord{RunRecord: pipeline.RunRecord{RunResult: pipeline.RunResult{
		Profile: "winkel", Task: "export_stock", Start: t0.Add(-time.Hour), End: t0.Add(-time.Hour + 800*time.Millisecond),
		Duration: 800 * time.Millisecond, LedgerCalls: 2}}, Stock: &pipeline.StockSummary{Articles: 40, Tracked: 30, Written: 5, Unchanged: 25}}
	broken := pipeline.TaskRunRecord{RunRecord: pipeline.RunRecord{RunResult: pipeline.RunResult{
		Profile: "magento-nl", Task: "import_orders", Start: t0.Add(-30 * time.Minute), End: t0.Add(-30 * time.Minute),
	}, Error: fmt.Sprintf(text.Template("reason.run.shop_auth"), text.Template("reason.step.list_orders"), "Magento refused the access token (401)")}}
	put(state.RunKey("winkel", older.Start), older)
	put(state.RunKey("winkel", newer.Start), newer)
	put(state.RunKey("magento-nl", broken.Start), broken)
	put(state.OrderKey("winkel", "401"), pipeline.OrderRecord{ShopID: "401", ShopNumber: "1001", Status: pipeline.StatusImported,
		LedgerOrderID: "so-6001", LedgerNumber: 6001, CustomerCode: 20010, TotalExcl: money("100"), TotalIncl: money("121"),
		ShopTotal: money("121"), DoneAt: older.End})
	put(state.OrderKey("winkel", "399"), pipeline.OrderRecord{ShopID: "399", ShopNumber: "0999", Status: pipeline.StatusAlreadyPresent,
		LedgerNumber: 5999, CustomerCode: 20001, TotalIncl: money("10"), DoneAt: older.End.Add(-24 * time.Hour)})
	put(state.FailedKey("winkel", "402"), pipeline.FailedRecord{ShopID: "402", ShopNumber: "1002", Reason: "artikel X-1 bestaat niet in SnelStart",
		Kind: "refused", Parked: true, Attempts: 1, FirstFailedAt: older.End, LastFailedAt: older.End,
		Order: sdk.Order{ID: "402", Number: "1002", Billing: sdk.Address{FirstName: "Els", LastName: "de Wit"}}})
	put(state.FailedKey("winkel", "403"), pipeline.FailedRecord{ShopID: "403", ShopNumber: "1003", Reason: "SnelStart antwoordde niet",
		Kind: "retryable", Attempts: 2, FirstFailedAt: older.End, LastFailedAt: older.End.Add(time.Minute)})
	if _, _, err := attention.Raise(ctx, store, "winkel", attention.Item{Kind: attention.KindChanged, ShopID: "401", ShopNumber: "1001",
		Detail: "edit-1", LedgerOrderID: "so-6001", LedgerNumber: 6001, ShopTotal: moneyP("96.80"), LedgerTotal: moneyP("121"),
		Message: "Order 1001 is na de import gewijzigd in de webwinkel.", Action: "Pas verkooporder 6001 in SnelStart aan.",
		MessageEN: "Order 1001 was changed in the webshop after import.", ActionEN: "Correct sales order 6001 in SnelStart."}, older.End); err != nil {
		t.Fatal(err)
	}
}

// env is a handler over fakes with seeded records.
type env struct {
	store *state.Store
	sched *fakeScheduler
	retr  *fakeRetrier
	logs  *syncBuffer
	srv   *httptest.Server
	h     http.Handler
	m     *Metrics
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func openStore(t testing.TB) *state.Store {
	t.Helper()
	store, err := state.Open(context.Background(), "", state.Options{InMemory: true, NoSync: true, GCInterval: -1, Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// newEnv builds the handler; edit changes the options before New.
func newEnv(t testing.TB, edit func(*Options)) *env {
	t.Helper()
	store := openStore(t)
	seed(t, store)
	profiles := testProfiles()
	e := &env{store: store, sched: newFakeScheduler(store, profiles), retr: &fakeRetrier{}, logs: &syncBuffer{}, m: NewMetrics()}
	opts := Options{
		Store: store, Profiles: func() []*config.Profile { return profiles }, Scheduler: e.sched, Retrier: e.retr,
		Plugins: func() []PluginStatus {
			return []PluginStatus{{Name: "woocommerce", Kind: "shop", Version: "0.3.0", Protocol: 1, PID: 4242, Started: t0, Restarts: 2}}
		},
		Logger:   hclog.New(&hclog.LoggerOptions{Output: e.logs, Level: hclog.Debug, JSONFormat: true}),
		Metrics:  e.m,
		Location: time.UTC,
		Version:  "v0.9.0-test",
		Now:      func() time.Time { return t0 },
	}
	if edit != nil {
		edit(&opts)
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	t.Cleanup(e.sched.wait)
	return e
}

// do sends a request to the test server without following redirects.
func (e *env) do(t testing.TB, method, path string, body io.Reader, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode[T any](t testing.TB, resp *http.Response) T {
	t.Helper()
	var v T
	body := readBody(t, resp)
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %s: %v\n%s", resp.Request.URL.Path, err, body)
	}
	return v
}

func wantStatus(t testing.TB, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, readBody(t, resp))
	}
}
