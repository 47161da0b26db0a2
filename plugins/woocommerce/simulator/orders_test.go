package simulator

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func ids(t *testing.T, v any) []int64 {
	t.Helper()
	var out []int64
	for _, o := range arr(t, v) {
		out = append(out, int64(obj(t, o)["id"].(float64)))
	}
	return out
}

// addAt stores an order modified at the given instant.
func addAt(t *testing.T, s *Server, modified time.Time) int64 {
	t.Helper()
	o, err := s.AddOrder(Order{Status: "processing", DateCreated: modified.Add(-time.Hour), DateModified: modified})
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func TestPaginationHeaders(t *testing.T) {
	e := newEnv(t, Options{})
	base := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var added []int64
	for i := 0; i < 5; i++ {
		added = append(added, addAt(t, e.sim, base.Add(time.Duration(i)*time.Minute)))
	}
	resp := e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "2", "page", "2", "orderby", "modified", "order", "asc", "dates_are_gmt", "true"), nil)
	v := decode(t, resp, 200)
	if got := ids(t, v); !reflect.DeepEqual(got, added[2:4]) {
		t.Fatalf("page 2 ids %v", got)
	}
	if resp.Header.Get("X-WP-Total") != "5" || resp.Header.Get("X-WP-TotalPages") != "3" {
		t.Fatalf("totals %q/%q", resp.Header.Get("X-WP-Total"), resp.Header.Get("X-WP-TotalPages"))
	}
	links := resp.Header.Values("Link")
	if len(links) != 2 || !strings.Contains(links[0], `rel="prev"`) || !strings.Contains(links[1], `rel="next"`) {
		t.Fatalf("links %q", links)
	}
	next := links[1][1:strings.Index(links[1], ">")]
	u := mustURL(t, next)
	if u.Path != "/wp-json/wc/v3/orders" || u.Query().Get("page") != "3" || u.Query().Get("dates_are_gmt") != "1" ||
		u.Query().Get("oauth_nonce") == "" || u.Query().Get("status[0]") != "any" {
		t.Fatalf("next link %s", next)
	}
	// Following the Link as it is fails: its nonce was used already (re-sign every page).
	code, _ := errCode(t, decode(t, e.raw("GET", u.RequestURI(), nil, nil), 401))
	if code != "woocommerce_rest_authentication_error" {
		t.Fatalf("replayed link: %s", code)
	}
	// A page past the end: [] with zero totals (WooCommerce 10 with HPOS).
	resp = e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "2", "page", "9"), nil)
	if got := arr(t, decode(t, resp, 200)); len(got) != 0 {
		t.Fatalf("past the end: %v", got)
	}
	if resp.Header.Get("X-WP-Total") != "0" || resp.Header.Get("X-WP-TotalPages") != "0" {
		t.Fatalf("past-end totals %q/%q", resp.Header.Get("X-WP-Total"), resp.Header.Get("X-WP-TotalPages"))
	}
	if st := e.sim.Stats(); st.MaxPerPage != 2 || st.PerEndpoint["GET /orders"] != 2 || st.AuthFailures != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPerPageOver100(t *testing.T) {
	e := newEnv(t, Options{})
	got := decode(t, e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "101"), nil), 400)
	want := obj(t, capture(t, "errors.json"))["per_page_101"].(map[string]any)["body"]
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Fatalf("per_page=101:\n got %s\nwant %s", gb, wb)
	}
	// Validation comes before the permission check, as in WordPress.
	code, _ := errCode(t, decode(t, e.raw("GET", "/wp-json/wc/v3/orders?per_page=0", nil, nil), 400))
	if code != "rest_invalid_param" {
		t.Fatalf("per_page=0 unauthenticated: %s", code)
	}
}

