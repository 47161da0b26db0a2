package simulator

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// jsonType names a decoded JSON value's type.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// shapeDiff lists every difference in keys (recursively) and JSON types between a captured
// response and the simulator's. Arrays are compared element by element (both empty or both
// not; each captured element against the simulator's element at the same index, or its
// last one).
func shapeDiff(path string, want, got any) []string {
	wt, gt := jsonType(want), jsonType(got)
	if wt != gt {
		return []string{fmt.Sprintf("%s: type %s, captured %s", path, gt, wt)}
	}
	var out []string
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !gok:
				out = append(out, path+"."+k+": missing")
			case !wok:
				out = append(out, path+"."+k+": not in the capture")
			default:
				out = append(out, shapeDiff(path+"."+k, wv, gv)...)
			}
		}
	case []any:
		g := got.([]any)
		if (len(w) == 0) != (len(g) == 0) {
			return []string{fmt.Sprintf("%s: %d elements, captured %d", path, len(g), len(w))}
		}
		for i, we := range w {
			j := i
			if j >= len(g) {
				j = len(g) - 1
			}
			out = append(out, shapeDiff(fmt.Sprintf("%s[%d]", path, i), we, g[j])...)
		}
	}
	return out
}

func assertShape(t *testing.T, name string, want, got any) {
	t.Helper()
	if d := shapeDiff(name, want, got); len(d) > 0 {
		t.Errorf("%s differs from the capture:\n  %s", name, strings.Join(d, "\n  "))
	}
}

// captureTaxes turns the captured GET /taxes into the simulator's tax table.
func captureTaxes(t *testing.T) []TaxRate {
	var out []TaxRate
	for _, r := range arr(t, capture(t, "taxes.json")) {
		m := obj(t, r)
		out = append(out, TaxRate{ID: int64(m["id"].(float64)), Country: m["country"].(string), State: m["state"].(string),
			Rate: decimal.RequireFromString(m["rate"].(string)), Name: m["name"].(string), Priority: int64(m["priority"].(float64)),
			Compound: m["compound"].(bool), Shipping: m["shipping"].(bool), Class: m["class"].(string)})
	}
	return out
}

