package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/internal/testtools"
	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite" // the pure-Go "sqlite" driver the snelstart-mdb plugin uses for its stand-in
)

// Issue 10: an end-to-end import from the WooCommerce simulator into the SnelStart 11
// connector (snelstart-mdb) with driver = "sqlite": the stand-in built from a copy of the demo
// administration (`koppel-plugin-snelstart-mdb standin`), read and written through the same
// SQL the connector runs on the Access ODBC driver on Windows.
//
// The shop sells articles of the demo administration: the products' SKUs are the articles'
// Webshopcode (articles.code_field = "extra:Webshopcode", articles.mode = "manual", because
// the .mdb connector cannot create articles), including the ambiguous MOK-001 (on an active
// and an inactive article), lower-case codes and a composite. Its customers are three relaties
// of the demo file (matched by e-mail and postcode, one with its e-mail in other case and its
// postcode without the space) and three new ones (created once, then reused).
//
// Every importable order must become exactly one sales order in the stand-in with all its
// lines, SnelStart's total (computed per VAT rate by the connector) equal to the shop's to the
// cent, order numbers taken from VolgendOrdernummer without gaps, and a second sync must
// import nothing.
func TestMdbStandinImportFromWooCommerce(t *testing.T) {
	t.Parallel()
	mdb := sharedFile(t, "fixtures/mdb/snelstart11-demo.mdb")
	testtools.Require(t, testtools.MDBTools)
	plugins := pluginDirWith(t, "woocommerce", "snelstart-mdb")
	dir := t.TempDir()

	// The stand-in, built by the plugin's own subcommand from a copy of the demo file.
	work := filepath.Join(dir, "administratie")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	mdbCopy := filepath.Join(work, "demo.mdb")
	if err := copyFile(mdb, mdbCopy, 0o644); err != nil {
		t.Fatal(err)
	}
	standin := filepath.Join(work, "demo.sqlite")
	if out, err := exec.Command(filepath.Join(plugins, "koppel-plugin-snelstart-mdb"), "standin", mdbCopy, standin).CombinedOutput(); err != nil {
		t.Fatalf("standin: %v\n%s", err, out)
	}

	seed, want := mdbShopSeed(t, dir)
	r := &rig{t: t, dir: dir, woo: startSim(t, "woocommerce", "--seed", seed, "--prices-include-tax")}
	shop := r.importable()
	if len(shop) != want.importable {
		t.Fatalf("the shop has %d importable orders, the seed made %d", len(shop), want.importable)
	}
	for num, o := range shop {
		if o.Billing.Email == "" {
			t.Fatalf("the WooCommerce simulator lost the billing e-mail of order %s that its seed gives: customers cannot be matched by e-mail", num)
		}
	}
	writeMdbConfig(t, dir, plugins, r.woo, standin)

	db, err := sql.Open("sqlite", "file:"+standin+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before := mdbCounts(t, db)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if code, out, errs := r.koppel(ctx, "check", "winkel"); code != 0 || !strings.Contains(out+errs, "Demo Handel BV") {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, tail(errs))
	}
	start := time.Now()
	code, res, errs := r.sync()
	took := time.Since(start)
	if code != 0 || res.Imported != len(shop) || res.Failed != 0 {
		for _, o := range res.Orders {
			if o.Status != "imported" {
				t.Logf("order %s: %s %s", o.ShopNumber, o.Status, o.Reason)
			}
		}
		t.Fatalf("sync: exit %d, imported %d of %d (%+v)\n%s", code, res.Imported, len(shop), res, tail(errs))
	}
	t.Logf("imported %d orders into the SQLite stand-in in %v (%d ledger calls)", res.Imported, took.Round(time.Millisecond), res.LedgerCalls)

	got := mdbOrders(t, db, before.lastOrderID)
	var problems []string
	numbers := []int64{}
	for num, o := range shop {
		so, ok := got[num]
		if !ok {
			problems = append(problems, fmt.Sprintf("order %s is missing", num))
			continue
		}
		if so.count != 1 {
			problems = append(problems, fmt.Sprintf("order %s is in the administration %d times", num, so.count))
		}
		if !so.totalIncl.Equal(decimal.RequireFromString(o.Total)) {
			problems = append(problems, fmt.Sprintf("order %s: SnelStart total %s, shop total %s", num, so.totalIncl.StringFixed(2), o.Total))
		}
		if !so.linesSum.Equal(so.totalIncl) || !so.pricesIncl {
			problems = append(problems, fmt.Sprintf("order %s: lines sum to %s incl. VAT (prices incl. %v), header says %s", num, so.linesSum, so.pricesIncl, so.totalIncl))
		}
		if so.lines != want.lines[num] {
			problems = append(problems, fmt.Sprintf("order %s: %d lines, want %d (products, shipping, fees)", num, so.lines, want.lines[num]))
		}
		if so.articleless != 0 {
			problems = append(problems, fmt.Sprintf("order %s: %d lines without an article", num, so.articleless))
		}
		if code := want.customer[num]; code != 0 && so.relatiecode != code {
			problems = append(problems, fmt.Sprintf("order %s (%s) is booked on relatie %d, want %d", num, o.Billing.Email, so.relatiecode, code))
		}
		if so.template != "Webshop" || so.status != "Order" {
			problems = append(problems, fmt.Sprintf("order %s: template %q, status %q", num, so.template, so.status))
		}
		numbers = append(numbers, so.number)
	}
	for num := range got {
		if _, ok := shop[num]; !ok {
			problems = append(problems, fmt.Sprintf("the administration holds an unexpected sales order %q", num))
		}
	}
	// MOK-001 is the Webshopcode of the active MOK-001 and of the inactive MOK-OUD: every line
	// must be booked on the active one.
	if n := queryInt(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels] WHERE [OrderID] > ? AND [ArtikelID] = 33", before.lastOrderID); n != 0 {
		problems = append(problems, fmt.Sprintf("%d lines are booked on the inactive MOK-OUD", n))
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels] WHERE [OrderID] > ? AND [ArtikelID] = 1", before.lastOrderID); int(n) != want.mok001Lines {
		problems = append(problems, fmt.Sprintf("%d lines on MOK-001, the shop sold it on %d", n, want.mok001Lines))
	}
	// Order numbers: 1043, 1044, ... without gaps, and the next one written back.
	sort.Slice(numbers, func(i, j int) bool { return numbers[i] < numbers[j] })
	for i, n := range numbers {
		if n != before.nextOrder+int64(i) {
			problems = append(problems, fmt.Sprintf("order numbers %v do not run from %d without gaps", numbers, before.nextOrder))
			break
		}
	}
	after := mdbCounts(t, db)
	if after.nextOrder != before.nextOrder+int64(len(shop)) {
		problems = append(problems, fmt.Sprintf("VolgendOrdernummer is %d, want %d", after.nextOrder, before.nextOrder+int64(len(shop))))
	}
	// Customers: the three known ones matched, each new one created exactly once.
	if after.relaties != before.relaties+len(want.newCustomers) || after.nextRelatie != before.nextRelatie+int64(len(want.newCustomers)) {
		problems = append(problems, fmt.Sprintf("relaties %d → %d, VolgendRelatiecode %d → %d; want %d new", before.relaties, after.relaties,
			before.nextRelatie, after.nextRelatie, len(want.newCustomers)))
	}
	for email, orders := range want.newCustomers {
		codes := map[int64]bool{}
		for _, num := range orders {
			codes[got[num].relatiecode] = true
		}
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM [Relaties] WHERE [Email] = ? COLLATE NOCASE AND [Relatiecode] >= ?", email, before.nextRelatie).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if len(codes) != 1 || n != 1 {
			problems = append(problems, fmt.Sprintf("new customer %s: %d relaties created, orders on %d relaties", email, n, len(codes)))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		t.Fatalf("the stand-in does not hold the shop's %d orders as it should:\n  %s", len(shop), strings.Join(problems, "\n  "))
	}

	// A second sync finds nothing new and writes nothing.
	code, again, errs := r.sync()
	if code != 0 || again.Imported != 0 || again.Failed != 0 {
		t.Fatalf("second sync: exit %d %+v\n%s", code, again, tail(errs))
	}
	if c := mdbCounts(t, db); c != after {
		t.Fatalf("the second sync changed the administration: %+v → %+v", after, c)
	}
}

