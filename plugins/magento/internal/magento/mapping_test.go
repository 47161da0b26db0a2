package magento

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// orderFixture is a Magento order with prices including 21%/9% VAT, a 5.00 coupon on the
// configurable line (with discount tax compensation), a configurable parent + child, a dynamic
// bundle (money on the selections), a fixed-price bundle (money on the parent), a custom
// option and flat-rate shipping. Amounts are JSON numbers as Magento sends them, some without
// trailing zeros or with four decimals.
const orderFixture = `{
 "entity_id": 7, "increment_id": "000000007", "state": "processing", "status": "processing",
 "created_at": "2024-05-01 10:00:00", "updated_at": "2024-05-01 10:05:09",
 "order_currency_code": "EUR", "base_currency_code": "EUR", "customer_is_guest": 1,
 "customer_email": "fleur@example.nl", "customer_firstname": "Fleur", "customer_lastname": "Visser",
 "customer_note": "Niet aanbellen &amp; bij de buren", "coupon_code": "WELKOM10", "discount_description": "WELKOM10",
 "grand_total": 159.7, "base_grand_total": 159.7, "subtotal": 133.36, "tax_amount": 24.73,
 "discount_amount": -5, "discount_tax_compensation_amount": 0.87,
 "shipping_amount": 5.74, "shipping_tax_amount": 1.21, "shipping_incl_tax": 6.95, "shipping_discount_amount": 0,
 "shipping_description": "Flat Rate - Fixed", "total_paid": 159.7, "total_refunded": 0, "store_id": 1,
 "billing_address": {"address_type": "billing", "firstname": "Fleur", "lastname": "Visser", "company": "Visser B.V.",
   "street": ["Kerkstraat", "12", "A"], "city": "Utrecht", "postcode": "3511 AB", "country_id": "nl",
   "telephone": "0612345678", "email": "fleur@example.nl", "vat_id": "NL001234567B01"},
 "payment": {"account_status": null, "additional_information": ["Bank Transfer Payment"], "cc_last4": null,
   "method": "banktransfer", "last_trans_id": "tr_77"},
 "items": [
  {"item_id": 10, "product_id": 40, "product_type": "configurable", "sku": "HOODIE-M", "name": "Hoodie koppel",
   "qty_ordered": 1.0000, "price": 41.28, "price_incl_tax": 49.95, "row_total": 41.28, "row_total_incl_tax": 49.95,
   "tax_amount": 7.8, "tax_percent": 21, "discount_amount": 5, "discount_tax_compensation_amount": 0.87,
   "product_option": {"extension_attributes": {"configurable_item_options": [{"option_id": "93", "option_value": 52}]}}},
  {"item_id": 11, "parent_item_id": 10, "product_id": 38, "product_type": "simple", "sku": "HOODIE-M", "name": "Hoodie koppel-M",
   "qty_ordered": 1, "price": 0, "price_incl_tax": 0, "row_total": 0, "row_total_incl_tax": 0, "tax_amount": 0, "tax_percent": 0,
   "discount_amount": 0, "parent_item": {"item_id": 10, "sku": "HOODIE-M"}},
  {"item_id": 12, "product_id": 50, "product_type": "bundle", "sku": "GIFTBOX-KP-1001-KP-1004", "name": "Cadeaubox",
   "qty_ordered": 2, "price": 16.85, "price_incl_tax": 18.44, "row_total": 33.7, "row_total_incl_tax": 36.88, "tax_amount": 0,
   "tax_percent": 0, "discount_amount": 0},
  {"item_id": 13, "parent_item_id": 12, "product_id": 1, "product_type": "simple", "sku": "KP-1001", "name": "Koffiebonen Java 1kg",
   "qty_ordered": 2, "price": 11.88, "price_incl_tax": 12.95, "row_total": 23.76, "row_total_incl_tax": 25.9, "tax_amount": 2.14,
   "tax_percent": 9, "discount_amount": 0, "discount_tax_compensation_amount": 0},
  {"item_id": 14, "parent_item_id": 12, "product_id": 4, "product_type": "simple", "sku": "KP-1004", "name": "Stroopwafels 8 stuks",
   "qty_ordered": 2, "price": 3.2, "price_incl_tax": 3.49, "row_total": 6.4, "row_total_incl_tax": 6.98, "tax_amount": 0.58,
   "tax_percent": 9, "discount_amount": 0},
  {"item_id": 15, "product_id": 51, "product_type": "bundle", "sku": "STARTER-SET-KP-1003-KP-1005", "name": "Startpakket",
   "qty_ordered": 1, "price": 24.75, "price_incl_tax": 29.95, "row_total": 24.75, "row_total_incl_tax": 29.95, "tax_amount": 5.2,
   "tax_percent": 21, "discount_amount": 0},
  {"item_id": 16, "parent_item_id": 15, "product_id": 3, "product_type": "simple", "sku": "KP-1003", "name": "Mok Delfts blauw",
   "qty_ordered": 1, "price": 0, "row_total": 0, "tax_amount": 0},
  {"item_id": 17, "parent_item_id": 15, "product_id": 5, "product_type": "simple", "sku": "KP-1005", "name": "Kaasschaaf RVS",
   "qty_ordered": 1, "price": 0, "row_total": 0, "tax_amount": 0},
  {"item_id": 18, "product_id": 3, "product_type": "simple", "sku": "KP-1003", "name": "Mok Delfts blauw",
   "qty_ordered": 3, "price": 12.39, "price_incl_tax": 14.99, "row_total": 37.17, "row_total_incl_tax": 44.97, "tax_amount": 7.8,
   "tax_percent": 21, "discount_amount": 0,
   "product_option": {"extension_attributes": {"custom_options": [{"option_id": "3", "option_value": "Gravure: Jan"}]}}}
 ],
 "extension_attributes": {"shipping_assignments": [{"shipping": {"method": "flatrate_flatrate",
   "address": {"address_type": "shipping", "firstname": "Jan", "lastname": "Visser", "street": ["Dorpsweg 5", "Achterom"],
     "city": "Zwolle", "postcode": "8011 CW", "country_id": "NL", "telephone": "0687654321"}}, "items": []}]}
}`

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

