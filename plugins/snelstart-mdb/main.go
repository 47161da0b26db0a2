// Command koppel-plugin-snelstart-mdb is koppel's ledger connector for SnelStart 11
// administrations kept in Microsoft Access (.mdb) files. On Windows it reads and writes through
// the Microsoft Access ODBC driver; elsewhere it reads through mdbtools (read-only).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/ledger"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// version is the plugin's version, set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error { return plugin.Serve(serveOpts()) }

// serveOpts is what the binary serves: the ledger plugin's info and constructor.
func serveOpts() plugin.ServeOpts {
	info := ledger.PluginInfo(version)
	info.Schema = schema()
	return plugin.ServeOpts{
		Info: info,
		NewLedger: func(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Ledger, error) {
			return ledger.New(ctx, cfg, log)
		},
	}
}
