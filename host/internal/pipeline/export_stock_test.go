package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
)

// stockShop is a shop for the stock tasks. It behaves like the WooCommerce connector where the
// host depends on it: levels without ProductID are looked up by SKU (50 per look-up request),
// writes go in batches of at most 100 per endpoint (products, variations of one parent), an
// unknown SKU or id is reported NotFound in its result. It counts the requests a real shop
// would get. Its ListOrders lists orders of every status (so waiting orders reach the pipeline).
type stockShop struct {
	*fakeShop
	mu       sync.Mutex
	products map[string]*shopProduct // by SKU
	refuse   map[string]string       // SKU -> reason a write is refused
	listed   []sdk.Product           // ListProducts
	// counters
	lookups, batches, writeCalls, maxLevels int
	written                                 map[string]sdk.Money
}

type shopProduct struct {
	id, parent string
	stock      sdk.Money
}

func newStockShop(fs *fakeShop) *stockShop {
	return &stockShop{fakeShop: fs, products: map[string]*shopProduct{}, refuse: map[string]string{}, written: map[string]sdk.Money{}}
}

func (s *stockShop) add(sku string, parent string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products[sku] = &shopProduct{id: fmt.Sprintf("%d", 100+len(s.products)), parent: parent}
}

func (s *stockShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	q.Statuses = nil
	return s.fakeShop.ListOrders(ctx, q, yield)
}

func (s *stockShop) ListProducts(_ context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	s.mu.Lock()
	ps := slices.Clone(s.listed)
	s.mu.Unlock()
	for i, p := range ps {
		if p.ModifiedAt.Before(q.Since) || (q.Cursor != "" && fmt.Sprint(i) <= q.Cursor && len(fmt.Sprint(i)) == len(q.Cursor)) {
			continue
		}
		if err := yield(sdk.ProductItem{Product: p, Cursor: fmt.Sprint(i)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *stockShop) WriteStock(_ context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeCalls++
	s.maxLevels = max(s.maxLevels, len(levels))
	res := make([]sdk.StockResult, len(levels))
	var look []int
	for i, l := range levels {
		res[i] = sdk.StockResult{SKU: l.SKU, ProductID: l.ProductID, ParentID: l.ParentID}
		if l.ProductID == "" {
			look = append(look, i)
		}
	}
	s.lookups += (len(look) + 49) / 50
	for _, i := range look {
		p, ok := s.products[levels[i].SKU]
		if !ok {
			res[i].NotFound, res[i].Err = true, "no product with SKU "+levels[i].SKU
			continue
		}
		res[i].ProductID, res[i].ParentID = p.id, p.parent
	}
	groups := map[string]int{}
	for i, l := range levels {
		if res[i].Err != "" {
			continue
		}
		p, ok := s.products[l.SKU]
		if !ok || p.id != res[i].ProductID {
			res[i].NotFound, res[i].Err = true, "invalid id"
			continue
		}
		if why, bad := s.refuse[l.SKU]; bad {
			res[i].Err = why
			continue
		}
		groups[p.parent]++
		p.stock = l.Quantity
		s.written[l.SKU] = l.Quantity
	}
	for _, n := range groups {
		s.batches += (n + 99) / 100
	}
	return res, nil
}

func (s *stockShop) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lookups, s.batches, s.writeCalls, s.maxLevels = 0, 0, 0, 0
	s.written = map[string]sdk.Money{}
}

func (s *stockShop) wrote() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.written {
		out[k] = v.String()
	}
	return out
}

// stockEnv is env with a stockShop and stock set on the fake ledger's articles.
type stockEnv struct {
	*env
	shop *stockShop
}

func newStockEnv(t testing.TB, mods ...func(*config.Profile)) *stockEnv {
	mods = append([]func(*config.Profile){func(p *config.Profile) {
		p.Stock = config.Stock{Quantity: config.QuantityFree, Composites: true}
	}}, mods...)
	e := newEnv(t, mods...)
	ss := newStockShop(e.shop)
	e.p = New(Options{Profile: e.prof, Shop: ss, Ledger: e.ledger, Store: e.store, Clock: func() time.Time { return e.now }})
	for _, code := range []string{"KOFFIE", "MOK", "BOEK", "THEE", "PAKKET"} {
		ss.add(code, "")
	}
	se := &stockEnv{env: e, shop: ss}
	se.stock("KOFFIE", "10", "12")
	se.stock("MOK", "5", "5")
	se.stock("BOEK", "-2", "3")
	se.stock("THEE", "7", "7")
	return se
}

// stock sets an article's free and technical stock and makes it stock-tracked.
func (e *stockEnv) stock(code, free, tech string) {
	e.ledger.mu.Lock()
	defer e.ledger.mu.Unlock()
	for i := range e.ledger.articles {
		if e.ledger.articles[i].Code == code {
			e.ledger.articles[i].StockTracked = true
			e.ledger.articles[i].FreeStock = d(free)
			e.ledger.articles[i].TechnicalStock = d(tech)
			return
		}
	}
	e.ledger.articles = append(e.ledger.articles, sdk.Article{ID: "art-" + code, Code: code, Description: code,
		RevenueGroupID: "g-hoog", StockTracked: true, FreeStock: d(free), TechnicalStock: d(tech)})
}

func (e *stockEnv) export() TaskRun {
	e.t.Helper()
	e.shop.reset()
	tr, err := e.p.RunTask(context.Background(), TaskExportStock)
	if err != nil {
		e.t.Fatalf("export_stock: %v", err)
	}
	if tr.Stock == nil {
		e.t.Fatal("export_stock returned no stock summary")
	}
	return tr
}

func wantWrites(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("written %v, want %v", got, want)
	}
}

