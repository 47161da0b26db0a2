package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
)

// settingCase is one row of spec/settings.md: a profile change, the orders in the shop, and
// what the fake SnelStart holds afterwards.
type settingCase struct {
	name   string
	set    func(p *config.Profile)
	seed   func(e *env)
	orders []sdk.Order
	check  func(t *testing.T, e *env, res RunResult)
}

func runSettingCases(t *testing.T, cases []settingCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mods []func(*config.Profile)
			if c.set != nil {
				mods = append(mods, c.set)
			}
			e := newEnv(t, mods...)
			if c.seed != nil {
				c.seed(e)
			}
			for _, o := range c.orders {
				e.shop.put(o)
			}
			c.check(t, e, e.run())
		})
	}
}

func plain(id string) sdk.Order { return mkOrder(id, true, []ln{coffee}) }

func TestOrdersSettings(t *testing.T) {
	runSettingCases(t, []settingCase{
		{
			name:   "since: an order created before it is never imported, even when modified after",
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.CreatedAt = since.Add(-time.Hour) }), plain("2")},
			check: func(t *testing.T, e *env, res RunResult) {
				so := e.ledger.only(t)
				if so.OrderReference != "102" || res.Skipped != 1 {
					t.Fatalf("imported %q, skipped %d; want only 102 imported and 101 skipped", so.OrderReference, res.Skipped)
				}
			},
		},
		{
			name:   "statuses: an order in another status waits",
			set:    func(p *config.Profile) { p.Orders.Statuses = []string{"processing"} },
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Status = "on-hold" }), plain("2")},
			check: func(t *testing.T, e *env, res RunResult) {
				// The fake shop filters by status like a real connector; the listing hides 101.
				if so := e.ledger.only(t); so.OrderReference != "102" {
					t.Fatalf("imported %q, want 102", so.OrderReference)
				}
			},
		},
		{
			name:   "template by name",
			set:    func(p *config.Profile) { p.Orders.Template = "English" },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.TemplateID != "tpl-en" {
					t.Fatalf("template = %q, want tpl-en", so.TemplateID)
				}
			},
		},
		{
			name: "reuse_last_template takes the customer's last order's template",
			set:  func(p *config.Profile) { p.Orders.ReuseLastTemplate = true; p.Orders.Template = "Webshop" },
			seed: func(e *env) {
				r := e.ledger.addRelatie(sdk.Relatie{Name: "Jan Jansen", Email: "jan@example.nl", Address: sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234AB", City: "Utrecht", Country: "NL"}})
				e.ledger.orders = append(e.ledger.orders, sdk.SalesOrder{ID: "vo-1", Number: 1, CustomerID: r.ID, TemplateID: "tpl-en"})
			},
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.orders[1]; so.TemplateID != "tpl-en" {
					t.Fatalf("template = %q, want the last order's tpl-en", so.TemplateID)
				}
			},
		},
		{
			name:   "reuse_last_template without an earlier order falls back to template",
			set:    func(p *config.Profile) { p.Orders.ReuseLastTemplate = true; p.Orders.Template = "Webshop" },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.TemplateID != "tpl-web" {
					t.Fatalf("template = %q, want tpl-web", so.TemplateID)
				}
			},
		},
		{
			name:   "payment_reference on: the number goes into betalingskenmerk",
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.PaymentReference != "101" || so.OrderReference != "101" {
					t.Fatalf("references = %q / %q", so.PaymentReference, so.OrderReference)
				}
			},
		},
		{
			name: "payment_reference on: an order SnelStart already has (same customer and total) is not created again",
			seed: func(e *env) {
				c := e.ledger.addRelatie(sdk.Relatie{Name: "Jan Jansen", Email: "jan@example.nl", Address: sdk.LedgerAddress{Postcode: "1234 AB", Country: "NL"}})
				e.ledger.orders = append(e.ledger.orders, sdk.SalesOrder{ID: "vo-77", Number: 77, CustomerID: c.ID, PaymentReference: "101", TotalIncl: d("10.90")})
			},
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, res RunResult) {
				if len(e.ledger.orders) != 1 || res.AlreadyPresent != 1 || res.Orders[0].LedgerNumber != 77 {
					t.Fatalf("orders %d, already present %d, outcome %+v", len(e.ledger.orders), res.AlreadyPresent, res.Orders[0])
				}
				rec, ok, _ := GetOrderRecord(t.Context(), e.store, "shop1", "1")
				if !ok || rec.Status != StatusAlreadyPresent || rec.LedgerNumber != 77 {
					t.Fatalf("record = %+v", rec)
				}
			},
		},
		{
			name:   "payment_reference off: betalingskenmerk empty, orderreferentie still set",
			set:    func(p *config.Profile) { p.Orders.PaymentReference = false },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.PaymentReference != "" || so.OrderReference != "101" {
					t.Fatalf("references = %q / %q", so.PaymentReference, so.OrderReference)
				}
			},
		},
		{
			name:   "reference_prefix",
			set:    func(p *config.Profile) { p.Orders.ReferencePrefix = "WS-" },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.PaymentReference != "WS-101" || so.OrderReference != "WS-101" {
					t.Fatalf("references = %q / %q", so.PaymentReference, so.OrderReference)
				}
			},
		},
		descriptionCase(config.DescriptionAuto, "processing - iDEAL - betaald"),
		descriptionCase(config.DescriptionProfile, "Testwinkel"),
		descriptionCase(config.DescriptionOrderNumber, "Webshoporder 101"),
		descriptionCase(config.DescriptionNone, ""),
		{
			name: "addresses = order: invoice and delivery address from the order",
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) {
				o.Shipping = sdk.Address{FirstName: "Piet", LastName: "Jansen", Street: "Kerkweg 2", Postcode: "5678 CD", City: "Gouda", Country: "NL"}
			})},
			check: func(t *testing.T, e *env, _ RunResult) {
				so := e.ledger.only(t)
				if so.InvoiceAddress == nil || so.InvoiceAddress.Street != "Dorpsstraat 1" || so.DeliveryAddress == nil ||
					so.DeliveryAddress.Street != "Kerkweg 2" || so.DeliveryAddress.Contact != "Piet Jansen" {
					t.Fatalf("addresses = %+v / %+v", so.InvoiceAddress, so.DeliveryAddress)
				}
			},
		},
		{
			name:   "addresses = customer: left empty so SnelStart takes the customer card",
			set:    func(p *config.Profile) { p.Orders.Addresses = config.AddressesCustomer },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.InvoiceAddress != nil || so.DeliveryAddress != nil {
					t.Fatalf("addresses = %+v / %+v, want none", so.InvoiceAddress, so.DeliveryAddress)
				}
			},
		},
		{
			name:   "lines = full: code, description, quantity and price from the shop",
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				l := e.lineFor(e.ledger.only(t), "KOFFIE")
				if l.Description != "Koffie 1kg" || !l.UnitPrice.Equal(d("10.90")) || !l.Quantity.Equal(d("1")) {
					t.Fatalf("line = %+v", l)
				}
			},
		},
		{
			name:   "lines = code_and_quantity: SnelStart fills description and price",
			set:    func(p *config.Profile) { p.Orders.Lines = config.LinesCodeAndQuantity },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				so := e.ledger.only(t)
				l := e.lineFor(so, "KOFFIE")
				// The fake ledger priced it from the article file: 10.00 excl + 9%.
				if l.Description != "Koffie 1kg (SnelStart)" || !l.UnitPrice.Equal(d("10.90")) || !so.TotalIncl.Equal(d("10.90")) {
					t.Fatalf("line = %+v", l)
				}
			},
		},
		{
			name:   "lines = ledger_description: description from the SnelStart article, price from the shop",
			set:    func(p *config.Profile) { p.Orders.Lines = config.LinesLedgerDescription },
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "KOFFIE", name: "Koffie", qty: "1", price: "12.00", rate: "9"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				l := e.lineFor(e.ledger.only(t), "KOFFIE")
				if l.Description != "Koffie 1kg (SnelStart)" || !l.UnitPrice.Equal(d("12.00")) {
					t.Fatalf("line = %+v", l)
				}
			},
		},
		{
			name:   "recipes off: a composite is one line",
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "PAKKET", name: "Theepakket", qty: "3", price: "25.00", rate: "9"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); len(so.Lines) != 1 {
					t.Fatalf("lines = %+v", so.Lines)
				}
			},
		},
		{
			name:   "recipes on: component lines with quantity x component quantity and price 0",
			set:    func(p *config.Profile) { p.Orders.Recipes = true },
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "PAKKET", name: "Theepakket", qty: "3", price: "25.00", rate: "9"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				so := e.ledger.only(t)
				k, th := e.lineFor(so, "KOFFIE"), e.lineFor(so, "THEE")
				if len(so.Lines) != 3 || !k.Quantity.Equal(d("6")) || !th.Quantity.Equal(d("3")) || !k.UnitPrice.IsZero() || !so.TotalIncl.Equal(d("75")) {
					t.Fatalf("lines = %+v total %s", so.Lines, so.TotalIncl)
				}
			},
		},
		optionsCase(config.OptionsInLine, []string{"Koffie 1kg (Maling: grof, Zak: 1 kg)"}),
		optionsCase(config.OptionsSeparateLine, []string{"Koffie 1kg", "Maling: grof", "Zak: 1 kg"}),
		optionsCase(config.OptionsIgnore, []string{"Koffie 1kg"}),
		{
			name:   "shipping_article: shipping costs on their article",
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("PostNL", "4.95", "21", true)} })},
			check: func(t *testing.T, e *env, _ RunResult) {
				so := e.ledger.only(t)
				if l := e.lineFor(so, "VERZEND"); !l.UnitPrice.Equal(d("4.95")) || l.Description != "PostNL" || !so.TotalIncl.Equal(d("15.85")) {
					t.Fatalf("line = %+v, total %s", l, so.TotalIncl)
				}
			},
		},
		{
			name:   "shipping_article not set: an order with shipping costs fails",
			set:    func(p *config.Profile) { p.Orders.ShippingArticle = "" },
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{chg("PostNL", "4.95", "21", true)} })},
			check: func(t *testing.T, e *env, res RunResult) {
				mustStatus(t, res.Orders[0], StatusFailed)
				mustReason(t, res.Orders[0], "shipping_article", "PostNL", "4.95")
			},
		},
		{
			name:   "discount_article: a coupon as a negative line",
			orders: []sdk.Order{mkOrder("1", true, []ln{mug}, func(o *sdk.Order) { o.Discounts = []sdk.Charge{chg("WELKOM", "2.00", "21", true)} })},
			check: func(t *testing.T, e *env, _ RunResult) {
				so := e.ledger.only(t)
				if l := e.lineFor(so, "KORTING"); !l.UnitPrice.Equal(d("-2.00")) || !so.TotalIncl.Equal(d("10.10")) {
					t.Fatalf("line = %+v total %s", l, so.TotalIncl)
				}
			},
		},
		{
			name:   "payment_fee_article: a fee on its article",
			orders: []sdk.Order{mkOrder("1", true, []ln{mug}, func(o *sdk.Order) { o.Fees = []sdk.Charge{chg("Achteraf betalen", "1.50", "21", true)} })},
			check: func(t *testing.T, e *env, _ RunResult) {
				so := e.ledger.only(t)
				if l := e.lineFor(so, "BETAALKOSTEN"); !l.UnitPrice.Equal(d("1.50")) || !so.TotalIncl.Equal(d("13.60")) {
					t.Fatalf("line = %+v total %s", l, so.TotalIncl)
				}
			},
		},
		{
			name: "difference_article: a difference is booked on it so the totals match",
			set:  func(p *config.Profile) { p.Orders.DifferenceArticle = "VERSCHIL" },
			orders: []sdk.Order{func() sdk.Order {
				o := mkOrder("1", true, []ln{mug})
				o.Totals.Total = d("11.60") // a plug-in discount the API does not show
				return o
			}()},
			check: func(t *testing.T, e *env, res RunResult) {
				so := e.ledger.only(t)
				if l := e.lineFor(so, "VERSCHIL"); !l.UnitPrice.Equal(d("-0.50")) || !so.TotalIncl.Equal(d("11.60")) {
					t.Fatalf("line = %+v total %s", l, so.TotalIncl)
				}
				rec, _, _ := GetOrderRecord(t.Context(), e.store, "shop1", "1")
				if !rec.DifferenceBooked.Equal(d("-0.50")) {
					t.Fatalf("difference booked = %s", rec.DifferenceBooked)
				}
			},
		},
		{
			name: "difference_tolerance: a difference within it is left alone",
			set: func(p *config.Profile) {
				p.Orders.DifferenceTolerance = d("0.05")
				p.Orders.DifferenceArticle = "VERSCHIL"
			},
			orders: []sdk.Order{func() sdk.Order {
				o := mkOrder("1", true, []ln{mug})
				o.Totals.Total = o.Totals.Total.Add(d("0.03"))
				return o
			}()},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); e.hasLineFor(so, "VERSCHIL") || !so.TotalIncl.Equal(d("12.10")) {
					t.Fatalf("lines = %+v", so.Lines)
				}
			},
		},
		{
			name: "difference_tolerance: a larger difference without difference_article fails with both totals",
			set:  func(p *config.Profile) { p.Orders.DifferenceTolerance = d("0.05") },
			orders: []sdk.Order{func() sdk.Order {
				o := mkOrder("1", true, []ln{mug})
				o.Totals.Total = d("11.60")
				return o
			}()},
			check: func(t *testing.T, e *env, res RunResult) {
				mustStatus(t, res.Orders[0], StatusFailed)
				mustReason(t, res.Orders[0], "12.10", "11.60", "difference_article")
				if len(e.ledger.orders) != 0 {
					t.Fatal("an order was created")
				}
			},
		},
		{
			name:   "fallback_article: a product without a known code",
			set:    func(p *config.Profile) { p.Orders.FallbackArticle = "DIVERS"; p.Articles.Mode = config.ModeManual },
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "ONBEKEND", name: "Cadeaubon", qty: "1", price: "25.00", rate: "21"}})},
			check: func(t *testing.T, e *env, res RunResult) {
				l := e.lineFor(e.ledger.only(t), "DIVERS")
				if l.Description != "Cadeaubon" || !l.UnitPrice.Equal(d("25.00")) || len(res.Orders[0].Warnings) == 0 {
					t.Fatalf("line = %+v warnings %v", l, res.Orders[0].Warnings)
				}
			},
		},
		{
			name:   "fallback_article: a product without SKU",
			set:    func(p *config.Profile) { p.Orders.FallbackArticle = "DIVERS" },
			orders: []sdk.Order{mkOrder("1", true, []ln{{name: "Maatwerk", qty: "1", price: "30.00", rate: "21"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				if l := e.lineFor(e.ledger.only(t), "DIVERS"); l.Description != "Maatwerk" {
					t.Fatalf("line = %+v", l)
				}
			},
		},
		{
			name:   "cost_centre by number",
			set:    func(p *config.Profile) { p.Orders.CostCentre = "1" },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.CostCentreID != "kp-1" {
					t.Fatalf("cost centre = %q", so.CostCentreID)
				}
			},
		},
		{
			name:   "process_status",
			set:    func(p *config.Profile) { p.Orders.ProcessStatus = config.ProcessPakbon },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.ProcessStatus != "Pakbon" {
					t.Fatalf("process status = %q", so.ProcessStatus)
				}
			},
		},
		vatCheckCase(config.VATCheckFail, StatusFailed, 0),
		vatCheckCase(config.VATCheckWarn, StatusImported, 1),
		vatCheckCase(config.VATCheckOff, StatusImported, 1),
	})
}

