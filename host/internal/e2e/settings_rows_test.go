package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// settingsRow is one row of spec/settings.md (sections orders, articles, customers) as the
// bookkeeper would check it: change only that setting of the base profile (defaultSettings:
// charges on VERZEND / KORTING / BETAALKOSTEN, differences on ORDERVERSCHIL, vat_check warn,
// new articles in the omzetgroep of their VAT rate, customers matched smart and added), place
// orders in the WooCommerce simulator, run `koppel sync winkel import_orders`, and look at
// what the SnelStart simulator holds.
type settingsRow struct {
	row    string            // "orders.lines = code_and_quantity"
	effect string            // what SnelStart shows
	change map[string]string // the change to the base profile
	// play seeds the shop (and SnelStart where the row needs existing data), syncs and checks.
	play func(t *testing.T, s *stage)
}

func ch(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// one places one order (Anouk, a guest SnelStart does not know, buying it) and syncs.
func (s *stage) one(items ...item) (placed, *run) {
	s.t.Helper()
	p := s.order(wooOrder{by: anouk, items: items})
	return p, s.syncOrders()
}

var (
	shirt = item{product: "SHIRT-01", qty: 2}
	mok   = item{product: "MOK-01", qty: 1}
)

func ordersRows() []settingsRow {
	return []settingsRow{
		{"orders.since", "an order created before it is never imported; one created after it is",
			nil, func(t *testing.T, s *stage) {
				early := s.order(wooOrder{by: anouk, items: []item{mok}})
				time.Sleep(1100 * time.Millisecond)
				s.configure("orders.since", fmt.Sprintf("%q", time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)))
				late := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				// The shop plugin may not even list it (it asks for orders modified since); when
				// listed, it is skipped naming the setting.
				for _, o := range r.res.Orders {
					if o.ShopNumber == early.Number && (o.Status != "skipped" || !strings.Contains(o.Reason, "orders.since")) {
						t.Fatalf("order %s, created before orders.since: %s %s", early.Number, o.Status, o.Reason)
					}
				}
				r.none(early)
				r.so(late)
			}},
		{"orders.statuses = [\"processing\"]", "a completed order waits (not in SnelStart); the processing one is imported",
			ch("orders.statuses", `["processing"]`), func(t *testing.T, s *stage) {
				done := s.order(wooOrder{by: anouk, items: []item{mok}, status: "completed"})
				proc := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				r.must(done, "waiting")
				r.none(done)
				r.so(proc)
			}},
		{"orders.statuses unset", "the WooCommerce plugin's own set: processing and completed are imported, on-hold waits",
			nil, func(t *testing.T, s *stage) {
				done := s.order(wooOrder{by: anouk, items: []item{mok}, status: "completed"})
				hold := s.order(wooOrder{by: anouk, items: []item{mok}, status: "on-hold"})
				r := s.syncOrders()
				r.so(done)
				r.must(hold, "waiting")
				r.none(hold)
			}},
		{"orders.template = \"Standaard\"", "verkoopordersjabloon Standaard (SnelStart's default would be Webshop)",
			ch("orders.template", `"Standaard"`), func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				if v := r.so(p); v.Verkoopordersjabloon == nil || v.Verkoopordersjabloon.ID != simulator.SjabloonStandaard {
					t.Fatalf("sjabloon %+v, want Standaard", v.Verkoopordersjabloon)
				}
			}},
		{"orders.reuse_last_template = true", "Jan's order gets the template of his last SnelStart order (Standaard); Anouk, without one, SnelStart's default (Webshop)",
			ch("orders.reuse_last_template", "true"), func(t *testing.T, s *stage) {
				s.addVerkooporder(simulator.RelatieJanDeVries, simulator.SjabloonStandaard, "", "balie-1")
				jan := s.order(wooOrder{by: janHome, items: []item{mok}})
				other := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				if v := r.so(jan); v.Verkoopordersjabloon == nil || v.Verkoopordersjabloon.ID != simulator.SjabloonStandaard {
					t.Fatalf("Jan's order: sjabloon %+v, want his last one, Standaard", v.Verkoopordersjabloon)
				}
				if v := r.so(other); v.Verkoopordersjabloon == nil || v.Verkoopordersjabloon.ID != simulator.SjabloonWebshop {
					t.Fatalf("Anouk's order: sjabloon %+v, want the default Webshop", v.Verkoopordersjabloon)
				}
			}},
		{"orders.payment_reference = true (base)", "the number is the betalingskenmerk; an order whose number SnelStart already has on another customer is neither created again nor taken over: it is held with an attention item",
			nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}})
				dup := s.order(wooOrder{by: anouk, items: []item{mok}})
				s.addVerkooporder(simulator.RelatieJanDeVries, "", dup.Number, "handmatig "+dup.Number)
				r := s.syncOrders()
				if v := r.so(p); v.Betalingskenmerk != p.Number || v.Orderreferentie != p.Number {
					t.Fatalf("betalingskenmerk %q, orderreferentie %q", v.Betalingskenmerk, v.Orderreferentie)
				}
				r.must(dup, "failed", "al verkooporder", "een andere klant", "koppel resolve")
				r.none(dup)
			}},
		{"orders.payment_reference = false", "no betalingskenmerk; the orderreferentie still carries the number",
			ch("orders.payment_reference", "false"), func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				if v := r.so(p); v.Betalingskenmerk != "" || v.Orderreferentie != p.Number {
					t.Fatalf("betalingskenmerk %q, orderreferentie %q", v.Betalingskenmerk, v.Orderreferentie)
				}
			}},
		{"orders.reference_prefix = \"WEB-\"", "betalingskenmerk and orderreferentie WEB-<number>; another shop's order with the bare number does not block it",
			ch("orders.reference_prefix", `"WEB-"`), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}})
				s.addVerkooporder(simulator.RelatieJanDeVries, "", p.Number, p.Number) // the other shop's order
				r := s.syncOrders()
				if v := r.so(p, "WEB-"+p.Number); v.Betalingskenmerk != "WEB-"+p.Number {
					t.Fatalf("betalingskenmerk %q", v.Betalingskenmerk)
				}
			}},
		descriptionRow("auto", func(p placed) string { return "processing - iDEAL - betaald" }),
		descriptionRow("profile", func(p placed) string { return "E2E winkel" }),
		descriptionRow("order_number", func(p placed) string { return "Webshoporder " + p.Number }),
		descriptionRow("none", func(p placed) string { return "" }),
		{"orders.addresses = order (base)", "factuuradres from the billing address, afleveradres from the delivery address of the order",
			nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: janHome, shipTo: &janAway, items: []item{mok}})
				r := s.syncOrders()
				v := r.so(p)
				if v.Factuuradres == nil || v.Factuuradres.Straat != "Dorpsstraat 12" || v.Afleveradres == nil ||
					v.Afleveradres.Straat != "Stationsweg 1" || v.Afleveradres.Plaats != "Amsterdam" {
					t.Fatalf("factuuradres %+v, afleveradres %+v", v.Factuuradres, v.Afleveradres)
				}
			}},
		{"orders.addresses = customer", "no addresses on the order: SnelStart takes the customer card",
			ch("orders.addresses", `"customer"`), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: janHome, shipTo: &janAway, items: []item{mok}})
				r := s.syncOrders()
				v := r.so(p)
				if (v.Factuuradres != nil && v.Factuuradres.Straat != "") || (v.Afleveradres != nil && v.Afleveradres.Straat != "") {
					t.Fatalf("factuuradres %+v, afleveradres %+v", v.Factuuradres, v.Afleveradres)
				}
			}},
		{"orders.lines = full (base)", "code, the shop's description, quantity and price",
			nil, func(t *testing.T, s *stage) {
				p, r := s.one(shirt)
				v := r.so(p)
				if l := r.line(v, "SHIRT-01"); l.desc != "T-shirt katoen wit" || l.qty != "2" || l.price != "29.95" {
					t.Fatalf("line %v", l)
				}
				r.totalIs(v, p.Total)
			}},
		{"orders.lines = code_and_quantity", "only code and quantity are sent: SnelStart fills the article's description and price",
			ch("orders.lines", `"code_and_quantity"`), func(t *testing.T, s *stage) {
				p, r := s.one(shirt)
				v := r.so(p)
				l := r.line(v, "SHIRT-01")
				// SHIRT-01 costs 20.62 excl. VAT in SnelStart: 24.95 in an order entered incl. VAT.
				want := map[string]string{"Exclusief": "20.62", "Inclusief": "24.95"}[v.VerkooporderBtwIngaveModel]
				if l.desc != "T-shirt katoen" || l.qty != "2" || l.price != want {
					t.Fatalf("line %v (%s), want SnelStart's description \"T-shirt katoen\" and price %s", l, v.VerkooporderBtwIngaveModel, want)
				}
			}},
		{"orders.lines = ledger_description", "code, quantity and price from the shop, description from the SnelStart article",
			ch("orders.lines", `"ledger_description"`), func(t *testing.T, s *stage) {
				p, r := s.one(shirt)
				v := r.so(p)
				if l := r.line(v, "SHIRT-01"); l.desc != "T-shirt katoen" || l.qty != "2" || l.price != "29.95" {
					t.Fatalf("line %v", l)
				}
				r.totalIs(v, p.Total)
			}},
		{"orders.recipes = false (base)", "a composite article (SET-01) is one line",
			nil, func(t *testing.T, s *stage) {
				p, r := s.one(item{product: "SET-01", qty: 2})
				v := r.so(p)
				if ls := r.lines(v); len(ls) != 1 || ls[0].code != "SET-01" {
					t.Fatalf("lines %v", ls)
				}
			}},
		{"orders.recipes = true", "SET-01 x2 also gets its components SHIRT-01 x2 and BOEK-01 x2 at price 0; the total is unchanged",
			ch("orders.recipes", "true"), func(t *testing.T, s *stage) {
				p, r := s.one(item{product: "SET-01", qty: 2})
				v := r.so(p)
				set, sh, bk := r.line(v, "SET-01"), r.line(v, "SHIRT-01"), r.line(v, "BOEK-01")
				if len(v.Regels) != 3 || set.qty != "2" || set.price != "45.00" || sh.qty != "2" || sh.price != "0.00" || bk.qty != "2" || bk.price != "0.00" {
					t.Fatalf("lines %v", r.lines(v))
				}
				r.totalIs(v, p.Total)
			}},
		optionsRow("in_line", "(base)", []string{"MOK-01 \"Mok met logo (Inhoud: 0,3 liter, Kleur: rood)\""}),
		optionsRow("separate_line", "", []string{"MOK-01 \"Mok met logo\"", "- \"Inhoud: 0,3 liter\"", "- \"Kleur: rood\""}),
		optionsRow("ignore", "", []string{"MOK-01 \"Mok met logo\""}),
		{"orders.shipping_article = \"VERZEND\" (base)", "the shipping costs are a line on VERZEND named after the method; totals equal",
			nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}, shipping: "4.95"})
				r := s.syncOrders()
				v := r.so(p)
				if l := r.line(v, "VERZEND"); l.desc != "PostNL" || l.qty != "1" || l.total != "5.99" {
					t.Fatalf("shipping line %v, want PostNL 4.95 + 21%% = 5.99", l)
				}
				r.totalIs(v, p.Total)
			}},
		{"orders.shipping_article unset", "an order with shipping costs fails naming the setting; nothing is booked",
			ch("orders.shipping_article", ""), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}, shipping: "4.95"})
				r := s.syncOrders()
				r.must(p, "failed", "shipping_article", "PostNL")
				r.none(p)
			}},
		{"orders.discount_article = \"KORTING\" (base)", "coupon korting5 (5.00 off in a shop whose prices include VAT) is a -5.00 line on KORTING; totals equal",
			nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{shirt}, coupon: "korting5"})
				if off := sdk.MustMoney(p.DiscountTotal).Add(sdk.MustMoney(p.DiscountTax)); off.StringFixed(2) != "5.00" || p.Total != "54.90" {
					t.Fatalf("the shop took %s off (total %s), want 5.00 including VAT off 59.90", off.StringFixed(2), p.Total)
				}
				r := s.syncOrders()
				v := r.so(p)
				if l := r.line(v, "KORTING"); l.total != "-5.00" || l.qty != "1" {
					t.Fatalf("discount line %v, want the coupon's 5.00 including VAT, -5.00", l)
				}
				r.totalIs(v, p.Total)
			}},
		{"orders.discount_article unset", "an order with a coupon fails naming the setting",
			ch("orders.discount_article", ""), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{shirt}, coupon: "korting5"})
				r := s.syncOrders()
				r.must(p, "failed", "discount_article")
				r.none(p)
			}},
		{"orders.payment_fee_article = \"BETAALKOSTEN\" (base)", "the payment fee is a line on BETAALKOSTEN; totals equal",
			nil, func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}, fee: "0.29"})
				r := s.syncOrders()
				v := r.so(p)
				if l := r.line(v, "BETAALKOSTEN"); l.desc != "Betaalkosten" || l.total != "0.35" {
					t.Fatalf("fee line %v, want Betaalkosten 0.29 + 21%% = 0.35", l)
				}
				r.totalIs(v, p.Total)
			}},
		{"orders.payment_fee_article unset", "an order with a fee fails naming the setting",
			ch("orders.payment_fee_article", ""), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{mok}, fee: "0.29"})
				r := s.syncOrders()
				r.must(p, "failed", "payment_fee_article")
				r.none(p)
			}},
		{"orders.difference_article = \"ORDERVERSCHIL\" (base)", "a shop total 0.50 above its lines: a 0.50 line on ORDERVERSCHIL, SnelStart's total equals the shop's",
			nil, func(t *testing.T, s *stage) {
				p := s.surcharge(s.order(wooOrder{by: anouk, items: []item{mok}}), "0.50")
				r := s.syncOrders()
				v := r.so(p)
				if l := r.line(v, "ORDERVERSCHIL"); l.total != "0.50" {
					t.Fatalf("difference line %v", l)
				}
				r.totalIs(v, p.Total)
			}},
		{"orders.difference_article unset", "the order fails with both totals named",
			ch("orders.difference_article", ""), func(t *testing.T, s *stage) {
				p := s.surcharge(s.order(wooOrder{by: anouk, items: []item{mok}}), "0.50")
				r := s.syncOrders()
				r.must(p, "failed", "9.00", p.Total)
				r.none(p)
			}},
		{"orders.difference_tolerance = \"1.00\"", "a difference of 0.50 is left alone: no ORDERVERSCHIL line, SnelStart's total is the sum of the lines",
			ch("orders.difference_tolerance", `"1.00"`), func(t *testing.T, s *stage) {
				p := s.surcharge(s.order(wooOrder{by: anouk, items: []item{mok}}), "0.50")
				r := s.syncOrders()
				v := r.so(p)
				if r.hasLine(v, "ORDERVERSCHIL") {
					t.Fatalf("a difference line within the tolerance: %v", r.lines(v))
				}
				r.totalIs(v, "9.00")
			}},
		{"orders.fallback_article = \"DIVERS\"", "a product without a SnelStart code is a line on DIVERS with the shop's description and price",
			ch("orders.fallback_article", `"DIVERS"`), func(t *testing.T, s *stage) {
				s.addArtikel("DIVERS", "Diverse artikelen", simulator.OmzetgroepHoog, "0", nil)
				p, r := s.one(item{product: "MAATWERK", qty: 1}, mok)
				v := r.so(p)
				if l := r.line(v, "DIVERS"); l.desc != "Maatwerk" || l.price != "30.00" {
					t.Fatalf("fallback line %v", l)
				}
				r.line(v, "MOK-01")
				r.totalIs(v, p.Total)
			}},
		{"orders.fallback_article unset (base)", "a product without a SnelStart code fails the order naming the line",
			nil, func(t *testing.T, s *stage) {
				p, r := s.one(item{product: "MAATWERK", qty: 1}, mok)
				r.must(p, "failed", "line 1")
				r.none(p)
			}},
		costCentreRow(`"Winkel"`, "by name", "c0570000-0000-4000-8000-000000000002"),
		costCentreRow("1", "by number", string(simulator.KostenplaatsWebshop)),
		processRow("Order", true),
		processRow("Bevestiging", false),
		processRow("Werkbon", false),
		processRow("Pakbon", false),
		processRow("Afhaalbon", false),
		vatRow("fail"),
		vatRow("warn"),
		vatRow("off"),
	}
}

