package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
)

// ProfilesJSON is the answer of GET /api/profiles.
type ProfilesJSON struct {
	Profiles []ProfileJSON `json:"profiles"`
	// Plugins are the running plugin processes.
	Plugins []PluginStatus `json:"plugins"`
}

// ProfileJSON is one profile: names only, never its shop or ledger settings.
type ProfileJSON struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Shop and Ledger are the plugin names.
	Shop   string     `json:"shop"`
	Ledger string     `json:"ledger"`
	Tasks  []TaskJSON `json:"tasks"`
}

// TaskJSON is one task of a profile with its schedule.
type TaskJSON struct {
	Task string `json:"task"`
	// EverySeconds is the interval in seconds (every duration in the API is in seconds); 0
	// means on demand only.
	EverySeconds int64 `json:"every_seconds"`
	// Next is the next scheduled run; absent when none is scheduled.
	Next         *time.Time `json:"next,omitempty"`
	Running      bool       `json:"running"`
	RunningSince *time.Time `json:"running_since,omitempty"`
	// Last is the last run since the daemon started; absent when there was none.
	Last *LastRunJSON `json:"last,omitempty"`
}

// LastRunJSON is the summary of a task's last run.
type LastRunJSON struct {
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Result         string    `json:"result"`
	Error          string    `json:"error,omitempty"`
	Imported       int       `json:"imported"`
	AlreadyPresent int       `json:"already_present"`
	Failed         int       `json:"failed"`
	Skipped        int       `json:"skipped"`
}

// RunsJSON is the answer of GET /api/runs.
type RunsJSON struct {
	Runs []RunJSON `json:"runs"`
}

// RunJSON is one recorded run, newest first.
type RunJSON struct {
	Profile         string    `json:"profile"`
	Task            string    `json:"task"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	DurationSeconds float64   `json:"duration_seconds"`
	// Result is ok, failed_items or error.
	Result         string `json:"result"`
	Error          string `json:"error,omitempty"`
	Stopped        string `json:"stopped,omitempty"`
	Imported       int    `json:"imported"`
	AlreadyPresent int    `json:"already_present"`
	Waiting        int    `json:"waiting"`
	Failed         int    `json:"failed"`
	Retrying       int    `json:"retrying"`
	Skipped        int    `json:"skipped"`
	LedgerCalls    int64  `json:"ledger_calls"`
	// Articles and Stock hold the counts of import_articles and export_stock runs.
	Articles *ArticleCountsJSON `json:"articles,omitempty"`
	Stock    *StockCountsJSON   `json:"stock,omitempty"`
	// Orders are the run's order outcomes, only with ?orders=1 (no customer names).
	Orders    []pipeline.OrderOutcome `json:"orders,omitempty"`
	Truncated bool                    `json:"truncated,omitempty"`
}

// ArticleCountsJSON are the counts of an import_articles run.
type ArticleCountsJSON struct {
	Listed   int `json:"listed"`
	Created  int `json:"created"`
	Updated  int `json:"updated"`
	Linked   int `json:"linked"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	Retrying int `json:"retrying"`
}

// StockCountsJSON are the counts of an export_stock run.
type StockCountsJSON struct {
	Articles  int `json:"articles"`
	Tracked   int `json:"tracked"`
	Written   int `json:"written"`
	Unchanged int `json:"unchanged"`
	NotInShop int `json:"not_in_shop"`
	Failed    int `json:"failed"`
	HeldBack  int `json:"held_back"`
}

// OrdersJSON is the answer of GET /api/orders.
type OrdersJSON struct {
	Orders []OrderJSON `json:"orders"`
}

// ActionJSON is the answer of the POST endpoints (202 Accepted).
type ActionJSON struct {
	// Count is the number of orders a retry-failed started again.
	Count   int    `json:"count,omitempty"`
	Status  string `json:"status"` // "started"
	Profile string `json:"profile"`
	Task    string `json:"task,omitempty"`
	RunID   string `json:"run_id,omitempty"`
	ShopID  string `json:"shop_id,omitempty"`
	// ShopNumber is the retried order's number in the shop.
	ShopNumber string `json:"shop_number,omitempty"`
}

