package serve

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// templateFuncs are the helpers the templates use beside pageData's methods.
var templateFuncs = template.FuncMap{
	"moneyPtr": func(m sdk.Money) *sdk.Money { return &m },
}

// pageScanRuns is how many of a profile's newest runs the page reads to find each task's last
// result when the scheduler has none (the daemon was restarted since).
const pageScanRuns = 50

// pageData is what templates/dashboard.html renders.
type pageData struct {
	tr
	// Other is the language the switch leads to.
	Other string
	// Running is true while any task runs: the page refreshes itself then.
	Running bool
	// Stamp changes whenever a new run is recorded: the script stops watching when it does.
	Stamp      string
	Notice     string
	Profiles   []profileView
	Plugins    []PluginStatus
	ShowLogout bool
	CanRun     bool
	CanRetry   bool
	// CanPlan shows the "Voorbeeld" (preview) link of each profile.
	CanPlan bool
	Version string
}

// profileView is one profile's section of the page.
type profileView struct {
	Name, Description, Shop, Ledger string
	Tasks                           []taskView
	Runs                            []runView
	Orders                          []orderView
	Failed                          []failedView
	// Attention are the open attention items ("Aandacht nodig"), oldest first.
	Attention []attentionView
	// FailedMore counts failed orders beyond the ones shown.
	FailedMore int
	// Waiting counts the orders waiting in the shop for a status koppel imports (they hold their
	// articles' stock back from the stock export).
	Waiting int
	// Err is set when reading the profile's records failed.
	Err string
}

type taskView struct {
	Task         string
	Label        string
	Every        time.Duration
	Next         time.Time
	Running      bool
	RunningSince time.Time
	// Last* describe the last run; LastResult is "" when there was none.
	LastResult string
	LastError  string
	LastEnd    time.Time
	LastCounts string
}

type runView struct {
	Task                          string
	Label                         string
	Start                         time.Time
	Duration                      time.Duration
	Result, Error, Stopped, Extra string
	// ErrorShort is the first sentence of Error (text.Brief); ErrorMore says Error says more
	// (folded behind "details"). Error and Stopped are in the page's language.
	ErrorShort                                         string
	ErrorMore                                          bool
	Imported, AlreadyPresent, Waiting, Failed, Skipped int
	LedgerCalls                                        int64
}

type orderView struct {
	ShopNumber   string
	LedgerNumber int
	// InvoiceNumber is the factuurnummer of an order booked as a sales invoice
	// (orders.book_as = "invoice"), which has no SnelStart order number.
	InvoiceNumber string
	CustomerCode  int
	// CustomerName is the name the order record keeps: a business customer's only (see
	// pipeline.BusinessName); "" for a private person, whose name is not kept.
	CustomerName string
	Total        *sdk.Money
	Status       string
	At           time.Time
}

// attentionView is one open attention item on the page.
type attentionView struct {
	ID, Kind, ShopNumber   string
	LedgerNumber           int
	ShopTotal, LedgerTotal *sdk.Money
	Message, Action        string
	Created                time.Time
}

type failedView struct {
	ShopID, ShopNumber, Reason, Status string
	// Short is the reason's headline (what to do next, text.Headline); More says the whole
	// Reason is folded behind it.
	Short string
	More  bool
	// CustomerName is from the shop data a failed order keeps until it is resolved: the
	// company, else the person's name.
	CustomerName string
	Attempts     int
	LastFailed   time.Time
}

// TaskLabel returns the human name of a task, or the name itself.
func (t tr) TaskLabel(task string) string {
	if m, ok := t.printer().Lookup("task." + task); ok {
		return m
	}
	return task
}

// dashboard renders GET /.
func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	lang := pickLang(w, r)
	d := pageData{
		tr:    tr{lang: lang, loc: s.loc, now: s.now()},
		Other: langEN, ShowLogout: s.opts.RequireToken,
		CanRun: s.opts.Scheduler != nil, CanRetry: s.opts.Retrier != nil, CanPlan: s.opts.Planner != nil,
		Plugins: s.plugins(), Version: s.opts.Version,
	}
	if lang == langEN {
		d.Other = langNL
	}
	d.Notice = s.notice(d.tr, r)
	for _, p := range s.profiles() {
		pv := s.profileView(r.Context(), d.tr, p)
		for _, t := range pv.Tasks {
			d.Running = d.Running || t.Running
		}
		if len(pv.Runs) > 0 {
			d.Stamp += pv.Name + "@" + strconv.FormatInt(pv.Runs[0].Start.UnixNano(), 36) + ";"
		}
		d.Profiles = append(d.Profiles, pv)
	}
	s.render(w, "dashboard.html", d)
}

