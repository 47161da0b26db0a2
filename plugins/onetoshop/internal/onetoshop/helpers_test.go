package onetoshop

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// startSim runs a simulated shop on 127.0.0.1 and returns it with its URL.
func startSim(t testing.TB, opts simulator.Options) (*simulator.Server, string) {
	t.Helper()
	sim, err := simulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// testConfig is a configuration for the simulator at u.
func testConfig(u, token string) sdk.Config {
	if token == "" {
		token = simulator.DefaultToken
	}
	return sdk.Config{}.Set(attrURL, u).Set(attrToken, token)
}

// newTestShop builds a Shop for the simulator at u, with edit applied to the configuration.
func newTestShop(t testing.TB, u string, edit func(sdk.Config)) *Shop {
	t.Helper()
	cfg := testConfig(u, "")
	if edit != nil {
		edit(cfg)
	}
	s, err := New(context.Background(), cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	return s.(*Shop)
}

// d parses a decimal literal.
func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// listAll collects every order item of a listing.
func listAll(t testing.TB, s *Shop, q sdk.OrderQuery) []sdk.OrderItem {
	t.Helper()
	var out []sdk.OrderItem
	if err := s.ListOrders(context.Background(), q, func(it sdk.OrderItem) error {
		out = append(out, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
