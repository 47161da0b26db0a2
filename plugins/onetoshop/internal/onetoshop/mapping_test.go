package onetoshop

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// A rich order as API.md documents it: amounts as strings, a number and an id as JSON numbers,
// a line discount, a variant with options, shipping, payment costs and a coupon.
const richOrder = `{
  "id": 1042, "number": "2026-1042", "status": "paid",
  "created_at": "2026-11-24T10:15:00+01:00", "updated_at": "2026-11-24T10:17:30+01:00",
  "currency": "eur", "prices_include_vat": true,
  "customer": {"id": 77, "code": "K77", "email": "fleur@example.nl", "phone": "0612345678",
    "first_name": "Fleur", "last_name": "de Vries", "company": "De Bloemenhoek", "vat_number": "nl 123456789B01"},
  "billing_address": {"company": "De Bloemenhoek", "first_name": "Fleur", "last_name": "de Vries",
    "street": "Dorpsstraat", "house_number": 12, "house_number_suffix": "a", "address2": "",
    "postal_code": "1234ab", "city": "Amersfoort", "country": "nl", "phone": "0612345678", "email": "fleur@example.nl"},
  "shipping_address": {"first_name": "Fleur", "last_name": "de Vries", "street": "Kerkweg",
    "house_number": "3", "house_number_suffix": "bis", "postal_code": "3511 AB", "city": "Utrecht", "country": "Nederland"},
  "lines": [
    {"id": 5001, "product_id": 101, "variant_id": 0, "sku": "TUIN-001", "ean": "8700000001000",
     "name": "Snoeischaar &amp; hoes", "quantity": 2, "unit_price_incl_vat": "22.46", "vat_rate": 21,
     "discount_incl_vat": "4.99", "total_incl_vat": "44.92", "total_excl_vat": "37.12", "vat_amount": "7.80",
     "options": [{"name": "Kleur", "value": "Rood"}]},
    {"id": 5002, "product_id": 112, "variant_id": 114, "sku": "TS-GROEN-L", "name": "Tuinschort groen L",
     "quantity": "1", "unit_price_incl_vat": "19.95", "vat_rate": "21"},
    {"id": 5003, "product_id": 103, "sku": "TUIN-003", "name": "Potgrond 40 L",
     "quantity": "3", "unit_price_incl_vat": "7.99", "vat_rate": "9", "total_incl_vat": "23.97", "vat_amount": "1.98"}
  ],
  "shipping_method": "postnl", "shipping_method_name": "PostNL pakket",
  "shipping_costs": "6.95", "shipping_vat_rate": "21", "shipping_vat": "1.21",
  "payment_costs": "1.95", "payment_costs_vat_rate": "21",
  "discounts": [{"code": "WELKOM5", "name": "Kortingscode WELKOM5", "amount_incl_vat": "5.00", "vat_rate": "21", "vat_amount": "0.87"}],
  "payment_method": "afterpay", "payment_method_name": "Achteraf betalen", "paid": true,
  "paid_at": "2026-11-24T10:16:00+01:00", "transaction_id": "tr_abc",
  "total_excl_vat": "78.82", "vat_total": "13.92", "total_incl_vat": "92.74",
  "refunded_amount": "0.00", "customer_note": "  Graag achterom  "
}`

