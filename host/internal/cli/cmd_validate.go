package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) validateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check every profile against the profile language and the plugins' schemas",
		Long: `Reads every *.hcl file in --config and checks every profile: blocks, attributes, types,
allowed values, times and durations, and each shop and ledger block against the schema its plugin
declares. Every problem is printed in one run as file.hcl:LINE,COL with the source line and a hint.
Secrets are never printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			names := cfg.ProfileNames()
			fmt.Fprintf(a.env.Stdout, "configuration in %s is valid: %d profile(s)", a.g.configDir, len(names))
			if len(names) > 0 {
				fmt.Fprintf(a.env.Stdout, ": %s", strings.Join(names, ", "))
			}
			fmt.Fprintln(a.env.Stdout)
			return nil
		},
	}
}