func TestModifiedAfterExclusiveAndTimezone(t *testing.T) {
	e := newEnv(t, Options{}) // site timezone Europe/Amsterdam: UTC+1 in November
	tm := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	a := addAt(t, e.sim, tm)                           // exactly T
	b := addAt(t, e.sim, tm.Add(500*time.Millisecond)) // same second as T
	c := addAt(t, e.sim, tm.Add(time.Second))          // next second
	d := addAt(t, e.sim, tm.Add(-time.Second))
	list := func(q ...string) []int64 {
		return ids(t, decode(t, e.do("GET", "/wp-json/wc/v3/orders", qs(append(q, "orderby", "id", "order", "asc")...), nil), 200))
	}
	if got := list("modified_after", "2026-11-20T10:00:00", "dates_are_gmt", "true"); !reflect.DeepEqual(got, []int64{c}) {
		t.Fatalf("modified_after T (GMT): %v, want [%d]", got, c)
	}
	if got := list("modified_before", "2026-11-20T10:00:00", "dates_are_gmt", "true"); !reflect.DeepEqual(got, []int64{d}) {
		t.Fatalf("modified_before T (GMT): %v, want [%d]", got, d)
	}
	// Without dates_are_gmt the value is site-local: 10:00 UTC is 11:00 in Amsterdam.
	if got := list("modified_after", "2026-11-20T11:00:00"); !reflect.DeepEqual(got, []int64{c}) {
		t.Fatalf("site-local 11:00: %v, want [%d]", got, c)
	}
	if got := list("modified_after", "2026-11-20T10:00:00"); len(got) != 4 {
		t.Fatalf("site-local 10:00 (09:00 UTC) should return all four: %v", got)
	}
	if got := list("modified_after", "2026-11-20T10:59:59"); !reflect.DeepEqual(got, []int64{a, b, c}) {
		t.Fatalf("site-local 10:59:59: %v", got)
	}
	code, _ := errCode(t, decode(t, e.do("GET", "/wp-json/wc/v3/orders", qs("modified_after", "yesterday"), nil), 400))
	if code != "rest_invalid_param" {
		t.Fatalf("bad date: %s", code)
	}
}

// Orders of one second come in a new order on every request, as on a real store (no
// tie-break): ascending, descending or mixed, drawn from the seed; with StableTies by
// descending id.
func TestTiesInDescendingID(t *testing.T) {
	listing := func(opts Options, n int) [][]int64 {
		e := newEnv(t, opts)
		tm := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		addAt(t, e.sim, tm.Add(-time.Minute))
		for i := 0; i < 5; i++ {
			addAt(t, e.sim, tm)
		}
		var out [][]int64
		for i := 0; i < n; i++ {
			out = append(out, ids(t, decode(t, e.do("GET", "/wp-json/wc/v3/orders", qs("orderby", "modified", "order", "asc", "per_page", "100"), nil), 200)))
		}
		return out
	}
	stable := listing(Options{StableTies: true}, 3)
	for _, got := range stable {
		if !reflect.DeepEqual(got, stable[0]) || !slices.IsSortedFunc(got[1:], func(a, b int64) int { return cmp.Compare(b, a) }) {
			t.Fatalf("StableTies: %v, want the tie in descending id every time", got)
		}
	}
	kinds := map[string]int{}
	shuffled := listing(Options{}, 30)
	for _, got := range shuffled {
		if got[0] != stable[0][0] || len(got) != 6 {
			t.Fatalf("a tie moved out of its second: %v", got)
		}
		tie := got[1:]
		set := slices.Sorted(slices.Values(tie))
		if !reflect.DeepEqual(set, slices.Sorted(slices.Values(stable[0][1:]))) {
			t.Fatalf("the tie lost or repeated an order: %v", got)
		}
		switch {
		case slices.IsSorted(tie):
			kinds["ascending"]++
		case reflect.DeepEqual(tie, stable[0][1:]):
			kinds["descending"]++
		default:
			kinds["mixed"]++
		}
	}
	if len(kinds) != 3 {
		t.Fatalf("30 listings gave only %v; want ascending, descending and mixed ties", kinds)
	}
	if again := listing(Options{}, 30); !reflect.DeepEqual(again, shuffled) {
		t.Fatal("the same seed gave another order of ties")
	}
}

func TestBatchLimitAndItemErrors(t *testing.T) {
	e := newEnv(t, Options{})
	var items []any
	for i := 0; i < 101; i++ {
		items = append(items, map[string]any{"id": i + 1, "status": "completed"})
	}
	got := decode(t, e.do("POST", "/wp-json/wc/v3/orders/batch", nil, map[string]any{"update": items}), 413)
	want := obj(t, capture(t, "errors.json"))["batch_101"].(map[string]any)["body"]
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("batch 101: %v", got)
	}
	id := addAt(t, e.sim, time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))
	res := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders/batch", nil, map[string]any{
		"update": []any{map[string]any{"id": id, "status": "completed"}, map[string]any{"id": 999999, "status": "completed"}},
		"delete": []any{424242},
	}), 200))
	up := arr(t, res["update"])
	if obj(t, up[0])["status"] != "completed" {
		t.Fatalf("first update: %v", up[0])
	}
	bad := obj(t, obj(t, up[1])["error"])
	if bad["code"] != "woocommerce_rest_shop_order_invalid_id" || obj(t, bad["data"])["status"] != float64(400) {
		t.Fatalf("bad item: %v", bad)
	}
	if _, ok := res["create"]; ok {
		t.Fatal("create key present without creates")
	}
	if del := obj(t, arr(t, res["delete"])[0]); obj(t, del["error"])["code"] != "woocommerce_rest_shop_order_invalid_id" {
		t.Fatalf("delete item: %v", del)
	}
}

