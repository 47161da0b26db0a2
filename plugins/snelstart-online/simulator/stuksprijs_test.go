package simulator

import (
	"encoding/json"
	"strings"
	"testing"
)

// seedWith returns the default administration with the article prices and the companyInfo
// price setting changed.
func seedWith(exclusief bool, prices map[GUID]string) *Administration {
	a := DefaultAdministration()
	a.CompanyInfo.VerkoopprijsArtikelbestandExclusiefBtw = exclusief
	for i := range a.Artikelen {
		if p, ok := prices[a.Artikelen[i].ID]; ok {
			a.Artikelen[i].Verkoopprijs = D(p)
		}
	}
	return a
}

// A line without stuksprijs takes the article's verkoopprijs, converted between incl. and excl.
// VAT per companyInfo verkoopprijsArtikelbestandExclusiefBtw and the order's mode, rounded to
// cents with the simulator's midpoint rule.
func TestLineWithoutStuksprijsTakesArticlePrice(t *testing.T) {
	cases := []struct {
		name     string
		seed     *Administration
		midpoint Midpoint
		mode     string // verkooporderBtwIngaveModel sent; "" takes the template's (Webshop: incl.)
		art      GUID
		aantal   string
		line     map[string]any // overrides of the line; nil values delete the key
		wantMode string
		price    string
		totaal   string
		incl     string
	}{
		{name: "excl article, Exclusief order", seed: DefaultAdministration(), mode: "Exclusief", art: ArtikelShirt, aantal: "2",
			wantMode: "Exclusief", price: "20.62", totaal: "41.24", incl: "49.9"},
		{name: "excl article, Inclusief order", seed: DefaultAdministration(), mode: "Inclusief", art: ArtikelShirt, aantal: "2",
			wantMode: "Inclusief", price: "24.95", totaal: "49.9", incl: "49.9"},
		{name: "excl article, template's mode (Webshop, incl.)", seed: DefaultAdministration(), mode: "", art: ArtikelShirt, aantal: "1",
			wantMode: "Inclusief", price: "24.95", totaal: "24.95", incl: "24.95"},
		{name: "incl article, Exclusief order", seed: seedWith(false, map[GUID]string{ArtikelShirt: "24.95"}), mode: "Exclusief",
			art: ArtikelShirt, aantal: "1", wantMode: "Exclusief", price: "20.62", totaal: "20.62", incl: "24.95"},
		{name: "incl article, Inclusief order", seed: seedWith(false, map[GUID]string{ArtikelShirt: "24.95"}), mode: "Inclusief",
			art: ArtikelShirt, aantal: "3", wantMode: "Inclusief", price: "24.95", totaal: "74.85", incl: "74.85"},
		{name: "9% article, midpoint away from zero", seed: seedWith(true, map[GUID]string{ArtikelKookboek: "0.50"}), mode: "Inclusief",
			art: ArtikelKookboek, aantal: "1", wantMode: "Inclusief", price: "0.55", totaal: "0.55", incl: "0.55"},
		{name: "9% article, midpoint to even", seed: seedWith(true, map[GUID]string{ArtikelKookboek: "0.50"}), midpoint: HalfEven, mode: "Inclusief",
			art: ArtikelKookboek, aantal: "1", wantMode: "Inclusief", price: "0.54", totaal: "0.54", incl: "0.54"},
		{name: "an explicit 0 is kept", seed: DefaultAdministration(), mode: "Exclusief", art: ArtikelShirt, aantal: "2",
			line: map[string]any{"stuksprijs": 0}, wantMode: "Exclusief", price: "0", totaal: "0", incl: "0"},
		{name: "a given price is kept", seed: DefaultAdministration(), mode: "Inclusief", art: ArtikelShirt, aantal: "1",
			line: map[string]any{"stuksprijs": num("29.95")}, wantMode: "Inclusief", price: "29.95", totaal: "29.95", incl: "29.95"},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			c := newSim(t, Options{Seed: k.seed, Midpoint: k.midpoint})
			l := map[string]any{"artikel": map[string]any{"id": k.art}, "aantal": num(k.aantal)}
			for key, v := range k.line {
				l[key] = v
			}
			body := orderBody(RelatieJanDeVries, l)
			if k.mode == "" {
				delete(body, "verkooporderBtwIngaveModel")
			} else {
				body["verkooporderBtwIngaveModel"] = k.mode
			}
			var o Verkooporder
			c.call("POST", "/v2/verkooporders", body, 201, &o)
			if o.VerkooporderBtwIngaveModel != k.wantMode {
				t.Fatalf("mode %q, want %q", o.VerkooporderBtwIngaveModel, k.wantMode)
			}
			r := o.Regels[0]
			if r.Stuksprijs == nil || r.Stuksprijs.String() != k.price || r.Totaal.String() != k.totaal || o.TotaalInclusiefBtw.String() != k.incl {
				t.Fatalf("stuksprijs %v totaal %s incl %s, want %s %s %s", r.Stuksprijs, r.Totaal, o.TotaalInclusiefBtw, k.price, k.totaal, k.incl)
			}
			if r.Omschrijving == "" {
				t.Error("the article's description was not filled")
			}
			var got Verkooporder
			c.call("GET", "/v2/verkooporders/"+string(o.ID), nil, 200, &got)
			if got.Regels[0].Stuksprijs == nil || got.Regels[0].Stuksprijs.String() != k.price {
				t.Errorf("GET stuksprijs %v, want %s", got.Regels[0].Stuksprijs, k.price)
			}
		})
	}
}

// A text line without stuksprijs is accepted and answered with stuksprijs 0, a number (the
// responses are validated against the OpenAPI document).
func TestTextLineWithoutStuksprijs(t *testing.T) {
	c := newSim(t, Options{})
	text := map[string]any{"omschrijving": "Cadeauverpakking", "aantal": 0}
	var o Verkooporder
	c.call("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10"), text), 201, &o)
	if len(o.Regels) != 2 || o.Regels[1].Stuksprijs == nil || !o.Regels[1].Stuksprijs.IsZero() || o.TotaalExclusiefBtw.String() != "10" {
		t.Fatalf("lines %+v, excl %s", o.Regels, o.TotaalExclusiefBtw)
	}
	_, _, b := c.raw("GET", "/v2/verkooporders/"+string(o.ID), nil)
	if !strings.Contains(string(b), `"stuksprijs":0,`) || !strings.Contains(string(b), `"stuksprijs":10,`) {
		t.Errorf("stuksprijs not numbers on the wire: %s", b)
	}
}

// A null stuksprijs (not in the document, which gives a plain number, so sent past the
// validating client) is taken as absent.
func TestNullStuksprijsIsAbsent(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var o Verkooporder
	in := `{"relatie":{"id":"` + string(RelatieJanDeVries) + `"},"datum":"2026-03-10T00:00:00","verkooporderBtwIngaveModel":"Exclusief",` +
		`"regels":[{"artikel":{"id":"` + string(ArtikelShirt) + `"},"aantal":1,"stuksprijs":null}]}`
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	if o.Regels[0].Stuksprijs != nil {
		t.Fatalf("null decoded as %v", o.Regels[0].Stuksprijs)
	}
	srv.mu.Lock()
	v := srv.prepareOrder(&o, false)
	srv.mu.Unlock()
	if v != nil {
		t.Fatalf("refused: %s", v)
	}
	if p := o.Regels[0].Stuksprijs; p == nil || p.String() != "20.62" || o.TotaalInclusiefBtw.String() != "24.95" {
		t.Fatalf("stuksprijs %v, incl %s; want 20.62, 24.95", p, o.TotaalInclusiefBtw)
	}
}
