package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// overlapWait is how long a held create waits for another worker to touch the same customer or
// article (which a correct run never does for a customer, and does for an article only to wait
// for the create). It bounds the test's time; the assertions do not depend on it.
const overlapWait = 300 * time.Millisecond

// watchLedger is the fake ledger with hooks around the calls the concurrency tests watch.
type watchLedger struct {
	*fakeLedger
	findRelaties  func(q sdk.RelatieQuery)
	createRelatie func(r sdk.Relatie)
	findArticles  func(q sdk.ArticleQuery)
	createArticle func(a sdk.Article)
	createOrder   func(ctx context.Context, so sdk.SalesOrder) error
}

func (w *watchLedger) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	if w.findRelaties != nil {
		w.findRelaties(q)
	}
	return w.fakeLedger.FindRelaties(ctx, q)
}

func (w *watchLedger) CreateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	if w.createRelatie != nil {
		w.createRelatie(r)
	}
	return w.fakeLedger.CreateRelatie(ctx, r)
}

func (w *watchLedger) FindArticles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	if w.findArticles != nil {
		w.findArticles(q)
	}
	return w.fakeLedger.FindArticles(ctx, q)
}

func (w *watchLedger) CreateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	if w.createArticle != nil {
		w.createArticle(a)
	}
	return w.fakeLedger.CreateArticle(ctx, a)
}

func (w *watchLedger) CreateSalesOrder(ctx context.Context, so sdk.SalesOrder) (sdk.SalesOrder, error) {
	created, err := w.fakeLedger.CreateSalesOrder(ctx, so)
	if err == nil && w.createOrder != nil {
		err = w.createOrder(ctx, so)
	}
	return created, err
}

// customerOrder is an order of shop customer n (its own id, e-mail and postcode), listed at
// minute i.
func customerOrder(id string, n, i int, lines ...ln) sdk.Order {
	return mkOrder(id, true, lines, func(o *sdk.Order) {
		o.ModifiedAt = day.Add(time.Duration(i) * time.Minute)
		o.Customer.ID = fmt.Sprintf("c%d", n)
		o.Customer.Email = fmt.Sprintf("klant%d@example.nl", n)
		o.Billing.Email = o.Customer.Email
		o.Billing.Postcode = fmt.Sprintf("%04d AB", 1000+n)
	})
}

// concurrentPipeline is e's pipeline on ledger l with n orders in flight.
func (e *env) concurrentPipeline(l sdk.Ledger, n int) *Pipeline {
	return New(Options{Profile: e.prof, Shop: e.shop, Ledger: l, LedgerCapabilities: batchedCaps, Store: e.store,
		Clock: func() time.Time { return e.now }, Concurrency: n})
}

