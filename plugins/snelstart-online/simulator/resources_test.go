package simulator

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func klant(naam string) map[string]any {
	return map[string]any{"relatiesoort": []string{"Klant"}, "naam": naam}
}

func TestRelatiesCRUDAndValidation(t *testing.T) {
	c := newSim(t, Options{})
	var r Relatie
	c.call("POST", "/v2/relaties", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "Nieuwe Klant",
		"email": "x@example.nl;y@example.nl"}, 201, &r)
	if r.ID.IsEmpty() || r.Relatiecode != 2002 || r.URI != "/relaties/"+string(r.ID) {
		t.Fatalf("created %+v", r)
	}
	var got Relatie
	c.call("GET", "/v2/relaties/"+string(r.ID), nil, 200, &got)
	if got.Email != "x@example.nl;y@example.nl" {
		t.Errorf("email %q", got.Email)
	}
	upd := klant("Nieuwe Klant B.V.")
	upd["id"] = r.ID
	got = Relatie{}
	c.call("PUT", "/v2/relaties/"+string(r.ID), upd, 200, &got)
	if got.Naam != "Nieuwe Klant B.V." || got.Relatiecode != r.Relatiecode || got.Email != "" {
		t.Errorf("PUT is a full replace keeping relatiecode: %+v", got)
	}
	long := strings.Repeat("x", 51)
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"id on create", map[string]any{"id": RelatieJanDeVries, "relatiesoort": []string{"Klant"}, "naam": "a"}, "REL-0063"},
		{"no naam", map[string]any{"relatiesoort": []string{"Klant"}}, "REL-0007"},
		{"soort geen", map[string]any{"relatiesoort": []string{"Geen"}, "naam": "a"}, "REL-0001"},
		{"soort eigen", map[string]any{"relatiesoort": []string{"Eigen"}, "naam": "a"}, "REL-0048"},
		{"klant and leverancier", map[string]any{"relatiesoort": []string{"Klant", "Leverancier"}, "naam": "a"}, "REL-0065"},
		{"duplicate relatiecode", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "relatiecode": 1001}, "REL-0008"},
		{"telefoon", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "telefoon": strings.Repeat("1", 26)}, "REL-0013"},
		{"email list", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "email": "a@b.nl;nope"}, "REL-0084"},
		{"email long", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "email": strings.Repeat("a", 245) + "@b.nl;"}, "REL-0085"},
		{"straat", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "vestigingsAdres": map[string]any{"straat": long, "postcode": "1", "plaats": "p", "land": map[string]any{"id": LandNL}}}, "REL-0020"},
		{"partial adres", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "vestigingsAdres": map[string]any{"straat": "s"}}, "REL-0060"},
		{"unknown land", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "vestigingsAdres": map[string]any{"straat": "s", "postcode": "1", "plaats": "p", "land": map[string]any{"id": "1a4d0000-0000-4000-8000-0000000000ff"}}}, "REL-0056"},
		{"krediettermijn", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "krediettermijn": 1001}, "REL-0003"},
		{"factuurkorting leverancier", map[string]any{"relatiesoort": []string{"Leverancier"}, "naam": "a", "factuurkorting": 2}, "REL-0004"},
		{"factuur email required", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "factuurEmailVersturen": map[string]any{"shouldSend": true}}, "REL-0032"},
		{"btw country", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "btwNummer": "BE0123456789", "vestigingsAdres": map[string]any{"straat": "s", "postcode": "1", "plaats": "p", "land": map[string]any{"id": LandNL}}}, "REL-0087"},
		{"oin", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "a", "oin": "123"}, "REL-0086"},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			st, body := c.invalid("POST", "/v2/relaties", k.body)
			wantCode(t, st, body, k.code)
		})
	}
	st, body := c.invalid("POST", "/v2/relaties", map[string]any{"relatiesoort": []string{"Klant"}, "naam": long})
	wantModelState(t, st, body, "relatie.Naam")
	st, body = c.invalid("POST", "/v2/relaties", `{"naam": 5}`)
	wantModelState(t, st, body, "relatie.naam")
	mismatch := klant("a")
	mismatch["id"] = RelatieJanDeVries
	st, body = c.invalid("PUT", "/v2/relaties/"+string(r.ID), mismatch)
	wantCode(t, st, body, "REL-0047")
	change := map[string]any{"id": r.ID, "relatiesoort": []string{"Leverancier"}, "naam": "a"}
	st, body = c.invalid("PUT", "/v2/relaties/"+string(r.ID), change)
	wantCode(t, st, body, "REL-0064")

	// Delete: refused while the customer has open orders.
	var o Verkooporder
	c.call("POST", "/v2/verkooporders", orderBody(r.ID, line(ArtikelShirt, "1", "1")), 201, &o)
	st, body = c.invalid("DELETE", "/v2/relaties/"+string(r.ID), nil)
	wantCode(t, st, body, "REL-0050")
	c.call("DELETE", "/v2/verkooporders/"+string(o.ID), nil, 201, nil)
	c.call("DELETE", "/v2/relaties/"+string(r.ID), nil, 200, nil)
	if st, _ := c.invalid("GET", "/v2/relaties/"+string(r.ID), nil); st != 404 {
		t.Errorf("after delete %d", st)
	}
}

