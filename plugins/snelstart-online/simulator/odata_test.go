package simulator

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// matchRelaties applies a filter to the default administration's relaties and returns the names.
func matchRelaties(t *testing.T, filter string) []string {
	t.Helper()
	f, err := ParseFilter(filter, Relatie{})
	if err != nil {
		t.Fatalf("ParseFilter(%q): %v", filter, err)
	}
	var out []string
	a := DefaultAdministration()
	for i := range a.Relaties {
		normRelatie(&a.Relaties[i])
		if f.Match(toMap(a.Relaties[i])) {
			out = append(out, a.Relaties[i].Naam)
		}
	}
	sort.Strings(out)
	return out
}

func TestFilterMatches(t *testing.T) {
	cases := []struct {
		filter string
		want   string // names joined by "|"
	}{
		{"Email eq 'jan.devries@example.nl'", "Jan de Vries"},
		{"Naam eq 'jan de vries'", ""}, // case-sensitive
		{"Id eq guid'" + string(RelatieJanssens) + "'", "Familie Janssens"},
		{"Id eq guid'" + strings.ToUpper(string(RelatieJanssens)) + "'", "Familie Janssens"},
		{"Relatiecode eq 1002", "Bakkerij Smit B.V."},
		{"Relatiecode ge 1002 and Relatiecode lt 2001", "Bakkerij Smit B.V.|Familie Janssens"},
		{"Relatiecode gt 1000 and not (Relatiecode eq 1001)", "Bakkerij Smit B.V.|Familie Janssens|Groothandel Noord B.V."},
		{"VestigingsAdres/Postcode eq '9711 AA'", "Bakkerij Smit B.V."},
		{"VestigingsAdres/Land/Id ne guid'" + string(LandNL) + "'", "Familie Janssens"},
		{"Relatiesoort/any(r:r eq 'Eigen')", "Demo Webwinkel B.V."},
		{"Relatiesoort/any(r:r eq 'Leverancier') or Relatiecode eq 1003", "Familie Janssens|Groothandel Noord B.V."},
		{"startswith(Naam,'Bak') eq true", "Bakkerij Smit B.V."},
		{"startswith(Naam,'Bak')", "Bakkerij Smit B.V."},
		{"substringof('facturen@bakkerijsmit.nl', Email) eq true", "Bakkerij Smit B.V."},
		{"endswith(Email,'.be')", "Familie Janssens"},
		{"tolower(Naam) eq 'jan de vries'", "Jan de Vries"},
		{"ModifiedOn gt datetime'2026-01-01T00:00:00'", "Bakkerij Smit B.V.|Demo Webwinkel B.V.|Familie Janssens|Groothandel Noord B.V.|Jan de Vries"},
		{"ModifiedOn gt datetime'2026-01-02T09:00:00.001'", ""},
		{"ModifiedOn ge datetime'2026-01-02T09:00:00'", "Bakkerij Smit B.V.|Demo Webwinkel B.V.|Familie Janssens|Groothandel Noord B.V.|Jan de Vries"},
		{"year(ModifiedOn) eq 2026 and Krediettermijn eq 30", "Bakkerij Smit B.V."},
		{"IncassoSoort eq null and BtwNummer ne null", "Bakkerij Smit B.V."},
		{"Factuurkorting gt 1.5M", "Bakkerij Smit B.V."},
		{"Naam eq 'O''Brien'", ""},
		{"(Relatiecode eq 1001 or Relatiecode eq 1003) and Nonactief eq false", "Familie Janssens|Jan de Vries"},
		{"Nonactief", ""},
	}
	for _, k := range cases {
		t.Run(k.filter, func(t *testing.T) {
			got := strings.Join(matchRelaties(t, k.filter), "|")
			if got != k.want {
				t.Errorf("got %q, want %q", got, k.want)
			}
		})
	}
}

func TestFilterExtraVeldenAndOrders(t *testing.T) {
	f, err := ParseFilter("ExtraVelden/any(e:e/Waarde eq 'rood' and e/Naam eq 'kleur')", Artikel{})
	if err != nil {
		t.Fatal(err)
	}
	a := DefaultAdministration()
	var hits []string
	for i := range a.Artikelen {
		normArtikel(&a.Artikelen[i])
		if f.Match(toMap(a.Artikelen[i])) {
			hits = append(hits, a.Artikelen[i].Artikelcode)
		}
	}
	if strings.Join(hits, ",") != "SHIRT-01" {
		t.Errorf("extra velden: %v", hits)
	}
	f, err = ParseFilter("VoorraadControle eq true and VrijeVoorraad lt 0", Artikel{})
	if err != nil {
		t.Fatal(err)
	}
	hits = nil
	for i := range a.Artikelen {
		if f.Match(toMap(a.Artikelen[i])) {
			hits = append(hits, a.Artikelen[i].Artikelcode)
		}
	}
	if strings.Join(hits, ",") != "MOK-01" {
		t.Errorf("negative stock: %v", hits)
	}
	o := Verkooporder{ID: "11111111-1111-4111-8111-111111111111", Relatie: ref("relaties", RelatieJanDeVries), Orderreferentie: "WS-1", Nummer: 7}
	for _, src := range []string{"Relatie/Id eq guid'" + string(RelatieJanDeVries) + "'", "Orderreferentie eq 'WS-1'", "Nummer eq 7",
		"Regels/all(r:r/Aantal gt 0)", "not Regels/any()"} {
		f, err := ParseFilter(src, Verkooporder{})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !f.Match(toMap(o)) {
			t.Errorf("%s does not match", src)
		}
	}
}

