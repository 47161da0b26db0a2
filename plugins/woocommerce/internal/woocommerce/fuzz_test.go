package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Fuzz targets for everything the connector reads from a store: order and product JSON (decoded
// and mapped), the tax table, error bodies and the paging header. Seeds are the captured answers
// of a real store (reference/external/woocommerce-captured) when the shared directory is there,
// plus small inline bodies, so `go test` runs them as ordinary tests.

// optionalShared reads a file below the shared directory, or returns nil when it is absent: the
// fuzz targets have inline seeds too, so a missing file only narrows the seed corpus.
func optionalShared(rel string) []byte {
	dir := os.Getenv("KOPPEL_SHARED")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "..", "shared")
				break
			}
			if filepath.Dir(d) == d {
				return nil
			}
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		return nil
	}
	return b
}

// watchdog crashes the test process when one input takes longer than hangLimit, so that the
// fuzzer records a hang as a failing input (it has no time limit of its own per input).
func watchdog(input any) (stop func()) {
	tm := time.AfterFunc(hangLimit, func() {
		panic(fmt.Sprintf("input took longer than %s: %q", hangLimit, input))
	})
	return func() { tm.Stop() }
}

// hangLimit is how long one fuzz input may take (generous: make test runs on 2 loaded cores).
const hangLimit = 10 * time.Second

const captured = "reference/external/woocommerce-captured/"

// sumCharges adds the excluding and tax amounts of charges.
func sumCharges(cs []sdk.Charge) (excl, tax decimal.Decimal) {
	for _, c := range cs {
		excl, tax = excl.Add(c.TotalExcl), tax.Add(c.Tax)
	}
	return excl, tax
}

// checkMappedOrder asserts what holds for every order mapOrder returns.
func checkMappedOrder(t *testing.T, o sdk.Order) {
	t.Helper()
	if o.ID == "" || o.Number == "" || o.ModifiedAt.IsZero() {
		t.Fatalf("mapped order without id, number or modification time: %+v", o)
	}
	for i, l := range o.Lines {
		if !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) {
			t.Fatalf("line %d: %s + %s != %s", i, l.TotalExcl, l.Tax, l.TotalIncl)
		}
	}
	for _, cs := range [][]sdk.Charge{o.ShippingLines, o.Fees, o.Discounts} {
		for _, c := range cs {
			if !c.TotalExcl.Add(c.Tax).Equal(c.TotalIncl) {
				t.Fatalf("charge %q: %s + %s != %s", c.Name, c.TotalExcl, c.Tax, c.TotalIncl)
			}
		}
	}
	for _, c := range o.Fees {
		if c.TotalIncl.IsNegative() {
			t.Fatalf("fee %q is negative (%s): negative fees are discounts", c.Name, c.TotalIncl)
		}
	}
	if !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
		t.Fatalf("totals: %s + %s != %s", o.Totals.TotalExcl, o.Totals.Tax, o.Totals.Total)
	}
	if o.Refunded.IsNegative() {
		t.Fatalf("Refunded %s is negative", o.Refunded)
	}
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("mapped order does not encode: %v", err)
	}
}

