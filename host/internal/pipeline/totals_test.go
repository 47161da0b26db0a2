package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/redact"
	"github.com/shopspring/decimal"
)

// awkwardOrder is an order that is easy to get wrong, with the profile change it needs.
type awkwardOrder struct {
	name    string
	profile func(*config.Profile)
	order   sdk.Order
	// ledger, when set, changes the administration (its settings hold in either mode).
	ledger func(*fakeLedger)
	// check asserts more on the sales order SnelStart created (order mode only).
	check func(t *testing.T, e *env, so sdk.SalesOrder)
}

// awkwardOrders are the money tests' orders, booked as sales orders by
// TestAwkwardOrdersMatchToTheCent and as invoices by TestAwkwardOrdersAsInvoicesMatchToTheCent.
func awkwardOrders() []awkwardOrder {
	hundredLines := func(incl bool) sdk.Order {
		var ls []ln
		for i := 0; i < 100; i++ {
			sku, rate := "MOK", "21"
			if i%3 == 0 {
				sku, rate = "KOFFIE", "9"
			}
			ls = append(ls, ln{sku: sku, name: fmt.Sprintf("Artikel %d", i), qty: fmt.Sprint(1 + i%4), price: fmt.Sprintf("%d.%02d", 1+i%17, (i*37)%100), rate: rate})
		}
		return mkOrder("1", incl, ls)
	}
	return []awkwardOrder{
		{name: "mixed 21% and 9%, prices including VAT", order: mkOrder("1", true, []ln{coffee, mug, {sku: "BOEK", name: "Boek", qty: "1", price: "19.99", rate: "9"}})},
		{name: "mixed 21% and 9%, prices excluding VAT", order: mkOrder("1", false, []ln{{sku: "KOFFIE", name: "Koffie", qty: "2", price: "10.00", rate: "9"}, {sku: "MOK", name: "Mok", qty: "3", price: "5.00", rate: "21"}}),
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				if so.PricesIncludeVAT {
					t.Fatal("an order of an excl-VAT shop was sent including VAT")
				}
			}},
		{name: "tax-inclusive shop with shipping", order: mkOrder("1", true, []ln{mug}, func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("PostNL", "6.95", "21", true)} }),
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				if !so.PricesIncludeVAT {
					t.Fatal("an order of an incl-VAT shop was sent excluding VAT")
				}
			}},
		{name: "tax-exclusive shop with shipping", order: mkOrder("1", false, []ln{{sku: "MOK", name: "Mok", qty: "2", price: "5.00", rate: "21"}}, func(o *sdk.Order) {
			o.ShippingLines = []sdk.Charge{chg("PostNL", "5.00", "21", false)}
		})},
		{
			// vat_check = fail (the default): the 9% part is spread over the 9% product line.
			name: "a coupon over mixed rates (split per rate)",
			order: mkOrder("1", true, []ln{coffee, mug}, func(o *sdk.Order) {
				// 10.00 off, spread by the shop over 9% and 21% products.
				o.Discounts = []sdk.Charge{{Name: "Kortingscode TIEN", TotalExcl: d("8.69"), Tax: d("1.31"), TotalIncl: d("10.00")}}
			}),
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				n := 0
				for _, l := range so.Lines {
					if l.ArticleID == e.ledger.article("KORTING").ID {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("coupon lines = %d, want the 21%% part only (the 9%% part is in the 9%% line): %+v", n, so.Lines)
				}
				if l := e.lineFor(so, "KOFFIE"); !l.Total.LessThan(d("10.90")) {
					t.Fatalf("the 9%% line was not lowered: %+v", l)
				}
			},
		},
		{name: "a percentage discount (in the lines) and a fixed discount", order: mkOrder("1", true, []ln{
			{sku: "MOK", name: "Mok -10%", qty: "2", price: "5.445", rate: "21"},
			{sku: "KOFFIE", name: "Koffie -10%", qty: "1", price: "9.81", rate: "9"},
		}, func(o *sdk.Order) {
			o.Lines[0].Discount, o.Lines[1].Discount = d("1.00"), d("0.90")
			o.Discounts = []sdk.Charge{chg("5 euro korting", "5.00", "21", true)}
		})},
		{name: "a payment fee", order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Fees = []sdk.Charge{chg("iDEAL-kosten", "0.29", "21", true)} })},
		{name: "a negative fee", order: mkOrder("1", true, []ln{coffee, mug}, func(o *sdk.Order) { o.Fees = []sdk.Charge{chg("Korting bij afhalen", "-2.50", "21", true)} }),
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				if l := e.lineFor(so, "BETAALKOSTEN"); !l.UnitPrice.Equal(d("-2.50")) {
					t.Fatalf("fee line = %+v", l)
				}
			}},
		{name: "free shipping", order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("Gratis verzending", "0", "21", true)} }),
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				if e.hasLineFor(so, "VERZEND") {
					t.Fatal("a zero shipping line was booked")
				}
			}},
		{name: "quantity 3 at 0.333 each", order: mkOrder("1", true, []ln{{sku: "MOK", name: "Sticker", qty: "3", price: "0.333", rate: "21"}}),
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				if l := e.lineFor(so, "MOK"); !l.Quantity.Equal(d("3")) || !l.Total.Equal(d("1.00")) {
					t.Fatalf("line = %+v, want quantity 3 totalling 1.00", l)
				}
			}},
		{name: "100 lines, prices including VAT", order: hundredLines(true)},
		{name: "a variation with options", order: mkOrder("1", true, []ln{{sku: "KOFFIE", name: "Koffie - Grof", qty: "2", price: "11.45", rate: "9",
			opts: []sdk.Option{{Name: "Maling", Value: "grof"}}}}, func(o *sdk.Order) { o.Lines[0].ProductID, o.Lines[0].VariationID = "10", "11" })},
		{name: "a composite article with recipes", profile: func(p *config.Profile) { p.Orders.Recipes = true },
			order: mkOrder("1", true, []ln{{sku: "PAKKET", name: "Theepakket", qty: "2", price: "24.95", rate: "9"}})},
		{name: "a rounded unit price in SnelStart (Stukprijs) is corrected by the difference article",
			profile: func(p *config.Profile) { p.Orders.DifferenceArticle = "VERSCHIL" },
			ledger: func(l *fakeLedger) {
				l.unitRounded = true
				l.ref.Company.Extra["regelkortingVerkooporder"] = "BerekenenOverStukprijs"
			},
			order: mkOrder("1", true, []ln{{sku: "MOK", name: "Sticker", qty: "3", price: "0.333", rate: "21"}})},
	}
}

