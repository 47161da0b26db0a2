package simulator

import (
	"net/url"
	"testing"
)

func TestVatRatesEndpoints(t *testing.T) {
	c := newSim(t, Options{})
	var all []VatRates
	c.call("GET", "/v2/vatrates", nil, 200, &all)
	if len(all) != 4 {
		t.Fatalf("got %d countries, want 4 (NLD BEL DEU FRA)", len(all))
	}
	var page []VatRates
	c.call("GET", "/v2/vatrates?$top=2&$skip=1", nil, 200, &page)
	if len(page) != 2 || page[0].CountryCode != all[1].CountryCode {
		t.Errorf("paging: got %+v", page)
	}
	var de VatRates
	c.call("GET", "/v2/vatrates/DEU", nil, 200, &de)
	if de.CountryCode != "DEU" || len(de.VatRates) != 2 || de.VatRates[0].RateCode != "SR" || de.VatRates[0].Rate.String() != "19" {
		t.Errorf("DEU: %+v", de)
	}
	var filtered []VatRates
	c.call("GET", "/v2/vatrates?$filter="+url.QueryEscape("CountryCode eq 'BEL'"), nil, 200, &filtered)
	if len(filtered) != 1 || filtered[0].CountryCode != "BEL" {
		t.Errorf("filter: %+v", filtered)
	}
	if st, _ := c.invalid("GET", "/v2/vatrates/XXX", nil); st != 404 {
		t.Errorf("unknown country: status %d, want 404", st)
	}
}

// TestOrderVATAbroad books one Hoog (SHIRT-01) and one Laag (BOEK-01) line of 100.00 excl. per
// destination and checks SnelStart's totals: Dutch rates at home and for an EU consumer while
// OSS is off, destination rates with OSS on, 0 % for an EU business with a VAT number (ICP) and
// for a delivery outside the EU (export).
func TestOrderVATAbroad(t *testing.T) {
	c := newSim(t, Options{})
	customer := func(naam string, land GUID, btw string) GUID {
		var r Relatie
		body := map[string]any{"relatiesoort": []string{"Klant"}, "naam": naam,
			"vestigingsAdres": map[string]any{"straat": "Hauptstraße 1", "postcode": "10115", "plaats": "Berlin", "land": map[string]any{"id": land}}}
		if btw != "" {
			body["btwNummer"] = btw
		}
		c.call("POST", "/v2/relaties", body, 201, &r)
		return r.ID
	}
	deConsumer := customer("Max Mustermann", LandDE, "")
	beConsumer := customer("Els Peeters", LandBE, "")
	deBusiness := customer("Muster GmbH", LandDE, "DE123456789")
	usConsumer := customer("John Smith", LandUS, "")
	order := func(rel GUID, delivery GUID) Verkooporder {
		body := orderBody(rel, line(ArtikelShirt, "1", "100"), line(ArtikelKookboek, "1", "100"))
		if delivery != "" {
			body["afleveradres"] = map[string]any{"straat": "Weg 1", "postcode": "1000", "plaats": "X", "land": map[string]any{"id": delivery}}
		}
		var o Verkooporder
		c.call("POST", "/v2/verkooporders", body, 201, &o)
		return o
	}
	check := func(name string, o Verkooporder, incl string) {
		t.Helper()
		if o.TotaalExclusiefBtw.String() != "200" || o.TotaalInclusiefBtw.String() != incl {
			t.Errorf("%s: totals %s / %s, want 200 / %s", name, o.TotaalExclusiefBtw, o.TotaalInclusiefBtw, incl)
		}
	}
	check("NL", order(RelatieJanDeVries, ""), "230")
	check("DE consumer, OSS off", order(deConsumer, ""), "230")
	check("US delivery", order(usConsumer, ""), "200")
	check("NL customer, US delivery", order(RelatieJanDeVries, LandUS), "200")
	check("DE business (ICP)", order(deBusiness, ""), "200")
	c.call("PUT", "/v2/companyInfo", map[string]any{"factureerBuitenlandsBtw": true}, 200, nil)
	check("DE consumer, OSS on", order(deConsumer, ""), "226") // 19 + 7
	check("BE consumer, OSS on", order(beConsumer, ""), "227") // 21 + 6
	check("NL customer to BE, OSS on", order(RelatieJanDeVries, LandBE), "227")
	check("DE business, OSS on", order(deBusiness, ""), "200")
	// A country without vatrates cannot be invoiced with OSS.
	st, b := c.invalid("POST", "/v2/verkooporders", func() map[string]any {
		body := orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "100"))
		body["afleveradres"] = map[string]any{"straat": "Rue 1", "postcode": "75001", "plaats": "Paris", "land": map[string]any{"id": LandFR}}
		return body
	}())
	if st != 201 {
		t.Errorf("FR has vatrates in the default administration: status %d %s", st, b)
	}
}

func TestArtikelPriceDecimals(t *testing.T) {
	c := newSim(t, Options{})
	body := map[string]any{"artikelcode": "DEC-1", "omschrijving": "Vier decimalen",
		"artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}, "verkoopprijs": num("16.5289")}
	st, b := c.invalid("POST", "/v2/artikelen", body)
	if st != 400 {
		t.Fatalf("4 decimals with aantalDecimalenArtikelprijzen 2: status %d, want 400; %s", st, b)
	}
	body["verkoopprijs"] = num("16.5300")
	c.call("POST", "/v2/artikelen", body, 201, nil)
}
