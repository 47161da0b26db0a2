package mapping

import (
	"context"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
)

// invoiceRef is the test reference data with revenue ledgers on the groups, and a second 21%
// group on another ledger.
func invoiceRef(t *testing.T, prof *config.Profile, ledgers bool) *Reference {
	t.Helper()
	rd := testReferenceData()
	rd.RevenueGroups = append(rd.RevenueGroups, sdk.RevenueGroup{ID: "g-boeken", Number: 4, Description: "Omzet boeken hoog", VATClass: sdk.VATHigh})
	if ledgers {
		for i, gb := range []string{"gb-8000", "gb-8010", "gb-8020", "gb-8030"} {
			rd.RevenueGroups[i].LedgerAccountID = gb
		}
	}
	ref, err := ResolveReference(prof, rd)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func planInvoice(t *testing.T, o sdk.Order, ledgers bool, set func(*config.Profile)) *Plan {
	t.Helper()
	prof := testProfile()
	prof.Orders.BookAs = config.BookAsInvoice
	if set != nil {
		set(prof)
	}
	v := newMemView()
	v.articles = append(v.articles, sdk.Article{ID: "art-agenda", Code: "AGENDA", Description: "Agenda", RevenueGroupID: "g-boeken"})
	pl, err := NewPlanner(prof, invoiceRef(t, prof, ledgers), v).Plan(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// checkInvoice asserts the balance rule and that the invoice is booked for total.
func checkInvoice(t *testing.T, pl *Plan, total sdk.Money) {
	t.Helper()
	if pl.Invoice == nil {
		t.Fatalf("no invoice in plan %+v", pl)
	}
	sum := sdk.Money{}
	for _, l := range pl.Invoice.Lines {
		sum = sum.Add(l.Amount)
		if l.LedgerAccountID == "" {
			t.Errorf("line %+v without ledger", l)
		}
	}
	for _, v := range pl.Invoice.VAT {
		sum = sum.Add(v.Amount)
	}
	if !sum.Equal(pl.Invoice.Total) || !pl.Invoice.Total.Equal(total) {
		t.Fatalf("invoice lines + VAT %s, total %s, want %s", sum, pl.Invoice.Total, total)
	}
}

func TestPlanInvoice(t *testing.T) {
	withShipping := func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{charge("PostNL", "6.95", "21")} }
	agenda := ln{"AGENDA", "Agenda 2027", "3", "12.99", "21"}

	t.Run("turnover per rate on the groups' ledgers, VAT per class, total to the cent", func(t *testing.T) {
		o := mkOrder("1", true, []ln{coffee, mug}, withShipping)
		pl := planInvoice(t, o, true, nil)
		mustAction(t, pl, ActionCreate)
		if pl.Kind != KindInvoice || pl.Invoice.Number != pl.Reference || pl.Invoice.Number != "101" {
			t.Fatalf("kind %s, number %q (reference %q)", pl.Kind, pl.Invoice.Number, pl.Reference)
		}
		checkInvoice(t, pl, o.Totals.Total)
		by := map[string]sdk.Money{}
		for _, l := range pl.Invoice.Lines {
			by[l.LedgerAccountID] = by[l.LedgerAccountID].Add(l.Amount)
		}
		// 21%: mugs 12.10 + shipping 6.95 incl = 19.05 incl → 15.74 excl; 9%: 10.90 incl → 10.00 excl.
		if by["gb-8000"].StringFixed(2) != "15.74" || by["gb-8010"].StringFixed(2) != "10.00" || len(by) != 2 {
			t.Fatalf("turnover by ledger %v", by)
		}
		if len(pl.Invoice.VAT) != 2 || pl.Invoice.VAT[0].VATClass != sdk.VATHigh || pl.Invoice.VAT[0].Amount.StringFixed(2) != "3.31" ||
			pl.Invoice.VAT[1].VATClass != sdk.VATLow || pl.Invoice.VAT[1].Amount.StringFixed(2) != "0.90" {
			t.Fatalf("VAT rows %+v", pl.Invoice.VAT)
		}
	})
	t.Run("one rate on two ledgers: split, the rate's turnover exact", func(t *testing.T) {
		o := mkOrder("2", true, []ln{mug, agenda})
		pl := planInvoice(t, o, true, nil)
		mustAction(t, pl, ActionCreate)
		checkInvoice(t, pl, o.Totals.Total)
		if len(pl.Invoice.Lines) != 2 || pl.Invoice.Lines[0].LedgerAccountID == pl.Invoice.Lines[1].LedgerAccountID {
			t.Fatalf("lines %+v", pl.Invoice.Lines)
		}
		if !pl.Invoice.Lines[0].Amount.Add(pl.Invoice.Lines[1].Amount).Equal(pl.Totals.ByRate[0].Excl) {
			t.Fatalf("split %+v does not add up to %s", pl.Invoice.Lines, pl.Totals.ByRate[0].Excl)
		}
	})
	t.Run("the shop's invoice number", func(t *testing.T) {
		o := mkOrder("3", true, []ln{mug}, func(o *sdk.Order) { o.Extra = map[string]string{InvoiceNumberExtra: "F2026-17"} })
		pl := planInvoice(t, o, true, nil)
		if pl.Invoice.Number != "F2026-17" || pl.Reference != "F2026-17" {
			t.Fatalf("number %q, reference %q", pl.Invoice.Number, pl.Reference)
		}
	})
	t.Run("a credit (here a cancellation) is a credit invoice, negative to the cent, numbered after the shop's invoice", func(t *testing.T) {
		o := mkOrder("4", true, []ln{coffee, mug}, func(o *sdk.Order) { o.Extra = map[string]string{InvoiceNumberExtra: "F2026-18"} })
		c := CreditCancel(o)
		prof := testProfile()
		prof.Orders.BookAs = config.BookAsInvoice
		pl, err := NewPlanner(prof, invoiceRef(t, prof, true), newMemView()).PlanCredit(context.Background(), c, "rel-1001", 1001)
		if err != nil {
			t.Fatal(err)
		}
		mustAction(t, pl, ActionCreate)
		if pl.Kind != KindCreditInvoice || pl.Invoice.Number != "F2026-18-C" {
			t.Fatalf("kind %s number %q", pl.Kind, pl.Invoice.Number)
		}
		checkInvoice(t, pl, o.Totals.Total.Neg())
	})
	t.Run("a group without revenue ledger fails naming it", func(t *testing.T) {
		pl := planInvoice(t, mkOrder("5", true, []ln{mug}), false, nil)
		mustAction(t, pl, ActionFail, "grootboek", "Omzet hoog")
		if pl.Invoice != nil {
			t.Fatal("a failed plan keeps an invoice")
		}
	})
	t.Run("prices left to SnelStart cannot be invoiced", func(t *testing.T) {
		pl := planInvoice(t, mkOrder("6", true, []ln{mug}), true, func(p *config.Profile) { p.Orders.Lines = config.LinesCodeAndQuantity })
		mustAction(t, pl, ActionFail, "code_and_quantity")
	})
}
