// Package simulator is a strict in-memory simulator of the WooCommerce REST API v3
// (/wp-json/wc/v3) as a WooCommerce 10 store answers it: the same paths, authentication
// (OAuth 1.0a over plain http, Basic or query keys only over TLS), JSON shapes (money as
// strings, line price as a number, site-local and GMT dates without zone), paging headers,
// validation errors and limits. It exists so that the WooCommerce connector's tests, the demo
// and external checkers can talk to something that behaves like a real store.
//
// Admin endpoints under /_sim/ (no authentication) reset, dump and seed the data and set faults.
package simulator

import (
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the site timezone must resolve on hosts without zoneinfo

	"github.com/shopspring/decimal"
)

// Defaults a person can type.
const (
	DefaultConsumerKey    = "ck_demo"
	DefaultConsumerSecret = "cs_demo"
	DefaultTimeZone       = "Europe/Amsterdam"
	DefaultVersion        = "10.0.2"
	DefaultAddr           = "127.0.0.1:8702"
	batchLimit            = 100
)

// Faults configures injected failures on the API (never on /_sim/). Rates are fractions of
// requests between 0 and 1, drawn from the simulator's seeded random source.
type Faults struct {
	// ErrorRate answers 500 with WordPress's critical-error body.
	ErrorRate float64
	// Latency delays every API answer (cut short when the client goes away).
	Latency time.Duration
	// TooManyRate answers 429 with a Retry-After header.
	TooManyRate float64
	// UnavailableRate answers 503 with a Retry-After header.
	UnavailableRate float64
	// RetryAfter is the Retry-After value for 429/503 (whole seconds; default 1s).
	RetryAfter time.Duration
	// DropRate closes the connection without any answer.
	DropRate float64
	// LostResponseRate applies a write (POST/PUT/DELETE) and then closes the connection without
	// an answer: "the create succeeded but the response was lost".
	LostResponseRate float64
}

// Options configures a Server. The zero value is usable: keys ck_demo/cs_demo, site timezone
// Europe/Amsterdam, the wall clock, no faults.
type Options struct {
	// ConsumerKey and ConsumerSecret are the one REST key pair the store accepts.
	ConsumerKey    string
	ConsumerSecret string
	// KeyPermissions is "read", "write" or "read_write" (default).
	KeyPermissions string
	// TimeZone is the site timezone for date_* fields and non-GMT date filters.
	TimeZone *time.Location
	// Clock returns the current time; default time.Now. Used for dates and OAuth timestamps.
	Clock func() time.Time
	// Faults are the initial injected failures (changeable later with SetFaults or /_sim/faults).
	Faults Faults
	// RedirectTo, when set, answers every API request with 301 to this base URL plus the
	// request URI (a site that moved, or http→https).
	RedirectTo string
	// TLS tells Run to serve https with a generated self-signed certificate. The handler itself
	// decides per request (r.TLS or TrustProxyHTTPS).
	TLS bool
	// TrustProxyHTTPS treats a request with "X-Forwarded-Proto: https" as TLS, as a WordPress
	// behind a TLS-terminating proxy configured for it would. Off by default, as in WordPress.
	TrustProxyHTTPS bool
	// SiteURL is the store's home URL (scheme ignored: it follows the transport); it is used in
	// links and in the OAuth base string. Empty: the request's Host.
	SiteURL string
	// Currency of generated orders and the default for created ones (default EUR).
	Currency string
	// PricesIncludeTax is the store setting "prices entered with tax": used for orders created
	// without explicit totals.
	PricesIncludeTax bool
	// BaseCountry is the store's base location as GET /settings/general/woocommerce_default_country
	// answers it: a country code ("NL") or country and state ("US:CA"). Default DefaultBaseCountry.
	BaseCountry string
	// HideVariationsInSKUSearch makes GET /products?sku= ignore variations, as stores before
	// WooCommerce 3.x-ish did; WooCommerce 10 finds variations there (default false).
	HideVariationsInSKUSearch bool
	// Version is the WooCommerce version reported (default 10.0.2).
	Version string
	// RandSeed seeds the generator, the fault draws and the order of ties (default 1).
	RandSeed int64
	// StableTies lists the orders modified in one second by descending id on every request.
	// Without it (as a real store with HPOS: date_updated_gmt has no tie-break) each listing
	// request puts them in a new order drawn from the seed: ascending, descending or mixed.
	StableTies bool
	// PlainPermalinks answers every /wp-json/... request with 301 to the home page, as a
	// WordPress with the "Plain" permalink setting does; ?rest_route=/... still works.
	PlainPermalinks bool
}