func TestMapRichOrder(t *testing.T) {
	var w wireOrder
	if err := json.Unmarshal([]byte(richOrder), &w); err != nil {
		t.Fatal(err)
	}
	o, err := mapOrder(w)
	if err != nil {
		t.Fatal(err)
	}
	eq := func(field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	money := func(field string, got sdk.Money, want string) {
		t.Helper()
		if !got.Equal(d(want)) {
			t.Errorf("%s = %s, want %s", field, got, want)
		}
	}
	eq("ID", o.ID, "1042")
	eq("Number", o.Number, "2026-1042")
	eq("Status", o.Status, "paid")
	eq("Currency", o.Currency, "EUR")
	if !o.CreatedAt.Equal(time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC)) || o.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v", o.CreatedAt)
	}
	if !o.ModifiedAt.Equal(time.Date(2026, 11, 24, 9, 17, 30, 0, time.UTC)) {
		t.Errorf("ModifiedAt = %v", o.ModifiedAt)
	}
	if !o.PricesIncludeTax {
		t.Error("PricesIncludeTax = false")
	}
	eq("Note", o.Note, "Graag achterom")

	c := o.Customer
	eq("Customer.ID", c.ID, "77")
	eq("Customer.Code", c.Code, "K77")
	eq("Customer.Email", c.Email, "fleur@example.nl")
	eq("Customer.FirstName", c.FirstName, "Fleur")
	eq("Customer.LastName", c.LastName, "de Vries")
	eq("Customer.Company", c.Company, "De Bloemenhoek")
	eq("Customer.Phone", c.Phone, "0612345678")
	eq("Customer.VATNumber", c.VATNumber, "NL123456789B01")

	b := o.Billing
	eq("Billing.Street", b.Street, "Dorpsstraat 12A")
	eq("Billing.Postcode", b.Postcode, "1234 AB")
	eq("Billing.City", b.City, "Amersfoort")
	eq("Billing.Country", b.Country, "NL")
	eq("Billing.Company", b.Company, "De Bloemenhoek")
	eq("Billing.Email", b.Email, "fleur@example.nl")
	s := o.Shipping
	eq("Shipping.Street", s.Street, "Kerkweg 3 bis")
	eq("Shipping.Postcode", s.Postcode, "3511 AB")
	eq("Shipping.Country", s.Country, "NL")

	if len(o.Lines) != 3 {
		t.Fatalf("%d lines", len(o.Lines))
	}
	l := o.Lines[0]
	eq("Lines[0].ID", l.ID, "5001")
	eq("Lines[0].ProductID", l.ProductID, "101")
	eq("Lines[0].VariationID", l.VariationID, "")
	eq("Lines[0].SKU", l.SKU, "TUIN-001")
	eq("Lines[0].Name", l.Name, "Snoeischaar & hoes")
	money("Lines[0].Quantity", l.Quantity, "2")
	money("Lines[0].UnitPriceIncl", l.UnitPriceIncl, "22.46")
	money("Lines[0].UnitPriceExcl", l.UnitPriceExcl, "18.56")
	money("Lines[0].TotalIncl", l.TotalIncl, "44.92")
	money("Lines[0].TotalExcl", l.TotalExcl, "37.12")
	money("Lines[0].Tax", l.Tax, "7.80")
	money("Lines[0].TaxRate", l.TaxRate, "21")
	money("Lines[0].Discount", l.Discount, "4.12")
	if len(l.Options) != 1 || l.Options[0] != (sdk.Option{Name: "Kleur", Value: "Rood"}) {
		t.Errorf("Lines[0].Options = %v", l.Options)
	}
	l = o.Lines[1] // only unit price and rate: everything else derived
	eq("Lines[1].VariationID", l.VariationID, "114")
	money("Lines[1].TotalIncl", l.TotalIncl, "19.95")
	money("Lines[1].TotalExcl", l.TotalExcl, "16.49")
	money("Lines[1].Tax", l.Tax, "3.46")
	money("Lines[1].UnitPriceExcl", l.UnitPriceExcl, "16.487603")
	l = o.Lines[2] // VAT given, excl derived
	money("Lines[2].TotalExcl", l.TotalExcl, "21.99")
	money("Lines[2].Tax", l.Tax, "1.98")
	money("Lines[2].TaxRate", l.TaxRate, "9")
	money("Lines[2].UnitPriceExcl", l.UnitPriceExcl, "7.330275")

	if len(o.ShippingLines) != 1 {
		t.Fatalf("shipping lines %v", o.ShippingLines)
	}
	sh := o.ShippingLines[0]
	eq("Shipping.Code", sh.Code, "postnl")
	eq("Shipping.Name", sh.Name, "PostNL pakket")
	money("Shipping.TotalIncl", sh.TotalIncl, "6.95")
	money("Shipping.Tax", sh.Tax, "1.21")
	money("Shipping.TotalExcl", sh.TotalExcl, "5.74")
	if sh.TaxRate == nil || !sh.TaxRate.Equal(d("21")) {
		t.Errorf("Shipping.TaxRate = %v", sh.TaxRate)
	}
	if len(o.Fees) != 1 {
		t.Fatalf("fees %v", o.Fees)
	}
	f := o.Fees[0] // VAT derived from the rate: 1.95 / 1.21 = 1.61
	eq("Fee.Name", f.Name, "Betalingskosten Achteraf betalen")
	money("Fee.TotalIncl", f.TotalIncl, "1.95")
	money("Fee.TotalExcl", f.TotalExcl, "1.61")
	money("Fee.Tax", f.Tax, "0.34")
	if len(o.Discounts) != 1 {
		t.Fatalf("discounts %v", o.Discounts)
	}
	dc := o.Discounts[0]
	eq("Discount.Code", dc.Code, "WELKOM5")
	money("Discount.TotalIncl", dc.TotalIncl, "5.00")
	money("Discount.Tax", dc.Tax, "0.87")
	money("Discount.TotalExcl", dc.TotalExcl, "4.13")

	money("Totals.Total", o.Totals.Total, "92.74")
	money("Totals.Tax", o.Totals.Tax, "13.92")
	money("Totals.TotalExcl", o.Totals.TotalExcl, "78.82")
	// The shop's totals equal the sum of what was mapped, to the cent.
	sum, tax := d("0"), d("0")
	for _, l := range o.Lines {
		sum, tax = sum.Add(l.TotalIncl), tax.Add(l.Tax)
	}
	for _, c := range append(o.ShippingLines, o.Fees...) {
		sum, tax = sum.Add(c.TotalIncl), tax.Add(c.Tax)
	}
	for _, c := range o.Discounts {
		sum, tax = sum.Sub(c.TotalIncl), tax.Sub(c.Tax)
	}
	money("sum of lines and charges", sum, "92.74")
	money("sum of VAT", tax, "13.92")

	eq("Payment.Method", o.Payment.Method, "afterpay")
	eq("Payment.Title", o.Payment.Title, "Achteraf betalen")
	eq("Payment.TransactionID", o.Payment.TransactionID, "tr_abc")
	if !o.Payment.Paid || o.Payment.PaidAt == nil || !o.Payment.PaidAt.Equal(time.Date(2026, 11, 24, 9, 16, 0, 0, time.UTC)) {
		t.Errorf("Payment = %+v", o.Payment)
	}
	money("Refunded", o.Refunded, "0")
}

