// Command koppel-plugin-magento is koppel's shop connector for Magento 2 / Adobe Commerce
// (REST API). `koppel-plugin-magento simulate --addr 127.0.0.1:8703` runs a strict simulator of
// the store API for tests and the demo.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/magento/internal/magento"
	"github.com/koppel-nl/koppel/plugins/magento/simulator"
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
	return plugin.Serve(plugin.ServeOpts{
		Info: sdk.PluginInfo{
			Name:         "magento",
			Kind:         sdk.KindShop,
			Version:      version,
			Description:  "Magento 2 / Adobe Commerce (REST): orders, products, stock (MSI or legacy)",
			Schema:       schema(),
			Capabilities: []string{sdk.CapStockWrite, sdk.CapProducts, sdk.CapOrderNotes},
		},
		NewShop: func(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error) {
			return magento.New(ctx, cfg, log)
		},
		Simulate: func(ctx context.Context, args []string) error {
			return simulator.Run(ctx, args, os.Stdout)
		},
	})
}