// Two orders of one new customer listed together make one relatie: the second is handled after
// the first remembered the customer, so it never looks the customer up while the first creates it.
func TestConcurrentOrdersOfOneNewCustomerMakeOneRelatie(t *testing.T) {
	e := newEnv(t)
	const email = "klant7@example.nl"
	var creating, overlaps atomic.Int32
	looked := make(chan struct{}, 16)
	w := &watchLedger{fakeLedger: e.ledger,
		findRelaties: func(q sdk.RelatieQuery) {
			asks := strings.EqualFold(q.Email, email) || slices.ContainsFunc(q.Emails, func(e string) bool { return strings.EqualFold(e, email) })
			if asks && creating.Load() > 0 {
				overlaps.Add(1)
				looked <- struct{}{}
			}
		},
		createRelatie: func(r sdk.Relatie) {
			if !strings.EqualFold(r.Email, email) {
				return
			}
			creating.Add(1)
			defer creating.Add(-1)
			select { // hold the create: an order run beside it would look the customer up now
			case <-looked:
			case <-time.After(overlapWait):
			}
		},
	}
	e.shop.put(customerOrder("1", 1, 0, coffee)) // runs alone first (the run starts one at a time)
	e.shop.put(customerOrder("2", 7, 1, coffee))
	e.shop.put(customerOrder("3", 7, 2, mug))
	e.shop.put(customerOrder("4", 2, 3, coffee))
	e.shop.put(customerOrder("5", 3, 4, mug))
	res, err := e.concurrentPipeline(w, 4).ImportOrders(t.Context())
	if err != nil || res.Imported != 5 {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("the customer was looked up %d times while its create was in flight", n)
	}
	var ids []string
	for _, r := range e.ledger.relaties {
		if strings.EqualFold(r.Email, email) {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("SnelStart holds %d relaties for %s, want 1", len(ids), email)
	}
	for _, id := range []string{"2", "3"} {
		rec, ok, _ := GetOrderRecord(t.Context(), e.store, "shop1", id)
		if !ok || rec.CustomerID != ids[0] {
			t.Fatalf("order %s booked on %q, want relatie %s", id, rec.CustomerID, ids[0])
		}
	}
	// Outcomes are reported in listing order, whatever order the workers finished in.
	for i, out := range res.Orders {
		if want := fmt.Sprint(i + 1); out.ShopID != want {
			t.Fatalf("outcome %d is order %s, want %s: %+v", i, out.ShopID, want, res.Orders)
		}
	}
}

// Many orders of different customers with one new article, handled at the same time, make one
// article: the orders planned before it existed wait for the one create and use its article.
func TestConcurrentOrdersShareOneArticleCreate(t *testing.T) {
	e := newEnv(t)
	e.ledger.anyCode = true // a ledger that would take the same artikelcode twice
	nieuw := ln{sku: "NIEUW", name: "Nieuw artikel", qty: "1", price: "12.10", rate: "21"}
	var creates, overlaps atomic.Int32
	var made atomic.Bool
	applied := make(chan struct{}, 64)
	w := &watchLedger{fakeLedger: e.ledger,
		// An order creates its customer once it is planned, before its articles: one that
		// does so before NIEUW exists was planned to create NIEUW too.
		createRelatie: func(r sdk.Relatie) {
			if !made.Load() && r.Email != "klant1@example.nl" && r.Email != "klant2@example.nl" {
				overlaps.Add(1)
				applied <- struct{}{}
			}
		},
		createArticle: func(a sdk.Article) {
			if a.Code != "NIEUW" {
				return
			}
			creates.Add(1)
			if overlaps.Load() == 0 { // hold the create until another order was planned
				select {
				case <-applied:
				case <-time.After(overlapWait):
				}
			}
			made.Store(true)
		},
	}
	e.shop.put(customerOrder("1", 1, 0, coffee))
	const n = 9
	for i := 2; i <= n; i++ {
		e.shop.put(customerOrder(fmt.Sprint(i), i, i, nieuw))
	}
	res, err := e.concurrentPipeline(w, 4).ImportOrders(t.Context())
	if err != nil || res.Imported != n {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if c := creates.Load(); c != 1 {
		t.Fatalf("article NIEUW created %d times, want once", c)
	}
	if overlaps.Load() == 0 {
		t.Fatal("no other order was planned before NIEUW existed; the test proves nothing")
	}
	art := e.ledger.article("NIEUW")
	if got := len(e.ledger.articlesWith("NIEUW")); got != 1 {
		t.Fatalf("SnelStart holds %d articles NIEUW, want 1", got)
	}
	for _, so := range e.ledger.orders {
		if so.OrderReference != "101" && !e.hasLineFor(so, "NIEUW") {
			t.Fatalf("order %s has no line on article %s", so.OrderReference, art.ID)
		}
	}
}

// The cursor stays behind an order that has not finished while a later one finishes first; a
// crash at that moment (order 2's create reached SnelStart, then the process died) resumes from
// the cursor: order 2 is adopted, order 3 is not booked again.
func TestCursorStaysBehindAnUnfinishedEarlierOrder(t *testing.T) {
	e := newEnv(t)
	for i, id := range []string{"1", "2", "3"} {
		e.shop.put(customerOrder(id, i+1, i, coffee))
	}
	// The clock moves a second per reading, so the run writes its cursor as it goes.
	var tick atomic.Int64
	clock := func() time.Time { return e.now.Add(time.Duration(tick.Add(1)) * time.Second) }
	ctx, crash := context.WithCancel(t.Context())
	defer crash()
	var thirdFirst atomic.Bool
	w := &watchLedger{fakeLedger: e.ledger, createOrder: func(_ context.Context, so sdk.SalesOrder) error {
		if so.OrderReference != "102" {
			return nil
		}
		// Order 3 runs beside order 2: wait until it is recorded as done, and order 1 released
		// (the cursor stored past it).
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			_, third, _ := GetOrderRecord(context.Background(), e.store, "shop1", "3")
			cur, _, _ := state.Get[CursorRecord](context.Background(), e.store, state.CursorKey("shop1", TaskImportOrders))
			if third && cur.Cursor != "" {
				thirdFirst.Store(true)
				break
			}
			time.Sleep(time.Millisecond)
		}
		crash() // the process dies: the answer of order 2's create is lost
		return errors.New("plugin exited unexpectedly")
	}}
	p := New(Options{Profile: e.prof, Shop: e.shop, Ledger: w, Store: e.store, Clock: clock, Concurrency: 4})
	if _, err := p.ImportOrders(ctx); err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("crashed run: err %v, want context canceled", err)
	}
	if !thirdFirst.Load() {
		t.Fatal("order 3 did not finish (and order 1 was not released) while order 2 was in flight; the test proves nothing")
	}
	if c := e.cursor(); !strings.HasSuffix(c, "|1") {
		t.Fatalf("cursor after the crash = %q, want just past order 1 (order 2 is unfinished)", c)
	}
	if _, ok := e.intent("2"); !ok {
		t.Fatal("order 2's intent is gone: its lost create could be repeated")
	}
	res := e.run()
	if res.Imported != 1 || res.Skipped != 1 || res.Seen() != 2 || res.CallsByMethod["CreateSalesOrder"] != 0 {
		t.Fatalf("resumed run: %+v, calls %v", res, res.CallsByMethod)
	}
	mustStatus(t, res.Orders[0], StatusAdopted)
	if len(e.ledger.orders) != 3 || e.ledger.creates != 3 {
		t.Fatalf("SnelStart holds %d orders after %d creates, want 3 and 3", len(e.ledger.orders), e.ledger.creates)
	}
	if c := e.cursor(); !strings.HasSuffix(c, "|3") {
		t.Fatalf("cursor after the resumed run = %q, want past order 3", c)
	}
}

