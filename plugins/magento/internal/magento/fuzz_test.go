package magento

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// Fuzz targets for what the connector reads from Magento: order JSON (decoded and mapped),
// error bodies with %1/%name templates, and the cursor it gets back from the host.

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

// simulatedOrders returns a search answer and single orders as the simulator renders them.
func simulatedOrders(f *testing.F) [][]byte {
	sim, err := simulator.New(simulator.Options{AllowBearer: true})
	if err != nil {
		f.Fatal(err)
	}
	ids, err := sim.GenerateOrders(4, "")
	if err != nil {
		f.Fatal(err)
	}
	get := func(path string) []byte {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultAccessToken)
		rec := httptest.NewRecorder()
		sim.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			f.Fatalf("simulator %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	out := [][]byte{get("/rest/V1/orders?searchCriteria[pageSize]=2")}
	for _, id := range ids {
		out = append(out, get(fmt.Sprintf("/rest/V1/orders/%d", id)))
	}
	return out
}

// lineNet sums the lines' excluding and tax amounts minus the discount charges'.
func lineNet(o sdk.Order) (excl, tax decimal.Decimal) {
	for _, l := range o.Lines {
		excl, tax = excl.Add(l.TotalExcl), tax.Add(l.Tax)
	}
	for _, c := range o.Discounts {
		excl, tax = excl.Sub(c.TotalExcl), tax.Sub(c.Tax)
	}
	return excl, tax
}

// checkMagentoOrder asserts what holds for every order mapOrder returns.
func checkMagentoOrder(t *testing.T, o sdk.Order) {
	t.Helper()
	if o.ID == "" || o.ModifiedAt.IsZero() || o.CreatedAt.IsZero() {
		t.Fatalf("mapped order without id or times: %+v", o)
	}
	for _, l := range o.Lines {
		if !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) {
			t.Fatalf("line %s: %s + %s != %s", l.ID, l.TotalExcl, l.Tax, l.TotalIncl)
		}
	}
	for _, cs := range [][]sdk.Charge{o.ShippingLines, o.Fees, o.Discounts} {
		for _, c := range cs {
			if !c.TotalExcl.Add(c.Tax).Equal(c.TotalIncl) {
				t.Fatalf("charge %q: %s + %s != %s", c.Name, c.TotalExcl, c.Tax, c.TotalIncl)
			}
		}
	}
	if !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
		t.Fatalf("totals: %s + %s != %s", o.Totals.TotalExcl, o.Totals.Tax, o.Totals.Total)
	}
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("mapped order does not encode: %v", err)
	}
}

// FuzzMapOrder decodes a GET /V1/orders answer (or one order) and maps each order with
// discounts in the lines and as separate charges. Beyond not panicking: amounts add up per
// line, per charge and in the totals, and both discount modes give the same net amount of the
// lines (lines minus discount charges), excluding and tax.
func FuzzMapOrder(f *testing.F) {
	f.Add([]byte(orderFixture))
	for _, b := range simulatedOrders(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"items":[{"entity_id":"3","created_at":"2024-05-01T10:00:00Z","updated_at":"2024-05-01 10:00:00",
		"items":[{"item_id":1,"product_type":"bundle","qty_ordered":"0"},{"item_id":2,"parent_item_id":1,"row_total":"1e3","tax_amount":null},
		{"item_id":3,"parent_item_id":3,"product_type":"configurable","discount_amount":"2.5","qty_ordered":3}],
		"shipping_amount":0.5,"shipping_tax_amount":0.2,"billing_address":{"street":["a","1","bis","x"]}}],"total_count":1}`))
	f.Add([]byte(`{"entity_id":true,"created_at":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		defer watchdog(body)()
		var orders []wireOrder
		var page orderPage
		if json.Unmarshal(body, &page) == nil && page.Items != nil {
			orders = page.Items
		} else {
			var w wireOrder
			if json.Unmarshal(body, &w) != nil {
				return
			}
			orders = []wireOrder{w}
		}
		for i := range orders {
			for _, pit := range []bool{false, true} {
				in, errIn := mapOrder(&orders[i], mapOptions{Discounts: discountsInLines, PricesIncludeTax: pit})
				sep, errSep := mapOrder(&orders[i], mapOptions{Discounts: discountsSeparate, PricesIncludeTax: pit})
				if (errIn == nil) != (errSep == nil) {
					t.Fatalf("discount modes disagree on mapping: %v / %v", errIn, errSep)
				}
				if errIn != nil {
					continue
				}
				checkMagentoOrder(t, in)
				checkMagentoOrder(t, sep)
				xi, ti := lineNet(in)
				xs, ts := lineNet(sep)
				if !xi.Equal(xs) || !ti.Equal(ts) {
					t.Fatalf("discount modes disagree: in_lines %s/%s, separate %s/%s", xi, ti, xs, ts)
				}
			}
		}
	})
}

