package magento

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestPageClampStopsOnTotalCount lists 250 orders in pages of 100 and checks the connector
// stops by total_count (the simulator, like Magento, would repeat page 3 forever) and yields
// every order once, sorted by (updated_at, entity_id), with the query Magento expects.
func TestPageClampStopsOnTotalCount(t *testing.T) {
	e := startSim(t, simulator.Options{})
	if _, err := e.sim.GenerateOrders(250, "processing"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var queries []string
	rec := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		queries = append(queries, r.URL.Query().Encode())
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	s, err := newShop(e.config(), nil, rec, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	items := listAll(t, s, sdk.OrderQuery{})
	if len(items) != 250 {
		t.Fatalf("%d orders, want 250", len(items))
	}
	seen := map[string]bool{}
	for i, it := range items {
		if seen[it.Order.ID] {
			t.Fatalf("order %s yielded twice", it.Order.ID)
		}
		seen[it.Order.ID] = true
		if i > 0 && it.Order.ModifiedAt.Before(items[i-1].Order.ModifiedAt) {
			t.Fatalf("not sorted by updated_at at %d", i)
		}
	}
	if len(queries) != 4 { // probe + 3 pages
		t.Errorf("%d requests, want 4 (probe and 3 pages): %v", len(queries), queries)
	}
	last := queries[len(queries)-1]
	for _, want := range []string{"searchCriteria%5BcurrentPage%5D=3", "searchCriteria%5BpageSize%5D=100",
		"searchCriteria%5BsortOrders%5D%5B0%5D%5Bfield%5D=updated_at", "searchCriteria%5BsortOrders%5D%5B1%5D%5Bfield%5D=entity_id",
		"%5Bcondition_type%5D=lt", "%5Bvalue%5D=processing%2Ccomplete"} {
		if !strings.Contains(last, want) {
			t.Errorf("last query %s lacks %s", last, want)
		}
	}
}

// TestSettleDelay checks that an order modified just now is left for a later run (upper
// bound = server time - settle delay, taken from the server's Date header whatever the local
// clock says), that it is listed once the delay has passed, and that the cursor then holds.
func TestSettleDelay(t *testing.T) {
	e := startSim(t, simulator.Options{})
	// The store's clock runs an hour ahead of ours: only the server's clock may count.
	e.sim.Advance(time.Hour)
	ids, err := e.sim.GenerateOrders(5, "processing")
	if err != nil {
		t.Fatal(err)
	}
	s := mustShop(t, e.config())
	first := listAll(t, s, sdk.OrderQuery{})
	if len(first) != 5 {
		t.Fatalf("%d orders, want 5", len(first))
	}
	cursor := first[len(first)-1].Cursor
	if err := e.sim.TouchOrder(mustID(ids[0]), "complete"); err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, s, sdk.OrderQuery{Cursor: cursor}); len(got) != 0 {
		t.Fatalf("an order modified this second was listed (%d) before the settle delay passed", len(got))
	}
	e.sim.Advance(61 * time.Second)
	got := listAll(t, s, sdk.OrderQuery{Cursor: cursor})
	if len(got) != 1 || got[0].Order.ID != fmt.Sprint(ids[0]) || got[0].Order.Status != "complete" {
		t.Fatalf("after the settle delay: %+v, want order %d complete", got, ids[0])
	}
	// Resuming from the newest cursor yields nothing again.
	if again := listAll(t, s, sdk.OrderQuery{Cursor: got[0].Cursor}); len(again) != 0 {
		t.Errorf("resume from the last cursor yielded %d orders again", len(again))
	}
}

func mustID(id int64) int64 { return id }

// TestCursorSkipsSeenInOverlap checks the cursor: re-reading the overlap window yields only
// versions not yielded before.
func TestCursorSkipsSeenInOverlap(t *testing.T) {
	p := position{}
	p.advance(5, 1000)
	p.advance(6, 1001)
	q, err := decodeCursor(p.encode(600))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, t int64
		skip  bool
	}{{5, 1000, true}, {6, 1001, true}, {4, 999, false}, {5, 1002, false}, {7, 1001, false}} {
		got := !q.after(c.t, c.id) && q.seenVersion(c.id, c.t)
		if got != c.skip {
			t.Errorf("order %d at %d: skip %v, want %v", c.id, c.t, got, c.skip)
		}
	}
	if _, err := decodeCursor("not-a-cursor"); sdk.KindOf(err) != sdk.KindPermanent {
		t.Errorf("foreign cursor: %v", err)
	}
}