func descriptionRow(v string, want func(placed) string) settingsRow {
	base := ""
	if v == "order_number" {
		base = " (base)"
	}
	return settingsRow{"orders.description = " + v + base, "omschrijving " + fmt.Sprintf("%q", want(placed{Number: "<number>"})),
		ch("orders.description", fmt.Sprintf("%q", v)), func(t *testing.T, s *stage) {
			p, r := s.one(mok)
			if v := r.so(p); v.Omschrijving != want(p) {
				t.Fatalf("omschrijving %q, want %q", v.Omschrijving, want(p))
			}
		}}
}

// optionsRow: a mug with the options "Inhoud: 0,3 liter" and "Kleur: rood" (line meta).
func optionsRow(v, base string, want []string) settingsRow {
	return settingsRow{"orders.product_options = " + v + " " + base, "lines " + strings.Join(want, ", "),
		ch("orders.product_options", fmt.Sprintf("%q", v)), func(t *testing.T, s *stage) {
			p, r := s.one(item{product: "MOK-01", qty: 1, options: [][2]string{{"Inhoud", "0,3 liter"}, {"Kleur", "rood"}}})
			v := r.so(p)
			var got []string
			for _, l := range r.lines(v) {
				code := l.code
				if l.articleLess {
					code = "-"
				}
				got = append(got, fmt.Sprintf("%s %q", code, l.desc))
			}
			if strings.Join(got, ", ") != strings.Join(want, ", ") {
				t.Fatalf("lines %s, want %s", strings.Join(got, ", "), strings.Join(want, ", "))
			}
			r.totalIs(v, p.Total)
		}}
}

