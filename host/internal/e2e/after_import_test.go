package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// An order's life after import (issue 16): refunds, cancellations and edits made in the
// WooCommerce simulator through its REST API reach the SnelStart simulator through the real
// plugin binaries and `koppel sync`.

// wooItem is an order item as GET /orders/{id} answers it.
type wooItem struct {
	ID       int64  `json:"id"`
	Quantity int64  `json:"quantity"`
	Total    string `json:"total"`
	TotalTax string `json:"total_tax"`
	Taxes    []struct {
		ID    int64  `json:"id"`
		Total string `json:"total"`
	} `json:"taxes"`
}

type wooFull struct {
	Total         string    `json:"total"`
	LineItems     []wooItem `json:"line_items"`
	ShippingLines []wooItem `json:"shipping_lines"`
}

// full reads order p back from the shop.
func (s *stage) full(p placed) wooFull {
	s.t.Helper()
	var o wooFull
	s.wc(http.MethodGet, "/orders/"+strconv.FormatInt(p.ID, 10), nil, &o)
	return o
}

// refundItem is a line_items entry of POST /orders/{id}/refunds refunding all of it.
func refundItem(it wooItem, withQty bool) map[string]any {
	var taxes []map[string]any
	for _, t := range it.Taxes {
		taxes = append(taxes, map[string]any{"id": t.ID, "refund_total": t.Total})
	}
	m := map[string]any{"id": it.ID, "refund_total": it.Total, "refund_tax": taxes}
	if withQty {
		m["quantity"] = it.Quantity
	}
	return m
}

// refund makes a refund of order p in the shop and returns its amount.
func (s *stage) refund(p placed, body map[string]any) string {
	s.t.Helper()
	var out struct {
		ID     int64  `json:"id"`
		Amount string `json:"amount"`
	}
	s.wc(http.MethodPost, "/orders/"+strconv.FormatInt(p.ID, 10)+"/refunds", body, &out)
	return out.Amount
}

// setStatus changes an order's status in the shop (PUT /orders/{id}).
func (s *stage) setStatus(p placed, status string) {
	s.t.Helper()
	s.wc(http.MethodPut, "/orders/"+strconv.FormatInt(p.ID, 10), map[string]any{"status": status}, nil)
}

// editQty changes the quantity of an order's first line in the shop.
func (s *stage) editQty(p placed, qty int) {
	s.t.Helper()
	it := s.full(p).LineItems[0]
	s.wc(http.MethodPut, "/orders/"+strconv.FormatInt(p.ID, 10), map[string]any{
		"line_items": []map[string]any{{"id": it.ID, "product_id": s.product("MOK-01"), "quantity": qty}}}, nil)
}

// invoice turns the SnelStart order of v into an invoice, as a bookkeeper does in SnelStart.
func (s *stage) invoice(v simulator.Verkooporder) {
	s.t.Helper()
	send(s.t, http.MethodPost, "http://"+s.ss+"/_sim/verkooporders/"+string(v.ID)+"/invoice", "")
}

// attentionItem is what `koppel attention --json` lists.
type attentionItem struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	ShopNumber  string `json:"shop_number"`
	ShopTotal   string `json:"shop_total"`
	LedgerTotal string `json:"ledger_total"`
	Action      string `json:"action"`
}

func (s *stage) attention() []attentionItem {
	s.t.Helper()
	code, out, errs := s.koppel(s.t.Context(), "attention", "winkel", "--json")
	var items []attentionItem
	if code != 0 || json.Unmarshal([]byte(out), &items) != nil {
		s.t.Fatalf("koppel attention --json: exit %d\n%s\n%s", code, out, errs)
	}
	return items
}

// still reports whether SnelStart still holds sales order v.
func (s *stage) still(v simulator.Verkooporder) bool {
	for _, w := range s.ssState().Verkooporders {
		if w.ID == v.ID {
			return true
		}
	}
	return false
}

