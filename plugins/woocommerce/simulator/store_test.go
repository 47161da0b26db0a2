package simulator

import (
	"net/http"
	"testing"

	"github.com/shopspring/decimal"
)

// addTaxed adds a simple product of a tax class at a price excluding tax and returns its id.
func addTaxed(t *testing.T, e *env, sku, class, price string) int64 {
	t.Helper()
	p, err := e.sim.AddProduct(Product{Name: sku, SKU: sku, Type: "simple", Status: "publish", TaxStatus: "taxable", TaxClass: class,
		RegularPrice: decimal.NewNullDecimal(decimal.RequireFromString(price))})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// taxesOf returns a fee or shipping line's taxes as rate id → total.
func taxesOf(t *testing.T, line any) map[float64]string {
	t.Helper()
	out := map[float64]string{}
	for _, x := range arr(t, obj(t, line)["taxes"]) {
		out[obj(t, x)["id"].(float64)] = obj(t, x)["total"].(string)
	}
	return out
}

// The store's tax rules as a real WooCommerce 10 store applies them (reference A.8b):
// shipping "based on cart items" takes 9 % for a cart of 0 % and 9 % items; a negative fee's tax
// is split over the cart's rates with shipping counted in the split.
func TestStoreTaxRules(t *testing.T) {
	e := newEnv(t, Options{})
	zero := addTaxed(t, e, "ZERO", "zero-rate", "10.00")
	book := addTaxed(t, e, "BOOK", "reduced-rate", "20.00")
	coffee := addTaxed(t, e, "COFFEE", "", "30.00")
	nl := map[string]any{"country": "NL", "email": "a@example.nl"}
	ship := []any{map[string]any{"method_id": "flat_rate", "method_title": "PostNL", "total": "5.00"}}

	o := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{"billing": nl,
		"line_items":     []any{map[string]any{"product_id": zero, "quantity": 1}, map[string]any{"product_id": book, "quantity": 1}},
		"shipping_lines": ship}), 201))
	// Rate ids of the default table: 1 = NL 21 %, 2 = NL 9 %, 3 = NL 0 %.
	if got := taxesOf(t, arr(t, o["shipping_lines"])[0]); len(got) != 1 || got[2] != "0.45" {
		t.Fatalf("shipping taxes of a 0 %% + 9 %% cart = %v, want 0.45 at 9 %% (rate 2)", got)
	}

	o = obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{"billing": nl,
		"line_items":     []any{map[string]any{"product_id": coffee, "quantity": 1}, map[string]any{"product_id": book, "quantity": 1}},
		"shipping_lines": ship,
		"fee_lines":      []any{map[string]any{"name": "Korting", "total": "-5.50", "tax_status": "taxable"}}}), 201))
	// Costs: 21 %: coffee 30.00 + shipping 5.00 (under the first item's class); 9 %: 20.00.
	// -5.50 × 35/55 = -3.50 → -0.735 → -0.74 at 21 %; -5.50 × 20/55 = -2.00 → -0.18 at 9 %.
	fee := arr(t, o["fee_lines"])[0]
	if got := taxesOf(t, fee); len(got) != 2 || got[1] != "-0.74" || got[2] != "-0.18" {
		t.Fatalf("negative fee taxes = %v, want -0.74 at 21 %% and -0.18 at 9 %%", got)
	}
	if obj(t, fee)["total_tax"] != "-0.92" {
		t.Fatalf("fee total_tax = %v", obj(t, fee)["total_tax"])
	}
}

// A line with an unknown product is stored without one (product_id 0, sku ""); an unknown coupon
// is refused with woocommerce_rest_invalid_coupon and leaves a checkout-draft order behind, listed
// under status=any; a note does not change date_modified.
func TestStoreOrderQuirks(t *testing.T) {
	e := newEnv(t, Options{})
	o := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"line_items": []any{map[string]any{"product_id": 987654, "quantity": 2, "name": "Weg"}}}), 201))
	li := obj(t, arr(t, o["line_items"])[0])
	if li["product_id"] != float64(0) || li["sku"] != "" {
		t.Fatalf("unknown product line: product_id %v, sku %q", li["product_id"], li["sku"])
	}
	o = obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"line_items": []any{map[string]any{"sku": "NO-SUCH-SKU", "quantity": 1, "name": "Weg"}}}), 201))
	if li := obj(t, arr(t, o["line_items"])[0]); li["product_id"] != float64(0) || li["sku"] != "" {
		t.Fatalf("unknown sku line: %v", li)
	}

	before := len(e.sim.Orders())
	v := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{"status": "processing",
		"line_items":   []any{map[string]any{"product_id": 987654, "quantity": 1}},
		"coupon_lines": []any{map[string]any{"code": "bestaatniet"}}}), 400))
	if v["code"] != "woocommerce_rest_invalid_coupon" || v["message"] != `Coupon "bestaatniet" does not exist!` {
		t.Fatalf("unknown coupon: %v", v)
	}
	all := e.sim.Orders()
	if len(all) != before+1 || all[len(all)-1].Status != "checkout-draft" {
		t.Fatalf("after the refused create: %d orders (was %d), last %+v; want a checkout-draft left", len(all), before, all[len(all)-1].Status)
	}
	listed := ids(t, decode(t, e.do("GET", "/wp-json/wc/v3/orders", qs("status", "any", "per_page", "100"), nil), 200))
	found := false
	for _, id := range listed {
		found = found || id == all[len(all)-1].ID
	}
	if !found {
		t.Fatalf("status=any does not list the checkout-draft: %v", listed)
	}

	id := int64(o["id"].(float64))
	path := "/wp-json/wc/v3/orders/" + itoa(int(id))
	mod := obj(t, decode(t, e.do("GET", path, nil, nil), 200))["date_modified_gmt"]
	e.clock.Advance(5 * 60e9)
	n := obj(t, decode(t, e.do("POST", path+"/notes", nil, map[string]any{"note": "Gebeld met de klant"}), 201))
	if n["note"] != "Gebeld met de klant" || n["customer_note"] != false {
		t.Fatalf("note = %v", n)
	}
	if got := obj(t, decode(t, e.do("GET", path, nil, nil), 200))["date_modified_gmt"]; got != mod {
		t.Fatalf("a note changed date_modified_gmt from %v to %v", mod, got)
	}
	if notes := arr(t, decode(t, e.do("GET", path+"/notes", nil, nil), 200)); len(notes) != 1 {
		t.Fatalf("notes = %v", notes)
	}
	v = obj(t, decode(t, e.do("POST", path+"/notes", nil, map[string]any{"customer_note": true}), 400))
	if v["code"] != "rest_missing_callback_param" {
		t.Fatalf("note without text: %v", v)
	}
}

// With Plain permalinks /wp-json/... answers 301 to the home page; ?rest_route= serves the API.
func TestPlainPermalinks(t *testing.T) {
	e := newEnv(t, Options{PlainPermalinks: true, SiteURL: "http://winkel.example"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(e.ts.URL + "/wp-json/wc/v3/orders")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "http://winkel.example/" {
		t.Fatalf("plain permalinks: %d to %q, want 301 to the home page", resp.StatusCode, resp.Header.Get("Location"))
	}
	idx := obj(t, decode(t, e.raw("GET", "/?rest_route=/", nil, nil), 200))
	if idx["home"] != "http://winkel.example" {
		t.Fatalf("index through rest_route: home %v", idx["home"])
	}
}
