package serve

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t, nil)
	e.m.RunFinished("winkel", "import_orders", ResultOK, 2*time.Second, 3, 1, 17, 4)
	e.m.ObserveRun("winkel", "export_stock", pipeline.TaskRun{}, errors.New("ledger down"), 0)
	tr := pipeline.TaskRun{RunResult: pipeline.RunResult{Profile: "winkel", Task: "import_orders", Duration: time.Second,
		Imported: 2, Retrying: 1, LedgerCalls: 5}}
	e.m.ObserveRun("", "", tr, nil, 2)
	e.m.RateLimitWait("snelstart", 1500*time.Millisecond)
	e.m.RateLimitWait("snelstart", 500*time.Millisecond)
	e.sched.mu.Lock()
	e.sched.status["winkel"][0].Running = true
	e.sched.mu.Unlock()

	resp := e.do(t, "GET", "/metrics", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("content type %q", ct)
	}
	body := readBody(t, resp)
	for _, want := range []string{
		`koppel_runs_total{profile="winkel",result="ok",task="import_orders"} 1`,
		`koppel_runs_total{profile="winkel",result="failed_items",task="import_orders"} 1`,
		`koppel_runs_total{profile="winkel",result="error",task="export_stock"} 1`,
		`koppel_run_duration_seconds_count{profile="winkel",task="import_orders"} 2`,
		`koppel_run_duration_seconds_sum{profile="winkel",task="import_orders"} 3`,
		`koppel_orders_imported_total{profile="winkel"} 5`,
		`koppel_orders_failed_total{profile="winkel"} 2`,
		`koppel_ledger_calls_total{profile="winkel"} 22`,
		`koppel_shop_calls_total{profile="winkel"} 6`,
		`koppel_rate_limit_waits_total{plugin="snelstart"} 2`,
		`koppel_rate_limit_wait_seconds_total{plugin="snelstart"} 2`,
		`koppel_plugin_restarts_total{plugin="woocommerce"} 2`,
		`koppel_plugin_up{plugin="woocommerce"} 1`,
		`koppel_task_running{profile="winkel",task="import_orders"} 1`,
		`koppel_task_running{profile="winkel",task="export_stock"} 0`,
		`koppel_task_next_run_timestamp_seconds{profile="winkel",task="import_orders"} ` +
			strconv.FormatFloat(float64(t0.Add(15*time.Minute).Unix()), 'g', -1, 64),
		`koppel_failed_orders{profile="winkel",status="failed"} 1`,
		`koppel_failed_orders{profile="winkel",status="retrying"} 1`,
		`koppel_failed_orders{profile="magento-nl",status="failed"} 0`,
		"# TYPE koppel_plugin_restarts_total counter",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, `task_next_run_timestamp_seconds{profile="magento-nl"`) {
		t.Error("an on-demand task has a next-run time")
	}
}

func TestMetricsNilSafe(t *testing.T) {
	var m *Metrics
	m.RunFinished("p", "t", ResultOK, time.Second, 1, 0, 1, 1)
	m.ObserveRun("p", "t", pipeline.TaskRun{}, nil, 0)
	m.RateLimitWait("x", time.Second)
	m.connect(metricSource{})
	if m.Registry() != nil {
		t.Fatal("nil Metrics has a registry")
	}
	rec := newRecorder(m.Handler(), "GET", "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("nil Metrics handler: %d", rec.Code)
	}
	// A label that is not valid UTF-8 is dropped, not a panic.
	m = NewMetrics()
	m.RunFinished("bad\xff", "t", ResultOK, time.Second, 1, 0, 1, 1)
	m.RateLimitWait("bad\xff", time.Second)
	m.RunFinished("good", "t", ResultOK, time.Second, 1, 0, 1, 1)
	rec = newRecorder(m.Handler(), "GET", "/metrics")
	if body := rec.Body.String(); !strings.Contains(body, `koppel_runs_total{profile="good",result="ok",task="t"} 1`) || strings.Contains(body, "bad") {
		t.Fatalf("metrics after a bad label:\n%s", body)
	}
}

func TestResultOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   pipeline.TaskRun
		err  error
		want string
	}{
		{"clean", pipeline.TaskRun{RunResult: pipeline.RunResult{Imported: 3}}, nil, ResultOK},
		{"failed order", pipeline.TaskRun{RunResult: pipeline.RunResult{Failed: 1}}, nil, ResultFailedItems},
		{"retrying order", pipeline.TaskRun{RunResult: pipeline.RunResult{Retrying: 1}}, nil, ResultFailedItems},
		{"stock refused", pipeline.TaskRun{Stock: &pipeline.StockSummary{Failed: []pipeline.StockFailure{{}}}}, nil, ResultFailedItems},
		{"error", pipeline.TaskRun{RunResult: pipeline.RunResult{Imported: 3}}, errors.New("x"), ResultError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResultOf(tc.tr, tc.err); got != tc.want {
				t.Fatalf("ResultOf = %q, want %q", got, tc.want)
			}
			s := Summarize(tc.tr, tc.err)
			if s.Result != tc.want || (tc.err != nil) != (s.Error != "") {
				t.Fatalf("Summarize = %+v", s)
			}
		})
	}
}
