package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/scaffold"
)

// pluginsNewCommand is `koppel plugins new NAME`: a new connector module from the scaffold
// (maatwerkkoppeling), ready for `go test` to name every method still to write.
func (a *app) pluginsNewCommand() *cobra.Command {
	var kind, dir, module, replace string
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a new connector (maatwerkkoppeling) from the scaffold: a Go module with connector, simulator and tests",
		Args:  oneArg("plugins new NAME", "reason.cli.name_plugin"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if dir == "" {
				dir = "koppel-plugin-" + name
			}
			switch replace {
			case "none":
				replace = ""
			case "":
				// Before koppel is published the new module builds against the checkout koppel
				// runs from (or was built in): the working directory or the binary's place.
				exe, _ := os.Executable()
				replace = scaffold.FindCheckout(".", filepath.Dir(exe))
			}
			files, err := scaffold.Generate(dir, scaffold.Options{Name: name, Kind: sdk.PluginKind(kind), Module: module, Replace: replace})
			if err != nil {
				return usageErr("plugins new: %v", err)
			}
			for _, f := range files {
				fmt.Fprintln(a.env.Stdout, "wrote", filepath.Join(dir, f))
			}
			if replace != "" {
				fmt.Fprintf(a.env.Stdout, "\ngo.mod builds against the koppel checkout in %s (a replace directive; --replace none leaves it out)\n", replace)
			}
			fmt.Fprintf(a.env.Stdout, "\nnext: %s\n", scaffold.NextSteps(dir))
			fmt.Fprintln(a.env.Stdout, "guide: docs/plugin-guide.md")
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "shop", "plugin kind: shop or ledger")
	cmd.Flags().StringVar(&dir, "dir", "", "directory to create (default ./koppel-plugin-NAME)")
	cmd.Flags().StringVar(&module, "module", "", "Go module path (default example.com/koppel-plugin-NAME)")
	cmd.Flags().StringVar(&replace, "replace", "", "path of a local koppel checkout to build against (default: the checkout koppel runs from, if any; \"none\" for the published module)")
	return cmd
}
