package mapping

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// invoiceLedgers are the grootboeken of the invoice tests: the groups' ledgers, the ICP,
// export and OSS ledgers by function, one more 21 % ledger, and an inactive and a balance one.
var invoiceLedgers = []sdk.LedgerAccount{
	{ID: "gb-8000", Number: 8000, Description: "Omzet hoog", Function: "VerkopenOmzetHoog", ProfitAndLoss: true},
	{ID: "gb-8010", Number: 8010, Description: "Omzet laag", Function: "VerkopenOmzetLaag", ProfitAndLoss: true},
	{ID: "gb-8020", Number: 8020, Description: "Omzet onbelast", Function: "VerkopenBtwVrij", ProfitAndLoss: true},
	{ID: "gb-8030", Number: 8030, Description: "Omzet boeken", Function: "VerkopenOmzetHoog", ProfitAndLoss: true},
	{ID: "gb-8050", Number: 8050, Description: "Omzet webshop hoog", Function: "VerkopenOmzetHoog", ProfitAndLoss: true},
	{ID: "gb-8100", Number: 8100, Description: "Omzet ICP", Function: sdk.LedgerFunctionICP, ProfitAndLoss: true},
	{ID: "gb-8110", Number: 8110, Description: "Omzet export", Function: sdk.LedgerFunctionExport, ProfitAndLoss: true},
	{ID: "gb-8120", Number: 8120, Description: "Omzet export oud", Function: sdk.LedgerFunctionExport, ProfitAndLoss: true, Inactive: true},
	{ID: "gb-8200", Number: 8200, Description: "Omzet OSS", Function: sdk.LedgerFunctionOSS, ProfitAndLoss: true},
	{ID: "gb-8300", Number: 8300, Description: "Omzet diversen", ProfitAndLoss: true},
	{ID: "gb-1300", Number: 1300, Description: "Debiteuren"},
}

// planCrossInvoice plans o in invoice mode with OSS on, the foreign rates, the grootboeken and
// set applied to the profile. ledgers=false leaves the ledger accounts out.
func planCrossInvoice(t *testing.T, o sdk.Order, ledgers bool, set func(*config.Profile)) (*Plan, error) {
	t.Helper()
	prof := testProfile()
	prof.Orders.BookAs = config.BookAsInvoice
	if set != nil {
		set(prof)
	}
	rd := testReferenceData()
	rd.Company.ForeignVAT = true
	from := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
	rd.ForeignVATRates = []sdk.ForeignVATRate{
		{Country: "DE", Class: sdk.VATHigh, RateCode: "SR", Percentage: d("19"), From: from},
		{Country: "DE", Class: sdk.VATLow, RateCode: "RRL", Percentage: d("7"), From: from},
	}
	rd.Countries = append(rd.Countries, sdk.Country{ID: "land-de", Code: "DE"}, sdk.Country{ID: "land-us", Code: "US"})
	for i, gb := range []string{"gb-8000", "gb-8010", "gb-8020"} {
		rd.RevenueGroups[i].LedgerAccountID = gb
	}
	if ledgers {
		rd.LedgerAccounts = invoiceLedgers
	}
	ref, err := ResolveReference(prof, rd)
	if err != nil {
		return nil, err
	}
	pl, err := NewPlanner(prof, ref, newMemView()).Plan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return pl, nil
}

