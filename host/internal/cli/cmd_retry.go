package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
)

func (a *app) retryCommand() *cobra.Command {
	var allFailed, asJSON, noProgress, verbose bool
	cmd := &cobra.Command{
		Use:   "retry PROFILE [ORDER...]",
		Short: "Import failed orders again now (by shop order number or id), or every failed order with --all-failed",
		Long: `Import the given shop orders again now, with their current data from the shop (after the
cause of a failure was fixed: the article created, the customer added, the order corrected).
ORDER is the shop's order number as 'koppel orders --failed' shows it, or the shop's order id.
Orders already imported are not imported again. Exit status 1 when an order failed again.`,
		Args: a.argsWithChoices("retry PROFILE ORDER... | --all-failed", 1, -1, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, orders := args[0], args[1:]
			ctx := cmd.Context()
			if allFailed && len(orders) > 0 {
				return usageText("reason.cli.orders_or_all")
			}
			if !allFailed && len(orders) == 0 {
				return a.nameAnOrder(ctx, profile)
			}
			total := len(orders)
			if allFailed {
				total = -1
			}
			bar := a.newProgress(pipeline.TaskRetry, asJSON || noProgress, total)
			s, err := a.openSession(ctx, profile, bar.update, pipeline.TaskImportOrders)
			if err != nil {
				return err
			}
			defer s.Close()
			var tr pipeline.TaskRun
			var runErr error
			if allFailed {
				tr.RunResult, runErr = s.pipe.RetryFailed(ctx)
			} else {
				ids, err := shopIDs(ctx, s.store, profile, orders)
				if err != nil {
					return err
				}
				tr.RunResult, runErr = s.pipe.Retry(ctx, ids)
			}
			bar.finish()
			err = a.reportRun(tr, runErr, asJSON, verbose)
			if missing := notRetried(tr.RunResult, allFailed); len(missing) > 0 {
				if err == nil || errors.Is(err, errSilent) {
					return failedText("reason.cli.not_retried", strings.Join(missing, ", "), profile)
				}
				fmt.Fprintf(a.env.Stderr, "koppel: %s\n", a.tr().T("reason.cli.not_retried", strings.Join(missing, ", "), profile))
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&allFailed, "all-failed", false, "retry every failed order of the profile")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the run's result as JSON")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "each failure reason in full, not only its first sentence")
	cmd.Flags().BoolVar(&noProgress, "no-progress", false, "no progress bar, even on a terminal")
	return cmd
}

// notRetried lists the orders named on the command line that the run skipped because the shop
// did not return them (an unknown number or id).
func notRetried(res pipeline.RunResult, allFailed bool) []string {
	if allFailed {
		return nil
	}
	var out []string
	for _, o := range res.Orders {
		// Only ids the shop did not return; an order already imported is skipped too, and fine.
		if o.Status == pipeline.StatusSkipped && o.Reason == pipeline.ReasonNotInShop {
			out = append(out, firstNonEmpty(o.ShopNumber, o.ShopID))
		}
	}
	return out
}

// shopIDs maps what the user typed (shop order numbers or ids) to shop ids, using the failed
// and done orders koppel knows; anything unknown is passed on as an id.
func shopIDs(ctx context.Context, st *state.Store, profile string, args []string) ([]string, error) {
	byNumber := map[string]string{}
	err := pipeline.ListFailedRecords(ctx, st, profile, func(f pipeline.FailedRecord) error {
		if f.ShopNumber != "" {
			byNumber[f.ShopNumber] = f.ShopID
		}
		return nil
	})
	if err != nil {
		return nil, failedErr("%v", err)
	}
	ids := make([]string, 0, len(args))
	for _, arg := range args {
		if id, ok := byNumber[arg]; ok {
			ids = append(ids, id)
			continue
		}
		ids = append(ids, arg)
	}
	return ids, nil
}

// nameAnOrder is the usage error of `koppel retry PROFILE` without ORDER: it lists the profile's
// failed orders to choose from.
func (a *app) nameAnOrder(ctx context.Context, profile string) error {
	st, names, err := a.readStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := a.checkProfileName(profile, names); err != nil {
		return err
	}
	var failed []string
	err = pipeline.ListFailedRecords(ctx, st, profile, func(f pipeline.FailedRecord) error {
		failed = append(failed, firstNonEmpty(f.ShopNumber, f.ShopID))
		return nil
	})
	if err != nil {
		return failedErr("read the failed orders: %v", err)
	}
	if len(failed) == 0 {
		return usageText("reason.cli.name_orders_none", profile, profile)
	}
	return usageText("reason.cli.name_orders", profile, listChoices(failed, 10))
}