// mdbSeedWant is what the seed expects in the administration.
type mdbSeedWant struct {
	importable int
	// lines is the number of sales-order lines per shop order number.
	lines map[string]int
	// customer is the relatiecode of the demo relatie an order must be booked on (0: a new one).
	customer map[string]int64
	// newCustomers maps the e-mail of each new customer to its importable orders.
	newCustomers map[string][]string
	mok001Lines  int
}

// mdbProduct is a shop product whose SKU is the Webshopcode of a demo article.
type mdbProduct struct {
	id                    int64
	name, sku, price, tax string
	standard              bool
}

var mdbProducts = []mdbProduct{
	{201, "Koffiemok wit 300 ml", "MOK-001", "7.50", "", true},
	{202, "Koffiemok ‘Café’ zwart 300 ml", "MOK-ZW-300", "9.00", "", true},
	{203, "Theepot gietijzer 1,2 l", "SKU-88231", "34.00", "", true},
	{204, "Kookboek „Het Hollandse keukenboek”", "kookboek-nl", "24.95", "reduced-rate", false},
	{205, "Koffiebonen espresso 1 kg", "KOF-1KG", "16.00", "reduced-rate", false},
	{206, "Cadeaubon € 25", "GIFTCARD-25", "25.00", "zero-rate", false},
	{207, "Theepakket deluxe", "gift-tea-deluxe", "54.95", "", true},
	{208, "Crème brûlée set (4 schaaltjes + brander)", "creme-brulee-set", "29.95", "", true},
	{209, "Earl Grey losse thee 250 g", "THEE-EARL", "7.95", "reduced-rate", false},
}