// ErrorJSON is the body of every error answer.
type ErrorJSON struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, ErrorJSON{Error: msg})
}

// parseLimit reads ?limit= (default DefaultLimit, 1..MaxLimit).
func parseLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, fmt.Errorf("limit must be a number from 1 to %d", MaxLimit)
	}
	return n, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// taskList merges the profile's task blocks with the scheduler's statuses: the scheduler's
// order and data first, then task blocks it does not report.
func (s *server) taskList(p *config.Profile) []TaskStatus {
	st := s.status(p.Name)
	seen := make(map[string]bool, len(st))
	for _, t := range st {
		seen[t.Task] = true
	}
	for _, t := range p.Tasks {
		if !seen[string(t.Name)] {
			st = append(st, TaskStatus{Task: string(t.Name), Every: t.Every, Next: t.Next})
		}
	}
	return st
}

func lastJSON(l *RunSummary) *LastRunJSON {
	if l == nil {
		return nil
	}
	return &LastRunJSON{Start: l.Start, End: l.End, Result: l.Result, Error: l.Error, Imported: l.Imported,
		AlreadyPresent: l.AlreadyPresent, Failed: l.Failed, Skipped: l.Skipped}
}

func (s *server) plugins() []PluginStatus {
	if s.opts.Plugins == nil {
		return []PluginStatus{}
	}
	ps := s.opts.Plugins()
	if ps == nil {
		return []PluginStatus{}
	}
	return ps
}

// apiProfiles answers GET /api/profiles.
func (s *server) apiProfiles(w http.ResponseWriter, _ *http.Request) {
	out := ProfilesJSON{Profiles: []ProfileJSON{}, Plugins: s.plugins()}
	for _, p := range s.profiles() {
		pj := ProfileJSON{Name: p.Name, Description: p.Description, Shop: p.Shop.Name, Ledger: p.Ledger.Name, Tasks: []TaskJSON{}}
		for _, t := range s.taskList(p) {
			pj.Tasks = append(pj.Tasks, TaskJSON{
				Task: t.Task, EverySeconds: int64(t.Every / time.Second),
				Next: timePtr(t.Next), Running: t.Running, RunningSince: timePtr(t.RunningSince), Last: lastJSON(t.Last),
			})
		}
		out.Profiles = append(out.Profiles, pj)
	}
	writeJSON(w, http.StatusOK, out)
}

func runJSON(r pipeline.TaskRunRecord, withOrders bool) RunJSON {
	out := RunJSON{
		Profile: r.Profile, Task: r.Task, Start: r.Start, End: r.End, DurationSeconds: r.Duration.Seconds(),
		Result: recordResult(r), Error: r.Error, Stopped: r.Stopped,
		Imported: r.Imported, AlreadyPresent: r.AlreadyPresent, Waiting: r.Waiting, Failed: r.Failed,
		Retrying: r.Retrying, Skipped: r.Skipped, LedgerCalls: r.LedgerCalls, Truncated: r.Truncated,
	}
	if a := r.Articles; a != nil {
		out.Articles = &ArticleCountsJSON{Listed: a.Listed, Created: a.Created, Updated: a.Updated, Linked: a.Linked,
			Skipped: a.Skipped, Failed: a.Failed, Retrying: a.Retrying}
	}
	if st := r.Stock; st != nil {
		out.Stock = &StockCountsJSON{Articles: st.Articles, Tracked: st.Tracked, Written: st.Written, Unchanged: st.Unchanged,
			NotInShop: len(st.NotInShop) + st.NotInShopKnown, Failed: len(st.Failed) + st.FailedTruncated, HeldBack: len(st.HeldBack)}
	}
	if withOrders {
		out.Orders = make([]pipeline.OrderOutcome, 0, len(r.Orders))
		for _, o := range r.Orders {
			o.CustomerName = "" // stored records have none; never let one through
			out.Orders = append(out.Orders, o)
		}
	}
	return out
}

