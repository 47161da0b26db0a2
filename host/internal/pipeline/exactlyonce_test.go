package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/text"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

func (e *env) intent(id string) (IntentRecord, bool) {
	e.t.Helper()
	r, ok, err := state.Get[IntentRecord](context.Background(), e.store, state.IntentKey("shop1", id))
	if err != nil {
		e.t.Fatal(err)
	}
	return r, ok
}

func (e *env) cursor() string {
	e.t.Helper()
	r, _, err := state.Get[CursorRecord](context.Background(), e.store, state.CursorKey("shop1", TaskImportOrders))
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Cursor
}

// A create whose answer is lost (KindOutcomeUnknown) but which SnelStart committed is adopted on
// the next run: no duplicate.
func TestOutcomeUnknownButCommittedIsAdopted(t *testing.T) {
	e := newEnv(t)
	e.ledger.createHook = func(n int, _ sdk.SalesOrder) (bool, error) {
		if n == 1 {
			return true, &sdk.Error{Kind: sdk.KindOutcomeUnknown, Message: "timeout after the request was sent"}
		}
		return true, nil
	}
	first := e.one(plain("1"))
	mustStatus(t, first, StatusRetrying)
	if in, ok := e.intent("1"); !ok || in.Reference != "101" || in.LastError == "" {
		t.Fatalf("intent = %+v, %v", in, ok)
	}
	second := e.run()
	mustStatus(t, second.Orders[0], StatusAdopted)
	if len(e.ledger.orders) != 1 || e.ledger.creates != 1 || second.CallsByMethod["CreateSalesOrder"] != 0 {
		t.Fatalf("ledger orders %d, creates %d, calls %v", len(e.ledger.orders), e.ledger.creates, second.CallsByMethod)
	}
	rec, ok, _ := GetOrderRecord(t.Context(), e.store, "shop1", "1")
	if !ok || rec.Status != StatusAdopted || rec.LedgerNumber != 5001 {
		t.Fatalf("record = %+v", rec)
	}
	if _, ok := e.intent("1"); ok {
		t.Fatal("intent left behind")
	}
	if _, ok, _ := GetFailedRecord(t.Context(), e.store, "shop1", "1"); ok {
		t.Fatal("failure record left behind")
	}
	if third := e.run(); third.CallsByMethod["CreateSalesOrder"] != 0 || third.LedgerCalls != 0 {
		t.Fatalf("a third run made calls: %v", third.CallsByMethod)
	}
}

// A crash between intent and create (the plugin died: a plain error, nothing committed): the
// next run looks the reference up, finds nothing, and creates the order once.
func TestCrashBetweenIntentAndCreate(t *testing.T) {
	e := newEnv(t)
	e.ledger.createHook = func(n int, _ sdk.SalesOrder) (bool, error) {
		if n == 1 {
			return false, errors.New("plugin exited unexpectedly")
		}
		return true, nil
	}
	mustStatus(t, e.one(plain("1")), StatusRetrying)
	if _, ok := e.intent("1"); !ok {
		t.Fatal("no intent after a create with unknown outcome")
	}
	res := e.run()
	mustStatus(t, res.Orders[0], StatusImported)
	if res.CallsByMethod["FindSalesOrders"] != 1 || res.CallsByMethod["CreateSalesOrder"] != 1 || len(e.ledger.orders) != 1 {
		t.Fatalf("calls %v, orders %d", res.CallsByMethod, len(e.ledger.orders))
	}
	if in, ok := e.intent("1"); ok {
		t.Fatalf("intent left behind: %+v", in)
	}
}

// A create refused before it was sent (KindRetryable) certainly did not happen: no intent stays.
func TestRetryableCreateLeavesNoIntent(t *testing.T) {
	e := newEnv(t)
	e.ledger.createHook = func(n int, _ sdk.SalesOrder) (bool, error) {
		if n == 1 {
			return false, &sdk.Error{Kind: sdk.KindRetryable, Message: "429"}
		}
		return true, nil
	}
	mustStatus(t, e.one(plain("1")), StatusRetrying)
	if _, ok := e.intent("1"); ok {
		t.Fatal("intent kept after a create that was not sent")
	}
	mustStatus(t, e.run().Orders[0], StatusImported)
	if len(e.ledger.orders) != 1 {
		t.Fatalf("orders = %d", len(e.ledger.orders))
	}
}

