package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// capturedTaxTable is the tax table captured from a real WooCommerce 10 store (GET /taxes)
// with the given base location.
func capturedTaxTable(t testing.TB, base string) *taxTable {
	t.Helper()
	var rows []wcTaxRate
	if err := json.Unmarshal(loadShared(t, "reference/external/woocommerce-captured/taxes.json"), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("taxes.json holds no rates")
	}
	return newTaxTable(rows, base)
}

// rateText renders a rate for comparisons: "nil" or the decimal.
func rateText(r *decimal.Decimal) string {
	if r == nil {
		return "nil"
	}
	return r.String()
}

func TestRateForCapturedTable(t *testing.T) {
	tests := []struct {
		base, class, status, want string
	}{
		{"NL", "", "taxable", "21"},
		{"NL", "standard", "taxable", "21"},
		{"NL", "reduced-rate", "taxable", "9"},
		{"NL", "Reduced-Rate", "", "9"},
		{"NL", "zero-rate", "taxable", "0"},
		{"NL", "books", "taxable", "nil"}, // a custom class without an NL rate: not guessed
		{"NL", "reduced-rate", "none", "0"},
		{"NL", "", "shipping", "0"}, // "shipping only": the product itself is untaxed
		{"NL", "parent", "taxable", "nil"},
		{"nl", "", "taxable", "21"},
		{"BE", "", "taxable", "21"},
		{"BE", "reduced-rate", "taxable", "nil"},
		{"BE", "zero-rate", "taxable", "0"}, // the zero class left empty for BE is 0
		{"US:CA", "", "taxable", "7.5"},
		{"US:NY", "", "taxable", "4"},
		{"US", "", "taxable", "nil"}, // only state rates: none applies to the country as a whole
		{"", "", "taxable", "nil"},   // base country unreadable
		{"Nederland", "", "taxable", "nil"},
		{"DE", "", "none", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.base+"/"+tt.class+"/"+tt.status, func(t *testing.T) {
			got := capturedTaxTable(t, tt.base).rateFor(tt.class, tt.status)
			if rateText(got) != tt.want {
				t.Errorf("rateFor(%q, %q) at %q = %s, want %s", tt.class, tt.status, tt.base, rateText(got), tt.want)
			}
		})
	}
	var unknown *taxTable
	if r := unknown.rateFor("", "taxable"); r != nil {
		t.Errorf("no table: %s", r)
	}
	if r := unknown.rateFor("", "none"); rateText(r) != "0" {
		t.Errorf("no table, untaxed: %s", rateText(r))
	}
	if r := (&taxTable{country: "NL"}).rateFor("", "taxable"); r != nil {
		t.Errorf("unread rates: %s", r)
	}
}

// Rows as WooCommerce matches them: postcode and city limits are skipped, the most specific
// row per priority wins, priorities stack, a compound stack is not one rate.
func TestRateForMatching(t *testing.T) {
	row := func(id int, country, state, class, rate string, prio, order int, extra string) string {
		return fmt.Sprintf(`{"id":%d,"country":%q,"state":%q,"class":%q,"rate":%q,"priority":%d,"order":%d%s}`,
			id, country, state, class, rate, prio, order, extra)
	}
	tests := []struct {
		name, base string
		rows       []string
		class      string
		want       string
	}{
		{"postcode-limited row skipped", "NL", []string{
			row(1, "NL", "", "standard", "5.0000", 1, 0, `,"postcodes":["1011*"]`),
			row(2, "NL", "", "standard", "21.0000", 1, 1, `,"postcodes":[]`)}, "", "21"},
		{"city-limited row skipped", "NL", []string{
			row(1, "NL", "", "standard", "5.0000", 1, 0, `,"city":"AMSTERDAM"`)}, "", "nil"},
		{"country beats any-country", "NL", []string{
			row(1, "", "", "standard", "10.0000", 1, 0, ""),
			row(2, "NL", "", "standard", "21.0000", 1, 5, "")}, "", "21"},
		{"any-country row applies", "NL", []string{
			row(1, "", "", "standard", "10.0000", 1, 0, ""),
			row(2, "BE", "", "standard", "21.0000", 1, 0, "")}, "", "10"},
		{"lowest order wins in a priority", "NL", []string{
			row(7, "NL", "", "standard", "19.0000", 1, 2, ""),
			row(8, "NL", "", "standard", "21.0000", 1, 1, "")}, "", "21"},
		{"priorities stack", "CA:QC", []string{
			row(1, "CA", "", "standard", "5.0000", 1, 0, ""),
			row(2, "CA", "QC", "standard", "9.975", 2, 0, "")}, "", "14.975"},
		{"compound stack unknown", "CA:QC", []string{
			row(1, "CA", "", "standard", "5.0000", 1, 0, ""),
			row(2, "CA", "QC", "standard", "9.975", 2, 0, `,"compound":true`)}, "", "nil"},
		{"other state skipped", "US:CA", []string{
			row(1, "US", "NY", "standard", "4.0000", 1, 0, "")}, "", "nil"},
		{"rate without value skipped", "NL", []string{
			row(1, "NL", "", "standard", "", 1, 0, "")}, "", "nil"},
		{"custom class", "NL", []string{
			row(1, "NL", "", "boeken", "9.0000", 1, 0, "")}, "Boeken", "9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []wcTaxRate
			if err := json.Unmarshal([]byte("["+strings.Join(tt.rows, ",")+"]"), &rows); err != nil {
				t.Fatal(err)
			}
			got := newTaxTable(rows, tt.base).rateFor(tt.class, "taxable")
			if rateText(got) != tt.want {
				t.Errorf("got %s, want %s", rateText(got), tt.want)
			}
		})
	}
}

