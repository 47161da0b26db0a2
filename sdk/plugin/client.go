package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

// ClientOptions configure how the host launches one plugin binary.
type ClientOptions struct {
	// Checksum is the SHA-256 of the binary from the lock file. When set, go-plugin's
	// SecureConfig refuses to start a binary whose hash differs. Nil starts it unchecked.
	Checksum []byte
	// Logger receives the plugin's log lines (hclog JSON on its stderr), re-logged under the
	// plugin's name at their own level.
	Logger hclog.Logger
	// StartTimeout bounds the handshake; zero means 30 seconds.
	StartTimeout time.Duration
	// Stderr, when set, also receives the plugin's raw stderr (for tests).
	Stderr io.Writer
	// HostEnv is the host environment the plugin's is taken from (see PluginEnv); nil means
	// os.Environ().
	HostEnv []string
}

// ClientConfig returns the go-plugin client configuration for cmd: gRPC only, AutoMTLS on, the
// koppel handshake and versioned plugin sets, SecureConfig when a checksum is given. The plugin
// does not inherit the host's environment: unless cmd.Env is set, it gets PluginEnv of it, so
// keys the host reads from environment variables stay in the host. The caller owns the
// returned client's lifetime (Kill it).
func ClientConfig(cmd *exec.Cmd, o ClientOptions) *goplugin.ClientConfig {
	if cmd.Env == nil {
		environ := o.HostEnv
		if environ == nil {
			environ = os.Environ()
		}
		cmd.Env = PluginEnv(environ)
	}
	timeout := o.StartTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	cfg := &goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: versionedPlugins(nil),
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		Logger:           o.Logger,
		StartTimeout:     timeout,
		Stderr:           o.Stderr,
	}
	if o.Checksum != nil {
		cfg.SecureConfig = &goplugin.SecureConfig{Checksum: o.Checksum, Hash: sha256.New()}
	}
	return cfg
}

// Dispense connects to a started go-plugin client and returns the koppel plugin behind it.
func Dispense(c *goplugin.Client) (*Remote, error) {
	rpc, err := c.Client()
	if err != nil {
		return nil, fmt.Errorf("connect to plugin: %w", err)
	}
	raw, err := rpc.Dispense(pluginName)
	if err != nil {
		return nil, fmt.Errorf("dispense plugin: %w", err)
	}
	r, ok := raw.(*Remote)
	if !ok {
		return nil, fmt.Errorf("plugin answered with %T, not a koppel plugin", raw)
	}
	return r, nil
}

// Remote is the host's connection to one running plugin process.
type Remote struct {
	plugin pb.PluginClient
	shop   pb.ShopClient
	ledger pb.LedgerClient

	mu         sync.Mutex
	name       string
	schema     sdk.Schema        // as Info answered; its Sensitive attributes are scrubbed from errors
	configured map[string]string // instance id → config JSON sent to this process
}

func newRemote(c *grpc.ClientConn) *Remote {
	return &Remote{
		plugin:     pb.NewPluginClient(c),
		shop:       pb.NewShopClient(c),
		ledger:     pb.NewLedgerClient(c),
		configured: map[string]string{},
	}
}

// Info asks the plugin for its name, kind, version and schema.
func (r *Remote) Info(ctx context.Context) (sdk.PluginInfo, error) {
	var info sdk.PluginInfo
	resp, err := r.plugin.Info(ctx, &pb.Empty{})
	if err != nil {
		return info, fromStatus(ctx, r.label(), "Info", err, false)
	}
	if err := json.Unmarshal(resp.InfoJson, &info); err != nil {
		return info, fmt.Errorf("plugin info: %w", err)
	}
	r.mu.Lock()
	r.name, r.schema = info.Name, info.Schema
	r.mu.Unlock()
	return info, nil
}

func (r *Remote) label() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.name == "" {
		return "(unnamed)"
	}
	return r.name
}

// Configure creates or replaces instance id in the plugin process with cfg. It is a no-op when
// this process already holds the same configuration for id.
func (r *Remote) Configure(ctx context.Context, id string, cfg sdk.Config) error {
	b, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encode configuration: %w", err)
	}
	r.mu.Lock()
	same := r.configured[id] == string(b)
	r.mu.Unlock()
	if same {
		return nil
	}
	if _, err := r.plugin.Configure(ctx, &pb.ConfigureRequest{InstanceId: id, ConfigJson: b}); err != nil {
		return r.scrub(fromStatus(ctx, r.label(), "Configure", err, false), cfg)
	}
	r.mu.Lock()
	r.configured[id] = string(b)
	r.mu.Unlock()
	return nil
}