// Stats are request counters.
type Stats struct {
	// Requests counts every request to the simulator, admin ones included.
	Requests int64 `json:"requests"`
	// PerEndpoint counts API requests by "METHOD /route-pattern", e.g. "GET /orders".
	PerEndpoint map[string]int64 `json:"per_endpoint"`
	// MaxPerPage is the largest valid per_page seen on a list request.
	MaxPerPage int `json:"max_per_page"`
	// AuthFailures counts requests refused for wrong credentials (401 from authentication).
	AuthFailures int64 `json:"auth_failures"`
	// FaultsInjected counts injected failures.
	FaultsInjected int64 `json:"faults_injected"`
}

// Server is one simulated store. It is safe for concurrent use.
type Server struct {
	opts Options
	loc  *time.Location

	mu         sync.Mutex
	nextPostID int64
	nextItemID int64
	nextMetaID int64
	orders     map[int64]*Order
	modIdx     modIndex // orders by date_modified, for listings
	products   map[int64]*Product
	customers  map[int64]*Customer
	nextUserID int64 // highest WordPress user id taken (1 is the administrator)
	coupons    map[string]*Coupon
	taxes      []TaxRate
	nonces     map[int64]string
	faults     Faults
	failNext   []int
	rnd        *rand.Rand
	tieRnd     *rand.Rand // draws the order of ties in listings (ties.go)
	// notes are the order notes by order id (notes.go); nextCommentID numbers them (comments).
	notes         map[int64][]orderNote
	nextCommentID int64
	stats         Stats
	keyCounter    int64
}

// New returns a store with the default tax table (NL, BE, DE) and coupons, and no products or
// orders. It fails only on an invalid option.
func New(opts Options) (*Server, error) {
	if opts.ConsumerKey == "" {
		opts.ConsumerKey = DefaultConsumerKey
	}
	if opts.ConsumerSecret == "" {
		opts.ConsumerSecret = DefaultConsumerSecret
	}
	switch opts.KeyPermissions {
	case "":
		opts.KeyPermissions = "read_write"
	case "read", "write", "read_write":
	default:
		return nil, fmt.Errorf("simulator: key permissions %q: want read, write or read_write", opts.KeyPermissions)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Currency == "" {
		opts.Currency = "EUR"
	}
	if opts.BaseCountry == "" {
		opts.BaseCountry = DefaultBaseCountry
	}
	if !validBaseCountry(opts.BaseCountry) {
		return nil, fmt.Errorf("simulator: base country %q: want a country code such as NL, or country:state such as US:CA", opts.BaseCountry)
	}
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	if opts.RandSeed == 0 {
		opts.RandSeed = 1
	}
	if opts.RedirectTo != "" {
		u, err := url.Parse(opts.RedirectTo)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("simulator: redirect target %q is not an http(s) URL", opts.RedirectTo)
		}
	}
	if err := validFaults(opts.Faults); err != nil {
		return nil, err
	}
	loc := opts.TimeZone
	if loc == nil {
		l, err := time.LoadLocation(DefaultTimeZone)
		if err != nil {
			return nil, fmt.Errorf("simulator: load timezone %s: %w", DefaultTimeZone, err)
		}
		loc = l
	}
	s := &Server{opts: opts, loc: loc}
	s.resetLocked()
	return s, nil
}

