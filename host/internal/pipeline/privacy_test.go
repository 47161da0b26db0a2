package pipeline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// personal is what mkOrder puts in an order that identifies a person.
var personal = []string{"Jansen", "Dorpsstraat", "jan@example.nl", "0612345678", "Utrecht"}

// storeText returns every record of the store as JSON text, one namespace after the other.
func storeText(t *testing.T, st *state.Store) string {
	t.Helper()
	var b strings.Builder
	for _, ns := range []state.Namespace{state.NSCursor, state.NSOrder, state.NSRun, state.NSFailed, state.NSMap,
		state.NSStock, state.NSIntent, state.NSLock, state.NSSchedule} {
		err := state.List(t.Context(), st, ns.Prefix(), func(k state.Key, v json.RawMessage) error {
			b.WriteString(string(k) + " " + string(v) + "\n")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// Issue 6, personal data: a done order keeps ids, numbers, amounts and the relatiecode, not
// names or addresses; a parked order's payload is removed once it is resolved.
func TestDoneOrdersKeepNoPersonalData(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Articles.Mode = config.ModeManual })
	unknown := ln{sku: "GROENETHEE", name: "Groene thee", qty: "1", price: "4.50", rate: "9"}
	e.shop.put(mkOrder("1", true, []ln{coffee}))
	e.shop.put(mkOrder("2", true, []ln{coffee, unknown}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Minute) }))
	res := e.run()
	if res.Imported != 1 || res.Failed != 1 {
		t.Fatalf("first run: %+v", res)
	}
	f, ok, err := GetFailedRecord(t.Context(), e.store, "shop1", "2")
	if err != nil || !ok || !f.Parked || f.Order.Billing.LastName != "Jansen" {
		t.Fatalf("parked record %+v %v %v: want the shop payload kept while parked", f, ok, err)
	}
	// The cause is fixed in SnelStart; the retry imports the order and drops the payload.
	e.ledger.addArticle(sdk.Article{Code: "GROENETHEE", Description: "Groene thee", RevenueGroupID: "g-laag"})
	res, err = e.p.Retry(t.Context(), []string{"2"})
	if err != nil || res.Imported != 1 {
		t.Fatalf("retry: %+v %v", res, err)
	}
	if _, ok, _ := GetFailedRecord(t.Context(), e.store, "shop1", "2"); ok {
		t.Fatal("the parked record (with the shop payload) is still there after the order was imported")
	}
	text := storeText(t, e.store)
	for _, p := range personal {
		if strings.Contains(text, p) {
			t.Fatalf("the state store holds %q after every order is done:\n%s", p, text)
		}
	}
	var recs []OrderRecord
	if err := ListOrderRecords(t.Context(), e.store, "shop1", func(r OrderRecord) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].CustomerCode == 0 || recs[1].LedgerNumber == 0 || recs[1].TotalIncl.IsZero() {
		t.Fatalf("order records lack ids, numbers, amounts or relatiecode: %s", toJSON(recs))
	}
}

// Issue 6: run history older than the retention period is removed at the end of each run.
func TestRunHistoryRetention(t *testing.T) {
	e := newEnv(t)
	e.p.opts.Retention = 90 * 24 * time.Hour
	start := e.now
	e.shop.put(plain("1"))
	e.run()
	e.now = start.Add(30 * 24 * time.Hour)
	e.run()
	count := func() []time.Time {
		var starts []time.Time
		if err := ListRunRecords(t.Context(), e.store, "shop1", 0, func(r RunRecord) error { starts = append(starts, r.Start); return nil }); err != nil {
			t.Fatal(err)
		}
		return starts
	}
	if got := count(); len(got) != 2 {
		t.Fatalf("runs after 30 days: %v, want 2", got)
	}
	e.now = start.Add(100 * 24 * time.Hour)
	e.run()
	got := count()
	if len(got) != 2 || got[1].Equal(start) {
		t.Fatalf("runs after 100 days: %v, want the first (at %s) removed", got, start)
	}
	// A negative retention keeps everything.
	e.p.opts.Retention = -1
	e.now = start.Add(400 * 24 * time.Hour)
	e.run()
	if got := count(); len(got) != 3 {
		t.Fatalf("with retention off: %d runs, want 3", len(got))
	}
}

// A done order keeps the customer's name only for a business record: an order that names a
// company (the relatie's name as booked), or the profile's fixed customer; a private person's
// order keeps its relatiecode only (docs/profiles.md, "Personal data").
func TestDoneOrdersKeepBusinessNamesOnly(t *testing.T) {
	business := func(o *sdk.Order) {
		o.Billing.Company = "Bakkerij De Korrel BV"
		o.Customer = sdk.Customer{ID: "c9", Email: "inkoop@korrel.example", FirstName: "Anna", LastName: "Korrel"}
		o.Billing.Email = "inkoop@korrel.example"
		o.ModifiedAt = day.Add(time.Minute)
	}
	// kept checks the name each order record keeps (shop id → name) and that no private
	// person's name or address is in the store.
	kept := func(want map[string]string) func(t *testing.T, e *env, res RunResult) {
		return func(t *testing.T, e *env, res RunResult) {
			if res.Imported != len(want) {
				t.Fatalf("run: %+v", res)
			}
			for id, name := range want {
				rec, ok, err := GetOrderRecord(t.Context(), e.store, "shop1", id)
				if err != nil || !ok || rec.CustomerName != name || rec.CustomerCode == 0 {
					t.Errorf("order %s: record %+v (%v, %v); want customer name %q and a relatiecode", id, rec, ok, err, name)
				}
			}
			text := storeText(t, e.store)
			for _, p := range append(personal, "Anna", "Korrel\"") {
				if strings.Contains(text, p) {
					t.Errorf("the state store holds %q of a private person:\n%s", p, text)
				}
			}
		}
	}
	runSettingCases(t, []settingCase{
		{name: "private and business",
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}), mkOrder("2", true, []ln{coffee}, business)},
			check:  kept(map[string]string{"1": "", "2": "Bakkerij De Korrel BV"})},
		{name: "business matched to its SnelStart relatie",
			set: func(p *config.Profile) { p.Customers.Match = "email" },
			seed: func(e *env) {
				e.ledger.addRelatie(sdk.Relatie{Code: 777, Name: "Bakkerij De Korrel B.V. (Zwolle)", Email: "inkoop@korrel.example"})
			},
			orders: []sdk.Order{mkOrder("2", true, []ln{coffee}, business)},
			check:  kept(map[string]string{"2": "Bakkerij De Korrel B.V. (Zwolle)"})},
		{name: "fixed customer",
			set:    func(p *config.Profile) { p.Customers.Mode = config.ModeManual; p.Customers.FixedCustomer = 900 },
			seed:   func(e *env) { e.ledger.addRelatie(sdk.Relatie{Code: 900, Name: "Webshop klanten"}) },
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee})},
			check:  kept(map[string]string{"1": "Webshop klanten"})},
	})
}
