package simulator

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Defaults a person can type (printed by Run).
const (
	DefaultAddr              = "127.0.0.1:8703"
	DefaultConsumerKey       = "sim-consumer-key-0001"
	DefaultConsumerSecret    = "sim-consumer-secret-0001"
	DefaultAccessToken       = "sim-access-token-0001"
	DefaultAccessTokenSecret = "sim-access-token-secret-0001"
	DefaultAdminUser         = "admin"
	DefaultAdminPassword     = "demo-password-1"
	DefaultVersion           = "2.4.7-p3"
)

// ACL resources the simulated endpoints require.
const (
	ACLOrders    = "Magento_Sales::actions_view"
	ACLProducts  = "Magento_Catalog::products"
	ACLStock     = "Magento_CatalogInventory::cataloginventory"
	ACLSources   = "Magento_InventoryApi::source_item"
	ACLStoreConf = "Magento_Backend::store"
	// ACLCreditmemo and ACLOrderCancel guard credit memos and cancelling (Magento_Sales ACL).
	ACLCreditmemo  = "Magento_Sales::sales_creditmemo"
	ACLOrderCancel = "Magento_Sales::cancel"
)

// Faults configures injected failures on the REST API (never on /_sim/).
type Faults struct {
	// Mode is a standing fault: "throttle" answers every request 429, "unavailable" 503 (both
	// with Retry-After), "commit_then_500" commits the next write and answers it 500.
	Mode string `json:"mode"`
	// ErrorRate, ThrottleRate and UnavailableRate are fractions of requests answered 500, 429
	// and 503, drawn from the seeded random source.
	ErrorRate       float64 `json:"error_rate"`
	ThrottleRate    float64 `json:"throttle_rate"`
	UnavailableRate float64 `json:"unavailable_rate"`
	// LatencyMS delays every answer.
	LatencyMS int64 `json:"latency_ms"`
	// RetryAfterSeconds is the Retry-After of 429/503 answers (default 1; 600 for a Mode).
	RetryAfterSeconds int64 `json:"retry_after_seconds"`
}

// Options configures a Server. The zero value is usable: the demo credentials, OAuth 1.0a only
// (bearer use of the integration token disabled, as in Magento 2.4.4+), the wall clock, prices
// entered including tax, EUR, one source "default".
type Options struct {
	ConsumerKey, ConsumerSecret, AccessToken, AccessTokenSecret string
	// AdminUser and AdminPassword are accepted by /V1/integration/admin/token.
	AdminUser, AdminPassword string
	// AdminTokenLifetime is how long an admin token lives (default 4h, Magento's default).
	AdminTokenLifetime time.Duration
	// AllowBearer is Magento's oauth/consumer/enable_integration_as_bearer: when set, the
	// integration's access token is accepted alone as "Authorization: Bearer".
	AllowBearer bool
	// Resources are the ACL resources granted to the integration; nil grants all.
	Resources []string
	// Clock returns the current time (default time.Now); the simulator adds its own offset
	// (Advance).
	Clock func() time.Time
	// PricesIncludeTax is the store's "catalog prices include tax" setting used by the order
	// generator (default true when PricesExcludeTax is false).
	PricesExcludeTax bool
	// Currency is the base and order currency (default EUR).
	Currency string
	// StoreCodes are the store codes accepted in /rest/{code}/V1 (default "default" and "all").
	StoreCodes []string
	// Sources are the MSI source codes (default ["default"]).
	Sources []string
	// Faults are the initial faults.
	Faults Faults
	// RandSeed seeds the generator and fault draws (default 1).
	RandSeed int64
	// RedirectTo, when set, answers every API request with 301 to this base URL.
	RedirectTo string
}

// Stats are request counters.
type Stats struct {
	Requests       int64            `json:"requests"`
	PerEndpoint    map[string]int64 `json:"per_endpoint"`
	AuthFailures   int64            `json:"auth_failures"`
	FaultsInjected int64            `json:"faults_injected"`
	MaxPageSize    int              `json:"max_page_size"`
}

// Server is one simulated Magento store. It is safe for concurrent use.
type Server struct {
	opts Options

	mu          sync.Mutex
	offset      time.Duration
	rnd         *rand.Rand
	faults      Faults
	stats       Stats
	products    map[string]*Product // by SKU
	productByID map[int64]*Product
	sources     map[string]map[string]*sourceItem // sku → source → item
	orders      map[int64]*Order
	orderList   []*Order // in entity_id order
	// creditmemos are the credit memos made by POST /V1/order/{orderId}/refund, in entity_id
	// order; nextCreditmemo is the last entity_id given.
	byUpdated      updatedIndex
	creditmemos    []*Creditmemo
	nextCreditmemo int64
	nextOrder      int64
	nextItem       int64
	nextProduct    int64
	nextAddress    int64
	version        int64 // bumps on every change; keys the search cache
	cache          map[string][]*Order
	cacheVer       int64
	adminTokens    map[string]time.Time // token → expiry
	nonces         map[string]time.Time // consumer nonce → seen at
}

