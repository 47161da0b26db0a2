package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
)

// Issue 17: every VAT situation and currency, and no silent difference. Each row runs against
// its own pair of simulators through the real plugins: an order ends exact to the cent in
// SnelStart, or held with a Dutch reason a bookkeeper can act on.

func init() {
	// The shirt sold VAT-free, as a shop does for an EU business with a valid VAT number.
	catalogue["SHIRT-01@0%"] = wooProduct{"SHIRT-01", "T-shirt katoen wit", "29.95", "zero-rate"}
}

var (
	// deConsumer and beConsumer are consumers abroad (WooCommerce charges their country's VAT).
	deConsumer = buyer{first: "Jürgen", last: "Müller", street: "Königstraße 5", pc: "70173", city: "Stuttgart", country: "DE",
		email: "juergen.mueller@example.de", phone: "+49 711 123456"}
	beConsumer = buyer{first: "Françoise", last: "Dubois", street: "Rue Haute 12", pc: "1000", city: "Bruxelles", country: "BE",
		email: "francoise.dubois@example.be", phone: "+32 2 123 45 67"}
	// deBusiness is a German company with a VAT number of valid form.
	deBusiness = buyer{first: "Søren", last: "Weiß", company: "Weiß GmbH", street: "Straße des 17. Juni 100", pc: "10623", city: "Berlin",
		country: "DE", email: "buchhaltung@weiss-gmbh.example.de", phone: "+49 30 1234567", vatNr: "DE123456789"}
	// usConsumer lives outside the EU (no VAT in the shop's table).
	usConsumer = buyer{first: "John", last: "Smith", street: "1 Main Street", pc: "10001", city: "New York", country: "US",
		email: "john.smith@example.com", phone: "+1 212 555 0100"}
)

// ossOn switches foreign VAT invoicing on in the SnelStart administration (PUT /companyInfo).
func (s *stage) ossOn() {
	s.t.Helper()
	s.ssAPI(http.MethodPut, "/companyInfo", map[string]any{"factureerBuitenlandsBtw": true}, nil)
}

// exact checks that SnelStart's total of p's sales order is the shop's to the cent.
func exact(t *testing.T, r *run, p placed) simulator.Verkooporder {
	t.Helper()
	r.must(p, "imported")
	v := r.so(p)
	if got := v.TotaalInclusiefBtw.StringFixed(2); got != p.Total {
		t.Fatalf("order %s: SnelStart total %s, shop %s", p.Number, got, p.Total)
	}
	return v
}

// attentionOut runs koppel attention and returns its output.
func (s *stage) attentionOut() string {
	s.t.Helper()
	code, out, errs := s.koppel(s.t.Context(), "attention", "winkel")
	if code != 0 {
		s.t.Fatalf("koppel attention: exit %d\n%s\n%s", code, out, errs)
	}
	return out
}

