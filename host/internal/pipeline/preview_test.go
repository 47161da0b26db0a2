package pipeline

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// dumpStore returns every record of the store.
func dumpStore(t *testing.T, st *state.Store) map[state.Key]string {
	t.Helper()
	out := map[state.Key]string{}
	err := state.List(context.Background(), st, "", func(k state.Key, v json.RawMessage) error {
		out[k] = string(v)
		return nil
	})
	if err != nil {
		t.Fatalf("list the store: %v", err)
	}
	return out
}

// TestPlanMatchesTheSyncAndWritesNothing: a preview of new customers, new articles, a second
// order of a customer the first creates, a refused order, a waiting order and an order
// already imported leaves the store and the ledger as they were, and says order by order what
// the sync then does: the same customers, lines and totals.
func TestPlanMatchesTheSyncAndWritesNothing(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Orders.Statuses = []string{"processing"} })
	done := mkOrder("0", true, []ln{coffee})
	e.one(done)
	stranger := func(o *sdk.Order) {
		o.Customer.ID, o.Customer.Email, o.Billing.Email = "c9", "nina@example.nl", "nina@example.nl"
		o.Billing.FirstName, o.Billing.LastName, o.Billing.Postcode = "Nina", "Nieuw", "9999 ZZ"
	}
	orders := []sdk.Order{
		mkOrder("1", true, []ln{coffee, {sku: "NIEUW", name: "Nieuwe mok", qty: "2", price: "12.10", rate: "21"}}, stranger),
		mkOrder("2", true, []ln{{sku: "NIEUW", name: "Nieuwe mok", qty: "1", price: "12.10", rate: "21"}, mug}, stranger,
			func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("PostNL", "6.95", "21", true)} }),
		mkOrder("3", false, []ln{{sku: "KOFFIE", name: "Koffie", qty: "1", price: "10.00", rate: "21"}}),
		mkOrder("4", true, []ln{coffee}, func(o *sdk.Order) { o.Status = "on-hold" }),
		mkOrder("5", true, []ln{mug}),
	}
	for _, o := range orders {
		e.shop.put(o)
	}
	before := dumpStore(t, e.store)
	relaties, articles, created := len(e.ledger.relaties), len(e.ledger.articles), len(e.ledger.orders)
	creates := e.ledger.relCreates + e.ledger.artCreates + e.ledger.creates

	rep, err := e.p.Plan(context.Background(), TaskImportOrders, PlanOptions{})
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if after := dumpStore(t, e.store); !reflect.DeepEqual(before, after) {
		t.Fatalf("the preview changed the state store:\nbefore %v\nafter  %v", before, after)
	}
	if len(e.ledger.relaties) != relaties || len(e.ledger.articles) != articles || len(e.ledger.orders) != created ||
		e.ledger.relCreates+e.ledger.artCreates+e.ledger.creates != creates {
		t.Fatalf("the preview wrote to the ledger")
	}
	if s := rep.Summary; s.Create != 3 || s.Fail != 1 || s.Skip != 1 || len(rep.Orders) != 5 {
		t.Fatalf("summary %+v (orders %d), want 3 create, 1 fail, 1 skip", s, len(rep.Orders))
	}

	res := e.run()
	byID := map[string]OrderOutcome{}
	for _, out := range res.Orders {
		byID[out.ShopID] = out
	}
	var newCode int
	for _, op := range rep.Orders {
		out := byID[op.ShopID]
		want := map[OutcomeStatus]mapping.Action{StatusImported: mapping.ActionCreate, StatusFailed: mapping.ActionFail,
			StatusWaiting: mapping.ActionSkip, StatusSkipped: mapping.ActionSkip}[out.Status]
		if op.Action != want {
			t.Fatalf("order %s: planned %s (%v), the sync: %s (%s)", op.Number, op.Action, op.Problems, out.Status, out.Reason)
		}
		if op.Action == mapping.ActionFail && (len(op.Problems) != 1 || op.Problems[0] != out.Reason) {
			t.Fatalf("order %s: planned problem %q, the sync's reason %q", op.Number, op.Problems, out.Reason)
		}
		if op.Action != mapping.ActionCreate {
			continue
		}
		var so sdk.SalesOrder
		for _, x := range e.ledger.orders {
			if x.ID == out.LedgerOrderID {
				so = x
			}
		}
		if op.TotalLedger != mapping.Money(so.TotalIncl) || op.TotalShop != mapping.Money(so.TotalIncl) {
			t.Fatalf("order %s: planned total %s (shop %s), booked %s", op.Number, op.TotalLedger, op.TotalShop, so.TotalIncl)
		}
		rel := e.ledger.relatie(so.CustomerID)
		switch c := op.Customer; {
		case c.Action == mapping.CustomerCreate:
			if newCode != 0 || rel.Name != c.Name || rel.Email != c.Email {
				t.Fatalf("order %s: planned to create %+v, booked on %+v", op.Number, c, rel)
			}
			newCode = rel.Code
		case c.MatchedBy == "planned":
			if rel.Code != newCode {
				t.Fatalf("order %s: planned on the customer order 1 creates (%d), booked on %d", op.Number, newCode, rel.Code)
			}
		default:
			if c.Code != rel.Code {
				t.Fatalf("order %s: planned customer %d, booked on %d", op.Number, c.Code, rel.Code)
			}
		}
		if len(op.Lines) != len(so.Lines) {
			t.Fatalf("order %s: %d planned lines, %d booked", op.Number, len(op.Lines), len(so.Lines))
		}
		for i, l := range op.Lines {
			bl := so.Lines[i]
			a, _ := e.ledger.articleByID(bl.ArticleID)
			if a.Code != l.ArticleCode || bl.Quantity.String() != l.Quantity || bl.UnitPrice.String() != l.UnitPrice || bl.Description != l.Description {
				t.Fatalf("order %s line %d: planned %+v, booked %s %+v", op.Number, i+1, l, a.Code, bl)
			}
		}
	}
	if newCode == 0 {
		t.Fatalf("no planned customer create was checked")
	}
}

