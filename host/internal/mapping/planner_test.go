package mapping

import (
	"context"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
)

// planCase is one row of the orders, articles and customers settings (docs/profiles.md): a
// profile change, the view's contents, an order, and what the plan must say.
type planCase struct {
	name  string
	set   func(p *config.Profile)
	seed  func(v *memView)
	order sdk.Order
	check func(t *testing.T, pl *Plan)
}

func runPlanCases(t *testing.T, cases []planCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prof := testProfile()
			if c.set != nil {
				c.set(prof)
			}
			v := newMemView()
			if c.seed != nil {
				c.seed(v)
			}
			ref, err := ResolveReference(prof, testReferenceData())
			if err != nil {
				t.Fatalf("ResolveReference: %v", err)
			}
			pl, err := NewPlanner(prof, ref, v).Plan(context.Background(), c.order)
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if len(pl.Lines) != len(pl.SalesOrder.Lines) {
				t.Fatalf("%d line descriptions for %d lines", len(pl.Lines), len(pl.SalesOrder.Lines))
			}
			c.check(t, pl)
		})
	}
}

func mustAction(t *testing.T, pl *Plan, want Action, problem ...string) {
	t.Helper()
	if pl.Action != want {
		t.Fatalf("action = %s (problems %q), want %s", pl.Action, pl.Problems, want)
	}
	for _, p := range problem {
		if !strings.Contains(pl.Reason(), p) {
			t.Fatalf("problem %q does not say %q", pl.Reason(), p)
		}
	}
}

// lineOn returns the plan's line on article code.
func lineOn(t *testing.T, pl *Plan, code string) (Line, sdk.SalesOrderLine) {
	t.Helper()
	for i, l := range pl.Lines {
		if l.ArticleCode == code {
			return l, pl.SalesOrder.Lines[i]
		}
	}
	t.Fatalf("no line on article %s in %+v", code, pl.Lines)
	return Line{}, sdk.SalesOrderLine{}
}

