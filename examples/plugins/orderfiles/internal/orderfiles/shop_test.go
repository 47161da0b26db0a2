package orderfiles

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// exportDir copies the plugin's example export folder (testdata/export) into a temp dir.
func exportDir(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "testdata", "export")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// exampleConfig is the configuration of the example profile: Dutch headers mapped.
func exampleConfig(dir string) sdk.Config {
	return sdk.Config{}.Set("location", dir).Set("csv_columns", map[string]string{
		"order_id": "Ordernummer", "order_number": "Ordernummer", "status": "Status", "created_at": "Besteld op",
		"email": "E-mail", "first_name": "Voornaam", "last_name": "Achternaam", "company": "Bedrijf",
		"billing_street": "Straat", "billing_postcode": "Postcode", "billing_city": "Plaats", "billing_country": "Land",
		"payment_method": "Betaalmethode", "paid": "Betaald", "shipping_cost": "Verzendkosten",
		"sku": "Artikelcode", "name": "Omschrijving", "quantity": "Aantal", "unit_price": "Prijs", "tax_rate": "BTW",
	})
}

func listAll(t *testing.T, s sdk.Shop, q sdk.OrderQuery) []sdk.OrderItem {
	t.Helper()
	var items []sdk.OrderItem
	if err := s.ListOrders(context.Background(), q, func(it sdk.OrderItem) error {
		items = append(items, it)
		return nil
	}); err != nil {
		t.Fatalf("ListOrders: %v", err)
	}
	return items
}

func mustNew(t *testing.T, cfg sdk.Config) *Shop {
	t.Helper()
	s, err := New(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestExampleExport(t *testing.T) {
	dir := exportDir(t)
	s := mustNew(t, exampleConfig(dir))
	res, err := s.Check(context.Background())
	if err != nil || !strings.Contains(res.Summary, "2 file(s), 3 order(s)") {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	items := listAll(t, s, sdk.OrderQuery{})
	if len(items) != 3 {
		t.Fatalf("%d orders, want 3", len(items))
	}
	byID := map[string]sdk.Order{}
	for _, it := range items {
		byID[it.Order.ID] = it.Order
		if it.Total != 3 {
			t.Errorf("order %s carries total %d, want 3 (the orders listed)", it.Order.ID, it.Total)
		}
	}
	if rest := listAll(t, s, sdk.OrderQuery{Cursor: items[0].Cursor}); len(rest) != 2 || rest[0].Total != 2 {
		t.Errorf("resumed after the first order: %+v; want 2 orders carrying total 2", rest)
	}
	o := byID["2026-0101"]
	// 2 × 24.95 at 9% and 4 × 8.50 at 21%, shipping 6.95 (no rate column: 0%), prices incl. VAT.
	if len(o.Lines) != 2 || o.Lines[0].TotalIncl.String() != "49.9" || o.Lines[0].TotalExcl.String() != "45.78" ||
		o.Lines[1].TotalIncl.String() != "34" || o.Lines[1].Tax.String() != "5.9" {
		t.Fatalf("lines: %+v", o.Lines)
	}
	if o.Totals.Total.String() != "90.85" || !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
		t.Fatalf("totals: %+v", o.Totals)
	}
	if !o.Payment.Paid || o.Billing.Country != "NL" || o.Customer.Email != "jan@example.nl" || o.Currency != "EUR" {
		t.Fatalf("order fields: %+v", o)
	}
	// "02-03-2026 09:15" is Amsterdam winter time (UTC+1).
	if want := time.Date(2026, 3, 2, 8, 15, 0, 0, time.UTC); !o.CreatedAt.Equal(want) || o.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want %v", o.CreatedAt, want)
	}
	if b := byID["2026-0102"]; b.Customer.Company != "Bakkerij De Korrel BV" || b.Payment.Paid || len(b.ShippingLines) != 0 {
		t.Fatalf("order 0102: %+v", b)
	}
	if j := byID["2026-0103"]; j.Billing.Country != "BE" || j.Totals.Total.String() != "8.5" || j.CreatedAt.Hour() != 7 {
		t.Fatalf("JSON order: %+v", j)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  sdk.Config
		want string
	}{
		{"no location", sdk.Config{}, "location is empty"},
		{"delimiter", sdk.Config{}.Set("location", "/x").Set("csv_delimiter", "::"), "csv_delimiter"},
		{"timezone", sdk.Config{}.Set("location", "/x").Set("timezone", "Mars/Olympus"), "time zone"},
		{"unknown column", sdk.Config{}.Set("location", "/x").Set("csv_columns", map[string]string{"ordr_id": "x"}), "not one of koppel's columns"},
		{"stock path", sdk.Config{}.Set("location", "/x").Set("stock_file", "../stock.csv"), "file name"},
		{"pattern", sdk.Config{}.Set("location", "/x").Set("patterns", []string{"["}), "not a valid pattern"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), tc.cfg, nil)
			if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (%s), want config error with %q", err, sdk.KindOf(err), tc.want)
			}
		})
	}
}

