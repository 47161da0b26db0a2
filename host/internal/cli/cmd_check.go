package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// checkResult is one connection test, as `koppel check --json` prints it.
type checkResult struct {
	Side    string            `json:"side"`
	Plugin  string            `json:"plugin"`
	OK      bool              `json:"ok"`
	Summary string            `json:"summary,omitempty"`
	Details map[string]string `json:"details,omitempty"`
	Error   string            `json:"error,omitempty"`
	Kind    sdk.ErrorKind     `json:"kind,omitempty"`
}

func (a *app) checkCommand() *cobra.Command {
	var asJSON bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "check PROFILE",
		Short: `Test the shop and ledger connections of a profile ("verbinding testen") and check the profile against the administration`,
		Long: `Test the shop and ledger connections of a profile ("verbinding testen"), then check the
profile against what the administration and the shop hold, as a checklist: every article the
profile names (shipping, payment fee, discount, difference, fallback) exists in SnelStart, is
active and sits in an omzetgroep with a VAT class (a charge the shop taxes needs an omzetgroep
with btw hoog or laag); the revenue groups, sales-order template, cost centre and fixed customer
exist; whether foreign VAT (OSS) is on; the shop's currency, whether its prices include VAT and,
when the shop tells them, its order statuses. Exit status 1 when a connection fails or something
the profile needs is missing (lines marked FOUT).`,
		Args: a.argsWithChoices("check PROFILE", 1, 1, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := a.koppelBlock()
			if err != nil {
				return err
			}
			mgr := a.pluginManager(k, a.g.trustUnlocked)
			defer mgr.Close()
			cfg, err := a.loadConfig(cmd.Context(), mgr)
			if err != nil {
				return err
			}
			p := cfg.Profile(args[0])
			if p == nil {
				return usageText("reason.cli.no_profile", args[0], a.g.configDir, strings.Join(cfg.ProfileNames(), ", "))
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()

			var results []checkResult
			shop, err := mgr.Shop(ctx, p.Shop.Name, p.Name, p.Shop.Config)
			if err == nil {
				res, cerr := shop.Check(ctx)
				results = append(results, toCheckResult("shop", p.Shop.Name, res, cerr))
			} else {
				results = append(results, toCheckResult("shop", p.Shop.Name, sdk.CheckResult{}, err))
			}
			ledger, err := mgr.Ledger(ctx, p.Ledger.Name, p.Name, p.Ledger.Config)
			if err == nil {
				res, cerr := ledger.Check(ctx)
				results = append(results, toCheckResult("ledger", p.Ledger.Name, res, cerr))
			} else {
				results = append(results, toCheckResult("ledger", p.Ledger.Name, sdk.CheckResult{}, err))
			}

			failed := false
			for _, r := range results {
				failed = failed || !r.OK
			}
			// With both connections up, the profile is checked against the administration
			// and the shop: everything it names must exist there.
			var items []checkItem
			if !failed {
				items = checkAdministration(ctx, a.tr(), p, ledger, results[0].Details)
			}
			problems := 0
			for _, it := range items {
				if it.Level == levelFail {
					problems++
				}
			}
			failed = failed || problems > 0
			if asJSON {
				if items == nil {
					items = []checkItem{}
				}
				if err := json.NewEncoder(a.env.Stdout).Encode(map[string]any{"profile": p.Name, "ok": !failed, "results": results, "checks": items}); err != nil {
					return err
				}
			} else {
				printChecklist(a.env.Stdout, a.tr(), p.Name, results, items, problems)
			}
			if failed {
				return silentExit(ExitFailed)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "give up on a connection after this long")
	return cmd
}

// printChecklist writes the connection tests and the checklist in t's language (the items'
// messages are Dutch: they name SnelStart's own Dutch terms).
func printChecklist(w io.Writer, t text.Printer, profile string, results []checkResult, items []checkItem, problems int) {
	fmt.Fprintln(w, t.T("check.profile", profile))
	for _, r := range results {
		side := t.T("check." + r.Side)
		if r.OK {
			fmt.Fprintln(w, t.T("check.conn_ok", side, r.Plugin, r.Summary))
			continue
		}
		fmt.Fprintln(w, t.T("check.conn_fail", side, r.Plugin, r.Error))
	}
	for _, it := range items {
		fmt.Fprintf(w, "  %s %s: %s\n", t.T("check.mark."+it.Level), it.Setting, it.Message)
	}
	switch {
	case problems == 1:
		fmt.Fprintln(w, t.T("check.one"))
	case problems > 1:
		fmt.Fprintln(w, t.T("check.many", problems))
	default:
		for _, r := range results {
			if !r.OK {
				fmt.Fprintln(w, t.T("check.conn_first"))
				return
			}
		}
		fmt.Fprintln(w, t.T("check.all_ok"))
	}
}

func toCheckResult(side, plugin string, res sdk.CheckResult, err error) checkResult {
	if err != nil {
		return checkResult{Side: side, Plugin: plugin, Error: err.Error(), Kind: sdk.KindOf(err)}
	}
	return checkResult{Side: side, Plugin: plugin, OK: true, Summary: res.Summary, Details: res.Details}
}