// mdbCustomer is a shop customer; code is the demo relatie it must match (0: new).
type mdbCustomer struct {
	id                                                 int64
	first, last, company, street, postcode, city, mail string
	code                                               int64
}

var mdbCustomers = []mdbCustomer{
	{0, "Jan", "de Vries", "", "Keizersgracht 1", "1017 GC", "Amsterdam", "jan.devries@example.nl", 10001},
	{31, "Anna", "Smit", "", "Lange Voorhout 9", "2514 AA", "Den Haag", "anna.smit@example.nl", 10011},
	{0, "Pieter", "Bakker", "", "Oudegracht 45", "3511 AB", "Utrecht", "p.bakker@example.nl", 10004},
	{32, "Lotte", "Visser", "", "Nieuwstraat 3", "2011 HR", "Haarlem", "lotte.visser@example.nl", 0},
	{0, "Henk", "Spaak", "Fietsenmakerij De Spaak V.O.F.", "Spoorstraat 4", "6511 AB", "Nijmegen", "info@despaak.example", 0},
	{33, "Émile", "Dupont", "", "Grote Markt 2", "9711 LV", "Groningen", "emile.dupont@example.nl", 0},
}

// mdbShopSeed writes the WooCommerce simulator's seed (products and orders, deterministic)
// into dir and returns its path and what the administration must hold afterwards.
func mdbShopSeed(t *testing.T, dir string) (string, mdbSeedWant) {
	t.Helper()
	rng := rand.New(rand.NewPCG(10, 10))
	var products []map[string]any
	for _, p := range mdbProducts {
		products = append(products, map[string]any{"id": p.id, "name": p.name, "type": "simple", "status": "publish",
			"sku": p.sku, "regular_price": p.price, "tax_class": p.tax, "manage_stock": false})
	}
	want := mdbSeedWant{lines: map[string]int{}, customer: map[string]int64{}, newCustomers: map[string][]string{}}
	statuses := []string{"processing", "processing", "processing", "completed", "completed", "on-hold", "pending", "cancelled"}
	var orders []map[string]any
	now := time.Now().UTC().Add(-48 * time.Hour)
	const n = 30
	for i := 0; i < n; i++ {
		id := int64(5001 + i)
		c := mdbCustomers[i%len(mdbCustomers)]
		addr := map[string]any{"first_name": c.first, "last_name": c.last, "company": c.company, "address_1": c.street,
			"postcode": c.postcode, "city": c.city, "country": "NL", "email": c.mail, "phone": "06 12345678"}
		ship := map[string]any{}
		for k, v := range addr {
			if k != "email" && k != "phone" {
				ship[k] = v
			}
		}
		var lines []map[string]any
		used := map[int]bool{}
		standard := false
		mok := 0
		for l := 0; l < 1+rng.IntN(4); l++ {
			k := rng.IntN(len(mdbProducts))
			if used[k] {
				continue
			}
			used[k] = true
			p := mdbProducts[k]
			standard = standard || p.standard
			if p.sku == "MOK-001" {
				mok++
			}
			lines = append(lines, map[string]any{"product_id": p.id, "quantity": 1 + rng.IntN(3)})
		}
		o := map[string]any{"id": id, "number": fmt.Sprint(id), "status": statuses[rng.IntN(len(statuses))],
			"customer_id": c.id, "billing": addr, "shipping": ship, "payment_method": "ideal", "payment_method_title": "iDEAL",
			"prices_include_tax": true, "line_items": lines, "currency": "EUR",
			"date_created_gmt": now.Add(time.Duration(i) * time.Minute).Format("2006-01-02T15:04:05")}
		extra := 0
		// Shipping is taxed at the standard rate only when the cart holds a standard-rated
		// product (WooCommerce's "based on cart items"), and VERZEND is a Hoog article: orders
		// of reduced- or zero-rated products only ship for free.
		if standard && rng.IntN(5) != 0 {
			o["shipping_lines"] = []map[string]any{{"method_id": "flat_rate", "method_title": "PostNL", "total": "4.09"}}
			extra++
		}
		if rng.IntN(4) == 0 {
			o["fee_lines"] = []map[string]any{{"name": "Betaalkosten", "tax_status": "taxable", "tax_class": "", "total": "0.29"}}
			extra++
		}
		if o["status"] == "processing" || o["status"] == "completed" {
			num := fmt.Sprint(id)
			want.importable++
			want.lines[num] = len(lines) + extra
			want.customer[num] = c.code
			want.mok001Lines += mok
			if c.code == 0 {
				want.newCustomers[c.mail] = append(want.newCustomers[c.mail], num)
			}
		}
		orders = append(orders, o)
	}
	b, err := json.MarshalIndent(map[string]any{"products": products, "orders": orders}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "shop-seed.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if want.importable < 10 || len(want.newCustomers) == 0 || want.mok001Lines == 0 {
		t.Fatalf("the seed is too thin to prove anything: %+v", want)
	}
	return path, want
}