// resetLocked empties the store and restores defaults; the caller holds mu (or owns s).
func (s *Server) resetLocked() {
	s.nextPostID = 10
	s.nextItemID = 0
	s.nextMetaID = 0
	s.orders = map[int64]*Order{}
	s.modIdx.reset()
	s.products = map[int64]*Product{}
	s.customers = map[int64]*Customer{}
	s.nextUserID = 1
	s.coupons = map[string]*Coupon{}
	s.nonces = map[int64]string{}
	s.faults = s.opts.Faults
	s.failNext = nil
	s.rnd = rand.New(rand.NewSource(s.opts.RandSeed))
	s.tieRnd = rand.New(rand.NewSource(s.opts.RandSeed + 7919))
	s.notes, s.nextCommentID = map[int64][]orderNote{}, 0
	s.stats = Stats{PerEndpoint: map[string]int64{}}
	s.taxes = defaultTaxes()
	for _, c := range []Coupon{
		{Code: "welkom10", DiscountType: "percent", Amount: decimal.NewFromInt(10)},
		{Code: "korting5", DiscountType: "fixed_cart", Amount: decimal.NewFromInt(5)},
		{Code: "gratisverzending", DiscountType: "fixed_cart", Amount: decimal.Zero, FreeShipping: true},
	} {
		c := c
		s.nextPostID++
		c.ID = s.nextPostID
		s.coupons[c.Code] = &c
	}
}

// defaultTaxes is a Dutch store's table: NL, BE and DE standard, reduced and zero rates.
func defaultTaxes() []TaxRate {
	rows := []struct {
		country, name, class string
		rate                 int64
	}{
		{"NL", "BTW hoog", "standard", 21}, {"NL", "BTW laag", "reduced-rate", 9}, {"NL", "BTW nul", "zero-rate", 0},
		{"BE", "BTW 21%", "standard", 21}, {"BE", "BTW 6%", "reduced-rate", 6}, {"BE", "BTW 0%", "zero-rate", 0},
		{"DE", "MwSt. 19%", "standard", 19}, {"DE", "MwSt. 7%", "reduced-rate", 7}, {"DE", "MwSt. 0%", "zero-rate", 0},
	}
	out := make([]TaxRate, len(rows))
	for i, r := range rows {
		out[i] = TaxRate{ID: int64(i + 1), Country: r.country, Rate: decimal.NewFromInt(r.rate), Name: r.name,
			Priority: 1, Shipping: true, Class: r.class}
	}
	return out
}

func (s *Server) now() time.Time { return s.opts.Clock().Truncate(time.Second) }

// Location is the site timezone.
func (s *Server) Location() *time.Location { return s.loc }

// ConsumerKey is the accepted consumer key.
func (s *Server) ConsumerKey() string { return s.opts.ConsumerKey }

// ConsumerSecret is the accepted consumer secret.
func (s *Server) ConsumerSecret() string { return s.opts.ConsumerSecret }

// Reset empties the store (orders, products, nonces, stats) and restores the default taxes,
// coupons and the faults given in Options.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.PerEndpoint = make(map[string]int64, len(s.stats.PerEndpoint))
	for k, v := range s.stats.PerEndpoint {
		c.PerEndpoint[k] = v
	}
	return c
}

// request is one API request being served.
type request struct {
	r      *http.Request
	method string // after _method / X-HTTP-Method-Override
	route  string // e.g. /wc/v3/orders/12
	query  queryPairs
	form   queryPairs // form body of a POST, nil otherwise
	tls    bool
	authed bool
	// collectionPath is the route of the collection, relative to /wc/v3 (for Link headers).
	collectionPath string
}

