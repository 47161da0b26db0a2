package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// paidNotes returns the notes of shop order p that say SnelStart shows its invoice paid.
func (s *stage) paidNotes(p placed) []string {
	s.t.Helper()
	var notes []struct {
		Note         string `json:"note"`
		CustomerNote bool   `json:"customer_note"`
	}
	s.wc(http.MethodGet, fmt.Sprintf("/orders/%d/notes", p.ID), nil, &notes)
	var out []string
	for _, n := range notes {
		if strings.HasPrefix(n.Note, "Betaald volgens SnelStart") {
			if n.CustomerNote {
				s.t.Errorf("order %s: the paid note was sent to the customer", p.Number)
			}
			out = append(out, n.Note)
		}
	}
	return out
}

// pay books a payment of amount on invoice number in the SnelStart simulator (as a matched bank
// booking lowers openstaandSaldo).
func (s *stage) pay(number, amount string) {
	s.t.Helper()
	send(s.t, http.MethodPost, "http://"+s.ss+"/_sim/verkoopfacturen/"+number+"/payments", `{"bedrag":`+amount+`}`)
}

// TestInvoiceModeMarkPaid: with orders.mark_paid an order booked as an invoice gets a note in
// WooCommerce once SnelStart shows the invoice paid (openstaand saldo 0), exactly once however
// often koppel syncs; an invoice paid in part or not at all gets none.
func TestInvoiceModeMarkPaid(t *testing.T) {
	t.Parallel()
	s := newStage(t, ch("orders.book_as", `"invoice"`, "orders.mark_paid", "true"))
	full := s.order(wooOrder{by: anouk, items: []item{shirt}})
	part := s.order(wooOrder{by: anouk, items: []item{mok}})
	open := s.order(wooOrder{by: janHome, items: []item{mok}})
	r := s.syncOrders()
	for _, p := range []placed{full, part, open} {
		r.must(p, "imported")
		if n := s.paidNotes(p); len(n) != 0 {
			t.Fatalf("order %s has a paid note before any payment: %v", p.Number, n)
		}
	}
	s.pay(full.Number, full.Total)
	s.pay(part.Number, "1.00")
	s.syncOrders()
	s.syncOrders()
	notes := s.paidNotes(full)
	if len(notes) != 1 || !strings.Contains(notes[0], "factuur "+full.Number) || !strings.Contains(notes[0], full.Total) {
		t.Fatalf("paid order %s: notes %v, want one naming the invoice and %s", full.Number, notes, full.Total)
	}
	for _, p := range []placed{part, open} {
		if n := s.paidNotes(p); len(n) != 0 {
			t.Fatalf("order %s (not paid in full) got %v", p.Number, n)
		}
	}
	// The rest of the partly paid invoice arrives: its note follows on the next sync.
	s.pay(part.Number, "100.00")
	s.syncOrders()
	if n := s.paidNotes(part); len(n) != 1 {
		t.Fatalf("order %s paid in full later: notes %v", part.Number, n)
	}
	if n := s.paidNotes(full); len(n) != 1 {
		t.Fatalf("order %s: %d paid notes after more syncs", full.Number, len(n))
	}
}

// TestInvoiceModeMarkPaidMagento: the same through Magento: the paid invoice's order gets one
// order comment (not notified, not visible to the customer), the unpaid ones none.
func TestInvoiceModeMarkPaidMagento(t *testing.T) {
	t.Parallel()
	r, mg := newMagentoRig(t, `["processing"]`, "    book_as            = \"invoice\"\n    mark_paid          = true\n")
	gen, imported := importMagento(t, r, mg, 4, "processing")
	type comment struct {
		Comment            string `json:"comment"`
		IsCustomerNotified int    `json:"is_customer_notified"`
	}
	paidComments := func(id int64) []comment {
		t.Helper()
		var out struct {
			Items []comment `json:"items"`
		}
		magentoAPI(t, mg, http.MethodGet, fmt.Sprintf("/orders/%d/comments", id), "", &out)
		var paid []comment
		for _, c := range out.Items {
			if strings.HasPrefix(c.Comment, "Betaald volgens SnelStart") {
				paid = append(paid, c)
			}
		}
		return paid
	}
	// Pay the invoice of the first imported order in full.
	var paidID int64
	var paidNumber string
	for _, id := range gen.IDs {
		var o struct {
			IncrementID string `json:"increment_id"`
		}
		magentoAPI(t, mg, http.MethodGet, fmt.Sprintf("/orders/%d", id), "", &o)
		if imported[o.IncrementID] {
			paidID, paidNumber = id, o.IncrementID
			break
		}
	}
	var total string
	for _, f := range r.ssState().Verkoopfacturen {
		if f.Factuurnummer == paidNumber {
			total = f.FactuurBedrag.StringFixed(2)
		}
	}
	if total == "" {
		t.Fatalf("order %s was not booked as an invoice", paidNumber)
	}
	send(t, http.MethodPost, "http://"+r.ss+"/_sim/verkoopfacturen/"+paidNumber+"/payments", `{"bedrag":`+total+`}`)
	for i := 0; i < 2; i++ {
		if code, res, errs := r.sync(); code != 0 {
			t.Fatalf("sync: exit %d %+v\n%s", code, res, tail(errs))
		}
	}
	for _, id := range gen.IDs {
		got := paidComments(id)
		switch {
		case id == paidID && (len(got) != 1 || got[0].IsCustomerNotified != 0 || !strings.Contains(got[0].Comment, paidNumber)):
			t.Fatalf("paid order %s: comments %+v, want one naming the invoice, not notified", paidNumber, got)
		case id != paidID && len(got) != 0:
			t.Fatalf("unpaid order %d got %+v", id, got)
		}
	}
}
