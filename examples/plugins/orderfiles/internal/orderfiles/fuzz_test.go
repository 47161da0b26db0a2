package orderfiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// What FuzzParseFile reads a file as.
const (
	asOrdersCSV uint8 = iota
	asOrdersJSON
	asProductsCSV
	asStockCSV
	fileKinds
)

// exampleColumns is the csv_columns mapping of example/orderfiles.hcl (Dutch headers).
var exampleColumns = map[string]string{
	"order_id": "ordernummer", "order_number": "ordernummer", "status": "status", "created_at": "besteld op",
	"email": "e-mail", "first_name": "voornaam", "last_name": "achternaam", "company": "bedrijf",
	"billing_street": "straat", "billing_postcode": "postcode", "billing_city": "plaats", "billing_country": "land",
	"payment_method": "betaalmethode", "paid": "betaald", "shipping_cost": "verzendkosten",
	"shipping_tax_rate": "btw verzendkosten", "sku": "artikelcode", "name": "omschrijving", "quantity": "aantal",
	"unit_price": "prijs", "tax_rate": "btw",
}

// FuzzParseFile reads any bytes as an order CSV (with the example's Dutch column mapping or
// koppel's own names, prices with or without VAT, any of the allowed delimiters), an order JSON
// file, a products CSV or a stock CSV. Beyond not panicking or hanging: a failure is a
// KindPermanent *sdk.Error, and every order read has an id, a number, a currency, a modification
// time, and amounts that add up per line, per charge and in the totals.
func FuzzParseFile(f *testing.F) {
	dir := filepath.Join("..", "..", "testdata", "export")
	for name, kind := range map[string]uint8{"orders-2026-03-02.csv": asOrdersCSV, "orders-2026-03-03.json": asOrdersJSON, "products.csv": asProductsCSV} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatalf("seed %s: %v", name, err)
		}
		f.Add(kind, uint8(0), true, b)
	}
	f.Add(asOrdersCSV, uint8(4), true, []byte("order_id;sku;quantity;unit_price;tax_rate;shipping_cost;shipping_tax_rate;fee;fee_tax_rate;discount;discount_tax_rate;order_total\n"+
		"1;A;3;1,21;21;4,95;21;1;-100;-5;21;€ 12,50\n1;B;;;;;;;;;;\n2;;;;;;;;;;;\n"))
	f.Add(asOrdersCSV, uint8(6), false, []byte("\xef\xbb\xbforder_id,paid,created_at,modified_at\n7,ja,02-03-2026 09:15,2026-03-02T09:15:00Z\n"))
	f.Add(asOrdersJSON, uint8(0), true, []byte(`{"id":"x","lines":[{"total_excl":"1","tax":"0.21","total_incl":"1.21"}],"totals":{"total":"0"}}`))
	f.Add(asStockCSV, uint8(4), true, []byte("sku;quantity;updated_at\nKOFFIE-1KG;12;2026-03-02T09:15:00Z\n"))
	f.Fuzz(func(t *testing.T, kind, variant uint8, inclusive bool, data []byte) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input took longer than 10s: %q", data)) })
		defer tm.Stop()
		s := parseSettings{delimiter: []rune{';', ',', '\t', '|'}[variant%4], columns: map[string]string{},
			pricesIncludeTax: inclusive, loc: time.UTC, currency: "EUR"}
		if variant%8 < 4 {
			s.columns = exampleColumns
		}
		mod := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		var orders []sdk.Order
		var err error
		switch kind % fileKinds {
		case asOrdersCSV:
			orders, err = parseOrdersCSV("orders.csv", data, mod, s)
		case asOrdersJSON:
			orders, err = parseOrdersJSON("orders.json", data, mod, s)
		case asProductsCSV:
			var ps []sdk.Product
			ps, err = parseProductsCSV("products.csv", data, mod, s)
			for _, p := range ps {
				if p.SKU == "" && p.ID == "" {
					t.Fatalf("product without sku or id: %+v", p)
				}
			}
		case asStockCSV:
			_, err = parseStockCSV("stock.csv", data, s)
		}
		if err != nil {
			var se *sdk.Error
			if !errors.As(err, &se) || se.Kind != sdk.KindPermanent {
				t.Fatalf("%v (%T) is not a KindPermanent *sdk.Error", err, err)
			}
			return
		}
		for _, o := range orders {
			if o.ID == "" || o.Number == "" || o.Currency == "" || o.ModifiedAt.IsZero() || o.CreatedAt.IsZero() {
				t.Fatalf("incomplete order: %+v", o)
			}
			for _, l := range o.Lines {
				if !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) {
					t.Fatalf("order %s line %s: %s + %s != %s", o.ID, l.ID, l.TotalExcl, l.Tax, l.TotalIncl)
				}
			}
			for _, cs := range [][]sdk.Charge{o.ShippingLines, o.Fees, o.Discounts} {
				for _, c := range cs {
					if !c.TotalExcl.Add(c.Tax).Equal(c.TotalIncl) {
						t.Fatalf("order %s charge %q: %s + %s != %s", o.ID, c.Name, c.TotalExcl, c.Tax, c.TotalIncl)
					}
				}
			}
			if !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
				t.Fatalf("order %s totals: %s + %s != %s", o.ID, o.Totals.TotalExcl, o.Totals.Tax, o.Totals.Total)
			}
			if _, err := json.Marshal(o); err != nil {
				t.Fatalf("order %s does not encode: %v", o.ID, err)
			}
		}
	})
}