func costCentreRow(v, how string, want string) settingsRow {
	return settingsRow{"orders.cost_centre = " + v, "kostenplaats " + how + " on the order",
		ch("orders.cost_centre", v), func(t *testing.T, s *stage) {
			p, r := s.one(mok)
			if v := r.so(p); v.Kostenplaats == nil || string(v.Kostenplaats.ID) != want {
				t.Fatalf("kostenplaats %+v, want %s", v.Kostenplaats, want)
			}
		}}
}

func processRow(v string, base bool) settingsRow {
	name, change := "orders.process_status = "+v, ch("orders.process_status", fmt.Sprintf("%q", v))
	if base {
		name += " (base)"
	}
	return settingsRow{name, "procesStatus " + v, change, func(t *testing.T, s *stage) {
		p, r := s.one(mok)
		if got := r.so(p).ProcesStatus; got != v {
			t.Fatalf("procesStatus %q, want %q", got, v)
		}
	}}
}

// vatRow: the shop sells MOK-01 (omzetgroep Omzet hoog, 21%) at 9%.
func vatRow(v string) settingsRow {
	effect := map[string]string{
		"fail": "the order fails naming the line, the article, both rates; nothing is booked",
		"warn": "the order is imported with a warning naming the rates",
		"off":  "the order is imported without a VAT warning",
	}[v]
	return settingsRow{"orders.vat_check = " + v, effect, ch("orders.vat_check", fmt.Sprintf("%q", v)), func(t *testing.T, s *stage) {
		p, r := s.one(item{product: "MOK-01@9%", qty: 1})
		switch v {
		case "fail":
			r.must(p, "failed", "line 1", "MOK-01", "9%", "21%")
			r.none(p)
		case "warn":
			o := r.must(p, "imported")
			if !strings.Contains(strings.Join(o.Warnings, " "), "9%") {
				t.Fatalf("warnings %q name no rate", o.Warnings)
			}
			r.so(p)
		case "off":
			o := r.must(p, "imported")
			if strings.Contains(strings.Join(o.Warnings, " "), "9%") {
				t.Fatalf("a VAT warning with vat_check off: %q", o.Warnings)
			}
			r.so(p)
		}
	}}
}

