package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/redact"
)

// ServeOpts is what a plugin binary hands to Serve.
type ServeOpts struct {
	// Info names the plugin and declares its kind, version, configuration schema and
	// capabilities. Name must match the binary's name after "koppel-plugin-".
	Info sdk.PluginInfo
	// NewShop constructs one shop instance from a decoded configuration (defaults filled in,
	// types checked by the host). Required for shop plugins.
	NewShop func(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error)
	// NewLedger constructs one ledger instance. Required for ledger plugins.
	NewLedger func(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Ledger, error)
	// Simulate runs the plugin's simulator for `koppel-plugin-NAME simulate ARGS...`; ctx is
	// cancelled on SIGINT or SIGTERM. Optional.
	Simulate func(ctx context.Context, args []string) error
	// Args are the command-line arguments after the program name; nil means os.Args[1:].
	Args []string
	// Stdout receives the output of `version`, `describe` and the message for people; nil
	// means os.Stdout.
	Stdout io.Writer
}

func (o ServeOpts) validate() error {
	if o.Info.Name == "" {
		return errors.New("plugin.Serve: Info.Name is empty")
	}
	if err := o.Info.Schema.Validate(); err != nil {
		return fmt.Errorf("plugin.Serve: %w", err)
	}
	switch o.Info.Kind {
	case sdk.KindShop:
		if o.NewShop == nil {
			return errors.New("plugin.Serve: a shop plugin needs NewShop")
		}
	case sdk.KindLedger:
		if o.NewLedger == nil {
			return errors.New("plugin.Serve: a ledger plugin needs NewLedger")
		}
	default:
		return fmt.Errorf("plugin.Serve: Info.Kind must be %q or %q", sdk.KindShop, sdk.KindLedger)
	}
	return nil
}

// Serve is the one call a plugin binary makes. With the argument `version` it prints the
// plugin's version, with `describe` its PluginInfo as JSON, with `debug` it runs in debug mode
// (ServeDebug), and with `simulate ARGS...` it runs opts.Simulate. Started by koppel (the handshake cookie is in the environment) it serves the
// plugin over gRPC until the host stops it, and exits by itself when the host process dies. Run
// by a person without arguments it explains what it is and returns an error.
func Serve(opts ServeOpts) error {
	if err := opts.validate(); err != nil {
		return err
	}
	args := opts.Args
	if args == nil {
		args = os.Args[1:]
	}
	out := opts.Stdout
	if out == nil {
		out = os.Stdout
	}
	info := newServer(opts, nil).info()
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version", "-v":
			fmt.Fprintf(out, "koppel-plugin-%s %s (%s plugin, protocol %d, sdk %s)\n",
				info.Name, info.Version, info.Kind, info.Protocol, info.SDKVersion)
			return nil
		case "describe":
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(info)
		case "debug":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return ServeDebug(ctx, opts, DebugOpts{Out: out})
		case "simulate":
			if opts.Simulate == nil {
				return fmt.Errorf("koppel-plugin-%s has no simulator", info.Name)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return opts.Simulate(ctx, args[1:])
		}
	}
	if os.Getenv(Handshake.MagicCookieKey) != Handshake.MagicCookieValue {
		fmt.Fprintf(out, `This is koppel-plugin-%[1]s %[2]s, a koppel %[3]s plugin. It is started by koppel, not by hand.

To use it, put this file in the plugin_dir of your koppel configuration (default ./plugins),
run "koppel plugins lock" there, and name it in a profile:  %[3]s "%[1]s" { ... }

Commands:
  koppel-plugin-%[1]s version                      print the version
  koppel-plugin-%[1]s describe                     print name, kind and configuration schema as JSON
  koppel-plugin-%[1]s debug                        run unmanaged (e.g. under a debugger) and print how koppel attaches to it
  koppel-plugin-%[1]s simulate --addr 127.0.0.1:PORT  run the simulator of the service it talks to
`, info.Name, info.Version, info.Kind)
		if len(args) > 0 {
			return fmt.Errorf("unknown command %q", args[0])
		}
		return errors.New("not started by koppel")
	}

	logger := hclog.New(&hclog.LoggerOptions{
		Name:       info.Name,
		Level:      LogLevel(os.Getenv(LogLevelEnv)), // what the host keeps
		Output:     redact.Writer(os.Stderr),         // no personal data in any log line
		JSONFormat: true,
	})
	// Anything a connector prints with the standard logger goes to stderr, never to stdout,
	// which belongs to the handshake.
	log.SetOutput(os.Stderr)
	go watchParent(os.Getppid(), time.Second, func() { os.Exit(3) })

	srv := newServer(opts, logger)
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(srv),
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           logger,
	})
	return nil
}

// watchParent calls exit once the process that started this one is gone (the process is
// re-parented), so a plugin never outlives a host that was killed without a chance to stop it.
func watchParent(parent int, every time.Duration, exit func()) {
	for {
		time.Sleep(every)
		if os.Getppid() != parent {
			exit()
			return
		}
	}
}