// A thin order: guest, no totals, no shipping address, numbers as JSON numbers, a local
// timestamp without offset.
func TestMapThinOrder(t *testing.T) {
	raw := `{"id": "A-9", "status": "shipped", "updated_at": "2026-07-01 12:00:00",
	  "customer": {"id": 0},
	  "billing_address": {"first_name": "Jan", "last_name": "Smit", "street": "Meir", "house_number": "5",
	     "postal_code": "2000", "city": "Antwerpen", "country": "BEL", "email": "jan@example.be"},
	  "lines": [{"sku": "X", "name": "Ding", "quantity": 1.5, "unit_price_incl_vat": 10.1, "vat_rate": 21}],
	  "shipping_costs": 0, "refunded_amount": "-3.00"}`
	var w wireOrder
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		t.Fatal(err)
	}
	o, err := mapOrder(w)
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != "A-9" || o.Currency != "EUR" || !o.Customer.Guest() || o.Customer.Email != "jan@example.be" || o.Customer.FirstName != "Jan" {
		t.Errorf("header: %+v", o)
	}
	if !o.ModifiedAt.Equal(time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)) || !o.CreatedAt.Equal(o.ModifiedAt) {
		t.Errorf("times %v %v (Amsterdam summer time is UTC+2)", o.CreatedAt, o.ModifiedAt)
	}
	if o.Billing.Country != "BE" || o.Billing.Postcode != "2000" || o.Billing.Street != "Meir 5" || !o.Shipping.Empty() {
		t.Errorf("addresses %+v %+v", o.Billing, o.Shipping)
	}
	l := o.Lines[0] // 1.5 × 10.10 = 15.15; excl 12.52; VAT 2.63
	if !l.TotalIncl.Equal(d("15.15")) || !l.TotalExcl.Equal(d("12.52")) || !l.Tax.Equal(d("2.63")) || l.ID != "A-9-1" {
		t.Errorf("line %+v", l)
	}
	if len(o.ShippingLines) != 0 {
		t.Errorf("zero shipping without a method gave %v", o.ShippingLines)
	}
	if !o.Totals.Total.Equal(d("15.15")) || !o.Totals.Tax.Equal(d("2.63")) || !o.Totals.TotalExcl.Equal(d("12.52")) {
		t.Errorf("derived totals %+v", o.Totals)
	}
	if !o.Refunded.Equal(d("3")) {
		t.Errorf("Refunded = %s", o.Refunded)
	}
}