func TestVATAndCurrencyRows(t *testing.T) {
	t.Parallel()
	rows := []struct {
		name   string
		change map[string]string
		ssArgs []string
		play   func(t *testing.T, s *stage)
	}{
		{"OSS off: a German consumer charged 19 % is refused naming OSS", ch("orders.vat_check", `"fail"`), nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: deConsumer, items: []item{{product: "SHIRT-01", qty: 1}}})
			r := s.syncOrders()
			o := r.must(p, "failed", "19%", "OSS", "is off", "Germany") // stored in English
			if nl := text.Reason(text.NL, o.Reason); !strings.Contains(nl, "staat uit") || !strings.Contains(nl, "Duitsland") {
				t.Fatalf("the reason in Dutch: %q", nl)
			}
			r.none(p)
		}},
		{"OSS off: a Belgian consumer at 21 % is booked at the Dutch rate, exact", ch("orders.vat_check", `"fail"`), nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: beConsumer, items: []item{{product: "SHIRT-01", qty: 1}}})
			exact(t, s.syncOrders(), p)
		}},
		{"OSS on: German and Belgian consumers at their own rates (19 %, 7 %, 21 %, 6 %), exact", ch("orders.vat_check", `"fail"`), nil, func(t *testing.T, s *stage) {
			s.ossOn()
			de := s.order(wooOrder{by: deConsumer, items: []item{{product: "SHIRT-01", qty: 2}, {product: "BOEK-01", qty: 1}}})
			be := s.order(wooOrder{by: beConsumer, items: []item{{product: "SHIRT-01", qty: 1}, {product: "BOEK-01", qty: 3}}})
			r := s.syncOrders()
			for _, p := range []placed{de, be} {
				v := exact(t, r, p)
				if v.Afleveradres == nil || v.Afleveradres.Land == nil {
					t.Fatalf("order %s carries no delivery country", p.Number)
				}
				if rel := r.relatie(v); rel.BtwNummer != "" {
					t.Fatalf("a consumer got VAT number %q", rel.BtwNummer)
				}
			}
		}},
		{"ICP: a German business with a VAT number, charged no VAT: 0 %, the relatie gets the number, exact", ch("orders.vat_check", `"fail"`), nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: deBusiness, items: []item{{product: "SHIRT-01@0%", qty: 2}}})
			r := s.syncOrders()
			v := exact(t, r, p)
			if rel := r.relatie(v); rel.BtwNummer != "DE123456789" {
				t.Fatalf("relatie VAT number %q, want DE123456789", rel.BtwNummer)
			}
		}},
		{"export: a delivery to the United States at 0 %, exact", ch("orders.vat_check", `"fail"`), nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: usConsumer, items: []item{{product: "SHIRT-01", qty: 1}}})
			exact(t, s.syncOrders(), p)
		}},
		{"orders.currency: a USD order is parked naming both currencies", nil, nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: anouk, items: []item{mok}})
			s.wc(http.MethodPut, fmt.Sprintf("/orders/%d", p.ID), map[string]any{"currency": "USD"}, nil)
			r := s.syncOrders()
			r.must(p, "failed", "USD", "EUR", "orders.currency")
			r.none(p)
		}},
		{"incl.-VAT article file with 2 decimals: a new article gets the price incl. VAT, in cents", nil, []string{"--seed", "INCL"}, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: anouk, items: []item{{product: "THEE-01", qty: 3}}})
			r := s.syncOrders()
			exact(t, r, p)
			a, ok := r.artikelByCode("THEE-01")
			if !ok || a.Verkoopprijs.String() != "4.5" {
				t.Fatalf("THEE-01 created with verkoopprijs %s (ok %v), want 4.50 incl. VAT", a.Verkoopprijs, ok)
			}
		}},
		{"code_and_quantity with a SnelStart price that differs: imported, the difference is an attention item naming both totals",
			ch("orders.lines", `"code_and_quantity"`), nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{{product: "SHIRT-01", qty: 1}}})
				r := s.syncOrders()
				o := r.must(p, "imported")
				v := r.so(p)
				if v.TotaalInclusiefBtw.StringFixed(2) == p.Total {
					t.Fatalf("SnelStart's price equals the shop's; the row needs a difference")
				}
				if !strings.Contains(strings.Join(o.Warnings, " "), p.Total) {
					t.Fatalf("warnings %q do not name the shop's total", o.Warnings)
				}
				out := s.attentionOut()
				if !strings.Contains(out, v.TotaalInclusiefBtw.StringFixed(2)) || !strings.Contains(out, p.Total) {
					t.Fatalf("koppel attention does not name both totals (%s, %s):\n%s", v.TotaalInclusiefBtw.StringFixed(2), p.Total, out)
				}
			}},
		{"an order at 23:30 on 31 March (UTC+2) is dated 31 March in SnelStart, in Q1", nil, nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: anouk, items: []item{mok}})
			var dump map[string]any
			getJSON(t, "http://"+s.woo+"/_sim/dump", &dump)
			for _, o := range dump["orders"].([]any) {
				if m := o.(map[string]any); fmt.Sprint(m["id"]) == fmt.Sprint(p.ID) {
					m["date_created_gmt"], m["date_modified_gmt"] = "2026-03-31T21:30:00", "2026-03-31T21:30:00"
					m["date_created"], m["date_modified"] = "2026-03-31T23:30:00", "2026-03-31T23:30:00"
				}
			}
			s.wooAdmin("/_sim/reset", nil)
			s.wooAdmin("/_sim/seed", dump)
			r := s.syncOrders()
			v := exact(t, r, p)
			if d := v.Datum.Format("2006-01-02T15:04"); d != "2026-03-31T23:30" {
				t.Fatalf("datum %s, want 2026-03-31T23:30 (Dutch time, still March)", d)
			}
		}},
		{"a manual SnelStart order of another customer with the shop's number is held as an attention item, not taken over", nil, nil, func(t *testing.T, s *stage) {
			p := s.order(wooOrder{by: anouk, items: []item{mok}})
			s.addVerkooporder(simulator.RelatieJanDeVries, "", p.Number, "handmatig")
			r := s.syncOrders()
			o := r.must(p, "failed", "another customer", "koppel resolve")
			if nl := text.Reason(text.NL, o.Reason); !strings.Contains(nl, "een andere klant") {
				t.Fatalf("the reason in Dutch: %q", nl)
			}
			r.none(p)
			if out := s.attentionOut(); !strings.Contains(out, p.Number) {
				t.Fatalf("koppel attention does not list order %s:\n%s", p.Number, out)
			}
		}},
		{"a remembered customer made inactive in SnelStart is forgotten and matched again; the order is booked", nil, nil, func(t *testing.T, s *stage) {
			first := s.order(wooOrder{by: anouk, items: []item{mok}})
			r := s.syncOrders()
			rel := r.relatie(r.so(first))
			var cur map[string]any
			s.ssAPI(http.MethodGet, "/relaties/"+string(rel.ID), nil, &cur)
			for _, k := range []string{"uri", "modifiedOn", "inkoopBoekingenUri", "verkoopBoekingenUri", "fax", "extraVeldenKlant", "documents"} {
				delete(cur, k)
			}
			cur["nonactief"] = true
			s.ssAPI(http.MethodPut, "/relaties/"+string(rel.ID), cur, nil)
			second := s.order(wooOrder{by: anouk, items: []item{mok}})
			r = s.syncOrders()
			o := r.must(second, "imported")
			v := r.so(second)
			if got := r.relatie(v); got.ID == rel.ID || got.Nonactief {
				t.Fatalf("booked on the inactive relatie %d", got.Relatiecode)
			}
			if !strings.Contains(text.Reason(text.NL, strings.Join(o.Warnings, "; ")), "niet meer actief") {
				t.Fatalf("warnings %q do not say the customer was matched again", o.Warnings)
			}
		}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			args := row.ssArgs
			if len(args) == 2 && args[1] == "INCL" {
				args = []string{"--seed", inclSeed(t)}
			}
			row.play(t, newStageWith(t, row.change, args))
		})
	}
}

