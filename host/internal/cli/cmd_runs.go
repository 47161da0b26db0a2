package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// runRow is one run as `koppel runs --json` prints it: the run's counts without the per-order
// outcomes.
type runRow struct {
	Profile  string        `json:"profile"`
	Task     string        `json:"task"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Duration time.Duration `json:"-"`
	// DurationSeconds is Duration in seconds (every JSON output gives durations in seconds).
	DurationSeconds float64          `json:"duration_seconds"`
	Imported        int              `json:"imported"`
	AlreadyPresent  int              `json:"already_present"`
	Waiting         int              `json:"waiting"`
	Failed          int              `json:"failed"`
	Retrying        int              `json:"retrying"`
	Skipped         int              `json:"skipped"`
	LedgerCalls     int64            `json:"ledger_calls"`
	CallsByMethod   map[string]int64 `json:"calls_by_method,omitempty"`
	Stopped         string           `json:"stopped,omitempty"`
	Error           string           `json:"error,omitempty"`
	// Aborted is set for a run whose process ended before it finished (killed, crashed): its
	// counts are what it booked until then.
	Aborted bool `json:"aborted,omitempty"`
	// Running is set for a run that is still going on (in the daemon that answers the command):
	// its counts are those so far.
	Running bool `json:"running,omitempty"`
	// Errors lists the failed and retried orders of the run with their reasons.
	Errors []runError `json:"errors,omitempty"`
}

type runError struct {
	Order  string `json:"order"`
	Status string `json:"status"`
	Reason string `json:"reason"`
	Kind   string `json:"kind,omitempty"`
	Code   string `json:"code,omitempty"`
}

func (a *app) runsCommand() *cobra.Command {
	var asJSON, verbose bool
	var limit int
	cmd := &cobra.Command{
		Use:   "runs [PROFILE]",
		Short: "Execution overview: recent runs per task with their counts and errors",
		Long: `Execution overview (tab Uitvoering): the recent runs of every profile (or of PROFILE), newest
first, at most --limit per task, each with its start, duration, counts (imported, already
present, waiting, failed, retrying, skipped), ledger calls and errors. Runs older than the koppel
block's retention_days are removed by the runs themselves.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, profiles, err := a.readStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			if len(args) == 1 {
				if err := a.checkProfileName(args[0], profiles); err != nil {
					return err
				}
				profiles = args[:1]
			}
			var rows []runRow
			for _, p := range profiles {
				perTask := map[string]int{}
				// This process holds the state store (alone, or as the daemon that answers a
				// forwarded command), so a record left unfinished by another process is a run
				// whose process was killed (Interrupted); one of this process is still going on.
				// What a killed run booked is counted up to the start of the next run (newest
				// first: the one listed before).
				next := time.Now()
				err := pipeline.ListRunRecords(ctx, st, p, 0, func(r pipeline.RunRecord) error {
					until := next
					next = r.Start
					if limit > 0 && perTask[r.Task] >= limit {
						return nil
					}
					perTask[r.Task]++
					killed := r.Unfinished() && r.Interrupted()
					if killed && pipeline.BookedByRun(r.Task) {
						settled, err := pipeline.SettleAbortedRun(ctx, st, r, until)
						if err != nil {
							return err
						}
						r = settled
					} else if killed {
						r.Aborted, r.InProgress = true, false
					}
					rows = append(rows, toRunRow(r))
					return nil
				})
				if err != nil {
					return failedErr("%v", err)
				}
			}
			t := a.tr()
			if asJSON {
				if rows == nil {
					rows = []runRow{}
				}
				return json.NewEncoder(a.env.Stdout).Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.env.Stdout, t.T("runs.none"))
				return nil
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, t.T("runs.header"))
			for _, r := range rows {
				msg := runMessage(t, r, verbose)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", r.Profile, r.Task, r.Start.Local().Format(time.DateTime),
					r.Duration.Round(10*time.Millisecond), r.Imported, r.AlreadyPresent, r.Waiting, r.Failed, r.Retrying, r.Skipped, r.LedgerCalls, dash(msg))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "print a run's error whole, not only its first sentence")
	cmd.Flags().IntVar(&limit, "limit", 10, "most runs shown per task and profile (0 = all)")
	return cmd
}

func toRunRow(r pipeline.RunRecord) runRow {
	row := runRow{Profile: r.Profile, Task: r.Task, Start: r.Start, End: r.End, Duration: r.Duration, DurationSeconds: r.Duration.Seconds(), Imported: r.Imported,
		AlreadyPresent: r.AlreadyPresent, Waiting: r.Waiting, Failed: r.Failed, Retrying: r.Retrying, Skipped: r.Skipped,
		LedgerCalls: r.LedgerCalls, CallsByMethod: r.CallsByMethod, Stopped: r.Stopped, Error: r.Error, Aborted: r.Aborted,
		Running: r.InProgress && !r.Aborted}
	for _, o := range r.Orders {
		if o.Status == pipeline.StatusFailed || o.Status == pipeline.StatusRetrying {
			row.Errors = append(row.Errors, runError{Order: firstNonEmpty(o.ShopNumber, o.ShopID), Status: string(o.Status), Reason: o.Reason, Kind: o.Kind, Code: o.Code})
		}
	}
	return row
}

// runMessage is the last column of a run in the runs table, in t's language: why the run
// stopped (its first sentence, marked "(…)" when there is more, unless verbose), that it is
// running or was aborted, else its first failed order.
func runMessage(t text.Printer, r runRow, verbose bool) string {
	msg := text.Reason(t.Lang, firstNonEmpty(r.Error, r.Stopped))
	if short, more := text.Brief(msg); more && !verbose {
		msg = short + " (…)"
	}
	if r.Running {
		msg = t.T("runs.running")
	}
	if r.Aborted {
		msg = t.T("runs.aborted_task")
		if pipeline.BookedByRun(r.Task) {
			msg = t.T("runs.aborted", r.Imported+r.AlreadyPresent)
		}
	}
	if msg == "" && len(r.Errors) > 0 {
		e := r.Errors[0]
		short, _ := text.Headline(t.Lang, e.Kind, e.Code, e.Reason)
		msg = t.T("runs.order_error", e.Order, short)
		if len(r.Errors) > 1 {
			msg += t.T("runs.more", len(r.Errors)-1)
		}
	}
	return msg
}
