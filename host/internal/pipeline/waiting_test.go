package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// shopBlock sets the profile's shop plugin and its statuses attribute (nil: absent).
func shopBlock(name string, statuses []string) func(*config.Profile) {
	return func(p *config.Profile) {
		p.Shop = config.PluginBlock{Name: name, Config: sdk.Config{}}
		if statuses != nil {
			p.Shop.Config = p.Shop.Config.Set("statuses", statuses)
		}
	}
}

// statusOrder is a KOFFIE order (SKU KOFFIE) in status st, modified at day+minute.
func statusOrder(id, st string, minute int) sdk.Order {
	return mkOrder(id, false, []ln{{sku: "KOFFIE", name: "Koffie", qty: "1", price: "10", rate: "9"}}, func(o *sdk.Order) {
		o.Status = st
		o.ModifiedAt = day.Add(time.Duration(minute) * time.Minute)
	})
}

// Which statuses are imported, and what is asked of the shop: orders.statuses first, then the
// shop plugin's own statuses attribute (every status is listed, the host decides), else the
// plugin's default set as before.
func TestImportableStatuses(t *testing.T) {
	cases := []struct {
		name        string
		mods        []func(*config.Profile)
		defaults    []string // the fake plugin's default set
		wantAll     bool
		wantQuery   []string
		wantOutcome map[string]OutcomeStatus // by order status
	}{
		{name: "orders.statuses lists every status and imports only its own",
			mods:    []func(*config.Profile){shopBlock("woocommerce", []string{"processing", "completed"}), func(p *config.Profile) { p.Orders.Statuses = []string{"processing"} }},
			wantAll: true, wantQuery: []string{"processing"},
			wantOutcome: map[string]OutcomeStatus{"processing": StatusImported, "completed": StatusWaiting, "on-hold": StatusWaiting, "cancelled": StatusWaiting}},
		{name: "without orders.statuses the shop plugin's statuses attribute decides",
			mods:    []func(*config.Profile){shopBlock("woocommerce", []string{"processing", "completed"})},
			wantAll: true, wantQuery: []string{"processing", "completed"},
			wantOutcome: map[string]OutcomeStatus{"processing": StatusImported, "completed": StatusImported, "on-hold": StatusWaiting, "cancelled": StatusWaiting}},
		{name: "a statuses attribute of \"any\" imports every status",
			mods:        []func(*config.Profile){shopBlock("onetoshop", []string{"any"})},
			wantAll:     true,
			wantOutcome: map[string]OutcomeStatus{"processing": StatusImported, "completed": StatusImported, "on-hold": StatusImported, "cancelled": StatusImported}},
		{name: "neither: the plugin's default set is asked for, as before",
			mods:        []func(*config.Profile){shopBlock("orderfiles", nil)},
			defaults:    []string{"processing", "completed"},
			wantOutcome: map[string]OutcomeStatus{"processing": StatusImported, "completed": StatusImported}},
	}
	statuses := []string{"processing", "completed", "on-hold", "cancelled"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.mods...)
			e.shop.defaults = c.defaults
			for i, st := range statuses {
				e.shop.put(statusOrder(fmt.Sprint(i+1), st, i))
			}
			res := e.run()
			q := e.shop.queries[0]
			if q.AllStatuses != c.wantAll || !slices.Equal(q.Statuses, c.wantQuery) {
				t.Fatalf("query: AllStatuses %v Statuses %v, want %v %v", q.AllStatuses, q.Statuses, c.wantAll, c.wantQuery)
			}
			got := map[string]OutcomeStatus{}
			for _, o := range res.Orders {
				for i, st := range statuses {
					if o.ShopID == fmt.Sprint(i+1) {
						got[st] = o.Status
						if o.Status == StatusWaiting && !strings.Contains(o.Reason, st) {
							t.Errorf("waiting reason %q does not name the status", o.Reason)
						}
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.wantOutcome) {
				t.Fatalf("outcomes %v, want %v", got, c.wantOutcome)
			}
		})
	}
}

// Per shop, only statuses that are neither importable nor final hold stock back.
func TestHoldingStatusesPerShop(t *testing.T) {
	cases := []struct {
		shop  string
		holds []string
		free  []string
	}{
		{"woocommerce", []string{"pending", "on-hold", "wc-on-hold"}, []string{"cancelled", "refunded", "failed", "trash", "checkout-draft", "processing"}},
		{"magento", []string{"new", "pending", "pending_payment", "holded", "payment_review"}, []string{"canceled", "closed", "complete", "processing"}},
		{"onetoshop", []string{"new", "pending_payment"}, []string{"cancelled", "refunded", "paid", "shipped"}},
		{"someshop", []string{"awaiting-payment", "on-hold"}, []string{"cancelled", "canceled", "refunded", "failed", "closed", "completed", "processing"}},
	}
	for _, c := range cases {
		sp := statusPolicy{shop: c.shop, importable: []string{"processing", "paid", "shipped"}, source: "orders.statuses"}
		for _, st := range c.holds {
			if !sp.holds(st) {
				t.Errorf("%s: status %q must hold stock", c.shop, st)
			}
		}
		for _, st := range c.free {
			if sp.holds(st) {
				t.Errorf("%s: status %q must not hold stock", c.shop, st)
			}
		}
	}
}

func holdOf(t *testing.T, e *env, id string) (HoldRecord, bool) {
	t.Helper()
	h, ok, err := state.Get[HoldRecord](context.Background(), e.store, state.MapKey("shop1", MapStockHold, id))
	if err != nil {
		t.Fatal(err)
	}
	return h, ok
}

