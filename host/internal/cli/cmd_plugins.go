package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/plugins"
)

func (a *app) pluginsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List the plugins in plugin_dir: name, kind, version, protocol, SHA-256, locked or not",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.koppelBlock()
			if err != nil {
				return err
			}
			mgr := a.pluginManager(k, true)
			defer mgr.Close()
			list, err := mgr.List(cmd.Context())
			if err != nil {
				return failedErr("plugins in %s: %v", k.PluginDir, err)
			}
			if asJSON {
				return json.NewEncoder(a.env.Stdout).Encode(list)
			}
			if len(list) == 0 {
				fmt.Fprintf(a.env.Stdout, "no koppel-plugin-* binaries in %s\n", k.PluginDir)
				return nil
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tVERSION\tPROTOCOL\tSHA-256\tLOCK")
			for _, l := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", l.Name, l.Kind, l.Version, l.Protocol, short(l.SHA256), l.Status)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	lock := &cobra.Command{
		Use:   "lock",
		Short: "Record the SHA-256 of every plugin binary in plugin_dir; koppel refuses binaries that change afterwards",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.koppelBlock()
			if err != nil {
				return err
			}
			mgr := a.pluginManager(k, true)
			defer mgr.Close()
			lf, err := mgr.Lock(cmd.Context())
			if err != nil {
				return failedErr("lock plugins in %s: %v", k.PluginDir, err)
			}
			names := make([]string, 0, len(lf.Plugins))
			for n := range lf.Plugins {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				e := lf.Plugins[n]
				fmt.Fprintf(a.env.Stdout, "locked %s %s (%s plugin, protocol %d) sha256:%s\n", n, e.Version, e.Kind, e.Protocol, e.SHA256)
			}
			fmt.Fprintf(a.env.Stdout, "%d plugin(s) locked in %s\n", len(names), filepath.Join(k.PluginDir, plugins.LockFileName))
			return nil
		},
	}
	cmd.AddCommand(lock, a.pluginsNewCommand())
	return cmd
}

func short(sha string) string {
	if len(sha) > 16 {
		return sha[:16] + "…"
	}
	return sha
}
