package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// argsWithChoices checks a command's positional arguments: PROFILE first, then, when the
// command takes a second one with a fixed set of values (sync's TASK), that. A missing argument
// is a usage error that lists the choices (the configured profiles, the tasks), so the next
// command line can be typed from the message. max < 0 means no upper limit.
func (a *app) argsWithChoices(use string, min, max int, second []string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) == 0 && min >= 1:
			names := a.profileNames()
			if len(names) == 0 {
				return usageText("reason.cli.name_profile_none", use, a.g.configDir)
			}
			return usageText("reason.cli.name_profile", use, strings.Join(names, ", "))
		case len(args) == 1 && min >= 2:
			return usageText("reason.cli.name_task", strings.Replace(use, "PROFILE", args[0], 1), strings.Join(second, ", "))
		case max >= 0 && len(args) > max:
			return usageText("reason.cli.too_many_args", use)
		}
		return nil
	}
}

// oneArg checks a command that takes exactly one argument without a fixed set of values (a file,
// a plugin name): a missing one is a usage error that says what to write (the catalogue reason
// key, given use), with an example.
func oneArg(use, key string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageText(key, use)
		case len(args) > 1:
			return usageText("reason.cli.too_many_args", use)
		}
		return nil
	}
}

// needCommand makes every command below root that only groups others (root itself, state,
// service) a usage error when run without one, listing the commands it has, instead of
// printing its help and exiting 0.
func needCommand(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.HasAvailableSubCommands() || c.Run != nil || c.RunE != nil {
			return
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error {
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && sub.Name() != "help" && sub.Name() != "completion" {
					names = append(names, sub.Name())
				}
			}
			return usageText("reason.cli.name_command", cmd.CommandPath(), strings.Join(names, ", "), cmd.CommandPath())
		}
	}
	walk(root)
}

// listChoices joins at most max choices for a usage message, saying how many more there are.
func listChoices(choices []string, max int) string {
	if len(choices) <= max {
		return strings.Join(choices, ", ")
	}
	return strings.Join(choices[:max], ", ") + fmt.Sprintf(" and %d more", len(choices)-max)
}