func descriptionCase(v config.OrderDescription, want string) settingCase {
	return settingCase{
		name:   "description = " + string(v),
		set:    func(p *config.Profile) { p.Orders.Description = v },
		orders: []sdk.Order{plain("1")},
		check: func(t *testing.T, e *env, _ RunResult) {
			if so := e.ledger.only(t); so.Description != want {
				t.Fatalf("description = %q, want %q", so.Description, want)
			}
		},
	}
}

func optionsCase(v config.ProductOptions, want []string) settingCase {
	return settingCase{
		name: "product_options = " + string(v),
		set:  func(p *config.Profile) { p.Orders.ProductOptions = v },
		orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "KOFFIE", name: "Koffie 1kg", qty: "1", price: "10.90", rate: "9",
			opts: []sdk.Option{{Name: "Maling", Value: "grof"}, {Name: "Zak", Value: "1 kg"}}}})},
		check: func(t *testing.T, e *env, _ RunResult) {
			so := e.ledger.only(t)
			var got []string
			for _, l := range so.Lines {
				got = append(got, l.Description)
			}
			if strings.Join(got, "|") != strings.Join(want, "|") || !so.TotalIncl.Equal(d("10.90")) {
				t.Fatalf("line descriptions = %q, want %q (total %s)", got, want, so.TotalIncl)
			}
		},
	}
}