type wantLine struct {
	id, parent, product, variation, sku, name string
	qty, ux, ui, tx, tax, ti, rate, disc      string
	options                                   string
}

func checkLine(t *testing.T, got sdk.OrderLine, w wantLine) {
	t.Helper()
	str := []struct{ name, got, want string }{
		{"ID", got.ID, w.id}, {"ParentLineID", got.ParentLineID, w.parent}, {"ProductID", got.ProductID, w.product},
		{"VariationID", got.VariationID, w.variation}, {"SKU", got.SKU, w.sku}, {"Name", got.Name, w.name},
	}
	for _, c := range str {
		if c.got != c.want {
			t.Errorf("line %s %s = %q, want %q", w.id, c.name, c.got, c.want)
		}
	}
	money := []struct {
		name string
		got  decimal.Decimal
		want string
	}{{"Quantity", got.Quantity, w.qty}, {"UnitPriceExcl", got.UnitPriceExcl, w.ux}, {"UnitPriceIncl", got.UnitPriceIncl, w.ui},
		{"TotalExcl", got.TotalExcl, w.tx}, {"Tax", got.Tax, w.tax}, {"TotalIncl", got.TotalIncl, w.ti},
		{"TaxRate", got.TaxRate, w.rate}, {"Discount", got.Discount, w.disc}}
	for _, c := range money {
		if !c.got.Equal(d(c.want)) {
			t.Errorf("line %s %s = %s, want %s", w.id, c.name, c.got, c.want)
		}
	}
	var opts []string
	for _, o := range got.Options {
		opts = append(opts, o.Name+"="+o.Value)
	}
	if strings.Join(opts, ";") != w.options {
		t.Errorf("line %s options %q, want %q", w.id, strings.Join(opts, ";"), w.options)
	}
}

func decodeFixture(t *testing.T) *wireOrder {
	t.Helper()
	var w wireOrder
	if err := json.Unmarshal([]byte(orderFixture), &w); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return &w
}

