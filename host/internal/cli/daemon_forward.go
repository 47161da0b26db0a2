package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// The CLI beside the daemon. `koppel run` holds the state store (Badger allows one process per
// state_dir), so the commands that need it would fail while a daemon runs. Instead, a command
// named in daemonForwarded checks for a running daemon first and, when there is one, sends its
// command line to the daemon's API (POST /api/cli); the daemon runs the very same command code
// on its open store and streams the output back, so the result reads exactly as when the
// command runs alone. A command joins by adding its path to daemonForwarded: it must open the
// state store through a.openStore / a.openStoreOrDaemon / a.openState (which hand out the
// daemon's store when running inside it).

// daemonForwarded are the commands (by their path below koppel) that go through a running
// daemon.
var daemonForwarded = map[string]bool{
	"runs": true, "orders": true, "retry": true, "sync": true, "state stats": true,
	"plan": true, "attention": true, "resolve": true,
}

// daemonFile is the file in state_dir where `koppel run` announces its API address while it
// runs (never the token: that stays in the configuration).
const daemonFile = "koppel-run.json"

// daemonInfo is daemonFile's content.
type daemonInfo struct {
	endpoint
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
}

// announceDaemon writes daemonFile into stateDir and returns the function that removes it.
func announceDaemon(stateDir string, ep endpoint) (func(), error) {
	b, err := json.Marshal(daemonInfo{endpoint: ep, PID: os.Getpid(), Started: time.Now().UTC()})
	if err != nil {
		return nil, err
	}
	p := filepath.Join(stateDir, daemonFile)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return nil, fmt.Errorf("announce the API address in %s: %w", p, err)
	}
	return func() { _ = os.Remove(p) }, nil
}

// forwardCommands wraps the RunE of every command in daemonForwarded below root.
func (a *app) forwardCommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		a.forwardCommands(c)
		path := strings.TrimPrefix(c.CommandPath(), root.Root().Name()+" ")
		if !daemonForwarded[path] || c.RunE == nil {
			continue
		}
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if a.shared != nil {
				return run(cmd, args) // inside the daemon already
			}
			ep, k, ok := a.runningDaemon(cmd.Context())
			if !ok {
				return run(cmd, args)
			}
			return a.forward(cmd.Context(), ep, k, forwardArgs(cmd, path, args))
		}
	}
}

// runningDaemon returns the API endpoint of a `koppel run` that holds this configuration's
// state store and answers on its API.
func (a *app) runningDaemon(ctx context.Context) (endpoint, config.KoppelBlock, bool) {
	k, err := a.koppelBlock()
	if err != nil {
		return endpoint{}, k, false
	}
	b, err := os.ReadFile(filepath.Join(k.StateDir, daemonFile))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			a.logger().Warn("cannot read the running daemon's address", "error", err)
		}
		return endpoint{}, k, false
	}
	var info daemonInfo
	if json.Unmarshal(b, &info) != nil || info.Addr == "" {
		return endpoint{}, k, false
	}
	// A daemon that was killed leaves the file behind: ask it whether it is there.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, info.url()+"/healthz", nil)
	if err != nil {
		return endpoint{}, k, false
	}
	resp, err := info.client().Do(req)
	if err != nil {
		return endpoint{}, k, false
	}
	resp.Body.Close()
	return info.endpoint, k, true
}

// forwardArgs rebuilds the command line for the daemon: the command path, the arguments and the
// flags set on this command line, without --config (the daemon reads its own).
func forwardArgs(cmd *cobra.Command, path string, args []string) []string {
	out := append(strings.Fields(path), args...)
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Name == "config" {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				out = append(out, "--"+f.Name+"="+v)
			}
			return
		}
		out = append(out, "--"+f.Name+"="+f.Value.String())
	})
	return out
}

// forward sends args to the daemon on addr and copies its output here; the command's exit status
// becomes this process's.
func (a *app) forward(ctx context.Context, ep endpoint, k config.KoppelBlock, args []string) error {
	addr := ep.Addr
	body, err := json.Marshal(serve.CommandRequest{Args: args, Lang: string(a.tr().Lang)})
	if err != nil {
		return failedErr("ask the running koppel: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.url()+"/api/cli", bytes.NewReader(body))
	if err != nil {
		return failedErr("ask the running koppel: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if k.APIToken != "" {
		req.Header.Set("Authorization", "Bearer "+k.APIToken)
	}
	a.logger().Info("the state store is held by 'koppel run'; asking it over its API", "addr", addr, "command", args[0])
	resp, err := ep.client().Do(req)
	if err != nil {
		return failedErr("'koppel run' holds the state store, but its API on %s does not answer: %v", addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e serve.ErrorJSON
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e)
		if resp.StatusCode == http.StatusUnauthorized {
			return failedErr("'koppel run' holds the state store and refused the API token of %s: %s", a.g.configDir, e.Error)
		}
		return failedErr("'koppel run' holds the state store and answered %d: %s", resp.StatusCode, e.Error)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var ev serve.CommandEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return failedErr("read the answer of the running koppel: %v", err)
		}
		_, _ = io.WriteString(a.env.Stdout, ev.Stdout)
		_, _ = io.WriteString(a.env.Stderr, ev.Stderr)
		if ev.Exit != nil {
			if *ev.Exit != ExitOK {
				return silentExit(*ev.Exit)
			}
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return failedText("reason.cli.daemon_not_answered", err)
	}
	return failedErr("the running koppel ended the command without an exit status (did it stop?)")
}

// runForwarded is the daemon's serve.CommandRunner: it runs a forwarded command line with the
// daemon's configuration directory and its open state store.
func (d *daemon) runForwarded(ctx context.Context, req serve.CommandRequest, stdout, stderr io.Writer) int {
	path := req.Args[0]
	if len(req.Args) > 1 && daemonForwarded[path+" "+req.Args[1]] {
		path += " " + req.Args[1]
	}
	if !daemonForwarded[path] {
		fmt.Fprintf(stderr, "koppel: 'koppel %s' does not go through a running koppel\n", path)
		return ExitUsage
	}
	getenv := d.a.env.Getenv
	if req.Lang != "" {
		getenv = func(k string) (string, bool) {
			if k == "KOPPEL_LANG" {
				return req.Lang, true
			}
			return d.a.env.Getenv(k)
		}
	}
	sub := &app{env: Env{Version: d.a.env.Version, Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: getenv},
		shared: d.store}
	args := append(append([]string{}, req.Args...), "--config", d.a.g.configDir)
	return sub.run(ctx, args)
}

// sharedStore returns a handle on the daemon's store when this command runs inside the daemon.
func (a *app) sharedStore() *state.Store {
	if a.shared == nil {
		return nil
	}
	return a.shared.Borrow()
}
