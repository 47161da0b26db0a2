package e2e

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

func init() {
	// The gift set sold VAT-free, as a shop does for an EU business with a valid VAT number.
	catalogue["SET-01@0%"] = wooProduct{"SET-01", "Cadeaupakket shirt + kookboek", "45.00", "zero-rate"}
}

// boekingen returns the sales invoice bookings with factuurnummer n.
func boekingen(a simulator.Administration, n string) []simulator.Verkoopboeking {
	var out []simulator.Verkoopboeking
	for _, b := range a.Verkoopboekingen {
		if b.Factuurnummer == n {
			out = append(out, b)
		}
	}
	return out
}

// balanced checks a booking's rule: factuurbedrag = boekingsregels + btw, to the cent.
func balanced(t *testing.T, b simulator.Verkoopboeking) {
	t.Helper()
	sum := decimal.Zero
	for _, r := range b.Boekingsregels {
		sum = sum.Add(r.Bedrag.Decimal)
	}
	for _, v := range b.Btw {
		sum = sum.Add(v.BtwBedrag.Decimal)
	}
	if !sum.Equal(b.Factuurbedrag.Decimal) {
		t.Errorf("invoice %s: lines plus VAT %s, factuurbedrag %s", b.Factuurnummer, sum, b.Factuurbedrag)
	}
}

