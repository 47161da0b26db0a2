// Package cli is the koppel command line: one file per command, wiring the host's packages
// (config, plugins, state, ...) together. It holds no logic of its own beyond presentation.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk/redact"
)

// Exit statuses, as cli.md fixes them.
const (
	ExitOK      = 0 // success
	ExitFailed  = 1 // the work failed: an order failed, a check failed
	ExitUsage   = 2 // bad usage or an invalid configuration
	exitUnknown = ExitFailed
)

// Env is everything the command line touches outside itself, so tests can run it in-process.
type Env struct {
	// Version is the host's version string.
	Version string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// Getenv looks up environment variables (for env() in profiles and KOPPEL_* settings).
	Getenv func(string) (string, bool)
	// SetMemoryLimit sets the Go runtime's soft memory limit (runtime/debug.SetMemoryLimit);
	// commands call it with the koppel block's memory_limit. Nil leaves the limit alone (tests
	// running the CLI inside their own process).
	SetMemoryLimit func(int64) int64
}

// exitError carries an exit status through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as bad usage or invalid configuration (exit 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// failedErr marks err as failed work (exit 1).
func failedErr(format string, args ...any) error {
	return &exitError{code: ExitFailed, err: fmt.Errorf(format, args...)}
}

// usageText is usageErr with the catalogue reason key (text.Errorf): the message is kept in
// English and printed in the reader's language (Run renders it with text.Reason).
func usageText(key string, args ...any) error {
	return &exitError{code: ExitUsage, err: text.Errorf(key, args...)}
}

// failedText is failedErr with the catalogue reason key (see usageText).
func failedText(key string, args ...any) error {
	return &exitError{code: ExitFailed, err: text.Errorf(key, args...)}
}

// silentExit ends the command with a status after it printed its own explanation.
func silentExit(code int) error { return &exitError{code: code, err: errSilent} }

var errSilent = errors.New("")

// globals are the flags every command takes.
type globals struct {
	lang      string
	configDir string
	logLevel  string
	logJSON   bool
	// trustUnlocked lets plugin binaries that are not in the lock file run (--trust-unlocked).
	trustUnlocked bool
}

// app is one invocation of the command line.
type app struct {
	env Env
	g   globals
	// shared is the daemon's open state store when this invocation is a command the daemon runs
	// for another koppel process (daemon_forward.go); nil otherwise.
	shared *state.Store
	// bar is the progress bar of a sync or retry on a terminal (nil otherwise); log lines are
	// written above it.
	bar *progress
}

// Run executes args (without the program name) and returns the exit status.
func Run(ctx context.Context, args []string, env Env) int {
	a := &app{env: env}
	return a.run(ctx, args)
}

// run executes args with a's environment and returns the exit status.
func (a *app) run(ctx context.Context, args []string) int {
	env := a.env
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	return a.report(root.ExecuteContext(ctx))
}