func TestExportStockWritesOnlyChangedQuantities(t *testing.T) {
	e := newStockEnv(t)
	tr := e.export()
	// PAKKET = min(KOFFIE 10/2, THEE 7/1) = 5; BOEK's negative free stock is written as 0.
	wantWrites(t, e.shop.wrote(), map[string]string{"BOEK": "0", "KOFFIE": "10", "MOK": "5", "PAKKET": "5", "THEE": "7"})
	if tr.Stock.Written != 5 || tr.Stock.WriteCalls != 1 || e.shop.lookups != 1 || tr.LedgerCalls != 1 {
		t.Fatalf("first run: %+v lookups %d ledger calls %d", tr.Stock, e.shop.lookups, tr.LedgerCalls)
	}
	rec, ok, err := GetStockRecord(context.Background(), e.store, "shop1", "KOFFIE")
	if err != nil || !ok || rec.Quantity.String() != "10" || rec.ProductID == "" {
		t.Fatalf("stock record of KOFFIE: %+v %v %v", rec, ok, err)
	}

	// Nothing changed: nothing is written, the shop is not called.
	tr = e.export()
	wantWrites(t, e.shop.wrote(), map[string]string{})
	if tr.Stock.Unchanged != 5 || tr.Stock.WriteCalls != 0 || e.shop.writeCalls != 0 {
		t.Fatalf("unchanged run: %+v, shop calls %d", tr.Stock, e.shop.writeCalls)
	}

	// KOFFIE sold 4: KOFFIE and the composite PAKKET change; the ids are known, so no look-up.
	e.stock("KOFFIE", "6", "12")
	tr = e.export()
	wantWrites(t, e.shop.wrote(), map[string]string{"KOFFIE": "6", "PAKKET": "3"})
	if e.shop.lookups != 0 || tr.Stock.Unchanged != 3 {
		t.Fatalf("changed run: %+v lookups %d", tr.Stock, e.shop.lookups)
	}
	// The run is in the execution overview with its stock summary.
	var recs []TaskRunRecord
	if err := ListTaskRuns(context.Background(), e.store, "shop1", 1, func(r TaskRunRecord) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Task != TaskExportStock || recs[0].Stock == nil || recs[0].Stock.Written != 2 {
		t.Fatalf("run record: %+v", recs)
	}
}

func TestExportStockQuantityAndBuffer(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*config.Profile)
		want map[string]string
	}{
		{"free", func(p *config.Profile) {}, map[string]string{"BOEK": "0", "KOFFIE": "10", "MOK": "5", "PAKKET": "5", "THEE": "7"}},
		{"technical", func(p *config.Profile) { p.Stock.Quantity = config.QuantityTechnical },
			map[string]string{"BOEK": "3", "KOFFIE": "12", "MOK": "5", "PAKKET": "6", "THEE": "7"}},
		// The buffer is taken off after the composite is computed, never below zero.
		{"buffer 6", func(p *config.Profile) { p.Stock.Buffer = 6 },
			map[string]string{"BOEK": "0", "KOFFIE": "4", "MOK": "0", "PAKKET": "0", "THEE": "1"}},
		{"composites off", func(p *config.Profile) { p.Stock.Composites = false },
			map[string]string{"BOEK": "0", "KOFFIE": "10", "MOK": "5", "THEE": "7"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newStockEnv(t, tc.mod)
			e.export()
			wantWrites(t, e.shop.wrote(), tc.want)
		})
	}
}