// nextSecond waits until the wall clock is in a later second than now: WooCommerce keeps
// date_modified to the second, so a change in the same second as the listing that saw the order
// is indistinguishable from it (a real store behaves the same way).
func nextSecond() {
	start := time.Now().Unix()
	for time.Now().Unix() <= start {
		time.Sleep(20 * time.Millisecond)
	}
}

// neg is the credit total of a refund amount.
func neg(amount string) string { return sdk.MustMoney(amount).Neg().StringFixed(2) }

// TestAfterImportWooCommerce is the scenario: import; then in the shop a full refund, a
// partial refund of one line, an amount-only refund, a refund of shipping, a cancellation and a
// line edit; sync twice. SnelStart holds one credit order per refund with exactly minus the
// refund, the cancelled order is deleted (credited once it was invoiced), the edit is an
// attention item with both totals. Then more refunds are synced while koppel is SIGKILLed in
// the middle of creating credit orders: none is booked twice, none is missing.
func TestAfterImportWooCommerce(t *testing.T) {
	t.Parallel()
	s := newStage(t, ch("orders.on_cancel", `"delete"`, "orders.refund_article", `"KORTING"`))
	full := s.order(wooOrder{by: anouk, items: []item{shirt, mok}, shipping: "4.95"})
	partial := s.order(wooOrder{by: anouk, items: []item{shirt, mok}})
	amount := s.order(wooOrder{by: anouk, items: []item{mok}})
	ship := s.order(wooOrder{by: anouk, items: []item{mok}, shipping: "4.95"})
	cancel := s.order(wooOrder{by: anouk, items: []item{mok}})
	invoiced := s.order(wooOrder{by: anouk, items: []item{shirt}})
	edit := s.order(wooOrder{by: anouk, items: []item{mok}})
	r := s.syncOrders()
	sos := map[string]simulator.Verkooporder{}
	for _, p := range []placed{full, partial, amount, ship, cancel, invoiced, edit} {
		sos[p.Number] = r.so(p)
	}
	s.invoice(sos[invoiced.Number])

	// In the shop.
	nextSecond()
	f := s.full(full)
	amounts := map[string]string{}
	amounts[full.Number] = s.refund(full, map[string]any{"reason": "Retour", "line_items": []map[string]any{
		refundItem(f.LineItems[0], true), refundItem(f.LineItems[1], true), refundItem(f.ShippingLines[0], false)}})
	if amounts[full.Number] != full.Total {
		t.Fatalf("full refund %s of order total %s", amounts[full.Number], full.Total)
	}
	pf := s.full(partial)
	amounts[partial.Number] = s.refund(partial, map[string]any{"line_items": []map[string]any{refundItem(pf.LineItems[1], true)}})
	amounts[amount.Number] = s.refund(amount, map[string]any{"amount": "3.00", "reason": "Coulance", "api_refund": false})
	sf := s.full(ship)
	amounts[ship.Number] = s.refund(ship, map[string]any{"line_items": []map[string]any{refundItem(sf.ShippingLines[0], false)}})
	s.setStatus(cancel, "cancelled")
	s.setStatus(invoiced, "cancelled")
	s.editQty(edit, 3)

	s.syncOrders()
	r = s.syncOrders()
	for _, p := range []placed{full, partial, amount, ship} {
		refs := 0
		for ref, vs := range r.new {
			if len(ref) > len(p.Number)+2 && ref[:len(p.Number)+2] == p.Number+"-R" {
				refs++
				if len(vs) != 1 {
					t.Fatalf("credit order %s booked %d times", ref, len(vs))
				}
				r.totalIs(vs[0], neg(amounts[p.Number]))
				if vs[0].Relatie.ID != sos[p.Number].Relatie.ID {
					t.Errorf("credit order %s on another relatie than order %s", ref, p.Number)
				}
			}
		}
		if refs != 1 {
			_, failed, _ := s.koppel(s.t.Context(), "orders", "winkel", "--failed")
			t.Fatalf("order %s: %d credit orders, want 1\nfailed orders:\n%s", p.Number, refs, failed)
		}
	}
	if s.still(sos[cancel.Number]) {
		t.Errorf("the cancelled order's sales order %d was not deleted", sos[cancel.Number].Nummer)
	}
	if !s.still(sos[invoiced.Number]) {
		t.Errorf("the invoiced sales order %d was deleted", sos[invoiced.Number].Nummer)
	}
	r.totalIs(r.so(invoiced, invoiced.Number+"-C"), neg(invoiced.Total))
	items := s.attention()
	if len(items) != 1 || items[0].Kind != "changed" || items[0].ShopNumber != edit.Number ||
		items[0].LedgerTotal != sos[edit.Number].TotaalInclusiefBtw.StringFixed(2) || items[0].ShopTotal == items[0].LedgerTotal {
		t.Fatalf("attention items %+v", items)
	}
	if code, out, _ := s.koppel(s.t.Context(), "resolve", "winkel", items[0].ID); code != 0 {
		t.Fatalf("resolve: %d %s", code, out)
	}
	if len(s.attention()) != 0 {
		t.Fatal("item still open after resolve")
	}

	// More refunds, synced while koppel is killed in the middle of creating them.
	var more []placed
	for i := 0; i < 6; i++ {
		p := s.order(wooOrder{by: anouk, items: []item{mok}})
		more = append(more, p)
	}
	s.syncOrders()
	nextSecond()
	want := map[string]string{}
	for i, p := range more {
		amt := fmt.Sprintf("%d.00", i+1)
		s.refund(p, map[string]any{"amount": amt, "api_refund": false})
		want[p.Number] = amt
	}
	rng := rand.New(rand.NewPCG(16, 16))
	landed := 0
	for kills := 0; kills < 3; kills++ {
		if ok, _ := s.syncKilled(rng, killHost, len(s.newOrders())+len(more)); ok {
			landed++
		}
	}
	if landed == 0 {
		t.Fatal("no SIGKILL landed during the syncs of the refunds")
	}
	s.syncOrders()
	r = s.syncOrders()
	for num, amt := range want {
		vs := r.new[num+"-R"+refundIDOf(t, r, num)]
		if len(vs) != 1 {
			t.Fatalf("order %s: %d credit orders after kills, want exactly 1", num, len(vs))
		}
		r.totalIs(vs[0], neg(amt))
	}
}