func TestCSVParsing(t *testing.T) {
	set := parseSettings{delimiter: ';', columns: map[string]string{}, pricesIncludeTax: true, loc: time.UTC, currency: "EUR"}
	mod := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		csv     string
		excl    bool
		total   string
		wantErr string
	}{
		{"incl VAT", "order_id;sku;quantity;unit_price;tax_rate\n1;A;3;1,21;21\n", false, "3.63", ""},
		{"excl VAT", "order_id;sku;quantity;unit_price;tax_rate\n1;A;3;1.00;21\n", true, "3.63", ""},
		{"shop total wins", "order_id;sku;quantity;unit_price;tax_rate;order_total\n1;A;1;10;21;9.99\n", false, "9.99", ""},
		{"discount and fee", "order_id;sku;quantity;unit_price;tax_rate;discount;discount_tax_rate;fee;fee_tax_rate\n1;A;1;121;21;-12.10;21;1.21;21\n", false, "110.11", ""},
		{"BOM and blank lines", "\xef\xbb\xbforder_id;sku;unit_price\n\n1;A;5\n;;\n", false, "5", ""},
		{"no order_id column", "id;sku\n1;A\n", false, "", "no order_id column"},
		{"empty id", "order_id;sku\n;A\n", false, "", "line 2: empty order_id"},
		{"bad quantity", "order_id;sku;quantity\n1;A;twee\n", false, "", "line 2: order 1: quantity"},
		{"bad rate", "order_id;sku;tax_rate\n1;A;210\n", false, "", "not a percentage"},
		{"bad date", "order_id;created_at\n1;gisteren\n", false, "", "created_at"},
		{"bad paid", "order_id;paid\n1;misschien\n", false, "", "yes/no"},
		{"duplicate header", "order_id;sku;SKU\n1;A;B\n", false, "", "appears twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := set
			s.pricesIncludeTax = !tc.excl
			orders, err := parseOrdersCSV("f.csv", []byte(tc.csv), mod, s)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || sdk.KindOf(err) != sdk.KindPermanent {
					t.Fatalf("err = %v, want permanent error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(orders) != 1 {
				t.Fatalf("orders %+v, err %v", orders, err)
			}
			o := orders[0]
			if o.Totals.Total.String() != tc.total || !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
				t.Fatalf("totals %+v, want total %s", o.Totals, tc.total)
			}
			if !o.ModifiedAt.Equal(mod) || o.Number != "1" {
				t.Fatalf("defaults: modified %v number %q", o.ModifiedAt, o.Number)
			}
		})
	}
}

func TestNewestVersionWinsAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string, mod time.Time) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	write("a.csv", "order_id;status;sku\n7;pending;A\n8;pending;A\n", t0)
	write("b.csv", "order_id;status;sku\n7;processing;A\n", t0.Add(time.Minute))
	write("notes.txt", "not an order file", t0)
	write("stock.csv", "sku;quantity;updated_at\nA;1;\n", t0)
	s := mustNew(t, sdk.Config{}.Set("location", dir))
	items := listAll(t, s, sdk.OrderQuery{})
	if len(items) != 2 || items[0].Order.ID != "8" || items[1].Order.ID != "7" || items[1].Order.Status != "processing" {
		t.Fatalf("items: %+v", items)
	}
	// Statuses filter, case-insensitively.
	if got := listAll(t, s, sdk.OrderQuery{Statuses: []string{"PENDING"}}); len(got) != 1 || got[0].Order.ID != "8" {
		t.Fatalf("status filter: %+v", got)
	}
	// Since after both files: nothing; files older than Since - slack are not even read.
	write("broken-old.csv", "order_id;quantity\n9;x\n", t0.Add(-48*time.Hour))
	if got := listAll(t, s, sdk.OrderQuery{Since: t0.Add(2 * time.Hour)}); len(got) != 0 {
		t.Fatalf("since: %+v", got)
	}
	// A broken file fails the listing, naming file and line ...
	err := s.ListOrders(context.Background(), sdk.OrderQuery{}, func(sdk.OrderItem) error { return nil })
	if sdk.KindOf(err) != sdk.KindPermanent || !strings.Contains(err.Error(), "broken-old.csv line 2") {
		t.Fatalf("broken file: %v", err)
	}
	// ... unless bad_files = "skip".
	skip := mustNew(t, sdk.Config{}.Set("location", dir).Set("bad_files", "skip"))
	if got := listAll(t, skip, sdk.OrderQuery{}); len(got) != 2 {
		t.Fatalf("skip: %+v", got)
	}
	// A cursor from another plugin is refused.
	err = s.ListOrders(context.Background(), sdk.OrderQuery{Cursor: "page=2"}, func(sdk.OrderItem) error { return nil })
	if sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("foreign cursor: %v", err)
	}
}

