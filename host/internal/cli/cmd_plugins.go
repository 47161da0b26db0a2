package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/plugins"
)

// pluginRow is one plugin as `koppel plugins --json` prints it.
type pluginRow struct {
	Name         string `json:"name"`
	Path         string `json:"path,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
	LockedSHA256 string `json:"locked_sha256,omitempty"`
	// Lock is locked, not locked, changed since locked or missing.
	Lock        string `json:"lock"`
	Kind        string `json:"kind,omitempty"`
	Version     string `json:"version,omitempty"`
	Protocol    int    `json:"protocol,omitempty"`
	SDKVersion  string `json:"sdk_version,omitempty"`
	Description string `json:"description,omitempty"`
	PID         int    `json:"pid,omitempty"`
	Error       string `json:"error,omitempty"`
}

func toPluginRow(l plugins.Listing) pluginRow {
	r := pluginRow{Name: l.Name, Path: l.Path, SHA256: l.SHA256, LockedSHA256: l.LockedSHA256, Lock: string(l.Status),
		Kind: string(l.Kind), Version: l.Version, Protocol: l.Protocol, SDKVersion: l.SDKVersion, Description: l.Description, PID: l.PID}
	if l.Err != nil {
		r.Error = l.Err.Error()
	}
	return r
}

func (a *app) pluginsCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List the plugins in plugin_dir: name, kind, version, protocol, SHA-256, locked or not",
		Long: `List the plugins in plugin_dir: name, kind, version, protocol, SHA-256 and how each binary
stands against the lock file. Listing never writes the lock file and never starts a binary that
is not locked (unless --trust-unlocked is given).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.koppelBlock()
			if err != nil {
				return err
			}
			mgr := a.pluginManager(k, a.g.trustUnlocked)
			defer mgr.Close()
			list, err := mgr.List(cmd.Context())
			if err != nil {
				return failedErr("plugins in %s: %v", k.PluginDir, err)
			}
			if asJSON {
				rows := make([]pluginRow, 0, len(list))
				for _, l := range list {
					rows = append(rows, toPluginRow(l))
				}
				return json.NewEncoder(a.env.Stdout).Encode(rows)
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
			mgr := a.pluginManager(k, false)
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
			fmt.Fprintf(a.env.Stdout, "%d plugin(s) locked in %s\n", len(names), mgr.LockPath())
			return nil
		},
	}
	cmd.AddCommand(lock, a.pluginsVerifyCommand(), a.pluginsNewCommand())
	return cmd
}

func short(sha string) string {
	if len(sha) > 16 {
		return sha[:16] + "…"
	}
	return sha
}

// pluginsVerifyCommand is `koppel plugins verify`: hash every binary again and compare with the
// lock file, starting and writing nothing. Exit 1 when anything differs.
func (a *app) pluginsVerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Hash every plugin binary again and compare with the lock file; exit 1 on any difference",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := a.koppelBlock()
			if err != nil {
				return err
			}
			mgr := a.pluginManager(k, false)
			defer mgr.Close()
			list, err := mgr.Verify(cmd.Context())
			if errors.Is(err, fs.ErrNotExist) {
				return failedErr("there is no lock file %s; run \"koppel plugins lock\" after installing the plugins", mgr.LockPath())
			}
			if err != nil {
				return failedErr("verify plugins in %s: %v", k.PluginDir, err)
			}
			bad := 0
			for _, l := range list {
				switch l.Status {
				case plugins.StatusLocked:
					fmt.Fprintf(a.env.Stdout, "ok        %s sha256:%s\n", l.Name, l.SHA256)
				case plugins.StatusChanged:
					bad++
					fmt.Fprintf(a.env.Stdout, "GEWIJZIGD %s sha256:%s, vergrendeld (locked) sha256:%s\n", l.Name, l.SHA256, l.LockedSHA256)
				case plugins.StatusUnlocked:
					bad++
					fmt.Fprintf(a.env.Stdout, "ONBEKEND  %s sha256:%s staat niet in het lock-bestand (not locked)\n", l.Name, l.SHA256)
				case plugins.StatusMissing:
					bad++
					fmt.Fprintf(a.env.Stdout, "ONTBREEKT %s: in het lock-bestand, maar het programma ontbreekt (missing)\n", l.Name)
				}
			}
			if bad > 0 {
				fmt.Fprintf(a.env.Stderr, "%d plugin(s) wijken af van %s: koppel weigert ze. Controleer waar ze vandaan komen; "+
					"als u ze bewust hebt geïnstalleerd, voer dan \"koppel plugins lock\" uit en herstart koppel.\n", bad, mgr.LockPath())
				return silentExit(ExitFailed)
			}
			fmt.Fprintf(a.env.Stdout, "%d plugin(s) komen overeen met %s\n", len(list), mgr.LockPath())
			return nil
		},
	}
}
