package simulator

import (
	"net/http"
	"testing"
)

func orderBody(relatie GUID, lines ...map[string]any) map[string]any {
	regels := []map[string]any{}
	regels = append(regels, lines...)
	return map[string]any{
		"relatie":                    map[string]any{"id": relatie},
		"datum":                      "2026-03-10T00:00:00",
		"verkooporderBtwIngaveModel": "Exclusief",
		"omschrijving":               "Webshop order 1001",
		"orderreferentie":            "WS-1001",
		"regels":                     regels,
	}
}

func line(art GUID, aantal, prijs string) map[string]any {
	return map[string]any{"artikel": map[string]any{"id": art}, "aantal": num(aantal), "stuksprijs": num(prijs)}
}

// num marks a number literal for encoding/json without going through float64.
type num string

func (j num) MarshalJSON() ([]byte, error) { return []byte(j), nil }

func TestVerkooporderCreateComputesServerSide(t *testing.T) {
	c := newSim(t, Options{})
	var ci CompanyInfo
	c.call("GET", "/v2/companyInfo", nil, 200, &ci)
	body := orderBody(RelatieJanDeVries, line(ArtikelShirt, "2", "10.00"), line(ArtikelKookboek, "1", "27.50"))
	body["regels"].([]map[string]any)[0]["omschrijving"] = "Shirt rood M"
	var o Verkooporder
	c.call("POST", "/v2/verkooporders", body, http.StatusCreated, &o)
	if o.ID.IsEmpty() || o.URI != "/verkooporders/"+string(o.ID) {
		t.Fatalf("id/uri not filled: %q %q", o.ID, o.URI)
	}
	if o.Nummer != ci.VolgendVerkoopordernummer {
		t.Errorf("nummer %d, want volgendVerkoopordernummer %d", o.Nummer, ci.VolgendVerkoopordernummer)
	}
	if o.ProcesStatus != "Order" || o.VerkoopOrderStatus != "InBehandeling" {
		t.Errorf("defaults: %q %q", o.ProcesStatus, o.VerkoopOrderStatus)
	}
	if o.Regels[0].Omschrijving != "Shirt rood M" || o.Regels[1].Omschrijving != "Kookboek Hollandse pot" {
		t.Errorf("descriptions: %q / %q", o.Regels[0].Omschrijving, o.Regels[1].Omschrijving)
	}
	// 20.00 at 21% + 27.50 at 9%: excl 47.50, VAT 4.20 + 2.475→2.48.
	if o.Regels[0].Totaal.String() != "20" || o.Regels[1].Totaal.String() != "27.5" {
		t.Errorf("line totals %s %s", o.Regels[0].Totaal, o.Regels[1].Totaal)
	}
	if o.TotaalExclusiefBtw.String() != "47.5" || o.TotaalInclusiefBtw.String() != "54.18" {
		t.Errorf("totals %s / %s, want 47.5 / 54.18", o.TotaalExclusiefBtw, o.TotaalInclusiefBtw)
	}
	if o.Krediettermijn == nil || *o.Krediettermijn != 14 {
		t.Errorf("krediettermijn should default to the customer's 14, got %v", o.Krediettermijn)
	}
	if refID(o.Verkoopordersjabloon) != SjabloonWebshop {
		t.Errorf("template default: %v", o.Verkoopordersjabloon)
	}
	var o2 Verkooporder
	c.call("POST", "/v2/verkooporders", orderBody(RelatieBakkerijSmit, line(ArtikelMok, "1", "7.44")), 201, &o2)
	if o2.Nummer != o.Nummer+1 {
		t.Errorf("second nummer %d, want %d", o2.Nummer, o.Nummer+1)
	}
	if o2.Factuurkorting == nil || o2.Factuurkorting.String() != "2" {
		t.Errorf("factuurkorting should default to the customer's 2%%, got %v", o2.Factuurkorting)
	}
	c.call("GET", "/v2/companyInfo", nil, 200, &ci)
	if ci.VolgendVerkoopordernummer != o2.Nummer+1 {
		t.Errorf("volgendVerkoopordernummer %d after two orders", ci.VolgendVerkoopordernummer)
	}
	var got Verkooporder
	c.call("GET", "/v2/verkooporders/"+string(o.ID), nil, 200, &got)
	if got.TotaalInclusiefBtw.String() != "54.18" || got.Nummer != o.Nummer {
		t.Errorf("GET differs: %+v", got)
	}
	// The VAT rate follows the order date: Laag was 6% in 2018.
	old := orderBody(RelatieJanDeVries, line(ArtikelKookboek, "1", "100"))
	old["datum"] = "2018-06-01T00:00:00"
	c.call("POST", "/v2/verkooporders", old, 201, &got)
	if got.TotaalInclusiefBtw.String() != "106" {
		t.Errorf("2018 Laag rate: incl %s, want 106", got.TotaalInclusiefBtw)
	}
}