// Handler returns the HTTP handler serving /wp-json/... and /_sim/....
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	s.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveAdmin(w, r)
		return
	}
	if s.opts.RedirectTo != "" {
		w.Header().Set("Location", strings.TrimRight(s.opts.RedirectTo, "/")+r.URL.RequestURI())
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	req := &request{r: r, method: r.Method, query: parseQuery(r.URL.RawQuery), tls: s.isTLS(r)}
	switch {
	case s.opts.PlainPermalinks && (r.URL.Path == "/wp-json" || strings.HasPrefix(r.URL.Path, "/wp-json/")):
		s.plainPermalinkRedirect(w, req)
		return
	case r.URL.Path == "/wp-json" || strings.HasPrefix(r.URL.Path, "/wp-json/"):
		req.route = strings.TrimPrefix(r.URL.Path, "/wp-json")
	case (r.URL.Path == "/" || r.URL.Path == "/index.php") && req.query.last("rest_route") != "":
		req.route = req.query.last("rest_route")
	default:
		s.notFoundPage(w)
		return
	}
	if req.route == "" {
		req.route = "/"
	}
	if r.Method == http.MethodPost {
		if m := req.query.last("_method"); m != "" {
			req.method = strings.ToUpper(m)
		} else if m := r.Header.Get("X-HTTP-Method-Override"); m != "" {
			req.method = strings.ToUpper(m)
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			body, err := readBody(r)
			if err == nil {
				req.form = parseQuery(string(body))
				r.Body = bodyFrom(body)
			}
		}
	}
	switch s.injectFault(w, r) {
	case faultHandled:
		return
	case faultLoseResponse:
		s.serveAPI(&discardWriter{}, req)
		dropConnection(w)
		return
	}
	s.serveAPI(w, req)
}

// serveAPI authenticates and routes one API request.
func (s *Server) serveAPI(w http.ResponseWriter, req *request) {
	if strings.HasPrefix(req.route, "/wc/") {
		ok, e := s.authenticate(req)
		if e != nil {
			s.mu.Lock()
			s.stats.AuthFailures++
			s.mu.Unlock()
			writeError(w, e)
			return
		}
		req.authed = ok
	}
	s.route(w, req)
}

// notFoundPage is what WordPress answers outside the REST API: an HTML 404.
func (s *Server) notFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>Not found</h1></body></html>"))
}