func money2(t *testing.T, v any) decimal.Decimal {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("money is %T (%v), want a string", v, v)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCreateUpdateMovesDateModified(t *testing.T) {
	e := newEnv(t, Options{})
	p := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{
		"name": "Widget", "sku": "W-1", "regular_price": "21.00", "manage_stock": true, "stock_quantity": 10}), 201))
	pid := p["id"].(float64)
	o := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"billing":    map[string]any{"first_name": "Zoë", "country": "NL", "email": "zoe@example.nl"},
		"line_items": []any{map[string]any{"product_id": pid, "quantity": 2}},
		"set_paid":   true,
	}), 201))
	if o["status"] != "processing" || o["date_paid_gmt"] != "2026-11-24T12:00:00" || o["date_created"] != "2026-11-24T13:00:00" {
		t.Fatalf("created order: status %v paid %v created %v", o["status"], o["date_paid_gmt"], o["date_created"])
	}
	li := obj(t, arr(t, o["line_items"])[0])
	if money2(t, li["total_tax"]).String() != "8.82" || li["price"] != float64(21) || o["total"] != "50.82" {
		t.Fatalf("computed taxes: line tax %v price %v total %v", li["total_tax"], li["price"], o["total"])
	}
	if st := obj(t, decode(t, e.do("GET", fmt.Sprintf("/wp-json/wc/v3/products/%d", int64(pid)), nil, nil), 200)); st["stock_quantity"] != float64(8) {
		t.Fatalf("stock not reduced: %v", st["stock_quantity"])
	}
	id := int64(o["id"].(float64))
	e.clock.Advance(90 * time.Second)
	u := obj(t, decode(t, e.do("PUT", "/wp-json/wc/v3/orders/"+strconv.FormatInt(id, 10), nil, map[string]any{"status": "completed"}), 200))
	if u["date_modified_gmt"] != "2026-11-24T12:01:30" || u["date_completed_gmt"] != "2026-11-24T12:01:30" || u["date_created_gmt"] != "2026-11-24T12:00:00" {
		t.Fatalf("update dates: %v %v %v", u["date_modified_gmt"], u["date_completed_gmt"], u["date_created_gmt"])
	}
	// An unknown id on update is 400, on read 404 (as in WooCommerce's CRUD controller).
	code, _ := errCode(t, decode(t, e.do("PUT", "/wp-json/wc/v3/orders/99999", nil, map[string]any{"status": "completed"}), 400))
	if code != "woocommerce_rest_shop_order_invalid_id" {
		t.Fatal(code)
	}
	got := decode(t, e.do("GET", "/wp-json/wc/v3/orders/99999", nil, nil), 404)
	if want := obj(t, capture(t, "errors.json"))["order_404"].(map[string]any)["body"]; !reflect.DeepEqual(got, want) {
		t.Fatalf("404 body %v", got)
	}
}

