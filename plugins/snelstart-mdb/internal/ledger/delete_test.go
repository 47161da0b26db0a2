package ledger

import (
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// TestDeleteAndCreditSalesOrder on the SQLite stand-in of the ODBC path: a credit order of
// negative quantities totals exactly minus the original; an order is deleted with its lines; an
// invoiced one is refused with KindProcessed; a deleted one is KindNotFound.
func TestDeleteAndCreditSalesOrder(t *testing.T) {
	l, db, _ := newSQLite(t, demoFile, nil)
	o, err := l.CreateSalesOrder(ctx(t), order1041("1", "WEB-3001"))
	if err != nil {
		t.Fatal(err)
	}
	credit := order1041("1", "WEB-3001-R7")
	for i := range credit.Lines {
		credit.Lines[i].Quantity = credit.Lines[i].Quantity.Neg()
	}
	c, err := l.CreateSalesOrder(ctx(t), credit)
	if err != nil {
		t.Fatalf("credit order: %v", err)
	}
	if c.TotalIncl.StringFixed(2) != "-82.85" || !c.TotalIncl.Neg().Equal(o.TotalIncl) || !c.TotalExcl.Neg().Equal(o.TotalExcl) {
		t.Fatalf("credit totals %s / %s, want minus %s / %s", c.TotalExcl, c.TotalIncl, o.TotalExcl, o.TotalIncl)
	}

	if err := l.DeleteSalesOrder(ctx(t), o.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [Verkooporders] WHERE [OrderID] = ?", o.ID); n != 0 {
		t.Errorf("order still stored")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels] WHERE [OrderID] = ?", o.ID); n != 0 {
		t.Errorf("%d lines still stored", n)
	}
	if found, err := l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{Reference: "WEB-3001"}); err != nil || len(found) != 0 {
		t.Errorf("deleted order found: %+v (%v)", found, err)
	}
	if err := l.DeleteSalesOrder(ctx(t), o.ID); sdk.KindOf(err) != sdk.KindNotFound {
		t.Errorf("delete again: kind %q (%v), want not_found", sdk.KindOf(err), err)
	}
	if err := l.DeleteSalesOrder(ctx(t), "x"); sdk.KindOf(err) != sdk.KindNotFound {
		t.Errorf("delete a bad id: kind %q (%v)", sdk.KindOf(err), err)
	}

	inv := order1041("1", "WEB-3002")
	inv.ProcessStatus = "Factuur"
	invoiced, err := l.CreateSalesOrder(ctx(t), inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteSalesOrder(ctx(t), invoiced.ID); sdk.KindOf(err) != sdk.KindProcessed {
		t.Errorf("delete an invoice: kind %q (%v), want processed", sdk.KindOf(err), err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels] WHERE [OrderID] = ?", invoiced.ID); n == 0 {
		t.Errorf("the invoice's lines were deleted")
	}
}