// TestMapOrderInLines checks every mapped field of the fixture to the cent.
func TestMapOrderInLines(t *testing.T) {
	o, err := mapOrder(decodeFixture(t), mapOptions{Discounts: discountsInLines, PricesIncludeTax: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"ID", o.ID, "7"}, {"Number", o.Number, "000000007"}, {"Status", o.Status, "processing"},
		{"CreatedAt", o.CreatedAt.String(), "2024-05-01 10:00:00 +0000 UTC"}, {"ModifiedAt", o.ModifiedAt.String(), "2024-05-01 10:05:09 +0000 UTC"},
		{"Currency", o.Currency, "EUR"}, {"Customer.ID", o.Customer.ID, ""}, {"Customer.Email", o.Customer.Email, "fleur@example.nl"},
		{"Customer.FirstName", o.Customer.FirstName, "Fleur"}, {"Customer.Company", o.Customer.Company, "Visser B.V."},
		{"Customer.VATNumber", o.Customer.VATNumber, "NL001234567B01"}, {"Customer.Phone", o.Customer.Phone, "0612345678"},
		{"Billing.Street", o.Billing.Street, "Kerkstraat 12 A"}, {"Billing.Street2", o.Billing.Street2, ""},
		{"Billing.Country", o.Billing.Country, "NL"}, {"Billing.Postcode", o.Billing.Postcode, "3511 AB"},
		{"Shipping.FirstName", o.Shipping.FirstName, "Jan"}, {"Shipping.Street", o.Shipping.Street, "Dorpsweg 5"},
		{"Shipping.Street2", o.Shipping.Street2, "Achterom"}, {"Shipping.City", o.Shipping.City, "Zwolle"},
		{"Payment.Method", o.Payment.Method, "banktransfer"}, {"Payment.Title", o.Payment.Title, "Bank Transfer Payment"},
		{"Payment.TransactionID", o.Payment.TransactionID, "tr_77"}, {"Note", o.Note, "Niet aanbellen &amp; bij de buren"},
		{"Extra.state", o.Extra["state"], "processing"}, {"Extra.coupon_code", o.Extra["coupon_code"], "WELKOM10"},
		{"Extra.shipping_method", o.Extra["shipping_method"], "flatrate_flatrate"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !o.Payment.Paid || !o.PricesIncludeTax || o.Customer.Guest() == false {
		t.Errorf("Paid %v, PricesIncludeTax %v, Guest %v: want all true", o.Payment.Paid, o.PricesIncludeTax, o.Customer.Guest())
	}
	if !o.Totals.Total.Equal(d("159.70")) || !o.Totals.Tax.Equal(d("24.73")) || !o.Totals.TotalExcl.Equal(d("134.97")) || !o.Refunded.IsZero() {
		t.Errorf("totals %+v refunded %s", o.Totals, o.Refunded)
	}
	want := []wantLine{
		{"10", "", "40", "38", "HOODIE-M", "Hoodie koppel", "1", "37.15", "44.95", "37.15", "7.80", "44.95", "21", "4.13", "Variant=Hoodie koppel-M"},
		{"12", "", "50", "", "GIFTBOX-KP-1001-KP-1004", "Cadeaubox", "2", "0", "0", "0", "0", "0", "0", "0", ""},
		{"13", "12", "1", "", "KP-1001", "Koffiebonen Java 1kg", "2", "11.88", "12.95", "23.76", "2.14", "25.90", "9", "0", ""},
		{"14", "12", "4", "", "KP-1004", "Stroopwafels 8 stuks", "2", "3.20", "3.49", "6.40", "0.58", "6.98", "9", "0", ""},
		{"15", "", "51", "", "STARTER-SET-KP-1003-KP-1005", "Startpakket", "1", "24.75", "29.95", "24.75", "5.20", "29.95", "21", "0", ""},
		{"16", "15", "3", "", "KP-1003", "Mok Delfts blauw", "1", "0", "0", "0", "0", "0", "0", "0", ""},
		{"17", "15", "5", "", "KP-1005", "Kaasschaaf RVS", "1", "0", "0", "0", "0", "0", "0", "0", ""},
		{"18", "", "3", "", "KP-1003", "Mok Delfts blauw", "3", "12.39", "14.99", "37.17", "7.80", "44.97", "21", "0", "Option 3=Gravure: Jan"},
	}
	if len(o.Lines) != len(want) {
		t.Fatalf("%d lines, want %d (configurable child merged, bundles with their selections)", len(o.Lines), len(want))
	}
	for i, w := range want {
		checkLine(t, o.Lines[i], w)
	}
	if len(o.ShippingLines) != 1 {
		t.Fatalf("shipping lines %+v", o.ShippingLines)
	}
	sh := o.ShippingLines[0]
	if sh.Code != "flatrate_flatrate" || sh.Name != "Flat Rate - Fixed" || !sh.TotalExcl.Equal(d("5.74")) || !sh.Tax.Equal(d("1.21")) ||
		!sh.TotalIncl.Equal(d("6.95")) || sh.TaxRate == nil || !sh.TaxRate.Equal(d("21")) {
		t.Errorf("shipping %+v", sh)
	}
	if len(o.Discounts) != 0 {
		t.Errorf("in_lines reports discount charges %+v", o.Discounts)
	}
	sum := decimal.Zero
	for _, l := range o.Lines {
		sum = sum.Add(l.TotalIncl)
	}
	if got := sum.Add(sh.TotalIncl); !got.Equal(o.Totals.Total) {
		t.Errorf("lines + shipping = %s, want the grand total %s", got, o.Totals.Total)
	}
}

// TestMapOrderSeparateDiscounts checks the separate mode: lines before discount, the coupon as
// a charge per rate with its tax (the compensation), the whole still adding up.
func TestMapOrderSeparateDiscounts(t *testing.T) {
	o, err := mapOrder(decodeFixture(t), mapOptions{Discounts: discountsSeparate})
	if err != nil {
		t.Fatal(err)
	}
	checkLine(t, o.Lines[0], wantLine{"10", "", "40", "38", "HOODIE-M", "Hoodie koppel", "1", "41.28", "49.95", "41.28", "8.67", "49.95", "21", "0", "Variant=Hoodie koppel-M"})
	if len(o.Discounts) != 1 {
		t.Fatalf("discounts %+v, want one for 21%%", o.Discounts)
	}
	dc := o.Discounts[0]
	if dc.Code != "WELKOM10" || !dc.TotalExcl.Equal(d("4.13")) || !dc.Tax.Equal(d("0.87")) || !dc.TotalIncl.Equal(d("5.00")) || !dc.TaxRate.Equal(d("21")) {
		t.Errorf("discount %+v", dc)
	}
	sum := decimal.Zero
	for _, l := range o.Lines {
		sum = sum.Add(l.TotalIncl)
	}
	sum = sum.Add(o.ShippingLines[0].TotalIncl).Sub(dc.TotalIncl)
	if !sum.Equal(o.Totals.Total) {
		t.Errorf("lines + shipping - discount = %s, want %s", sum, o.Totals.Total)
	}
}

// TestAmountExact checks that amounts never pass through float64.
func TestAmountExact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`0.30000000000000004`, "0.30000000000000004"}, {`159.7`, "159.7"}, {`1.0000`, "1"}, {`"12.10"`, "12.1"},
		{`null`, "0"}, {`-5`, "-5"}, {`1e2`, "100"}, {`123456789012345678.91`, "123456789012345678.91"},
	} {
		var a amount
		if err := json.Unmarshal([]byte(c.in), &a); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if !a.Equal(d(c.want)) {
			t.Errorf("%s decoded as %s, want %s", c.in, a.String(), c.want)
		}
	}
	var a amount
	if err := json.Unmarshal([]byte(`"abc"`), &a); err == nil {
		t.Errorf("\"abc\" decoded without error")
	}
}

