package woocommerce

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// startSimulator runs the WooCommerce simulator (OAuth 1.0a over plain http, keys
// ck_demo/cs_demo by default) on 127.0.0.1.
func startSimulator(t testing.TB, opts simulator.Options) (*simulator.Server, string) {
	t.Helper()
	sim, err := simulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() {
		srv.Close()
		srv = nil // testing keeps a benchmark's cleanups until the family ends: free the store
	})
	return sim, srv.URL
}

func TestSimulatorCheck(t *testing.T) {
	_, u := startSimulator(t, simulator.Options{})
	s := newTestShop(t, u, nil)
	res, err := s.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Summary, "WooCommerce 10.0.2") || res.Details["woocommerce_version"] != "10.0.2" {
		t.Errorf("summary %q details %v", res.Summary, res.Details)
	}
	bad := newTestShop(t, u, func(c sdk.Config) { c.Set(attrSecret, "cs_wrong") })
	_, err = bad.Check(context.Background())
	if sdk.KindOf(err) != sdk.KindAuth || strings.Contains(err.Error(), "cs_wrong") {
		t.Fatalf("wrong secret: %v", err)
	}
	_, moved := startSimulator(t, simulator.Options{RedirectTo: "https://www.shop.example"})
	_, err = newTestShop(t, moved, nil).Check(context.Background())
	if sdk.KindOf(err) != sdk.KindUnreachable || !strings.Contains(err.Error(), "https://www.shop.example") {
		t.Fatalf("redirect: %v", err)
	}
}

// Orders touched while the connector pages through the simulator are neither lost nor
// duplicated (after the host's dedupe by id and modified), and every mapped order adds up to
// the shop's totals.
func TestSimulatorOrdersModifiedWhilePaging(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	gen, err := sim.GenerateOrders(300)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrPageSize, 20) })
	h := newHostDedupe()
	touched := map[string]bool{}
	n := 0
	err = s.ListOrders(context.Background(), sdk.OrderQuery{Statuses: []string{"any"}}, func(it sdk.OrderItem) error {
		n++
		if n == 30 || n == 95 || n == 170 { // touch an order already read and one not yet read
			for _, id := range []int64{gen[n/3].ID, gen[n+50].ID} {
				if _, err := sim.TouchOrder(id, ""); err != nil {
					return err
				}
				touched[fmt.Sprint(id)] = true
			}
		}
		checkSums(t, it.Order)
		return h.yield(it)
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range h.seen {
		if c != 1 {
			t.Errorf("%s handed out %d times", k, c)
		}
	}
	if len(h.latest) != len(gen) {
		t.Fatalf("%d distinct orders, want %d", len(h.latest), len(gen))
	}
	for id := range touched {
		o, _ := sim.Order(mustInt(t, id))
		if !h.latest[id].Equal(o.DateModified.UTC().Truncate(time.Second)) {
			t.Errorf("order %s: latest seen %v, store has %v", id, h.latest[id], o.DateModified)
		}
	}
}

func TestSimulatorStock(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	if _, err := sim.GenerateOrders(1); err != nil { // creates the catalogue
		t.Fatal(err)
	}
	var levels []sdk.StockLevel
	want := map[int64]int64{}
	for i, p := range sim.Products() {
		if p.SKU == "" || p.Type == "variable" || !p.ManageStock {
			continue
		}
		levels = append(levels, sdk.StockLevel{SKU: p.SKU, Quantity: d(fmt.Sprint(i + 3))})
		want[p.ID] = int64(i + 3)
	}
	levels = append(levels, sdk.StockLevel{SKU: "NO-SUCH-SKU", Quantity: d("1")})
	if len(want) == 0 {
		t.Fatal("the simulator's catalogue has no stock-managed products")
	}
	s := newTestShop(t, u, nil)
	res, err := s.WriteStock(context.Background(), levels)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res[:len(res)-1] {
		if r.Err != "" {
			t.Errorf("%s: %s", levels[i].SKU, r.Err)
		}
	}
	if last := res[len(res)-1]; !last.NotFound {
		t.Errorf("unknown SKU: %+v", last)
	}
	for id, q := range want {
		p, _ := sim.Product(id)
		if p.StockQuantity == nil || *p.StockQuantity != q {
			t.Errorf("product %d (%s): stock %v, want %d", id, p.SKU, p.StockQuantity, q)
		}
	}
	var items []sdk.ProductItem
	if err := s.ListProducts(context.Background(), sdk.ProductQuery{}, func(it sdk.ProductItem) error {
		items = append(items, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(items) != len(sim.Products()) {
		t.Errorf("ListProducts: %d items, store has %d products and variations", len(items), len(sim.Products()))
	}
}

func mustInt(t *testing.T, s string) int64 {
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSimulatorListingTotal: every listed order carries the listing's expected total from
// X-WP-Total, which equals the orders the listing yields, on a fresh listing and on one
// resumed from a cursor part-way (the overlap window's orders, read again and skipped, are not
// counted).
func TestSimulatorListingTotal(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	if _, err := sim.GenerateOrders(137); err != nil {
		t.Fatal(err)
	}
	s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrPageSize, 20) })
	list := func(q sdk.OrderQuery, stopAfter int) (n int, totals map[int]int, cursor string) {
		t.Helper()
		totals = map[int]int{}
		stop := fmt.Errorf("stop")
		err := s.ListOrders(context.Background(), q, func(it sdk.OrderItem) error {
			n++
			totals[it.Total]++
			cursor = it.Cursor
			if n == stopAfter {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			t.Fatal(err)
		}
		return n, totals, cursor
	}
	q := sdk.OrderQuery{AllStatuses: true}
	all, totals, _ := list(q, -1)
	if all < 100 || len(totals) != 1 || totals[all] != all {
		t.Fatalf("fresh listing: %d orders, totals carried %v; want every item to carry %d", all, totals, all)
	}
	done, _, cur := list(q, 55)
	q.Cursor = cur
	rest, totals, _ := list(q, -1)
	if done+rest != all || len(totals) != 1 || totals[rest] != rest {
		t.Fatalf("resumed listing: %d after %d of %d, totals carried %v; want every item to carry %d", rest, done, all, totals, rest)
	}
}