func articlesRows() []settingsRow {
	return []settingsRow{
		{"articles.since", "import_articles creates the product changed after it (KOFFIE-01), not the one before (THEE-01)",
			nil, func(t *testing.T, s *stage) {
				s.product("THEE-01")
				time.Sleep(1100 * time.Millisecond)
				s.configure("articles.since", fmt.Sprintf("%q", time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)))
				s.product("KOFFIE-01")
				code, out, errs := s.koppel(t.Context(), "sync", "winkel", "import_articles", "--json")
				if code != 0 {
					t.Fatalf("import_articles: exit %d\n%s\n%s", code, out, tail(errs))
				}
				r := &run{t: t, admin: s.ssState()}
				if a, ok := r.artikelByCode("KOFFIE-01"); !ok || a.Omschrijving != "Koffiebonen 1kg" || a.ArtikelOmzetgroep == nil || a.ArtikelOmzetgroep.ID != simulator.OmzetgroepHoog {
					t.Fatalf("KOFFIE-01 %+v, want it created in Omzet hoog", a)
				}
				if _, ok := r.artikelByCode("THEE-01"); ok {
					t.Fatal("THEE-01, changed before articles.since, was imported")
				}
			}},
		{"articles.code_field = artikelcode (base)", "the shop's SKU WEB-THEE is looked up as artikelcode: not found, so article WEB-THEE is created",
			nil, func(t *testing.T, s *stage) {
				s.addArtikel("100234", "Thee los", simulator.OmzetgroepLaag, "5.96", map[string]string{"Webshopcode": "WEB-THEE"})
				p, r := s.one(item{product: "WEB-THEE", qty: 1})
				r.line(r.so(p), "WEB-THEE")
			}},
		{"articles.code_field = \"extra:Webshopcode\"", "the SKU WEB-THEE is found in extra field Webshopcode of article 100234: the line is on 100234, nothing is created",
			ch("articles.code_field", `"extra:Webshopcode"`), func(t *testing.T, s *stage) {
				s.addArtikel("100234", "Thee los", simulator.OmzetgroepLaag, "5.96", map[string]string{"Webshopcode": "WEB-THEE"})
				p, r := s.one(item{product: "WEB-THEE", qty: 1})
				v := r.so(p)
				if l := r.line(v, "100234"); l.price != "6.50" {
					t.Fatalf("line %v", l)
				}
				if _, ok := r.artikelByCode("WEB-THEE"); ok {
					t.Fatal("article WEB-THEE was created")
				}
			}},
		{"articles.revenue_group = 4 (without revenue_group_by_vat)", "a new article lands in omzetgroep 4 (Verzendkosten, Hoog)",
			ch("articles.revenue_group", "4", "articles.revenue_group_by_vat", ""), func(t *testing.T, s *stage) {
				p, r := s.one(item{product: "KOFFIE-01", qty: 1})
				r.so(p)
				if a, _ := r.artikelByCode("KOFFIE-01"); a.ArtikelOmzetgroep == nil || a.ArtikelOmzetgroep.ID != simulator.OmzetgroepVerzending {
					t.Fatalf("KOFFIE-01 in omzetgroep %+v, want 4 Verzendkosten", a.ArtikelOmzetgroep)
				}
			}},
		{"articles.revenue_group_by_vat = { \"21\" = 4, \"9\" = 2 }", "a new 21% article lands in group 4, a new 9% article in group 2 (revenue_group would put both in 1)",
			ch("articles.revenue_group_by_vat", `{ "21" = 4, "9" = 2 }`), func(t *testing.T, s *stage) {
				p, r := s.one(item{product: "KOFFIE-01", qty: 1}, item{product: "THEE-01", qty: 1})
				r.so(p)
				k, _ := r.artikelByCode("KOFFIE-01")
				th, _ := r.artikelByCode("THEE-01")
				if k.ArtikelOmzetgroep == nil || k.ArtikelOmzetgroep.ID != simulator.OmzetgroepVerzending ||
					th.ArtikelOmzetgroep == nil || th.ArtikelOmzetgroep.ID != simulator.OmzetgroepLaag {
					t.Fatalf("KOFFIE-01 in %+v, THEE-01 in %+v", k.ArtikelOmzetgroep, th.ArtikelOmzetgroep)
				}
			}},
		{"articles.mode = add (base)", "a missing article is created with the shop's description and price excl. VAT; an existing one is not changed",
			nil, func(t *testing.T, s *stage) {
				p, r := s.one(item{product: "KOFFIE-01", qty: 1}, shirt)
				r.so(p)
				if a, ok := r.artikelByCode("KOFFIE-01"); !ok || a.Omschrijving != "Koffiebonen 1kg" || a.Verkoopprijs.StringFixed(2) != "12.36" {
					t.Fatalf("KOFFIE-01 %+v, want \"Koffiebonen 1kg\" at 12.36 (14.95 incl. 21%%)", a)
				}
				if a, _ := r.artikelByCode("SHIRT-01"); a.Omschrijving != "T-shirt katoen" || a.Verkoopprijs.StringFixed(2) != "20.62" {
					t.Fatalf("SHIRT-01 was changed: %q %s", a.Omschrijving, a.Verkoopprijs.StringFixed(2))
				}
			}},
		{"articles.mode = add_update", "an existing article gets the shop's description and the shop product's regular price excl. VAT (SHIRT-01: \"T-shirt katoen wit\", 24.75), never the price of the order line (here 10% lower by a coupon)",
			ch("articles.mode", `"add_update"`), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: anouk, items: []item{shirt}, coupon: "welkom10"})
				r := s.syncOrders()
				r.so(p)
				if a, _ := r.artikelByCode("SHIRT-01"); a.Omschrijving != "T-shirt katoen wit" || a.Verkoopprijs.StringFixed(2) != "24.75" {
					t.Fatalf("SHIRT-01 %q %s, want \"T-shirt katoen wit\" 24.75 (29.95 incl. 21%%)", a.Omschrijving, a.Verkoopprijs.StringFixed(2))
				}
			}},
		{"articles.mode = manual", "nothing is created or changed: an order with an unknown article fails naming it, one with known articles is imported",
			ch("articles.mode", `"manual"`), func(t *testing.T, s *stage) {
				unknown := s.order(wooOrder{by: anouk, items: []item{mok, {product: "KOFFIE-01", qty: 1}}})
				known := s.order(wooOrder{by: anouk, items: []item{shirt}})
				r := s.syncOrders()
				r.must(unknown, "failed", "KOFFIE-01")
				r.none(unknown)
				r.so(known)
				if _, ok := r.artikelByCode("KOFFIE-01"); ok {
					t.Fatal("KOFFIE-01 was created")
				}
				if a, _ := r.artikelByCode("SHIRT-01"); a.Omschrijving != "T-shirt katoen" {
					t.Fatalf("SHIRT-01 was changed: %q", a.Omschrijving)
				}
			}},
	}
}