func TestCreateKeepsGivenTotals(t *testing.T) {
	e := newEnv(t, Options{})
	o := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"status":  "completed",
		"billing": map[string]any{"country": "BE", "email": "Klant@Example.be", "phone": "+32 3 123 45 67"},
		"line_items": []any{map[string]any{"product_id": 4242, "name": "Los artikel", "quantity": 3,
			"subtotal": "30.00", "total": "27.00", "total_tax": "5.67",
			"taxes": []any{map[string]any{"id": 4, "total": "5.67", "subtotal": "6.30"}}}},
		"shipping_lines": []any{map[string]any{"method_id": "flat_rate", "method_title": "bpost", "total": "6.95", "total_tax": "1.46",
			"taxes": []any{map[string]any{"id": 4, "total": "1.46"}}}},
		"total": "41.08", "total_tax": "7.13",
	}), 201))
	if b := obj(t, o["billing"]); b["email"] != "Klant@Example.be" || b["phone"] != "+32 3 123 45 67" {
		t.Fatalf("billing e-mail and phone not kept: %v", b)
	}
	li := obj(t, arr(t, o["line_items"])[0])
	if li["subtotal_tax"] != "6.30" || li["total_tax"] != "5.67" || li["sku"] != "" || li["product_id"] != float64(0) || o["total"] != "41.08" || o["discount_total"] != "3.00" {
		t.Fatalf("given totals not kept: %v / %v / %v", li, o["total"], o["discount_total"])
	}
	// Money given as a JSON number is refused like WordPress does.
	v := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"line_items": []any{map[string]any{"product_id": 1, "total": 12.5}}}), 400))
	if v["code"] != "rest_invalid_param" || obj(t, obj(t, v["data"])["params"])["line_items"] != "line_items[0][total] is not of type string." {
		t.Fatalf("number money: %v", v)
	}
	v = obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
		"line_items": []any{map[string]any{"quantity": 1}}}), 400))
	if v["code"] != "woocommerce_rest_required_product_reference" {
		t.Fatalf("no product reference: %v", v)
	}
}

func TestDuplicateSKUAndVariationSKUSearch(t *testing.T) {
	for _, hide := range []bool{false, true} {
		e := newEnv(t, Options{HideVariationsInSKUSearch: hide})
		parent := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{"name": "Shirt", "type": "variable",
			"attributes": []any{map[string]any{"name": "Maat", "variation": true, "options": []string{"M"}}}}), 201))
		pid := int64(parent["id"].(float64))
		decode(t, e.do("POST", fmt.Sprintf("/wp-json/wc/v3/products/%d/variations", pid), nil, map[string]any{
			"sku": "SH-M", "regular_price": "10.00", "attributes": []any{map[string]any{"name": "Maat", "option": "M"}}}), 201)
		dup := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{"name": "X", "sku": "SH-M"}), 400))
		if dup["code"] != "product_invalid_sku" || obj(t, dup["data"])["unique_sku"] != "SH-M-1" {
			t.Fatalf("duplicate sku: %v", dup)
		}
		found := arr(t, decode(t, e.do("GET", "/wp-json/wc/v3/products", qs("sku", "SH-M"), nil), 200))
		if hide != (len(found) == 0) {
			t.Fatalf("hide=%v: /products?sku= found %d", hide, len(found))
		}
		vars := arr(t, decode(t, e.do("GET", fmt.Sprintf("/wp-json/wc/v3/products/%d/variations", pid), qs("sku", "SH-M"), nil), 200))
		if len(vars) != 1 || obj(t, vars[0])["parent_id"] != float64(pid) {
			t.Fatalf("variations?sku=: %v", vars)
		}
	}
}

func TestFaults(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.FailNext(503, 1)
	e.sim.FailNext(429, 1)
	for _, want := range []int{503, 429} {
		resp := e.do("GET", "/wp-json/wc/v3/orders", nil, nil)
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Retry-After") != "1" {
			t.Fatalf("got %d Retry-After %q, want %d", resp.StatusCode, resp.Header.Get("Retry-After"), want)
		}
	}
	if err := e.sim.SetFaults(Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	code, _ := errCode(t, decode(t, e.do("GET", "/wp-json/wc/v3/orders", nil, nil), 500))
	if code != "internal_server_error" {
		t.Fatal(code)
	}
	if err := e.sim.SetFaults(Faults{LostResponseRate: 1}); err != nil {
		t.Fatal(err)
	}
	raw := e.oauthQuery("POST", "/wp-json/wc/v3/orders", nil, e.sim.ConsumerSecret(), e.clock.Now().Unix(), "lost")
	req := mustURL(t, e.ts.URL+"/wp-json/wc/v3/orders?"+raw)
	resp, err := e.ts.Client().Post(req.String(), "application/json", strings.NewReader(`{"line_items":[{"product_id":5,"name":"x"}]}`))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("lost response answered %d", resp.StatusCode)
	}
	if n := len(e.sim.Orders()); n != 1 {
		t.Fatalf("the lost create was not applied: %d orders", n)
	}
	if err := e.sim.SetFaults(Faults{ErrorRate: 2}); err == nil {
		t.Fatal("rate 2 accepted")
	}
}