// book imports c's order into a new environment: the profile changed by prof and then c's
// change, the ledger by ledger and then c's change. The order must be imported without a warning
// about SnelStart's total.
func (c awkwardOrder) book(t *testing.T, prof func(*config.Profile), ledger func(*fakeLedger)) *env {
	t.Helper()
	var mods []func(*config.Profile)
	for _, m := range []func(*config.Profile){prof, c.profile} {
		if m != nil {
			mods = append(mods, m)
		}
	}
	e := newEnv(t, mods...)
	for _, m := range []func(*fakeLedger){ledger, c.ledger} {
		if m != nil {
			m(e.ledger)
		}
	}
	out := e.one(c.order)
	mustStatus(t, out, StatusImported)
	for _, w := range out.Warnings {
		if strings.Contains(w, "SnelStart's total") {
			t.Errorf("unexpected total warning: %s", w)
		}
	}
	return e
}

// TestAwkwardOrdersMatchToTheCent: SnelStart's total of the created order equals the shop's
// total exactly, for orders that are easy to get wrong. Each runs against a ledger that rounds
// VAT per rate and one that rounds per line (SnelStart does not document which it does).
func TestAwkwardOrdersMatchToTheCent(t *testing.T) {
	for _, c := range awkwardOrders() {
		for _, perLine := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/vatPerLine=%v", c.name, perLine), func(t *testing.T) {
				e := c.book(t, nil, func(l *fakeLedger) { l.vatPerLine = perLine })
				so := e.ledger.only(t)
				if !so.TotalIncl.Equal(c.order.Totals.Total) {
					t.Fatalf("SnelStart total %s, shop total %s; lines %+v", so.TotalIncl, c.order.Totals.Total, so.Lines)
				}
				if c.check != nil {
					c.check(t, e, so)
				}
			})
		}
	}
}