// TestInvoiceMode books shop orders as sales invoices (orders.book_as = "invoice") through the
// real binaries and both simulators: every order becomes exactly one verkoopboeking whose
// factuurbedrag equals the shop's total to the cent (VAT per rate on the revenue ledgers of the
// articles' groups), no sales order is created, a second sync books nothing twice, a refund
// becomes one credit booking (numbered after the shop's invoice number an invoice plugin set in
// the order's meta), and an invoice dated in a closed period fails with the Dutch
// reason of BOE-0042.
func TestInvoiceMode(t *testing.T) {
	t.Parallel()
	s := newStage(t, ch("orders.book_as", `"invoice"`, "orders.refund_article", `"KORTING"`))
	const shopInvoice = "WCPDF-2026-0099" // set by an invoice plugin in the order's meta
	boek := item{product: "BOEK-01", qty: 1}
	thee := item{product: "THEE-01", qty: 3}
	koffie := item{product: "KOFFIE-01", qty: 2}
	orders := []wooOrder{
		{by: anouk, items: []item{shirt}},
		{by: anouk, items: []item{mok}},
		{by: anouk, items: []item{boek}},
		{by: anouk, items: []item{shirt, mok}, shipping: "4.95", meta: [][2]string{{"_wcpdf_invoice_number", shopInvoice}}},
		{by: anouk, items: []item{shirt, boek}, shipping: "4.95"},
		{by: anouk, items: []item{thee, koffie}},
		{by: anouk, items: []item{thee, boek, mok}, shipping: "6.95"},
		{by: anouk, items: []item{shirt}, coupon: "korting5"},
		{by: anouk, items: []item{shirt, boek}, coupon: "welkom10"},
		{by: anouk, items: []item{koffie}, fee: "1.50"},
		{by: janHome, items: []item{thee}},
		{by: janHome, items: []item{{product: "SHIRT-01", qty: 7}}},
		{by: janHome, items: []item{{product: "THEE-01", qty: 11}, boek}, shipping: "4.95"},
		{by: janHome, items: []item{mok, koffie, boek, thee}},
		{by: janHome, items: []item{{product: "MOK-01", qty: 3}}, shipping: "2.50"},
		// The cross-border rows of the VAT tests: ICP (an EU business, no VAT) and export.
		{by: deBusiness, items: []item{{product: "SET-01@0%", qty: 2}}},
		{by: usConsumer, items: []item{{product: "SHIRT-01", qty: 1}}},
	}
	number := func(i int, p placed) string { // the factuurnummer: the shop's invoice number, else the order number
		if i == 3 {
			return shopInvoice
		}
		return p.Number
	}
	var placedOrders []placed
	for _, o := range orders {
		placedOrders = append(placedOrders, s.order(o))
	}
	if code, out, errs := s.koppel(t.Context(), "plan", "winkel", "--limit", "20"); code != 0 || !strings.Contains(out, "factuurnummer "+shopInvoice) {
		t.Errorf("koppel plan (exit %d) does not show the invoice number %s:\n%s%s", code, shopInvoice, out, tail(errs))
	}
	r := s.syncOrders()
	if len(r.new) != 0 {
		t.Fatalf("invoice mode created %d sales orders", len(r.new))
	}
	for i, p := range placedOrders {
		r.must(p, "imported")
		bs := boekingen(r.admin, number(i, p))
		if len(bs) != 1 {
			t.Fatalf("order %s: %d invoice bookings, want 1", p.Number, len(bs))
		}
		if got := bs[0].Factuurbedrag.StringFixed(2); got != sdk.MustMoney(p.Total).StringFixed(2) {
			t.Errorf("order %s: SnelStart's invoice amount %s, the shop's total %s", p.Number, got, p.Total)
		}
		balanced(t, bs[0])
	}
	// ICP and export at 0 % on their own revenue ledgers (grootboekfunctie), no VAT line; the
	// ICP relatie carries the VAT number.
	for i, want := range map[int]simulator.GUID{15: simulator.GrootboekOmzetICP, 16: simulator.GrootboekOmzetExport} {
		b := boekingen(r.admin, placedOrders[i].Number)[0]
		if len(b.Btw) != 0 || len(b.Boekingsregels) != 1 || b.Boekingsregels[0].Grootboek.ID != want || b.Boekingsregels[0].BtwSoort != "Geen" {
			t.Errorf("order %s: booked %+v, want one 0 %% line on %s", placedOrders[i].Number, b, want)
		}
		if i == 15 {
			for _, rel := range r.admin.Relaties {
				if rel.ID == b.Klant.ID && rel.BtwNummer != "DE123456789" {
					t.Errorf("ICP invoice on relatie %d without the VAT number (%q)", rel.Relatiecode, rel.BtwNummer)
				}
			}
		}
	}
	if _, out, _ := s.koppel(t.Context(), "orders", "winkel"); !strings.Contains(out, shopInvoice) {
		t.Errorf("koppel orders does not show the invoice number %s:\n%s", shopInvoice, out)
	}
	before := len(r.admin.Verkoopboekingen)
	r = s.syncOrders()
	if n := len(r.admin.Verkoopboekingen); n != before {
		t.Fatalf("a second sync booked %d more invoices", n-before)
	}

	// A refund becomes one credit booking, however often koppel syncs.
	nextSecond()
	p := placedOrders[3]
	amount := s.refund(p, map[string]any{"amount": "3.00", "reason": "Coulance", "api_refund": false})
	s.syncOrders()
	r = s.syncOrders()
	var credits []simulator.Verkoopboeking
	for _, b := range r.admin.Verkoopboekingen {
		if strings.HasPrefix(b.Factuurnummer, shopInvoice+"-R") {
			credits = append(credits, b)
		}
	}
	if len(credits) != 1 {
		t.Fatalf("refund of order %s: %d credit bookings, want 1", p.Number, len(credits))
	}
	if got := credits[0].Factuurbedrag.StringFixed(2); got != neg(amount) {
		t.Errorf("credit booking %s of %s, want %s", credits[0].Factuurnummer, got, neg(amount))
	}
	balanced(t, credits[0])
	if credits[0].Klant.ID != boekingen(r.admin, shopInvoice)[0].Klant.ID {
		t.Errorf("credit booking on another customer than the invoice")
	}

	// Reconciling compares the shop's orders with SnelStart's invoices: nothing missing, nothing twice.
	if code, out, errs := s.koppel(t.Context(), "reconcile", "winkel"); code != 0 {
		t.Fatalf("koppel reconcile: exit %d\n%s%s", code, out, tail(errs))
	}
	if items := s.attention(); len(items) != 0 {
		t.Fatalf("reconcile in invoice mode raised %+v", items)
	}

	// SnelStart refuses a booking as unbalanced (BOE-0039, its own check disagreeing with
	// koppel's): the order fails with the Dutch reason, is not booked, and koppel orders shows
	// the reason in Dutch.
	req, _ := http.NewRequest(http.MethodPut, "http://"+s.ss+"/_sim/verkoopboekingen/refuse", strings.NewReader(`{"codes":["BOE-0039"]}`))
	req.Header.Set("Content-Type", "application/json")
	doJSON(t, req, nil)
	unbalanced := s.order(wooOrder{by: anouk, items: []item{shirt}})
	r = s.syncOrders()
	r.must(unbalanced, "failed", "BOE-0039", "factuurbedrag is niet gelijk aan de omzetregels plus de btw")
	if len(boekingen(r.admin, unbalanced.Number)) != 0 {
		t.Fatalf("order %s was booked although SnelStart refused it", unbalanced.Number)
	}
	if _, out, _ := s.koppel(t.Context(), "orders", "winkel", "--failed", "--verbose"); !strings.Contains(out, "SnelStart weigerde de factuurboeking") || !strings.Contains(out, "factuurbedrag is niet gelijk") {
		t.Errorf("koppel orders does not show the Dutch BOE-0039 reason:\n%s", out)
	}

	// A closed period: the order fails with SnelStart's reason in Dutch and is not booked.
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02") + "T00:00:00"
	req, _ = http.NewRequest(http.MethodPut, "http://"+s.ss+"/_sim/period", strings.NewReader(`{"afgeslotenTotEnMet":"`+tomorrow+`"}`))
	req.Header.Set("Content-Type", "application/json")
	doJSON(t, req, nil)
	late := s.order(wooOrder{by: anouk, items: []item{mok}})
	r = s.syncOrders()
	r.must(late, "failed", "BOE-0042", "afgesloten periode")
	if len(boekingen(r.admin, late.Number)) != 0 {
		t.Fatalf("order %s was booked in a closed period", late.Number)
	}
}