func customersRows() []settingsRow {
	return []settingsRow{
		{"customers.match = code", "the shop's customer code must equal a relatiecode; without shop.customer_code_meta WooCommerce orders carry none, so Jan (e-mail and postcode of relatie 1001) gets a new relatie",
			ch("customers.match", `"code"`), func(t *testing.T, s *stage) {
				p := s.order(wooOrder{by: janHome, items: []item{mok}})
				r := s.syncOrders()
				if rel := r.relatie(r.so(p)); rel.Relatiecode == 1001 || r.base[rel.Relatiecode] {
					t.Fatalf("booked on existing relatie %d", rel.Relatiecode)
				}
			}},
		{"customers.match = code (with shop.customer_code_meta = \"relatiecode\")", "the shop keeps the relatiecode in meta relatiecode: Jan's guest order carrying 1001 in its meta is 1001 (at another address); Piet, whose customer account carries 1002, is 1002 (the code read from the account); Anouk, without a code, gets a new relatie",
			ch("customers.match", `"code"`, "shop.customer_code_meta", `"relatiecode"`), func(t *testing.T, s *stage) {
				piet := smitNew
				piet.id = s.wooCustomer(smitNew.email, [2]string{"relatiecode", "1002"})
				jan := s.order(wooOrder{by: janAway, items: []item{mok}, meta: [][2]string{{"relatiecode", "1001"}}})
				smit := s.order(wooOrder{by: piet, items: []item{mok}})
				guest := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, jan, 1001)
				onRelatie(t, r, smit, 1002)
				if rel := r.relatie(r.so(guest)); r.base[rel.Relatiecode] {
					t.Fatalf("Anouk, without a code, booked on existing relatie %d", rel.Relatiecode)
				}
				if n := len(r.created()); n != 1 {
					t.Fatalf("%d relaties created, want 1 (Anouk)", n)
				}
			}},
		{"customers.match = email", "Jan at another address, e-mail in other case, is 1001; the second address of 1002's \"a;b\" list is 1002",
			ch("customers.match", `"email"`), func(t *testing.T, s *stage) {
				jan := s.order(wooOrder{by: janAway, items: []item{mok}})
				smit := s.order(wooOrder{by: smitInvoices, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, jan, 1001)
				onRelatie(t, r, smit, 1002)
				noneCreated(t, r)
			}},
		{"customers.match = code_or_email", "no code from WooCommerce, so by e-mail: Jan at another address is 1001",
			ch("customers.match", `"code_or_email"`), func(t *testing.T, s *stage) {
				jan := s.order(wooOrder{by: janAway, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, jan, 1001)
			}},
		{"customers.match = email_postcode", "Jan at 3511AB (postcode without space) is 1001; Jan at another postcode gets a new relatie",
			ch("customers.match", `"email_postcode"`), func(t *testing.T, s *stage) {
				home := s.order(wooOrder{by: janHome, items: []item{mok}})
				away := s.order(wooOrder{by: janAway, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, home, 1001)
				if rel := r.relatie(r.so(away)); r.base[rel.Relatiecode] {
					t.Fatalf("Jan at another postcode booked on existing relatie %d", rel.Relatiecode)
				}
			}},
		{"customers.match = code_or_email_postcode", "no code from WooCommerce, so e-mail and postcode: Jan at home is 1001, Jan away a new relatie",
			ch("customers.match", `"code_or_email_postcode"`), func(t *testing.T, s *stage) {
				home := s.order(wooOrder{by: janHome, items: []item{mok}})
				away := s.order(wooOrder{by: janAway, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, home, 1001)
				if rel := r.relatie(r.so(away)); r.base[rel.Relatiecode] {
					t.Fatalf("Jan at another postcode booked on existing relatie %d", rel.Relatiecode)
				}
			}},
		{"customers.match = smart (base)", "e-mail + postcode (Jan at home: 1001), e-mail alone when one relatie has it (Jan away: 1001), company + postcode (Bakkerij Smit with a new e-mail: 1002); an e-mail two relaties share, at a third postcode, and an unknown guest get new relaties",
			nil, func(t *testing.T, s *stage) {
				s.addRelatie(3001, "D. Dubbel", "dubbel@example.nl", "Aweg 1", "1111 AA", "Aadorp")
				s.addRelatie(3002, "D. Dubbel", "dubbel@example.nl", "Bweg 2", "2222 BB", "Beedorp")
				home := s.order(wooOrder{by: janHome, items: []item{mok}})
				away := s.order(wooOrder{by: janAway, items: []item{mok}})
				smit := s.order(wooOrder{by: smitNew, items: []item{mok}})
				dubbel := buyer{first: "D.", last: "Dubbel", street: "Cweg 3", pc: "3333 CC", city: "Ceedorp", country: "NL", email: "dubbel@example.nl"}
				dub := s.order(wooOrder{by: dubbel, items: []item{mok}})
				guest := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, home, 1001)
				onRelatie(t, r, away, 1001)
				onRelatie(t, r, smit, 1002)
				for _, p := range []placed{dub, guest} {
					if rel := r.relatie(r.so(p)); r.base[rel.Relatiecode] {
						t.Fatalf("order %s booked on existing relatie %d", p.Number, rel.Relatiecode)
					}
				}
				if n := len(r.created()); n != 2 {
					t.Fatalf("%d relaties created, want 2 (Dubbel at the third postcode, Anouk)", n)
				}
			}},
		{"customers.mode = add (base)", "a new customer is created with name, contact, address, phone, e-mail and a valid VAT number; a shop customer is remembered by id; a matched relatie is not changed",
			nil, func(t *testing.T, s *stage) {
				first := s.order(wooOrder{by: buyer{id: 77, first: anouk.first, last: anouk.last, street: anouk.street, pc: anouk.pc, city: anouk.city,
					country: "NL", email: anouk.email, phone: anouk.phone}, items: []item{mok}})
				time.Sleep(1100 * time.Millisecond) // the second order is newer
				moved := buyer{id: 77, first: "Anouk", last: "Bakker", street: "Nieuwe Gracht 1", pc: "3512 LC", city: "Utrecht", country: "NL", email: "anouk@nieuw.example.nl"}
				second := s.order(wooOrder{by: moved, items: []item{mok}})
				biz := s.order(wooOrder{by: hoekstra, items: []item{mok}})
				jan := s.order(wooOrder{by: buyer{first: "Jan", last: "de Vries", street: "Dorpsstraat 12", pc: "3511 AB", city: "Utrecht",
					country: "NL", email: janHome.email, phone: "06 99999999"}, items: []item{mok}})
				r := s.syncOrders()
				a := r.relatie(r.so(first))
				if a.Naam != "Anouk Bakker" || a.Email != anouk.email || a.Telefoon == "" || a.VestigingsAdres == nil ||
					a.VestigingsAdres.Straat != "Markt 8" || a.VestigingsAdres.Postcode != "5611 EB" || a.VestigingsAdres.Plaats != "Eindhoven" {
					t.Fatalf("new relatie %+v %+v", a, a.VestigingsAdres)
				}
				if b := r.relatie(r.so(second)); b.ID != a.ID {
					t.Fatalf("customer 77's second order (other e-mail and address) booked on %d, not on %d", b.Relatiecode, a.Relatiecode)
				}
				h := r.relatie(r.so(biz))
				if h.Naam != "Hoekstra Fietsen V.O.F." || h.VestigingsAdres == nil || !strings.Contains(h.VestigingsAdres.Contactpersoon, "Sjoerd Hoekstra") || h.BtwNummer != "NL123456782B01" {
					t.Fatalf("business relatie %+v %+v", h, h.VestigingsAdres)
				}
				j := r.relatie(r.so(jan))
				if j.Relatiecode != 1001 || j.Telefoon != "06-12345678" {
					t.Fatalf("Jan booked on %d with phone %q: want 1001 unchanged", j.Relatiecode, j.Telefoon)
				}
				if n := len(r.created()); n != 2 {
					t.Fatalf("%d relaties created, want 2 (Anouk once, Hoekstra)", n)
				}
			}},
		{"customers.mode = add_update", "a matched relatie gets the shop's address and phone (1001: Dorpsstraat 14, 06 99999999); nothing is created",
			ch("customers.mode", `"add_update"`), func(t *testing.T, s *stage) {
				jan := s.order(wooOrder{by: buyer{first: "Jan", last: "de Vries", street: "Dorpsstraat 14", pc: "3511 AB", city: "Utrecht",
					country: "NL", email: janHome.email, phone: "06 99999999"}, items: []item{mok}})
				r := s.syncOrders()
				j := r.relatie(r.so(jan))
				if j.Relatiecode != 1001 || j.VestigingsAdres == nil || j.VestigingsAdres.Straat != "Dorpsstraat 14" || strings.ReplaceAll(j.Telefoon, " ", "") != "0699999999" {
					t.Fatalf("relatie %d: %+v, phone %q", j.Relatiecode, j.VestigingsAdres, j.Telefoon)
				}
				noneCreated(t, r)
			}},
		{"customers.mode = manual", "a matched customer is used (Jan: 1001); an unmatched order fails naming what was searched; nothing is created",
			ch("customers.mode", `"manual"`), func(t *testing.T, s *stage) {
				jan := s.order(wooOrder{by: janAway, items: []item{mok}})
				unknown := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, jan, 1001)
				r.must(unknown, "failed", "manual", anouk.email)
				r.none(unknown)
				noneCreated(t, r)
			}},
		{"customers.fixed_customer = 1002 (with mode = manual)", "every order is booked on 1002, matched or not; nothing is created",
			ch("customers.mode", `"manual"`, "customers.fixed_customer", "1002"), func(t *testing.T, s *stage) {
				jan := s.order(wooOrder{by: janHome, items: []item{mok}})
				other := s.order(wooOrder{by: anouk, items: []item{mok}})
				r := s.syncOrders()
				onRelatie(t, r, jan, 1002)
				onRelatie(t, r, other, 1002)
				noneCreated(t, r)
			}},
		{"customers.payment_term = 14", "a new customer gets krediettermijn 14",
			ch("customers.payment_term", "14"), func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				if rel := r.relatie(r.so(p)); rel.Krediettermijn != 14 {
					t.Fatalf("krediettermijn %d", rel.Krediettermijn)
				}
			}},
		{"customers.payment_term unset (base)", "a new customer keeps SnelStart's krediettermijn (0)",
			nil, func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				if rel := r.relatie(r.so(p)); rel.Krediettermijn != 0 {
					t.Fatalf("krediettermijn %d", rel.Krediettermijn)
				}
			}},
		{"customers.email_invoices = true", "a new customer has factuur e-mailen on, to the order e-mail; aanmaning e-mailen stays off",
			ch("customers.email_invoices", "true"), func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				rel := r.relatie(r.so(p))
				if f := rel.FactuurEmailVersturen; f == nil || !f.ShouldSend || f.Email != anouk.email {
					t.Fatalf("factuurEmailVersturen %+v", f)
				}
				if a := rel.AanmaningEmailVersturen; a != nil && a.ShouldSend {
					t.Fatalf("aanmaningEmailVersturen %+v", a)
				}
			}},
		{"customers.email_reminders = true", "a new customer has aanmaning e-mailen on, to the order e-mail; factuur e-mailen stays off",
			ch("customers.email_reminders", "true"), func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				rel := r.relatie(r.so(p))
				if a := rel.AanmaningEmailVersturen; a == nil || !a.ShouldSend || a.Email != anouk.email {
					t.Fatalf("aanmaningEmailVersturen %+v", a)
				}
				if f := rel.FactuurEmailVersturen; f != nil && f.ShouldSend {
					t.Fatalf("factuurEmailVersturen %+v", f)
				}
			}},
		{"customers.email_invoices and email_reminders unset (base)", "a new customer has neither on",
			nil, func(t *testing.T, s *stage) {
				p, r := s.one(mok)
				rel := r.relatie(r.so(p))
				if f, a := rel.FactuurEmailVersturen, rel.AanmaningEmailVersturen; (f != nil && f.ShouldSend) || (a != nil && a.ShouldSend) {
					t.Fatalf("factuur %+v, aanmaning %+v", f, a)
				}
			}},
	}
}

