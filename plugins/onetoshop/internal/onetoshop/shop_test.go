package onetoshop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// fakeClock is a settable clock for the simulator.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCheck(t *testing.T) {
	_, u := startSim(t, simulator.Options{ShopName: "Tuincentrum Test"})
	res, err := newTestShop(t, u, nil).Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Summary, "Tuincentrum Test") || res.Details["currency"] != "EUR" || res.Details["api"] != u+"/api/v1" {
		t.Errorf("Check = %+v", res)
	}
}

func TestCheckFailures(t *testing.T) {
	const secret = "the-wrong-token-of-the-user-0123456789"
	_, u := startSim(t, simulator.Options{})
	_, moved := startSim(t, simulator.Options{RedirectTo: "https://www.nieuwe-winkel.example"})
	_, custom := startSim(t, simulator.Options{AuthHeader: "X-Api-Token", BasePath: "/rest"})
	for _, c := range []struct {
		name string
		url  string
		edit func(sdk.Config)
		kind sdk.ErrorKind
		want string
	}{
		{"redirect", moved, nil, sdk.KindUnreachable, "redirects to https://www.nieuwe-winkel.example/api/v1/shop"},
		{"wrong token", u, func(c sdk.Config) { c.Set(attrToken, secret) }, sdk.KindAuth, "refused the token"},
		{"wrong base path (shop front)", u, func(c sdk.Config) { c.Set(attrBasePath, "/") }, sdk.KindConfig, "no Onetoshop API"},
		{"unknown API path", u, func(c sdk.Config) { c.Set(attrBasePath, "/api/v1/nope") }, sdk.KindConfig, "no Onetoshop API"},
		{"bearer where a custom header is needed", custom, func(c sdk.Config) { c.Set(attrBasePath, "/rest") }, sdk.KindAuth, "refused the token"},
		{"unreachable", "http://127.0.0.1:1", nil, sdk.KindUnreachable, "127.0.0.1:1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, c.url, c.edit)
			_, err := s.Check(context.Background())
			if sdk.KindOf(err) != c.kind || err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Check: kind %q err %v; want kind %q containing %q", sdk.KindOf(err), err, c.kind, c.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), simulator.DefaultToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	// The same shop with the header configured works.
	s := newTestShop(t, custom, func(c sdk.Config) { c.Set(attrBasePath, "/rest").Set(attrAuthHeader, "X-Api-Token") })
	if _, err := s.Check(context.Background()); err != nil {
		t.Fatalf("custom header and base path: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for name, edit := range map[string]func(sdk.Config){
		"no url":           func(c sdk.Config) { delete(c, attrURL) },
		"ftp url":          func(c sdk.Config) { c.Set(attrURL, "ftp://shop.example") },
		"url with query":   func(c sdk.Config) { c.Set(attrURL, "https://shop.example/?token=x") },
		"no token":         func(c sdk.Config) { c.Set(attrToken, " ") },
		"page size 0":      func(c sdk.Config) { c.Set(attrPageSize, 0) },
		"page size 500":    func(c sdk.Config) { c.Set(attrPageSize, 500) },
		"bad header":       func(c sdk.Config) { c.Set(attrAuthHeader, "X Api: Token") },
		"negative overlap": func(c sdk.Config) { c.Set(attrOverlap, "-1m") },
		"zero timeout":     func(c sdk.Config) { c.Set(attrTimeout, "0s") },
		"no workers":       func(c sdk.Config) { c.Set(attrMaxConcurrent, 0) },
	} {
		cfg := testConfig("https://shop.example", "tok-1234567890")
		edit(cfg)
		_, err := New(context.Background(), cfg, nil)
		if sdk.KindOf(err) != sdk.KindConfig {
			t.Errorf("%s: err %v, want KindConfig", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "tok-1234567890") {
			t.Errorf("%s: error shows the token", name)
		}
	}
	if err := Schema().Validate(); err != nil {
		t.Fatal(err)
	}
}

// hostDedupe does what the host does with a listing: keep the newest version per id, and
// count how often each (id, modified) version was handed out.
type hostDedupe struct {
	latest map[string]time.Time
	seen   map[string]int
}

func newHostDedupe() *hostDedupe {
	return &hostDedupe{latest: map[string]time.Time{}, seen: map[string]int{}}
}

func (h *hostDedupe) add(it sdk.OrderItem) {
	h.seen[it.Order.ID+"@"+it.Order.ModifiedAt.String()]++
	if it.Order.ModifiedAt.After(h.latest[it.Order.ID]) {
		h.latest[it.Order.ID] = it.Order.ModifiedAt
	}
}

// Orders modified while the connector pages are seen again with their new time, nothing is lost,
// and no version is handed out twice within one listing; many orders share one second.
func TestListOrdersModifiedWhilePaging(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	sim, u := startSim(t, simulator.Options{Clock: clock.Now})
	gen, err := sim.GenerateOrders(300)
	if err != nil {
		t.Fatal(err)
	}
	// 40 orders touched in the same second: more than a page shares one updated_at.
	for _, o := range gen[100:140] {
		if _, err := sim.TouchOrder(o.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrPageSize, 9).Set(attrRatePerMinute, 0) })
	h := newHostDedupe()
	n := 0
	touched := map[int64]bool{}
	err = s.ListOrders(context.Background(), sdk.OrderQuery{Statuses: []string{"any"}}, func(it sdk.OrderItem) error {
		n++
		if n == 20 || n == 150 || n == 250 {
			clock.Advance(time.Second)
			for _, id := range []int64{gen[n/4].ID, gen[min(n+30, 299)].ID} { // one read, one not yet read
				if _, err := sim.TouchOrder(id, ""); err != nil {
					return err
				}
				touched[id] = true
			}
		}
		h.add(it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range h.seen {
		if c != 1 {
			t.Errorf("version %s handed out %d times in one listing", k, c)
		}
	}
	if len(h.latest) != len(gen) {
		t.Fatalf("%d distinct orders listed, the shop has %d", len(h.latest), len(gen))
	}
	for id := range touched {
		o, _ := sim.Order(id)
		if got := h.latest[strconv.FormatInt(id, 10)]; !got.Equal(o.UpdatedAt.UTC()) {
			t.Errorf("order %d: newest version seen %v, the shop has %v", id, got, o.UpdatedAt.UTC())
		}
	}
}

func TestListOrdersResumeAndOverlap(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	sim, u := startSim(t, simulator.Options{Clock: clock.Now})
	// Ten orders one minute apart.
	var ids []int64
	for i := 0; i < 10; i++ {
		o, err := sim.AddOrder(simulator.Order{Status: "paid", Lines: []simulator.Line{{SKU: "A", UnitPriceInclVAT: simulator.A("12.10"), VATRate: simulator.A("21")}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
		clock.Advance(time.Minute)
	}
	all := listAll(t, newTestShop(t, u, func(c sdk.Config) { c.Set(attrOverlap, "0s") }), sdk.OrderQuery{})
	if len(all) != 10 {
		t.Fatalf("%d orders", len(all))
	}
	last := all[len(all)-1].Cursor
	if got := listAll(t, newTestShop(t, u, func(c sdk.Config) { c.Set(attrOverlap, "0s") }), sdk.OrderQuery{Cursor: last}); len(got) != 0 {
		t.Errorf("resuming at the end without overlap listed %d orders", len(got))
	}
	// With a 3-minute overlap the orders of the 3 minutes before the cursor come again, and
	// the cursor's own order does not.
	got := listAll(t, newTestShop(t, u, func(c sdk.Config) { c.Set(attrOverlap, "3m") }), sdk.OrderQuery{Cursor: last})
	var gotIDs []string
	for _, it := range got {
		gotIDs = append(gotIDs, it.Order.ID)
	}
	want := fmt.Sprint([]string{strconv.FormatInt(ids[6], 10), strconv.FormatInt(ids[7], 10), strconv.FormatInt(ids[8], 10)})
	if fmt.Sprint(gotIDs) != want {
		t.Errorf("overlap listed %v, want %v", gotIDs, want)
	}
	// A new order after the cursor is listed once.
	o, _ := sim.AddOrder(simulator.Order{Status: "paid"})
	got = listAll(t, newTestShop(t, u, func(c sdk.Config) { c.Set(attrOverlap, "0s") }), sdk.OrderQuery{Cursor: last})
	if len(got) != 1 || got[0].Order.ID != strconv.FormatInt(o.ID, 10) {
		t.Errorf("after the cursor: %v", got)
	}
	// Since bounds the listing; statuses filter it.
	since := time.Date(2026, 11, 24, 12, 5, 0, 0, time.UTC)
	if got := listAll(t, newTestShop(t, u, nil), sdk.OrderQuery{Since: since}); len(got) != 6 {
		t.Errorf("since 12:05 listed %d, want 6", len(got))
	}
	if _, err := sim.TouchOrder(ids[0], "cancelled"); err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, newTestShop(t, u, nil), sdk.OrderQuery{}); len(got) != 10 {
		t.Errorf("default statuses listed %d, want 10 (one cancelled)", len(got))
	}
	if got := listAll(t, newTestShop(t, u, nil), sdk.OrderQuery{Statuses: []string{"cancelled"}}); len(got) != 1 {
		t.Errorf("status cancelled listed %d, want 1", len(got))
	}
	// A cursor from elsewhere is a permanent error, without the shop being asked.
	err := newTestShop(t, u, nil).ListOrders(context.Background(), sdk.OrderQuery{Cursor: "not-a-cursor"}, func(sdk.OrderItem) error { return nil })
	if sdk.KindOf(err) != sdk.KindPermanent {
		t.Errorf("foreign cursor: %v", err)
	}
}

func TestListOrdersByID(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	gen, err := sim.GenerateOrders(5)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{strconv.FormatInt(gen[3].ID, 10), "999999", strconv.FormatInt(gen[1].ID, 10), strconv.FormatInt(gen[3].ID, 10)}
	got := listAll(t, newTestShop(t, u, nil), sdk.OrderQuery{IDs: ids, Cursor: "ignored"})
	if len(got) != 2 || got[0].Order.ID != ids[2] || got[1].Order.ID != ids[0] || got[0].Cursor == "" {
		t.Errorf("by id: %+v", got)
	}
}

// Every generated order maps so that lines, charges and totals add up to the cent, and the
// totals are the shop's own.
func TestSimulatorOrdersAddUp(t *testing.T) {
	sim, u := startSim(t, simulator.Options{RandSeed: 7})
	if _, err := sim.GenerateOrders(400); err != nil {
		t.Fatal(err)
	}
	for _, it := range listAll(t, newTestShop(t, u, nil), sdk.OrderQuery{Statuses: []string{"any"}}) {
		o := it.Order
		id, _ := strconv.ParseInt(o.ID, 10, 64)
		w, _ := sim.Order(id)
		if !o.Totals.Total.Equal(w.TotalInclVAT.Decimal) || !o.Totals.Tax.Equal(w.VATTotal.Decimal) || !o.Totals.TotalExcl.Equal(w.TotalExclVAT.Decimal) {
			t.Errorf("order %s: totals %+v, shop %s/%s/%s", o.ID, o.Totals, w.TotalExclVAT, w.VATTotal, w.TotalInclVAT)
		}
		sum, tax := d("0"), d("0")
		for _, l := range o.Lines {
			sum, tax = sum.Add(l.TotalIncl), tax.Add(l.Tax)
			if !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) || l.TotalIncl.Exponent() < -2 {
				t.Errorf("order %s line %s: %s + %s != %s", o.ID, l.ID, l.TotalExcl, l.Tax, l.TotalIncl)
			}
		}
		for _, c := range append(o.ShippingLines, o.Fees...) {
			sum, tax = sum.Add(c.TotalIncl), tax.Add(c.Tax)
		}
		for _, c := range o.Discounts {
			sum, tax = sum.Sub(c.TotalIncl), tax.Sub(c.Tax)
		}
		if !sum.Equal(o.Totals.Total) || !tax.Equal(o.Totals.Tax) {
			t.Errorf("order %s: parts add up to %s (VAT %s), totals %s (VAT %s)", o.ID, sum, tax, o.Totals.Total, o.Totals.Tax)
		}
		if o.Billing.Street == "" || !strings.ContainsAny(o.Billing.Street, "0123456789") {
			t.Errorf("order %s: street %q has no house number", o.ID, o.Billing.Street)
		}
	}
}

func TestProductsAndStock(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	if _, err := sim.GenerateOrders(1); err != nil { // makes the catalogue
		t.Fatal(err)
	}
	s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrPageSize, 5).Set(attrMaxConcurrent, 3) })
	var items []sdk.ProductItem
	if err := s.ListProducts(context.Background(), sdk.ProductQuery{}, func(it sdk.ProductItem) error {
		items = append(items, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(items) != len(sim.Products()) {
		t.Fatalf("ListProducts: %d, the shop has %d", len(items), len(sim.Products()))
	}
	found, err := s.FindProducts(context.Background(), []string{"TUIN-003", "NOPE", "TS-GROEN-L", "TUIN-003"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].SKU != "TUIN-003" || found[1].SKU != "TS-GROEN-L" || found[1].ParentID == "" {
		t.Fatalf("FindProducts: %+v", found)
	}
	var tuin001 string
	for _, p := range sim.Products() {
		if p.SKU == "TUIN-001" {
			tuin001 = strconv.FormatInt(p.ID, 10)
		}
	}
	levels := []sdk.StockLevel{
		{SKU: "TUIN-003", Quantity: d("12")},
		{SKU: "TS-GROEN-L", Quantity: d("4.7")},                 // rounded down
		{SKU: "TUIN-006", Quantity: d("-2")},                    // never below 0
		{SKU: "NOPE", Quantity: d("1")},                         // unknown
		{SKU: "TUIN-009", Quantity: d("1")},                     // gift card: stock not managed
		{SKU: "TUIN-001", ProductID: tuin001, Quantity: d("8")}, // id known: no look-up
		{SKU: "GONE", ProductID: "999999", Quantity: d("1")},    // id known but gone
	}
	res, err := s.WriteStock(context.Background(), levels)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(levels) {
		t.Fatalf("%d results", len(res))
	}
	for i := 0; i < 3; i++ {
		if res[i].Err != "" || res[i].ProductID == "" {
			t.Errorf("%s: %+v", levels[i].SKU, res[i])
		}
	}
	if !res[3].NotFound || !res[6].NotFound || res[4].Err == "" || res[4].NotFound || res[5].Err != "" {
		t.Errorf("per-item results: %+v", res)
	}
	stock := func(sku string) int64 {
		for _, p := range sim.Products() {
			if p.SKU == sku && p.Stock != nil {
				return *p.Stock
			}
		}
		return -1
	}
	if stock("TUIN-003") != 12 || stock("TS-GROEN-L") != 4 || stock("TUIN-006") != 0 || stock("TUIN-001") != 8 {
		t.Errorf("stock now %d %d %d %d, want 12 4 0 8", stock("TUIN-003"), stock("TS-GROEN-L"), stock("TUIN-006"), stock("TUIN-001"))
	}
}

func TestWriteStockWholeCallFailures(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	if _, err := sim.GenerateOrders(1); err != nil {
		t.Fatal(err)
	}
	bad := newTestShop(t, u, func(c sdk.Config) { c.Set(attrToken, "wrong-token-value") })
	if _, err := bad.WriteStock(context.Background(), []sdk.StockLevel{{SKU: "TUIN-001", Quantity: d("1")}}); sdk.KindOf(err) != sdk.KindAuth {
		t.Errorf("wrong token: %v", err)
	}
	if err := sim.SetFaults(simulator.Faults{ThrottleRate: 1, RetryAfter: 10 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	_, err := newTestShop(t, u, nil).WriteStock(context.Background(), []sdk.StockLevel{{SKU: "TUIN-001", Quantity: d("1")}})
	if sdk.KindOf(err) != sdk.KindRetryable || sdk.RetryAfterOf(err) != 10*time.Minute {
		t.Errorf("throttled: %v (retry after %s)", err, sdk.RetryAfterOf(err))
	}
	_ = sim.SetFaults(simulator.Faults{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newTestShop(t, u, nil).WriteStock(ctx, []sdk.StockLevel{{SKU: "TUIN-001", Quantity: d("1")}}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// A 503 or a dropped connection on a read is retried by httpclient; a 500 on a read that
// persists is KindRetryable.
func TestTransientFaults(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	if _, err := sim.GenerateOrders(30); err != nil {
		t.Fatal(err)
	}
	sim.FailNext(http.StatusServiceUnavailable, 1)
	sim.FailNext(0, 1)
	got := listAll(t, newTestShop(t, u, nil), sdk.OrderQuery{Statuses: []string{"any"}})
	if len(got) != 30 {
		t.Errorf("after 503 and a drop: %d orders", len(got))
	}
	sim.FailNext(http.StatusInternalServerError, 1)
	err := newTestShop(t, u, nil).ListOrders(context.Background(), sdk.OrderQuery{}, func(sdk.OrderItem) error { return nil })
	if sdk.KindOf(err) != sdk.KindRetryable {
		t.Errorf("500: %v", err)
	}
}

// The simulator refuses what the contract does not allow; the connector never sends it.
func TestConnectorSendsOnlyDocumentedRequests(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	if _, err := sim.GenerateOrders(50); err != nil {
		t.Fatal(err)
	}
	s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrPageSize, 100) })
	listAll(t, s, sdk.OrderQuery{Since: time.Now().AddDate(0, 0, -10), Statuses: []string{"paid", "shipped"}})
	if _, err := s.FindProducts(context.Background(), []string{"TUIN-001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteStock(context.Background(), []sdk.StockLevel{{SKU: "TUIN-001", Quantity: d("3")}}); err != nil {
		t.Fatal(err)
	}
	st := sim.Stats()
	if st.Rejected != 0 || st.Unauthorized != 0 {
		t.Errorf("the simulator rejected %d and refused %d of the connector's requests", st.Rejected, st.Unauthorized)
	}
	// And the simulator does reject what is not documented.
	for _, q := range []string{"limit=101", "page=0", "updated_since=yesterday", "status=betaald", "per_page=10", "sort=id"} {
		req, _ := http.NewRequest(http.MethodGet, u+"/api/v1/orders?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 400 or 422", q, resp.StatusCode)
		}
	}
}

func TestYieldErrorAndCancel(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	if _, err := sim.GenerateOrders(10); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err := newTestShop(t, u, nil).ListProducts(context.Background(), sdk.ProductQuery{}, func(sdk.ProductItem) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("ListProducts yield error: %v after %d calls", err, calls)
	}
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if len(a) != 43 || a == b || strings.ContainsAny(a, "+/=") {
		t.Errorf("tokens %q %q", a, b)
	}
}

// A shop that answers the API with HTML (a maintenance page with 200) is a configuration
// error naming base_path, not a crash.
func TestHTMLAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>onderhoud</html>"))
	}))
	t.Cleanup(srv.Close)
	err := newTestShop(t, srv.URL, nil).ListOrders(context.Background(), sdk.OrderQuery{}, func(sdk.OrderItem) error { return nil })
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "base_path") {
		t.Errorf("HTML answer: %v", err)
	}
}

// TestListOrdersAllStatuses: the configured statuses filter the listing; q.AllStatuses lists
// every status (no status parameter), so the host sees waiting orders too.
func TestListOrdersAllStatuses(t *testing.T) {
	sim, u := startSim(t, simulator.Options{RandSeed: 3})
	gen, err := sim.GenerateOrders(40)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, o := range gen {
		want[o.Status]++
	}
	s := newTestShop(t, u, nil)
	all := listAll(t, s, sdk.OrderQuery{AllStatuses: true, Statuses: []string{"paid"}})
	got := map[string]int{}
	for _, it := range all {
		got[it.Order.Status]++
	}
	if len(all) != len(gen) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("all statuses: %d orders %v, want %d %v", len(all), got, len(gen), want)
	}
	def := 0
	for _, st := range DefaultStatuses {
		def += want[st]
	}
	if n := len(listAll(t, s, sdk.OrderQuery{})); n != def || n == len(gen) {
		t.Fatalf("default statuses: %d orders, want %d of %d", n, def, len(gen))
	}
}

// TestListOrdersTotal: every listed order carries the listing's expected total from the
// answer's meta.total, equal to the orders the listing yields: fresh, resumed part-way, and
// resumed with an overlap window (whose orders come again and count).
func TestListOrdersTotal(t *testing.T) {
	sim, u := startSim(t, simulator.Options{RandSeed: 3})
	if _, err := sim.GenerateOrders(130); err != nil {
		t.Fatal(err)
	}
	check := func(what string, items []sdk.OrderItem, want int) {
		t.Helper()
		if want >= 0 && len(items) != want {
			t.Fatalf("%s: %d orders, want %d", what, len(items), want)
		}
		for _, it := range items {
			if it.Total != len(items) {
				t.Fatalf("%s: order %s carries total %d, want %d", what, it.Order.ID, it.Total, len(items))
			}
		}
	}
	for _, overlap := range []string{"0s", "10m"} {
		s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrOverlap, overlap).Set(attrPageSize, 25) })
		all := listAll(t, s, sdk.OrderQuery{Statuses: []string{"any"}})
		check("fresh listing", all, -1)
		check("resumed listing (overlap "+overlap+")", listAll(t, s, sdk.OrderQuery{Statuses: []string{"any"}, Cursor: all[60].Cursor}), -1)
		if overlap == "0s" {
			check("resumed listing", listAll(t, s, sdk.OrderQuery{Statuses: []string{"any"}, Cursor: all[60].Cursor}), len(all)-61)
		}
	}
}
