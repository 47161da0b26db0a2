package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/sdk/redact"
)

// ReattachEnv is the environment variable through which the host learns about plugins that are
// already running in debug mode. Its value is the JSON object printed by ServeDebug: plugin name
// → ReattachInfo. When it names a plugin, the host connects to that process instead of starting
// the binary from plugin_dir (and does not check the lock file for it).
const ReattachEnv = "KOPPEL_REATTACH_PLUGINS"

// ReattachInfo is how a host finds a plugin served by ServeDebug. It is the JSON form of
// go-plugin's ReattachConfig (whose net.Addr does not marshal).
type ReattachInfo struct {
	// Protocol is "grpc".
	Protocol string `json:"protocol"`
	// ProtocolVersion is the koppel protocol version the process serves.
	ProtocolVersion int `json:"protocol_version"`
	// Pid is the plugin process id (informational: the host never kills a debug process).
	Pid int `json:"pid"`
	// Network and Address are where the plugin listens: "unix" and a socket path, or "tcp"
	// and host:port.
	Network string `json:"network"`
	Address string `json:"address"`
}

// DebugOpts configure ServeDebug.
type DebugOpts struct {
	// Out receives the reattach instructions; nil means os.Stdout.
	Out io.Writer
	// Log receives the plugin's log lines (human-readable, debug level); nil means os.Stderr.
	Log io.Writer
	// Ready, when set, is called with the reattach information once the plugin listens (for
	// tests and tools that start a debug plugin themselves).
	Ready func(name string, info ReattachInfo)
}

// ServeDebug serves opts in debug mode: the plugin runs as an ordinary, long-lived process
// (started by you, under a debugger such as Delve, not by koppel), listens on a local socket and
// prints the line to paste into the shell where koppel will run:
//
//	KOPPEL_REATTACH_PLUGINS='{"orderfiles":{"protocol":"grpc",...}}'
//
// koppel then connects to this process instead of starting the binary, so breakpoints in the
// connector are hit while `koppel check` or `koppel sync` uses it. The host does not stop a
// debug process; ServeDebug returns when ctx is cancelled (Ctrl-C in the plugin's terminal).
// Between host runs the process keeps its configured instances.
//
// There is no mTLS in debug mode (go-plugin cannot hand a certificate to a process it did not
// start), and the lock file is not consulted: use it on your own machine only.
func ServeDebug(ctx context.Context, opts ServeOpts, d DebugOpts) error {
	if err := opts.validate(); err != nil {
		return err
	}
	out := d.Out
	if out == nil {
		out = os.Stdout
	}
	logOut := d.Log
	if logOut == nil {
		logOut = os.Stderr
	}
	name := opts.Info.Name
	logger := hclog.New(&hclog.LoggerOptions{Name: name, Level: hclog.Debug, Output: redact.Writer(logOut)})
	srv := newServer(opts, logger)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reattach := make(chan *goplugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(srv),
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           logger,
		Test: &goplugin.ServeTestConfig{
			Context:          ctx,
			ReattachConfigCh: reattach,
			CloseCh:          closed,
		},
	})

	var rc *goplugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-closed:
		return errors.New("debug server stopped before it listened (see the log above)")
	case <-time.After(30 * time.Second):
		return errors.New("debug server did not start listening within 30s")
	}
	info := ReattachInfo{
		Protocol:        string(rc.Protocol),
		ProtocolVersion: rc.ProtocolVersion,
		Pid:             rc.Pid,
		Network:         rc.Addr.Network(),
		Address:         rc.Addr.String(),
	}
	line, err := FormatReattach(map[string]ReattachInfo{name: info})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `koppel-plugin-%[1]s is running in debug mode (pid %[2]d). In the shell where you run koppel:

	export %[3]s

(PowerShell: $env:%[4]s = '%[5]s')
koppel then uses this process for plugin %[1]q instead of starting it. Press Ctrl-C here to stop.
`, name, info.Pid, ReattachEnv+"='"+line+"'", ReattachEnv, line)
	if d.Ready != nil {
		d.Ready(name, info)
	}
	select {
	case <-ctx.Done():
	case <-closed:
	}
	cancel()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
	}
	return nil
}

// FormatReattach renders plugin name → ReattachInfo as the one-line JSON value of ReattachEnv,
// names sorted so the output is stable.
func FormatReattach(m map[string]ReattachInfo) (string, error) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("{")
	for i, n := range names {
		k, err := json.Marshal(n)
		if err != nil {
			return "", fmt.Errorf("reattach: %w", err)
		}
		v, err := json.Marshal(m[n])
		if err != nil {
			return "", fmt.Errorf("reattach: %w", err)
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	return b.String(), nil
}

// ParseReattach parses the value of ReattachEnv (one-line JSON, optionally wrapped in the single
// quotes ServeDebug prints). An empty value gives an empty map. Every entry must name a network
// ("unix" or "tcp") and an address.
func ParseReattach(s string) (map[string]ReattachInfo, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, ReattachEnv+"=")
	s = strings.Trim(s, "'")
	if s == "" {
		return map[string]ReattachInfo{}, nil
	}
	var m map[string]ReattachInfo
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("%s is not the JSON a plugin printed in debug mode: %w", ReattachEnv, err)
	}
	for name, ri := range m {
		if ri.Network != "unix" && ri.Network != "tcp" {
			return nil, fmt.Errorf("%s: plugin %q: network %q is not unix or tcp", ReattachEnv, name, ri.Network)
		}
		if ri.Address == "" {
			return nil, fmt.Errorf("%s: plugin %q has no address", ReattachEnv, name)
		}
		if ri.Protocol != "" && ri.Protocol != string(goplugin.ProtocolGRPC) {
			return nil, fmt.Errorf("%s: plugin %q speaks %q, koppel needs grpc", ReattachEnv, name, ri.Protocol)
		}
	}
	return m, nil
}

// ReattachFromEnv returns the debug plugins named in ReattachEnv (empty when it is unset).
func ReattachFromEnv() (map[string]ReattachInfo, error) {
	return ParseReattach(os.Getenv(ReattachEnv))
}

// ReattachClientConfig returns the go-plugin client configuration that connects to a plugin
// already running in debug mode, in place of ClientConfig. It carries no Cmd, no SecureConfig
// (a debug plugin is not checked against the lock file) and no mTLS; Kill on the resulting
// client disconnects without stopping the process.
func ReattachClientConfig(ri ReattachInfo, o ClientOptions) (*goplugin.ClientConfig, error) {
	var addr net.Addr
	var err error
	switch ri.Network {
	case "unix":
		addr, err = net.ResolveUnixAddr("unix", ri.Address)
	case "tcp":
		addr, err = net.ResolveTCPAddr("tcp", ri.Address)
	default:
		err = fmt.Errorf("network %q is not unix or tcp", ri.Network)
	}
	if err != nil {
		return nil, fmt.Errorf("reattach address: %w", err)
	}
	version := ri.ProtocolVersion
	if version == 0 {
		version = int(Handshake.ProtocolVersion)
	}
	set, ok := versionedPlugins(nil)[version]
	if !ok {
		return nil, fmt.Errorf("the debug plugin serves protocol %d, which this koppel does not speak", version)
	}
	timeout := o.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return &goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(nil),
		// go-plugin negotiates nothing when it reattaches: it uses Plugins as they are.
		Plugins:          set,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           o.Logger,
		StartTimeout:     timeout,
		Reattach: &goplugin.ReattachConfig{
			Protocol:        goplugin.ProtocolGRPC,
			ProtocolVersion: version,
			Addr:            addr,
			Pid:             ri.Pid,
			Test:            true,
		},
	}, nil
}