// Release drops instance id in the plugin process.
func (r *Remote) Release(ctx context.Context, id string) error {
	r.mu.Lock()
	delete(r.configured, id)
	r.mu.Unlock()
	if _, err := r.plugin.Release(ctx, &pb.InstanceRequest{InstanceId: id}); err != nil {
		return fromStatus(ctx, r.label(), "Release", err, false)
	}
	return nil
}

func (r *Remote) forget(id string) {
	r.mu.Lock()
	delete(r.configured, id)
	r.mu.Unlock()
}

// Dialer returns the current connection to a plugin process. The host's supervisor starts the
// process again when it has exited, so a Dialer may return a different *Remote on each call.
type Dialer func(ctx context.Context) (*Remote, error)

// Static returns a Dialer that always returns r.
func Static(r *Remote) Dialer { return func(context.Context) (*Remote, error) { return r, nil } }

// instance is the common part of the host-side Shop and Ledger clients.
type instance struct {
	dial   Dialer
	name   string
	id     string
	config sdk.Config
}

// conn returns a connection on which this instance is configured.
func (in *instance) conn(ctx context.Context) (*Remote, error) {
	r, err := in.dial(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.Configure(ctx, in.id, in.config); err != nil {
		return nil, err
	}
	return r, nil
}

// call runs one RPC on a configured connection; a process that lost the instance (it was
// restarted behind the same connection) is configured again and the call repeated once.
func (in *instance) call(ctx context.Context, method string, mutating bool, do func(*Remote) error) error {
	for attempt := 0; ; attempt++ {
		r, err := in.conn(ctx)
		if err != nil {
			return err
		}
		err = do(r)
		if err == nil {
			return nil
		}
		if isUnknownInstance(err) && attempt == 0 {
			r.forget(in.id)
			continue
		}
		return r.scrub(fromStatus(ctx, in.name, method, err, mutating), in.config)
	}
}

// unaryClient encodes arg, runs rpc on the instance and decodes the result into R.
func unaryClient[R any](ctx context.Context, in *instance, method string, mutating bool, arg any,
	rpc func(*Remote, *pb.Call) (*pb.Result, error)) (R, error) {
	var out R
	var payload []byte
	if arg != nil {
		b, err := json.Marshal(arg)
		if err != nil {
			return out, fmt.Errorf("%s: encode request: %w", method, err)
		}
		payload = b
	}
	var res *pb.Result
	err := in.call(ctx, method, mutating, func(r *Remote) error {
		var err error
		res, err = rpc(r, &pb.Call{InstanceId: in.id, PayloadJson: payload})
		return err
	})
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(res.PayloadJson, &out); err != nil {
		return out, fmt.Errorf("plugin %s: %s: decode answer: %w", in.name, method, err)
	}
	return out, nil
}

// recvStream is the receive half of a server stream.
type recvStream interface {
	Recv() (*pb.Result, error)
}

// streamClient opens a server stream and hands each decoded item to yield. When yield fails the
// stream is cancelled and yield's error returned unchanged.
func streamClient[T any](ctx context.Context, in *instance, method string, arg any,
	open func(context.Context, *Remote, *pb.Call) (recvStream, error), yield func(T) error) error {
	payload, err := json.Marshal(arg)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", method, err)
	}
	var yieldErr error
	err = in.call(ctx, method, false, func(r *Remote) error {
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		st, err := open(sctx, r, &pb.Call{InstanceId: in.id, PayloadJson: payload})
		if err != nil {
			return err
		}
		for {
			msg, err := st.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			var item T
			if err := json.Unmarshal(msg.PayloadJson, &item); err != nil {
				yieldErr = fmt.Errorf("plugin %s: %s: decode item: %w", in.name, method, err)
				return nil
			}
			if err := yield(item); err != nil {
				yieldErr = err
				return nil
			}
		}
	})
	if yieldErr != nil {
		return yieldErr
	}
	return err
}