func TestPlanOrdersSettings(t *testing.T) {
	withShipping := func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{charge("PostNL", "6.95", "21")} }
	runPlanCases(t, []planCase{
		{
			name: "a known customer and known articles: existing relatie, lines at the shop's prices, totals to the cent", order: mkOrder("1", true, []ln{coffee, mug}, withShipping),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				if c := pl.Customer; c.Action != CustomerExisting || c.Code != 1001 || c.MatchedBy != "email" || !c.Remember {
					t.Fatalf("customer = %+v, want existing 1001 matched by e-mail", c)
				}
				if _, l := lineOn(t, pl, "MOK"); !l.UnitPrice.Equal(d("6.05")) || !l.Quantity.Equal(d("2")) {
					t.Fatalf("mug line = %+v", l)
				}
				tot := pl.Totals
				if !tot.Predicted || !tot.Ledger.Equal(d("29.95")) || !tot.Shop.Equal(d("29.95")) || !tot.Difference.IsZero() {
					t.Fatalf("totals = %+v, want 29.95 both", tot)
				}
				if len(tot.ByRate) != 2 || !tot.ByRate[0].Rate.Equal(d("21")) || !tot.ByRate[0].Incl.Equal(d("19.05")) || !tot.ByRate[1].Incl.Equal(d("10.90")) {
					t.Fatalf("by rate = %+v, want 21%%: 19.05, 9%%: 10.90", tot.ByRate)
				}
				if l, _ := lineOn(t, pl, "KOFFIE"); l.VATClass != sdk.VATLow || !l.VATRate.Equal(d("9")) {
					t.Fatalf("coffee line VAT = %s %v", l.VATClass, l.VATRate)
				}
			},
		},
		{
			name:  "payment_reference and reference_prefix: stamped on both references",
			set:   func(p *config.Profile) { p.Orders.PaymentReference, p.Orders.ReferencePrefix = true, "WS" },
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				if pl.Reference != "WS101" || pl.SalesOrder.OrderReference != "WS101" || pl.SalesOrder.PaymentReference != "WS101" {
					t.Fatalf("references %q %q %q", pl.Reference, pl.SalesOrder.OrderReference, pl.SalesOrder.PaymentReference)
				}
			},
		},
		{
			name: "description auto: status, payment and paid", set: func(p *config.Profile) { p.Orders.Description = config.DescriptionAuto },
			order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Payment = sdk.Payment{Title: "iDEAL", Paid: true} }),
			check: func(t *testing.T, pl *Plan) {
				if pl.SalesOrder.Description != "processing - iDEAL - betaald" {
					t.Fatalf("description %q", pl.SalesOrder.Description)
				}
			},
		},
		{
			name: "lines code_and_quantity: no prices sent, totals not predicted", set: func(p *config.Profile) { p.Orders.Lines = config.LinesCodeAndQuantity },
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				if _, l := lineOn(t, pl, "KOFFIE"); l.UnitPrice != nil || l.Description != "" {
					t.Fatalf("line %+v, want code and quantity only", l)
				}
				if pl.Totals.Predicted {
					t.Fatalf("totals predicted with prices left to SnelStart")
				}
			},
		},
		{
			name: "lines ledger_description: SnelStart's description", set: func(p *config.Profile) { p.Orders.Lines = config.LinesLedgerDescription },
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				if _, l := lineOn(t, pl, "KOFFIE"); l.Description != "Koffie 1kg (SnelStart)" {
					t.Fatalf("description %q", l.Description)
				}
			},
		},
		{
			name:  "product_options separate_line: a text line per option",
			set:   func(p *config.Profile) { p.Orders.ProductOptions = config.OptionsSeparateLine },
			order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Lines[0].Options = []sdk.Option{{Name: "Maling", Value: "grof"}} }),
			check: func(t *testing.T, pl *Plan) {
				if len(pl.Lines) != 2 || pl.Lines[1].Kind != LineText || pl.SalesOrder.Lines[1].Description != "Maling: grof" || pl.Lines[1].Article != -1 {
					t.Fatalf("lines %+v", pl.Lines)
				}
			},
		},
		{
			name: "shipping_article: the charge on its article", order: mkOrder("1", true, []ln{coffee}, withShipping),
			check: func(t *testing.T, pl *Plan) {
				l, sl := lineOn(t, pl, "VERZEND")
				if l.Kind != LineCharge || !sl.UnitPrice.Equal(d("6.95")) || pl.Articles[l.Article].Setting != "shipping_article" {
					t.Fatalf("shipping line %+v %+v", l, sl)
				}
			},
		},
		{
			name: "shipping without shipping_article: fails naming the setting", set: func(p *config.Profile) { p.Orders.ShippingArticle = "" },
			order: mkOrder("1", true, []ln{coffee}, withShipping),
			check: func(t *testing.T, pl *Plan) { mustAction(t, pl, ActionFail, "orders.shipping_article is not set") },
		},
		{
			name: "difference_tolerance: a cent off is accepted", set: func(p *config.Profile) { p.Orders.DifferenceTolerance = d("0.01") },
			order: func() sdk.Order { o := mkOrder("1", true, []ln{coffee}); o.Totals.Total = d("10.91"); return o }(),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				if !pl.Totals.Difference.IsZero() || !pl.Totals.Ledger.Equal(d("10.90")) {
					t.Fatalf("totals %+v", pl.Totals)
				}
			},
		},
		{
			name:  "no difference_article: totals that differ fail with both figures",
			order: func() sdk.Order { o := mkOrder("1", true, []ln{coffee}); o.Totals.Total = d("11.00"); return o }(),
			check: func(t *testing.T, pl *Plan) { mustAction(t, pl, ActionFail, "10.90", "11.00") },
		},
		{
			name: "difference_article: the difference becomes a line", set: func(p *config.Profile) { p.Orders.DifferenceArticle = "VERSCHIL" },
			order: func() sdk.Order { o := mkOrder("1", true, []ln{coffee}); o.Totals.Total = d("11.00"); return o }(),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				l, sl := lineOn(t, pl, "VERSCHIL")
				if l.Kind != LineDifference || !sl.UnitPrice.Equal(d("0.10")) || !pl.Totals.Difference.Equal(d("0.10")) || !pl.Totals.Ledger.Equal(d("11.00")) {
					t.Fatalf("difference %+v %+v totals %+v", l, sl, pl.Totals)
				}
			},
		},
		{
			name: "fallback_article: an unknown product in manual mode", set: func(p *config.Profile) {
				p.Articles.Mode, p.Orders.FallbackArticle = config.ModeManual, "DIVERS"
			},
			order: mkOrder("1", true, []ln{{"NIEUW", "Nieuw", "1", "12.10", "21"}}),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				l, sl := lineOn(t, pl, "DIVERS")
				if !l.Fallback || sl.Description != "Nieuw" || len(pl.Warnings) == 0 {
					t.Fatalf("fallback line %+v %+v warnings %q", l, sl, pl.Warnings)
				}
			},
		},
		{
			name: "template and cost_centre: resolved to their ids", set: func(p *config.Profile) { p.Orders.Template, p.Orders.CostCentre = "Webshop", "1" },
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				if pl.SalesOrder.TemplateID != "tpl-web" || pl.SalesOrder.CostCentreID != "kp-1" {
					t.Fatalf("template %q cost centre %q", pl.SalesOrder.TemplateID, pl.SalesOrder.CostCentreID)
				}
			},
		},
		{
			name: "reuse_last_template: the customer's last template", set: func(p *config.Profile) { p.Orders.ReuseLastTemplate = true },
			seed:  func(v *memView) { v.templates["rel-1001"] = "tpl-en" },
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				if pl.SalesOrder.TemplateID != "tpl-en" {
					t.Fatalf("template %q", pl.SalesOrder.TemplateID)
				}
			},
		},
		{
			name:  "vat_check fail: a 21% line on a 9% article fails",
			order: mkOrder("1", true, []ln{{"KOFFIE", "Koffie", "1", "12.10", "21"}}),
			check: func(t *testing.T, pl *Plan) { mustAction(t, pl, ActionFail, "VAT mismatch", "21%") },
		},
		{
			name: "vat_check warn: the same line is booked with a warning", set: func(p *config.Profile) { p.Orders.VATCheck = config.VATCheckWarn },
			order: mkOrder("1", true, []ln{{"KOFFIE", "Koffie", "1", "12.10", "21"}}),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				if len(pl.Warnings) == 0 || !strings.Contains(strings.Join(pl.Warnings, " "), "21%") {
					t.Fatalf("warnings %q", pl.Warnings)
				}
			},
		},
		{
			name:  "prices excluding VAT: entered excluding VAT, totals per rate",
			order: mkOrder("1", false, []ln{{"MOK", "Mok", "3", "5.00", "21"}}),
			check: func(t *testing.T, pl *Plan) {
				if pl.SalesOrder.PricesIncludeVAT || !pl.Totals.Ledger.Equal(d("18.15")) || !pl.Totals.ByRate[0].VAT.Equal(d("3.15")) {
					t.Fatalf("incl %v totals %+v", pl.SalesOrder.PricesIncludeVAT, pl.Totals)
				}
			},
		},
	})
}