// TestWriteStockMSI writes through source items with a batch of 3 containing an unknown SKU,
// a composite product and a slash in a SKU, and checks each result and the stored quantities.
func TestWriteStockMSI(t *testing.T) {
	e := startSim(t, simulator.Options{})
	s := mustShop(t, e.config().Set("stock_batch_size", 3))
	levels := []sdk.StockLevel{
		{SKU: "KP-1001", Quantity: d("12")}, {SKU: "NOPE-1", Quantity: d("1")}, {SKU: "KP/2000", Quantity: d("0")},
		{SKU: "HOODIE", Quantity: d("4")}, {SKU: "KP-1002", Quantity: d("2.5")}, {SKU: "KP-1003", Quantity: d("7")},
	}
	res, err := s.WriteStock(context.Background(), levels)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(levels) {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		if r.SKU != levels[i].SKU {
			t.Errorf("result %d is for %q", i, r.SKU)
		}
	}
	if !res[1].NotFound || res[0].Err != "" || res[2].Err != "" || res[4].Err != "" || res[5].Err != "" {
		t.Errorf("results %+v", res)
	}
	if res[3].Err == "" || !strings.Contains(res[3].Err, "configurable") {
		t.Errorf("configurable HOODIE: %+v", res[3])
	}
	got := map[string]string{}
	for _, si := range e.sim.SourceItems() {
		got[si["sku"]] = si["quantity"] + "/" + si["status"]
	}
	for sku, want := range map[string]string{"KP-1001": "12/1", "KP/2000": "0/0", "KP-1002": "2.5/1", "KP-1003": "7/1"} {
		if got[sku] != want {
			t.Errorf("%s stored %s, want %s", sku, got[sku], want)
		}
	}
}