// FuzzErrorBody maps any status and body as an error answer. Beyond not panicking: the kind
// follows the status class, no secret of the client appears in the error even when the body
// echoes it (whole or split over placeholders), a template without "%" is kept as it is, and
// filling placeholders cannot make the message grow out of proportion to the body (a parameter
// that holds another placeholder is not filled again).
func FuzzErrorBody(f *testing.F) {
	for _, c := range []struct {
		status int
		body   string
	}{
		{401, `{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Sales::actions_view"}}`},
		{400, `{"message":"The \"%1\" value's type is invalid. The \"%2\" type was expected.","parameters":["abc","int"]}`},
		{400, `{"message":"\"%fieldName\" is required.","parameters":[{"fieldName":"searchCriteria"}]}`},
		{400, `{"message":"%1 and %10","parameters":["a","b","c","d","e","f","g","h","i","j"]}`},
		{400, `{"message":"Validation Failed","errors":[{"message":"Product with SKU \"%sku\" does not exist.","parameters":{"sku":"X-1"}}]}`},
		{400, `{"message":"The store that was requested wasn't found. Verify the store and try again."}`},
		{404, `{"message":"The entity that was requested doesn't exist. Verify the entity and try again."}`},
		{500, `<html>Internal Server Error</html>`},
		{302, ``},
		{400, `{"message":"%3%3","parameters":["%1%1%1%1","%2%2%2%2","%1%2%1%2"]}`},
		{400, `{"message":"%a%b","parameters":{"a":"%b%b%b","b":"%a%a%a"}}`},
		{401, `{"message":"The consumer isn't authorized: token ` + fuzzToken + `"}`},
		{400, `{"message":"%1%2 and %x","parameters":["` + fuzzPassword[:5] + `","` + fuzzPassword[5:] + `"]}`},
		{500, `{"message":"Validation Failed","errors":[{"message":"%sku","parameters":{"sku":"` + fuzzToken + `"}}]}`},
	} {
		f.Add(c.status, []byte(c.body))
	}
	redact := httpclient.New(httpclient.Options{Redact: []string{fuzzToken, fuzzPassword}}).Redact
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		defer watchdog([]any{status, body})()
		if status < 300 || status > 599 {
			return
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"Location": {"https://shop.example/x?token=1"}}}
		e := apiError(resp, body, "GET /V1/orders", redact)
		if s := e.Error(); strings.Contains(s, fuzzToken) || strings.Contains(s, fuzzPassword) {
			t.Fatalf("status %d: a secret leaks: %s", status, s)
		}
		if e == nil || e.Message == "" {
			t.Fatalf("status %d: no error", status)
		}
		want := sdk.KindPermanent
		switch {
		case status < 400:
			want = sdk.KindUnreachable
		case status == 401 || status == 403:
			want = sdk.KindAuth
		case status == 404:
			want = sdk.KindNotFound
		case status >= 500:
			want = sdk.KindRetryable
		case status == 400 && strings.Contains(e.Message, "does not know this store_code"):
			want = sdk.KindConfig
		}
		if e.Kind != want {
			t.Fatalf("status %d: kind %s, want %s", status, e.Kind, want)
		}
		if limit := 200*len(body) + 2*maxMessage + 1000; len(e.Message) > limit {
			t.Fatalf("message of %d bytes from a body of %d", len(e.Message), len(body))
		}
		var eb errorBody
		if json.Unmarshal(body, &eb) == nil && eb.Message != "" && !strings.Contains(eb.Message, "%") {
			if got, _ := formatMessage(eb.Message, eb.Parameters); got != eb.Message {
				t.Fatalf("template without placeholders changed: %q → %q", eb.Message, got)
			}
		}
	})
}