func TestExportStockComposites(t *testing.T) {
	e := newStockEnv(t)
	// A composite whose component is not an active article is reported and skipped.
	e.ledger.mu.Lock()
	e.ledger.articles = append(e.ledger.articles, sdk.Article{ID: "art-set2", Code: "SET2", Description: "Set", Composite: true,
		Components: []sdk.Component{{Code: "KOFFIE", Quantity: d("1")}, {Code: "WEG", Quantity: d("1")}}})
	// Components that keep no stock (a service) do not limit the composite; fractions round down.
	e.ledger.articles = append(e.ledger.articles, sdk.Article{ID: "art-set3", Code: "SET3", Description: "Set", Composite: true,
		Components: []sdk.Component{{Code: "THEE", Quantity: d("2.5")}, {Code: "VERZEND", Quantity: d("1")}}})
	e.ledger.mu.Unlock()
	e.shop.add("SET2", "")
	e.shop.add("SET3", "")
	tr := e.export()
	got := e.shop.wrote()
	if got["SET3"] != "2" {
		t.Fatalf("SET3 = %q, want 2 (7 / 2.5 rounded down)", got["SET3"])
	}
	if _, ok := got["SET2"]; ok || len(tr.Stock.Skipped) != 1 || !strings.Contains(tr.Stock.Skipped[0].Reason, "WEG") {
		t.Fatalf("SET2 must be skipped naming WEG: %+v", tr.Stock.Skipped)
	}
}

func TestExportStockBatches(t *testing.T) {
	e := newStockEnv(t)
	const n = 1100
	for i := 0; i < n; i++ {
		code := fmt.Sprintf("V%04d", i)
		e.stock(code, fmt.Sprint(i%40), "0")
		parent := ""
		if i >= 1000 {
			parent = "P1" // 100 variations of one parent: another endpoint
		}
		e.shop.add(code, parent)
	}
	tr := e.export()
	if e.shop.maxLevels > StockWriteChunk || tr.Stock.WriteCalls != 3 || tr.Stock.Written != n+5 {
		t.Fatalf("levels per call %d (max %d), calls %d, written %d", e.shop.maxLevels, StockWriteChunk, tr.Stock.WriteCalls, tr.Stock.Written)
	}
	// Shop side, every request carries at most 100 items: 1005 simple products in calls of
	// 500, 500, 5 + 100 variations.
	if e.shop.batches != 5+5+1+1 {
		t.Fatalf("shop batches = %d", e.shop.batches)
	}
	// Change 3 of them: one call, no look-up.
	for _, c := range []string{"V0001", "V0150", "V1020"} {
		e.stock(c, "999", "0")
	}
	tr = e.export()
	if tr.Stock.Written != 3 || tr.Stock.WriteCalls != 1 || e.shop.lookups != 0 || e.shop.batches != 2 {
		t.Fatalf("changed 3: %+v lookups %d batches %d", tr.Stock, e.shop.lookups, e.shop.batches)
	}
}

