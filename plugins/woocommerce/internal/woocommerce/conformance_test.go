package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

// testVersion is the plugin version the conformance harness reports.
const testVersion = "0.0.0-test"

// newForKit is the harness's constructor: New with a null logger.
func newForKit(ctx context.Context, cfg sdk.Config) (sdk.Shop, error) {
	return New(ctx, cfg, hclog.NewNullLogger())
}

// kitSimulator is a WooCommerce simulator on 127.0.0.1 for the conformance kit, with a clock
// the harness can move forward (so a modified order gets a strictly newer date_modified
// without waiting for the next second).
type kitSimulator struct {
	sim    *simulator.Server
	url    string
	offset atomic.Int64 // nanoseconds added to the wall clock
}

// startKitSimulator starts the simulator over plain http (OAuth 1.0a, as WooCommerce demands
// there) with the demo keys.
func startKitSimulator(t *testing.T) *kitSimulator {
	t.Helper()
	k := &kitSimulator{}
	sim, err := simulator.New(simulator.Options{
		Clock: func() time.Time { return time.Now().Add(time.Duration(k.offset.Load())) },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	k.sim, k.url = sim, srv.URL
	return k
}

// advance moves the simulator's clock forward.
func (k *kitSimulator) advance(d time.Duration) { k.offset.Add(int64(d)) }

// writer is the connector's own signed API client, used by the harness to seed and modify the
// store through WooCommerce's REST endpoints (the simulator checks every signature).
func writer(cfg sdk.Config) (*api, error) {
	c := sdk.Config{}
	for k, v := range cfg {
		c[k] = v
	}
	c.Set(attrRatePerMinute, 0)
	s, err := newShop(c, hclog.NewNullLogger(), nil, nil)
	if err != nil {
		return nil, err
	}
	return s.api, nil
}

// seedBody is one POST /orders body. With products it makes a shop order (product lines, a
// coupon, shipping, a fee, addresses in NL, BE or DE); without, an order with a fee line only,
// which any store accepts without knowing its catalogue (acceptance mode).
func seedBody(i int, tag string, products []int64) map[string]any {
	countries := []struct{ country, city, post, first, last string }{
		{"NL", "Utrecht", "3511 AB", "Zoë", "van der Berg"},
		{"BE", "Antwerpen", "2000", "Françoise", "Dubois"},
		{"DE", "Berlin", "10623", "Jürgen", "Müller"},
	}
	c := countries[i%len(countries)]
	addr := map[string]any{"first_name": c.first, "last_name": c.last, "address_1": "Teststraat " + strconv.Itoa(i+1),
		"city": c.city, "postcode": c.post, "country": c.country}
	billing := map[string]any{"email": "conformance@example.invalid"}
	for k, v := range addr {
		billing[k] = v
	}
	if i%4 == 1 {
		billing["company"] = "Conformance & Zn. B.V."
	}
	body := map[string]any{
		"status":         []string{"processing", "completed"}[i%2],
		"billing":        billing,
		"shipping":       addr,
		"payment_method": "bacs", "payment_method_title": "Bankoverschrijving",
		"customer_note": "koppel conformance " + tag,
		"meta_data":     []any{map[string]any{"key": "_koppel_conformance", "value": tag}},
	}
	if len(products) == 0 {
		body["fee_lines"] = []any{map[string]any{"name": "Conformance " + tag, "tax_status": "taxable",
			"total": fmt.Sprintf("%d.%02d", 5+i%20, (i*37)%100)}}
		return body
	}
	lines := []any{map[string]any{"product_id": products[i%len(products)], "quantity": 1 + i%3}}
	if i%3 == 0 {
		lines = append(lines, map[string]any{"product_id": products[(i+1)%len(products)], "quantity": 2})
	}
	body["line_items"] = lines
	if i%5 != 4 {
		body["shipping_lines"] = []any{map[string]any{"method_id": "flat_rate", "method_title": "PostNL", "total": "4.95"}}
	}
	switch i % 7 {
	case 1:
		body["coupon_lines"] = []any{map[string]any{"code": "welkom10"}}
	case 3:
		body["fee_lines"] = []any{map[string]any{"name": "Betaalkosten", "tax_status": "taxable", "total": "0.29"}}
	case 5:
		body["fee_lines"] = []any{map[string]any{"name": "Korting vaste klant", "tax_status": "taxable", "total": "-2.50"}}
	}
	return body
}

// seedOrders returns a SeedOrders hook creating n orders through POST /orders. With withProducts
// it first creates two catalogue products (9% and 21%) through POST /products. tick, when set,
// runs after every 10 orders (the simulator moves its clock a second), so that the seeded orders
// spread over several seconds with ties inside each.
func seedOrders(cfg sdk.Config, withProducts bool, tick func()) func(ctx context.Context, n int) ([]string, error) {
	return func(ctx context.Context, n int) ([]string, error) {
		w, err := writer(cfg)
		if err != nil {
			return nil, err
		}
		tag := strconv.FormatInt(time.Now().UnixNano(), 36)
		var products []int64
		if withProducts {
			for _, p := range []map[string]any{
				{"name": "Conformance koffie " + tag, "type": "simple", "regular_price": "18.95", "sku": "CONF-KOF-" + tag, "tax_class": "reduced-rate"},
				{"name": "Conformance mok & schotel " + tag, "type": "simple", "regular_price": "12.50", "sku": "CONF-MOK-" + tag},
			} {
				r, err := w.post(ctx, "/products", p)
				if err != nil {
					return nil, fmt.Errorf("create product: %w", err)
				}
				var created struct {
					ID int64 `json:"id"`
				}
				if err := json.Unmarshal(r.Body, &created); err != nil || created.ID == 0 {
					return nil, fmt.Errorf("create product: no id in %.200s", r.Body)
				}
				products = append(products, created.ID)
			}
		}
		ids := make([]string, 0, n)
		for i := 0; i < n; i++ {
			if tick != nil && i > 0 && i%10 == 0 {
				tick()
			}
			r, err := w.post(ctx, "/orders", seedBody(i, tag, products))
			if err != nil {
				return ids, fmt.Errorf("create order %d: %w", i, err)
			}
			var created struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(r.Body, &created); err != nil || created.ID == 0 {
				return ids, fmt.Errorf("create order %d: no id in %.200s", i, r.Body)
			}
			ids = append(ids, strconv.FormatInt(created.ID, 10))
		}
		return ids, nil
	}
}

// modifyOrder returns a ModifyOrder hook that changes an order through PUT /orders/{id} (a meta
// entry, invisible to customers). before, when set, runs first (the simulator moves its clock
// a second forward there, past WooCommerce's second resolution).
func modifyOrder(cfg sdk.Config, before func()) func(ctx context.Context, id string) error {
	return func(ctx context.Context, id string) error {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return fmt.Errorf("order id %q is not numeric", id)
		}
		w, err := writer(cfg)
		if err != nil {
			return err
		}
		if before != nil {
			before()
		}
		body, err := json.Marshal(map[string]any{"meta_data": []any{
			map[string]any{"key": "_koppel_conformance_touched", "value": time.Now().UTC().Format(time.RFC3339Nano)}}})
		if err != nil {
			return err
		}
		_, err = w.do(ctx, http.MethodPut, "/orders/"+id, nil, body)
		return err
	}
}

// injectFault switches the simulator's 429 or 503 on for every request, with a Retry-After of
// 600 s (beyond httpclient's longest wait, so the connector gives up at once).
func (k *kitSimulator) injectFault(_ context.Context, f conformance.Fault) (func(), error) {
	var faults simulator.Faults
	switch f {
	case conformance.FaultThrottle:
		faults = simulator.Faults{TooManyRate: 1, RetryAfter: 600 * time.Second}
	case conformance.FaultUnavailable:
		faults = simulator.Faults{UnavailableRate: 1, RetryAfter: 600 * time.Second}
	default:
		return nil, fmt.Errorf("the WooCommerce simulator has no %s fault for a shop", f)
	}
	prev := k.sim.CurrentFaults()
	if err := k.sim.SetFaults(faults); err != nil {
		return nil, err
	}
	return func() { _ = k.sim.SetFaults(prev) }, nil
}

// kitConfig is a configuration for the simulator at u with the demo keys.
func kitConfig(u string) sdk.Config {
	return sdk.Config{}.Set(attrURL, u).
		Set(attrKey, simulator.DefaultConsumerKey).Set(attrSecret, simulator.DefaultConsumerSecret).
		Set(attrRatePerMinute, 0).Set(attrTimeout, "10s")
}

// TestConformance runs the shop contract kit against the simulator, through its REST API:
// seeding with POST /orders, modifying with PUT /orders/{id}, faults for 429 and 503.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(sdk.Config)
		tick bool // spread seeded orders over seconds (ties of 10) or not (all in a second or two)
	}{
		{name: "pages_of_100", tick: true},
		{name: "pages_of_7_same_second", set: func(c sdk.Config) { c.Set(attrPageSize, 7) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // check/unreachable waits out httpclient's retries of a refused dial
			k := startKitSimulator(t)
			cfg := kitConfig(k.url)
			if tc.set != nil {
				tc.set(cfg)
			}
			var tick func()
			if tc.tick {
				tick = func() { k.advance(time.Second) }
			}
			conformance.TestShop(t, conformance.ShopHarness{
				Info:           Info(testVersion),
				New:            newForKit,
				Config:         cfg,
				BadCredentials: conformance.WithBadCredentials(cfg, Schema()),
				Unreachable:    conformance.WithURL(cfg, attrURL, conformance.UnreachableURL),
				SeedOrders:     seedOrders(cfg, true, tick),
				ModifyOrder:    modifyOrder(cfg, func() { k.advance(time.Second) }),
				InjectFault:    k.injectFault,
				Timeout:        time.Minute,
			})
		})
	}
}