// Progress is reported once per order, in listing order, with counts that add up, also when
// the orders finish in another order.
func TestConcurrentProgressInListingOrder(t *testing.T) {
	e := newEnv(t)
	const n = 40
	benchSetup(e, 0, n, true)
	var mu sync.Mutex
	var seen []string
	p := New(Options{Profile: e.prof, Shop: e.shop, Ledger: e.ledger, Store: e.store, Clock: func() time.Time { return e.now },
		Concurrency: 8, Progress: func(pr Progress) {
			mu.Lock()
			defer mu.Unlock()
			if pr.Seen != len(seen)+1 || pr.Imported+pr.Skipped+pr.Failed+pr.Retrying+pr.Waiting+pr.AlreadyPresent != pr.Seen {
				t.Errorf("progress %+v after %d reports", pr, len(seen))
			}
			seen = append(seen, pr.Current)
		}})
	res, err := p.ImportOrders(t.Context())
	if err != nil || res.Imported != n || len(e.ledger.orders) != n {
		t.Fatalf("run: %+v, %v; ledger %d orders", res, err, len(e.ledger.orders))
	}
	for i, num := range seen {
		if want := fmt.Sprintf("10%06d", i); num != want {
			t.Fatalf("progress %d names order %s, want %s", i, num, want)
		}
	}
}

func TestLedgerConcurrency(t *testing.T) {
	schema := sdk.Schema{Attributes: []sdk.Attribute{{Name: "plan", Type: sdk.TypeString}, {Name: "max_concurrent", Type: sdk.TypeNumber}}}
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	for _, tc := range []struct {
		name   string
		schema sdk.Schema
		cfg    sdk.Config
		want   int
	}{
		{"no profile block", sdk.Schema{}, nil, 1},
		{"a ledger without the setting (snelstart-mdb)", sdk.Schema{Attributes: []sdk.Attribute{{Name: "path", Type: sdk.TypeString}}},
			sdk.Config{"path": raw("x.mdb")}, 1},
		{"plan test", schema, sdk.Config{"plan": raw("test")}, 5},
		{"plan paid", schema, sdk.Config{"plan": raw("paid")}, 50},
		{"max_concurrent over the plan", schema, sdk.Config{"plan": raw("paid"), "max_concurrent": raw(8)}, 8},
		{"max_concurrent 0: no cap", schema, sdk.Config{"plan": raw("test"), "max_concurrent": raw(0)}, MaxOrdersInFlight},
		{"max_concurrent above the cap", schema, sdk.Config{"max_concurrent": raw(500)}, MaxOrdersInFlight},
		{"declared, no plan", schema, sdk.Config{}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prof := &config.Profile{Ledger: config.PluginBlock{Name: "x", Schema: tc.schema, Config: tc.cfg}}
			if got := LedgerConcurrency(prof); got != tc.want {
				t.Fatalf("LedgerConcurrency = %d, want %d", got, tc.want)
			}
		})
	}
}

// OrdersInFlight keeps a quarter more orders (at least one) than the ledger takes calls at
// once, so no call slot waits for an order writing its state; one call at a time stays one
// order.
func TestOrdersInFlight(t *testing.T) {
	for _, tc := range []struct{ calls, want int }{
		{0, 1}, {1, 1}, {2, 3}, {4, 5}, {5, 6}, {8, 10}, {50, 62},
	} {
		if got := OrdersInFlight(tc.calls); got != tc.want {
			t.Errorf("OrdersInFlight(%d) = %d, want %d", tc.calls, got, tc.want)
		}
	}
	schema := sdk.Schema{Attributes: []sdk.Attribute{{Name: "plan", Type: sdk.TypeString}, {Name: "max_concurrent", Type: sdk.TypeNumber}}}
	prof := &config.Profile{Name: "p", Ledger: config.PluginBlock{Name: "x", Schema: schema, Config: sdk.Config{"plan": json.RawMessage(`"test"`)}}}
	if got := New(Options{Profile: prof}).concurrency; got != 6 {
		t.Fatalf("orders in flight for the test plan (5 calls at once) = %d, want 6", got)
	}
	if got := New(Options{Profile: prof, Concurrency: 3}).concurrency; got != 3 {
		t.Fatalf("orders in flight with Options.Concurrency 3 = %d, want 3", got)
	}
}

