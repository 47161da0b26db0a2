package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type env struct {
	t   *testing.T
	sim *Server
	url string
}

func newEnv(t *testing.T, o Options) *env {
	t.Helper()
	sim, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, sim: sim, url: srv.URL}
}

// do sends a request with the default bearer token (auth false: none) and decodes the JSON
// answer into out when not nil.
func (e *env) do(method, path, body string, auth bool, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if auth {
		req.Header.Set("Authorization", "Bearer "+e.sim.Token())
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

type errBody struct {
	Error struct{ Code, Message string } `json:"error"`
}

func TestAuth(t *testing.T) {
	e := newEnv(t, Options{})
	var eb errBody
	if st := e.do("GET", "/api/v1/shop", "", false, &eb); st != 401 || eb.Error.Code != "unauthorized" {
		t.Errorf("no token: %d %+v", st, eb)
	}
	req, _ := http.NewRequest("GET", e.url+"/api/v1/shop", nil)
	req.Header.Set("Authorization", e.sim.Token()) // without "Bearer "
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("token without Bearer: %d", resp.StatusCode)
	}
	var shop struct{ Data ShopInfo }
	if st := e.do("GET", "/api/v1/shop", "", true, &shop); st != 200 || shop.Data.Platform != "Onetoshop" {
		t.Errorf("shop: %d %+v", st, shop)
	}
	if e.sim.Stats().Unauthorized != 2 {
		t.Errorf("stats %+v", e.sim.Stats())
	}
}

func TestListingPagingAndValidation(t *testing.T) {
	clock := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, Options{Clock: func() time.Time { return clock }})
	if _, err := e.sim.GenerateOrders(57); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data []Order
		Meta meta
	}
	if st := e.do("GET", "/api/v1/orders?limit=20&page=3&sort=updated_at", "", true, &page); st != 200 {
		t.Fatalf("status %d", st)
	}
	if page.Meta != (meta{Page: 3, Limit: 20, Total: 57, Pages: 3}) || len(page.Data) != 17 {
		t.Errorf("meta %+v, %d orders", page.Meta, len(page.Data))
	}
	for i := 1; i < len(page.Data); i++ {
		if page.Data[i].UpdatedAt.Before(page.Data[i-1].UpdatedAt.Time) {
			t.Errorf("not oldest first at %d", i)
		}
	}
	// updated_since is inclusive at second resolution.
	since := page.Data[5].UpdatedAt
	var after struct{ Data []Order }
	e.do("GET", "/api/v1/orders?limit=100&updated_since="+since.UTC().Format(time.RFC3339), "", true, &after)
	if len(after.Data) == 0 || !after.Data[0].UpdatedAt.Equal(since.Time) {
		t.Errorf("updated_since not inclusive: first %v, since %v", after.Data[0].UpdatedAt, since)
	}
	for _, q := range []string{"limit=101", "limit=0", "page=-1", "updated_since=2026-11-24", "status=paid,unknown", "foo=1", "sort=created_at", "limit=1&limit=2"} {
		var eb errBody
		st := e.do("GET", "/api/v1/orders?"+q, "", true, &eb)
		if (st != 400 && st != 422) || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Errorf("%s: %d %+v", q, st, eb)
		}
	}
	if st := e.do("POST", "/api/v1/orders", "{}", true, nil); st != 405 {
		t.Errorf("POST /orders: %d", st)
	}
	if st := e.do("GET", "/api/v1/orders/999999", "", true, nil); st != 404 {
		t.Errorf("unknown order: %d", st)
	}
	// Every generated order's amounts add up.
	for _, o := range e.sim.Orders() {
		incl, vat := o.ShippingCosts.Add(o.PaymentCosts.Decimal), o.ShippingVAT.Add(o.PaymentCostsVAT.Decimal)
		for _, l := range o.Lines {
			incl, vat = incl.Add(l.TotalInclVAT.Decimal), vat.Add(l.VATAmount.Decimal)
			if !l.TotalExclVAT.Add(l.VATAmount.Decimal).Equal(l.TotalInclVAT.Decimal) {
				t.Errorf("order %d line %d does not add up", o.ID, l.ID)
			}
		}
		for _, d := range o.Discounts {
			incl, vat = incl.Sub(d.AmountInclVAT.Decimal), vat.Sub(d.VATAmount.Decimal)
		}
		if !incl.Equal(o.TotalInclVAT.Decimal) || !vat.Equal(o.VATTotal.Decimal) || !o.TotalExclVAT.Add(o.VATTotal.Decimal).Equal(o.TotalInclVAT.Decimal) {
			t.Errorf("order %d: parts %s/%s, totals %s/%s", o.ID, incl, vat, o.TotalInclVAT, o.VATTotal)
		}
	}
}

