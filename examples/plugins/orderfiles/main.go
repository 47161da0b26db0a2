// Command koppel-plugin-orderfiles is a koppel shop plugin for webshops without an API: it reads
// orders from CSV or JSON export files in a folder (local, a mounted share, or WebDAV) and writes
// stock back as a CSV file for the shop to import. It is also the worked example of
// docs/plugin-guide.md.
//
// Build and install it next to koppel's other plugins:
//
//	go build -o plugins/koppel-plugin-orderfiles ./examples/plugins/orderfiles
//	koppel plugins lock
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/examples/plugins/orderfiles/internal/orderfiles"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	opts := plugin.ServeOpts{
		Info: orderfiles.Info,
		NewShop: func(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error) {
			return orderfiles.New(ctx, cfg, log)
		},
		Simulate: orderfiles.Simulate,
	}
	// plugin.Serve also answers `version`, `describe`, `simulate` and `debug` (run under a
	// debugger; see docs/plugin-guide.md, "Debugging").
	return plugin.Serve(opts)
}