func TestProductTax(t *testing.T) {
	parent := &wcProduct{ID: "10", Type: "variable", TaxClass: "reduced-rate", TaxStatus: "taxable"}
	untaxedParent := &wcProduct{ID: "11", Type: "variable", TaxClass: "", TaxStatus: "none"}
	tests := []struct {
		name                  string
		p, parent             *wcProduct
		wantClass, wantStatus string
	}{
		{"simple", &wcProduct{ID: "1", Type: "simple", TaxClass: "zero-rate", TaxStatus: "taxable"}, nil, "zero-rate", "taxable"},
		{"variation inherits", &wcProduct{ID: "2", ParentID: "10", Type: "variation", TaxClass: "parent", TaxStatus: "taxable"}, parent, "reduced-rate", "taxable"},
		{"variation standard", &wcProduct{ID: "3", ParentID: "10", Type: "variation", TaxClass: "", TaxStatus: "taxable"}, parent, "", "taxable"},
		{"variation own class", &wcProduct{ID: "4", ParentID: "10", Type: "variation", TaxClass: "zero-rate"}, parent, "zero-rate", "taxable"},
		{"variation, parent unknown", &wcProduct{ID: "5", ParentID: "10", Type: "variation", TaxClass: "parent", TaxStatus: "taxable"}, nil, "parent", "taxable"},
		{"variation of untaxed parent", &wcProduct{ID: "6", ParentID: "11", Type: "variation", TaxClass: "parent", TaxStatus: "taxable"}, untaxedParent, "", "none"},
	}
	tax := capturedTaxTable(t, "NL")
	want := map[string]string{"simple": "0", "variation inherits": "9", "variation standard": "21", "variation own class": "0",
		"variation, parent unknown": "nil", "variation of untaxed parent": "0"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := productTax(tt.p, tt.parent)
			if c != tt.wantClass || s != tt.wantStatus {
				t.Errorf("productTax = %q, %q; want %q, %q", c, s, tt.wantClass, tt.wantStatus)
			}
			if got := rateText(tax.rateFor(c, s)); got != want[tt.name] {
				t.Errorf("rate %s, want %s", got, want[tt.name])
			}
		})
	}
}