func noRoute() *wpError {
	return newErr(http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

// route dispatches an API request.
func (s *Server) route(w http.ResponseWriter, req *request) {
	parts := strings.Split(strings.Trim(req.route, "/"), "/")
	m := req.method
	if m == http.MethodPatch {
		m = http.MethodPut
	}
	count := func(pattern string) {
		s.mu.Lock()
		s.stats.PerEndpoint[req.method+" "+pattern]++
		s.mu.Unlock()
	}
	if len(parts) == 1 && parts[0] == "" {
		count("/")
		s.handleRootIndex(w, req)
		return
	}
	if len(parts) < 2 || parts[0] != "wc" || parts[1] != "v3" {
		if len(parts) >= 1 && parts[0] == "wc" {
			writeError(w, noRoute())
			return
		}
		writeError(w, noRoute())
		return
	}
	p := parts[2:]
	isID := func(v string) (int64, bool) {
		if v == "" || strings.TrimLeft(v, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	switch {
	case len(p) == 0:
		if m == http.MethodGet {
			count("/wc/v3")
			s.handleNamespaceIndex(w, req)
			return
		}
	case p[0] == "settings":
		if s.serveSettings(w, req, p, count) {
			return
		}
	case p[0] == "system_status" && len(p) == 1 && m == http.MethodGet:
		count("/system_status")
		s.handleSystemStatus(w, req)
		return
	case p[0] == "orders":
		req.collectionPath = "orders"
		if len(p) == 1 {
			switch m {
			case http.MethodGet:
				count("/orders")
				s.listOrders(w, req)
				return
			case http.MethodPost:
				count("/orders")
				s.createOrder(w, req)
				return
			}
		} else if len(p) == 2 && p[1] == "batch" && (m == http.MethodPost || m == http.MethodPut) {
			count("/orders/batch")
			s.batchOrders(w, req)
			return
		} else if id, ok := isID(p[1]); ok && len(p) == 3 && p[2] == "notes" {
			count("/orders/{id}/notes")
			s.serveOrderNotes(w, req, id)
			return
		} else if id, ok := isID(p[1]); ok && len(p) >= 3 && p[2] == "refunds" {
			req.collectionPath = "orders/" + p[1] + "/refunds"
			if len(p) == 3 {
				switch m {
				case http.MethodGet:
					count("/orders/{id}/refunds")
					s.listRefunds(w, req, id)
					return
				case http.MethodPost:
					count("/orders/{id}/refunds")
					s.createRefund(w, req, id)
					return
				}
			} else if rid, ok := isID(p[3]); ok && len(p) == 4 && m == http.MethodGet {
				count("/orders/{id}/refunds/{refund_id}")
				s.getRefund(w, req, id, rid)
				return
			}
		} else if id, ok := isID(p[1]); ok && len(p) == 2 {
			switch m {
			case http.MethodGet:
				count("/orders/{id}")
				s.getOrder(w, req, id)
				return
			case http.MethodPut, http.MethodPost:
				count("/orders/{id}")
				s.updateOrder(w, req, id)
				return
			case http.MethodDelete:
				count("/orders/{id}")
				s.deleteOrder(w, req, id)
				return
			}
		}
	case p[0] == "coupons" && len(p) == 1:
		req.collectionPath = "coupons"
		switch m {
		case http.MethodGet:
			count("/coupons")
			s.listCoupons(w, req)
			return
		case http.MethodPost:
			count("/coupons")
			s.createCoupon(w, req)
			return
		}
	case p[0] == "products":
		req.collectionPath = "products"
		if len(p) == 1 {
			switch m {
			case http.MethodGet:
				count("/products")
				s.listProducts(w, req)
				return
			case http.MethodPost:
				count("/products")
				s.createProduct(w, req, 0)
				return
			}
		} else if len(p) == 2 && p[1] == "batch" && (m == http.MethodPost || m == http.MethodPut) {
			count("/products/batch")
			s.batchProducts(w, req, 0)
			return
		} else if id, ok := isID(p[1]); ok {
			if len(p) == 2 {
				switch m {
				case http.MethodGet:
					count("/products/{id}")
					s.getProduct(w, req, id, 0)
					return
				case http.MethodPut, http.MethodPost:
					count("/products/{id}")
					s.updateProduct(w, req, id, 0)
					return
				case http.MethodDelete:
					count("/products/{id}")
					s.deleteProduct(w, req, id, 0)
					return
				}
			} else if p[2] == "variations" {
				req.collectionPath = "products/" + p[1] + "/variations"
				if len(p) == 3 {
					switch m {
					case http.MethodGet:
						count("/products/{id}/variations")
						s.listVariations(w, req, id)
						return
					case http.MethodPost:
						count("/products/{id}/variations")
						s.createProduct(w, req, id)
						return
					}
				} else if len(p) == 4 && p[3] == "batch" && (m == http.MethodPost || m == http.MethodPut) {
					count("/products/{id}/variations/batch")
					s.batchProducts(w, req, id)
					return
				} else if vid, ok := isID(p[3]); ok && len(p) == 4 {
					switch m {
					case http.MethodGet:
						count("/products/{id}/variations/{vid}")
						s.getProduct(w, req, vid, id)
						return
					case http.MethodPut, http.MethodPost:
						count("/products/{id}/variations/{vid}")
						s.updateProduct(w, req, vid, id)
						return
					case http.MethodDelete:
						count("/products/{id}/variations/{vid}")
						s.deleteProduct(w, req, vid, id)
						return
					}
				}
			}
		}
	case p[0] == "customers":
		req.collectionPath = "customers"
		if len(p) == 1 && m == http.MethodPost {
			count("/customers")
			s.createCustomer(w, req)
			return
		}
		if len(p) == 2 && m == http.MethodGet {
			if id, ok := isID(p[1]); ok {
				count("/customers/{id}")
				s.getCustomer(w, req, id)
				return
			}
		}
	case p[0] == "taxes":
		req.collectionPath = "taxes"
		if len(p) == 1 && m == http.MethodGet {
			count("/taxes")
			s.listTaxes(w, req)
			return
		}
		if len(p) == 2 && m == http.MethodGet {
			if id, ok := isID(p[1]); ok {
				count("/taxes/{id}")
				s.getTax(w, req, id)
				return
			}
		}
	}
	writeError(w, noRoute())
}

// permission refuses an unauthenticated request with the controller's code and message.
func permission(req *request, code, msg string) *wpError {
	if req.authed {
		return nil
	}
	return newErr(http.StatusUnauthorized, code, msg)
}

func cannotList(req *request) *wpError {
	return permission(req, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
}
func cannotView(req *request) *wpError {
	return permission(req, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
}
func cannotCreate(req *request) *wpError {
	return permission(req, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
}

// decodeCreate reads a create request's JSON body into dst and then checks the caller may
// create: a malformed body is reported before a missing right.
func decodeCreate(req *request, dst any) *wpError {
	if e := decodeBody(req.r, dst); e != nil {
		return e
	}
	return cannotCreate(req)
}
func cannotEdit(req *request) *wpError {
	return permission(req, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
}
func cannotDelete(req *request) *wpError {
	return permission(req, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")
}
func cannotBatch(req *request) *wpError {
	return permission(req, "woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource.")
}

func (s *Server) recordPerPage(n int) {
	s.mu.Lock()
	if n > s.stats.MaxPerPage {
		s.stats.MaxPerPage = n
	}
	s.mu.Unlock()
}

// handleRootIndex answers GET /wp-json/ (public).
func (s *Server) handleRootIndex(w http.ResponseWriter, req *request) {
	if req.method != http.MethodGet {
		writeError(w, noRoute())
		return
	}
	home := s.homeURL(req)
	writeJSON(w, http.StatusOK, orderedMap{
		{"name", "Koppel WooCommerce simulator"},
		{"description", "Just another WordPress site"},
		{"url", home},
		{"home", home},
		{"gmt_offset", gmtOffset(s.loc, s.now())},
		{"timezone_string", s.loc.String()},
		{"namespaces", []string{"oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc/store/v1", "wp/v2"}},
		{"authentication", []any{}},
		{"routes", orderedMap{}},
	})
}

func gmtOffset(loc *time.Location, t time.Time) string {
	_, off := t.In(loc).Zone()
	return strconv.FormatFloat(float64(off)/3600, 'f', -1, 64)
}

// routeList is the namespace index's routes, with their methods.
var routeList = []struct {
	path    string
	methods []string
}{
	{"/wc/v3", []string{"GET"}},
	{"/wc/v3/orders", []string{"GET", "POST"}},
	{"/wc/v3/orders/(?P<id>[\\d]+)", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}},
	{"/wc/v3/orders/batch", []string{"POST", "PUT", "PATCH"}},
	{"/wc/v3/orders/(?P<order_id>[\\d]+)/notes", []string{"GET", "POST"}},
	{"/wc/v3/orders/(?P<order_id>[\\d]+)/refunds", []string{"GET", "POST"}},
	{"/wc/v3/orders/(?P<order_id>[\\d]+)/refunds/(?P<id>[\\d]+)", []string{"GET"}},
	{"/wc/v3/coupons", []string{"GET", "POST"}},
	{"/wc/v3/products", []string{"GET", "POST"}},
	{"/wc/v3/products/(?P<id>[\\d]+)", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}},
	{"/wc/v3/products/batch", []string{"POST", "PUT", "PATCH"}},
	{"/wc/v3/products/(?P<product_id>[\\d]+)/variations", []string{"GET", "POST"}},
	{"/wc/v3/products/(?P<product_id>[\\d]+)/variations/(?P<id>[\\d]+)", []string{"GET", "POST", "PUT", "PATCH", "DELETE"}},
	{"/wc/v3/products/(?P<product_id>[\\d]+)/variations/batch", []string{"POST", "PUT", "PATCH"}},
	{"/wc/v3/customers", []string{"POST"}},
	{"/wc/v3/customers/(?P<id>[\\d]+)", []string{"GET"}},
	{"/wc/v3/taxes", []string{"GET"}},
	{"/wc/v3/taxes/(?P<id>[\\d]+)", []string{"GET"}},
	{"/wc/v3/settings", []string{"GET"}},
	{"/wc/v3/settings/(?P<group_id>[\\w-]+)", []string{"GET"}},
	{"/wc/v3/settings/(?P<group_id>[\\w-]+)/(?P<id>[\\w-]+)", []string{"GET"}},
	{"/wc/v3/system_status", []string{"GET"}},
}

// handleNamespaceIndex answers GET /wp-json/wc/v3 (public, as in WordPress).
func (s *Server) handleNamespaceIndex(w http.ResponseWriter, req *request) {
	home := s.homeURL(req)
	routes := orderedMap{}
	for _, rt := range routeList {
		endpoints := make([]any, 0, len(rt.methods))
		for _, m := range rt.methods {
			endpoints = append(endpoints, orderedMap{{"methods", []string{m}}, {"args", orderedMap{}}})
		}
		entry := orderedMap{{"namespace", "wc/v3"}, {"methods", rt.methods}, {"endpoints", endpoints}}
		if !strings.Contains(rt.path, "(?P") {
			entry = append(entry, kv{"_links", orderedMap{{"self", []any{orderedMap{{"href", home + "/wp-json" + rt.path}}}}}})
		}
		routes = append(routes, kv{rt.path, entry})
	}
	writeJSON(w, http.StatusOK, orderedMap{
		{"namespace", "wc/v3"},
		{"routes", routes},
		{"_links", orderedMap{{"up", []any{orderedMap{{"href", home + "/wp-json/"}}}}}},
	})
}

// handleSystemStatus answers GET /wp-json/wc/v3/system_status with the environment and settings
// sections a client reads the versions and currency from (the other sections are empty).
func (s *Server) handleSystemStatus(w http.ResponseWriter, req *request) {
	if e := cannotList(req); e != nil {
		writeError(w, e)
		return
	}
	home := s.homeURL(req)
	writeJSON(w, http.StatusOK, orderedMap{
		{"environment", orderedMap{
			{"home_url", home}, {"site_url", home}, {"store_id", "koppel-sim"},
			{"version", s.opts.Version}, {"wp_version", "6.8.8"}, {"wp_multisite", false},
			{"wp_debug_mode", false}, {"language", "nl_NL"}, {"external_object_cache", nil},
			{"server_info", "koppel-simulator"}, {"php_version", "8.3.0"},
			{"default_timezone", "UTC"}, {"secure_connection", req.tls},
		}},
		{"database", orderedMap{{"wc_database_version", s.opts.Version}}},
		{"active_plugins", []any{orderedMap{{"plugin", "woocommerce/woocommerce.php"}, {"name", "WooCommerce"}, {"version", s.opts.Version}}}},
		{"inactive_plugins", []any{}},
		{"dropins_mu_plugins", orderedMap{{"dropins", []any{}}, {"mu_plugins", []any{}}}},
		{"theme", orderedMap{{"name", "Storefront"}}},
		{"settings", orderedMap{
			{"api_enabled", true}, {"force_ssl", false}, {"currency", s.opts.Currency},
			{"currency_symbol", currencySymbol(s.opts.Currency)}, {"currency_position", "left"},
			{"thousand_separator", "."}, {"decimal_separator", ","}, {"number_of_decimals", 2},
			{"geolocation_enabled", false}, {"taxonomies", orderedMap{}}, {"product_visibility_terms", orderedMap{}},
			{"woocommerce_com_connected", "no"}, {"enforce_approved_download_dirs", true},
			{"order_datastore", "Automattic\\WooCommerce\\Internal\\DataStores\\Orders\\OrdersTableDataStore"},
			{"HPOS_enabled", true}, {"HPOS_sync_enabled", false},
		}},
		{"security", orderedMap{{"secure_connection", req.tls}, {"hide_errors", true}}},
		{"pages", []any{}},
		{"post_type_counts", []any{}},
	})
}

// sortedKeys returns the map's keys in ascending order.
func sortedKeys[M ~map[int64]V, V any](m M) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