func TestPlanArticlesSettings(t *testing.T) {
	newProduct := ln{"NIEUW", "Nieuwe mok", "2", "12.10", "21"}
	runPlanCases(t, []planCase{
		{
			name: "mode add: an unknown product is created in the omzetgroep of its rate", order: mkOrder("1", true, []ln{newProduct}),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				l, sl := lineOn(t, pl, "NIEUW")
				a := pl.Articles[l.Article]
				if a.Action != ArticleCreate || a.Create.RevenueGroupID != "g-hoog" || !a.Create.SalesPrice.Equal(d("10")) || sl.ArticleID != "" {
					t.Fatalf("decision %+v line %+v", a, sl)
				}
				if so := pl.Bind("rel-x", []string{"art-new"}); so.Lines[0].ArticleID != "art-new" || so.CustomerID != "rel-x" {
					t.Fatalf("bound %+v", so)
				}
			},
		},
		{
			name: "the same new product twice: one create", order: mkOrder("1", true, []ln{newProduct, newProduct}),
			check: func(t *testing.T, pl *Plan) {
				if len(pl.Articles) != 1 || pl.Lines[0].Article != 0 || pl.Lines[1].Article != 0 {
					t.Fatalf("articles %+v lines %+v", pl.Articles, pl.Lines)
				}
			},
		},
		{
			name: "mode manual without fallback: fails naming the product", set: func(p *config.Profile) { p.Articles.Mode = config.ModeManual },
			order: mkOrder("1", true, []ln{newProduct}),
			check: func(t *testing.T, pl *Plan) { mustAction(t, pl, ActionFail, `code "NIEUW"`, "manual") },
		},
		{
			name: "no omzetgroep for the rate: fails", set: func(p *config.Profile) { p.Articles.RevenueGroupByVAT = nil },
			order: mkOrder("1", true, []ln{newProduct}),
			check: func(t *testing.T, pl *Plan) { mustAction(t, pl, ActionFail, "revenue_group") },
		},
		{
			name: "revenue_group: used when no rate mapping applies", set: func(p *config.Profile) {
				p.Articles.RevenueGroupByVAT, p.Articles.RevenueGroup = nil, "Omzet hoog"
			},
			order: mkOrder("1", true, []ln{newProduct}),
			check: func(t *testing.T, pl *Plan) {
				if a := pl.Articles[0]; a.Action != ArticleCreate || a.Create.RevenueGroupID != "g-hoog" {
					t.Fatalf("decision %+v", a)
				}
			},
		},
		{
			name: "mode add_update: a changed name updates the article, never its price", set: func(p *config.Profile) { p.Articles.Mode = config.ModeAddUpdate },
			order: mkOrder("1", true, []ln{{"MOK", "Mok groot", "1", "7.26", "21"}}),
			check: func(t *testing.T, pl *Plan) {
				l, sl := lineOn(t, pl, "MOK")
				if a := pl.Articles[l.Article]; a.Action != ArticleUpdate || a.Article.Description != "Mok groot" || !a.Article.SalesPrice.Equal(d("5")) || sl.ArticleID == "" {
					t.Fatalf("decision %+v", a)
				}
			},
		},
		{
			name: "code_field extra: looked up and created by the extra field", set: func(p *config.Profile) { p.Articles.CodeField = "extra:webshopcode" },
			seed:  func(v *memView) { v.articles[4].ExtraFields = map[string]string{"webshopcode": "K-1"} },
			order: mkOrder("1", true, []ln{{"K-1", "Koffie", "1", "10.90", "9"}, newProduct}),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionCreate)
				if a := pl.Articles[0]; a.Action != ArticleFound || a.Article.Code != "KOFFIE" || a.Lookup.MapKey() != "extra:webshopcode:K-1" {
					t.Fatalf("found %+v", a)
				}
				if a := pl.Articles[1]; a.Action != ArticleCreate || a.Create.ExtraFields["webshopcode"] != "NIEUW" {
					t.Fatalf("create %+v", a)
				}
			},
		},
		{
			name: "an inactive article is not used", order: mkOrder("1", true, []ln{{"OUD", "Oud", "1", "12.10", "21"}}),
			check: func(t *testing.T, pl *Plan) {
				if a := pl.Articles[0]; a.Action != ArticleCreate {
					t.Fatalf("decision %+v, want a create (the inactive one is not used)", a)
				}
			},
		},
	})
}