// TestPlanInvoiceCrossBorder: OSS, ICP and export orders are booked as invoices exact to the
// cent, on the ledger orders.ledger_by_vat names or else the one with the scheme's
// grootboekfunctie; ICP and export at 0 % (btw-soort Geen, no VAT line), OSS at the
// destination's rate; and ledger_by_vat overrides the groups' ledgers per rate.
func TestPlanInvoiceCrossBorder(t *testing.T) {
	deMug := ln{"MOK", "Mok", "2", "5.95", "19"}
	deCoffee := ln{"KOFFIE", "Koffie", "1", "10.70", "7"}
	for _, c := range []struct {
		name    string
		order   sdk.Order
		set     func(*config.Profile)
		ledgers bool
		scheme  VATScheme
		lines   map[string]string // ledger → turnover excl. VAT
		vat     map[sdk.VATClass]string
		problem []string
	}{
		{name: "ICP: a German business, no VAT: 0 % on the ICP ledger by function", ledgers: true,
			order:  mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE123456789")),
			scheme: SchemeICP, lines: map[string]string{"gb-8100": "10.00"}},
		{name: "export: the United States at 0 % on the active export ledger", ledgers: true,
			order:  mkOrder("2", true, []ln{{"MOK", "Mok", "3", "5.00", "0"}, {"KOFFIE", "Koffie", "1", "10.00", "0"}}, abroad("US", "")),
			scheme: SchemeExport, lines: map[string]string{"gb-8110": "25.00"}},
		{name: "OSS: a German consumer at 19 % and 7 %, on the OSS ledger, VAT per class", ledgers: true,
			order:  mkOrder("3", true, []ln{deMug, deCoffee}, abroad("DE", "")),
			scheme: SchemeOSS, lines: map[string]string{"gb-8200": "20.00"}, vat: map[sdk.VATClass]string{sdk.VATHigh: "1.90", sdk.VATLow: "0.70"}},
		{name: "ledger_by_vat names the ICP ledger", ledgers: true,
			set:    func(p *config.Profile) { p.Orders.LedgerByVAT = map[string]string{"icp": "Omzet diversen"} },
			order:  mkOrder("4", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE123456789")),
			scheme: SchemeICP, lines: map[string]string{"gb-8300": "10.00"}},
		{name: "ledger_by_vat per rate overrides the group's ledger; an unnamed rate keeps its group's", ledgers: true,
			set:    func(p *config.Profile) { p.Orders.LedgerByVAT = map[string]string{"21": "8050"} },
			order:  mkOrder("5", true, []ln{mug, coffee}),
			scheme: SchemeDomestic, lines: map[string]string{"gb-8050": "10.00", "gb-8010": "10.00"}, vat: map[sdk.VATClass]string{sdk.VATHigh: "2.10", sdk.VATLow: "0.90"}},
		{name: "export without an export ledger: refused in Dutch naming ledger_by_vat", ledgers: false,
			order:   mkOrder("6", true, []ln{{"MOK", "Mok", "1", "5.00", "0"}}, abroad("US", "")),
			problem: []string{"export (levering buiten de EU)", "VerkopenExportBuitenEU", "orders.ledger_by_vat", `export = <grootboeknummer>`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pl, err := planCrossInvoice(t, c.order, c.ledgers, c.set)
			if err != nil {
				t.Fatal(err)
			}
			if c.problem != nil {
				if pl.Action != ActionFail {
					t.Fatalf("action %s, want fail", pl.Action)
				}
				nl := text.Reason(text.NL, pl.Reason())
				for _, w := range c.problem {
					if !strings.Contains(nl, w) {
						t.Fatalf("Dutch reason %q lacks %q", nl, w)
					}
				}
				return
			}
			mustAction(t, pl, ActionCreate)
			if pl.VATScheme != c.scheme {
				t.Fatalf("scheme %q, want %q", pl.VATScheme, c.scheme)
			}
			checkInvoice(t, pl, c.order.Totals.Total)
			sums := map[string]sdk.Money{}
			for _, l := range pl.Invoice.Lines {
				sums[l.LedgerAccountID] = sums[l.LedgerAccountID].Add(l.Amount)
				if (c.scheme == SchemeICP || c.scheme == SchemeExport) && l.VATClass != sdk.VATNone {
					t.Errorf("a 0 %% line with btw-soort %q", l.VATClass)
				}
			}
			got := map[string]string{}
			for k, v := range sums {
				got[k] = v.StringFixed(2)
			}
			if len(got) != len(c.lines) {
				t.Fatalf("turnover by ledger %v, want %v", got, c.lines)
			}
			for k, v := range c.lines {
				if got[k] != v {
					t.Fatalf("turnover by ledger %v, want %v", got, c.lines)
				}
			}
			if len(pl.Invoice.VAT) != len(c.vat) {
				t.Fatalf("VAT rows %+v, want %v", pl.Invoice.VAT, c.vat)
			}
			for _, v := range pl.Invoice.VAT {
				if v.Amount.StringFixed(2) != c.vat[v.VATClass] {
					t.Fatalf("VAT rows %+v, want %v", pl.Invoice.VAT, c.vat)
				}
			}
		})
	}
}

// TestLedgerByVATResolve: every entry must name an active profit and loss ledger; the error
// names the entry and what to write.
func TestLedgerByVATResolve(t *testing.T) {
	for _, c := range []struct {
		name    string
		m       map[string]string
		ledgers bool
		want    string
	}{
		{"unknown ledger", map[string]string{"21": "9999"}, true, `orders.ledger_by_vat["21"] = "9999" is not a grootboek`},
		{"inactive", map[string]string{"export": "8120"}, true, "not active"},
		{"balance sheet", map[string]string{"0": "Debiteuren"}, true, "balance sheet account"},
		{"no grootboeken readable", map[string]string{"21": "8000"}, false, "boekhouden:read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := planCrossInvoice(t, mkOrder("1", true, []ln{mug}), c.ledgers, func(p *config.Profile) { p.Orders.LedgerByVAT = c.m })
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want a config error with %q", err, c.want)
			}
			if nl := text.Reason(text.NL, ce.Msg); nl == ce.Msg || !strings.Contains(nl, "orders.ledger_by_vat") {
				t.Fatalf("no Dutch rendering of %q: %q", ce.Msg, nl)
			}
		})
	}
}