func TestVerkooporderValidation(t *testing.T) {
	c := newSim(t, Options{})
	type tc struct {
		name  string
		mod   func(b map[string]any)
		code  string
		field string // model-state field instead of a code
	}
	cases := []tc{
		{"relatie not a klant", func(b map[string]any) { b["relatie"] = map[string]any{"id": RelatieGroothandel} }, "VOR-0002", ""},
		{"relatie unknown", func(b map[string]any) { b["relatie"] = map[string]any{"id": "4e1a0000-0000-4000-8000-0000000000ff"} }, "REL-0005", ""},
		{"nummer filled", func(b map[string]any) { b["nummer"] = 5 }, "VOR-0005", ""},
		{"id filled", func(b map[string]any) { b["id"] = "4e1a0000-0000-4000-8000-0000000000ff" }, "ALG-0100", ""},
		{"unknown artikel", func(b map[string]any) {
			b["regels"] = []any{line("a2710000-0000-4000-8000-0000000000ff", "1", "1")}
		}, "ART-0001", ""},
		{"inactive artikel", func(b map[string]any) { b["regels"] = []any{line(ArtikelOud, "1", "1")} }, "ALG-0105", ""},
		{"unknown land", func(b map[string]any) {
			b["afleveradres"] = map[string]any{"straat": "X 1", "land": map[string]any{"id": "1a4d0000-0000-4000-8000-0000000000ff"}}
		}, "VOR-0010", ""},
		{"straat too long", func(b map[string]any) {
			b["afleveradres"] = map[string]any{"straat": string(make([]byte, 51))}
		}, "VOR-0006", ""},
		{"postcode too long", func(b map[string]any) { b["factuuradres"] = map[string]any{"postcode": "12345678901234567890123456"} }, "VOR-0007", ""},
		{"orderreferentie too long", func(b map[string]any) { b["orderreferentie"] = "123456789012345678901234567890123456789012345678901" }, "VOR-0011", ""},
		{"unknown kostenplaats", func(b map[string]any) {
			b["kostenplaats"] = map[string]any{"id": "c0570000-0000-4000-8000-0000000000ff"}
		}, "KPL-0001", ""},
		{"procesStatus Factuur", func(b map[string]any) { b["procesStatus"] = "Factuur" }, "", "verkooporder.ProcesStatus"},
		{"procesStatus Contantbon", func(b map[string]any) { b["procesStatus"] = "Contantbon" }, "", "verkooporder.ProcesStatus"},
		{"missing relatie", func(b map[string]any) { delete(b, "relatie") }, "", "verkooporder.Relatie"},
		{"missing datum", func(b map[string]any) { delete(b, "datum") }, "", "verkooporder.Datum"},
		{"krediettermijn range", func(b map[string]any) { b["krediettermijn"] = 101 }, "", "verkooporder.Krediettermijn"},
		{"bad enum", func(b map[string]any) { b["verkooporderBtwIngaveModel"] = "Half" }, "", "verkooporder.VerkooporderBtwIngaveModel"},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			b := orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10"))
			k.mod(b)
			st, body := c.invalid("POST", "/v2/verkooporders", b)
			if k.field != "" {
				wantModelState(t, st, body, k.field)
			} else {
				wantCode(t, st, body, k.code)
			}
		})
	}
	st, body := c.invalid("POST", "/v2/verkooporders", "")
	wantCode(t, st, body, "ALG-0106")
	if n := len(c.srv.Dump().Verkooporders); n != 0 {
		t.Errorf("refused creates left %d orders", n)
	}
}

