// Command koppel-plugin-snelstart-online is koppel's ledger plugin for SnelStart online (the
// SnelStart B2B API v2). The host starts it as a go-plugin subprocess; run by a person it
// explains itself, and `koppel-plugin-snelstart-online simulate --addr 127.0.0.1:PORT` runs the
// SnelStart simulator.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/internal/snelstart"
	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// version is the plugin's version, set at build time with -ldflags "-X main.version=...".
var version = "0.1.0"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	return plugin.Serve(plugin.ServeOpts{
		Info:      snelstart.PluginInfo(version),
		NewLedger: snelstart.New,
		Simulate: func(ctx context.Context, args []string) error {
			return simulator.Run(ctx, args, os.Stdout)
		},
	})
}