// render executes the page template name with d and writes it, uncached.
func (s *server) render(w http.ResponseWriter, name string, d any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, d); err != nil {
		s.log.Error("rendering a page", "page", name, "error", err)
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// notice is the message of ?notice= after a POST from the page ("" for none or an unknown one).
func (s *server) notice(t tr, r *http.Request) string {
	q := r.URL.Query()
	code := q.Get("notice")
	if code == "" {
		return ""
	}
	if _, ok := t.printer().Lookup("notice." + code); !ok {
		return ""
	}
	return t.T("notice."+code, q.Get("profile"), t.TaskLabel(q.Get("task")), q.Get("order"))
}

// profileView reads what the page shows of one profile.
func (s *server) profileView(ctx context.Context, t tr, p *config.Profile) profileView {
	pv := profileView{Name: p.Name, Description: p.Description, Shop: p.Shop.Name, Ledger: p.Ledger.Name}
	tasks := s.taskList(p)

	// One pass over the newest runs: the runs table, and the last run of tasks the scheduler
	// has no result for.
	lastStored := map[string]pipeline.TaskRunRecord{}
	var runs []pipeline.TaskRunRecord
	n := 0
	err := pipeline.ListTaskRuns(ctx, s.opts.Store, p.Name, pageScanRuns, func(rec pipeline.TaskRunRecord) error {
		n++
		if len(runs) < pageRuns {
			runs = append(runs, rec)
		}
		if _, ok := lastStored[rec.Task]; !ok {
			lastStored[rec.Task] = rec
		}
		if len(runs) >= pageRuns && len(lastStored) >= len(tasks) {
			return state.ErrStop
		}
		return nil
	})
	if err != nil {
		s.log.Error("reading runs for the dashboard", "profile", p.Name, "error", err)
		pv.Err = err.Error()
	}

	for _, ts := range tasks {
		tv := taskView{Task: ts.Task, Label: t.TaskLabel(ts.Task), Every: ts.Every, Next: ts.Next,
			Running: ts.Running, RunningSince: ts.RunningSince}
		if l := ts.Last; l != nil {
			tv.LastResult, tv.LastError, tv.LastEnd = l.Result, l.Error, l.End
			tv.LastCounts = countsText(t, l.Imported, l.AlreadyPresent, l.Failed, l.Skipped)
		} else if rec, ok := lastStored[ts.Task]; ok {
			tv.LastResult, tv.LastError, tv.LastEnd = recordResult(rec), rec.Error, rec.End
			tv.LastCounts = countsText(t, rec.Imported, rec.AlreadyPresent, rec.Failed+rec.Retrying, rec.Skipped)
			if st := rec.Stock; st != nil && rec.Task == pipeline.TaskExportStock {
				tv.LastCounts = t.T("stock_counts", st.Written, st.Unchanged)
			}
		}
		pv.Tasks = append(pv.Tasks, tv)
	}

	for _, rec := range runs {
		rv := runView{Task: rec.Task, Label: t.TaskLabel(rec.Task), Start: rec.Start, Duration: rec.Duration,
			Result: recordResult(rec), Error: t.Reason(rec.Error), Stopped: t.Reason(rec.Stopped), Imported: rec.Imported,
			AlreadyPresent: rec.AlreadyPresent, Waiting: rec.Waiting, Failed: rec.Failed + rec.Retrying,
			Skipped: rec.Skipped, LedgerCalls: rec.LedgerCalls}
		rv.ErrorShort, rv.ErrorMore = text.Brief(rv.Error)
		if a := rec.Articles; a != nil {
			rv.Extra = t.T("articles_counts", a.Listed, a.Created, a.Updated)
		}
		if st := rec.Stock; st != nil {
			rv.Extra = t.T("stock_counts", st.Written, st.Unchanged)
		}
		pv.Runs = append(pv.Runs, rv)
		for _, o := range rec.Orders {
			if len(pv.Orders) >= pageOrders {
				break
			}
			switch o.Status {
			case pipeline.StatusImported, pipeline.StatusAdopted, pipeline.StatusAlreadyPresent:
				name, invoice := s.kept(ctx, p.Name, o.ShopID)
				pv.Orders = append(pv.Orders, orderView{ShopNumber: o.ShopNumber, LedgerNumber: o.LedgerNumber, InvoiceNumber: invoice,
					CustomerCode: o.CustomerCode, CustomerName: name, Total: o.TotalIncl,
					Status: string(o.Status), At: rec.End})
			}
		}
	}

	var failed []failedView
	total := 0
	err = pipeline.ListFailedRecords(ctx, s.opts.Store, p.Name, func(f pipeline.FailedRecord) error {
		total++
		st := orderRetrying
		if f.Parked {
			st = orderFailed
		}
		short, more := text.Headline(text.Lang(t.lang), f.Kind, f.Code, f.Reason)
		failed = append(failed, failedView{ShopID: f.ShopID, ShopNumber: f.ShopNumber, Reason: text.Failure(text.Lang(t.lang), f.Kind, f.Reason), Short: short, More: more,
			CustomerName: pipeline.ShopCustomerName(f.Order), Status: st, Attempts: f.Attempts, LastFailed: f.LastFailedAt})
		if len(failed) >= 2*pageFailed { // keep memory bounded; newest kept below
			sort.SliceStable(failed, func(i, j int) bool { return failed[i].LastFailed.After(failed[j].LastFailed) })
			failed = failed[:pageFailed]
		}
		return nil
	})
	if err != nil {
		s.log.Error("reading failed orders for the dashboard", "profile", p.Name, "error", err)
		pv.Err = err.Error()
	}
	sort.SliceStable(failed, func(i, j int) bool { return failed[i].LastFailed.After(failed[j].LastFailed) })
	if len(failed) > pageFailed {
		failed = failed[:pageFailed]
	}
	pv.Failed, pv.FailedMore = failed, total-len(failed)

	err = state.List(ctx, s.opts.Store, state.MapPrefix(p.Name, pipeline.MapStockHold), func(_ state.Key, _ pipeline.HoldRecord) error {
		pv.Waiting++
		return nil
	})
	if err != nil {
		s.log.Error("reading waiting orders for the dashboard", "profile", p.Name, "error", err)
		pv.Err = err.Error()
	}

	items, err := attention.List(ctx, s.opts.Store, p.Name, attention.Filter{})
	if err != nil {
		s.log.Error("reading attention items for the dashboard", "profile", p.Name, "error", err)
		pv.Err = err.Error()
	}
	for _, it := range items {
		av := attentionView{ID: it.ID, Kind: string(it.Kind), ShopNumber: it.ShopNumber, LedgerNumber: it.LedgerNumber,
			ShopTotal: it.ShopTotal, LedgerTotal: it.LedgerTotal, Message: it.Message, Action: it.Action, Created: it.CreatedAt}
		if t.lang == langEN && it.ActionEN != "" {
			av.Message, av.Action = it.MessageEN, it.ActionEN
		}
		pv.Attention = append(pv.Attention, av)
	}
	return pv
}

// kept returns what the order record of shopID keeps for the page: the customer name (a
// business customer's only) and, for an order booked as a sales invoice, its factuurnummer;
// "" for what it keeps none of or cannot be read (the page shows the relatiecode either way).
func (s *server) kept(ctx context.Context, profile, shopID string) (name, invoice string) {
	rec, ok, err := pipeline.GetOrderRecord(ctx, s.opts.Store, profile, shopID)
	if err != nil {
		s.log.Warn("reading an order record for the dashboard", "profile", profile, "order", shopID, "error", err)
		return "", ""
	}
	if !ok {
		return "", ""
	}
	return rec.CustomerName, rec.InvoiceNumber()
}

// countsText summarises a run's counts in one line.
func countsText(t tr, imported, present, failed, skipped int) string {
	return t.T("imported") + " " + strconv.Itoa(imported) + " · " + t.T("already_present") + " " + strconv.Itoa(present) +
		" · " + t.T("failed") + " " + strconv.Itoa(failed) + " · " + t.T("skipped") + " " + strconv.Itoa(skipped)
}

// renderLogin renders the login form.
func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, status int, wrong bool) {
	lang := pickLang(w, r)
	d := struct {
		tr
		Wrong   bool
		Version string
	}{tr: tr{lang: lang, loc: s.loc, now: s.now()}, Wrong: wrong, Version: s.opts.Version}
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, "login.html", d); err != nil {
		s.log.Error("rendering the login page", "error", err)
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
