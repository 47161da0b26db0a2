package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func dec(t *testing.T, v any) decimal.Decimal { return money2(t, v) }

// TestGeneratedOrdersAreConsistent checks every generated order, as the API renders it, to
// the cent: line tax = rate × line total (taken out of the gross line amount when prices include
// tax), tax lines = Σ item taxes per rate, cart_tax,
// total_tax, discount and the order total.
func TestGeneratedOrdersAreConsistent(t *testing.T) {
	e := newEnv(t, Options{RandSeed: 7})
	if _, err := e.sim.GenerateOrders(400); err != nil {
		t.Fatal(err)
	}
	rates := map[float64]decimal.Decimal{}
	for _, r := range e.sim.TaxRates() {
		rates[float64(r.ID)] = r.Rate
	}
	seen := map[string]bool{}
	page := 1
	total := 0
	for {
		resp := e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "100", "page", itoa(page), "status", "any"), nil)
		list := arr(t, decode(t, resp, 200))
		if len(list) == 0 {
			break
		}
		for _, raw := range list {
			o := obj(t, raw)
			total++
			checkOrderTotals(t, o, rates)
			b := obj(t, o["billing"])
			seen["country:"+b["country"].(string)] = true
			if regexp.MustCompile(`[^\x00-\x7f]`).MatchString(b["first_name"].(string) + b["last_name"].(string)) {
				seen["non-ascii"] = true
			}
			if o["customer_id"] == float64(0) {
				seen["guest"] = true
			} else {
				seen["registered"] = true
			}
			if o["prices_include_tax"] == true {
				seen["incl"] = true
			} else {
				seen["excl"] = true
			}
			if len(arr(t, o["coupon_lines"])) > 0 {
				seen["coupon"] = true
			}
			if len(arr(t, o["fee_lines"])) > 0 {
				seen["fee"] = true
			}
			if b["company"] != "" {
				seen["company"] = true
			}
			rateIDs := map[any]bool{}
			for _, li := range arr(t, o["line_items"]) {
				l := obj(t, li)
				if l["variation_id"] != float64(0) {
					seen["variation"] = true
				}
				for _, tx := range arr(t, l["taxes"]) {
					rateIDs[obj(t, tx)["id"]] = true
				}
			}
			if len(rateIDs) > 1 {
				seen["several rates"] = true
			}
		}
		page++
	}
	if total != 400 {
		t.Fatalf("listed %d orders, want 400", total)
	}
	for _, k := range []string{"country:NL", "country:BE", "country:DE", "non-ascii", "guest", "registered", "incl", "excl",
		"coupon", "fee", "company", "variation", "several rates"} {
		if !seen[k] {
			t.Errorf("no generated order with %s", k)
		}
	}
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }

