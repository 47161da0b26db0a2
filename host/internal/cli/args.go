package cli

import (
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
				return usageErr("name a profile: koppel %s (no profiles in %s; 'koppel validate' says why)", use, a.g.configDir)
			}
			return usageErr("name a profile: koppel %s (profiles: %s)", use, strings.Join(names, ", "))
		case len(args) == 1 && min >= 2:
			return usageErr("name a task: koppel %s (tasks: %s)", strings.Replace(use, "PROFILE", args[0], 1), strings.Join(second, ", "))
		case max >= 0 && len(args) > max:
			return usageErr("too many arguments: koppel %s", use)
		}
		return nil
	}
}