// The cursor moves past an order only when it is done or parked: after a transient failure the
// next run lists it again, and later orders done meanwhile cost nothing.
func TestCursorWaitsForTransientFailure(t *testing.T) {
	e := newEnv(t)
	fail := true
	e.ledger.createHook = func(_ int, so sdk.SalesOrder) (bool, error) {
		if fail && so.OrderReference == "102" {
			return false, &sdk.Error{Kind: sdk.KindRetryable, Message: "503"}
		}
		return true, nil
	}
	for i, id := range []string{"1", "2", "3"} {
		e.shop.put(mkOrder(id, true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Duration(i) * time.Minute) }))
	}
	res := e.run()
	if res.Imported != 2 || res.Retrying != 1 {
		t.Fatalf("first run: %+v", res)
	}
	if c := e.cursor(); !strings.HasSuffix(c, "|1") {
		t.Fatalf("cursor = %q, want just past order 1", c)
	}
	fail = false
	res = e.run()
	if res.Imported != 1 || res.Skipped != 1 || res.CallsByMethod["CreateSalesOrder"] != 1 || len(e.ledger.orders) != 3 {
		t.Fatalf("second run: %+v, calls %v", res, res.CallsByMethod)
	}
	if c := e.cursor(); !strings.HasSuffix(c, "|3") {
		t.Fatalf("cursor = %q, want past order 3", c)
	}
}

// A parked order waits; the cursor moves on; changed in the shop it is retried with the new
// data; Retry retries it on demand.
func TestParkedOrderLifecycle(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Articles.Mode = config.ModeManual })
	bad := mkOrder("1", true, []ln{{sku: "X-1", name: "Onbekend", qty: "1", price: "2.00", rate: "21"}})
	mustStatus(t, e.one(bad), StatusFailed)
	if c := e.cursor(); !strings.HasSuffix(c, "|1") {
		t.Fatalf("cursor = %q, want past the parked order", c)
	}
	if res := e.run(); res.Seen() != 0 {
		t.Fatalf("unchanged parked order handled again: %+v", res.Orders)
	}
	// Retry on demand, still failing: attempts go up.
	res, err := e.p.Retry(t.Context(), []string{"1", "404"})
	if err != nil || res.Failed != 1 || res.Skipped != 1 {
		t.Fatalf("retry: %+v, %v", res, err)
	}
	f, _, _ := GetFailedRecord(t.Context(), e.store, "shop1", "1")
	if f.Attempts != 2 || !f.Parked {
		t.Fatalf("failed record = %+v", f)
	}
	// Fixed in the shop: the order is listed again (newer modification) and imported.
	good := mkOrder("1", true, []ln{mug}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Hour) })
	mustStatus(t, e.one(good), StatusImported)
	if _, ok, _ := GetFailedRecord(t.Context(), e.store, "shop1", "1"); ok {
		t.Fatal("failure record not removed")
	}
	if !e.hasLineFor(e.ledger.only(t), "MOK") {
		t.Fatal("the order was not imported with the new data")
	}
}

func TestRetryAfterFixInLedger(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Articles.Mode = config.ModeManual })
	mustStatus(t, e.one(mkOrder("1", true, []ln{{sku: "NIEUW", name: "Nieuw", qty: "1", price: "2.18", rate: "9"}})), StatusFailed)
	e.ledger.addArticle(sdk.Article{Code: "NIEUW", Description: "Nieuw", RevenueGroupID: "g-laag"})
	res, err := e.p.RetryFailed(t.Context())
	if err != nil || res.Imported != 1 || len(e.ledger.orders) != 1 {
		t.Fatalf("retry: %+v, %v", res, err)
	}
}