// TestAcceptance runs the same kit against a real WooCommerce store (see README.md): only with
// KOPPEL_ACC=1 and KOPPEL_ACC_WOOCOMMERCE_URL, _CONSUMER_KEY and _CONSUMER_SECRET set. It reads
// the orders of the last 30 days; with KOPPEL_ACC_WRITE=1 it also creates 30 orders (a fee line
// each, billing e-mail conformance@example.invalid) and adds a meta entry to one.
func TestAcceptance(t *testing.T) {
	if !conformance.Acceptance() {
		t.Skip("acceptance mode is off: set KOPPEL_ACC=1 and KOPPEL_ACC_WOOCOMMERCE_URL, _CONSUMER_KEY and _CONSUMER_SECRET to run the kit against a real store")
	}
	info := Info(testVersion)
	cfg, err := conformance.AcceptanceConfig(info)
	if err != nil {
		t.Fatal(err)
	}
	conformance.TestShop(t, conformance.ShopHarness{
		Info:           info,
		New:            newForKit,
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
		Unreachable:    conformance.WithURL(cfg, attrURL, conformance.UnreachableURL),
		SeedOrders:     seedOrders(cfg, false, nil),
		ModifyOrder:    modifyOrder(cfg, func() { time.Sleep(1100 * time.Millisecond) }),
		Query:          sdk.OrderQuery{Since: time.Now().AddDate(0, 0, -30)},
		Orders:         30,
		StopAfter:      []int{7, 25},
		Live:           true,
	})
}