func TestExportStockUnknownAndRefusedProducts(t *testing.T) {
	e := newStockEnv(t)
	e.stock("NIETINSHOP", "4", "4")
	e.shop.refuse["MOK"] = "WooCommerce does not manage stock for this product"
	tr := e.export()
	if !slices.Equal(tr.Stock.NotInShop, []string{"NIETINSHOP"}) || len(tr.Stock.Failed) != 1 || tr.Stock.Failed[0].SKU != "MOK" {
		t.Fatalf("not in shop %v, failed %+v", tr.Stock.NotInShop, tr.Stock.Failed)
	}
	if tr.Stock.Written != 4 || tr.FailedItems() != 1 {
		t.Fatalf("the other products must be written: %+v", tr.Stock)
	}
	// Next run: the unknown product is not asked again (within a day), the refused one is.
	delete(e.shop.refuse, "MOK")
	tr = e.export()
	wantWrites(t, e.shop.wrote(), map[string]string{"MOK": "5"})
	// MOK's refused write left no record: it is looked up again (one request).
	if tr.Stock.NotInShopKnown != 1 || e.shop.lookups != 1 {
		t.Fatalf("second run: %+v lookups %d", tr.Stock, e.shop.lookups)
	}
	// A day later it is looked up again; now the shop has it.
	e.now = e.now.Add(NotFoundRecheck + time.Minute)
	e.shop.add("NIETINSHOP", "")
	e.export()
	wantWrites(t, e.shop.wrote(), map[string]string{"NIETINSHOP": "4"})
	// A product deleted and re-created in the shop gets a new id: the stale id is reported
	// not found, and the next write looks it up by SKU again.
	e.shop.add("THEE", "")
	e.stock("THEE", "6", "6")
	tr = e.export()
	if !slices.Equal(tr.Stock.NotInShop, []string{"THEE"}) {
		t.Fatalf("stale id: %+v", tr.Stock)
	}
	e.now = e.now.Add(time.Minute)
	e.stock("THEE", "5", "5")
	e.export()
	wantWrites(t, e.shop.wrote(), map[string]string{"THEE": "5"}) // PAKKET stays min(10/2, 5) = 5
}

func TestImportOrdersExportStockHoldsBackWaitingAndFailedOrders(t *testing.T) {
	e := newStockEnv(t, func(p *config.Profile) { p.Orders.Statuses = []string{"processing", "completed"} })
	// 1001 is on hold (not yet imported: SnelStart's KOFFIE stock is too high), 1002 is
	// processing and fine, 1003 fails (an article SnelStart lacks, manual mode is not needed:
	// an unknown omzetgroep for 6% VAT refuses it).
	e.fakeShop().put(mkOrder("01", false, []ln{{sku: "KOFFIE", name: "Koffie", qty: "1", price: "10", rate: "9"}}, func(o *sdk.Order) { o.Status = "on-hold" }))
	e.fakeShop().put(mkOrder("02", false, []ln{mug}))
	e.fakeShop().put(mkOrder("03", false, []ln{{sku: "NIEUW", name: "Nieuw", qty: "1", price: "10", rate: "6"}, {sku: "THEE", name: "Thee", qty: "1", price: "4", rate: "9"}}))
	e.shop.reset()
	tr, err := e.p.RunTask(context.Background(), TaskImportOrdersExportStock)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Imported != 1 || tr.Waiting != 1 || tr.Failed != 1 {
		t.Fatalf("orders: imported %d waiting %d failed %d: %+v", tr.Imported, tr.Waiting, tr.Failed, tr.Orders)
	}
	held := map[string]string{}
	for _, h := range tr.Stock.HeldBack {
		held[h.SKU] = strings.Join(h.Orders, ",")
	}
	// NIEUW is not in SnelStart, so it has no stock to hold back.
	want := map[string]string{"KOFFIE": "1001 waiting", "THEE": "1003 failed"}
	if fmt.Sprint(held) != fmt.Sprint(want) {
		t.Fatalf("held back %v, want %v", held, want)
	}
	got := e.shop.wrote()
	for _, sku := range []string{"KOFFIE", "THEE"} {
		if _, ok := got[sku]; ok {
			t.Fatalf("%s was exported while an order holds it: %v", sku, got)
		}
	}
	if got["MOK"] != "5" || got["BOEK"] != "0" {
		t.Fatalf("free products must be exported: %v", got)
	}
	// One run in the overview, of the combined task, with orders and stock.
	var recs []TaskRunRecord
	ListTaskRuns(context.Background(), e.store, "shop1", 0, func(r TaskRunRecord) error { recs = append(recs, r); return nil })
	if len(recs) != 1 || recs[0].Task != TaskImportOrdersExportStock || recs[0].Stock == nil || len(recs[0].Orders) != 3 {
		t.Fatalf("run records: %d %+v", len(recs), recs)
	}

	// A stand-alone export_stock respects the same holds.
	tr = e.export()
	if len(tr.Stock.HeldBack) != 2 {
		t.Fatalf("export_stock must hold back too: %+v", tr.Stock.HeldBack)
	}

	// 1001 is paid: it is imported, the hold goes, KOFFIE's (lower) stock is exported.
	e.now = e.now.Add(time.Hour)
	e.stock("KOFFIE", "9", "11")
	e.fakeShop().put(mkOrder("01", false, []ln{{sku: "KOFFIE", name: "Koffie", qty: "1", price: "10", rate: "9"}}, func(o *sdk.Order) {
		o.ModifiedAt = day.Add(time.Hour)
	}))
	e.shop.reset()
	tr, err = e.p.RunTask(context.Background(), TaskImportOrdersExportStock)
	if err != nil {
		t.Fatal(err)
	}
	got = e.shop.wrote()
	if got["KOFFIE"] != "9" {
		t.Fatalf("KOFFIE after its order was imported: %v (held %+v)", got, tr.Stock.HeldBack)
	}
	if len(tr.Stock.HeldBack) != 1 || tr.Stock.HeldBack[0].SKU != "THEE" {
		t.Fatalf("still held: %+v", tr.Stock.HeldBack)
	}
}