func TestVerkooporderUpdateStatusDelete(t *testing.T) {
	c := newSim(t, Options{})
	var o Verkooporder
	c.call("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10")), 201, &o)

	// PUT is a full replace; the id must match; nummer stays.
	upd := orderBody(RelatieJanDeVries, line(ArtikelShirt, "3", "10"), line(ArtikelVerzendkosten, "1", "4.09"))
	upd["id"] = o.ID
	var u Verkooporder
	c.call("PUT", "/v2/verkooporders/"+string(o.ID), upd, 200, &u)
	if u.Nummer != o.Nummer || len(u.Regels) != 2 || u.TotaalExclusiefBtw.String() != "34.09" {
		t.Errorf("after PUT: nummer %d lines %d excl %s", u.Nummer, len(u.Regels), u.TotaalExclusiefBtw)
	}
	upd["id"] = RelatieJanDeVries
	st, body := c.invalid("PUT", "/v2/verkooporders/"+string(o.ID), upd)
	wantCode(t, st, body, "ALG-0101")
	upd["id"] = "4e1a0000-0000-4000-8000-0000000000ff"
	if st, _ := c.invalid("PUT", "/v2/verkooporders/4e1a0000-0000-4000-8000-0000000000ff", upd); st != 404 {
		t.Errorf("PUT unknown: %d", st)
	}

	c.call("PUT", "/v2/verkooporders/"+string(o.ID)+"/ProcesStatus", map[string]any{"id": o.ID, "procesStatus": "Pakbon"}, 200, nil)
	c.call("GET", "/v2/verkooporders/"+string(o.ID), nil, 200, &u)
	if u.ProcesStatus != "Pakbon" {
		t.Errorf("procesStatus %q", u.ProcesStatus)
	}
	st, body = c.invalid("PUT", "/v2/verkooporders/"+string(o.ID)+"/ProcesStatus", map[string]any{"id": o.ID, "procesStatus": "Factuur"})
	wantModelState(t, st, body, "model.ProcesStatus")

	c.call("DELETE", "/v2/verkooporders/"+string(o.ID), nil, http.StatusCreated, nil)
	if st, _ := c.invalid("GET", "/v2/verkooporders/"+string(o.ID), nil); st != 404 {
		t.Errorf("GET after delete: %d", st)
	}
	if st, body := c.invalid("GET", "/v2/verkooporders/not-a-guid", nil); st != 400 {
		t.Errorf("bad id: %d %s", st, body)
	} else {
		wantCode(t, st, body, "ALG-0103")
	}
}

func TestTextLineWithoutArtikel(t *testing.T) {
	c := newSim(t, Options{})
	text := map[string]any{"omschrijving": "Let op: cadeauverpakking", "aantal": 0, "stuksprijs": 0}
	var o Verkooporder
	c.call("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10"), text), 201, &o)
	if len(o.Regels) != 2 || !o.Regels[1].Totaal.IsZero() || o.TotaalExclusiefBtw.String() != "10" {
		t.Errorf("text line: %+v", o.Regels)
	}
	priced := map[string]any{"omschrijving": "iets", "aantal": 1, "stuksprijs": 5}
	st, _ := c.invalid("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, priced))
	if st != 400 {
		t.Errorf("priced line without artikel accepted: %d", st)
	}
}
