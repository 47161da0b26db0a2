package cli

import "github.com/spf13/cobra"

// daemonCommands returns the long-running commands: run (the daemon) and demo.
func (a *app) daemonCommands() []*cobra.Command {
	return []*cobra.Command{a.runCommand(), a.demoCommand()}
}