func TestArtikelenCRUDAndValidation(t *testing.T) {
	c := newSim(t, Options{})
	var a Artikel
	c.call("POST", "/v2/artikelen", map[string]any{"artikelcode": "NIEUW-1", "omschrijving": "Nieuw",
		"artikelOmzetgroep": map[string]any{"id": OmzetgroepLaag}, "verkoopprijs": 3.5}, 201, &a)
	if a.ID.IsEmpty() || !a.VrijeVoorraad.IsZero() {
		t.Fatalf("created %+v", a)
	}
	var comp Artikel
	c.call("GET", "/v2/artikelen/"+string(ArtikelCadeaupakket), nil, 200, &comp)
	if !comp.IsHoofdartikel || len(comp.Subartikelen) != 2 || comp.Subartikelen[0].Artikelcode != "SHIRT-01" {
		t.Errorf("composite: %+v", comp)
	}
	var shirt Artikel
	c.call("GET", "/v2/artikelen/"+string(ArtikelShirt), nil, 200, &shirt)
	if shirt.VrijeVoorraad.String() != "35" || shirt.TechnischeVoorraad.String() != "40" {
		t.Errorf("stock %s/%s", shirt.VrijeVoorraad, shirt.TechnischeVoorraad)
	}
	// Stock is read-only: a PUT cannot change it.
	c.call("PUT", "/v2/artikelen/"+string(ArtikelShirt), map[string]any{"id": ArtikelShirt, "artikelcode": "SHIRT-01",
		"omschrijving": "T-shirt biologisch", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}, "verkoopprijs": 21,
		"vrijeVoorraad": 999}, 200, nil, "X-Test-Invalid", "1")
	c.call("GET", "/v2/artikelen/"+string(ArtikelShirt), nil, 200, &shirt)
	if shirt.VrijeVoorraad.String() != "35" || shirt.Omschrijving != "T-shirt biologisch" {
		t.Errorf("after PUT: %+v", shirt)
	}
	for _, k := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"omschrijving": "x", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, "ART-0002"},
		{map[string]any{"artikelcode": strings.Repeat("A", 21), "omschrijving": "x", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, "ART-0004"},
		{map[string]any{"artikelcode": "SHIRT-01", "omschrijving": "x", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, "ART-0005"},
		{map[string]any{"artikelcode": "Z", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, "ART-0006"},
		{map[string]any{"artikelcode": "Z", "omschrijving": strings.Repeat("o", 251), "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, "ART-0007"},
		{map[string]any{"artikelcode": "Z", "omschrijving": "x"}, "ART-0008"},
		{map[string]any{"artikelcode": "Z", "omschrijving": "x", "artikelOmzetgroep": map[string]any{"id": "0e2a0000-0000-4000-8000-0000000000ff"}}, "ART-0009"},
		{map[string]any{"artikelcode": "Z", "omschrijving": "x", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}, "relatie": map[string]any{"id": RelatieJanDeVries}}, "ART-0017"},
		{map[string]any{"id": ArtikelShirt, "artikelcode": "Z", "omschrijving": "x", "artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, "ALG-0100"},
	} {
		st, body := c.invalid("POST", "/v2/artikelen", k.body)
		wantCode(t, st, body, k.code)
	}
	st, body := c.invalid("DELETE", "/v2/artikelen/"+string(ArtikelShirt), nil)
	wantCode(t, st, body, "ART-0010")
	c.call("DELETE", "/v2/artikelen/"+string(a.ID), nil, 200, nil)

	// Custom fields: the extra field "kleur" is defined in the administration.
	st, _, cf := c.raw("GET", "/v2/artikelen/"+string(ArtikelKookboek)+"/customFields", nil, "X-Test-Invalid", "1")
	if st != 200 || !strings.Contains(string(cf), `"name":"kleur"`) {
		t.Errorf("customFields: %d %s", st, cf)
	}
	st, _, cf = c.raw("PUT", "/v2/artikelen/"+string(ArtikelKookboek)+"/customFields", []map[string]any{{"name": "kleur", "value": "blauw"}}, "X-Test-Invalid", "1")
	if st != 200 || !strings.Contains(string(cf), `"value":"blauw"`) {
		t.Errorf("customFields PUT: %d %s", st, cf)
	}
	st, b := c.invalid("PUT", "/v2/artikelen/"+string(ArtikelKookboek)+"/customFields", []map[string]any{{"name": "maat", "value": "L"}})
	wantCode(t, st, b, "REF-0002")
}

func TestPaging(t *testing.T) {
	c := newSim(t, Options{RatePerMinute: -1})
	for i := 0; i < 30; i++ {
		c.call("POST", "/v2/artikelen", map[string]any{"artikelcode": fmt.Sprintf("P-%02d", i), "omschrijving": "p",
			"artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}}, 201, nil)
	}
	// artikelen: $top ≤ 25, and 25 is also the page size when $top is absent.
	var page []Artikel
	c.call("GET", "/v2/artikelen", nil, 200, &page)
	if len(page) != 25 {
		t.Errorf("default page %d, want 25", len(page))
	}
	st, body := c.invalid("GET", "/v2/artikelen?$top=26", nil)
	if st != 400 || !strings.Contains(string(body), "limit of '25'") {
		t.Errorf("$top=26: %d %s", st, body)
	}
	seen := map[GUID]bool{}
	for skip := 0; ; skip += 25 {
		c.call("GET", fmt.Sprintf("/v2/artikelen?$top=25&$skip=%d", skip), nil, 200, &page)
		for _, a := range page {
			seen[a.ID] = true
		}
		if len(page) < 25 {
			break
		}
	}
	if len(seen) != 40 {
		t.Errorf("paged %d distinct articles, want 40", len(seen))
	}
	c.call("GET", "/v2/artikelen?$filter="+url.QueryEscape("startswith(Artikelcode,'P-')")+"&$skip=20&$top=25", nil, 200, &page)
	if len(page) != 10 || page[0].Artikelcode != "P-20" {
		t.Errorf("filtered page: %d first %q", len(page), page[0].Artikelcode)
	}
	for _, bad := range []string{"$top=0", "$top=x", "$skip=-1", "$top=501", "$orderby=Naam", "$expand=Relatie"} {
		if st, _ := c.invalid("GET", "/v2/relaties?"+bad, nil); st != 400 {
			t.Errorf("%s: %d", bad, st)
		}
	}
	var rs []Relatie
	c.call("GET", "/v2/relaties?$top=500", nil, 200, &rs)
	if len(rs) != 5 {
		t.Errorf("relaties %d", len(rs))
	}
}

func TestSettingsEndpoints(t *testing.T) {
	c := newSim(t, Options{})
	var tarieven []BtwTarief
	c.call("GET", "/v2/btwtarieven", nil, 200, &tarieven)
	if len(tarieven) != 5 {
		t.Errorf("btwtarieven %d", len(tarieven))
	}
	var l Land
	c.call("GET", "/v2/landen/"+string(LandBE), nil, 200, &l)
	if l.LandcodeISO != "BE" {
		t.Errorf("land %+v", l)
	}
	if st, _ := c.invalid("GET", "/v2/landen/1a4d0000-0000-4000-8000-0000000000ff", nil); st != 404 {
		t.Errorf("unknown land %d", st)
	}
	var ci CompanyInfo
	c.call("PUT", "/v2/companyInfo", map[string]any{"factureerBuitenlandsBtw": true, "administratieNaam": "Anders"}, 200, &ci)
	if !ci.FactureerBuitenlandsBtw || ci.AdministratieNaam != "Demo Webwinkel B.V." {
		t.Errorf("companyInfo PUT changed more than factureerBuitenlandsBtw: %+v", ci)
	}
	for _, k := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"nummer": 5}, "KPL-0004"},
		{map[string]any{"omschrijving": "x"}, "KPL-0006"},
		{map[string]any{"omschrijving": "x", "nummer": 1}, "KPL-0008"},
		{map[string]any{"omschrijving": "x", "nummer": 7, "nonactief": true}, "KPL-0009"},
	} {
		st, body := c.invalid("POST", "/v2/kostenplaatsen", k.body)
		wantCode(t, st, body, k.code)
	}
	if st, _, body := c.raw("POST", "/v2/kostenplaatsen", "omschrijving=x", "Content-Type", "", "X-Test-Invalid", "1"); st != 415 {
		t.Errorf("no content type: %d %s", st, body)
	}
	if st, _ := c.invalid("GET", "/v2/onbekend", nil); st != 404 {
		t.Errorf("unknown path: %d", st)
	}
}
