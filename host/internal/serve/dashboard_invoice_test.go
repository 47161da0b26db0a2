package serve

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// In invoice mode (orders.book_as = "invoice") an order is booked as a verkoopboeking, which
// has no SnelStart order number: the dashboard's order list and GET /api/orders show its
// factuurnummer instead, in both languages; a sales order keeps its order number.
func TestDashboardShowsInvoiceNumbers(t *testing.T) {
	e := newEnv(t, nil)
	rec, orders, _ := demoRun("winkel", "import_orders", t0.Add(-10*time.Minute))
	// Order 1102 was booked as an invoice: a ledger id, no order number, the invoice number as
	// its reference.
	rec.Orders[1].LedgerNumber, orders[1].LedgerNumber, orders[1].Reference = 0, 0, "F2026-0042"
	storeRun(t, e.store, rec, orders)
	row := func(page, number string) string {
		return regexp.MustCompile(`(?s)<tr class="order" data-shop-number="` + number + `">.*?</tr>`).FindString(page)
	}
	for _, c := range []struct{ lang, word string }{{"nl", "factuur F2026-0042"}, {"en", "invoice F2026-0042"}} {
		resp := e.do(t, "GET", "/?lang="+c.lang, nil, nil)
		wantStatus(t, resp, http.StatusOK)
		page := readBody(t, resp)
		if r := row(page, "1102"); !strings.Contains(r, c.word) {
			t.Errorf("dashboard (%s): the row of invoice order 1102 lacks %q: %s", c.lang, c.word, r)
		}
		if r := row(page, "1101"); !strings.Contains(r, "7001") || strings.Contains(r, "invoice-number") {
			t.Errorf("dashboard (%s): the row of sales order 1101: %s", c.lang, r)
		}
	}
	got := decode[OrdersJSON](t, e.do(t, "GET", "/api/orders?profile=winkel", nil, nil))
	numbers := map[string]string{}
	for _, o := range got.Orders {
		numbers[o.ShopNumber] = o.InvoiceNumber
	}
	if numbers["1102"] != "F2026-0042" || numbers["1101"] != "" {
		t.Fatalf("invoice numbers in /api/orders: %v", numbers)
	}
}
