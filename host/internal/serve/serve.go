// Package serve is koppel's web face: the dashboard ("Uitvoering", Dutch with an English
// switch), the JSON HTTP API of spec/cli.md and the Prometheus /metrics endpoint, as one
// http.Handler that `koppel run` and `koppel demo` mount on koppel.listen.
//
// The handler reads the state store through the pipeline package's List*/Get* functions and
// reaches the running daemon only through the small interfaces below (Scheduler, Retrier, the
// Profiles and Plugins functions), so it can be tested with fakes and adapted to the real
// scheduler. Every action is a POST and is logged; when RequireToken is set every request except
// /healthz and the static assets needs the API token (see auth.go). No page and no API answer
// holds a secret: plugin configuration is never shown, failed orders are shown without their
// shop payload.
package serve

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/plugins"
	"github.com/koppel-nl/koppel/host/internal/state"
)

//go:embed templates/*.html static/*
var assets embed.FS

// ErrNotFound is returned (wrapped or not) by a Scheduler or Retrier for an unknown profile,
// task or order; the API answers 404.
var ErrNotFound = errors.New("not found")

// ErrBusy is returned (wrapped or not) by a Scheduler or Retrier when the task is already
// running (or its lock is held by another koppel process); the API answers 409.
var ErrBusy = errors.New("already running")

// Scheduler is what the handler needs of the daemon's scheduler.
type Scheduler interface {
	// RunNow starts task of profile now ("nu uitvoeren") and returns without waiting for the
	// run to finish; runID identifies the run (free form, shown to API clients). Once RunNow
	// has returned, Status must report the task as Running until the run ends (the page keeps
	// refreshing while it does). An unknown profile or task is ErrNotFound, a task that is
	// already running ErrBusy. ctx is the request's context: it bounds starting the run, not
	// the run itself.
	RunNow(ctx context.Context, profile, task string) (runID string, err error)
	// Status returns the tasks of profile, in the order they should be shown: interval, next
	// run, whether one is running and the last run since the daemon started. It must not
	// block on a running task and must be safe for concurrent use.
	Status(profile string) []TaskStatus
}

// TaskStatus is the scheduler's view of one task of a profile.
type TaskStatus struct {
	// Task is the task name (config.TaskName values).
	Task string
	// Every is the interval; 0 means the task only runs on demand.
	Every time.Duration
	// Next is the next scheduled run; zero when none is scheduled.
	Next time.Time
	// Running is true while a run of the task is going; RunningSince is when it started.
	Running      bool
	RunningSince time.Time
	// Last is the last run finished since the daemon started; nil when there was none (the
	// page then shows the newest stored run of the task).
	Last *RunSummary
}

// RunSummary is the outcome of one finished run, as the scheduler keeps it in memory.
type RunSummary struct {
	Start, End time.Time
	// Result is ResultOK, ResultFailedItems or ResultError (see ResultOf).
	Result string
	// Error is the error that ended the run, if any (already free of secrets).
	Error string
	// Counts of orders (or articles for import_articles) by outcome.
	Imported, AlreadyPresent, Failed, Skipped int
	// Orders are the run's order outcomes. They may carry CustomerName (in memory only); the
	// dashboard does not show it, but the name the order record keeps (a business customer's).
	Orders []pipeline.OrderOutcome
}

// Run results, the result label of runs in the API, the page and /metrics.
const (
	ResultOK          = "ok"           // the run finished and nothing failed
	ResultFailedItems = "failed_items" // the run finished but orders, articles or stock levels failed
	ResultError       = "error"        // an error ended the run
	ResultAborted     = "aborted"      // a stored run whose process ended before it finished (killed)
	ResultRunning     = "running"      // a stored run that is still going on in this process
)

// ResultOf classifies a finished run: ResultError when err is not nil, ResultFailedItems when
// tr.FailedItems() > 0, else ResultOK.
func ResultOf(tr pipeline.TaskRun, err error) string {
	switch {
	case err != nil:
		return ResultError
	case tr.FailedItems() > 0:
		return ResultFailedItems
	}
	return ResultOK
}

// Summarize turns what pipeline.RunTask returned into the RunSummary a Scheduler reports.
// err's text is copied into Error: pass only errors free of secrets (the pipeline's are).
func Summarize(tr pipeline.TaskRun, err error) *RunSummary {
	s := &RunSummary{
		Start: tr.Start, End: tr.End, Result: ResultOf(tr, err),
		Imported: tr.Imported, AlreadyPresent: tr.AlreadyPresent, Failed: tr.Failed + tr.Retrying,
		Skipped: tr.Skipped, Orders: tr.Orders,
	}
	if tr.Stock != nil {
		s.Failed += len(tr.Stock.Failed) + tr.Stock.FailedTruncated
	}
	if err != nil {
		s.Error = err.Error()
	}
	return s
}

