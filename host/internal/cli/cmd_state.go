package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/state"
)

func (a *app) stateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Back up, restore and inspect the state store (state_dir)",
	}
	var force, asJSON bool
	backup := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a backup of the state store to FILE (Badger's own backup format)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, dir, err := a.openState(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			tmp := args[0] + ".tmp"
			f, err := os.Create(tmp)
			if err != nil {
				return failedErr("backup: %v", err)
			}
			if err := st.Backup(cmd.Context(), f); err != nil {
				f.Close()
				os.Remove(tmp)
				return failedErr("backup: %v", err)
			}
			if err := f.Close(); err != nil {
				return failedErr("backup: %v", err)
			}
			if err := os.Rename(tmp, args[0]); err != nil {
				return failedErr("backup: %v", err)
			}
			fmt.Fprintf(a.env.Stdout, "backup of %s written to %s\n", dir, args[0])
			return nil
		},
	}
	restore := &cobra.Command{
		Use:   "restore FILE",
		Short: "Load a backup made by 'koppel state backup' into the state store",
		Long: `Load a backup made by 'koppel state backup' into the state store. Stop 'koppel run' first.
An empty state store is filled; a store that holds data is only replaced with --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return usageErr("restore: %v", err)
			}
			defer f.Close()
			st, dir, err := a.openState(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Restore(cmd.Context(), f, state.RestoreOptions{Force: force}); err != nil {
				return failedErr("restore: %v", err)
			}
			fmt.Fprintf(a.env.Stdout, "state restored from %s into %s\n", args[0], dir)
			return nil
		},
	}
	restore.Flags().BoolVar(&force, "force", false, "replace a state store that already holds data")
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Count the records per kind and measure the state store on disk",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := a.openState(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := st.Stats(cmd.Context())
			if err != nil {
				return failedErr("stats: %v", err)
			}
			if asJSON {
				return json.NewEncoder(a.env.Stdout).Encode(s)
			}
			fmt.Fprintf(a.env.Stdout, "state store %s: %d records, tables %d bytes, value log %d bytes\n", s.Dir, s.TotalKeys, s.LSMBytes, s.VLogBytes)
			names := make([]string, 0, len(s.Keys))
			for ns := range s.Keys {
				names = append(names, string(ns))
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(a.env.Stdout, "  %-10s %d\n", n, s.Keys[state.Namespace(n)])
			}
			return nil
		},
	}
	stats.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.AddCommand(backup, restore, stats)
	return cmd
}

// openState opens the state store named by the configuration's koppel block.
func (a *app) openState(cmd *cobra.Command) (*state.Store, string, error) {
	k, err := a.koppelBlock()
	if err != nil {
		return nil, "", err
	}
	dir := k.StateDir
	if st := a.sharedStore(); st != nil {
		return st, dir, nil
	}
	if err := os.MkdirAll(filepath.Clean(dir), 0o700); err != nil {
		return nil, "", failedErr("state_dir %s: %v", dir, err)
	}
	st, err := state.Open(cmd.Context(), dir, state.Options{Logger: a.logger().Named("state")})
	if err != nil {
		return nil, "", failedErr("open state store %s: %v", dir, err)
	}
	return st, dir, nil
}