// inclSeed writes the demo administration with an article file in prices including VAT and 2
// price decimals, and returns its path.
func inclSeed(t *testing.T) string {
	t.Helper()
	a := simulator.DefaultAdministration()
	a.CompanyInfo.VerkoopprijsArtikelbestandExclusiefBtw = false
	a.CompanyInfo.AantalDecimalenArtikelprijzen = 2
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "incl.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wooAdmin posts body (nil: none) to an admin endpoint of the WooCommerce simulator.
func (s *stage) wooAdmin(path string, body any) {
	s.t.Helper()
	var rd *strings.Reader
	if body == nil {
		rd = strings.NewReader("")
	} else {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+s.woo+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		s.t.Fatalf("POST %s: status %d", path, resp.StatusCode)
	}
}

// newStageWith is newStage with arguments for the SnelStart simulator (a seed).
func newStageWith(t *testing.T, change map[string]string, ssArgs []string) *stage {
	t.Helper()
	r := newRig(t, rigOptions{WooArgs: []string{"--prices-include-tax"}, SSArgs: ssArgs, Settings: change})
	s := &stage{rig: r, products: map[string]int64{}}
	s.set = defaultSettings()
	s.set["shop.url"] = fmt.Sprintf(`"http://%s"`, r.woo)
	s.set["ledger.base_url"] = fmt.Sprintf(`"http://%s/v2"`, r.ss)
	s.set["ledger.auth_url"] = fmt.Sprintf(`"http://%s/b2b/token"`, r.ss)
	for k, v := range change {
		s.set[k] = v
	}
	return s
}