// Retrier re-runs failed orders ("Opnieuw").
type Retrier interface {
	// Retry starts re-running the failed orders shopIDs (shop ids, as in FailedRecord.ShopID)
	// of profile and returns without waiting for them to finish, like Scheduler.RunNow; the
	// run shows up in the runs list when it is done. ErrNotFound for an unknown profile,
	// ErrBusy when the profile's import is running. ctx is the request's context.
	Retry(ctx context.Context, profile string, shopIDs []string) error
}

// PluginStatus is one running plugin process, as the dashboard and /metrics show it.
type PluginStatus struct {
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Version  string    `json:"version"`
	Protocol int       `json:"protocol"`
	PID      int       `json:"pid"`
	Started  time.Time `json:"started"`
	Restarts int       `json:"restarts"`
}

// PluginStatuses adapts a plugin manager for Options.Plugins.
func PluginStatuses(m *plugins.Manager) func() []PluginStatus {
	return func() []PluginStatus {
		procs := m.Processes()
		out := make([]PluginStatus, 0, len(procs))
		for _, p := range procs {
			out = append(out, PluginStatus{
				Name: p.Name, Kind: string(p.Info.Kind), Version: p.Info.Version, Protocol: p.Info.Protocol,
				PID: p.PID, Started: p.Started, Restarts: p.Restarts,
			})
		}
		return out
	}
}