// TestPlanStockAndArticlesWriteNothing: the export_stock and import_articles previews leave
// the store and the ledger as they were.
func TestPlanStockAndArticlesWriteNothing(t *testing.T) {
	e := newEnv(t)
	before := dumpStore(t, e.store)
	for _, task := range []string{TaskExportStock, TaskImportArticles} {
		if _, err := e.p.Plan(context.Background(), task, PlanOptions{}); err != nil {
			t.Fatalf("Plan %s: %v", task, err)
		}
	}
	if after := dumpStore(t, e.store); !reflect.DeepEqual(before, after) {
		t.Fatalf("a preview changed the state store")
	}
	if _, err := e.p.Plan(context.Background(), "bogus", PlanOptions{}); err == nil {
		t.Fatalf("an unknown task was planned")
	}
}

// TestPlanAfterALostAnswer: an order whose create had no answer is previewed as the sync will
// treat it: found in SnelStart (skip, it is recorded) when the create was committed, created
// otherwise.
func TestPlanAfterALostAnswer(t *testing.T) {
	for _, committed := range []bool{true, false} {
		e := newEnv(t)
		e.ledger.createHook = func(n int, _ sdk.SalesOrder) (bool, error) {
			if n == 1 {
				return committed, &sdk.Error{Kind: sdk.KindOutcomeUnknown, Message: "timeout after the request was sent"}
			}
			return true, nil
		}
		if out := e.one(mkOrder("1", true, []ln{coffee})); out.Status != StatusRetrying {
			t.Fatalf("first run: %s %s", out.Status, out.Reason)
		}
		rep, err := e.p.Plan(context.Background(), TaskImportOrders, PlanOptions{})
		if err != nil || len(rep.Orders) != 1 {
			t.Fatalf("Plan: %v %+v", err, rep)
		}
		op := rep.Orders[0]
		want := mapping.ActionCreate
		if committed {
			want = mapping.ActionSkip
		}
		if op.Action != want || (committed && !strings.Contains(op.Reason, "SnelStart has it")) || (!committed && len(op.Warnings) == 0) {
			t.Fatalf("committed %v: planned %s (%q, %q)", committed, op.Action, op.Reason, op.Warnings)
		}
		res := e.run()
		if len(e.ledger.orders) != 1 || res.Orders[0].Status == StatusFailed {
			t.Fatalf("committed %v: after the sync SnelStart holds %d orders (%+v)", committed, len(e.ledger.orders), res.Orders)
		}
	}
}
