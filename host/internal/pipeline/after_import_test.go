package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/sdk"
)

// creditsOf returns the ledger's orders whose reference starts with ref.
func (e *env) ordersWithRef(ref string) []sdk.SalesOrder {
	e.ledger.mu.Lock()
	defer e.ledger.mu.Unlock()
	var out []sdk.SalesOrder
	for _, so := range e.ledger.orders {
		if so.PaymentReference == ref || so.OrderReference == ref {
			out = append(out, so)
		}
	}
	return out
}

func openItems(t *testing.T, e *env) []attention.Item {
	t.Helper()
	items, err := attention.List(context.Background(), e.store, e.prof.Name, attention.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestRefundsBecomeCreditOrders: a line refund, a shipping refund and an amount-only refund each
// become one credit order of exactly minus the refund, on the original customer; a second run
// and a lost answer book none twice.
func TestRefundsBecomeCreditOrders(t *testing.T) {
	e := newEnv(t, func(p *config.Profile) { p.Orders.RefundArticle = "DIVERS" })
	o := mkOrder("01", true, []ln{{sku: "MOK", name: "Mok", qty: "2", price: "5", rate: "21"}, {sku: "BOEK", name: "Boek", qty: "1", price: "20", rate: "9"}},
		func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("PostNL", "4.95", "21", true)} })
	if out := e.one(o); out.Status != StatusImported {
		t.Fatalf("import: %+v", out)
	}
	orig := e.ordersWithRef("1001")[0]

	mok := o.Lines[0]
	ship := o.ShippingLines[0]
	o.Refunds = []sdk.Refund{
		{ID: "501", CreatedAt: day.Add(2 * time.Hour), Amount: d("5.00"), Reason: "Kapot",
			Lines: []sdk.RefundLine{{LineID: mok.ID, SKU: "MOK", Quantity: d("1"), TotalExcl: d("4.13"), Tax: d("0.87"), TotalIncl: d("5.00"), TaxRate: d("21")}}},
		{ID: "502", CreatedAt: day.Add(3 * time.Hour), Amount: ship.TotalIncl, Shipping: []sdk.Charge{ship}},
		{ID: "503", CreatedAt: day.Add(4 * time.Hour), Amount: d("2.50")},
	}
	o.Refunded = d("12.45")
	o.ModifiedAt = day.Add(5 * time.Hour)
	e.now = e.now.Add(6 * time.Hour)

	// The first credit's answer is lost after SnelStart stored it.
	e.ledger.createHook = func(n int, so sdk.SalesOrder) (bool, error) {
		if so.PaymentReference == "1001-R501" {
			e.ledger.createHook = nil
			return true, sdk.Errorf(sdk.KindOutcomeUnknown, "connection reset")
		}
		return true, nil
	}
	e.shop.put(o)
	e.run()
	e.run()
	e.run()
	for ref, want := range map[string]string{"1001-R501": "-5", "1001-R502": "-4.95", "1001-R503": "-2.5"} {
		got := e.ordersWithRef(ref)
		if len(got) != 1 {
			dumpFailed(t, e)
			t.Fatalf("%s: %d credit orders, want exactly 1", ref, len(got))
		}
		if !got[0].TotalIncl.Equal(d(want)) || got[0].CustomerID != orig.CustomerID {
			t.Errorf("%s: total %s on %s, want %s on %s", ref, got[0].TotalIncl, got[0].CustomerID, want, orig.CustomerID)
		}
		for _, l := range got[0].Lines {
			if l.Quantity.IsPositive() {
				t.Errorf("%s: line with positive quantity %+v", ref, l)
			}
		}
	}
	if rec, ok, _ := GetOrderRecord(context.Background(), e.store, e.prof.Name, mapping.RefundOrderID("01", "501")); !ok || rec.Status != StatusAdopted {
		t.Errorf("lost credit answer: record %+v %v, want adopted", rec, ok)
	}
	if items := openItems(t, e); len(items) != 0 {
		t.Errorf("attention items: %+v", items)
	}
}

// TestRefundWithoutRefundArticleIsListed: an amount-only refund without orders.refund_article
// is an attention item, raised once.
func TestRefundWithoutRefundArticleIsListed(t *testing.T) {
	e := newEnv(t)
	o := mkOrder("01", true, []ln{{sku: "MOK", name: "Mok", qty: "2", price: "5", rate: "21"}})
	e.one(o)
	o.Refunds = []sdk.Refund{{ID: "9", Amount: d("3.00")}}
	o.ModifiedAt = day.Add(time.Hour)
	e.shop.put(o)
	e.run()
	e.run()
	items := openItems(t, e)
	if len(items) != 1 || items[0].Kind != attention.KindRefunded || items[0].ShopNumber != "1001" {
		t.Fatalf("items %+v", items)
	}
}