// TestInvoiceModeKilled SIGKILLs koppel while it books invoices (the ledger simulator slowed so
// the kills land mid-run); the next runs finish: every order has exactly one invoice booking,
// none missing, none twice.
func TestInvoiceModeKilled(t *testing.T) {
	t.Parallel()
	s := newStageWith(t, ch("orders.book_as", `"invoice"`), []string{"--latency", killLatency(false)})
	var want []placed
	for i := 0; i < 24; i++ {
		it := []item{shirt, mok, {product: "BOEK-01", qty: 1 + i%3}}[i%3]
		want = append(want, s.order(wooOrder{by: []buyer{anouk, janHome}[i%2], items: []item{it}, shipping: []string{"", "4.95"}[i%2]}))
	}
	rng := rand.New(rand.NewPCG(22, 22))
	landed := 0
	for i := 0; i < 3; i++ {
		if ok, _ := s.syncKilled(rng, killHost, len(want)); ok {
			landed++
		}
	}
	if landed == 0 {
		t.Fatal("no SIGKILL landed while koppel booked invoices; the test proved nothing")
	}
	s.syncUntilDone(10)
	a := s.ssState()
	dup, missing := 0, 0
	for _, p := range want {
		switch bs := boekingen(a, p.Number); {
		case len(bs) == 0:
			missing++
		case len(bs) > 1:
			dup++
		default:
			if got := bs[0].Factuurbedrag.StringFixed(2); got != sdk.MustMoney(p.Total).StringFixed(2) {
				t.Errorf("order %s: invoice amount %s, shop total %s", p.Number, got, p.Total)
			}
		}
	}
	if dup != 0 || missing != 0 || len(a.Verkoopboekingen) != len(want) {
		t.Fatalf("after %d kills: %d orders booked twice, %d missing, %d bookings for %d orders", landed, dup, missing, len(a.Verkoopboekingen), len(want))
	}
	t.Logf("%d kills landed; %d orders booked as %d invoices, 0 twice, 0 missing", landed, len(want), len(a.Verkoopboekingen))
}
