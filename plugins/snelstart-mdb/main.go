// Command koppel-plugin-snelstart-mdb is koppel's ledger connector for SnelStart 11
// administrations kept in Microsoft Access (.mdb) files. On Windows it reads and writes through
// the Microsoft Access ODBC driver; elsewhere it reads through mdbtools (read-only).
//
//	koppel-plugin-snelstart-mdb standin FILE.mdb OUT.sqlite   build a SQLite stand-in (tests and trials only)
//	koppel-plugin-snelstart-mdb version | describe
//
// The stand-in is a SQLite copy of an .mdb's tables and rows (made with mdbtools) that a
// ledger block with driver = "sqlite" reads and writes through the same SQL as the ODBC
// driver: for tests and for trying koppel without Windows, never for a real administration,
// since SnelStart never sees what is written there. Started by koppel the command serves the
// plugin protocol.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/ledger"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/standin"
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

func run() error {
	if len(os.Args) > 1 && os.Args[1] == "standin" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return buildStandin(ctx, os.Stdout, os.Args[2:])
	}
	return plugin.Serve(serveOpts())
}

// buildStandin is `koppel-plugin-snelstart-mdb standin FILE.mdb OUT.sqlite`: it builds the
// SQLite stand-in of FILE.mdb (read through mdbtools, never changed) as OUT.sqlite, which must
// not exist yet, and says on out how to use it.
func buildStandin(ctx context.Context, out io.Writer, args []string) error {
	if len(args) != 2 || args[0] == "" || args[1] == "" {
		return fmt.Errorf("usage: koppel-plugin-snelstart-mdb standin FILE.mdb OUT.sqlite (builds a SQLite stand-in for tests and trials, needs mdbtools)")
	}
	if err := standin.BuildFile(ctx, args[0], args[1]); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "wrote %s, a SQLite stand-in of %s.\n"+
		"Use it only for tests and trials, never as a real administration (SnelStart never sees what koppel writes there):\n"+
		"  ledger \"snelstart-mdb\" {\n    path   = %q\n    driver = \"sqlite\"\n  }\n", args[1], args[0], args[1])
	if err != nil {
		return fmt.Errorf("print: %w", err)
	}
	return nil
}

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