// Options configure the handler New returns.
type Options struct {
	// Store is the state store the records are read from. Required.
	Store *state.Store
	// Profiles returns the current profiles (the daemon reloads them on SIGHUP). Required.
	Profiles func() []*config.Profile
	// Scheduler runs tasks now and reports their schedule; nil hides the run buttons and
	// makes POST .../run answer 503.
	Scheduler Scheduler
	// Retrier re-runs failed orders; nil hides the retry buttons and makes POST .../retry
	// answer 503.
	Retrier Retrier
	// Plugins lists the running plugin processes (PluginStatuses adapts plugins.Manager); nil
	// shows none.
	Plugins func() []PluginStatus
	// APIToken is koppel.api_token. Never logged or shown.
	APIToken string
	// RequireToken makes every request except /healthz and /static/ need APIToken (bearer
	// header or the login cookie). Set it when koppel.listen is not a loopback address
	// (config.KoppelBlock.ListenIsLoopback); New refuses RequireToken with an empty APIToken.
	// Without it, requests are only accepted with a loopback Host header (a defence against
	// DNS rebinding).
	RequireToken bool
	// Logger receives one line per action (run now, retry, login) and per refused request;
	// nil discards.
	Logger hclog.Logger
	// Metrics is served on /metrics; New connects it to Profiles, Scheduler, Store and Plugins
	// for the gauges read at scrape time. nil serves a fresh NewMetrics().
	Metrics *Metrics
	// Location is the time zone times are shown in; nil means time.Local.
	Location *time.Location
	// Healthz, when set, answers GET /healthz instead of the built-in {"status":"ok"} (the
	// daemon's own, which says 503 while stopping). It never needs the token.
	Healthz http.Handler
	// Version is shown in the page footer and in /healthz.
	Version string
	// Planner makes the previews of the "Voorbeeld" page and GET /api/profiles/{p}/plan; nil
	// hides the link and answers 503.
	Planner Planner
	// Commands runs the commands other koppel processes forward while this daemon holds the
	// state store (POST /api/cli); nil answers 503.
	Commands CommandRunner
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// server is the handler New builds.
type server struct {
	opts  Options
	log   hclog.Logger
	now   func() time.Time
	loc   *time.Location
	pages *template.Template
	// sessions are the dashboard logins; throttle counts failed logins per address.
	sessions sessions
	throttle throttle
	metrics  *Metrics
}

// Limits of what one request reads.
const (
	// DefaultLimit and MaxLimit bound ?limit= of /api/runs and /api/orders.
	DefaultLimit = 100
	MaxLimit     = 10000
	// pageRuns is how many runs per profile the dashboard shows; pageOrders how many orders.
	pageRuns   = 10
	pageOrders = 50
	pageFailed = 200
)

// New returns the handler serving the dashboard on /, the API under /api/, /metrics and
// /healthz. It fails when a required option is missing or RequireToken has no APIToken.
//
// Routes (all answers that are not HTML are JSON, errors as {"error": "..."}):
//
//	GET  /                                    dashboard (?lang=en|nl, remembered in a cookie)
//	GET  /login, POST /login, POST /logout    token login for browsers (RequireToken only)
//	GET  /static/...                          CSS and JS, embedded
//	GET  /healthz                             {"status":"ok","version":...}; never needs the token
//	GET  /metrics                             Prometheus text format
//	GET  /api/profiles                        profiles, tasks, schedule, plugins
//	GET  /api/runs?profile=&task=&limit=      recent runs, newest first
//	GET  /api/orders?profile=&status=&limit=  imported and failed orders, newest first
//	POST /api/profiles/{p}/tasks/{t}/run      202 {"run_id":...}; 404, 409, 503
//	POST /api/profiles/{p}/orders/{id}/retry  202; {id} is a shop id or shop order number
//	GET  /api/attention?profile=&kind=&all=1  open attention items (all=1: resolved ones too)
//	POST /api/profiles/{p}/attention/{id}/resolve  200 {"status":"resolved",...}; 404
//
// A POST from the dashboard's forms (form field from=page) is answered with a redirect to the
// page instead of JSON. Cross-origin browser POSTs are refused (http.CrossOriginProtection).
func New(opts Options) (http.Handler, error) {
	if opts.Store == nil {
		return nil, errors.New("serve: Options.Store is required")
	}
	if opts.Profiles == nil {
		return nil, errors.New("serve: Options.Profiles is required")
	}
	if opts.RequireToken && opts.APIToken == "" {
		return nil, errors.New("serve: an API token is required when listen is not a loopback address (koppel.api_token)")
	}
	s := &server{opts: opts, log: opts.Logger, now: opts.Now, loc: opts.Location, metrics: opts.Metrics}
	if s.log == nil {
		s.log = hclog.NewNullLogger()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.metrics.connect(metricSource{store: opts.Store, profiles: opts.Profiles, scheduler: opts.Scheduler, plugins: opts.Plugins})
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("serve: parse templates: %w", err)
	}
	s.pages = pages
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("serve: static assets: %w", err)
	}

	mux := http.NewServeMux()
	if opts.Healthz != nil {
		mux.Handle("GET /healthz", opts.Healthz)
	} else {
		mux.HandleFunc("GET /healthz", s.healthz)
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", noDirs(http.FileServerFS(static))))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	mux.Handle("GET /{$}", s.auth(authPage, http.HandlerFunc(s.dashboard)))
	mux.Handle("GET /metrics", s.auth(authAPI, s.metrics.Handler()))
	mux.Handle("GET /api/profiles", s.auth(authAPI, http.HandlerFunc(s.apiProfiles)))
	mux.Handle("GET /api/runs", s.auth(authAPI, http.HandlerFunc(s.apiRuns)))
	mux.Handle("GET /api/orders", s.auth(authAPI, http.HandlerFunc(s.apiOrders)))
	mux.Handle("POST /api/profiles/{p}/tasks/{t}/run", s.auth(authAPI, http.HandlerFunc(s.runNow)))
	mux.Handle("POST /api/profiles/{p}/orders/retry-failed", s.auth(authAPI, http.HandlerFunc(s.retryFailed)))
	mux.Handle("POST /api/profiles/{p}/orders/{id}/retry", s.auth(authAPI, http.HandlerFunc(s.retry)))
	mux.Handle("GET /profiles/{p}/plan", s.auth(authPage, http.HandlerFunc(s.previewPage)))
	mux.Handle("GET /api/profiles/{p}/plan", s.auth(authAPI, http.HandlerFunc(s.apiPlan)))
	mux.Handle("POST /api/cli", s.auth(authAPI, http.HandlerFunc(s.apiCommand)))
	mux.Handle("GET /api/attention", s.auth(authAPI, http.HandlerFunc(s.apiAttention)))
	mux.Handle("POST /api/profiles/{p}/attention/{id}/resolve", s.auth(authAPI, http.HandlerFunc(s.resolveAttention)))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("refused cross-origin request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return securityHeaders(s.hostCheck(cop.Handler(mux))), nil
}

// healthz answers {"status":"ok"}: the daemon is up and serving.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
}

// securityHeaders sets headers that keep the page from being framed, sniffed or leaking its
// URL, and a content security policy that allows only the embedded CSS and JS.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

// noDirs refuses directory listings of the static assets.
func noDirs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || r.URL.Path[len(r.URL.Path)-1] == '/' {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}