// TestWriteStockBatchSplit makes the simulator refuse a batch (an item whose product vanished
// between look-up and write is simulated with an unknown source) and checks the split.
func TestWriteStockBatchSplit(t *testing.T) {
	e := startSim(t, simulator.Options{})
	s := mustShop(t, e.config().Set("stock_batch_size", 4))
	// Write to a source the store does not have: every item fails alone, after splitting.
	s.source = "warehouse-x"
	res, err := s.WriteStock(context.Background(), []sdk.StockLevel{{SKU: "KP-1001", Quantity: d("1")}, {SKU: "KP-1002", Quantity: d("1")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !strings.Contains(r.Err, `Source with code "warehouse-x" does not exist`) {
			t.Errorf("result %+v, want the formatted validation message", r)
		}
	}
	if n := e.sim.Stats().PerEndpoint["POST /V1/inventory/source-items"]; n != 3 {
		t.Errorf("%d POSTs, want 3 (the batch, then each half)", n)
	}
}

// TestWriteStockLegacy writes stock items and checks the quantity and stock status.
func TestWriteStockLegacy(t *testing.T) {
	e := startSim(t, simulator.Options{})
	s := mustShop(t, e.config().Set("stock_mode", "legacy"))
	res, err := s.WriteStock(context.Background(), []sdk.StockLevel{{SKU: "KP/2000", Quantity: d("9")}, {SKU: "GONE", Quantity: d("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != "" || !res[1].NotFound {
		t.Fatalf("results %+v", res)
	}
	p, err := s.FindProducts(context.Background(), []string{"KP/2000", "GONE"})
	if err != nil || len(p) != 1 || p[0].Stock == nil || !p[0].Stock.Equal(d("9")) {
		t.Fatalf("FindProducts: %+v %v", p, err)
	}
}

// TestListProducts lists the catalog and resumes from a cursor.
func TestListProducts(t *testing.T) {
	e := startSim(t, simulator.Options{})
	s := mustShop(t, e.config())
	var items []sdk.ProductItem
	err := s.ListProducts(context.Background(), sdk.ProductQuery{}, func(it sdk.ProductItem) error {
		items = append(items, it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 25 {
		t.Fatalf("%d products", len(items))
	}
	var kp *sdk.Product
	for i := range items {
		if items[i].Product.SKU == "KP-1001" {
			kp = &items[i].Product
		}
	}
	if kp == nil || !kp.Price.Equal(d("12.95")) || !kp.ManagesStock || kp.Stock == nil {
		t.Errorf("KP-1001: %+v", kp)
	}
}

// TestGeneratedOrdersAddUp lists 300 generated orders (simple, configurable, bundle rows,
// coupons with tax compensation) and checks that lines + shipping equal Magento's grand total
// to the cent for every one, and that each kind of row occurred.
func TestGeneratedOrdersAddUp(t *testing.T) {
	e := startSim(t, simulator.Options{})
	if _, err := e.sim.GenerateOrders(300, "complete"); err != nil {
		t.Fatal(err)
	}
	items := listAll(t, mustShop(t, e.config()), sdk.OrderQuery{})
	if len(items) != 300 {
		t.Fatalf("%d orders", len(items))
	}
	kinds := map[string]int{}
	for _, it := range items {
		o := it.Order
		sum := d("0")
		for _, l := range o.Lines {
			sum = sum.Add(l.TotalIncl)
			switch {
			case l.VariationID != "":
				kinds["configurable"]++
			case l.ParentLineID != "" && !l.TotalIncl.IsZero():
				kinds["dynamic_bundle_selection"]++
			case l.ParentLineID != "":
				kinds["fixed_bundle_selection"]++
			case !l.Discount.IsZero():
				kinds["discounted"]++
			}
		}
		for _, c := range o.ShippingLines {
			sum = sum.Add(c.TotalIncl)
		}
		if !sum.Equal(o.Totals.Total) {
			t.Errorf("order %s: lines + shipping = %s, grand total %s", o.ID, sum, o.Totals.Total)
		}
	}
	for _, k := range []string{"configurable", "dynamic_bundle_selection", "fixed_bundle_selection", "discounted"} {
		if kinds[k] == 0 {
			t.Errorf("no %s rows among 300 generated orders", k)
		}
	}
}

// TestListOrdersAllStatuses: the configured statuses filter the listing; q.AllStatuses lists
// every status (the host decides which are imported).
func TestListOrdersAllStatuses(t *testing.T) {
	e := startSim(t, simulator.Options{})
	if _, err := e.sim.GenerateOrders(4, "processing"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.GenerateOrders(3, "holded"); err != nil {
		t.Fatal(err)
	}
	s := mustShop(t, e.config())
	if n := len(listAll(t, s, sdk.OrderQuery{})); n != 4 {
		t.Fatalf("default statuses: %d orders, want the 4 processing ones", n)
	}
	all := listAll(t, s, sdk.OrderQuery{AllStatuses: true, Statuses: []string{"complete"}})
	st := map[string]int{}
	for _, it := range all {
		st[it.Order.Status]++
	}
	if len(all) != 7 || st["holded"] != 3 || st["processing"] != 4 {
		t.Fatalf("all statuses: %d orders %v, want 4 processing and 3 holded", len(all), st)
	}
}

// TestListingTotal: every listed order carries the listing's expected total from the search
// result's total_count, equal to the orders the listing yields, fresh and resumed part-way
// (the overlap window's versions, read again and skipped, are not counted).
func TestListingTotal(t *testing.T) {
	e := startSim(t, simulator.Options{})
	if _, err := e.sim.GenerateOrders(230, "processing"); err != nil {
		t.Fatal(err)
	}
	cfg := e.config().Set("page_size", 50)
	s := mustShop(t, cfg)
	check := func(what string, items []sdk.OrderItem, want int) {
		t.Helper()
		if len(items) != want {
			t.Fatalf("%s: %d orders, want %d", what, len(items), want)
		}
		for _, it := range items {
			if it.Total != want {
				t.Fatalf("%s: order %s carries total %d, want %d", what, it.Order.ID, it.Total, want)
			}
		}
	}
	check("fresh listing", listAll(t, s, sdk.OrderQuery{}), 230)
	var done []sdk.OrderItem
	stop := fmt.Errorf("stop")
	err := s.ListOrders(context.Background(), sdk.OrderQuery{}, func(it sdk.OrderItem) error {
		if done = append(done, it); len(done) == 70 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("ListOrders: %v", err)
	}
	check("resumed listing", listAll(t, s, sdk.OrderQuery{Cursor: done[len(done)-1].Cursor}), 160)
}