func TestStockWrite(t *testing.T) {
	e := newEnv(t, Options{})
	stock := int64(3)
	p, _ := e.sim.AddProduct(Product{SKU: "A-1", Name: "A", PriceInclVAT: A("10"), VATRate: A("21"), ManageStock: true, Stock: &stock})
	q, _ := e.sim.AddProduct(Product{SKU: "GIFT", Name: "Bon", PriceInclVAT: A("25"), VATRate: A("0")})
	path := "/api/v1/products/" + itoa(p.ID) + "/stock"
	var ok struct{ Data Product }
	if st := e.do("PUT", path, `{"stock": 9}`, true, &ok); st != 200 || ok.Data.Stock == nil || *ok.Data.Stock != 9 {
		t.Fatalf("PUT: %d %+v", st, ok.Data)
	}
	if got, _ := e.sim.Product(p.ID); *got.Stock != 9 || !got.UpdatedAt.After(p.UpdatedAt.Time) {
		t.Errorf("stored %+v", got)
	}
	for body, want := range map[string]int{`{"stock": 1.5}`: 422, `{"stock": -1}`: 422, `{"qty": 1}`: 422, `{}`: 422, `[1]`: 422, `{"stock": 1, "x": 2}`: 422} {
		if st := e.do("PUT", path, body, true, nil); st != want {
			t.Errorf("%s: %d, want %d", body, st, want)
		}
	}
	if st := e.do("PUT", "/api/v1/products/"+itoa(q.ID)+"/stock", `{"stock": 1}`, true, nil); st != 422 {
		t.Errorf("unmanaged: %d", st)
	}
	if st := e.do("PUT", "/api/v1/products/424242/stock", `{"stock": 1}`, true, nil); st != 404 {
		t.Errorf("unknown: %d", st)
	}
	req, _ := http.NewRequest("PUT", e.url+path, strings.NewReader(`{"stock": 1}`))
	req.Header.Set("Authorization", "Bearer "+e.sim.Token())
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 415 {
		t.Errorf("no content type: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestFaultsAndRedirect(t *testing.T) {
	e := newEnv(t, Options{})
	if err := e.sim.SetFaults(Faults{ThrottleRate: 1, RetryAfter: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.url+"/api/v1/shop", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" {
		t.Errorf("throttle: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if err := e.sim.SetFaults(Faults{ErrorRate: 2}); err == nil {
		t.Error("rate 2 accepted")
	}
	_ = e.sim.SetFaults(Faults{})
	e.sim.FailNext(0, 1)
	if _, err := http.Get(e.url + "/api/v1/shop"); err == nil {
		t.Error("dropped connection answered")
	}
	// Lost response: the write is applied, the answer never comes.
	stock := int64(1)
	p, _ := e.sim.AddProduct(Product{SKU: "L", ManageStock: true, Stock: &stock})
	_ = e.sim.SetFaults(Faults{LostResponseRate: 1})
	req, _ = http.NewRequest("PUT", e.url+"/api/v1/products/"+itoa(p.ID)+"/stock", strings.NewReader(`{"stock": 5}`))
	req.Header.Set("Authorization", "Bearer "+e.sim.Token())
	req.Header.Set("Content-Type", "application/json")
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("lost response answered")
	}
	if got, _ := e.sim.Product(p.ID); *got.Stock != 5 {
		t.Errorf("lost write not applied: %d", *got.Stock)
	}

	r := newEnv(t, Options{RedirectTo: "https://elders.example"})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = c.Get(r.url + "/api/v1/shop")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://elders.example/api/v1/shop" {
		t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestAdminSeedDumpTouch(t *testing.T) {
	e := newEnv(t, Options{})
	var ids struct{ IDs []int64 }
	if st := e.do("POST", "/_sim/orders?n=5", "", false, &ids); st != 200 || len(ids.IDs) != 5 {
		t.Fatalf("generate: %d %v", st, ids)
	}
	before, _ := e.sim.Order(ids.IDs[0])
	var touched struct{ Status string }
	if st := e.do("POST", "/_sim/orders/"+itoa(ids.IDs[0])+"/touch?status=shipped", "", false, &touched); st != 200 || touched.Status != "shipped" {
		t.Errorf("touch: %d %+v", st, touched)
	}
	if after, _ := e.sim.Order(ids.IDs[0]); !after.UpdatedAt.After(before.UpdatedAt.Time) {
		t.Errorf("touch did not move updated_at: %v → %v", before.UpdatedAt, after.UpdatedAt)
	}
	var dump Seed
	e.do("GET", "/_sim/dump", "", false, &dump)
	b, _ := json.Marshal(dump)
	f := newEnv(t, Options{})
	var counts map[string]int
	if st := f.do("POST", "/_sim/seed", string(b), false, &counts); st != 200 || counts["orders"] != 5 || counts["products"] != len(dump.Products) {
		t.Fatalf("seed: %d %v", st, counts)
	}
	a, _ := json.Marshal(e.sim.Dump())
	c, _ := json.Marshal(f.sim.Dump())
	if !bytes.Equal(a, c) {
		for i := range a {
			if i >= len(c) || a[i] != c[i] {
				t.Fatalf("dump → seed → dump changed the data at %d: %s | %s", i, a[max(0, i-80):min(len(a), i+80)], c[max(0, i-80):min(len(c), i+80)])
			}
		}
	}
	if st := f.do("POST", "/_sim/seed", `{"orders":[{"status":"betaald"}]}`, false, nil); st != 400 {
		t.Errorf("bad seed: %d", st)
	}
	if st := f.do("POST", "/_sim/faults", `{"unavailable_rate":1,"retry_after_seconds":5}`, false, nil); st != 200 || f.sim.CurrentFaults().UnavailableRate != 1 {
		t.Errorf("faults: %d", st)
	}
	var st Stats
	f.do("GET", "/_sim/stats", "", false, &st)
	if st.Requests != 0 {
		t.Errorf("admin requests counted as API requests: %+v", st)
	}
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--orders", "3"}, out) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "generated 3 orders") || !strings.Contains(out.String(), "listening on http://127.0.0.1:") {
		t.Errorf("output: %s", out.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), []string{"--orders", "-1"}, io.Discard); err == nil {
		t.Error("negative --orders accepted")
	}
}

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