// apiRuns answers GET /api/runs?profile=&task=&limit=&orders=1.
func (s *server) apiRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	task := q.Get("task")
	if task != "" && !config.ValidTaskName(task) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown task %q", task))
		return
	}
	profiles, err := s.selectProfiles(q.Get("profile"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	runs, err := s.recentRuns(r.Context(), profiles, task, limit)
	if err != nil {
		s.log.Error("reading runs", "error", err)
		writeError(w, http.StatusInternalServerError, "reading the runs failed")
		return
	}
	withOrders := q.Get("orders") == "1" || q.Get("orders") == "true"
	out := RunsJSON{Runs: make([]RunJSON, 0, len(runs))}
	for _, rec := range runs {
		out.Runs = append(out.Runs, runJSON(rec, withOrders))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiOrders answers GET /api/orders?profile=&status=&limit=.
func (s *server) apiOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := parseLimit(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f, err := parseOrderStatus(q.Get("status"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	profiles, err := s.selectProfiles(q.Get("profile"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	orders, err := s.listOrders(r.Context(), profiles, f, limit)
	if err != nil {
		s.log.Error("reading orders", "error", err)
		writeError(w, http.StatusInternalServerError, "reading the orders failed")
		return
	}
	writeJSON(w, http.StatusOK, OrdersJSON{Orders: orders})
}

// fromPage reports whether a POST came from the dashboard's forms (answered with a redirect).
func fromPage(r *http.Request) bool {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	return r.PostFormValue("from") == "page"
}

// actionDone answers a POST: JSON for scripts, a redirect with a notice for the page.
func (s *server) actionDone(w http.ResponseWriter, r *http.Request, page bool, status int, body any, notice string, params url.Values) {
	if page {
		params.Set("notice", notice)
		http.Redirect(w, r, "/?"+params.Encode(), http.StatusSeeOther)
		return
	}
	if e, ok := body.(string); ok {
		writeError(w, status, e)
		return
	}
	writeJSON(w, status, body)
}

// actionStatus maps a Scheduler or Retrier error to an HTTP status and a notice.
func actionStatus(err error) (int, string) {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, ErrBusy):
		return http.StatusConflict, "busy"
	}
	return http.StatusInternalServerError, "failed"
}

// runNow answers POST /api/profiles/{p}/tasks/{t}/run.
func (s *server) runNow(w http.ResponseWriter, r *http.Request) {
	profile, task := r.PathValue("p"), r.PathValue("t")
	page := fromPage(r)
	params := url.Values{"profile": {profile}, "task": {task}}
	log := s.log.With("profile", profile, "task", task, "remote", r.RemoteAddr)
	switch {
	case s.opts.Scheduler == nil:
		log.Warn("run now refused: no scheduler")
		s.actionDone(w, r, page, http.StatusServiceUnavailable, "this koppel runs no scheduler", "unavailable", params)
		return
	case s.profile(profile) == nil:
		log.Warn("run now refused: unknown profile")
		s.actionDone(w, r, page, http.StatusNotFound, fmt.Sprintf("unknown profile %q", profile), "not_found", params)
		return
	case !config.ValidTaskName(task):
		log.Warn("run now refused: unknown task")
		s.actionDone(w, r, page, http.StatusNotFound, fmt.Sprintf("unknown task %q", task), "not_found", params)
		return
	}
	log.Info("run now requested")
	id, err := s.opts.Scheduler.RunNow(r.Context(), profile, task)
	if err != nil {
		status, notice := actionStatus(err)
		log.Warn("run now refused", "error", err)
		s.actionDone(w, r, page, status, err.Error(), "run_"+notice, params)
		return
	}
	log.Info("run started", "run_id", id)
	s.actionDone(w, r, page, http.StatusAccepted, ActionJSON{Status: "started", Profile: profile, Task: task, RunID: id}, "run_started", params)
}

// retry answers POST /api/profiles/{p}/orders/{id}/retry.
func (s *server) retry(w http.ResponseWriter, r *http.Request) {
	profile, id := r.PathValue("p"), r.PathValue("id")
	page := fromPage(r)
	params := url.Values{"profile": {profile}, "order": {id}}
	log := s.log.With("profile", profile, "order", id, "remote", r.RemoteAddr)
	if !s.canRetry(w, r, page, profile, params, log, "retry") {
		return
	}
	rec, err := s.findFailed(r.Context(), profile, id)
	if err != nil {
		status, _ := actionStatus(err)
		log.Warn("retry refused", "error", err)
		msg := err.Error()
		if status == http.StatusInternalServerError {
			msg = "reading the failed order failed"
		}
		s.actionDone(w, r, page, status, msg, "retry_not_found", params)
		return
	}
	params.Set("order", rec.ShopNumber)
	log = log.With("shop_id", rec.ShopID, "shop_number", rec.ShopNumber)
	log.Info("retry requested")
	if err := s.opts.Retrier.Retry(r.Context(), profile, []string{rec.ShopID}); err != nil {
		status, notice := actionStatus(err)
		log.Warn("retry refused", "error", err)
		s.actionDone(w, r, page, status, err.Error(), "retry_"+notice, params)
		return
	}
	log.Info("retry started")
	s.actionDone(w, r, page, http.StatusAccepted, ActionJSON{Status: "started", Profile: profile, ShopID: rec.ShopID, ShopNumber: rec.ShopNumber}, "retry_started", params)
}

// retryFailed answers POST /api/profiles/{p}/orders/retry-failed ("Opnieuw alle"): every
// failed order of the profile is imported again in one run.
func (s *server) retryFailed(w http.ResponseWriter, r *http.Request) {
	profile := r.PathValue("p")
	page := fromPage(r)
	params := url.Values{"profile": {profile}}
	log := s.log.With("profile", profile, "remote", r.RemoteAddr)
	if !s.canRetry(w, r, page, profile, params, log, "retry of all failed orders") {
		return
	}
	var ids []string
	err := pipeline.ListFailedRecords(r.Context(), s.opts.Store, profile, func(f pipeline.FailedRecord) error {
		ids = append(ids, f.ShopID)
		return nil
	})
	if err != nil {
		log.Error("reading the failed orders", "error", err)
		s.actionDone(w, r, page, http.StatusInternalServerError, "reading the failed orders failed", "retry_all_failed", params)
		return
	}
	params.Set("order", strconv.Itoa(len(ids)))
	if len(ids) == 0 {
		s.actionDone(w, r, page, http.StatusOK, ActionJSON{Status: "nothing_to_retry", Profile: profile}, "retry_all_none", params)
		return
	}
	log.Info("retry of all failed orders requested", "count", len(ids))
	if err := s.opts.Retrier.Retry(r.Context(), profile, ids); err != nil {
		status, notice := actionStatus(err)
		log.Warn("retry of all failed orders refused", "error", err)
		s.actionDone(w, r, page, status, err.Error(), "retry_all_"+notice, params)
		return
	}
	log.Info("retry of all failed orders started", "count", len(ids))
	s.actionDone(w, r, page, http.StatusAccepted, ActionJSON{Status: "started", Profile: profile, Count: len(ids)}, "retry_all_started", params)
}

// canRetry answers a retry request that cannot be served (no retrier, unknown profile) and
// reports whether it can; what names the action in the log.
func (s *server) canRetry(w http.ResponseWriter, r *http.Request, page bool, profile string, params url.Values, log hclog.Logger, what string) bool {
	switch {
	case s.opts.Retrier == nil:
		log.Warn(what + " refused: no retrier")
		s.actionDone(w, r, page, http.StatusServiceUnavailable, "this koppel cannot retry orders", "unavailable", params)
		return false
	case s.profile(profile) == nil:
		log.Warn(what + " refused: unknown profile")
		s.actionDone(w, r, page, http.StatusNotFound, fmt.Sprintf("unknown profile %q", profile), "not_found", params)
		return false
	}
	return true
}
