package magento

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// simEnv is a simulator served on 127.0.0.1:0.
type simEnv struct {
	sim *simulator.Server
	srv *httptest.Server
}

func startSim(t testing.TB, o simulator.Options) *simEnv {
	t.Helper()
	sim, err := simulator.New(o)
	if err != nil {
		t.Fatalf("simulator.New: %v", err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &simEnv{sim: sim, srv: srv}
}

// config is an oauth1 configuration for the simulator's demo integration.
func (e *simEnv) config() sdk.Config {
	return sdk.Config{}.Set("url", e.srv.URL).Set("consumer_key", simulator.DefaultConsumerKey).
		Set("consumer_secret", simulator.DefaultConsumerSecret).Set("access_token", simulator.DefaultAccessToken).
		Set("access_token_secret", simulator.DefaultAccessTokenSecret)
}

// seedOrders generates n orders in status st through the simulator's admin endpoint.
func (e *simEnv) seedOrders(ctx context.Context, n int, st string) ([]string, error) {
	u := fmt.Sprintf("%s/_sim/orders?n=%d&status=%s", e.srv.URL, n, st)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		IDs []int64 `json:"ids"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out.IDs))
	for i, id := range out.IDs {
		ids[i] = fmt.Sprint(id)
	}
	return ids, nil
}

// touch modifies an order and lets the settle delay pass on the simulator's clock.
func (e *simEnv) touch(id string) error {
	var n int64
	if _, err := fmt.Sscan(id, &n); err != nil {
		return err
	}
	if err := e.sim.TouchOrder(n, ""); err != nil {
		return err
	}
	e.sim.Advance(2 * time.Minute)
	return nil
}

func mustShop(t testing.TB, cfg sdk.Config) *Shop {
	t.Helper()
	s, err := newShop(cfg, hclog.NewNullLogger(), nil, time.Now)
	if err != nil {
		t.Fatalf("newShop: %v", err)
	}
	return s
}

func listAll(t testing.TB, s *Shop, q sdk.OrderQuery) []sdk.OrderItem {
	t.Helper()
	var out []sdk.OrderItem
	if err := s.ListOrders(context.Background(), q, func(it sdk.OrderItem) error {
		out = append(out, it)
		return nil
	}); err != nil {
		t.Fatalf("ListOrders: %v", err)
	}
	return out
}
