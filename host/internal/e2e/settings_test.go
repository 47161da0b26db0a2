package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
)

// settingCase changes settings.md rows of the default e2e profile and checks their effect on
// what the SnelStart simulator holds after one `koppel sync`.
type settingCase struct {
	name string
	set  map[string]string
	// check inspects the sales orders created (by orderreferentie), the administration after
	// the sync, the shop's importable orders and the sync result.
	check func(t *testing.T, c *settingCheck)
}

type settingCheck struct {
	r      *rig
	orders map[string][]simulator.Verkooporder
	admin  simulator.Administration
	shop   map[string]shopOrder
	res    syncResult
	code   int
}

// each calls fn for every created sales order with its shop order.
func (c *settingCheck) each(t *testing.T, prefix string, fn func(v simulator.Verkooporder, o shopOrder)) {
	t.Helper()
	if len(c.orders) == 0 {
		t.Fatalf("no sales orders were created (sync exit %d, %+v)", c.code, c.res)
	}
	for ref, vs := range c.orders {
		o, ok := c.shop[strings.TrimPrefix(ref, prefix)]
		if !ok {
			t.Fatalf("sales order %q matches no shop order", ref)
		}
		fn(vs[0], o)
	}
}

func (c *settingCheck) articleCode(id simulator.GUID) string {
	for _, a := range c.admin.Artikelen {
		if a.ID == id {
			return a.Artikelcode
		}
	}
	return ""
}

func (c *settingCheck) relatieCode(id simulator.GUID) int32 {
	for _, r := range c.admin.Relaties {
		if r.ID == id {
			return r.Relatiecode
		}
	}
	return 0
}

func (c *settingCheck) hasLineOn(v simulator.Verkooporder, code string) bool {
	for _, l := range v.Regels {
		if l.Artikel != nil && c.articleCode(l.Artikel.ID) == code {
			return true
		}
	}
	return false
}