func onRelatie(t *testing.T, r *run, p placed, code int32) {
	t.Helper()
	if got := r.relatie(r.so(p)).Relatiecode; got != code {
		t.Fatalf("order %s booked on relatie %d, want %d", p.Number, got, code)
	}
}

func noneCreated(t *testing.T, r *run) {
	t.Helper()
	if c := r.created(); len(c) > 0 {
		t.Fatalf("%d relaties were created, e.g. %d %q", len(c), c[0].Relatiecode, c[0].Naam)
	}
}

// Issue 5: every row of settings.md's orders, articles and customers sections, each changed
// alone from the base profile, with its effect on what the SnelStart simulator holds. Each row
// has its own pair of simulators, seeded through their APIs.
func TestEverySettingsRow(t *testing.T) {
	t.Parallel()
	for _, sec := range []struct {
		name string
		rows []settingsRow
	}{{"orders", ordersRows()}, {"articles", articlesRows()}, {"customers", customersRows()}, {"after import", afterImportRows()}} {
		t.Run(sec.name, func(t *testing.T) {
			t.Parallel()
			for _, row := range sec.rows {
				t.Run(row.row, func(t *testing.T) {
					t.Parallel()
					t.Logf("%s: %s", row.row, row.effect)
					row.play(t, newStage(t, row.change))
				})
			}
		})
	}
}