// report prints err (nil: nothing) to stderr in the reader's language and returns the exit
// status it means.
func (a *app) report(err error) int {
	env := a.env
	if err == nil {
		return ExitOK
	}
	// An error's text is English (as logs and --json keep it); a bookkeeper reads it in the
	// chosen language: a text built from a catalogue template is rendered in it (text.Reason).
	t := a.tr()
	var ee *exitError
	if errors.As(err, &ee) {
		if !errors.Is(ee.err, errSilent) {
			fmt.Fprintf(env.Stderr, "koppel: %s\n", text.Reason(t.Lang, ee.err.Error()))
		}
		return ee.code
	}
	// Errors cobra raises itself (unknown command or flag, wrong argument count) are usage
	// errors.
	fmt.Fprintf(env.Stderr, "koppel: %s\n", text.Reason(t.Lang, err.Error()))
	if isCobraUsage(err) {
		fmt.Fprintln(env.Stderr, t.T("cli.usage_hint"))
		return ExitUsage
	}
	return exitUnknown
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "arg(s)"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "koppel",
		Short: "koppel links webshops to SnelStart",
		Long: `koppel links webshops (WooCommerce, Magento, Onetoshop, your own) to the accounting
package SnelStart: shop orders become SnelStart sales orders exactly once, stock flows back to the
shop, on a schedule per profile.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.g.configDir, "config", ".", "directory holding the *.hcl profiles")
	pf.StringVar(&a.g.logLevel, "log-level", "warn", "log level: trace, debug, info, warn, error")
	pf.BoolVar(&a.g.logJSON, "log-json", false, "log as JSON lines")
	pf.StringVar(&a.g.lang, "lang", "", "language of the output: nl (Nederlands, the default) or en (English); default from KOPPEL_LANG or LANG")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if _, err := text.Detect(a.g.lang, a.env.Getenv); err != nil {
			return usageErr("%v", err)
		}
		return nil
	}
	pf.BoolVar(&a.g.trustUnlocked, "trust-unlocked", false, "run plugin binaries that are not in the lock file (development only; run \"koppel plugins lock\" instead)")
	root.AddCommand(
		a.versionCommand(),
		a.validateCommand(),
		a.checkCommand(),
		a.pluginsCommand(),
		a.stateCommand(),
		a.serviceCommand(),
		a.healthCommand(),
	)
	// The commands of the pipeline (sync, orders, runs, retry) and of the daemon (run, demo)
	// live in their own files.
	root.AddCommand(a.pipelineCommands()...)
	root.AddCommand(a.daemonCommands()...)
	a.forwardCommands(root)
	needCommand(root)
	return root
}

// tr returns the printer of the chosen language (--lang, KOPPEL_LANG, LANG; Dutch by default).
func (a *app) tr() text.Printer {
	l, _ := text.Detect(a.g.lang, a.env.Getenv)
	return text.Printer{Lang: l}
}

// logger returns the host logger per the global flags, writing to stderr.
func (a *app) logger() hclog.Logger {
	level := hclog.LevelFromString(a.g.logLevel)
	if level == hclog.NoLevel {
		level = hclog.Warn
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       "koppel",
		Level:      level,
		Output:     logWriter{a},
		JSONFormat: a.g.logJSON,
	})
}

// summarised are the pipeline's log messages that repeat a reason the run's summary prints
// (each failed order with its reason) or the command's error line (why the run stopped, in the
// reader's language): sync and retry leave them out of the log unless the log level is info or
// lower, so every reason is shown once.
var summarised = map[string]bool{
	"import_orders run failed":                       true,
	"run failed":                                     true,
	"order failed and is parked":                     true,
	"order failed, retried on the next run":          true,
	"article import failed, retried on the next run": true,
	"article import refused":                         true,
	"the shop refused a stock level":                 true,
}

// pipelineLogger is the logger of a pipeline whose run ends in a printed summary (sync, retry).
func (a *app) pipelineLogger() hclog.Logger {
	level := hclog.LevelFromString(a.g.logLevel)
	if level == hclog.NoLevel {
		level = hclog.Warn
	}
	opts := &hclog.LoggerOptions{Name: "koppel", Level: level, Output: logWriter{a}, JSONFormat: a.g.logJSON}
	if level >= hclog.Warn {
		opts.Exclude = func(_ hclog.Level, msg string, _ ...any) bool { return summarised[msg] }
	}
	return hclog.New(opts).Named("pipeline")
}

// logWriter writes log lines to stderr above the progress bar: the bar's line is cleared first
// and drawn again below the log line at its next update. Every line — the host's own and the
// plugins' relayed ones — has its personal data (e-mail addresses, names, phone numbers,
// postcodes) replaced first (package sdk/redact).
type logWriter struct{ a *app }

func (w logWriter) Write(p []byte) (int, error) {
	if b := w.a.bar; b != nil && b.bar != nil {
		_ = b.bar.Clear()
	}
	if _, err := io.WriteString(w.a.env.Stderr, redact.Personal(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
