// Command koppel-plugin-onetoshop is koppel's shop connector for Onetoshop webshops.
//
// This connector is not implemented yet (see the project's issue for it). The binary already
// declares its configuration schema, so profiles that name it validate, and it answers the
// plugin protocol; every call on an instance fails with a clear message.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"

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
			Name:        "onetoshop",
			Kind:        sdk.KindShop,
			Version:     version,
			Description: "Onetoshop webshops (not implemented yet)",
			Schema:      schema(),
		},
		NewShop: func(context.Context, sdk.Config, hclog.Logger) (sdk.Shop, error) {
			return nil, sdk.Errorf(sdk.KindConfig, "the onetoshop connector is not implemented yet in this version of koppel")
		},
	})
}
