package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
		Short: `Test the shop and ledger connections of a profile ("verbinding testen")`,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := a.koppelBlock()
			if err != nil {
				return err
			}
			mgr := a.pluginManager(k, false)
			defer mgr.Close()
			cfg, err := a.loadConfig(cmd.Context(), mgr)
			if err != nil {
				return err
			}
			p := cfg.Profile(args[0])
			if p == nil {
				return usageErr("no profile %q in %s (profiles: %s)", args[0], a.g.configDir, strings.Join(cfg.ProfileNames(), ", "))
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
			if asJSON {
				if err := json.NewEncoder(a.env.Stdout).Encode(map[string]any{"profile": p.Name, "ok": !failed, "results": results}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.env.Stdout, "profile %s\n", p.Name)
				for _, r := range results {
					if r.OK {
						fmt.Fprintf(a.env.Stdout, "  %-6s %-18s geslaagd (ok): %s\n", r.Side, r.Plugin, r.Summary)
						continue
					}
					fmt.Fprintf(a.env.Stdout, "  %-6s %-18s MISLUKT (failed): %s\n", r.Side, r.Plugin, r.Error)
				}
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

func toCheckResult(side, plugin string, res sdk.CheckResult, err error) checkResult {
	if err != nil {
		return checkResult{Side: side, Plugin: plugin, Error: err.Error(), Kind: sdk.KindOf(err)}
	}
	return checkResult{Side: side, Plugin: plugin, OK: true, Summary: res.Summary, Details: res.Details}
}