// A plain import_orders run records the waiting orders, so a later export_stock holds their
// products back; an order that becomes importable is imported (its modification time changed)
// and releases its hold; one that is cancelled releases it without being imported.
func TestWaitingOrdersHoldStockUntilImported(t *testing.T) {
	e := newStockEnv(t, shopBlock("woocommerce", []string{"processing", "completed"}))
	e.fakeShop().put(statusOrder("01", "on-hold", 1))
	e.fakeShop().put(mkOrder("02", false, []ln{{sku: "THEE", name: "Thee", qty: "1", price: "4", rate: "9"}}, func(o *sdk.Order) {
		o.Status = "pending"
		o.ModifiedAt = day.Add(2 * time.Minute)
	}))
	e.fakeShop().put(mkOrder("03", false, []ln{{sku: "BOEK", name: "Boek", qty: "1", price: "20", rate: "9"}}, func(o *sdk.Order) {
		o.Status = "cancelled"
		o.ModifiedAt = day.Add(3 * time.Minute)
	}))
	res := e.run()
	if res.Waiting != 3 || res.Imported != 0 {
		t.Fatalf("first run: %+v", res.Orders)
	}
	if h, ok := holdOf(t, e.env, "01"); !ok || !slices.Equal(h.SKUs, []string{"KOFFIE"}) || h.Status != "on-hold" {
		t.Fatalf("hold of the on-hold order: %+v %v", h, ok)
	}
	if _, ok := holdOf(t, e.env, "03"); ok {
		t.Fatal("a cancelled order holds stock")
	}
	tr := e.export()
	held := map[string]string{}
	for _, h := range tr.Stock.HeldBack {
		held[h.SKU] = strings.Join(h.Orders, ",")
	}
	if fmt.Sprint(held) != fmt.Sprint(map[string]string{"KOFFIE": "1001 waiting", "THEE": "1002 waiting"}) {
		t.Fatalf("held back: %v", held)
	}
	if w := e.shop.wrote(); w["BOEK"] != "0" || w["KOFFIE"] != "" || w["THEE"] != "" {
		t.Fatalf("written: %v", w)
	}

	// The on-hold order is paid, the pending one cancelled: both change in the shop.
	e.now = e.now.Add(time.Hour)
	e.fakeShop().put(statusOrder("01", "processing", 90))
	e.fakeShop().put(mkOrder("02", false, []ln{{sku: "THEE", name: "Thee", qty: "1", price: "4", rate: "9"}}, func(o *sdk.Order) {
		o.Status = "cancelled"
		o.ModifiedAt = day.Add(91 * time.Minute)
	}))
	res = e.run()
	if res.Imported != 1 || res.Waiting != 1 || len(res.Orders) != 2 {
		t.Fatalf("second run: %+v", res.Orders)
	}
	for _, id := range []string{"01", "02"} {
		if _, ok := holdOf(t, e.env, id); ok {
			t.Fatalf("order %s still holds stock", id)
		}
	}
	tr = e.export()
	if len(tr.Stock.HeldBack) != 0 || e.shop.wrote()["KOFFIE"] != "10" || e.shop.wrote()["THEE"] != "7" {
		t.Fatalf("after release: held %+v written %v", tr.Stock.HeldBack, e.shop.wrote())
	}
}

// A graceful stop is seen before each order of a guard batch: the order in flight finishes,
// the rest of the batch waits for the next run, which imports each of them once.
func TestStopIsCheckedWithinAGuardBatch(t *testing.T) {
	e := newEnv(t)
	const total = 10
	for i := 1; i <= total; i++ {
		e.shop.put(statusOrder(fmt.Sprintf("%02d", i), "processing", i))
	}
	stop := make(chan struct{})
	n := 0
	p := New(Options{Profile: e.prof, Shop: Stoppable(e.shop, stop), Ledger: e.ledger, Store: e.store,
		Clock: func() time.Time { return e.now }, Progress: func(Progress) {
			n++
			if n == 1 {
				close(stop)
			}
		}})
	res, err := p.ImportOrders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// All ten were listed into one batch (GuardBatch 25) before the stop; only the first ran.
	if res.Imported != 1 || res.Seen() != 1 || res.Stopped == "" {
		t.Fatalf("after stop: imported %d seen %d stopped %q", res.Imported, res.Seen(), res.Stopped)
	}
	res = e.run()
	if res.Imported != total-1 || res.Orders[0].ShopNumber != "1002" {
		t.Fatalf("next run: imported %d, first %+v", res.Imported, res.Orders[0])
	}
	if len(e.ledger.orders) != total {
		t.Fatalf("ledger holds %d orders, want %d", len(e.ledger.orders), total)
	}
}

// The runs of the other tasks also end by removing runs older than the retention period.
func TestTaskRunsArePruned(t *testing.T) {
	e := newStockEnv(t)
	e.p.opts.Retention = 90 * 24 * time.Hour
	start := e.now
	e.export()
	e.now = start.Add(100 * 24 * time.Hour)
	e.export()
	var starts []time.Time
	if err := ListTaskRuns(context.Background(), e.store, "shop1", 0, func(r TaskRunRecord) error {
		starts = append(starts, r.Start)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(starts) != 1 || !starts[0].Equal(e.now) {
		t.Fatalf("runs after 100 days: %v, want only the last", starts)
	}
}