// writeMdbConfig writes koppel.hcl: profile "winkel" from the WooCommerce simulator at woo to
// the SQLite stand-in, with settings that fit the demo administration.
func writeMdbConfig(t *testing.T, dir, plugins, woo, standin string) {
	t.Helper()
	cfg := fmt.Sprintf(`koppel {
  state_dir  = "./state"
  plugin_dir = %q
  listen     = ""
}

profile "winkel" {
  description = "E2E WooCommerce to SnelStart 11 (SQLite stand-in)"

  shop "woocommerce" {
    url             = "http://%s"
    consumer_key    = "ck_demo"
    consumer_secret = "cs_demo"
  }

  # For tests and trials only: a SQLite stand-in of the demo administration.
  ledger "snelstart-mdb" {
    path   = %q
    driver = "sqlite"
  }

  orders {
    since               = "2020-01-01T00:00:00Z"
    template            = "Webshop"
    cost_centre         = "Webshop"
    shipping_article    = "VERZEND"
    payment_fee_article = "BETAALKOSTEN"
    discount_article    = "KORTING"
    payment_reference   = true
  }

  articles {
    code_field = "extra:Webshopcode"
    mode       = "manual"
  }

  customers {
    match = "smart"
    mode  = "add"
  }
}
`, plugins, woo, standin)
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mdbSnapshot is the part of the administration a sync changes.
type mdbSnapshot struct {
	orders, lines, relaties int
	lastOrderID             int64
	nextOrder, nextRelatie  int64
}

// mdbCounts reads the snapshot of the administration in db.
func mdbCounts(t *testing.T, db *sql.DB) mdbSnapshot {
	t.Helper()
	var c mdbSnapshot
	c.orders = int(queryInt(t, db, "SELECT COUNT(*) FROM [Verkooporders]"))
	c.lines = int(queryInt(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels]"))
	c.relaties = int(queryInt(t, db, "SELECT COUNT(*) FROM [Relaties]"))
	c.lastOrderID = queryInt(t, db, "SELECT COALESCE(MAX([OrderID]), 0) FROM [Verkooporders]")
	c.nextOrder = queryInt(t, db, "SELECT CAST([Waarde] AS INTEGER) FROM [Instellingen] WHERE [Naam] = 'VolgendOrdernummer'")
	c.nextRelatie = queryInt(t, db, "SELECT CAST([Waarde] AS INTEGER) FROM [Instellingen] WHERE [Naam] = 'VolgendRelatiecode'")
	return c
}

// queryInt runs a query that returns one integer.
func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// mdbOrder is one sales order koppel wrote, with its lines summarised.
type mdbOrder struct {
	count               int
	number, relatiecode int64
	totalIncl, linesSum decimal.Decimal
	pricesIncl          bool
	lines, articleless  int
	template, status    string
}

// mdbOrders returns the sales orders after OrderID from, by Betalingskenmerk (the shop's order
// number). Amounts are read as text with 4 decimals, never as floats.
func mdbOrders(t *testing.T, db *sql.DB, from int64) map[string]mdbOrder {
	t.Helper()
	rows, err := db.Query(`SELECT o.[OrderID], o.[Betalingskenmerk], o.[Ordernummer], r.[Relatiecode], printf('%.4f', o.[TotaalInclBtw]),
	    o.[PrijsInclBtw], s.[Omschrijving], o.[ProcesStatus]
	  FROM [Verkooporders] o JOIN [Relaties] r ON r.[RelatieID] = o.[RelatieID] JOIN [Sjablonen] s ON s.[SjabloonID] = o.[SjabloonID]
	  WHERE o.[OrderID] > ?`, from)
	if err != nil {
		t.Fatal(err)
	}
	type head struct {
		id  int64
		ref string
		o   mdbOrder
	}
	var heads []head
	for rows.Next() {
		var h head
		var ref sql.NullString
		var total string
		var incl int64
		if err := rows.Scan(&h.id, &ref, &h.o.number, &h.o.relatiecode, &total, &incl, &h.o.template, &h.o.status); err != nil {
			t.Fatal(err)
		}
		h.ref = ref.String
		h.o.totalIncl = decimal.RequireFromString(total)
		h.o.pricesIncl = incl != 0
		heads = append(heads, h)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	out := map[string]mdbOrder{}
	for _, h := range heads {
		var sum string
		if err := db.QueryRow(`SELECT COUNT(*), printf('%.4f', COALESCE(SUM([Totaal]), 0)), SUM(CASE WHEN [ArtikelID] IS NULL THEN 1 ELSE 0 END)
		  FROM [VerkooporderRegels] WHERE [OrderID] = ?`, h.id).Scan(&h.o.lines, &sum, &h.o.articleless); err != nil {
			t.Fatal(err)
		}
		h.o.linesSum = decimal.RequireFromString(sum)
		prev := out[h.ref]
		h.o.count = prev.count + 1
		out[h.ref] = h.o
	}
	return out
}
