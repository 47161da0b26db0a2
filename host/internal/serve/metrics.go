package serve

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// Metrics is koppel's Prometheus registry: counters the scheduler and pipeline increment, and
// gauges read at scrape time from the scheduler, the store and the plugin manager (connected by
// New). Every method is safe for concurrent use and does nothing on a nil *Metrics, so callers
// need not check.
//
// Series (all prefixed koppel_):
//
//	runs_total{profile,task,result}                 finished runs; result ok|failed_items|error
//	run_duration_seconds{profile,task}              histogram of run durations
//	orders_imported_total{profile}                  orders imported (incl. adopted) by runs
//	orders_failed_total{profile}                    orders failed or to be retried, per run
//	ledger_calls_total{profile}                     ledger connector calls made by runs
//	shop_calls_total{profile}                       shop connector calls made by runs
//	rate_limit_waits_total{plugin}                  waits for a rate limit or a Retry-After
//	rate_limit_wait_seconds_total{plugin}           time spent in those waits
//	plugin_restarts_total{plugin}                   restarts of a plugin process (from the manager)
//	plugin_up{plugin}                               1 for every running plugin process
//	task_running{profile,task}                      1 while the task runs
//	task_next_run_timestamp_seconds{profile,task}   next scheduled run (absent when none)
//	failed_orders{profile,status}                   failed orders now stored; status failed|retrying
//	attention_open{profile}                         open attention items (koppel attention)
//
// plus the Go runtime and process collectors.
type Metrics struct {
	reg            *prometheus.Registry
	runs           *prometheus.CounterVec
	runDuration    *prometheus.HistogramVec
	ordersImported *prometheus.CounterVec
	ordersFailed   *prometheus.CounterVec
	ledgerCalls    *prometheus.CounterVec
	shopCalls      *prometheus.CounterVec
	waits          *prometheus.CounterVec
	waitSeconds    *prometheus.CounterVec
	source         atomic.Pointer[metricSource]
}

// metricSource is what the scrape-time collector reads.
type metricSource struct {
	store     *state.Store
	profiles  func() []*config.Profile
	scheduler Scheduler
	plugins   func() []PluginStatus
}