// A charge's VAT rate must be a percentage like a line's: -100 made the split of an amount
// including VAT divide by zero (found by FuzzParseFile).
func TestChargeRateMustBeAPercentage(t *testing.T) {
	set := parseSettings{delimiter: ';', columns: map[string]string{}, pricesIncludeTax: true, loc: time.UTC, currency: "EUR"}
	for _, col := range []string{"shipping_cost;shipping_tax_rate", "fee;fee_tax_rate", "discount;discount_tax_rate"} {
		for _, rate := range []string{"-100", "-1", "101"} {
			data := "order_id;" + col + "\n1;5;" + rate + "\n"
			_, err := parseOrdersCSV("orders.csv", []byte(data), time.Now(), set)
			if sdk.KindOf(err) != sdk.KindPermanent || !strings.Contains(err.Error(), "is not a percentage") {
				t.Errorf("%q: %v", data, err)
			}
		}
	}
}

// A time that is Go's zero time or outside the years 1 to 9999 in UTC is refused: an order read
// with modified_at "0001-01-01" had no modification time, and one with
// "0000-01-01T00:00:00+01:00" (the year -1 in UTC) could not be encoded as JSON.
func TestTimesMustBeEncodable(t *testing.T) {
	set := parseSettings{delimiter: ';', columns: map[string]string{}, loc: time.UTC, currency: "EUR"}
	mod := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, v := range []string{"0001-01-01", "0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"} {
		for _, col := range []string{"created_at", "modified_at"} {
			data := "order_id;" + col + "\n1;" + v + "\n"
			if _, err := parseOrdersCSV("orders.csv", []byte(data), mod, set); sdk.KindOf(err) != sdk.KindPermanent ||
				!strings.Contains(err.Error(), "between the years 1 and 9999") {
				t.Errorf("%q: %v", data, err)
			}
		}
	}
	for _, body := range []string{`{"id":"1","modified_at":"0000-01-01T00:00:00+01:00"}`, `{"id":"1","created_at":"9999-12-31T23:59:59-01:00"}`} {
		if _, err := parseOrdersJSON("orders.json", []byte(body), mod, set); sdk.KindOf(err) != sdk.KindPermanent ||
			!strings.Contains(err.Error(), "between the years 1 and 9999") {
			t.Errorf("%s: %v", body, err)
		}
	}
	orders, err := parseOrdersCSV("orders.csv", []byte("order_id;modified_at\n1;0001-01-02\n"), mod, set)
	if err != nil || len(orders) != 1 || orders[0].ModifiedAt.Year() != 1 {
		t.Fatalf("a time in the year 1: %v %+v", err, orders)
	}
}
