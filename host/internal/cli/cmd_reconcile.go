package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

func (a *app) reconcileCommand() *cobra.Command {
	var asJSON bool
	var since string
	cmd := &cobra.Command{
		Use:   "reconcile PROFILE",
		Short: "Compare the shop's orders with SnelStart's by reference: missing, duplicated, different totals",
		Long: `Compare the shop's orders created or modified since --since with the SnelStart sales orders
carrying their reference (reference_prefix + order number). Each order SnelStart lacks, holds
more than once or books with another total (beyond orders.difference_tolerance) becomes an
attention item ('koppel attention'); a situation found before is not raised again. Nothing is
written to the shop or SnelStart. --since takes a date (2026-11-01), a time (RFC 3339) or a
period back from now (30d, 72h); default 30d, never before orders.since.
Exit status 1 when something was found (new or found before and still so), 0 when all matches.`,
		Args: a.argsWithChoices("reconcile PROFILE", 1, 1, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			from, err := parseSince(since, time.Now())
			if err != nil {
				return usageErr("--since %q: %v (write a date like 2026-11-01, a time like 2026-11-01T00:00:00+01:00, or a period like 30d)", since, err)
			}
			s, err := a.openSession(ctx, args[0], nil, pipeline.TaskReconcile)
			if err != nil {
				return err
			}
			defer s.Close()
			res, runErr := s.pipe.Reconcile(ctx, from)
			if runErr != nil {
				return failedText("reason.cli.reconcile_stopped", args[0], runErr)
			}
			if asJSON {
				if err := json.NewEncoder(a.env.Stdout).Encode(res); err != nil {
					return failedErr("write the result: %v", err)
				}
			} else {
				printReconcile(a.env.Stdout, a.tr(), res)
			}
			if len(res.Findings) > 0 {
				return silentExit(ExitFailed)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON (snake_case fields)")
	cmd.Flags().StringVar(&since, "since", "30d", "compare orders created or modified since: a date, an RFC 3339 time or a period back (30d, 72h)")
	return cmd
}

// parseSince reads --since: a period back from now ("30d", "72h"), a date or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("not a number of days")
		}
		return now.AddDate(0, 0, -n), nil
	}
	if dur, err := time.ParseDuration(s); err == nil && dur >= 0 {
		return now.Add(-dur), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date, time or period")
	}
	return t, nil
}

// printReconcile writes the summary and the table of findings in t's language.
func printReconcile(w io.Writer, t text.Printer, res pipeline.ReconcileResult) {
	fmt.Fprintln(w, t.T("reconcile.head", res.Profile, res.Since.Local().Format("2006-01-02 15:04"), res.Listed, res.Compared, res.Skipped, res.Pending, res.Failed, res.LedgerCalls))
	if len(res.Findings) == 0 {
		fmt.Fprintln(w, t.T("reconcile.none"))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, t.T("reconcile.header"))
	for _, f := range res.Findings {
		nums := make([]string, len(f.LedgerNumbers))
		for i, n := range f.LedgerNumbers {
			nums[i] = strconv.Itoa(n)
		}
		lt := "-"
		if f.LedgerTotal != nil {
			lt = f.LedgerTotal.StringFixed(2)
		}
		isNew := t.T("reconcile.old")
		if f.New {
			isNew = t.T("reconcile.new")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.T("reconcile.kind."+string(f.Kind)), f.ShopNumber, f.Reference,
			firstNonEmpty(strings.Join(nums, ","), "-"), f.ShopTotal.StringFixed(2), lt, f.ItemID, isNew)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, t.T("reconcile.next", res.NewItems, res.Profile))
}
