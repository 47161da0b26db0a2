// Command koppel links webshops to the Dutch accounting package SnelStart. See README.md and
// `koppel --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/koppel-nl/koppel/host/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run())
}

// run executes the command line and returns the process exit status: 0 on success, 1 when the
// work failed, 2 on bad usage or an invalid configuration.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, os.Args[1:], cli.Env{
		Version: version,
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.LookupEnv,

		SetMemoryLimit: debug.SetMemoryLimit,
	})
}