// NewMetrics returns a registry with every koppel series registered.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_runs_total",
		Help: "Finished task runs by profile, task and result (ok, failed_items, error)."}, []string{"profile", "task", "result"})
	m.runDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "koppel_run_duration_seconds",
		Help:    "Duration of task runs.",
		Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}}, []string{"profile", "task"})
	m.ordersImported = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_orders_imported_total",
		Help: "Orders imported into the ledger (including adopted ones)."}, []string{"profile"})
	m.ordersFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_orders_failed_total",
		Help: "Orders that failed or will be retried, counted per run."}, []string{"profile"})
	m.ledgerCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_ledger_calls_total",
		Help: "Ledger connector calls made by runs."}, []string{"profile"})
	m.shopCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_shop_calls_total",
		Help: "Shop connector calls made by runs."}, []string{"profile"})
	m.waits = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_rate_limit_waits_total",
		Help: "Waits for a service's rate limit or Retry-After."}, []string{"plugin"})
	m.waitSeconds = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "koppel_rate_limit_wait_seconds_total",
		Help: "Seconds spent waiting for rate limits."}, []string{"plugin"})
	m.reg.MustRegister(m.runs, m.runDuration, m.ordersImported, m.ordersFailed, m.ledgerCalls, m.shopCalls,
		m.waits, m.waitSeconds, &scrapeCollector{m: m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the underlying registry (to register more collectors).
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus text format (New mounts it on /metrics).
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return promhttp.HandlerFor(prometheus.NewRegistry(), promhttp.HandlerOpts{})
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// RunFinished records one finished run: result is ResultOK, ResultFailedItems or ResultError;
// imported and failed count orders; ledgerCalls and shopCalls the connector calls it made.
func (m *Metrics) RunFinished(profile, task, result string, dur time.Duration, imported, failed int, ledgerCalls, shopCalls int64) {
	if m == nil {
		return
	}
	add(m.runs, 1, profile, task, result)
	if o, err := m.runDuration.GetMetricWithLabelValues(profile, task); err == nil {
		o.Observe(dur.Seconds())
	}
	// Adding 0 still creates the series, so they exist once a profile has run.
	add(m.ordersImported, float64(max(imported, 0)), profile)
	add(m.ordersFailed, float64(max(failed, 0)), profile)
	add(m.ledgerCalls, float64(max(ledgerCalls, 0)), profile)
	add(m.shopCalls, float64(max(shopCalls, 0)), profile)
}

// ObserveRun is RunFinished for what pipeline.RunTask returned (profile and task are taken from
// tr; pass them when tr is empty because the run failed to start). shopCalls is the shop
// connector calls of the run (RunResult does not count them); pass 0 when unknown.
func (m *Metrics) ObserveRun(profile, task string, tr pipeline.TaskRun, err error, shopCalls int64) {
	if m == nil {
		return
	}
	if tr.Profile != "" {
		profile = tr.Profile
	}
	if tr.Task != "" {
		task = tr.Task
	}
	m.RunFinished(profile, task, ResultOf(tr, err), tr.Duration, tr.Imported, tr.Failed+tr.Retrying, tr.LedgerCalls, shopCalls)
}

// add adds v to the counter of labels; labels that are not valid UTF-8 are dropped rather than
// panicking.
func add(c *prometheus.CounterVec, v float64, labels ...string) {
	if ctr, err := c.GetMetricWithLabelValues(labels...); err == nil {
		ctr.Add(v)
	}
}

// RateLimitWait records one wait of d for plugin's rate limit (or a Retry-After it was given).
func (m *Metrics) RateLimitWait(plugin string, d time.Duration) {
	if m == nil {
		return
	}
	add(m.waits, 1, plugin)
	add(m.waitSeconds, max(d.Seconds(), 0), plugin)
}

// connect points the scrape-time gauges at the daemon's parts (New calls it; the last call
// wins).
func (m *Metrics) connect(src metricSource) {
	if m == nil {
		return
	}
	m.source.Store(&src)
}

// scrapeCollector reads the gauges at scrape time.
type scrapeCollector struct{ m *Metrics }

var (
	descPluginRestarts = prometheus.NewDesc("koppel_plugin_restarts_total",
		"Restarts of a plugin process after it died (from the plugin manager).", []string{"plugin"}, nil)
	descPluginUp = prometheus.NewDesc("koppel_plugin_up",
		"1 for every running plugin process.", []string{"plugin"}, nil)
	descTaskRunning = prometheus.NewDesc("koppel_task_running",
		"1 while the task runs, else 0.", []string{"profile", "task"}, nil)
	descTaskNext = prometheus.NewDesc("koppel_task_next_run_timestamp_seconds",
		"Unix time of the task's next scheduled run.", []string{"profile", "task"}, nil)
	descFailedOrders = prometheus.NewDesc("koppel_failed_orders",
		"Failed orders now stored: failed (parked, waiting for the user) or retrying.", []string{"profile", "status"}, nil)
	descAttentionOpen = prometheus.NewDesc("koppel_attention_open",
		"Open attention items: orders cancelled, refunded or changed after import, collisions, differences (koppel attention).", []string{"profile"}, nil)
)

// scrapeTimeout bounds reading the failed orders during a scrape.
const scrapeTimeout = 5 * time.Second

// emit sends a const metric; one that cannot be built (a label that is not valid UTF-8) is left
// out rather than panicking.
func emit(ch chan<- prometheus.Metric, d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
	if m, err := prometheus.NewConstMetric(d, t, v, labels...); err == nil {
		ch <- m
	}
}

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPluginRestarts, descPluginUp, descTaskRunning, descTaskNext, descFailedOrders, descAttentionOpen} {
		ch <- d
	}
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	src := c.m.source.Load()
	if src == nil {
		return
	}
	if src.plugins != nil {
		for _, p := range src.plugins() {
			emit(ch, descPluginRestarts, prometheus.CounterValue, float64(p.Restarts), p.Name)
			emit(ch, descPluginUp, prometheus.GaugeValue, 1, p.Name)
		}
	}
	if src.profiles == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	for _, p := range src.profiles() {
		if p == nil {
			continue
		}
		if src.scheduler != nil {
			for _, t := range src.scheduler.Status(p.Name) {
				running := 0.0
				if t.Running {
					running = 1
				}
				emit(ch, descTaskRunning, prometheus.GaugeValue, running, p.Name, t.Task)
				if !t.Next.IsZero() {
					emit(ch, descTaskNext, prometheus.GaugeValue, float64(t.Next.UnixMilli())/1000, p.Name, t.Task)
				}
			}
		}
		if src.store != nil {
			parked, retrying := 0, 0
			err := pipeline.ListFailedRecords(ctx, src.store, p.Name, func(f pipeline.FailedRecord) error {
				if f.Parked {
					parked++
				} else {
					retrying++
				}
				return nil
			})
			if err == nil {
				emit(ch, descFailedOrders, prometheus.GaugeValue, float64(parked), p.Name, orderFailed)
				emit(ch, descFailedOrders, prometheus.GaugeValue, float64(retrying), p.Name, orderRetrying)
			}
			if n, err := attention.CountOpen(ctx, src.store, p.Name); err == nil {
				emit(ch, descAttentionOpen, prometheus.GaugeValue, float64(n), p.Name)
			}
		}
	}
}