// vatCheckCase: the shop sells MOK (omzetgroep Hoog, 21%) at 9%.
func vatCheckCase(v config.VATCheck, want OutcomeStatus, orders int) settingCase {
	return settingCase{
		name:   "vat_check = " + string(v),
		set:    func(p *config.Profile) { p.Orders.VATCheck = v },
		orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "MOK", name: "Mok", qty: "1", price: "5.45", rate: "9"}})},
		check: func(t *testing.T, e *env, res RunResult) {
			mustStatus(t, res.Orders[0], want)
			if len(e.ledger.orders) != orders {
				t.Fatalf("ledger holds %d orders, want %d", len(e.ledger.orders), orders)
			}
			if v == config.VATCheckFail {
				mustReason(t, res.Orders[0], "line 1", "MOK", "9%", "Hoog", "21%")
			}
			if v == config.VATCheckWarn && !strings.Contains(strings.Join(res.Orders[0].Warnings, " "), "9%") {
				t.Fatalf("warnings = %v", res.Orders[0].Warnings)
			}
		},
	}
}

func TestArticlesSettings(t *testing.T) {
	newTea := ln{sku: "GROENETHEE", name: "Groene thee", qty: "2", price: "3.27", rate: "9"}
	runSettingCases(t, []settingCase{
		{
			name: "code_field = extra:<name>: the shop code is looked up in the extra field",
			set:  func(p *config.Profile) { p.Articles.CodeField = "extra:Webshopcode" },
			seed: func(e *env) {
				e.ledger.addArticle(sdk.Article{Code: "100234", Description: "Koffie (extra)", RevenueGroupID: "g-laag", ExtraFields: map[string]string{"Webshopcode": "WEB-KOFFIE"}})
			},
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "WEB-KOFFIE", name: "Koffie", qty: "1", price: "10.90", rate: "9"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				if l := e.lineFor(e.ledger.only(t), "100234"); !l.UnitPrice.Equal(d("10.90")) {
					t.Fatalf("line = %+v", l)
				}
			},
		},
		{
			name:   "revenue_group_by_vat: a new 9% article lands in the 9% group",
			orders: []sdk.Order{mkOrder("1", true, []ln{newTea})},
			check: func(t *testing.T, e *env, _ RunResult) {
				a := e.ledger.article("GROENETHEE")
				if a.RevenueGroupID != "g-laag" || a.Description != "Groene thee" || !e.hasLineFor(e.ledger.only(t), "GROENETHEE") {
					t.Fatalf("article = %+v", a)
				}
			},
		},
		{
			name:   "revenue_group: used for new articles when no rate mapping applies",
			set:    func(p *config.Profile) { p.Articles.RevenueGroupByVAT = nil; p.Articles.RevenueGroup = "Omzet laag" },
			orders: []sdk.Order{mkOrder("1", true, []ln{newTea})},
			check: func(t *testing.T, e *env, _ RunResult) {
				if a := e.ledger.article("GROENETHEE"); a.RevenueGroupID != "g-laag" {
					t.Fatalf("article = %+v", a)
				}
			},
		},
		{
			name:   "no revenue group: a new article cannot be made and the order fails naming the code",
			set:    func(p *config.Profile) { p.Articles.RevenueGroupByVAT = nil },
			orders: []sdk.Order{mkOrder("1", true, []ln{newTea})},
			check: func(t *testing.T, e *env, res RunResult) {
				mustStatus(t, res.Orders[0], StatusFailed)
				mustReason(t, res.Orders[0], "GROENETHEE", "revenue_group")
			},
		},
		{
			name:   "mode = add: an existing article is not changed",
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "KOFFIE", name: "Koffie nieuw", qty: "1", price: "13.08", rate: "9"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				if a := e.ledger.article("KOFFIE"); a.Description != "Koffie 1kg (SnelStart)" || !a.SalesPrice.Equal(d("10.00")) {
					t.Fatalf("article = %+v", a)
				}
			},
		},
		{
			name:   "mode = add_update: the description follows the shop; the price never follows an order line (a sale price, a coupon)",
			set:    func(p *config.Profile) { p.Articles.Mode = config.ModeAddUpdate },
			orders: []sdk.Order{mkOrder("1", true, []ln{{sku: "KOFFIE", name: "Koffie nieuw", qty: "1", price: "13.08", rate: "9"}})},
			check: func(t *testing.T, e *env, _ RunResult) {
				if a := e.ledger.article("KOFFIE"); a.Description != "Koffie nieuw" || !a.SalesPrice.Equal(d("10.00")) {
					t.Fatalf("article = %+v", a)
				}
			},
		},
		{
			name:   "mode = manual: a missing article fails the order without fallback",
			set:    func(p *config.Profile) { p.Articles.Mode = config.ModeManual },
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee, newTea})},
			check: func(t *testing.T, e *env, res RunResult) {
				mustStatus(t, res.Orders[0], StatusFailed)
				mustReason(t, res.Orders[0], "line 2", "GROENETHEE", "manual", "fallback_article")
				if e.ledger.article("GROENETHEE").ID != "" || len(e.ledger.orders) != 0 {
					t.Fatal("manual mode touched the article file or created the order")
				}
			},
		},
	})
}