func TestPlanCustomersSettings(t *testing.T) {
	stranger := func(o *sdk.Order) {
		o.Customer.Email, o.Billing.Email = "nieuw@example.nl", "nieuw@example.nl"
		o.Billing.FirstName, o.Billing.LastName = "Nina", "Nieuw"
	}
	runPlanCases(t, []planCase{
		{
			name: "mode add: an unknown customer is created with the shop's data", order: mkOrder("1", true, []ln{coffee}, stranger),
			check: func(t *testing.T, pl *Plan) {
				c := pl.Customer
				if c.Action != CustomerCreate || c.Relatie == nil || c.Relatie.Name != "Nina Nieuw" || c.Relatie.Address.Postcode != "1234 AB" || c.Relatie.Email != "nieuw@example.nl" {
					t.Fatalf("customer %+v", c)
				}
				if pl.SalesOrder.CustomerID != "" {
					t.Fatalf("customer id %q before the create", pl.SalesOrder.CustomerID)
				}
			},
		},
		{
			name: "mode manual: an unknown customer fails the order", set: func(p *config.Profile) { p.Customers.Mode = config.ModeManual },
			order: mkOrder("1", true, []ln{coffee}, stranger),
			check: func(t *testing.T, pl *Plan) {
				mustAction(t, pl, ActionFail, "manual")
				if pl.Customer.Action != CustomerFail {
					t.Fatalf("customer %+v", pl.Customer)
				}
			},
		},
		{
			name: "fixed_customer: every order on that relatie", set: func(p *config.Profile) {
				p.Customers.Mode, p.Customers.FixedCustomer = config.ModeManual, 1002
			},
			order: mkOrder("1", true, []ln{coffee}, stranger),
			check: func(t *testing.T, pl *Plan) {
				if c := pl.Customer; c.Action != CustomerExisting || c.Code != 1002 || c.MatchedBy != "fixed" {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "match code: the shop's customer code is the relatiecode", set: func(p *config.Profile) { p.Customers.Match = config.MatchCode },
			order: mkOrder("1", true, []ln{coffee}, stranger, func(o *sdk.Order) { o.Customer.Code = "1002" }),
			check: func(t *testing.T, pl *Plan) {
				if c := pl.Customer; c.Action != CustomerExisting || c.Code != 1002 || c.MatchedBy != "code" {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "match email_postcode: e-mail with another postcode is a new customer", set: func(p *config.Profile) { p.Customers.Match = config.MatchEmailPostcode },
			order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Billing.Postcode = "9999 ZZ" }),
			check: func(t *testing.T, pl *Plan) {
				if c := pl.Customer; c.Action != CustomerCreate {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "an inactive relatie is never matched", order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Customer.Email, o.Billing.Email = "oud@example.nl", "oud@example.nl" }),
			check: func(t *testing.T, pl *Plan) {
				if c := pl.Customer; c.Action != CustomerCreate {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "mode add_update: a matched relatie with another address is updated", set: func(p *config.Profile) { p.Customers.Mode = config.ModeAddUpdate },
			order: mkOrder("1", true, []ln{coffee}, func(o *sdk.Order) { o.Billing.Street = "Kerkstraat 9" }),
			check: func(t *testing.T, pl *Plan) {
				c := pl.Customer
				if c.Action != CustomerUpdate || c.ID != "rel-1001" || c.Relatie.Address.Street != "Kerkstraat 9" || c.DataHash == "" {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "remembered customer: no look-up", seed: func(v *memView) {
				v.mapped["id:c1"] = MappedCustomer{ID: "rel-1002", Code: 1002, MatchedBy: "email"}
			},
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				if c := pl.Customer; c.Action != CustomerExisting || c.Code != 1002 || !c.Remembered || c.Remember {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "a lost create: the relatie it made is adopted", seed: func(v *memView) {
				v.pending["id:c1"] = PendingCustomer{Name: "Bakkerij De Korrel", Email: "inkoop@korrel.nl", Postcode: "5678CD", Attempts: 1}
			},
			order: mkOrder("1", true, []ln{coffee}),
			check: func(t *testing.T, pl *Plan) {
				if c := pl.Customer; c.Action != CustomerExisting || c.Code != 1002 || c.MatchedBy != "adopted" || !c.HadIntent {
					t.Fatalf("customer %+v", c)
				}
			},
		},
		{
			name: "payment_term and e-mail invoices on a new relatie", set: func(p *config.Profile) {
				term := 14
				p.Customers.PaymentTerm, p.Customers.EmailInvoices = &term, true
			},
			order: mkOrder("1", true, []ln{coffee}, stranger),
			check: func(t *testing.T, pl *Plan) {
				r := pl.Customer.Relatie
				if r == nil || r.PaymentTermDays == nil || *r.PaymentTermDays != 14 || !r.EmailInvoices || r.InvoiceEmail != "nieuw@example.nl" {
					t.Fatalf("relatie %+v", r)
				}
			},
		},
		{
			name: "a country SnelStart lacks fails the order", order: mkOrder("1", true, []ln{coffee}, stranger, func(o *sdk.Order) { o.Billing.Country = "FR" }),
			check: func(t *testing.T, pl *Plan) { mustAction(t, pl, ActionFail, `"FR"`) },
		},
	})
}

// TestPlanConfigError: a setting naming something the administration lacks is an error, not a
// problem of one order.
func TestPlanConfigError(t *testing.T) {
	prof := testProfile()
	prof.Orders.Template = "Bestaat niet"
	if _, err := ResolveReference(prof, testReferenceData()); err == nil || !strings.Contains(err.Error(), "orders.template") {
		t.Fatalf("err = %v", err)
	}
	prof = testProfile()
	prof.Customers.Mode, prof.Customers.FixedCustomer = config.ModeManual, 4242
	ref, _ := ResolveReference(prof, testReferenceData())
	_, err := NewPlanner(prof, ref, newMemView()).Plan(context.Background(), mkOrder("1", true, []ln{coffee}))
	var ce *ConfigError
	if err == nil || !strings.Contains(err.Error(), "4242") || !asConfig(err, &ce) {
		t.Fatalf("err = %v, want a ConfigError naming 4242", err)
	}
}
