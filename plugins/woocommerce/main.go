// Command koppel-plugin-woocommerce is koppel's shop plugin for WooCommerce (REST API v3). The
// host starts it as a go-plugin subprocess; `koppel-plugin-woocommerce simulate --addr
// 127.0.0.1:PORT` runs a local WooCommerce simulator instead.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/koppel-nl/koppel/plugins/woocommerce/internal/woocommerce"
	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
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
	return plugin.Serve(plugin.ServeOpts{
		Info:    woocommerce.Info(version),
		NewShop: woocommerce.New,
		Simulate: func(ctx context.Context, args []string) error {
			return simulator.Run(ctx, args, os.Stdout)
		},
	})
}