func TestStockAndProducts(t *testing.T) {
	ctx := context.Background()
	dir := exportDir(t)
	s := mustNew(t, exampleConfig(dir))
	found, err := s.FindProducts(ctx, []string{"mok-wit", "NOPE"})
	if err != nil || len(found) != 1 || found[0].SKU != "MOK-WIT" || found[0].Stock.String() != "12" {
		t.Fatalf("FindProducts = %+v, %v", found, err)
	}
	var products []sdk.ProductItem
	if err := s.ListProducts(ctx, sdk.ProductQuery{}, func(p sdk.ProductItem) error { products = append(products, p); return nil }); err != nil || len(products) != 2 {
		t.Fatalf("ListProducts = %+v, %v", products, err)
	}
	var rest []sdk.ProductItem
	_ = s.ListProducts(ctx, sdk.ProductQuery{Cursor: products[0].Cursor}, func(p sdk.ProductItem) error { rest = append(rest, p); return nil })
	if len(rest) != 1 || rest[0].Product.SKU != products[1].Product.SKU {
		t.Fatalf("resumed ListProducts = %+v", rest)
	}

	res, err := s.WriteStock(ctx, []sdk.StockLevel{{SKU: "KOFFIE-1KG", Quantity: sdk.MustMoney("38")}, {SKU: "GONE", Quantity: sdk.MustMoney("1")}})
	if err != nil || len(res) != 2 || res[0].Err != "" || !res[1].NotFound {
		t.Fatalf("WriteStock = %+v, %v", res, err)
	}
	if _, err := s.WriteStock(ctx, []sdk.StockLevel{{SKU: "mok-wit", Quantity: sdk.MustMoney("0")}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "stock.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != "sku;quantity;updated_at" || !strings.HasPrefix(lines[1], "KOFFIE-1KG;38;") || !strings.HasPrefix(lines[2], "MOK-WIT;0;") {
		t.Fatalf("stock.csv:\n%s", b)
	}
	// The stock file is never read as an order file.
	if items := listAll(t, s, sdk.OrderQuery{}); len(items) != 3 {
		t.Fatalf("%d orders after writing stock", len(items))
	}
}

func TestWebDAVStockAndErrors(t *testing.T) {
	ctx := context.Background()
	sim := startSim(t)
	s := mustNew(t, simConfig(sim))
	if _, err := s.WriteStock(ctx, []sdk.StockLevel{{SKU: "X", Quantity: sdk.MustMoney("4")}}); err != nil {
		t.Fatal(err)
	}
	b, err := sim.ReadFile(ctx, "stock.csv")
	if err != nil || !strings.Contains(string(b), "X;4;") {
		t.Fatalf("stock.csv on WebDAV: %q, %v", b, err)
	}
	// Credentials in the URL are taken out of it and never shown.
	u := strings.Replace(sim.URL, "http://", "http://koppel:koppel-sim@", 1)
	s2 := mustNew(t, sdk.Config{}.Set("location", u))
	res, err := s2.Check(ctx)
	if err != nil || strings.Contains(res.Summary, "koppel-sim") {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	// A folder that does not exist on the server is unreachable, not an empty shop.
	s3 := mustNew(t, simConfig(sim).Set("location", strings.TrimSuffix(sim.URL, "orders/")+"elders/"))
	if _, err := s3.Check(ctx); sdk.KindOf(err) != sdk.KindUnreachable {
		t.Fatalf("missing folder: %v", err)
	}
	var e *sdk.Error
	_, err = mustNew(t, simConfig(sim).Set("password", "wrong-password")).Check(ctx)
	if !errors.As(err, &e) || e.Kind != sdk.KindAuth || strings.Contains(err.Error(), "wrong-password") {
		t.Fatalf("bad password: %v", err)
	}
}