func TestCustomersSettings(t *testing.T) {
	existing := func(e *env) {
		e.ledger.addRelatie(sdk.Relatie{Code: 501, Name: "Jan Jansen", Email: "info@bedrijf.nl;JAN@example.nl",
			Address: sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234AB", City: "Utrecht", Country: "NL"}})
	}
	runSettingCases(t, []settingCase{
		{
			name:   "mode = add: an unknown customer is created with name, addresses, phone and e-mail",
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, res RunResult) {
				r := e.ledger.relatie(e.ledger.only(t).CustomerID)
				if r.Name != "Jan Jansen" || r.Address.Postcode != "1234 AB" || r.Phone != "0612345678" || r.Email != "jan@example.nl" ||
					!r.Customer || r.EmailInvoices || r.PaymentTermDays != nil || res.Orders[0].CustomerCode != r.Code {
					t.Fatalf("relatie = %+v", r)
				}
			},
		},
		{
			name: "a company customer: company as name, the person as contact, a valid VAT number",
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) {
				o.Billing.Company, o.Customer.VATNumber = "Bakkerij De Korenschoof B.V.", "nl 1234.56.782 b01"
			})},
			check: func(t *testing.T, e *env, _ RunResult) {
				r := e.ledger.relatie(e.ledger.only(t).CustomerID)
				if r.Name != "Bakkerij De Korenschoof B.V." || r.Address.Contact != "Jan Jansen" || r.VATNumber != "NL123456782B01" {
					t.Fatalf("relatie = %+v", r)
				}
			},
		},
		{
			name: "an invalid VAT number is not stored, and long values are cut, never refused",
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) {
				o.Customer.VATNumber = "NL123"
				o.Billing.Company = strings.Repeat("Heel Lange Bedrijfsnaam ", 4)
				o.Billing.Street = strings.Repeat("Lange Straatnaam ", 4) + "12"
			})},
			check: func(t *testing.T, e *env, res RunResult) {
				r := e.ledger.relatie(e.ledger.only(t).CustomerID)
				if r.VATNumber != "" || len(r.Name) != 50 || len(r.Address.Street) > 50 || len(res.Orders[0].Warnings) < 3 {
					t.Fatalf("relatie = %+v, warnings %v", r, res.Orders[0].Warnings)
				}
			},
		},
		{
			name:   "payment_term",
			set:    func(p *config.Profile) { n := 14; p.Customers.PaymentTerm = &n },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if r := e.ledger.relatie(e.ledger.only(t).CustomerID); r.PaymentTermDays == nil || *r.PaymentTermDays != 14 {
					t.Fatalf("relatie = %+v", r)
				}
			},
		},
		{
			name:   "email_invoices",
			set:    func(p *config.Profile) { p.Customers.EmailInvoices = true },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if r := e.ledger.relatie(e.ledger.only(t).CustomerID); !r.EmailInvoices || r.EmailReminders || r.InvoiceEmail != "jan@example.nl" {
					t.Fatalf("relatie = %+v", r)
				}
			},
		},
		{
			name:   "email_reminders",
			set:    func(p *config.Profile) { p.Customers.EmailReminders = true },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if r := e.ledger.relatie(e.ledger.only(t).CustomerID); !r.EmailReminders || r.EmailInvoices || r.InvoiceEmail != "jan@example.nl" {
					t.Fatalf("relatie = %+v", r)
				}
			},
		},
		{
			name: "mode = add_update: a matched customer gets the shop's name, address, phone and e-mail",
			set:  func(p *config.Profile) { p.Customers.Mode = config.ModeAddUpdate },
			seed: func(e *env) {
				e.ledger.addRelatie(sdk.Relatie{Code: 501, Name: "J. Jansen", Email: "jan@example.nl", Phone: "010-1234567",
					Address: sdk.LedgerAddress{Street: "Oude weg 9", Postcode: "1234AB", City: "Utrecht", Country: "NL"}})
			},
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				r := e.ledger.relatie("rel-501")
				if len(e.ledger.relaties) != 1 || r.Name != "Jan Jansen" || r.Address.Street != "Dorpsstraat 1" || r.Phone != "0612345678" {
					t.Fatalf("relaties = %+v", e.ledger.relaties)
				}
			},
		},
		{
			name:   "mode = add: a matched customer is not changed",
			seed:   existing,
			orders: []sdk.Order{mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Billing.Street = "Nieuwe weg 3" })},
			check: func(t *testing.T, e *env, _ RunResult) {
				if r := e.ledger.relatie("rel-501"); len(e.ledger.relaties) != 1 || r.Address.Street != "Dorpsstraat 1" {
					t.Fatalf("relaties = %+v", e.ledger.relaties)
				}
			},
		},
		{
			name:   "mode = manual without fixed_customer: an unmatched order fails clearly",
			set:    func(p *config.Profile) { p.Customers.Mode = config.ModeManual },
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, res RunResult) {
				mustStatus(t, res.Orders[0], StatusFailed)
				mustReason(t, res.Orders[0], "manual", "jan@example.nl", "fixed_customer")
				if len(e.ledger.relaties) != 0 {
					t.Fatal("manual mode created a customer")
				}
			},
		},
		{
			name:   "mode = manual: a matched customer is used",
			set:    func(p *config.Profile) { p.Customers.Mode = config.ModeManual },
			seed:   existing,
			orders: []sdk.Order{plain("1")},
			check: func(t *testing.T, e *env, _ RunResult) {
				if so := e.ledger.only(t); so.CustomerID != "rel-501" || len(e.ledger.relaties) != 1 {
					t.Fatalf("customer = %q", so.CustomerID)
				}
			},
		},
		{
			name: "fixed_customer: every order on one relatiecode",
			set:  func(p *config.Profile) { p.Customers.Mode = config.ModeManual; p.Customers.FixedCustomer = 900 },
			seed: func(e *env) { e.ledger.addRelatie(sdk.Relatie{Code: 900, Name: "Webshop klanten"}) },
			orders: []sdk.Order{plain("1"), mkOrder("2", true, []ln{coffee}, func(o *sdk.Order) {
				o.Customer = sdk.Customer{ID: "c2", Email: "piet@example.nl"}
			})},
			check: func(t *testing.T, e *env, res RunResult) {
				for _, so := range e.ledger.orders {
					if so.CustomerID != "rel-900" {
						t.Fatalf("order on %q", so.CustomerID)
					}
				}
				if len(e.ledger.orders) != 2 || res.CallsByMethod["FindRelaties"] != 1 {
					t.Fatalf("orders %d, calls %v", len(e.ledger.orders), res.CallsByMethod)
				}
			},
		},
	})
}

