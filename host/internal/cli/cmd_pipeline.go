package cli

import "github.com/spf13/cobra"

// pipelineCommands returns the commands that run and inspect the pipeline: sync, orders, runs,
// retry.
func (a *app) pipelineCommands() []*cobra.Command {
	return nil
}
