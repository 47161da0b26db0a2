package snelstart

import (
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestSimDeleteAndCreditOrders: DELETE /verkooporders/{id} while the order is an order, VOR-0015
// (KindProcessed) once it is invoiced, 404 (KindNotFound) for a deleted one; a credit order of
// negative quantities totals exactly minus the original. Every request is checked against the
// OpenAPI document.
func TestSimDeleteAndCreditOrders(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	first, err := e.c.CreateSalesOrder(ctxBg, orderFor("WS-2001"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.DeleteSalesOrder(ctxBg, first.ID); err != nil {
		t.Fatalf("delete an order: %v", err)
	}
	if got, err := e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-2001"}); err != nil || len(got) != 0 {
		t.Fatalf("deleted order still found: %v %+v", err, got)
	}
	if err := e.c.DeleteSalesOrder(ctxBg, first.ID); sdk.KindOf(err) != sdk.KindNotFound {
		t.Fatalf("delete a deleted order: kind %q (%v), want not_found", sdk.KindOf(err), err)
	}
	if err := e.c.DeleteSalesOrder(ctxBg, "not-a-guid"); sdk.KindOf(err) != sdk.KindNotFound {
		t.Fatalf("delete a bad id: kind %q (%v)", sdk.KindOf(err), err)
	}

	second, err := e.c.CreateSalesOrder(ctxBg, orderFor("WS-2002"))
	if err != nil {
		t.Fatal(err)
	}
	if !e.sim.Invoice(simulator.GUID(second.ID)) {
		t.Fatal("simulator did not invoice the order")
	}
	err = e.c.DeleteSalesOrder(ctxBg, second.ID)
	var se *sdk.Error
	if sdk.KindOf(err) != sdk.KindProcessed || !asSDK(err, &se) || se.Code != "VOR-0015" {
		t.Fatalf("delete an invoiced order: kind %q (%v), want processed with VOR-0015", sdk.KindOf(err), err)
	}
	if got, err := e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "WS-2002"}); err != nil || len(got) != 1 || got[0].ProcessStatus != "Factuur" {
		t.Fatalf("invoiced order: %v %+v", err, got)
	}

	credit := orderFor("WS-2002-R1")
	for i := range credit.Lines {
		credit.Lines[i].Quantity = credit.Lines[i].Quantity.Neg()
	}
	created, err := e.c.CreateSalesOrder(ctxBg, credit)
	if err != nil {
		t.Fatalf("credit order: %v", err)
	}
	if created.TotalIncl.String() != "-54.85" || !created.TotalIncl.Neg().Equal(second.TotalIncl) {
		t.Fatalf("credit total %s, want -%s", created.TotalIncl, second.TotalIncl)
	}
	if e.vt.count() == 0 {
		t.Fatal("no request was validated against the OpenAPI document")
	}
}