func TestStopAfterTheOrderInFlight(t *testing.T) {
	e := newStockEnv(t)
	stop := make(chan struct{})
	const total = 40
	for i := 1; i <= total; i++ {
		e.fakeShop().put(mkOrder(fmt.Sprintf("%02d", i), false, []ln{mug}, func(o *sdk.Order) {
			o.ModifiedAt = day.Add(time.Duration(i) * time.Minute)
		}))
	}
	n := 0
	opts := Options{Profile: e.prof, Shop: Stoppable(e.shop, stop), Ledger: e.ledger, Store: e.store,
		Clock: func() time.Time { return e.now }, Progress: func(Progress) {
			n++
			if n == 2 {
				close(stop) // SIGTERM while order 2 is handled
			}
		}}
	p := New(opts)
	tr, err := p.RunTask(context.Background(), TaskImportOrdersExportStock)
	if err != nil {
		t.Fatal(err)
	}
	// No order is started after the stop was seen by the listing (the pipeline may handle the
	// orders it had already listed into its batch), and no stock is exported.
	first := tr.Imported
	if first < 2 || first >= total || tr.Stock != nil || !strings.Contains(tr.Stopped, "stopped on request") {
		t.Fatalf("after stop: imported %d stock %+v stopped %q", tr.Imported, tr.Stock, tr.Stopped)
	}
	// The next run continues where it stopped: every order once.
	p2 := New(Options{Profile: e.prof, Shop: e.shop, Ledger: e.ledger, Store: e.store, Clock: func() time.Time { return e.now }})
	tr, err = p2.RunTask(context.Background(), TaskImportOrders)
	if err != nil || first+tr.Imported != total || tr.Orders[0].ShopNumber != fmt.Sprintf("10%02d", first+1) {
		t.Fatalf("next run: %v imported %d after %d: first %+v", err, tr.Imported, first, tr.Orders[0])
	}
}

func TestRunTaskUnknown(t *testing.T) {
	e := newStockEnv(t)
	if _, err := e.p.RunTask(context.Background(), "export_everything"); err == nil || !strings.Contains(err.Error(), "import_orders_export_stock") {
		t.Fatalf("unknown task: %v", err)
	}
}

// fakeShop returns the order side of the stock shop.
func (e *stockEnv) fakeShop() *fakeShop { return e.shop.fakeShop }

var _ = sort.Strings