// New builds a store with the default catalog (simple products, configurables, a dynamic and
// a fixed-price bundle) and no orders.
func New(o Options) (*Server, error) {
	if o.ConsumerKey == "" {
		o.ConsumerKey = DefaultConsumerKey
	}
	if o.ConsumerSecret == "" {
		o.ConsumerSecret = DefaultConsumerSecret
	}
	if o.AccessToken == "" {
		o.AccessToken = DefaultAccessToken
	}
	if o.AccessTokenSecret == "" {
		o.AccessTokenSecret = DefaultAccessTokenSecret
	}
	if o.AdminUser == "" {
		o.AdminUser = DefaultAdminUser
	}
	if o.AdminPassword == "" {
		o.AdminPassword = DefaultAdminPassword
	}
	if o.AdminTokenLifetime <= 0 {
		o.AdminTokenLifetime = 4 * time.Hour
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Currency == "" {
		o.Currency = "EUR"
	}
	if len(o.StoreCodes) == 0 {
		o.StoreCodes = []string{"default", "all"}
	}
	if len(o.Sources) == 0 {
		o.Sources = []string{"default"}
	}
	if o.RandSeed == 0 {
		o.RandSeed = 1
	}
	if err := validFaults(o.Faults); err != nil {
		return nil, err
	}
	s := &Server{
		opts:        o,
		rnd:         rand.New(rand.NewSource(o.RandSeed)),
		faults:      o.Faults,
		products:    map[string]*Product{},
		productByID: map[int64]*Product{},
		sources:     map[string]map[string]*sourceItem{},
		orders:      map[int64]*Order{},
		adminTokens: map[string]time.Time{},
		nonces:      map[string]time.Time{},
		stats:       Stats{PerEndpoint: map[string]int64{}},
	}
	s.seedCatalog()
	return s, nil
}

// Now is the simulator's current time (the clock plus every Advance), in UTC and whole
// seconds, as Magento stores times.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time {
	return s.opts.Clock().Add(s.offset).UTC().Truncate(time.Second)
}

// Advance moves the simulator's clock forward by d (for tests: "a minute passes").
func (s *Server) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.PerEndpoint = map[string]int64{}
	for k, v := range s.stats.PerEndpoint {
		c.PerEndpoint[k] = v
	}
	return c
}

// Handler returns the HTTP handler: the REST API under /rest/ and the admin endpoints under
// /_sim/.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	now := s.nowLocked()
	s.mu.Unlock()
	w.Header().Set("Date", now.Format(http.TimeFormat))
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveAdmin(w, r)
		return
	}
	if s.opts.RedirectTo != "" {
		http.Redirect(w, r, strings.TrimSuffix(s.opts.RedirectTo, "/")+r.URL.RequestURI(), http.StatusMovedPermanently)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/rest/") {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html><body><h1>404 Not Found</h1></body></html>"))
		return
	}
	if s.injectFault(w, r) {
		return
	}
	s.serveAPI(w, r)
}

// route is one REST operation.
type route struct {
	method  string
	pattern []string // path segments after V1; "{x}" matches one segment
	acl     string   // "" for anonymous (admin token)
	name    string
	handle  func(s *Server, w http.ResponseWriter, r *http.Request, p map[string]string, who principal)
}

var routes = []route{
	{http.MethodPost, []string{"integration", "admin", "token"}, "", "POST /V1/integration/admin/token", (*Server).handleAdminToken},
	{http.MethodGet, []string{"store", "storeConfigs"}, ACLStoreConf, "GET /V1/store/storeConfigs", (*Server).handleStoreConfigs},
	{http.MethodGet, []string{"orders"}, ACLOrders, "GET /V1/orders", (*Server).handleOrders},
	{http.MethodGet, []string{"orders", "{id}"}, ACLOrders, "GET /V1/orders/{id}", (*Server).handleOrder},
	{http.MethodPost, []string{"orders", "{id}", "cancel"}, ACLOrderCancel, "POST /V1/orders/{id}/cancel", (*Server).handleCancel},
	{http.MethodGet, []string{"orders", "{id}", "comments"}, ACLOrders, "GET /V1/orders/{id}/comments", (*Server).handleComments},
	{http.MethodPost, []string{"orders", "{id}", "comments"}, ACLOrderComment, "POST /V1/orders/{id}/comments", (*Server).handleAddComment},
	{http.MethodPost, []string{"order", "{orderId}", "refund"}, ACLCreditmemo, "POST /V1/order/{orderId}/refund", (*Server).handleRefund},
	{http.MethodGet, []string{"creditmemos"}, ACLCreditmemo, "GET /V1/creditmemos", (*Server).handleCreditmemos},
	{http.MethodGet, []string{"products"}, ACLProducts, "GET /V1/products", (*Server).handleProducts},
	{http.MethodGet, []string{"products", "{sku}"}, ACLProducts, "GET /V1/products/{sku}", (*Server).handleProduct},
	{http.MethodGet, []string{"stockItems", "{sku}"}, ACLStock, "GET /V1/stockItems/{sku}", (*Server).handleStockItem},
	{http.MethodPut, []string{"products", "{sku}", "stockItems", "{itemId}"}, ACLStock, "PUT /V1/products/{sku}/stockItems/{itemId}", (*Server).handlePutStockItem},
	{http.MethodGet, []string{"inventory", "source-items"}, ACLSources, "GET /V1/inventory/source-items", (*Server).handleSourceItems},
	{http.MethodPost, []string{"inventory", "source-items"}, ACLSources, "POST /V1/inventory/source-items", (*Server).handleSaveSourceItems},
}