// TestShapesMatchCaptures replays the captured scenarios through the simulator's API and
// compares each answer with the captured one: same keys, recursively, and same JSON types.
func TestShapesMatchCaptures(t *testing.T) {
	e := newEnv(t, Options{TimeZone: time.UTC, Currency: "EUR"})
	e.sim.SetTaxRates(captureTaxes(t))
	if err := e.sim.AddCoupon(Coupon{Code: "welkom64ccb1", DiscountType: "percent", Amount: decimal.NewFromInt(10)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ { // other products, so related_ids is not empty
		decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{"name": fmt.Sprintf("Filler %d", i), "regular_price": "1.00"}), 201)
	}
	taxes := decode(t, e.do("GET", "/wp-json/wc/v3/taxes", qs("per_page", "100"), nil), 200)
	assertShape(t, "taxes", capture(t, "taxes.json"), taxes)

	variable := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{
		"name": "T-shirt Ærø", "type": "variable", "sku": "TS-64ccb1",
		"attributes": []any{map[string]any{"name": "Maat", "visible": true, "variation": true, "options": []string{"M", "L"}}},
	}), 201))
	assertShape(t, "product-variable", capture(t, "product-variable.json"), variable)
	pid := int64(variable["id"].(float64))
	variation := obj(t, decode(t, e.do("POST", fmt.Sprintf("/wp-json/wc/v3/products/%d/variations", pid), nil, map[string]any{
		"sku": "TS-64ccb1-M", "regular_price": "19.95", "manage_stock": true, "stock_quantity": 9,
		"attributes": []any{map[string]any{"name": "Maat", "option": "M"}},
	}), 201))
	assertShape(t, "product-variation", capture(t, "product-variation.json"), variation)
	vid := int64(variation["id"].(float64))
	simple := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{
		"name": `Boek "Koken" & meer`, "type": "simple", "sku": "BK-64ccb1", "regular_price": "24.50",
		"tax_class": "reduced-rate", "manage_stock": true, "stock_quantity": 3,
	}), 201))
	assertShape(t, "product-simple", capture(t, "product-simple.json"), simple)
	if simple["name"] != `Boek "Koken" &amp; meer` || simple["slug"] != "boek-koken-meer" || variable["slug"] != "t-shirt-aero" {
		t.Errorf("name/slug: %v %v %v", simple["name"], simple["slug"], variable["slug"])
	}
	bid := int64(simple["id"].(float64))

	rich := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"payment_method": "ideal", "payment_method_title": "iDEAL", "set_paid": true, "customer_note": "Graag bellen",
		"billing": map[string]any{"first_name": "Zoë", "last_name": "van der Berg", "company": "Berg & Zn. B.V.",
			"address_1": "Keizersgracht 123", "address_2": "3-hoog", "city": "Amsterdam", "postcode": "1015 CJ",
			"country": "NL", "email": "zoe@example.nl", "phone": "+31 20 123 4567"},
		"shipping": map[string]any{"first_name": "Zoë", "last_name": "van der Berg", "company": "Berg & Zn. B.V.",
			"address_1": "Keizersgracht 123", "address_2": "3-hoog", "city": "Amsterdam", "postcode": "1015 CJ",
			"country": "NL", "phone": "+31 20 123 4567"},
		"line_items": []any{
			map[string]any{"product_id": pid, "variation_id": vid, "quantity": 2},
			map[string]any{"product_id": bid, "quantity": 1},
		},
		"shipping_lines": []any{map[string]any{"method_id": "flat_rate", "method_title": "PostNL", "total": "4.95"}},
		"fee_lines":      []any{map[string]any{"name": "Betaalkosten", "tax_status": "taxable", "total": "0.29"}},
		"coupon_lines":   []any{map[string]any{"code": "welkom64ccb1"}},
	}), 201))
	wantRich := obj(t, capture(t, "order-rich.json"))
	assertShape(t, "order-rich", wantRich, rich)
	// The amounts the real store computed (all but discount_tax, which WooCommerce derives from
	// unrounded taxes: 1.06 there, 1.07 from the rounded line taxes here).
	for _, k := range []string{"discount_total", "shipping_total", "shipping_tax", "cart_tax", "total", "total_tax", "status"} {
		if rich[k] != wantRich[k] {
			t.Errorf("order-rich %s = %v, real store %v", k, rich[k], wantRich[k])
		}
	}
	for i, li := range arr(t, rich["line_items"]) {
		g, w := obj(t, li), obj(t, arr(t, wantRich["line_items"])[i])
		for _, k := range []string{"name", "quantity", "tax_class", "subtotal", "subtotal_tax", "total", "total_tax", "price", "parent_name", "sku"} {
			if g[k] != w[k] {
				t.Errorf("line %d %s = %v, real store %v", i, k, g[k], w[k])
			}
		}
	}

	// A page of a modified-ordered list: an unpaid on-hold order, then a completed one.
	us := map[string]any{"first_name": "Ada", "last_name": "Lovelace", "address_1": "1 Test St", "city": "Testville",
		"state": "CA", "postcode": "94000", "country": "US", "email": "ada@example.test"}
	widget := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{
		"name": "Widget", "sku": "W-1", "regular_price": "21.00", "manage_stock": true, "stock_quantity": 50}), 201))
	wid := widget["id"].(float64)
	for _, st := range []string{"on-hold", "completed"} {
		e.clock.Advance(time.Second)
		shipTo := map[string]any{}
		for k, v := range us {
			if k != "email" {
				shipTo[k] = v
			}
		}
		body := map[string]any{"payment_method": "bacs", "payment_method_title": "Direct bank transfer", "status": st,
			"billing": us, "shipping": shipTo,
			"line_items":     []any{map[string]any{"product_id": wid, "quantity": 2}},
			"shipping_lines": []any{map[string]any{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}}}
		if st == "completed" {
			body["set_paid"] = true
		}
		decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, body), 201)
	}
	resp := e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "2", "orderby", "modified", "order", "asc", "dates_are_gmt", "true",
		"modified_after", "2026-11-24T12:00:00"), nil)
	list := decode(t, resp, 200)
	assertShape(t, "orders-list-page1", capture(t, "orders-list-page1.json"), list)
	for k := range obj(t, capture(t, "orders-list-page1.headers.json")) {
		if k == "Link" {
			continue // only when there is another page; checked in TestPaginationHeaders
		}
		if resp.Header.Get(k) == "" {
			t.Errorf("list header %s missing", k)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}

	batch := decode(t, e.do("POST", "/wp-json/wc/v3/products/batch", nil, map[string]any{"update": []any{
		map[string]any{"id": bid, "stock_quantity": 2}, map[string]any{"id": 99999999, "stock_quantity": 1}}}), 200)
	assertShape(t, "products-batch-with-bad-item", capture(t, "products-batch-with-bad-item.json"), batch)

	// Error bodies.
	errs := obj(t, capture(t, "errors.json"))
	cases := map[string]*http.Response{
		"per_page_101":  e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "101"), nil),
		"order_404":     e.do("GET", "/wp-json/wc/v3/orders/999999", nil, nil),
		"no_auth":       e.raw("GET", "/wp-json/wc/v3/orders", nil, nil),
		"duplicate_sku": e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{"name": "Dup", "sku": "BK-64ccb1"}),
		"bad_secret": e.raw("GET", "/wp-json/wc/v3/orders?"+e.oauthQuery("GET", "/wp-json/wc/v3/orders", nil, "wrong",
			e.clock.Now().Unix(), "bad-secret"), nil, nil),
	}
	var big []any
	for i := 0; i < 101; i++ {
		big = append(big, map[string]any{"id": i})
	}
	cases["batch_101"] = e.do("POST", "/wp-json/wc/v3/products/batch", nil, map[string]any{"update": big})
	for name, r := range cases {
		c := obj(t, errs[name])
		got := decode(t, r, int(c["status"].(float64)))
		assertShape(t, "errors."+name, c["body"], got)
		if w, g := obj(t, c["body"]), obj(t, got); w["code"] != g["code"] || w["message"] != g["message"] {
			t.Errorf("errors.%s: %v %q, captured %v %q", name, g["code"], g["message"], w["code"], w["message"])
		}
	}
}

// TestPHPStyleJSON checks the raw bytes: escaped slashes and \u escapes, as PHP writes them.
func TestPHPStyleJSON(t *testing.T) {
	e := newEnv(t, Options{})
	resp := e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{"name": "Ærø & co", "regular_price": "1.00"})
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"name":"\u00c6r\u00f8 &amp; co"`) || !strings.Contains(string(b), `http:\/\/`) {
		t.Fatalf("not PHP-style JSON: %.300s", b)
	}
}