// Several transient failures in a row stop the run; the rest waits for the next run.
func TestConsecutiveTransientFailuresStopTheRun(t *testing.T) {
	e := newEnv(t)
	e.ledger.createHook = func(int, sdk.SalesOrder) (bool, error) {
		return false, &sdk.Error{Kind: sdk.KindUnreachable, Message: "connection refused"}
	}
	for i, id := range []string{"1", "2", "3", "4", "5"} {
		e.shop.put(mkOrder(id, true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Duration(i) * time.Minute) }))
	}
	res := e.run()
	if res.Retrying != maxConsecutiveTransient || res.Seen() != maxConsecutiveTransient || res.Stopped == "" {
		t.Fatalf("run = %+v", res)
	}
}

// Refused credentials stop the run with an error; no order is parked for it.
func TestAuthErrorAbortsRun(t *testing.T) {
	e := newEnv(t)
	e.ledger.createHook = func(int, sdk.SalesOrder) (bool, error) {
		return false, &sdk.Error{Kind: sdk.KindAuth, Message: "koppelsleutel ingetrokken"}
	}
	e.shop.put(plain("1"))
	_, err := e.p.ImportOrders(t.Context())
	if err == nil || !strings.Contains(err.Error(), "koppelsleutel") || sdk.KindOf(err) != sdk.KindAuth {
		t.Fatalf("err = %v", err)
	}
	if _, ok, _ := GetFailedRecord(t.Context(), e.store, "shop1", "1"); ok {
		t.Fatal("order parked for an auth error")
	}
	var runs []RunRecord
	_ = ListRunRecords(t.Context(), e.store, "shop1", 0, func(r RunRecord) error { runs = append(runs, r); return nil })
	if len(runs) != 1 || !strings.Contains(runs[0].Error, "koppelsleutel") {
		t.Fatalf("runs = %+v", runs)
	}
}

// An unknown template is a configuration problem: the run stops before any order.
func TestUnknownTemplateStopsRun(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Orders.Template = "Bestaat niet" })
	e.shop.put(plain("1"))
	_, err := e.p.ImportOrders(t.Context())
	if err == nil || !strings.Contains(err.Error(), "Bestaat niet") || !strings.Contains(err.Error(), `"Webshop"`) {
		t.Fatalf("err = %v", err)
	}
	if len(e.ledger.orders) != 0 {
		t.Fatal("order created")
	}
}

// A transient failure that keeps coming back is parked after ParkAfter runs spanning a day.
func TestTransientFailureParkedEventually(t *testing.T) {
	e := newEnv(t)
	e.p.opts.ParkAfter = 4
	e.ledger.createHook = func(int, sdk.SalesOrder) (bool, error) {
		return false, &sdk.Error{Kind: sdk.KindRetryable, Message: "503"}
	}
	e.shop.put(plain("1"))
	for i := 0; i < 3; i++ {
		mustStatus(t, e.run().Orders[0], StatusRetrying)
		e.now = e.now.Add(12 * time.Hour)
	}
	out := e.run().Orders[0]
	mustStatus(t, out, StatusFailed)
	mustReason(t, out, "gave up after 4 attempts")
}

