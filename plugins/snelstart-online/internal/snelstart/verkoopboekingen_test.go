package snelstart

import (
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// invoiceFor is a 21% + 9% invoice on the revenue ledgers of the simulator's groups.
func invoiceFor(t *testing.T, e *simEnv, number string, day int) sdk.SalesInvoice {
	t.Helper()
	rd, err := e.c.ReferenceData(ctxBg)
	if err != nil {
		t.Fatal(err)
	}
	ledger := map[sdk.VATClass]string{}
	for _, g := range rd.RevenueGroups {
		if g.LedgerAccountID == "" {
			t.Fatalf("revenue group %d has no ledger account", g.Number)
		}
		ledger[g.VATClass] = g.LedgerAccountID
	}
	return sdk.SalesInvoice{Number: number, Date: time.Date(2026, 5, day, 0, 0, 0, 0, time.UTC),
		CustomerID: string(simulator.RelatieJanDeVries), Description: "Webshop " + number,
		Lines: []sdk.SalesInvoiceLine{
			{Description: "Omzet 21%", LedgerAccountID: ledger[sdk.VATHigh], Amount: sdk.MustMoney("24.75"), VATClass: sdk.VATHigh},
			{Description: "Omzet 9%", LedgerAccountID: ledger[sdk.VATLow], Amount: sdk.MustMoney("18.35"), VATClass: sdk.VATLow},
		},
		VAT:   []sdk.SalesInvoiceVATRow{{VATClass: sdk.VATHigh, Amount: sdk.MustMoney("5.20")}, {VATClass: sdk.VATLow, Amount: sdk.MustMoney("1.65")}},
		Total: sdk.MustMoney("49.95"),
	}
}

// TestSimSalesInvoices books an invoice through POST /verkoopboekingen and finds it by
// number through GET /verkoopfacturen; a number booked twice is BOE-0021, an unbalanced
// invoice is refused before it is sent (BOE-0039, both figures), a closed period is BOE-0042.
// Every request and answer is checked against the OpenAPI document.
func TestSimSalesInvoices(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	inv := invoiceFor(t, e, "F2026-0001", 4)
	got, err := e.c.CreateSalesInvoice(ctxBg, inv)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || !got.Total.Equal(inv.Total) || len(got.Lines) != 2 || len(got.VAT) != 2 || got.VAT[0].VATClass != sdk.VATHigh {
		t.Fatalf("created %+v", got)
	}
	found, err := e.c.FindSalesInvoices(ctxBg, sdk.SalesInvoiceQuery{Numbers: []string{"F2026-0001", "F2026-0404", "F2026-0001"}})
	if err != nil || len(found) != 1 || found[0].ID != got.ID || !found[0].Total.Equal(inv.Total) || found[0].CustomerID != inv.CustomerID {
		t.Fatalf("find: %v %+v", err, found)
	}
	if found, err := e.c.FindSalesInvoices(ctxBg, sdk.SalesInvoiceQuery{}); err != nil || len(found) != 0 {
		t.Fatalf("find nothing: %v %+v", err, found)
	}

	codeOf := func(err error) string {
		var se *sdk.Error
		if !asSDK(err, &se) || se.Kind != sdk.KindPermanent {
			t.Fatalf("want a permanent refusal, got %v", err)
		}
		return se.Code
	}
	if _, err := e.c.CreateSalesInvoice(ctxBg, inv); codeOf(err) != "BOE-0021" {
		t.Fatalf("twice: %v", err)
	}
	bad := invoiceFor(t, e, "F2026-0002", 4)
	bad.Total = sdk.MustMoney("49.96")
	_, err = e.c.CreateSalesInvoice(ctxBg, bad)
	if codeOf(err) != "BOE-0039" || !strings.Contains(err.Error(), "49.96") || !strings.Contains(err.Error(), "49.95") {
		t.Fatalf("unbalanced: %v", err)
	}
	until := time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)
	e.sim.ClosePeriod(&simulator.Time{Time: until})
	_, err = e.c.CreateSalesInvoice(ctxBg, invoiceFor(t, e, "F2026-0003", 31))
	if codeOf(err) != "BOE-0042" || !strings.Contains(err.Error(), "afgesloten periode") {
		t.Fatalf("closed period: %v", err)
	}
	// SnelStart's own BOE-0039 (an unbalanced booking that passed the connector) reads the same.
	if msg := explain(apiError{Code: "BOE-0039", Message: "Factuurbedrag klopt niet"}, nil); !strings.Contains(msg, "factuurbedrag is niet gelijk") {
		t.Errorf("BOE-0039 explained as %q", msg)
	}
	credit := invoiceFor(t, e, "F2026-0001-C1", 4)
	credit.Date = until.AddDate(0, 0, 1)
	for i := range credit.Lines {
		credit.Lines[i].Amount = credit.Lines[i].Amount.Neg()
	}
	for i := range credit.VAT {
		credit.VAT[i].Amount = credit.VAT[i].Amount.Neg()
	}
	credit.Total = credit.Total.Neg()
	if c, err := e.c.CreateSalesInvoice(ctxBg, credit); err != nil || !c.Total.Equal(sdk.MustMoney("-49.95")) {
		t.Fatalf("credit booking: %v %+v", err, c)
	}
}