// TestFormatMessage checks both parameter forms and nested errors.
func TestFormatMessage(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Sales::actions_view"}}`,
			"The consumer isn't authorized to access Magento_Sales::actions_view."},
		{`{"message":"The \"%1\" value's type is invalid. The \"%2\" type was expected.","parameters":["abc","int"]}`,
			`The "abc" value's type is invalid. The "int" type was expected.`},
		{`{"message":"\"%fieldName\" is required.","parameters":[{"fieldName":"searchCriteria"}]}`, `"searchCriteria" is required.`},
		{`{"message":"%1 and %10","parameters":["a","b","c","d","e","f","g","h","i","j"]}`, "a and j"},
		{`{"message":"Validation Failed","errors":[{"message":"Product with SKU \"%sku\" does not exist.","parameters":{"sku":"X-1"}}]}`,
			`Validation Failed: Product with SKU "X-1" does not exist.`},
	} {
		got, _, ok := describeError([]byte(c.body))
		if !ok || got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.body, got, c.want)
		}
	}
}

// Shipping's VAT rate is Magento's own (item_applied_taxes of type "shipping") where it gives
// one, also for an amount too small to derive the rate from (0.50 at 9 %: 0.05 tax is 10 %).
func TestShippingRateFromAppliedTaxes(t *testing.T) {
	w := decodeFixture(t)
	raw := `{"item_applied_taxes": [{"type": "product", "item_id": 1, "applied_taxes": [{"code": "NL21", "percent": 21, "amount": 1}]},
	  {"type": "shipping", "item_id": null, "applied_taxes": [{"code": "NL9", "percent": 9, "amount": 0.05}]}]}`
	if err := json.Unmarshal([]byte(raw), &w.ExtensionAttributes); err != nil {
		t.Fatal(err)
	}
	w.ShippingAmount.Decimal, w.ShippingTaxAmount.Decimal = d("0.50"), d("0.05")
	if r, ok := shippingRate(w); !ok || !r.Equal(d("9")) {
		t.Fatalf("shippingRate = %s, %v; want 9", r, ok)
	}
	// Two rates on shipping stack in Magento: no single rate from them.
	raw = `{"item_applied_taxes": [{"type": "shipping", "applied_taxes": [{"percent": 6, "amount": 0.03}, {"percent": 1, "amount": 0.02}]}]}`
	if err := json.Unmarshal([]byte(raw), &w.ExtensionAttributes); err != nil {
		t.Fatal(err)
	}
	if r, ok := shippingRate(w); ok {
		t.Fatalf("stacked rates gave a single rate %s", r)
	}
}
