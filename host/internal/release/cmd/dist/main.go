// Command dist builds koppel's release archives and SHA256SUMS (`make dist`); see package
// release.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/release"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dist:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		out     = flag.String("out", "dist", "directory for the archives and SHA256SUMS")
		version = flag.String("version", "", "the version stamped into the binaries and archive names")
		targets = flag.String("targets", "linux/amd64,linux/arm64,windows/amd64", "GOOS/GOARCH list")
		plugs   = flag.String("plugins", strings.Join(release.DefaultPlugins, ","), "bundled plugins")
	)
	flag.Parse()
	ts, err := release.ParseTargets(*targets)
	if err != nil {
		return err
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	archives, err := release.Build(ctx, release.Options{RepoDir: repo, OutDir: *out, Version: *version, Targets: ts,
		Plugins: strings.Split(*plugs, ","), Log: os.Stdout})
	if err != nil {
		return err
	}
	for _, a := range archives {
		fmt.Printf("%s  %s (%d files)\n", a.SHA256, a.Path, len(a.Files))
	}
	return nil
}