// TestCustomerMatch covers every customers.match strategy with the same ledger: relatie 501
// has code 501, e-mail "info@bedrijf.nl;JAN@example.nl" and postcode 1234AB; relatie 502 has
// e-mail piet@example.nl at 9999ZZ and 503 is company "Bakkerij Bol" at 1234AB.
func TestCustomerMatch(t *testing.T) {
	seed := func(e *env) {
		e.ledger.addRelatie(sdk.Relatie{Code: 501, Name: "Jan Jansen", Email: "info@bedrijf.nl;JAN@example.nl",
			Address: sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234AB", City: "Utrecht", Country: "NL"}})
		e.ledger.addRelatie(sdk.Relatie{Code: 502, Name: "Piet", Email: "piet@example.nl",
			Address: sdk.LedgerAddress{Street: "Weg 1", Postcode: "9999ZZ", City: "Elders", Country: "NL"}})
		e.ledger.addRelatie(sdk.Relatie{Code: 503, Name: "Bakkerij Bol",
			Address: sdk.LedgerAddress{Street: "Markt 1", Postcode: "1234AB", City: "Utrecht", Country: "NL"}})
	}
	type order struct {
		code, email, postcode, company string
	}
	mk := func(o order) sdk.Order {
		return mkOrder("1", true, []ln{coffee}, func(so *sdk.Order) {
			so.Customer.ID = "" // a guest: nothing remembered yet
			so.Customer.Code, so.Customer.Email, so.Billing.Email = o.code, o.email, o.email
			so.Billing.Postcode, so.Billing.Company = o.postcode, o.company
		})
	}
	cases := []struct {
		match config.CustomerMatch
		o     order
		want  string // relatie id, or "new"
	}{
		{config.MatchCode, order{code: "501", email: "x@y.nl", postcode: "1111AA"}, "rel-501"},
		{config.MatchCode, order{email: "jan@example.nl", postcode: "1234 ab"}, "new"},
		{config.MatchEmail, order{email: "Jan@Example.NL", postcode: "1111AA"}, "rel-501"},
		{config.MatchEmail, order{code: "501", email: "x@y.nl"}, "new"},
		{config.MatchCodeOrEmail, order{code: "777", email: "piet@example.nl"}, "rel-502"},
		{config.MatchCodeOrEmail, order{code: "501", email: "piet@example.nl"}, "rel-501"},
		{config.MatchEmailPostcode, order{email: "jan@example.nl", postcode: "1234 ab"}, "rel-501"},
		{config.MatchEmailPostcode, order{email: "jan@example.nl", postcode: "1111AA"}, "new"},
		{config.MatchCodeOrEmailPostcode, order{code: "502", email: "jan@example.nl", postcode: "1111AA"}, "rel-502"},
		{config.MatchCodeOrEmailPostcode, order{email: "jan@example.nl", postcode: "1111AA"}, "new"},
		{config.MatchSmart, order{code: "502", email: "jan@example.nl", postcode: "1234AB"}, "rel-502"},
		{config.MatchSmart, order{email: "jan@example.nl", postcode: "1234AB"}, "rel-501"},
		{config.MatchSmart, order{email: "jan@example.nl", postcode: "5555XX"}, "rel-501"}, // e-mail alone, only one has it
		{config.MatchSmart, order{email: "nieuw@example.nl", postcode: "1234 AB", company: "bakkerij bol"}, "rel-503"},
		{config.MatchSmart, order{email: "nieuw@example.nl", postcode: "5555XX", company: "Bakkerij Bol"}, "new"},
	}
	for _, c := range cases {
		t.Run(string(c.match)+"/"+c.o.code+"/"+c.o.email+"/"+c.o.postcode+"/"+c.o.company, func(t *testing.T) {
			e := newEnv(t, func(p *config.Profile) { p.Customers.Match = c.match })
			seed(e)
			mustStatus(t, e.one(mk(c.o)), StatusImported)
			got := e.ledger.only(t).CustomerID
			if c.want == "new" {
				if len(e.ledger.relaties) != 4 {
					t.Fatalf("booked on %s, want a new customer", got)
				}
				return
			}
			if got != c.want {
				t.Fatalf("booked on %s, want %s", got, c.want)
			}
		})
	}
}

// TestSmartEmailAloneNeedsOneCustomer: with two customers sharing the e-mail and neither at the
// delivery postcode, smart does not guess: it creates a new customer.
func TestSmartEmailAloneNeedsOneCustomer(t *testing.T) {
	e := newEnv(t)
	for _, pc := range []string{"1111AA", "2222BB"} {
		e.ledger.addRelatie(sdk.Relatie{Name: "Jan", Email: "jan@example.nl", Address: sdk.LedgerAddress{Street: "X 1", Postcode: pc, City: "Y", Country: "NL"}})
	}
	mustStatus(t, e.one(plain("1")), StatusImported)
	if len(e.ledger.relaties) != 3 {
		t.Fatalf("relaties = %d, want a third (new) one", len(e.ledger.relaties))
	}
}

// TestCustomerRemembered: a customer matched once costs no search on later orders, also across
// runs, and guests are remembered by e-mail and postcode without storing them.
func TestCustomerRemembered(t *testing.T) {
	e := newEnv(t)
	e.shop.put(plain("1"))
	first := e.run()
	e.shop.put(mkOrder("2", true, []ln{coffee}, func(o *sdk.Order) { o.ModifiedAt = day.Add(time.Minute) }))
	second := e.run()
	if first.CallsByMethod["FindRelaties"] != 1 || second.CallsByMethod["FindRelaties"] != 0 || second.CallsByMethod["CreateRelatie"] != 0 {
		t.Fatalf("calls: first %v, second %v", first.CallsByMethod, second.CallsByMethod)
	}
	if e.ledger.orders[0].CustomerID != e.ledger.orders[1].CustomerID {
		t.Fatal("the second order went to another customer")
	}
	// Guests
	g := newEnv(t)
	guest := func(id string, at time.Time) sdk.Order {
		return mkOrder(id, true, []ln{coffee}, func(o *sdk.Order) { o.Customer.ID = ""; o.ModifiedAt = at })
	}
	g.shop.put(guest("1", day))
	g.run()
	g.shop.put(guest("2", day.Add(time.Minute)))
	if res := g.run(); res.CallsByMethod["FindRelaties"] != 0 || len(g.ledger.relaties) != 1 {
		t.Fatalf("guest calls %v, relaties %d", res.CallsByMethod, len(g.ledger.relaties))
	}
	dump := ""
	_ = ListOrderRecords(t.Context(), g.store, "shop1", func(r OrderRecord) error { dump += strings.ToLower(toJSON(r)); return nil })
	if strings.Contains(dump, "jan") || strings.Contains(dump, "dorpsstraat") {
		t.Fatalf("order records hold personal data: %s", dump)
	}
}
