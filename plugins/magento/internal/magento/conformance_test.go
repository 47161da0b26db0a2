package magento

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

var testInfo = sdk.PluginInfo{Name: "magento", Kind: sdk.KindShop, Version: "test", Schema: Schema(),
	Capabilities: []string{sdk.CapStockWrite, sdk.CapProducts}}

func harness(e *simEnv, cfg sdk.Config) conformance.ShopHarness {
	return conformance.ShopHarness{
		Info: testInfo,
		New: func(ctx context.Context, c sdk.Config) (sdk.Shop, error) {
			return New(ctx, c, hclog.NewNullLogger())
		},
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, testInfo.Schema),
		Unreachable:    conformance.WithURL(cfg, "url", conformance.UnreachableURL),
		SeedOrders: func(ctx context.Context, n int) ([]string, error) {
			return e.seedOrders(ctx, n, "processing")
		},
		ModifyOrder: func(_ context.Context, id string) error { return e.touch(id) },
		InjectFault: func(_ context.Context, f conformance.Fault) (func(), error) {
			switch f {
			case conformance.FaultThrottle, conformance.FaultUnavailable, conformance.FaultCommitThen500:
			default:
				return nil, fmt.Errorf("fault %s not supported", f)
			}
			if err := e.sim.SetFaults(simulator.Faults{Mode: string(f)}); err != nil {
				return nil, err
			}
			return func() { _ = e.sim.SetFaults(simulator.Faults{}) }, nil
		},
	}
}

// TestConformance runs the SDK's shop contract against the simulator with each auth mode.
func TestConformance(t *testing.T) {
	t.Run("oauth1", func(t *testing.T) {
		e := startSim(t, simulator.Options{})
		conformance.TestShop(t, harness(e, e.config()))
	})
	t.Run("admin_token", func(t *testing.T) {
		e := startSim(t, simulator.Options{})
		cfg := sdk.Config{}.Set("url", e.srv.URL).Set("auth", "admin").Set("username", simulator.DefaultAdminUser).
			Set("password", simulator.DefaultAdminPassword)
		h := harness(e, cfg)
		h.Orders, h.StopAfter = 120, []int{37}
		conformance.TestShop(t, h)
	})
}

// TestAcceptance runs the contract against a real store when KOPPEL_ACC=1 (read-only unless
// KOPPEL_ACC_WRITE=1), configured from KOPPEL_ACC_MAGENTO_<ATTRIBUTE> variables.
func TestAcceptance(t *testing.T) {
	if !conformance.Acceptance() {
		t.Skip("set KOPPEL_ACC=1 and KOPPEL_ACC_MAGENTO_URL, _CONSUMER_KEY, _CONSUMER_SECRET, _ACCESS_TOKEN, _ACCESS_TOKEN_SECRET to run against a real store")
	}
	cfg, err := conformance.AcceptanceConfig(testInfo)
	if err != nil {
		t.Fatal(err)
	}
	conformance.TestShop(t, conformance.ShopHarness{Info: testInfo,
		New: func(ctx context.Context, c sdk.Config) (sdk.Shop, error) {
			return New(ctx, c, hclog.NewNullLogger())
		},
		Config: cfg, BadCredentials: conformance.WithBadCredentials(cfg, testInfo.Schema),
		Unreachable: conformance.WithURL(cfg, "url", conformance.UnreachableURL),
		Query:       sdk.OrderQuery{Since: time.Now().AddDate(0, -1, 0)}, Live: true})
}
