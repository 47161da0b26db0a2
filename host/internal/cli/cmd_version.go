package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/sdk"
)

func (a *app) versionCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of koppel and of the plugin protocol",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				return json.NewEncoder(a.env.Stdout).Encode(map[string]any{
					"version": a.env.Version, "protocol": sdk.ProtocolVersion, "sdk": sdk.Version,
				})
			}
			fmt.Fprintf(a.env.Stdout, "koppel %s (plugin protocol %d, sdk %s)\n", a.env.Version, sdk.ProtocolVersion, sdk.Version)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}