func TestCancelAfterImport(t *testing.T) {
	cases := []struct {
		name     string
		onCancel config.OnCancel
		invoiced bool
		// wantOrders is how many sales orders with reference 1001 remain, wantCredit whether
		// 1001-C exists, wantItem the attention kind ("" = none).
		wantOrders int
		wantCredit bool
		wantItem   attention.Kind
	}{
		{"delete", config.CancelDelete, false, 0, false, ""},
		{"delete invoiced credits", config.CancelDelete, true, 1, true, ""},
		{"credit_order", config.CancelCreditOrder, false, 1, true, ""},
		{"attention", config.CancelAttention, false, 1, false, attention.KindCancelled},
		{"ignore", config.CancelIgnore, false, 1, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(p *config.Profile) { p.Orders.OnCancel = tc.onCancel })
			o := mkOrder("01", true, []ln{{sku: "MOK", name: "Mok", qty: "2", price: "5", rate: "21"}})
			e.one(o)
			if tc.invoiced {
				e.ledger.mu.Lock()
				e.ledger.orders[0].ProcessStatus = "Factuur"
				e.ledger.mu.Unlock()
			}
			o.Status, o.Cancelled, o.ModifiedAt = "cancelled", true, day.Add(time.Hour)
			e.shop.put(o)
			e.run()
			e.run()
			if n := len(e.ordersWithRef("1001")); n != tc.wantOrders {
				t.Errorf("%d sales orders 1001, want %d", n, tc.wantOrders)
			}
			credits := e.ordersWithRef("1001-C")
			if (len(credits) == 1) != tc.wantCredit || len(credits) > 1 {
				t.Errorf("%d credit orders, want credit=%v", len(credits), tc.wantCredit)
			} else if tc.wantCredit && !credits[0].TotalIncl.Equal(d("-10")) {
				t.Errorf("credit total %s, want -10", credits[0].TotalIncl)
			}
			items := openItems(t, e)
			if tc.wantItem == "" && len(items) != 0 || tc.wantItem != "" && (len(items) != 1 || items[0].Kind != tc.wantItem) {
				t.Errorf("items %+v, want %q", items, tc.wantItem)
			}
		})
	}
}

func TestChangeAfterImportIsListed(t *testing.T) {
	for _, onChange := range []config.OnChange{config.ChangeAttention, config.ChangeIgnore} {
		t.Run(string(onChange), func(t *testing.T) {
			e := newEnv(t, func(p *config.Profile) { p.Orders.OnChange = onChange })
			o := mkOrder("01", true, []ln{{sku: "MOK", name: "Mok", qty: "2", price: "5", rate: "21"}})
			e.one(o)
			// A status change alone is not an edit.
			o.Status, o.ModifiedAt = "completed", day.Add(time.Hour)
			e.shop.put(o)
			e.run()
			if items := openItems(t, e); len(items) != 0 {
				t.Fatalf("status change listed: %+v", items)
			}
			o2 := mkOrder("01", true, []ln{{sku: "MOK", name: "Mok", qty: "3", price: "5", rate: "21"}},
				func(o *sdk.Order) { o.ModifiedAt = day.Add(2 * time.Hour) })
			e.shop.put(o2)
			e.run()
			e.run()
			items := openItems(t, e)
			if onChange == config.ChangeIgnore {
				if len(items) != 0 {
					t.Fatalf("ignored edit listed: %+v", items)
				}
				return
			}
			if len(items) != 1 || items[0].Kind != attention.KindChanged || items[0].ShopTotal.String() != "15" || items[0].LedgerTotal.String() != "10" {
				t.Fatalf("items %+v", items)
			}
			if n := len(e.ordersWithRef("1001")); n != 1 {
				t.Fatalf("%d sales orders after an edit", n)
			}
		})
	}
}

func dumpFailed(t *testing.T, e *env) {
	_ = ListFailedRecords(context.Background(), e.store, e.prof.Name, func(f FailedRecord) error {
		t.Logf("failed %s: %s", f.ShopID, f.Reason)
		return nil
	})
}