// serveAPI routes /rest[/{store}]/V1/... and authenticates.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/rest/"), "/")
	if len(segs) > 0 && segs[0] != "V1" {
		code := segs[0]
		if !contains(s.opts.StoreCodes, code) {
			// (inferred) Magento's store resolver refuses an unknown code in the URL.
			writeError(w, http.StatusBadRequest, "The store that was requested wasn't found. Verify the store and try again.", nil)
			return
		}
		segs = segs[1:]
	}
	if len(segs) == 0 || segs[0] != "V1" {
		writeError(w, http.StatusNotFound, "Request does not match any route.", nil)
		return
	}
	segs = segs[1:]
	for i, sg := range segs {
		u, err := unescapePathSegment(sg)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Request does not match any route.", nil)
			return
		}
		segs[i] = u
	}
	for _, rt := range routes {
		p, ok := match(rt.pattern, segs)
		if !ok || rt.method != r.Method {
			continue
		}
		s.count(rt.name)
		var who principal
		if rt.acl != "" {
			var ok bool
			who, ok = s.authenticate(w, r, rt.acl)
			if !ok {
				return
			}
		}
		rt.handle(s, w, r, p, who)
		return
	}
	writeError(w, http.StatusNotFound, "Request does not match any route.", nil)
}

func match(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	p := map[string]string{}
	for i, pt := range pattern {
		if strings.HasPrefix(pt, "{") {
			if segs[i] == "" {
				return nil, false
			}
			p[strings.Trim(pt, "{}")] = segs[i]
			continue
		}
		if pt != segs[i] {
			return nil, false
		}
	}
	return p, true
}

func (s *Server) count(name string) {
	s.mu.Lock()
	s.stats.PerEndpoint[name]++
	s.mu.Unlock()
}

// writeJSON writes v with Magento's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"message":"Internal Error. Details are available in Magento log file. Report ID: webapi-sim"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) handleStoreConfigs(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	base := "http://" + r.Host + "/"
	cur := s.opts.Currency
	writeJSON(w, http.StatusOK, []map[string]any{{
		"id": 1, "code": "default", "website_id": 1, "locale": "nl_NL",
		"base_currency_code": cur, "default_display_currency_code": cur,
		"timezone": "Europe/Amsterdam", "weight_unit": "kgs",
		"base_url": base, "base_link_url": base, "base_static_url": base + "static/",
		"base_media_url": base + "media/", "secure_base_url": base, "secure_base_link_url": base,
		"secure_base_static_url": base + "static/", "secure_base_media_url": base + "media/",
	}})
}

// sortedProducts returns the catalog in product id order; the caller holds s.mu.
func (s *Server) sortedProducts() []*Product {
	out := make([]*Product, 0, len(s.products))
	for _, p := range s.products {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// pathID reads the path parameter name as an entity id; when it is not a positive integer it
// answers Magento's type error on w and reports false.
func pathID(w http.ResponseWriter, p map[string]string, name string) (int64, bool) {
	id, ok := parseID(p[name])
	if !ok {
		typeInvalid(w, p[name], "int")
	}
	return id, ok
}

func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

func round2(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

func validFaults(f Faults) error {
	for name, v := range map[string]float64{"error_rate": f.ErrorRate, "throttle_rate": f.ThrottleRate, "unavailable_rate": f.UnavailableRate} {
		if v < 0 || v > 1 || v != v {
			return fmt.Errorf("simulator: fault %s=%v: want a fraction between 0 and 1", name, v)
		}
	}
	switch f.Mode {
	case "", "throttle", "unavailable", "commit_then_500":
	default:
		return fmt.Errorf("simulator: unknown fault mode %q", f.Mode)
	}
	if f.LatencyMS < 0 || f.RetryAfterSeconds < 0 {
		return fmt.Errorf("simulator: fault durations must not be negative")
	}
	return nil
}