// The double-import guard looks up the references of a batch of orders with one call, and
// after a loss of state every order is found, none duplicated.
func TestGuardBatched(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 60; i++ {
		e.shop.put(mkOrder(fmt.Sprintf("%03d", i), true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Duration(i) * time.Minute) }))
	}
	res := e.run()
	if res.CallsByMethod["FindSalesOrders"] != 3 || res.Imported != 60 {
		t.Fatalf("calls %v, imported %d", res.CallsByMethod, res.Imported)
	}
	var sizes []int
	for _, q := range e.ledger.finds {
		sizes = append(sizes, len(q.References))
	}
	if !slices.Equal(sizes, []int{25, 25, 10}) {
		t.Fatalf("references per look-up = %v, want [25 25 10]", sizes)
	}
	// A run with nothing new makes no look-up.
	if again := e.run(); again.LedgerCalls != 0 {
		t.Fatalf("a run with nothing to do made calls: %v", again.CallsByMethod)
	}
	// State lost (e.g. restored from an old backup): every order is found, none duplicated.
	e2 := newEnv(t)
	e2.ledger = e.ledger
	e2.shop = e.shop
	e2.p = New(Options{Profile: e2.prof, Shop: e2.shop, Ledger: e2.ledger, Store: e2.store, Clock: func() time.Time { return e2.now }})
	res = e2.run()
	if res.AlreadyPresent != 60 || len(e.ledger.orders) != 60 || res.CallsByMethod["CreateSalesOrder"] != 0 || res.CallsByMethod["FindSalesOrders"] != 3 {
		t.Fatalf("after state loss: already present %d, orders %d, calls %v", res.AlreadyPresent, len(e.ledger.orders), res.CallsByMethod)
	}
	rec, ok, err := GetOrderRecord(t.Context(), e2.store, "shop1", "007")
	if err != nil || !ok || rec.Status != StatusAlreadyPresent || rec.LedgerNumber != 5008 {
		t.Fatalf("record of order 007 = %+v %v %v, want already present as 5008", rec, ok, err)
	}
}

// An order SnelStart already has with the same betalingskenmerk, on the customer the order is
// booked on and with the shop's total, is recorded with the existing number; the others are
// created.
func TestGuardFindsOneOfABatch(t *testing.T) {
	e := newEnv(t)
	for i, id := range []string{"1", "2", "3"} {
		e.shop.put(mkOrder(id, true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Duration(i) * time.Minute) }))
	}
	cust := e.ledger.addRelatie(sdk.Relatie{Name: "Jan Jansen", Email: "jan@example.nl", Address: sdk.LedgerAddress{Postcode: "1234 AB", Country: "NL"}})
	e.ledger.orders = append(e.ledger.orders, sdk.SalesOrder{ID: "so-hand", Number: 4711, CustomerID: cust.ID, PaymentReference: "102", TotalIncl: d("10.90")})
	res := e.run()
	if res.Imported != 2 || res.AlreadyPresent != 1 || res.CallsByMethod["FindSalesOrders"] != 1 {
		t.Fatalf("result %+v, calls %v", res, res.CallsByMethod)
	}
	mustStatus(t, res.Orders[1], StatusAlreadyPresent)
	if res.Orders[1].LedgerNumber != 4711 {
		t.Fatalf("already present as %d, want 4711", res.Orders[1].LedgerNumber)
	}
}

// A SnelStart order that carries the shop order's reference but belongs to another customer, or
// has another total, is not adopted: the shop order is held (parked, not done) with an attention
// item naming both; once a person resolves the item, a retry adopts the SnelStart order.
func TestGuardCollisionIsHeld(t *testing.T) {
	for _, tc := range []struct {
		name     string
		customer bool
		total    string
		want     string
	}{
		{"another customer", false, "10.90", "een andere klant"},
		{"another total", true, "99.00", "een ander totaal (99.00, de winkel 10.90)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.shop.put(plain("2"))
			own := e.ledger.addRelatie(sdk.Relatie{Name: "Jan Jansen", Email: "jan@example.nl", Address: sdk.LedgerAddress{Postcode: "1234 AB", Country: "NL"}})
			other := e.ledger.addRelatie(sdk.Relatie{Name: "Handmatig"})
			id := other.ID
			if tc.customer {
				id = own.ID
			}
			e.ledger.orders = append(e.ledger.orders, sdk.SalesOrder{ID: "so-hand", Number: 4711, CustomerID: id, PaymentReference: "102", TotalIncl: d(tc.total)})
			res := e.run()
			if res.Failed != 1 || res.AlreadyPresent != 0 || len(e.ledger.orders) != 1 {
				t.Fatalf("result %+v", res)
			}
			if r := text.Reason(text.NL, res.Orders[0].Reason); !strings.Contains(r, "verkooporder 4711") || !strings.Contains(r, tc.want) || !strings.Contains(r, "koppel resolve") {
				t.Fatalf("reason %q", r)
			}
			if _, ok, _ := GetOrderRecord(t.Context(), e.store, "shop1", "2"); ok {
				t.Fatal("the colliding order was marked done")
			}
			items, err := attention.List(t.Context(), e.store, "shop1", attention.Filter{})
			if err != nil || len(items) != 1 || items[0].Kind != attention.KindReferenceCollision || items[0].LedgerNumber != 4711 ||
				items[0].ShopTotal == nil || items[0].ShopTotal.StringFixed(2) != "10.90" || items[0].LedgerTotal.StringFixed(2) != d(tc.total).StringFixed(2) {
				t.Fatalf("attention items %+v %v", items, err)
			}
			// A person confirms the SnelStart order is this one: the retry adopts it.
			if _, _, err := attention.Resolve(t.Context(), e.store, "shop1", items[0].ID, "test", "is deze order", e.now); err != nil {
				t.Fatal(err)
			}
			res, err = e.p.Retry(t.Context(), []string{"2"})
			if err != nil || res.AlreadyPresent != 1 || len(e.ledger.orders) != 1 {
				t.Fatalf("retry after resolve: %+v %v", res, err)
			}
		})
	}
}

