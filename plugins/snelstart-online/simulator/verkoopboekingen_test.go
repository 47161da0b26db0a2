package simulator

import (
	"net/url"
	"testing"
)

func boekingBody(nummer, datum string, bedrag float64) map[string]any {
	return map[string]any{
		"factuurnummer": nummer, "factuurdatum": datum + "T00:00:00", "klant": map[string]any{"id": RelatieJanDeVries},
		"omschrijving": "Webshop " + nummer, "factuurbedrag": bedrag,
		"boekingsregels": []map[string]any{
			{"omschrijving": "Omzet 21%", "grootboek": map[string]any{"id": grootboekOmzetHoog}, "bedrag": 100, "btwSoort": "Hoog"},
			{"omschrijving": "Omzet 9%", "grootboek": map[string]any{"id": grootboekOmzetLaag}, "bedrag": 10, "btwSoort": "Laag"},
		},
		"btw": []map[string]any{{"btwSoort": "VerkopenHoog", "btwBedrag": 21}, {"btwSoort": "VerkopenLaag", "btwBedrag": 0.9}},
	}
}

// TestVerkoopboekingen books an invoice, finds it by factuurnummer through /verkoopfacturen,
// and checks the refusals: a number used twice (BOE-0021), an unbalanced booking (BOE-0039), a
// date in a closed period (BOE-0042), an unknown ledger, a missing klant.
func TestVerkoopboekingen(t *testing.T) {
	c := newSim(t, Options{})
	var b Verkoopboeking
	c.call("POST", "/v2/verkoopboekingen", boekingBody("F2026-001", "2026-03-01", 131.9), 201, &b)
	if b.ID.IsEmpty() || b.Factuurbedrag.String() != "131.9" || len(b.Boekingsregels) != 2 || len(b.Btw) != 2 {
		t.Fatalf("created %+v", b)
	}
	c.call("GET", "/v2/verkoopboekingen/"+string(b.ID), nil, 200, nil)
	var fs []Verkoopfactuur
	c.call("GET", "/v2/verkoopfacturen?$filter="+url.QueryEscape("Factuurnummer eq 'F2026-001'"), nil, 200, &fs)
	if len(fs) != 1 || refID(fs[0].VerkoopBoeking) != b.ID || fs[0].OpenstaandSaldo.String() != "131.9" {
		t.Fatalf("verkoopfacturen = %+v", fs)
	}
	c.call("GET", "/v2/verkoopfacturen?$filter="+url.QueryEscape("Factuurnummer eq 'F2026-999'"), nil, 200, &fs)
	if len(fs) != 0 {
		t.Fatalf("unknown number found: %+v", fs)
	}

	st, body := c.invalid("POST", "/v2/verkoopboekingen", boekingBody("F2026-001", "2026-03-01", 131.9))
	wantCode(t, st, body, "BOE-0021")
	st, body = c.invalid("POST", "/v2/verkoopboekingen", boekingBody("F2026-002", "2026-03-01", 131.91))
	wantCode(t, st, body, "BOE-0039")
	c.call("PUT", "/_sim/period", map[string]any{"afgeslotenTotEnMet": "2026-03-31T00:00:00"}, 200, nil)
	st, body = c.invalid("POST", "/v2/verkoopboekingen", boekingBody("F2026-003", "2026-03-31", 131.9))
	wantCode(t, st, body, "BOE-0042")
	c.call("POST", "/v2/verkoopboekingen", boekingBody("F2026-003", "2026-04-01", 131.9), 201, nil)

	bad := boekingBody("F2026-004", "2026-04-01", 131.9)
	bad["boekingsregels"].([]map[string]any)[0]["grootboek"] = map[string]any{"id": "00000000-0000-4000-8000-00000000dead"}
	if st, body = c.invalid("POST", "/v2/verkoopboekingen", bad); st != 400 {
		t.Fatalf("unknown grootboek: status %d %s", st, body)
	}
	bad = boekingBody("F2026-005", "2026-04-01", 131.9)
	delete(bad, "klant")
	if st, body = c.invalid("POST", "/v2/verkoopboekingen", bad); st != 400 {
		t.Fatalf("no klant: status %d %s", st, body)
	}
	// A credit booking: negative amounts balance the same way.
	credit := boekingBody("F2026-001-C1", "2026-04-02", -131.9)
	for _, r := range credit["boekingsregels"].([]map[string]any) {
		r["bedrag"] = -r["bedrag"].(int)
	}
	credit["btw"] = []map[string]any{{"btwSoort": "VerkopenHoog", "btwBedrag": -21}, {"btwSoort": "VerkopenLaag", "btwBedrag": -0.9}}
	c.call("POST", "/v2/verkoopboekingen", credit, 201, nil)
}

// TestRefuseAndPay: a refusal set by the test answers the next booking with SnelStart's error
// body and is used once; a payment lowers openstaandSaldo to zero, never below.
func TestRefuseAndPay(t *testing.T) {
	c := newSim(t, Options{})
	c.srv.RefuseBoekingen("BOE-0039")
	body := map[string]any{
		"factuurnummer": "F-1", "factuurdatum": "2026-05-01T00:00:00", "klant": map[string]any{"id": RelatieJanDeVries},
		"factuurbedrag": 121, "boekingsregels": []map[string]any{{"grootboek": map[string]any{"id": grootboekOmzetHoog}, "bedrag": 100, "btwSoort": "Hoog"}},
		"btw": []map[string]any{{"btwSoort": "VerkopenHoog", "btwBedrag": 21}},
	}
	var errsOut []map[string]any
	c.call("POST", "/v2/verkoopboekingen", body, 400, &errsOut)
	if len(errsOut) != 1 || errsOut[0]["errorCode"] != "BOE-0039" {
		t.Fatalf("refusal %v", errsOut)
	}
	c.call("POST", "/v2/verkoopboekingen", body, 201, nil)
	if !c.srv.PayInvoice("F-1", D("100").Decimal) || c.srv.PayInvoice("F-404", D("1").Decimal) {
		t.Fatal("PayInvoice found the wrong invoices")
	}
	var facturen []Verkoopfactuur
	c.call("GET", "/v2/verkoopfacturen", nil, 200, &facturen)
	if len(facturen) != 1 || facturen[0].OpenstaandSaldo.StringFixed(2) != "21.00" {
		t.Fatalf("after a payment of 100: %+v", facturen)
	}
	c.srv.PayInvoice("F-1", D("50").Decimal)
	c.call("GET", "/v2/verkoopfacturen", nil, 200, &facturen)
	if !facturen[0].OpenstaandSaldo.IsZero() {
		t.Fatalf("paid in full, still open %s", facturen[0].OpenstaandSaldo)
	}
}
