package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// Task names `koppel sync` accepts (spec/settings.md, task).
var syncTasks = []string{"import_orders", "import_articles", "export_stock", "import_orders_export_stock", "reconcile"}

func (a *app) syncCommand() *cobra.Command {
	var asJSON, noProgress, verbose bool
	cmd := &cobra.Command{
		Use:   "sync PROFILE TASK",
		Short: `Run one task of a profile now ("nu uitvoeren"): import_orders, import_articles, export_stock, import_orders_export_stock, reconcile`,
		Long: `Run one task of a profile now ("nu uitvoeren"), whether or not the profile schedules it.
On a terminal a progress bar shows the orders handled; afterwards a summary lists what was
imported, already present in SnelStart, waiting for a shop status, failed and retried, with
the ledger calls made and the duration. Exit status 1 when an order failed (or must be retried),
or when the task is already running; for reconcile, when it found something.`,
		Args: a.argsWithChoices("sync PROFILE TASK", 2, 2, syncTasks),
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, task := args[0], args[1]
			if !contains(syncTasks, task) {
				return usageText("reason.cli.unknown_task", task, strings.Join(syncTasks, ", "))
			}
			ctx := cmd.Context()
			bar := a.newProgress(task, asJSON || noProgress, -1)
			locks := []string{task}
			if task == pipeline.TaskImportOrdersExportStock {
				locks = append(locks, pipeline.TaskImportOrders)
			}
			s, err := a.openSession(ctx, profile, bar.update, locks...)
			if err != nil {
				return err
			}
			defer s.Close()
			var tr pipeline.TaskRun
			var runErr error
			if task == pipeline.TaskImportOrders {
				tr.RunResult, runErr = s.pipe.ImportOrders(ctx)
			} else {
				tr, runErr = s.pipe.RunTask(ctx, task)
			}
			bar.finish()
			a.notifyAfterSync(ctx, s, task, tr, runErr)
			return a.reportRun(tr, runErr, asJSON, verbose)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run's result as JSON (no progress bar)")
	cmd.Flags().BoolVar(&noProgress, "no-progress", false, "no progress bar, even on a terminal")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "each failure reason in full, not only its first sentence")
	return cmd
}

// reportRun prints a run's summary (or its JSON) and turns its outcome into the exit status:
// 1 when the run failed, when an order (article, stock level) failed or is to be retried, or
// when the task was already running.
func (a *app) reportRun(tr pipeline.TaskRun, runErr error, asJSON, verbose bool) error {
	if runErr != nil && tr.Start.IsZero() {
		// Nothing ran: the lock was taken, or the pipeline could not start.
		if msg := lockedMessage(runErr); msg != "" {
			return failedErr("%s", msg)
		}
		return failedErr("%v", runErr)
	}
	if asJSON {
		// JSON output gives durations in seconds (docs/cli.md, "JSON output"): the run's own
		// duration (nanoseconds, as the state store keeps it) is hidden by the empty field of the
		// same JSON name at a shallower depth, and given as duration_seconds.
		out := struct {
			pipeline.TaskRun
			Duration float64   `json:"duration_seconds"`
			Nanos    *struct{} `json:"duration,omitempty"`
			Error    string    `json:"error,omitempty"`
		}{TaskRun: tr, Duration: tr.Duration.Seconds()}
		if runErr != nil {
			out.Error = runErr.Error()
		}
		if err := json.NewEncoder(a.env.Stdout).Encode(out); err != nil {
			return failedErr("write the result: %v", err)
		}
	} else {
		printSummary(a.env.Stdout, a.tr(), tr, verbose)
	}
	switch {
	case runErr != nil && errors.Is(runErr, context.Canceled):
		return failedText("reason.cli.interrupted")
	case runErr != nil:
		if msg := lockedMessage(runErr); msg != "" {
			return failedErr("%s", msg)
		}
		return failedText("reason.cli.run_stopped", runErr)
	case tr.FailedItems() > 0, tr.Reconcile != nil && len(tr.Reconcile.Findings) > 0:
		return silentExit(ExitFailed)
	}
	return nil
}