// Issue 5: rows of settings.md (orders, articles, customers), each changed alone, with their
// effect on the SnelStart simulator — readable as a specification.
func TestSettingsAgainstSimulators(t *testing.T) {
	t.Parallel()
	cases := []settingCase{
		{"payment_reference with reference_prefix: betalingskenmerk and orderreferentie carry prefix + number",
			map[string]string{"orders.reference_prefix": `"WEB-"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "WEB-", func(v simulator.Verkooporder, o shopOrder) {
					if v.Betalingskenmerk != "WEB-"+o.Number || v.Orderreferentie != "WEB-"+o.Number {
						t.Fatalf("order %s: betalingskenmerk %q, orderreferentie %q", o.Number, v.Betalingskenmerk, v.Orderreferentie)
					}
				})
			}},
		{"payment_reference = false: no betalingskenmerk, the orderreferentie still identifies the order",
			map[string]string{"orders.payment_reference": "false"},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Betalingskenmerk != "" || v.Orderreferentie != o.Number {
						t.Fatalf("order %s: betalingskenmerk %q, orderreferentie %q", o.Number, v.Betalingskenmerk, v.Orderreferentie)
					}
				})
			}},
		{"description = order_number: \"Webshoporder <number>\"", nil,
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Omschrijving != "Webshoporder "+o.Number {
						t.Fatalf("order %s: omschrijving %q", o.Number, v.Omschrijving)
					}
				})
			}},
		{"description = profile: the profile's description",
			map[string]string{"orders.description": `"profile"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Omschrijving != "E2E winkel" {
						t.Fatalf("order %s: omschrijving %q", o.Number, v.Omschrijving)
					}
				})
			}},
		{"description = none: empty",
			map[string]string{"orders.description": `"none"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Omschrijving != "" {
						t.Fatalf("order %s: omschrijving %q", o.Number, v.Omschrijving)
					}
				})
			}},
		{"description = auto: status and payment information",
			map[string]string{"orders.description": `"auto"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Omschrijving == "" || v.Omschrijving == "Webshoporder "+o.Number {
						t.Fatalf("order %s: omschrijving %q", o.Number, v.Omschrijving)
					}
				})
			}},
		{"addresses = order: invoice and delivery address from the order", nil,
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Factuuradres == nil || v.Factuuradres.Postcode == "" {
						t.Fatalf("order %s has no invoice address: %+v", o.Number, v.Factuuradres)
					}
				})
			}},
		{"addresses = customer: left empty, SnelStart takes the customer card",
			map[string]string{"orders.addresses": `"customer"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if (v.Factuuradres != nil && v.Factuuradres.Straat != "") || (v.Afleveradres != nil && v.Afleveradres.Straat != "") {
						t.Fatalf("order %s carries addresses: %+v %+v", o.Number, v.Factuuradres, v.Afleveradres)
					}
				})
			}},
		{"lines = ledger_description: descriptions from the SnelStart article (here: the shipping line's)",
			map[string]string{"orders.lines": `"ledger_description"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					for _, l := range v.Regels {
						if l.Artikel == nil {
							continue
						}
						code := c.articleCode(l.Artikel.ID)
						if strings.HasPrefix(code, "GEN-") && l.Omschrijving == "" {
							t.Fatalf("order %s: empty description on %s", o.Number, code)
						}
					}
				})
			}},
		{"shipping, discount and fee articles: charges are lines on VERZEND / KORTING / BETAALKOSTEN", nil,
			func(t *testing.T, c *settingCheck) {
				// A charge at a VAT rate its article lacks (shipping at 9% on an order of 9%
				// products, a coupon on 9% products only) is spread over the product lines of
				// that rate, with a warning, instead of being booked at the article's rate.
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					spread := c.warned(o.Number, "was spread over the product lines")
					if len(o.ShippingLines) > 0 && !c.hasLineOn(v, "VERZEND") && !spread {
						t.Fatalf("order %s has shipping but no VERZEND line", o.Number)
					}
					if len(o.CouponLines) > 0 && !c.hasLineOn(v, "KORTING") && !spread {
						t.Fatalf("order %s has a coupon but no KORTING line", o.Number)
					}
				})
			}},
		{"difference_article unset: an order whose total SnelStart cannot match fails, both totals named",
			map[string]string{"orders.difference_article": ""},
			func(t *testing.T, c *settingCheck) {
				failed := 0
				for _, o := range c.res.Orders {
					if o.Status == "failed" {
						failed++
						if !strings.Contains(o.Reason, "totals differ") || !strings.Contains(o.Reason, "shop's total is") {
							t.Fatalf("order %s failed for another reason: %s", o.ShopNumber, o.Reason)
						}
					}
				}
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if c.hasLineOn(v, "ORDERVERSCHIL") {
						t.Fatalf("order %s has a difference line without difference_article", o.Number)
					}
				})
				t.Logf("%d orders refused for a total difference", failed)
			}},
		{"difference_article: the difference is a line on it, totals equal to the cent", nil,
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.TotaalInclusiefBtw.StringFixed(2) != o.Total {
						t.Fatalf("order %s: total %s, shop %s", o.Number, v.TotaalInclusiefBtw.StringFixed(2), o.Total)
					}
				})
			}},
		{"articles.mode = manual with fallback_article: no article is created, lines go to the fallback",
			map[string]string{"articles.mode": `"manual"`, "orders.fallback_article": `"MOK-01"`},
			func(t *testing.T, c *settingCheck) {
				for _, a := range c.admin.Artikelen {
					if strings.HasPrefix(a.Artikelcode, "GEN-") {
						t.Fatalf("article %s was created with articles.mode manual", a.Artikelcode)
					}
				}
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if !c.hasLineOn(v, "MOK-01") {
						t.Fatalf("order %s has no line on the fallback article", o.Number)
					}
				})
			}},
		{"articles.mode = manual without fallback: the orders fail, nothing is created",
			map[string]string{"articles.mode": `"manual"`},
			func(t *testing.T, c *settingCheck) {
				if len(c.orders) != 0 || c.res.Failed == 0 || c.code != 1 {
					t.Fatalf("%d orders created, %d failed, exit %d", len(c.orders), c.res.Failed, c.code)
				}
			}},
		{"articles.mode = add: missing articles are created in the omzetgroep of their VAT rate", nil,
			func(t *testing.T, c *settingCheck) {
				n := 0
				for _, a := range c.admin.Artikelen {
					if strings.HasPrefix(a.Artikelcode, "GEN-") {
						n++
						if a.Artikelcode == "GEN-BON-25" && a.ArtikelOmzetgroep.ID != simulator.OmzetgroepGeen {
							t.Fatalf("the 0%% voucher landed in omzetgroep %s", a.ArtikelOmzetgroep.ID)
						}
					}
				}
				if n == 0 {
					t.Fatal("no article was created")
				}
			}},
		{"customers.match = code: the shop's customer id is no relatiecode here, so Jan gets a new relatie",
			map[string]string{"customers.match": `"code"`},
			func(t *testing.T, c *settingCheck) { c.janOn(t, 1001, false) }},
		{"customers.match = email: a returning customer is matched by e-mail (in any case), never created twice",
			map[string]string{"customers.match": `"email"`},
			func(t *testing.T, c *settingCheck) {
				c.janOn(t, 1001, true)
				c.oneRelatiePerCustomer(t)
			}},
		{"customers.match = smart: Jan by e-mail and postcode, returning guests and businesses created once",
			map[string]string{"customers.match": `"smart"`},
			func(t *testing.T, c *settingCheck) {
				c.janOn(t, 1001, true)
				c.oneRelatiePerCustomer(t)
			}},
		{"customers.mode = manual with fixed_customer: every order on relatie 1002, no relatie created",
			map[string]string{"customers.mode": `"manual"`, "customers.fixed_customer": "1002"},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if code := c.relatieCode(v.Relatie.ID); code != 1002 {
						t.Fatalf("order %s booked on %d", o.Number, code)
					}
				})
				if len(c.admin.Relaties) != len(simulator.DefaultAdministration().Relaties) {
					t.Fatalf("relaties were created: %d", len(c.admin.Relaties))
				}
			}},
		{"process_status = Werkbon", map[string]string{"orders.process_status": `"Werkbon"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.ProcesStatus != "Werkbon" {
						t.Fatalf("order %s: procesStatus %q", o.Number, v.ProcesStatus)
					}
				})
			}},
		{"cost_centre by name: kostenplaats Winkel", map[string]string{"orders.cost_centre": `"Winkel"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Kostenplaats == nil || v.Kostenplaats.ID != "c0570000-0000-4000-8000-000000000002" {
						t.Fatalf("order %s: kostenplaats %+v", o.Number, v.Kostenplaats)
					}
				})
			}},
		{"template by name: verkoopordersjabloon Standaard", map[string]string{"orders.template": `"Standaard"`},
			func(t *testing.T, c *settingCheck) {
				c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
					if v.Verkoopordersjabloon == nil || v.Verkoopordersjabloon.ID != simulator.SjabloonStandaard {
						t.Fatalf("order %s: sjabloon %+v", o.Number, v.Verkoopordersjabloon)
					}
				})
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{Orders: 25, WooArgs: []string{"--rand-seed", "5"}, Settings: tc.set})
			code, res, errs := r.sync()
			if code == 2 {
				t.Fatalf("sync refused the configuration:\n%s", errs)
			}
			c := &settingCheck{r: r, orders: r.newOrders(), admin: r.ssState(), shop: r.importable(), res: res, code: code}
			tc.check(t, c)
		})
	}
}