// refundIDOf finds the refund id in the reference of the credit order of shop order num.
func refundIDOf(t *testing.T, r *run, num string) string {
	t.Helper()
	for ref := range r.new {
		if len(ref) > len(num)+2 && ref[:len(num)+2] == num+"-R" {
			return ref[len(num)+2:]
		}
	}
	t.Fatalf("no credit order for order %s", num)
	return ""
}

// afterImportRows are the rows of orders.on_refund, refund_article, on_cancel and on_change.
func afterImportRows() []settingsRow {
	refundOne := func(s *stage) (placed, simulator.Verkooporder, *run) {
		p := s.order(wooOrder{by: anouk, items: []item{mok}})
		v := s.syncOrders().so(p)
		nextSecond()
		s.refund(p, map[string]any{"amount": "2.00", "api_refund": false})
		return p, v, s.syncOrders()
	}
	cancelOne := func(s *stage, invoice bool) (placed, simulator.Verkooporder, *run) {
		p := s.order(wooOrder{by: anouk, items: []item{mok}})
		v := s.syncOrders().so(p)
		nextSecond()
		if invoice {
			s.invoice(v)
		}
		s.setStatus(p, "cancelled")
		return p, v, s.syncOrders()
	}
	noItems := func(t *testing.T, s *stage) {
		if items := s.attention(); len(items) != 0 {
			t.Fatalf("attention items %+v", items)
		}
	}
	oneItem := func(t *testing.T, s *stage, kind string) {
		if items := s.attention(); len(items) != 1 || items[0].Kind != kind {
			t.Fatalf("attention items %+v, want one %s", items, kind)
		}
	}
	return []settingsRow{
		{"orders.on_refund = credit_order (default), refund_article", "a refund of 2.00 is credit order <number>-R<id> of -2.00 on refund_article",
			ch("orders.refund_article", `"KORTING"`), func(t *testing.T, s *stage) {
				p, _, r := refundOne(s)
				v := r.so(p, p.Number+"-R"+refundIDOf(t, r, p.Number))
				r.totalIs(v, "-2.00")
				if !r.hasLine(v, "KORTING") {
					t.Fatalf("credit lines %v, want one on KORTING", r.lines(v))
				}
				noItems(t, s)
			}},
		{"orders.refund_article unset", "an amount-only refund is an attention item naming refund_article; nothing is booked",
			nil, func(t *testing.T, s *stage) {
				p, _, r := refundOne(s)
				for ref := range r.new {
					if ref != p.Number {
						t.Fatalf("booked %s", ref)
					}
				}
				oneItem(t, s, "refunded")
			}},
		{"orders.on_refund = attention", "a refund is an attention item; nothing is booked",
			ch("orders.on_refund", `"attention"`, "orders.refund_article", `"KORTING"`), func(t *testing.T, s *stage) {
				_, _, r := refundOne(s)
				if len(r.new) != 1 {
					t.Fatalf("booked %v", r.new)
				}
				oneItem(t, s, "refunded")
			}},
		{"orders.on_refund = ignore", "a refund changes nothing in SnelStart and lists nothing",
			ch("orders.on_refund", `"ignore"`, "orders.refund_article", `"KORTING"`), func(t *testing.T, s *stage) {
				_, _, r := refundOne(s)
				if len(r.new) != 1 {
					t.Fatalf("booked %v", r.new)
				}
				noItems(t, s)
			}},
		{"orders.on_cancel = delete", "a cancelled order's sales order is deleted",
			ch("orders.on_cancel", `"delete"`), func(t *testing.T, s *stage) {
				_, v, _ := cancelOne(s, false)
				if s.still(v) {
					t.Fatal("not deleted")
				}
				noItems(t, s)
			}},
		{"orders.on_cancel = delete, invoiced", "SnelStart refuses to delete an invoice (VOR-0015): credit order <number>-C",
			ch("orders.on_cancel", `"delete"`), func(t *testing.T, s *stage) {
				p, v, r := cancelOne(s, true)
				if !s.still(v) {
					t.Fatal("the invoice was deleted")
				}
				r.totalIs(r.so(p, p.Number+"-C"), neg(p.Total))
			}},
		{"orders.on_cancel = credit_order", "a cancelled order is credited in full (<number>-C)",
			ch("orders.on_cancel", `"credit_order"`), func(t *testing.T, s *stage) {
				p, v, r := cancelOne(s, false)
				if !s.still(v) {
					t.Fatal("deleted")
				}
				r.totalIs(r.so(p, p.Number+"-C"), neg(p.Total))
			}},
		{"orders.on_cancel = attention (default)", "a cancelled order is an attention item; SnelStart keeps the order",
			nil, func(t *testing.T, s *stage) {
				_, v, _ := cancelOne(s, false)
				if !s.still(v) {
					t.Fatal("deleted")
				}
				oneItem(t, s, "cancelled")
			}},
		{"orders.on_cancel = ignore", "a cancellation changes nothing and lists nothing",
			ch("orders.on_cancel", `"ignore"`), func(t *testing.T, s *stage) {
				_, v, _ := cancelOne(s, false)
				if !s.still(v) {
					t.Fatal("deleted")
				}
				noItems(t, s)
			}},
		{"orders.on_change = attention (default)", "an edited order is an attention item with both totals",
			nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}})
				s.syncOrders()
				nextSecond()
				s.editQty(p, 2)
				s.syncOrders()
				oneItem(t, s, "changed")
			}},
		{"orders.on_change = ignore", "an edited order lists nothing",
			ch("orders.on_change", `"ignore"`), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}})
				s.syncOrders()
				nextSecond()
				s.editQty(p, 2)
				s.syncOrders()
				noItems(t, s)
			}},
	}
}