// TestOrdersThatMustFail: each fails with a reason a bookkeeper can act on, creates no sales
// order, and is parked with the shop payload.
func TestOrdersThatMustFail(t *testing.T) {
	cases := []struct {
		name    string
		profile func(*config.Profile)
		ledger  func(*fakeLedger)
		order   sdk.Order
		reason  []string
	}{
		{"unknown article without fallback", func(p *config.Profile) { p.Articles.Mode = config.ModeManual },
			nil, mkOrder("1", true, []ln{{sku: "X-99", name: "Onbekend", qty: "1", price: "1.00", rate: "21"}}),
			[]string{"line 1", `"X-99"`, "fallback_article"}},
		{"VAT mismatch", nil, nil, mkOrder("1", true, []ln{{sku: "KOFFIE", name: "Koffie", qty: "1", price: "12.10", rate: "21"}}),
			[]string{"line 1", "21%", "KOFFIE", "Laag", "9%"}},
		{"difference over tolerance without a difference article", nil, nil, func() sdk.Order {
			o := mkOrder("1", true, []ln{coffee})
			o.Totals.Total = d("9.90")
			return o
		}(), []string{"10.90", "9.90", "difference_article"}},
		{"manual customers without a match", func(p *config.Profile) { p.Customers.Mode = config.ModeManual }, nil, plain("1"),
			[]string{"no SnelStart customer matches", "jan@example.nl"}},
		{"a configured article that SnelStart lacks", func(p *config.Profile) { p.Orders.ShippingArticle = "VERZ-X" }, nil,
			mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("PostNL", "4.95", "21", true)} }),
			[]string{"shipping_article", "VERZ-X"}},
		{"SnelStart refuses the order", nil, func(l *fakeLedger) {
			l.createHook = func(int, sdk.SalesOrder) (bool, error) {
				return false, refused("VOR-0002", "Relatie is geen klant")
			}
		}, plain("1"), []string{"VOR-0002", "geen klant"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mods []func(*config.Profile)
			if c.profile != nil {
				mods = append(mods, c.profile)
			}
			e := newEnv(t, mods...)
			if c.ledger != nil {
				c.ledger(e.ledger)
			}
			out := e.one(c.order)
			mustStatus(t, out, StatusFailed)
			mustReason(t, out, c.reason...)
			if len(e.ledger.orders) != 0 {
				t.Fatal("a sales order was created")
			}
			f, ok, err := GetFailedRecord(t.Context(), e.store, "shop1", "1")
			if err != nil || !ok || !f.Parked || f.Order.ID != "1" || f.Reason != redact.Personal(out.Reason) {
				t.Fatalf("failed record = %+v, %v, %v", f, ok, err)
			}
			if c.ledger != nil && f.Request == nil {
				t.Fatal("the refused request was not kept")
			}
		})
	}
}

// TestAwkwardOrdersAsInvoicesMatchToTheCent books the same orders as sales invoices
// (orders.book_as = "invoice"): each becomes exactly one invoice booking and no sales order,
// its factuurbedrag equals the shop's total to the cent and its revenue lines plus VAT lines
// make up that amount (SnelStart's balance rule, BOE-0039).
func TestAwkwardOrdersAsInvoicesMatchToTheCent(t *testing.T) {
	// The revenue ledger of each VAT class: the ledger of the fake's omzetgroep of that class.
	ledgerOf := map[sdk.VATClass]string{sdk.VATHigh: "gb-8000", sdk.VATLow: "gb-8010", sdk.VATNone: "gb-8020"}
	// Every order applies: none is about a sales order's lines alone. The Stukprijs setting
	// is the administration's, so it holds here too; recipes have no effect on a booking.
	for _, c := range awkwardOrders() {
		t.Run(c.name, func(t *testing.T) {
			e := c.book(t, func(p *config.Profile) { p.Orders.BookAs = config.BookAsInvoice }, nil)
			if n := len(e.ledger.orders); n != 0 {
				t.Fatalf("invoice mode created %d sales orders", n)
			}
			inv := e.ledger.onlyInvoice(t)
			if !inv.Total.Equal(c.order.Totals.Total) {
				t.Fatalf("SnelStart's invoice amount %s, shop total %s; lines %+v, VAT %+v", inv.Total, c.order.Totals.Total, inv.Lines, inv.VAT)
			}
			sum := decimal.Zero
			for _, l := range inv.Lines {
				sum = sum.Add(l.Amount)
				if l.LedgerAccountID != ledgerOf[l.VATClass] {
					t.Errorf("line %+v not on the revenue ledger %s of its VAT class", l, ledgerOf[l.VATClass])
				}
			}
			for _, v := range inv.VAT {
				sum = sum.Add(v.Amount)
			}
			if !sum.Equal(inv.Total) {
				t.Fatalf("lines plus VAT %s, invoice amount %s", sum, inv.Total)
			}
		})
	}
}