// A guard look-up that fails transiently creates nothing unguarded: the orders are retried.
// payment_reference = false switches the guard (and its look-ups) off.
func TestGuardLookupFailsAndGuardOff(t *testing.T) {
	e := newEnv(t)
	e.ledger.failFind = &sdk.Error{Kind: sdk.KindRetryable, Message: "503"}
	for i, id := range []string{"1", "2", "3", "4"} {
		e.shop.put(mkOrder(id, true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Duration(i) * time.Minute) }))
	}
	res := e.run()
	if res.Imported != 0 || res.Retrying != 3 || len(e.ledger.orders) != 0 || res.Stopped == "" {
		t.Fatalf("with a failing look-up: %+v", res)
	}
	e.ledger.failFind = nil
	if res = e.run(); res.Imported != 4 || len(e.ledger.orders) != 4 {
		t.Fatalf("after the look-up recovered: %+v", res)
	}

	off := newEnv(t, func(p *config.Profile) { p.Orders.PaymentReference = false })
	off.shop.put(plain("1"))
	if res := off.run(); res.Imported != 1 || res.CallsByMethod["FindSalesOrders"] != 0 {
		t.Fatalf("payment_reference off: %+v %v", res, res.CallsByMethod)
	}
}

// The run is recorded, without customer names, and progress is reported per order.
func TestRunRecordAndProgress(t *testing.T) {
	e := newEnv(t)
	var prog []Progress
	e.p.prog = func(p Progress) { prog = append(prog, p) }
	e.shop.put(plain("1"))
	res := e.run()
	if res.Orders[0].CustomerName != "Jan Jansen" || len(prog) != 1 || prog[0].Imported != 1 || prog[0].Current != "101" {
		t.Fatalf("result %+v, progress %+v", res.Orders, prog)
	}
	var runs []RunRecord
	if err := ListRunRecords(t.Context(), e.store, "shop1", 5, func(r RunRecord) error { runs = append(runs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Imported != 1 || runs[0].LedgerCalls != res.LedgerCalls || strings.Contains(toJSON(runs[0]), "Jansen") {
		t.Fatalf("runs = %s", toJSON(runs))
	}
	var orders []OrderRecord
	_ = ListOrderRecords(t.Context(), e.store, "shop1", func(r OrderRecord) error { orders = append(orders, r); return nil })
	if len(orders) != 1 || orders[0].LedgerNumber != 5001 || orders[0].CustomerCode != 1000 || !orders[0].TotalIncl.Equal(d("10.90")) {
		t.Fatalf("orders = %s", toJSON(orders))
	}
}

// Two runs cannot overlap: the second finds the lock taken.
func TestRunsAreLocked(t *testing.T) {
	e := newEnv(t)
	release, err := e.store.AcquireLock(t.Context(), "shop1", TaskImportOrders, "someone-else", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = release() }()
	if _, err := e.p.ImportOrders(t.Context()); !errors.Is(err, state.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
}