func TestMapOrderRejects(t *testing.T) {
	for name, raw := range map[string]string{
		"no id":    `{"updated_at": "2026-01-01T00:00:00Z"}`,
		"no time":  `{"id": 1}`,
		"bad time": `{"id": 1, "updated_at": "gisteren", "created_at": "morgen"}`,
	} {
		var w wireOrder
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := mapOrder(w); err == nil {
			t.Errorf("%s: mapped without error", name)
		}
	}
	var w wireOrder
	if err := json.Unmarshal([]byte(`{"id": 1, "total_incl_vat": "12,3.4"}`), &w); err == nil {
		t.Error("a malformed amount decoded")
	}
	if err := json.Unmarshal([]byte(`{"id": {"x":1}}`), &w); err == nil {
		t.Error("an object as id decoded")
	}
}

func TestMapProduct(t *testing.T) {
	raw := `{"id": 114, "parent_id": 112, "sku": " TS-GROEN-L ", "name": "Tuinschort &quot;groen&quot; L",
	  "price_incl_vat": "19.95", "vat_rate": "21", "manage_stock": true, "stock": 7, "updated_at": "2026-11-01T08:00:00+01:00"}`
	var w wireProduct
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		t.Fatal(err)
	}
	p, err := mapProduct(w)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "114" || p.ParentID != "112" || p.SKU != "TS-GROEN-L" || p.Name != `Tuinschort "groen" L` {
		t.Errorf("ids/names %+v", p)
	}
	if !p.Price.Equal(d("19.95")) || !p.PriceIncludesTax || p.TaxRate == nil || !p.TaxRate.Equal(d("21")) {
		t.Errorf("price %+v", p)
	}
	if !p.ManagesStock || p.Stock == nil || !p.Stock.Equal(d("7")) {
		t.Errorf("stock %+v", p)
	}
	if !p.ModifiedAt.Equal(time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("ModifiedAt %v", p.ModifiedAt)
	}
	w = wireProduct{ID: "5", PriceExclVAT: amount{D: d("10"), Set: true}, UpdatedAt: "2026-01-01T00:00:00Z"}
	if p, err := mapProduct(w); err != nil || p.PriceIncludesTax || !p.Price.Equal(d("10")) || p.Stock != nil {
		t.Errorf("excl product %+v %v", p, err)
	}
}

func TestJoinStreet(t *testing.T) {
	for _, c := range []struct{ street, number, suffix, want string }{
		{"Dorpsstraat", "12", "", "Dorpsstraat 12"},
		{"Dorpsstraat", "12", "A", "Dorpsstraat 12A"},
		{"Dorpsstraat", "12", "a", "Dorpsstraat 12A"},
		{"Dorpsstraat", "12", "bis", "Dorpsstraat 12 bis"},
		{"Dorpsstraat", "12", "-3", "Dorpsstraat 12-3"},
		{"Dorpsstraat", "12", "/II", "Dorpsstraat 12/II"},
		{"Dorpsstraat", "12", "1 hoog", "Dorpsstraat 12 1 hoog"},
		{"  Laan  van   Meerdervoort ", " 7 ", " hs ", "Laan van Meerdervoort 7 hs"},
		{"Dorpsstraat 12", "12", "", "Dorpsstraat 12"},
		{"Dorpsstraat 12", "12", "B", "Dorpsstraat 12B"},
		{"Dorpsstraat 12B", "12", "B", "Dorpsstraat 12B"},
		{"Postbus", "", "", "Postbus"},
		{"", "12", "A", "12A"},
		{"Dorpsstraat", "", "A", "Dorpsstraat A"},
		{"", "", "", ""},
	} {
		if got := JoinStreet(c.street, c.number, c.suffix); got != c.want {
			t.Errorf("JoinStreet(%q, %q, %q) = %q, want %q", c.street, c.number, c.suffix, got, c.want)
		}
	}
}

func TestCountryAndPostcode(t *testing.T) {
	for in, want := range map[string]string{"nl": "NL", " Nederland ": "NL", "NLD": "NL", "België": "BE", "de": "DE", "Atlantis": "ATLANTIS", "": ""} {
		if got := Country(in); got != want {
			t.Errorf("Country(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ in, country, want string }{
		{"1234ab", "NL", "1234 AB"}, {"1234 AB", "NL", "1234 AB"}, {" 1234  ab ", "", "1234 AB"},
		{"2000", "BE", "2000"}, {"12345", "NL", "12345"}, {"sw1a 1aa", "GB", "SW1A 1AA"},
	} {
		if got := Postcode(c.in, c.country); got != c.want {
			t.Errorf("Postcode(%q, %q) = %q, want %q", c.in, c.country, got, c.want)
		}
	}
}
