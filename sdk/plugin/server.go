package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/koppel-nl/koppel/sdk"
	pb "github.com/koppel-nl/koppel/sdk/internal/protocol/v1"
)

// grpcPlugin is the go-plugin glue: on the plugin side it registers the services of impl, on the
// host side it returns a *Remote.
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl *server
}

var _ goplugin.GRPCPlugin = (*grpcPlugin)(nil)

// GRPCServer implements goplugin.GRPCPlugin.
func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterPluginServer(s, &pluginService{srv: p.impl})
	switch p.impl.opts.Info.Kind {
	case sdk.KindShop:
		pb.RegisterShopServer(s, &shopService{srv: p.impl})
	case sdk.KindLedger:
		pb.RegisterLedgerServer(s, &ledgerService{srv: p.impl})
	}
	return nil
}

// GRPCClient implements goplugin.GRPCPlugin.
func (p *grpcPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return newRemote(c), nil
}

// server holds the instances of one plugin process.
type server struct {
	opts   ServeOpts
	logger hclog.Logger

	mu      sync.RWMutex
	shops   map[string]sdk.Shop
	ledgers map[string]sdk.Ledger
}

func newServer(opts ServeOpts, logger hclog.Logger) *server {
	return &server{opts: opts, logger: logger, shops: map[string]sdk.Shop{}, ledgers: map[string]sdk.Ledger{}}
}

func (s *server) info() sdk.PluginInfo {
	info := s.opts.Info
	info.SDKVersion = sdk.Version
	info.Protocol = sdk.ProtocolVersion
	return info
}

func (s *server) configure(ctx context.Context, id string, cfg sdk.Config) error {
	log := s.logger.With("instance", id)
	switch s.opts.Info.Kind {
	case sdk.KindShop:
		shop, err := s.opts.NewShop(ctx, cfg, log)
		if err != nil {
			return err
		}
		s.mu.Lock()
		old := s.shops[id]
		s.shops[id] = shop
		s.mu.Unlock()
		closeQuietly(old)
	case sdk.KindLedger:
		ledger, err := s.opts.NewLedger(ctx, cfg, log)
		if err != nil {
			return err
		}
		s.mu.Lock()
		old := s.ledgers[id]
		s.ledgers[id] = ledger
		s.mu.Unlock()
		closeQuietly(old)
	default:
		return fmt.Errorf("plugin kind %q is neither shop nor ledger", s.opts.Info.Kind)
	}
	return nil
}

func (s *server) release(id string) {
	s.mu.Lock()
	shop, ledger := s.shops[id], s.ledgers[id]
	delete(s.shops, id)
	delete(s.ledgers, id)
	s.mu.Unlock()
	closeQuietly(shop)
	closeQuietly(ledger)
}

func (s *server) shop(id string) (sdk.Shop, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if sh, ok := s.shops[id]; ok {
		return sh, nil
	}
	return nil, unknownInstance(id)
}

func (s *server) ledger(id string) (sdk.Ledger, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l, ok := s.ledgers[id]; ok {
		return l, nil
	}
	return nil, unknownInstance(id)
}

// closeQuietly closes an instance that implements io.Closer (connectors may hold idle
// connections).
func closeQuietly(v any) {
	if c, ok := v.(io.Closer); ok {
		_ = c.Close()
	}
}

type pluginService struct {
	pb.UnimplementedPluginServer
	srv *server
}

func (p *pluginService) Info(context.Context, *pb.Empty) (*pb.InfoResponse, error) {
	b, err := json.Marshal(p.srv.info())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.InfoResponse{InfoJson: b}, nil
}

func (p *pluginService) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.Empty, error) {
	var cfg sdk.Config
	if err := json.Unmarshal(req.ConfigJson, &cfg); err != nil {
		return nil, toStatus(sdk.Errorf(sdk.KindConfig, "configuration is not valid JSON: %v", err))
	}
	if err := p.srv.configure(ctx, req.InstanceId, cfg); err != nil {
		return nil, toStatus(err)
	}
	return &pb.Empty{}, nil
}

func (p *pluginService) Release(_ context.Context, req *pb.InstanceRequest) (*pb.Empty, error) {
	p.srv.release(req.InstanceId)
	return &pb.Empty{}, nil
}

// decode unmarshals a call's payload; an empty payload leaves v at its zero value.
func decode(call *pb.Call, v any) error {
	if len(call.PayloadJson) == 0 {
		return nil
	}
	if err := json.Unmarshal(call.PayloadJson, v); err != nil {
		return sdk.Errorf(sdk.KindPermanent, "malformed request from host: %v", err)
	}
	return nil
}

// result marshals a return value, or converts the error.
func result(v any, err error) (*pb.Result, error) {
	if err != nil {
		return nil, toStatus(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, toStatus(fmt.Errorf("encode result: %w", err))
	}
	return &pb.Result{PayloadJson: b}, nil
}

// streamSender is the send half of a server stream.
type streamSender interface {
	Send(*pb.Result) error
}

func sendJSON(s streamSender, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode item: %w", err)
	}
	return s.Send(&pb.Result{PayloadJson: b})
}

// unaryServer runs one unary method: decode the argument, find the instance, call fn.
func unaryServer[I any, A any, R any](call *pb.Call, lookup func(string) (I, error), fn func(I, A) (R, error)) (*pb.Result, error) {
	inst, err := lookup(call.InstanceId)
	if err != nil {
		return nil, err
	}
	var arg A
	if err := decode(call, &arg); err != nil {
		return nil, toStatus(err)
	}
	return result(fn(inst, arg))
}
