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