// janOn checks whether the orders of the shop's Jan de Vries (customer 2) are
// booked on relatiecode code (on) or on another relatie (!on).
func (c *settingCheck) janOn(t *testing.T, code int32, on bool) {
	t.Helper()
	seen := 0
	c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
		if o.CustomerID != 2 { // the generator's registered customer Jan de Vries, jan.devries@example.nl, 3511 AB
			return
		}
		seen++
		if got := c.relatieCode(v.Relatie.ID); (got == code) != on {
			t.Fatalf("order %s of Jan de Vries booked on relatie %d (want on %d: %v)", o.Number, got, code, on)
		}
	})
	if seen == 0 {
		t.Fatal(fmt.Sprintf("no order of Jan de Vries among the %d generated; pick another --rand-seed", len(c.shop)))
	}
}

// warned reports whether the sync gave order number a warning containing part.
func (c *settingCheck) warned(number, part string) bool {
	for _, o := range c.res.Orders {
		if o.ShopNumber == number {
			for _, w := range o.Warnings {
				if strings.Contains(w, part) {
					return true
				}
			}
		}
	}
	return false
}

// oneRelatiePerCustomer checks customer recognition over the generated orders: all orders of
// one e-mail address (compared case-insensitively) are booked on one relatie, every new
// customer was created exactly once (no relatie created twice for one e-mail), and at least one
// customer ordered more than once, one of them with the e-mail in two spellings. The business
// customer Hoekstra Fietsen's relatie carries its VAT number.
func (c *settingCheck) oneRelatiePerCustomer(t *testing.T) {
	t.Helper()
	byEmail := map[string]map[int32]bool{}
	spellings := map[string]map[string]bool{}
	orders := map[string]int{}
	vat := map[string]bool{}
	c.each(t, "", func(v simulator.Verkooporder, o shopOrder) {
		e := strings.ToLower(o.Billing.Email)
		if e == "" {
			t.Fatalf("order %s has no billing e-mail", o.Number)
		}
		if byEmail[e] == nil {
			byEmail[e], spellings[e] = map[int32]bool{}, map[string]bool{}
		}
		byEmail[e][c.relatieCode(v.Relatie.ID)] = true
		spellings[e][o.Billing.Email] = true
		orders[e]++
		if e == hoekstraEmail {
			vat[e] = true
		}
	})
	returning, mixed := 0, 0
	for e, codes := range byEmail {
		if len(codes) != 1 {
			t.Errorf("the orders of %s are booked on %d relaties: %v", e, len(codes), codes)
		}
		if orders[e] > 1 {
			returning++
		}
		if len(spellings[e]) > 1 {
			mixed++
		}
	}
	created := map[string]int{}
	def := map[int32]bool{}
	for _, r := range simulator.DefaultAdministration().Relaties {
		def[r.Relatiecode] = true
	}
	for _, r := range c.admin.Relaties {
		if !def[r.Relatiecode] {
			created[strings.ToLower(r.Email)]++
		}
	}
	for e, n := range created {
		if n > 1 {
			t.Errorf("%d relaties were created for %s", n, e)
		}
	}
	if returning == 0 || mixed == 0 {
		t.Fatalf("the generated orders lack a returning customer (%d) or one with a mixed-case e-mail (%d); pick another --rand-seed", returning, mixed)
	}
	if !vat[hoekstraEmail] {
		t.Fatal("no order of Hoekstra Fietsen among the generated ones; pick another --rand-seed")
	}
	for _, r := range c.admin.Relaties {
		if strings.EqualFold(r.Email, hoekstraEmail) && r.BtwNummer != "NL123456782B01" {
			t.Errorf("business relatie %d (%s) has VAT number %q, want the shop's NL123456782B01", r.Relatiecode, r.Naam, r.BtwNummer)
		}
	}
}

// hoekstraEmail is the e-mail of the generator's business customer Hoekstra Fietsen V.O.F.
// (customer 3, VAT number NL123456782B01 in the order meta).
const hoekstraEmail = "info@hoekstrafietsen.example.nl"