func TestFilterInvalid(t *testing.T) {
	for _, src := range []string{
		"Email eq",
		"email eq 'x'",               // lower-case property
		"Uri eq '/relaties/x'",       // Uri cannot be filtered
		"Onbekend eq 1",              // unknown property
		"Id eq '" + zeroGUID + "'",   // Guid vs string
		"Relatiecode eq '1001'",      // number vs string
		"Naam eq 1",                  // string vs number
		"ModifiedOn gt '2024-01-01'", // datetime vs string
		"ModifiedOn ge datetimeoffset'2024-01-01T00:00:00Z'",
		"ModifiedOn gt datetime'2024-01-01T00:00:00Z'",
		"Id eq guid'nope'",
		"startswith(Naam)",
		"Naam eq 'open",
		"Relatiecode eq 1 and",
		"Relatiecode",                // not boolean
		"VestigingsAdres eq null",    // object compare
		"Relatiesoort eq 'Klant'",    // collection compare
		"Naam/any(x:x eq 'a')",       // any on a string
		"Relatiesoort/any(r:r eq 1)", // element type
		"Relatiecode eq 1)",
		"((Relatiecode eq 1)",
		"Relatiecode eq 1e99999",
		"Relatiecode eq 1 or 'x'",
		"not Naam",
		"Relatiecode eq 1; drop table",
	} {
		_, err := ParseFilter(src, Relatie{})
		var fe *filterError
		if !errors.As(err, &fe) {
			t.Errorf("ParseFilter(%q) = %v, want a filter error", src, err)
		}
	}
	deep := strings.Repeat("(", 500) + "Relatiecode eq 1" + strings.Repeat(")", 500)
	if _, err := ParseFilter(deep, Relatie{}); err == nil {
		t.Error("500 nested parentheses accepted")
	}
}

func TestFilterOverHTTP(t *testing.T) {
	c := newSim(t, Options{})
	var rs []Relatie
	c.call("GET", "/v2/relaties?$filter="+url.QueryEscape("Relatiesoort/any(r:r eq 'Klant') and startswith(Naam,'Bak') eq true"), nil, 200, &rs)
	if len(rs) != 1 || rs[0].ID != RelatieBakkerijSmit {
		t.Fatalf("got %+v", rs)
	}
	st, body := c.invalid("GET", "/v2/relaties?$filter="+url.QueryEscape("Naam eq"), nil)
	wantCode(t, st, body, "ALG-0104")
	st, body = c.invalid("GET", "/v2/verkooporders?$filter="+url.QueryEscape("Relatie/Id eq 'x'"), nil)
	wantCode(t, st, body, "ALG-0104")
	var sel []map[string]any
	c.call("GET", "/v2/relaties?$select=Id,Naam&$top=2", nil, 200, &sel)
	if len(sel) != 2 || len(sel[0]) != 2 || sel[0]["naam"] == nil {
		t.Errorf("$select: %v", sel)
	}
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"Email eq 'a@b.nl'", "Relatiesoort/any(r:r eq 'Klant')", "startswith(Naam,'x') eq true",
		"ExtraVeldenKlant/any(e:e/Waarde eq '1' and e/Naam eq 'n')", "ModifiedOn gt datetime'2017-07-16T23:59:59.999'",
		"Id eq guid'75b4fe7b-0000-4000-8000-000000000001'", "not (Relatiecode lt -5.5e2) or Nonactief", "((((", "''''",
		"substringof('a', Naam) eq true", "Regels/all(r:r/Aantal gt 0)",
	} {
		f.Add(s)
	}
	a := DefaultAdministration()
	var items []map[string]any
	for i := range a.Relaties {
		normRelatie(&a.Relaties[i])
		items = append(items, toMap(a.Relaties[i]))
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, sample := range []any{Relatie{}, Verkooporder{}, Artikel{}} {
			flt, err := ParseFilter(src, sample)
			if err != nil {
				var fe *filterError
				if !errors.As(err, &fe) {
					t.Fatalf("non-filter error %T: %v", err, err)
				}
				continue
			}
			for _, it := range items {
				flt.Match(it)
			}
		}
	})
}