func checkOrderTotals(t *testing.T, o map[string]any, rates map[float64]decimal.Decimal) {
	t.Helper()
	id := o["id"]
	sumLines, sumLineTax, disc, discTax := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	perRate := map[float64]decimal.Decimal{}
	perRateShip := map[float64]decimal.Decimal{}
	for _, raw := range arr(t, o["line_items"]) {
		l := obj(t, raw)
		tot, tax := dec(t, l["total"]), dec(t, l["total_tax"])
		sumLines = sumLines.Add(tot)
		sumLineTax = sumLineTax.Add(tax)
		disc = disc.Add(dec(t, l["subtotal"]).Sub(tot))
		discTax = discTax.Add(dec(t, l["subtotal_tax"]).Sub(tax))
		taxSum := decimal.Zero
		for _, tx := range arr(t, l["taxes"]) {
			m := obj(t, tx)
			rid := m["id"].(float64)
			want := tot.Mul(rates[rid]).Div(hundred).Round(2)
			if o["prices_include_tax"] == true {
				// Prices include tax: the tax is taken out of the gross line amount.
				want = tot.Add(tax).Mul(rates[rid]).DivRound(hundred.Add(rates[rid]), 20).Round(2)
			}
			if !dec(t, m["total"]).Equal(want) {
				t.Errorf("order %v line tax %v, want %s (rate %s of %s, incl. %v)", id, m["total"], want, rates[rid], tot, o["prices_include_tax"])
			}
			taxSum = taxSum.Add(dec(t, m["total"]))
			perRate[rid] = perRate[rid].Add(dec(t, m["total"]))
		}
		if !taxSum.Equal(tax) {
			t.Errorf("order %v line total_tax %s != Σ taxes %s", id, tax, taxSum)
		}
		if q := l["quantity"].(float64); q > 0 {
			price := decimal.NewFromFloat(l["price"].(float64))
			if !price.Mul(decimal.NewFromFloat(q)).Round(2).Equal(tot) {
				t.Errorf("order %v price %v × %v != total %s", id, l["price"], q, tot)
			}
		}
	}
	fees, feeTax := decimal.Zero, decimal.Zero
	for _, raw := range arr(t, o["fee_lines"]) {
		f := obj(t, raw)
		fees = fees.Add(dec(t, f["total"]))
		feeTax = feeTax.Add(dec(t, f["total_tax"]))
		for _, tx := range arr(t, f["taxes"]) {
			m := obj(t, tx)
			perRate[m["id"].(float64)] = perRate[m["id"].(float64)].Add(dec(t, m["total"]))
		}
	}
	ship, shipTax := decimal.Zero, decimal.Zero
	for _, raw := range arr(t, o["shipping_lines"]) {
		s := obj(t, raw)
		ship = ship.Add(dec(t, s["total"]))
		shipTax = shipTax.Add(dec(t, s["total_tax"]))
		for _, tx := range arr(t, s["taxes"]) {
			m := obj(t, tx)
			perRateShip[m["id"].(float64)] = perRateShip[m["id"].(float64)].Add(dec(t, m["total"]))
		}
	}
	for _, raw := range arr(t, o["tax_lines"]) {
		tl := obj(t, raw)
		rid := tl["rate_id"].(float64)
		if !dec(t, tl["tax_total"]).Equal(perRate[rid]) || !dec(t, tl["shipping_tax_total"]).Equal(perRateShip[rid]) {
			t.Errorf("order %v tax line %v: %v/%v, want %s/%s", id, rid, tl["tax_total"], tl["shipping_tax_total"], perRate[rid], perRateShip[rid])
		}
	}
	cartTax := sumLineTax.Add(feeTax)
	check := func(name string, want decimal.Decimal) {
		if !dec(t, o[name]).Equal(want) {
			t.Errorf("order %v %s = %v, want %s", id, name, o[name], want)
		}
	}
	check("cart_tax", cartTax)
	check("shipping_total", ship)
	check("shipping_tax", shipTax)
	check("total_tax", cartTax.Add(shipTax))
	check("discount_total", disc)
	check("discount_tax", discTax)
	check("total", sumLines.Add(fees).Add(ship).Add(cartTax).Add(shipTax))
	for _, raw := range arr(t, o["coupon_lines"]) {
		c := obj(t, raw)
		if len(arr(t, o["coupon_lines"])) == 1 && !dec(t, c["discount"]).Equal(disc) {
			t.Errorf("order %v coupon discount %v, want %s", id, c["discount"], disc)
		}
	}
}

