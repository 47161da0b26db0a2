package onetoshop

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

// harness builds the conformance harness for a fresh simulator; cfgEdit adjusts the valid
// configuration.
func harness(t *testing.T, cfgEdit func(sdk.Config)) conformance.ShopHarness {
	sim, u := startSim(t, simulator.Options{})
	info := Info("test")
	cfg := testConfig(u, "")
	if cfgEdit != nil {
		cfgEdit(cfg)
	}
	return conformance.ShopHarness{
		Info:           info,
		New:            func(ctx context.Context, c sdk.Config) (sdk.Shop, error) { return New(ctx, c, hclog.NewNullLogger()) },
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
		Unreachable:    conformance.WithURL(cfg, attrURL, conformance.UnreachableURL),
		Query:          sdk.OrderQuery{Statuses: []string{"any"}},
		SeedOrders: func(ctx context.Context, n int) ([]string, error) {
			orders, err := sim.GenerateOrders(n)
			ids := make([]string, len(orders))
			for i, o := range orders {
				ids[i] = strconv.FormatInt(o.ID, 10)
			}
			return ids, err
		},
		ModifyOrder: func(ctx context.Context, id string) error {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return fmt.Errorf("order id %q: %w", id, err)
			}
			_, err = sim.TouchOrder(n, "")
			return err
		},
		InjectFault: func(ctx context.Context, f conformance.Fault) (func(), error) {
			var faults simulator.Faults
			switch f {
			case conformance.FaultThrottle:
				faults = simulator.Faults{ThrottleRate: 1, RetryAfter: 600 * time.Second}
			case conformance.FaultUnavailable:
				faults = simulator.Faults{UnavailableRate: 1, RetryAfter: 600 * time.Second}
			default:
				return nil, fmt.Errorf("fault %s: the Onetoshop connector creates nothing", f)
			}
			if err := sim.SetFaults(faults); err != nil {
				return nil, err
			}
			return func() { _ = sim.SetFaults(simulator.Faults{}) }, nil
		},
		Timeout: 30 * time.Second,
	}
}

// TestConformance runs the SDK's shop contract checks against the simulator with the default
// configuration (10-minute overlap window, 100 per page).
func TestConformance(t *testing.T) {
	conformance.TestShop(t, harness(t, nil))
}

// TestConformanceSmallPages runs them again with pages of 7 and no overlap, so paging and
// resuming cross many page boundaries.
func TestConformanceSmallPages(t *testing.T) {
	conformance.TestShop(t, harness(t, func(c sdk.Config) { c.Set(attrPageSize, 7).Set(attrOverlap, "0s").Set(attrRatePerMinute, 0) }))
}