// A stopped context ends the workers cleanly: the run returns, nothing is left running, and
// the cursor is not past any order that was not finished.
func TestCancelledRunStopsWorkers(t *testing.T) {
	e := newEnv(t)
	benchSetup(e, 0, 60, true)
	ctx, cancel := context.WithCancel(t.Context())
	var done atomic.Int32
	w := &watchLedger{fakeLedger: e.ledger, createOrder: func(context.Context, sdk.SalesOrder) error {
		if done.Add(1) == 10 {
			cancel()
		}
		return nil
	}}
	res, err := e.concurrentPipeline(w, 4).ImportOrders(ctx)
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("err %v, want context canceled", err)
	}
	if res.Imported >= 60 {
		t.Fatalf("the cancelled run imported everything: %+v", res)
	}
	// The next run books the rest (the cursor skipped no unfinished order) and adopts the
	// creates whose answer the cancelled run did not record: each order once.
	e.run()
	if got := len(e.ledger.orders); got != 60 || e.ledger.creates != 60 {
		t.Fatalf("after the next run SnelStart holds %d orders after %d creates, want 60", got, e.ledger.creates)
	}
	if n := countDone(t, e); n != 60 {
		t.Fatalf("%d order records, want 60", n)
	}
}

// countDone counts the order records of the test profile.
func countDone(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	if err := ListOrderRecords(t.Context(), e.store, "shop1", func(OrderRecord) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// With a ledger that declares sdk.CapArticleCodes the articles of a listed batch are looked up
// together (ArticleQuery.Codes): no code is asked on its own, and a code the batched look-up did
// not find is created once. Without the capability every code is asked on its own.
func TestBatchedArticleLookUp(t *testing.T) {
	for _, capable := range []bool{true, false} {
		t.Run(fmt.Sprint("capable=", capable), func(t *testing.T) { testBatchedArticleLookUp(t, capable) })
	}
}

func testBatchedArticleLookUp(t *testing.T, capable bool) {
	e := newEnv(t)
	var mu sync.Mutex
	var batched [][]string
	single := map[string]int{}
	creates := map[string]int{}
	w := &watchLedger{fakeLedger: e.ledger,
		findArticles: func(q sdk.ArticleQuery) {
			mu.Lock()
			defer mu.Unlock()
			if len(q.Codes) > 0 {
				batched = append(batched, slices.Clone(q.Codes))
			} else if q.Code != "" {
				single[q.Code]++
			}
		},
		createArticle: func(a sdk.Article) {
			mu.Lock()
			defer mu.Unlock()
			creates[a.Code]++
		},
	}
	boek := ln{sku: "BOEK", name: "Boek", qty: "1", price: "20.00", rate: "9"}
	nieuw := ln{sku: "NIEUW", name: "Nieuw artikel", qty: "1", price: "12.10", rate: "21"}
	const n = 8
	for i := 1; i <= n; i++ {
		lines := []ln{coffee, mug}
		if i%2 == 0 {
			lines = []ln{boek, nieuw}
		}
		e.shop.put(customerOrder(fmt.Sprint(i), i, i, lines...))
	}
	var caps []string
	if capable {
		caps = []string{sdk.CapArticleCodes}
	}
	p := New(Options{Profile: e.prof, Shop: e.shop, Ledger: w, LedgerCapabilities: caps, Store: e.store,
		Clock: func() time.Time { return e.now }, Concurrency: 4})
	res, err := p.ImportOrders(t.Context())
	if err != nil || res.Imported != n {
		t.Fatalf("run: %+v, %v", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !capable {
		if len(batched) != 0 || single["KOFFIE"] != 1 || single["NIEUW"] != 1 {
			t.Fatalf("without the capability: batched %q, on their own %v", batched, single)
		}
	} else {
		if len(batched) != 1 || !slices.Equal(batched[0], []string{"KOFFIE", "MOK", "BOEK", "NIEUW"}) {
			t.Fatalf("batched look-ups %q, want one of KOFFIE, MOK, BOEK, NIEUW", batched)
		}
		if len(single) != 0 {
			t.Errorf("looked up on their own after the batched look-up: %v", single)
		}
	}
	if creates["NIEUW"] != 1 {
		t.Fatalf("NIEUW created %d times, want once", creates["NIEUW"])
	}
	if got := len(e.ledger.articlesWith("NIEUW")); got != 1 {
		t.Fatalf("SnelStart holds %d articles NIEUW, want 1", got)
	}
}