func TestGeneratorDeterministicAndDumpSeedRoundTrip(t *testing.T) {
	dump := func(seed int64) []byte {
		e := newEnv(t, Options{RandSeed: seed})
		if _, err := e.sim.GenerateOrders(60); err != nil {
			t.Fatal(err)
		}
		b, err := e.sim.Dump("http://shop.example")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := dump(3), dump(3)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different orders")
	}
	if bytes.Equal(a, dump(4)) {
		t.Fatal("different seeds, same orders")
	}
	// Loading the dump into a fresh store gives the same dump back.
	e := newEnv(t, Options{})
	np, no, err := e.sim.LoadSeed(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if no != 60 || np == 0 {
		t.Fatalf("seeded %d products, %d orders", np, no)
	}
	c, err := e.sim.Dump("http://shop.example")
	if err != nil {
		t.Fatal(err)
	}
	var x, y any
	_ = json.Unmarshal(a, &x)
	_ = json.Unmarshal(c, &y)
	xo := obj(t, x)["orders"].([]any)
	yo := obj(t, y)["orders"].([]any)
	for i := range xo {
		ox, oy := obj(t, xo[i]), obj(t, yo[i])
		for _, k := range []string{"id", "status", "total", "total_tax", "date_created_gmt", "date_modified_gmt", "date_paid_gmt", "number", "order_key"} {
			if ox[k] != oy[k] {
				t.Fatalf("order %v %s: %v after seeding, %v before", ox["id"], k, oy[k], ox[k])
			}
		}
	}
}

// syncBuffer is a goroutine-safe writer for Run's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--orders", "3", "--tls"}, out) }()
	re := regexp.MustCompile(`listening on (https://127\.0\.0\.1:\d+)`)
	var base string
	for i := 0; i < 200 && base == ""; i++ {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("no address printed: %s", out.String())
	}
	if !strings.Contains(out.String(), "SHA-256 fingerprint") || !strings.Contains(out.String(), "ck_demo") {
		t.Errorf("output: %s", out.String())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecureTLS()}} // the certificate is self-signed
	req, _ := http.NewRequest("GET", base+"/wp-json/wc/v3/orders", nil)
	req.SetBasicAuth("ck_demo", "cs_demo")
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var list []any
	if resp.StatusCode != 200 || json.Unmarshal(b, &list) != nil || len(list) != 3 {
		t.Errorf("GET orders over TLS: %d %.200s", resp.StatusCode, b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	if err := Run(context.Background(), []string{"--orders", "-1", "--addr", "127.0.0.1:0"}, io.Discard); err == nil {
		t.Fatal("negative --orders accepted")
	}
}

// `simulate --seed demo` serves the data of koppel demo, and the printed admin URL answers.
func TestRunSeedDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--seed", "demo"}, out) }()
	re := regexp.MustCompile(`admin: (http://127\.0\.0\.1:\d+/_sim/)`)
	var admin string
	for i := 0; i < 500 && admin == ""; i++ {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			admin = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if admin == "" {
		t.Fatalf("no admin URL printed: %s", out.String())
	}
	if !strings.Contains(out.String(), "generated 25 orders") {
		t.Errorf("--seed demo does not generate the demo's orders: %s", out.String())
	}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(admin); code != http.StatusOK || !strings.Contains(body, "POST /_sim/seed") {
		t.Fatalf("GET %s: %d %s", admin, code, body)
	}
	if code, body := get(admin + "dump"); code != http.StatusOK || !strings.Contains(body, `"SHIRT-01"`) || !strings.Contains(body, `"MOK-01"`) {
		t.Fatalf("the demo catalogue is not served: %d %.300s", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// BenchmarkListOrdersPage measures serving one signed page of 100 orders (auth, filter, sort,
// render, encode) from a store of 2000.
func BenchmarkListOrdersPage(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t, Options{})
	if _, err := e.sim.GenerateOrders(2000); err != nil {
		b.Fatal(err)
	}
	e.t = t
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e.clock.Advance(time.Millisecond)
		resp := e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "100", "page", "3", "orderby", "modified", "order", "asc", "dates_are_gmt", "true"), nil)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)*100/time.Since(start).Seconds(), "orders/s")
}

// TestGeneratedOrdersCarryCustomerEmails: every generated order has a billing e-mail (guests
// too); customers order several times; one customer's e-mail appears in mixed case beside its
// lower-case form; business customers carry a company and a VAT number.
func TestGeneratedOrdersCarryCustomerEmails(t *testing.T) {
	e := newEnv(t, Options{RandSeed: 5})
	if _, err := e.sim.GenerateOrders(60); err != nil {
		t.Fatal(err)
	}
	resp := e.do("GET", "/wp-json/wc/v3/orders", qs("per_page", "100", "status", "any"), nil)
	list := arr(t, decode(t, resp, 200))
	if len(list) != 60 {
		t.Fatalf("listed %d orders", len(list))
	}
	byLower := map[string]map[string]int{} // lower-case e-mail -> spelling -> orders
	guests, b2b := 0, 0
	for _, raw := range list {
		o := obj(t, raw)
		b := obj(t, o["billing"])
		email, _ := b["email"].(string)
		if !regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$`).MatchString(email) {
			t.Fatalf("order %v: billing e-mail %q", o["id"], email)
		}
		if b["phone"] == "" {
			t.Errorf("order %v has no phone", o["id"])
		}
		if o["customer_id"] == float64(0) {
			guests++
		}
		l := strings.ToLower(email)
		if byLower[l] == nil {
			byLower[l] = map[string]int{}
		}
		byLower[l][email]++
		vat := ""
		for _, m := range arr(t, o["meta_data"]) {
			if mm := obj(t, m); mm["key"] == "vat_number" {
				vat, _ = mm["value"].(string)
			}
		}
		if vat != "" {
			if b["company"] == "" {
				t.Errorf("order %v: VAT number %s without a company", o["id"], vat)
			}
			b2b++
		}
	}
	repeat, mixed := 0, 0
	for _, spellings := range byLower {
		n := 0
		for _, c := range spellings {
			n += c
		}
		if n > 1 {
			repeat++
		}
		if len(spellings) > 1 {
			mixed++
		}
	}
	if guests == 0 || b2b == 0 || repeat < 3 || mixed != 1 {
		t.Fatalf("guests %d, B2B orders %d, returning customers %d, customers with two spellings %d (%v)", guests, b2b, repeat, mixed, byLower)
	}
}