// TestInvoiceNumberTooLong: a factuurnummer over SnelStart's 25 characters is refused before
// anything is booked, in Dutch first, saying what to do.
func TestInvoiceNumberTooLong(t *testing.T) {
	o := mkOrder("7", true, []ln{mug}, func(o *sdk.Order) {
		o.Extra = map[string]string{InvoiceNumberExtra: "WEBSHOP-FACTUUR-2026-000000123"}
	})
	pl := planInvoice(t, o, true, nil)
	if pl.Action != ActionFail || pl.Invoice != nil {
		t.Fatalf("action %s, invoice %+v", pl.Action, pl.Invoice)
	}
	nl := text.Reason(text.NL, pl.Reason())
	for _, w := range []string{"factuurnummer", "WEBSHOP-FACTUUR-2026-000000123", "30 tekens", "hoogstens 25", "factuur-plugin"} {
		if !strings.Contains(nl, w) {
			t.Fatalf("Dutch reason %q lacks %q", nl, w)
		}
	}
	if en := text.Reason(text.EN, pl.Reason()); !strings.Contains(en, "at most 25") {
		t.Fatalf("English reason %q", en)
	}
	ok := mkOrder("8", true, []ln{mug}, func(o *sdk.Order) { o.Extra = map[string]string{InvoiceNumberExtra: strings.Repeat("9", 25)} })
	mustAction(t, planInvoice(t, ok, true, nil), ActionCreate)
}

// TestPlanCreditInvoiceCrossBorder: the credit of an ICP order (here its cancellation) is a
// credit booking on the same ICP ledger at 0 %, minus the order's total to the cent.
func TestPlanCreditInvoiceCrossBorder(t *testing.T) {
	o := mkOrder("9", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE123456789"))
	prof := testProfile()
	prof.Orders.BookAs = config.BookAsInvoice
	rd := testReferenceData()
	rd.Countries = append(rd.Countries, sdk.Country{ID: "land-de", Code: "DE"})
	rd.LedgerAccounts = invoiceLedgers
	for i, gb := range []string{"gb-8000", "gb-8010", "gb-8020"} {
		rd.RevenueGroups[i].LedgerAccountID = gb
	}
	ref, err := ResolveReference(prof, rd)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := NewPlanner(prof, ref, newMemView()).PlanCredit(context.Background(), CreditCancel(o), "rel-2001", 2001)
	if err != nil {
		t.Fatal(err)
	}
	mustAction(t, pl, ActionCreate)
	if pl.Kind != KindCreditInvoice || pl.VATScheme != SchemeICP {
		t.Fatalf("kind %s, scheme %s", pl.Kind, pl.VATScheme)
	}
	checkInvoice(t, pl, o.Totals.Total.Neg())
	for _, l := range pl.Invoice.Lines {
		if l.LedgerAccountID != "gb-8100" || l.VATClass != sdk.VATNone {
			t.Fatalf("credit line %+v, want the ICP ledger at btw-soort Geen", l)
		}
	}
	if len(pl.Invoice.VAT) != 0 {
		t.Fatalf("VAT rows %+v on an ICP credit", pl.Invoice.VAT)
	}
}