// FuzzMapOrders decodes a GET /orders page (or one order) and maps every order in both coupon
// modes. Beyond not panicking: a mapped order's amounts add up per line, per charge and in the
// totals, and the two coupon modes agree on the net amount of the products (lines minus
// discounts), since they only move the coupon between the lines and the discount charges.
func FuzzMapOrders(f *testing.F) {
	for _, name := range []string{"order-rich.json", "orders-list-page1.json"} {
		if b := optionalShared(captured + name); b != nil {
			f.Add(b)
		}
	}
	if doc := optionalShared("reference/external/woocommerce-rest-docs/orders.md"); doc != nil {
		s := string(doc)
		if i := strings.Index(s, "## Retrieve an order ##"); i >= 0 {
			s = s[i:]
			if j := strings.Index(s, "```json\n"); j >= 0 {
				s = s[j+len("```json\n"):]
				if k := strings.Index(s, "```"); k >= 0 {
					f.Add([]byte(s[:k]))
				}
			}
		}
	}
	f.Add([]byte(`[{"id":7,"date_modified_gmt":"2026-11-24T10:00:00","total":"12.10","total_tax":"2.10",
		"line_items":[{"id":1,"quantity":2,"subtotal":"11.00","subtotal_tax":"2.31","total":"10.00","total_tax":"2.10",
		"taxes":[{"id":1,"total":"2.1"}],"meta_data":[{"key":"pa_maat","value":"m","display_key":"Maat","display_value":"<p>M</p>"}]}],
		"tax_lines":[{"rate_id":1,"rate_percent":21}],
		"fee_lines":[{"name":"Korting &amp; zo","total":"-1.00","total_tax":"-0.21","taxes":[{"id":1,"total":"-0.21"}]}],
		"shipping_lines":[{"method_id":"flat_rate","total":"4.95","total_tax":"1.04","taxes":[{"id":9,"total":"1.04"}]}],
		"coupon_lines":[{"code":"x"}],"refunds":[{"total":"-1.5"}],"meta_data":[{"key":"vat_number","value":"NL1"}]}]`))
	f.Add([]byte(`{"id":"8","date_modified":"2026-11-24 10:00:00","line_items":[{"quantity":"0","total":"1e3","total_tax":"3"}]}`))
	f.Add([]byte(`{"id":9}`))
	f.Add([]byte(`[null,{"id":null}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		defer watchdog(body)()
		var orders []*wcOrder
		if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
			if err := decodeJSON("GET /orders", body, &orders); err != nil {
				if sdk.KindOf(err) != sdk.KindPermanent {
					t.Fatalf("undecodable page: %v is not KindPermanent", err)
				}
				return
			}
		} else {
			var o wcOrder
			if err := decodeJSON("GET /orders/1", body, &o); err != nil {
				return
			}
			orders = append(orders, &o)
		}
		for _, o := range orders {
			if o == nil {
				continue
			}
			sep, errSep := mapOrder(o, mapOptions{Coupons: couponsSeparate})
			in, errIn := mapOrder(o, mapOptions{Coupons: couponsInLines})
			if (errSep == nil) != (errIn == nil) {
				t.Fatalf("coupon modes disagree on mapping: %v / %v", errSep, errIn)
			}
			if errSep != nil {
				continue
			}
			checkMappedOrder(t, sep)
			checkMappedOrder(t, in)
			var netSep, netIn, taxSep, taxIn decimal.Decimal
			for _, l := range sep.Lines {
				netSep, taxSep = netSep.Add(l.TotalExcl), taxSep.Add(l.Tax)
			}
			for _, l := range in.Lines {
				netIn, taxIn = netIn.Add(l.TotalExcl), taxIn.Add(l.Tax)
			}
			dx, dt := sumCharges(sep.Discounts)
			netSep, taxSep = netSep.Sub(dx), taxSep.Sub(dt)
			dx, dt = sumCharges(in.Discounts)
			netIn, taxIn = netIn.Sub(dx), taxIn.Sub(dt)
			if !netSep.Equal(netIn) || !taxSep.Equal(taxIn) {
				t.Fatalf("coupon modes disagree: separate %s/%s, in_lines %s/%s", netSep, taxSep, netIn, taxIn)
			}
		}
	})
}

// FuzzMapProducts decodes a product page and a GET /taxes answer, builds the tax table for a
// base location and maps every product (a variation with its parent when the page holds it).
// Beyond not panicking: a product that maps has an id, and an untaxed product (tax status none
// or shipping) has rate 0 whatever the table says.
func FuzzMapProducts(f *testing.F) {
	taxes := optionalShared(captured + "taxes.json")
	if taxes == nil {
		taxes = []byte(`[{"id":1,"country":"NL","rate":"21.0000","priority":1,"class":"standard"},{"id":2,"country":"NL","rate":"9.0000","class":"reduced-rate"}]`)
	}
	var page [][]byte
	for _, name := range []string{"product-simple.json", "product-variable.json", "product-variation.json"} {
		if b := optionalShared(captured + name); b != nil {
			page = append(page, bytes.TrimSpace(b))
			f.Add(b, taxes, "NL")
		}
	}
	if len(page) > 0 {
		f.Add(append(append([]byte("["), bytes.Join(page, []byte(","))...), ']'), taxes, "US:CA")
	}
	if b := optionalShared(captured + "products-batch-with-bad-item.json"); b != nil {
		var r struct{ Update json.RawMessage }
		if json.Unmarshal(b, &r) == nil {
			f.Add([]byte(r.Update), taxes, "NL")
		}
	}
	f.Add([]byte(`[{"id":5,"type":"variable","name":"T-shirt","tax_class":"reduced-rate"},
		{"id":6,"parent_id":5,"type":"variation","name":"M","sku":" TS-M ","tax_class":"parent","manage_stock":"parent","stock_quantity":3,"regular_price":"12.50"}]`),
		[]byte(`[{"id":1,"country":"","state":"","rate":"9","priority":1,"compound":"yes","class":"reduced-rate","postcodes":[]},{"id":2,"rate":"1","priority":2,"class":"reduced-rate"}]`), "nl")
	f.Add([]byte(`{"id":1,"tax_status":"none","price":"x"}`), []byte(`{}`), "")
	f.Fuzz(func(t *testing.T, products, taxRates []byte, base string) {
		defer watchdog([]any{products, taxRates, base})()
		var rates []wcTaxRate
		var table *taxTable
		if json.Unmarshal(taxRates, &rates) == nil {
			table = newTaxTable(rates, base)
		}
		var ps []*wcProduct
		if b := bytes.TrimSpace(products); len(b) > 0 && b[0] == '[' {
			if decodeJSON("GET /products", products, &ps) != nil {
				return
			}
		} else {
			var p wcProduct
			if decodeJSON("GET /products/1", products, &p) != nil {
				return
			}
			ps = append(ps, &p)
		}
		byID := map[string]*wcProduct{}
		for _, p := range ps {
			if p != nil {
				byID[p.ID.String()] = p
			}
		}
		for _, p := range ps {
			if p == nil {
				continue
			}
			parent := byID[p.ParentID.String()]
			if p.ParentID.String() == "" || parent == p {
				parent = nil
			}
			for _, tt := range []*taxTable{nil, table} {
				got, err := mapProduct(p, parent, tt)
				if err != nil {
					if p.ID.String() != "" {
						t.Fatalf("product %q refused: %v", p.ID, err)
					}
					continue
				}
				if got.ID == "" {
					t.Fatal("mapped product without id")
				}
				_, status := productTax(p, parent)
				if (status == statusNone || status == statusShip) && (got.TaxRate == nil || !got.TaxRate.IsZero()) {
					t.Fatalf("untaxed product (status %q) has rate %v", status, got.TaxRate)
				}
			}
		}
	})
}

// FuzzStatusError feeds any status, body and Location to the mapping of failed answers, and
// the X-WP-TotalPages header to its parser. Beyond not panicking: every answer becomes an
// *sdk.Error of the kind its status class calls for, and the consumer secret never appears in
// the message, even when the body echoes it.
func FuzzStatusError(f *testing.F) {
	if b := optionalShared(captured + "errors.json"); b != nil {
		var all map[string]struct {
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		}
		if json.Unmarshal(b, &all) == nil {
			for _, e := range all {
				f.Add(e.Status, []byte(e.Body), "", "")
			}
		}
	}
	if b := optionalShared(captured + "orders-list-page1.headers.json"); b != nil {
		var h map[string]string
		if json.Unmarshal(b, &h) == nil {
			f.Add(200, []byte(`[]`), h["Link"], h["X-WP-TotalPages"])
		}
	}
	f.Add(401, []byte(`{"code":"woocommerce_rest_authentication_error","message":"Invalid signature - provided signature does not match. cs_demo","data":{"status":401}}`), "", "2")
	f.Add(400, []byte(`{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400,"params":{"per_page":"cs_demo","x":7,"y":null}}}`), "", " 19 ")
	f.Add(301, []byte(`<html>moved</html>`), "https://shop.example/wp-json/wc/v3/orders?consumer_secret=cs_demo&page=2", "-1")
	f.Add(302, []byte(nil), "::bad", "x")
	f.Add(503, []byte(`{"message":null}`), "", "")
	f.Add(429, []byte(`[]`), "", "")
	s, err := newShop(testConfig("https://shop.example"), nil, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, location, pages string) {
		defer watchdog([]any{status, body, location, pages})()
		if n := totalPages(http.Header{"X-Wp-Totalpages": {pages}}); n < -1 {
			t.Fatalf("totalPages(%q) = %d", pages, n)
		}
		if status < 300 || status > 599 {
			return
		}
		req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "shop.example", Path: "/wp-json/wc/v3/orders", RawQuery: "consumer_secret=cs_demo"}}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Request: req}
		if location != "" {
			resp.Header.Set("Location", location)
		}
		err := s.api.statusError(http.MethodGet, "/orders", resp, body)
		var se *sdk.Error
		if !errors.As(err, &se) {
			t.Fatalf("status %d: %T is not an *sdk.Error", status, err)
		}
		want := sdk.KindPermanent
		switch {
		case status < 400:
			want = sdk.KindUnreachable
		case status == 401 || status == 403:
			want = sdk.KindAuth
		case status == 404:
			want = sdk.KindNotFound
		case status >= 500 || status == 429:
			want = sdk.KindRetryable
		}
		if se.Kind != want {
			t.Fatalf("status %d: kind %s, want %s", status, se.Kind, want)
		}
		if strings.Contains(se.Error(), "cs_demo") {
			t.Fatalf("status %d: the secret leaks: %s", status, se.Error())
		}
	})
}

// A Location that is not a URL is redacted too (found by FuzzStatusError: it was echoed as is).
func TestStatusErrorRedactsUnparsableLocation(t *testing.T) {
	s, err := newShop(testConfig("https://shop.example"), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "shop.example", Path: "/"}}
	resp := &http.Response{StatusCode: 301, Header: http.Header{"Location": {"%cs_demo"}}, Request: req}
	err = s.api.statusError(http.MethodGet, "/orders", resp, nil)
	if sdk.KindOf(err) != sdk.KindUnreachable || strings.Contains(err.Error(), "cs_demo") {
		t.Fatalf("got %v", err)
	}
}

// A date that is Go's zero time or outside the years 1 to 9999 in UTC is refused like a
// malformed one: "0001-01-01T00:00:00" gave an order without a modification time, and
// "0000-01-01T00:00:00+01:00" (the year -1 in UTC) an order that could not be encoded as JSON.
func TestWCTimeRange(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{`"2026-11-24T10:00:00"`, true},
		{`"2026-11-24T10:00:00+01:00"`, true},
		{`null`, true},
		{`"0001-01-01T00:00:00"`, false},
		{`"0000-01-01T00:00:00+01:00"`, false},
		{`"9999-12-31T23:59:59-01:00"`, false},
	} {
		var w wcTime
		err := json.Unmarshal([]byte(c.in), &w)
		if (err == nil) != c.ok {
			t.Errorf("%s: %+v, %v; want ok=%v", c.in, w, err, c.ok)
		}
	}
}