// printSummary writes the human summary of a run in t's language: each reason's first sentence,
// or all of it when verbose.
func printSummary(w io.Writer, t text.Printer, tr pipeline.TaskRun, verbose bool) {
	if tr.Reconcile != nil {
		printReconcile(w, t, *tr.Reconcile)
		return
	}
	res := tr.RunResult
	seen := res.Seen()
	unit := t.T("unit.orders")
	if res.Task == pipeline.TaskImportArticles {
		unit = t.T("unit.products")
	}
	secs := res.Duration.Seconds()
	rate := ""
	if secs > 0 && seen > 0 {
		rate = t.T("summary.rate", float64(seen)/secs, unit)
	}
	fmt.Fprintln(w, t.T("summary.head", res.Task, res.Profile, seen, unit, res.Duration.Round(10*time.Millisecond), rate))
	row := func(label string, n int) { fmt.Fprintf(w, "  %-20s %6d\n", t.T(label), n) }
	row("summary.imported", res.Imported)
	row("summary.present", res.AlreadyPresent)
	row("summary.waiting", res.Waiting)
	row("summary.failed", res.Failed)
	row("summary.retrying", res.Retrying)
	row("summary.skipped", res.Skipped)
	perOrder := ""
	if res.Imported+res.AlreadyPresent > 0 {
		perOrder = t.T("summary.per_order", res.CallsPerOrder())
	}
	fmt.Fprintf(w, "  %-20s %6d%s\n", t.T("summary.calls"), res.LedgerCalls, perOrder)
	fmt.Fprintf(w, "  %-20s %s\n", t.T("summary.duration"), res.Duration.Round(time.Millisecond))
	if a := tr.Articles; a != nil {
		fmt.Fprintln(w, t.T("summary.articles", a.Listed, a.Created, a.Updated, a.Linked, a.Skipped, a.Failed, a.Retrying))
	}
	if st := tr.Stock; st != nil {
		fmt.Fprintln(w, t.T("summary.stock", st.Articles, st.Tracked, st.Written, st.Unchanged, len(st.NotInShop)+st.NotInShopKnown, len(st.Failed)+st.FailedTruncated, len(st.HeldBack)))
		for _, f := range st.Failed {
			fmt.Fprintln(w, t.T("summary.stock_fail", f.SKU, reasonText(t, "", "", f.Reason, verbose)))
		}
	}
	if res.Stopped != "" {
		fmt.Fprintln(w, t.T("summary.stopped", text.Reason(t.Lang, res.Stopped)))
	}
	for _, st := range []pipeline.OutcomeStatus{pipeline.StatusFailed, pipeline.StatusRetrying} {
		header := false
		shown, listed := 0, 0
		for _, o := range res.Orders {
			if o.Status != st {
				continue
			}
			if listed++; shown >= maxListed {
				continue
			}
			shown++
			if !header {
				label := t.T("summary.parked")
				if st == pipeline.StatusRetrying {
					label = t.T("summary.retry_later")
				}
				fmt.Fprintf(w, "%s:\n", label)
				header = true
			}
			fmt.Fprintln(w, t.T("summary.order", firstNonEmpty(o.ShopNumber, o.ShopID), reasonText(t, o.Kind, o.Code, o.Reason, verbose)))
		}
		more := listed - shown
		if res.Unlisted > 0 {
			// The outcomes cover the run's first MaxRunOrders orders only; the counts all.
			more = res.Failed - shown
			if st == pipeline.StatusRetrying {
				more = res.Retrying - shown
			}
		}
		if more > 0 {
			fmt.Fprintln(w, t.T("summary.more", more, res.Profile))
		}
	}
}

// maxListed caps the failed and retried orders the summary names.
const maxListed = 20

// progress draws a progress bar on a terminal; its methods do nothing otherwise.
type progress struct {
	bar *progressbar.ProgressBar
	// max is the bar's total as last set (-1: none, the bar counts without one).
	max int
	// t words the bar's description in the reader's language.
	t text.Printer
	// w, task and throttle draw a bar again when a listing yields more than it announced.
	w        io.Writer
	task     string
	throttle time.Duration
}

// newProgress returns a progress bar on stdout when stdout is a terminal and off is false.
// total is the number of orders when known before the run (a retry of named orders), else -1:
// the bar then counts the orders handled until the shop's listing announces its total
// (pipeline.Progress.Total), and goes on counting without one if the shop announces none.
func (a *app) newProgress(task string, off bool, total int) *progress {
	f, ok := a.env.Stdout.(*os.File)
	if off || !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	p := newBar(f, a.tr(), task, total, 100*time.Millisecond)
	a.bar = p
	return p
}

// newBar returns a progress bar drawn on w at most once per throttle.
func newBar(w io.Writer, t text.Printer, task string, total int, throttle time.Duration) *progress {
	p := &progress{w: w, t: t, task: task, throttle: throttle}
	p.draw(total)
	return p
}

// draw starts the bar with total (≤ 0: none).
func (p *progress) draw(total int) {
	if total <= 0 {
		total = -1
	}
	p.max = total
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.task),
		progressbar.OptionSetItsString(p.t.T("unit.orders")),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(p.throttle),
		progressbar.OptionClearOnFinish(),
	)
}

// update is the pipeline's Progress callback: the bar shows seen/total once a total is known.
func (p *progress) update(pr pipeline.Progress) {
	if p.bar == nil {
		return
	}
	if pr.Total > 0 && pr.Total != p.max {
		if p.bar.IsFinished() {
			// The listing yields more than it announced: the bar that reached the old total
			// is gone; draw a new one.
			p.draw(pr.Total)
		} else {
			p.max = pr.Total
			p.bar.ChangeMax(pr.Total)
		}
	}
	p.bar.Describe(p.t.T("progress.describe", pr.Task, pr.Imported, pr.AlreadyPresent, pr.Failed+pr.Retrying, pr.LedgerCalls))
	_ = p.bar.Set(pr.Seen)
}

// finish removes the bar before the summary is printed.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