// clock is a settable clock shared by a simulator and a Shop (OAuth timestamps must agree).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// taxCatalogue seeds a simulator with products of every tax kind and returns SKU → expected
// rate ("nil" for none).
func taxCatalogue(t *testing.T, sim *simulator.Server) map[string]string {
	t.Helper()
	add := func(p simulator.Product) simulator.Product {
		t.Helper()
		got, err := sim.AddProduct(p)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	price := decimal.NewNullDecimal(decimal.RequireFromString("10.00"))
	add(simulator.Product{Name: "Fiets", SKU: "STD", RegularPrice: price})
	add(simulator.Product{Name: "Boek", SKU: "LOW", TaxClass: "reduced-rate", RegularPrice: price})
	add(simulator.Product{Name: "Cadeaubon", SKU: "ZERO", TaxClass: "zero-rate", RegularPrice: price})
	add(simulator.Product{Name: "Donatie", SKU: "NONE", TaxStatus: "none", RegularPrice: price})
	add(simulator.Product{Name: "Tijdschrift", SKU: "CUSTOM", TaxClass: "tijdschriften", RegularPrice: price})
	set := add(simulator.Product{Type: "variable", Name: "Boekenset", SKU: "SET", TaxClass: "reduced-rate"})
	add(simulator.Product{ParentID: set.ID, SKU: "SET-A", RegularPrice: price,
		Attributes: []simulator.Attribute{{Name: "Deel", Option: "A"}}})
	add(simulator.Product{ParentID: set.ID, SKU: "SET-B", TaxClass: "standard", RegularPrice: price,
		Attributes: []simulator.Attribute{{Name: "Deel", Option: "B"}}})
	return map[string]string{"STD": "21", "LOW": "9", "ZERO": "0", "NONE": "0", "CUSTOM": "nil",
		"SET": "9", "SET-A": "9", "SET-B": "21"}
}

// listProducts collects a full ListProducts by SKU.
func listProducts(t *testing.T, s *Shop) map[string]sdk.Product {
	t.Helper()
	got := map[string]sdk.Product{}
	err := s.ListProducts(context.Background(), sdk.ProductQuery{}, func(it sdk.ProductItem) error {
		got[it.Product.SKU] = it.Product
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// ListProducts and FindProducts against the simulator give every product the rate of its tax
// class in the store's country, a variation its parent's class unless it has its own, and read
// the tax table (two pages here) and settings once per listing, reused for ten minutes.
func TestSimulatorProductTaxRates(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	sim, u := startSimulator(t, simulator.Options{Clock: clk.Now, PricesIncludeTax: true})
	want := taxCatalogue(t, sim)
	// 120 more rates (other countries) so the table takes two pages of 100.
	rates := sim.TaxRates()
	for i := 0; i < 120; i++ {
		rates = append(rates, simulator.TaxRate{ID: int64(100 + i), Country: "US", State: fmt.Sprintf("S%d", i),
			Rate: decimal.NewFromInt(5), Name: "State tax", Priority: 1, Class: "standard"})
	}
	sim.SetTaxRates(rates)
	s, err := newShop(testConfig(u), nil, nil, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	calls := func() (taxes, settings int64) {
		st := sim.Stats()
		return st.PerEndpoint["GET /taxes"], st.PerEndpoint["GET /settings/{group}/{id}"]
	}

	got := listProducts(t, s)
	if len(got) != len(want) {
		t.Fatalf("listed %d products, want %d", len(got), len(want))
	}
	for sku, w := range want {
		p := got[sku]
		if rateText(p.TaxRate) != w {
			t.Errorf("ListProducts %s: TaxRate %s, want %s", sku, rateText(p.TaxRate), w)
		}
		if !p.PriceIncludesTax {
			t.Errorf("ListProducts %s: PriceIncludesTax false in a store entering prices with tax", sku)
		}
	}
	if n := got["SET-A"].Name; n != "Boekenset - A" {
		t.Errorf("variation name %q", n)
	}
	if tx, st := calls(); tx != 2 || st != 2 {
		t.Errorf("first listing: %d GET /taxes (want 2 pages), %d settings reads (want 2)", tx, st)
	}

	// Within ten minutes: the table is reused, by listings and look-ups alike.
	got = listProducts(t, s)
	found, err := s.FindProducts(context.Background(), []string{"SET-A", "SET-B", "LOW", "CUSTOM", "NONE", "NO-SUCH"})
	if err != nil {
		t.Fatal(err)
	}
	if tx, st := calls(); tx != 2 || st != 2 {
		t.Errorf("within the TTL: %d GET /taxes, %d settings reads; want no new reads", tx, st)
	}
	if len(found) != 5 {
		t.Fatalf("FindProducts found %d, want 5", len(found))
	}
	for _, p := range found {
		if rateText(p.TaxRate) != want[p.SKU] || !p.PriceIncludesTax {
			t.Errorf("FindProducts %s: TaxRate %s PriceIncludesTax %v, want %s", p.SKU, rateText(p.TaxRate), p.PriceIncludesTax, want[p.SKU])
		}
	}
	if found[0].Name != "Boekenset - A" || found[0].ParentID == "" {
		t.Errorf("variation found by SKU: %+v", found[0])
	}
	if rateText(got["SET-B"].TaxRate) != "21" {
		t.Errorf("second listing SET-B: %s", rateText(got["SET-B"].TaxRate))
	}

	// After ten minutes the next listing reads them again, once.
	clk.Advance(11 * time.Minute)
	listProducts(t, s)
	if tx, st := calls(); tx != 4 || st != 4 {
		t.Errorf("after the TTL: %d GET /taxes, %d settings reads; want 4 and 4", tx, st)
	}

	// The stock write's SKU look-up reads neither taxes nor parents.
	clk.Advance(11 * time.Minute)
	before := sim.Stats().PerEndpoint["GET /products"]
	if _, err := s.WriteStock(context.Background(), []sdk.StockLevel{{SKU: "SET-A", Quantity: d("3")}}); err != nil {
		t.Fatal(err)
	}
	if tx, st := calls(); tx != 4 || st != 4 {
		t.Errorf("WriteStock read the tax table: %d GET /taxes, %d settings reads", tx, st)
	}
	if n := sim.Stats().PerEndpoint["GET /products"] - before; n != 1 {
		t.Errorf("WriteStock: %d GET /products, want the one SKU look-up", n)
	}
}

// A Belgian store: the same classes give Belgium's rates; prices without tax.
func TestSimulatorProductTaxRatesOtherCountry(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{BaseCountry: "BE"})
	taxCatalogue(t, sim)
	got := listProducts(t, newTestShop(t, u, nil))
	for sku, w := range map[string]string{"STD": "21", "LOW": "6", "ZERO": "0", "SET-A": "6", "SET-B": "21"} {
		if rateText(got[sku].TaxRate) != w || got[sku].PriceIncludesTax {
			t.Errorf("%s: TaxRate %s PriceIncludesTax %v, want %s and false", sku, rateText(got[sku].TaxRate), got[sku].PriceIncludesTax, w)
		}
	}
}

// taxFakeStore serves one reduced-rate product and lets a test choose how /taxes and the
// settings answer.
type taxFakeStore struct {
	mu                      sync.Mutex
	taxStatus, settingsCode int
	hits                    map[string]int
}

func (f *taxFakeStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3")
	f.hits[path]++
	switch {
	case path == "/products":
		_, _ = io.WriteString(w, `[{"id":5,"type":"simple","sku":"LOW","name":"Boek","tax_status":"taxable","tax_class":"reduced-rate","date_modified_gmt":"2026-11-24T10:00:00"},`+
			`{"id":6,"type":"simple","sku":"FREE","name":"Gift","tax_status":"none","tax_class":"","date_modified_gmt":"2026-11-24T10:00:01"}]`)
	case path == "/taxes":
		if f.taxStatus != http.StatusOK {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(f.taxStatus)
			_, _ = io.WriteString(w, `{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}`)
			return
		}
		_, _ = io.WriteString(w, `[{"id":1,"country":"NL","state":"","rate":"9.0000","priority":1,"class":"reduced-rate"}]`)
	case strings.HasPrefix(path, "/settings/"):
		if f.settingsCode != http.StatusOK {
			w.WriteHeader(f.settingsCode)
			_, _ = io.WriteString(w, `{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}`)
			return
		}
		if strings.HasSuffix(path, "woocommerce_default_country") {
			_, _ = io.WriteString(w, `{"id":"woocommerce_default_country","value":"NL"}`)
		} else {
			_, _ = io.WriteString(w, `{"id":"woocommerce_prices_include_tax","value":"no"}`)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"code":"rest_no_route","message":"No route","data":{"status":404}}`)
	}
}

// What cannot be read is left unknown (nil rates, logged) without failing the listing; a
// transient failure fails it as retryable.
func TestTaxTableUnreadable(t *testing.T) {
	tests := []struct {
		name              string
		taxes, settings   int
		wantErr           sdk.ErrorKind
		wantLow, wantFree string
	}{
		{"all readable", http.StatusOK, http.StatusOK, "", "9", "0"},
		{"taxes refused", http.StatusUnauthorized, http.StatusOK, "", "nil", "0"},
		{"settings missing", http.StatusOK, http.StatusNotFound, "", "nil", "0"},
		{"taxes unavailable", http.StatusServiceUnavailable, http.StatusOK, sdk.KindRetryable, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &taxFakeStore{taxStatus: tt.taxes, settingsCode: tt.settings, hits: map[string]int{}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			s := newTestShop(t, srv.URL, nil)
			got := map[string]sdk.Product{}
			err := s.ListProducts(context.Background(), sdk.ProductQuery{}, func(it sdk.ProductItem) error {
				got[it.Product.SKU] = it.Product
				return nil
			})
			if tt.wantErr != "" {
				if sdk.KindOf(err) != tt.wantErr {
					t.Fatalf("error %v, want kind %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rateText(got["LOW"].TaxRate) != tt.wantLow || rateText(got["FREE"].TaxRate) != tt.wantFree {
				t.Errorf("LOW %s FREE %s, want %s and %s", rateText(got["LOW"].TaxRate), rateText(got["FREE"].TaxRate), tt.wantLow, tt.wantFree)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.hits["/taxes"] != 1 {
				t.Errorf("GET /taxes %d times for a listing of 2 products, want 1", f.hits["/taxes"])
			}
		})
	}
}

// A listing that finds nothing does not read the tax table.
func TestEmptyListingReadsNoTaxes(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	s := newTestShop(t, u, nil)
	if got := listProducts(t, s); len(got) != 0 {
		t.Fatalf("listed %d", len(got))
	}
	if _, err := s.FindProducts(context.Background(), []string{"NOPE"}); err != nil {
		t.Fatal(err)
	}
	if n := sim.Stats().PerEndpoint["GET /taxes"]; n != 0 {
		t.Errorf("GET /taxes %d times", n)
	}
}
