package plugins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/callbudget"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// running is one started plugin process and the connection to it.
type running struct {
	client  *goplugin.Client
	remote  *plugin.Remote
	conn    *grpc.ClientConn // nil if go-plugin ever stops exposing it; health then relies on Exited
	cmd     *exec.Cmd
	pid     int
	info    sdk.PluginInfo
	started time.Time
	// suspect is set when an RPC failed at the transport level (no plugin error detail): the
	// process may have died although the connection does not say so yet. The next dial then
	// checks its health instead of trusting the connection state.
	suspect atomic.Bool
}

// launch starts the binary at path as plugin name and asks it for its Info. checksum, when not
// nil, is enforced by go-plugin's SecureConfig before the process starts. The returned process
// is connected and has answered Info; on error nothing is left running.
func (m *Manager) launch(name, path string, checksum []byte) (*running, error) {
	cmd := exec.Command(path)
	// The plugin logs only what the host keeps: the host re-logs its lines through m.logger,
	// which drops those below its level, so debug lines (one per HTTP call) would be written,
	// redacted, sent and parsed for nothing.
	cmd.Env = append(plugin.PluginEnv(os.Environ()), plugin.LogLevelEnv+"="+pluginLogLevel(m.logger))
	if m.opts.LimitsDir != "" {
		cmd.Env = append(cmd.Env, callbudget.DirEnv+"="+m.opts.LimitsDir)
	}
	setProcAttr(cmd)
	cfg := plugin.ClientConfig(cmd, plugin.ClientOptions{
		Checksum:     checksum,
		Logger:       m.logger.Named(name),
		StartTimeout: m.startTimeout,
	})
	return m.connect(name, cfg, cmd)
}

// connect starts (or, for a debug plugin, reattaches) the go-plugin client of cfg and asks the
// plugin for its Info. cmd is nil for a reattached plugin.
func (m *Manager) connect(name string, cfg *goplugin.ClientConfig, cmd *exec.Cmd) (*running, error) {
	r := &running{cmd: cmd, started: time.Now()}
	cfg.GRPCDialOptions = append(cfg.GRPCDialOptions,
		grpc.WithChainUnaryInterceptor(r.watchUnary),
		grpc.WithChainStreamInterceptor(r.watchStream))
	client := goplugin.NewClient(cfg)
	r.client = client
	remote, err := plugin.Dispense(client)
	if err != nil {
		client.Kill()
		return nil, err
	}
	r.remote = remote
	if cmd != nil && cmd.Process != nil {
		r.pid = cmd.Process.Pid
	}
	if rpc, err := client.Client(); err == nil {
		if g, ok := rpc.(*goplugin.GRPCClient); ok {
			r.conn = g.Conn
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.startTimeout)
	defer cancel()
	info, err := remote.Info(ctx)
	if err != nil {
		r.stop()
		return nil, fmt.Errorf("ask for its info: %w", err)
	}
	info.Protocol = client.NegotiatedVersion()
	if info.Name != name {
		r.stop()
		return nil, &sdk.Error{Kind: sdk.KindConfig, Message: fmt.Sprintf(
			"plugin %s: the process says it is plugin %q; rename its binary to %s", name, info.Name, fileName(info.Name, runtime.GOOS))}
	}
	if info.Kind != sdk.KindShop && info.Kind != sdk.KindLedger {
		r.stop()
		return nil, &sdk.Error{Kind: sdk.KindConfig, Message: fmt.Sprintf(
			"plugin %s: reports kind %q, which is neither shop nor ledger", name, info.Kind)}
	}
	r.info = info
	return r, nil
}

// alive reports whether the process still answers. The cheap checks come first: a process
// go-plugin saw exit is dead, a connection in state Ready is alive. Otherwise (the connection
// went idle or failed, as it does the moment the process dies, before go-plugin has reaped it)
// a health check with a short deadline decides. When ctx itself is done the process is given
// the benefit of the doubt: the caller's call fails on its own context.
func (r *running) alive(ctx context.Context) bool {
	if r.client.Exited() {
		return false
	}
	if r.conn == nil {
		return true
	}
	if !r.suspect.Load() && r.conn.GetState() == connectivity.Ready {
		return true
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := healthpb.NewHealthClient(r.conn).Check(cctx, &healthpb.HealthCheckRequest{Service: goplugin.GRPCServiceName})
	if err != nil && ctx.Err() != nil {
		return true
	}
	if err == nil {
		r.suspect.Store(false)
	}
	return err == nil
}

// healthyFast reports, without any RPC, whether the process can be used as it is.
func (r *running) healthyFast() bool {
	return !r.suspect.Load() && !r.client.Exited() && (r.conn == nil || r.conn.GetState() == connectivity.Ready)
}

// observe marks the process suspect after an RPC error that did not come from the plugin
// (every error a plugin returns carries an ErrorDetail).
func (r *running) observe(ctx context.Context, err error) {
	if err == nil || errors.Is(err, io.EOF) || ctx.Err() != nil {
		return
	}
	st, ok := status.FromError(err)
	if !ok || len(st.Details()) == 0 {
		r.suspect.Store(true)
	}
}

func (r *running) watchUnary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
	invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	r.observe(ctx, err)
	return err
}

func (r *running) watchStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
	streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	cs, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		r.observe(ctx, err)
		return nil, err
	}
	return &watchedStream{ClientStream: cs, r: r, ctx: ctx}, nil
}

// watchedStream reports a stream's receive errors to its process.
type watchedStream struct {
	grpc.ClientStream
	r   *running
	ctx context.Context
}

func (w *watchedStream) RecvMsg(m any) error {
	err := w.ClientStream.RecvMsg(m)
	w.r.observe(w.ctx, err)
	return err
}

// stop ends the process: go-plugin's graceful shutdown (the controller's Shutdown RPC, up to
// 2 s for the process to exit, then a kill). If that has not finished after grace, the process
// is killed outright, which also unblocks the shutdown RPC. stop returns once the process has
// been reaped.
func (r *running) stop() {
	r.stopWithin(5 * time.Second)
}

func (r *running) stopWithin(grace time.Duration) {
	done := make(chan struct{})
	go func() {
		r.client.Kill()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-time.After(grace):
	}
	r.kill()
	<-done
}

// kill sends SIGKILL (TerminateProcess on Windows) to the process. A reattached debug process
// (no cmd) is never killed.
func (r *running) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill() // an error means it is already gone
	}
}

// pluginLogLevel is the LogLevelEnv value for a host logger: its level's name, "off" for a
// logger that keeps nothing.
func pluginLogLevel(l hclog.Logger) string {
	lvl := l.GetLevel()
	if lvl == hclog.Off || lvl == hclog.NoLevel {
		return "off"
	}
	return lvl.String()
}
