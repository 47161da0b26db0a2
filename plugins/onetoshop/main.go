// Command koppel-plugin-onetoshop is koppel's shop plugin for Onetoshop webshops: orders,
// products and stock over the REST contract in API.md (assumed; Onetoshop publishes none).
//
//	koppel-plugin-onetoshop token                        print a new API token for the shop and the profile
//	koppel-plugin-onetoshop simulate --addr 127.0.0.1:PORT  run the Onetoshop simulator
//	koppel-plugin-onetoshop version | describe
//
// Started by koppel it serves the plugin protocol.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/koppel-nl/koppel/plugins/onetoshop/internal/onetoshop"
	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
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
	if len(os.Args) > 1 && os.Args[1] == "token" {
		return printToken(os.Stdout, os.Args[2:])
	}
	return plugin.Serve(plugin.ServeOpts{
		Info:    info(),
		NewShop: onetoshop.New,
		Simulate: func(ctx context.Context, args []string) error {
			return simulator.Run(ctx, args, os.Stdout)
		},
	})
}

// printToken is `koppel-plugin-onetoshop token`: one new random token on stdout, on a line of
// its own (so it can be piped), and on stderr where to enter it.
func printToken(out io.Writer, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("token takes no arguments")
	}
	tok, err := onetoshop.NewToken()
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, tok); err != nil {
		return fmt.Errorf("print token: %w", err)
	}
	fmt.Fprintln(os.Stderr, "Enter this token in the Onetoshop back office (API / koppelingen) and as token in the profile's shop \"onetoshop\" block; keep it secret.")
	return nil
}