// Secrets of FuzzErrorBody's client: an answer may echo them, the error must not.
const (
	fuzzToken    = "mg-access-token-0a1b2c3d4e5f"
	fuzzPassword = "admin-password-9z8y7x"
)

// FuzzCursor decodes any cursor. Beyond not panicking: a decoded position survives encoding
// and decoding again (T and ID exactly; the versions it remembers within the window).
func FuzzCursor(f *testing.F) {
	p := position{}
	for i := int64(1); i <= 5; i++ {
		p.advance(100+i, 1_700_000_000+i*30)
	}
	f.Add(p.encode(600))
	f.Add((&position{}).encode(600))
	f.Add("eyJ2IjoxLCJ0IjoxLCJpZCI6Miwicy I6W1sxLDJdXX0")
	f.Add("eyJ2IjoxLCJ0Ijo5MjIzMzcyMDM2ODU0Nzc1ODA3LCJzIjpbWzEsLTkyMjMzNzIwMzY4NTQ3NzU4MDhdXX0")
	f.Fuzz(func(t *testing.T, s string) {
		defer watchdog(s)()
		q, err := decodeCursor(s)
		if err != nil {
			if sdk.KindOf(err) != sdk.KindPermanent {
				t.Fatalf("bad cursor %q: %v is not KindPermanent", s, err)
			}
			return
		}
		again, err := decodeCursor(q.encode(1 << 40))
		if err != nil {
			t.Fatalf("re-encoding %q: %v", s, err)
		}
		if again.T != q.T || again.ID != q.ID {
			t.Fatalf("round trip: (%d,%d) became (%d,%d)", q.T, q.ID, again.T, again.ID)
		}
		if len(q.seen) <= maxSeen {
			for id, v := range again.seen {
				if w, ok := q.seen[id]; !ok || w != v {
					t.Fatalf("round trip invented version %d@%d", id, v)
				}
			}
		}
	})
}

// A parameter holding placeholders is not filled again, so a small body cannot expand into a
// huge message (found while writing FuzzErrorBody: "%3" with parameters "%2%2…", "%1%1…"
// grew as the product of their lengths).
func TestFormatMessageDoesNotRefill(t *testing.T) {
	p2 := strings.Repeat("%1", 2000)
	p3 := strings.Repeat("%2", 2000)
	body := fmt.Sprintf(`{"message":"%%3","parameters":[%q,%q,%q]}`, strings.Repeat("x", 2000), p2, p3)
	msg, _, ok := describeError([]byte(body))
	if !ok || msg != p3 {
		t.Fatalf("got %d bytes (%.40q...), want the third parameter as is", len(msg), msg)
	}
	msg, _, _ = describeError([]byte(`{"message":"%a %ab","parameters":{"a":"%ab","ab":"B"}}`))
	if msg != "%ab B" {
		t.Fatalf("got %q", msg)
	}
}

// A timestamp is refused when it is Go's zero time or falls outside the years 1 to 9999 in UTC
// (found by FuzzMapOrder: "0000-01-01T00:00:00+01:00" is the year -1 in UTC, and the mapped
// order could not be encoded as JSON).
func TestParseTimeRange(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"2024-05-01 10:00:00", true},
		{"2024-05-01T12:00:00+02:00", true},
		{"0001-01-01 00:00:01", true},
		{"9999-12-31 23:59:59", true},
		{"0000-01-01T00:00:00+01:00", false},
		{"9999-12-31T23:59:59-01:00", false},
		{"0001-01-01 00:00:00", false},
		{"0001-01-01T00:00:00Z", false},
	} {
		got, err := parseTime(c.in)
		if (err == nil) != c.ok {
			t.Errorf("parseTime(%q) = %v, %v; want ok=%v", c.in, got, err, c.ok)
		}
	}
}
