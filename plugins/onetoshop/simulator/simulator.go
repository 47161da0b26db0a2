package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Amsterdam everywhere
)

// Defaults of Options.
const (
	DefaultAddr       = "127.0.0.1:8704"
	DefaultToken      = "onetoshop-demo-token-0123456789abcdefghijklmnop"
	DefaultBasePath   = "/api/v1"
	DefaultAuthHeader = "Authorization"
	DefaultShopName   = "Tuincentrum De Linde (simulator)"
	// DefaultLimit is the page size when a request gives none; MaxLimit the largest allowed.
	DefaultLimit = 25
	MaxLimit     = 100
	// APIVersion is what GET /shop reports.
	APIVersion = "1 (simulated, UNVERIFIED)"
)

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// Options configures a simulated shop. The zero value serves the documented defaults.
type Options struct {
	// Token is the API token the shop accepts; default DefaultToken.
	Token string
	// BasePath is where the API lives; default /api/v1.
	BasePath string
	// AuthHeader carries the token: "Authorization" means "Bearer <token>", any other header
	// the bare token; default Authorization.
	AuthHeader string
	// ShopName is what GET /shop reports.
	ShopName string
	// RedirectTo, when set, answers every request with 301 to this base URL plus the request
	// path (a shop whose web address moved).
	RedirectTo string
	// RatePerMinute, when above 0, answers 429 with Retry-After to requests beyond it in any
	// 60 s window.
	RatePerMinute int
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// RandSeed seeds the generator and random faults; default 1.
	RandSeed uint64
	// Faults are the injected failures from the start.
	Faults Faults
}

// Stats are the simulator's request counters.
type Stats struct {
	Requests       int64            `json:"requests"`
	ByEndpoint     map[string]int64 `json:"by_endpoint"`
	Unauthorized   int64            `json:"unauthorized"`
	Rejected       int64            `json:"rejected"`
	FaultsInjected int64            `json:"faults_injected"`
	StockWrites    int64            `json:"stock_writes"`
}

// Server is a simulated Onetoshop shop. It is safe for concurrent use.
type Server struct {
	opts Options

	mu        sync.Mutex
	orders    map[int64]*Order
	products  map[int64]*Product
	nextOrder int64
	nextProd  int64
	nextLine  int64
	// nextRefund numbers refunds (ids 90001, ...).
	nextRefund int64
	rnd        *rand.Rand
	faults     Faults
	failNext   []int
	window     []time.Time // request times of the last minute, for RatePerMinute
	stats      Stats
	catalogue  bool
}

// New returns an empty simulated shop.
func New(o Options) (*Server, error) {
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.BasePath == "" {
		o.BasePath = DefaultBasePath
	}
	if !strings.HasPrefix(o.BasePath, "/") {
		o.BasePath = "/" + o.BasePath
	}
	o.BasePath = strings.TrimSuffix(o.BasePath, "/")
	if o.AuthHeader == "" {
		o.AuthHeader = DefaultAuthHeader
	}
	if o.ShopName == "" {
		o.ShopName = DefaultShopName
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.RandSeed == 0 {
		o.RandSeed = 1
	}
	if o.RatePerMinute < 0 {
		return nil, errors.New("simulator: RatePerMinute must not be negative")
	}
	if err := o.Faults.validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: o, faults: o.Faults}
	s.resetLocked()
	return s, nil
}

// Token returns the token the shop accepts.
func (s *Server) Token() string { return s.opts.Token }

// BasePath returns the API's path.
func (s *Server) BasePath() string { return s.opts.BasePath }

// Reset empties the shop (orders, products, counters, faults stay as set).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

func (s *Server) resetLocked() {
	s.orders = map[int64]*Order{}
	s.products = map[int64]*Product{}
	s.nextOrder, s.nextProd, s.nextLine = 1001, 101, 1
	s.rnd = rand.New(rand.NewPCG(s.opts.RandSeed, 0x0e705b0f))
	s.stats = Stats{ByEndpoint: map[string]int64{}}
	s.catalogue = false
}

// now is the clock's time, whole seconds.
func (s *Server) now() time.Time { return s.opts.Clock().Truncate(time.Second) }

// Handler returns the HTTP handler: the API under BasePath, admin under /_sim/, and a small
// HTML shop front elsewhere.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil { // a simulator bug must not kill the test process
				writeError(w, http.StatusInternalServerError, "internal", fmt.Sprint("simulator panic: ", v))
			}
		}()
		if strings.HasPrefix(r.URL.Path, "/_sim/") {
			s.serveAdmin(w, r)
			return
		}
		if s.opts.RedirectTo != "" {
			http.Redirect(w, r, strings.TrimSuffix(s.opts.RedirectTo, "/")+r.URL.RequestURI(), http.StatusMovedPermanently)
			return
		}
		if r.URL.Path != s.opts.BasePath && !strings.HasPrefix(r.URL.Path, s.opts.BasePath+"/") {
			s.serveFront(w, r)
			return
		}
		s.serveAPI(w, r)
	})
}

// serveFront is the shop's web front: HTML, as a wrong base_path would find.
func (s *Server) serveFront(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Path != "/" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, "<!doctype html><title>Pagina niet gevonden</title><h1>Pagina niet gevonden</h1>")
		return
	}
	_, _ = fmt.Fprintf(w, "<!doctype html><title>%s</title><h1>%s</h1><p>Powered by Onetoshop (simulator)</p>", s.opts.ShopName, s.opts.ShopName)
}

// apiError is the documented error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encode"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

// authorized checks the token in the configured header.
func (s *Server) authorized(r *http.Request) (bool, string) {
	v := r.Header.Get(s.opts.AuthHeader)
	if v == "" {
		return false, "missing token: send it in the " + s.opts.AuthHeader + " header"
	}
	if strings.EqualFold(s.opts.AuthHeader, "Authorization") {
		tok, ok := strings.CutPrefix(v, "Bearer ")
		if !ok {
			return false, "the Authorization header must be \"Bearer <token>\""
		}
		v = tok
	}
	if v != s.opts.Token {
		return false, "invalid token"
	}
	return true, ""
}

// serveAPI routes an API request after faults, rate limit and authentication.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Requests++
	s.stats.ByEndpoint[r.Method+" "+routeName(apiParts(r.URL.Path, s.opts.BasePath))]++
	s.mu.Unlock()
	if s.injectFault(w, r) {
		return
	}
	s.serveAPIWithoutFaults(w, r)
}

func apiParts(path, base string) []string {
	path = strings.TrimSuffix(strings.TrimPrefix(path, base), "/")
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

// serveAPIWithoutFaults applies the rate limit and the token check and routes the request.
func (s *Server) serveAPIWithoutFaults(w http.ResponseWriter, r *http.Request) {
	parts := apiParts(r.URL.Path, s.opts.BasePath)
	if wait, limited := s.rateLimited(); limited {
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many requests; try again later")
		return
	}
	if ok, msg := s.authorized(r); !ok {
		s.count(func(st *Stats) { st.Unauthorized++ })
		writeError(w, http.StatusUnauthorized, "unauthorized", msg)
		return
	}
	switch {
	case len(parts) == 1 && parts[0] == "shop":
		s.onlyGET(w, r, nil, s.getShop)
	case len(parts) == 1 && parts[0] == "orders":
		s.onlyGET(w, r, []string{"updated_since", "status", "page", "limit", "sort"}, s.listOrders)
	case len(parts) == 2 && parts[0] == "orders":
		s.onlyGET(w, r, nil, func(w http.ResponseWriter, r *http.Request) { s.getOrder(w, parts[1]) })
	case len(parts) == 1 && parts[0] == "products":
		s.onlyGET(w, r, []string{"updated_since", "sku", "page", "limit", "sort"}, s.listProducts)
	case len(parts) == 2 && parts[0] == "products":
		s.onlyGET(w, r, nil, func(w http.ResponseWriter, r *http.Request) { s.getProduct(w, parts[1]) })
	case len(parts) == 3 && parts[0] == "products" && parts[2] == "stock":
		if r.Method != http.MethodPut {
			w.Header().Set("Allow", "PUT")
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use PUT")
			return
		}
		s.putStock(w, r, parts[1])
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	}
}

func routeName(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if _, err := strconv.ParseInt(p, 10, 64); err == nil {
			p = "{id}"
		}
		out[i] = p
	}
	return "/" + strings.Join(out, "/")
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.stats)
	s.mu.Unlock()
}

// onlyGET allows GET (and HEAD) with the listed query parameters only.
func (s *Server) onlyGET(w http.ResponseWriter, r *http.Request, params []string, h http.HandlerFunc) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use GET")
		return
	}
	for name, vals := range r.URL.Query() {
		ok := false
		for _, p := range params {
			ok = ok || p == name
		}
		if !ok {
			s.reject(w, http.StatusBadRequest, "invalid_parameter", "unknown query parameter "+strconv.Quote(name))
			return
		}
		if len(vals) > 1 {
			s.reject(w, http.StatusBadRequest, "invalid_parameter", "query parameter "+strconv.Quote(name)+" given more than once")
			return
		}
	}
	h(w, r)
}

func (s *Server) reject(w http.ResponseWriter, status int, code, msg string) {
	s.count(func(st *Stats) { st.Rejected++ })
	writeError(w, status, code, msg)
}

func (s *Server) getShop(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"data": ShopInfo{
		Name: s.opts.ShopName, URL: "http://" + r.Host, Platform: "Onetoshop", APIVersion: APIVersion,
		Currency: "EUR", PricesIncludeVAT: true, TimeZone: "Europe/Amsterdam"}})
}

// listQuery is a parsed list request.
type listQuery struct {
	since    time.Time
	hasSince bool
	page     int
	limit    int
}

// parseList reads updated_since, page, limit and sort; false means an error was written.
func (s *Server) parseList(w http.ResponseWriter, r *http.Request) (listQuery, bool) {
	q := r.URL.Query()
	lq := listQuery{page: 1, limit: DefaultLimit}
	if v := q.Get("updated_since"); q.Has("updated_since") {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.reject(w, http.StatusUnprocessableEntity, "invalid_parameter", "updated_since must be an RFC 3339 time with offset, e.g. 2026-11-24T10:00:00+01:00")
			return lq, false
		}
		lq.since, lq.hasSince = t.Truncate(time.Second), true
	}
	for name, dst := range map[string]*int{"page": &lq.page, "limit": &lq.limit} {
		if !q.Has(name) {
			continue
		}
		n, err := strconv.Atoi(q.Get(name))
		if err != nil || n < 1 {
			s.reject(w, http.StatusUnprocessableEntity, "invalid_parameter", name+" must be a whole number of 1 or more")
			return lq, false
		}
		*dst = n
	}
	if lq.limit > MaxLimit {
		s.reject(w, http.StatusUnprocessableEntity, "invalid_parameter", fmt.Sprintf("limit must not exceed %d", MaxLimit))
		return lq, false
	}
	if q.Has("sort") && q.Get("sort") != "updated_at" {
		s.reject(w, http.StatusUnprocessableEntity, "invalid_parameter", "sort must be updated_at")
		return lq, false
	}
	return lq, true
}

// meta is a list answer's paging block.
type meta struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"`
	Pages int `json:"pages"`
}

func pageOf[T any](all []T, lq listQuery) ([]T, meta) {
	m := meta{Page: lq.page, Limit: lq.limit, Total: len(all), Pages: (len(all) + lq.limit - 1) / lq.limit}
	if lq.page-1 >= (len(all)+lq.limit-1)/lq.limit { // also keeps page × limit from overflowing
		return []T{}, m
	}
	start := (lq.page - 1) * lq.limit
	if start >= len(all) {
		return []T{}, m
	}
	end := min(start+lq.limit, len(all))
	return all[start:end], m
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseList(w, r)
	if !ok {
		return
	}
	var statuses map[string]bool
	if v := r.URL.Query().Get("status"); r.URL.Query().Has("status") {
		statuses = map[string]bool{}
		for _, st := range strings.Split(v, ",") {
			if !knownStatus(st) {
				s.reject(w, http.StatusUnprocessableEntity, "invalid_parameter", fmt.Sprintf("unknown status %q; known: %s", st, strings.Join(Statuses, ", ")))
				return
			}
			statuses[st] = true
		}
	}
	s.mu.Lock()
	all := make([]Order, 0, len(s.orders))
	for _, o := range s.orders {
		if lq.hasSince && o.UpdatedAt.Before(lq.since) {
			continue
		}
		if statuses != nil && !statuses[o.Status] {
			continue
		}
		all = append(all, *o)
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if !all[i].UpdatedAt.Equal(all[j].UpdatedAt.Time) {
			return all[i].UpdatedAt.Before(all[j].UpdatedAt.Time)
		}
		return all[i].ID < all[j].ID
	})
	data, m := pageOf(all, lq)
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": m})
}

func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

func (s *Server) getOrder(w http.ResponseWriter, idText string) {
	id, ok := parseID(idText)
	s.mu.Lock()
	o, found := s.orders[id]
	var cp Order
	if found {
		cp = *o
	}
	s.mu.Unlock()
	if !ok || !found {
		writeError(w, http.StatusNotFound, "not_found", "order "+idText+" not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": cp})
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	lq, ok := s.parseList(w, r)
	if !ok {
		return
	}
	sku, bySKU := r.URL.Query().Get("sku"), r.URL.Query().Has("sku")
	s.mu.Lock()
	all := make([]Product, 0, len(s.products))
	for _, p := range s.products {
		if lq.hasSince && p.UpdatedAt.Before(lq.since) {
			continue
		}
		if bySKU && p.SKU != sku {
			continue
		}
		cp := *p
		if p.Stock != nil {
			v := *p.Stock
			cp.Stock = &v
		}
		all = append(all, cp)
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if !all[i].UpdatedAt.Equal(all[j].UpdatedAt.Time) {
			return all[i].UpdatedAt.Before(all[j].UpdatedAt.Time)
		}
		return all[i].ID < all[j].ID
	})
	data, m := pageOf(all, lq)
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": m})
}

func (s *Server) getProduct(w http.ResponseWriter, idText string) {
	id, ok := parseID(idText)
	p, found := s.Product(id)
	if !ok || !found {
		writeError(w, http.StatusNotFound, "not_found", "product "+idText+" not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": p})
}

// putStock is PUT /products/{id}/stock {"stock": n}.
func (s *Server) putStock(w http.ResponseWriter, r *http.Request, idText string) {
	if len(r.URL.Query()) > 0 {
		s.reject(w, http.StatusBadRequest, "invalid_parameter", "PUT /products/{id}/stock takes no query parameters")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		s.reject(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
		return
	}
	id, ok := parseID(idText)
	body, err := readLimited(r, 1<<16)
	if err != nil {
		s.reject(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
		return
	}
	var in struct {
		Stock *json.Number `json:"stock"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil || dec.More() {
		s.reject(w, http.StatusUnprocessableEntity, "invalid_body", "body must be {\"stock\": <whole number>} and nothing else")
		return
	}
	if in.Stock == nil {
		s.reject(w, http.StatusUnprocessableEntity, "invalid_body", "stock is required")
		return
	}
	n, err := strconv.ParseInt(in.Stock.String(), 10, 64)
	if err != nil || n < 0 || n > 1_000_000_000 {
		s.reject(w, http.StatusUnprocessableEntity, "invalid_stock", "stock must be a whole number from 0 to 1000000000")
		return
	}
	s.mu.Lock()
	p, found := s.products[id]
	if !ok || !found {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "not_found", "product "+idText+" not found")
		return
	}
	if !p.ManageStock {
		s.mu.Unlock()
		s.reject(w, http.StatusUnprocessableEntity, "stock_not_managed", "the shop does not keep stock for product "+idText)
		return
	}
	p.Stock = &n
	p.UpdatedAt = Time{s.laterThan(p.UpdatedAt.Time)}
	s.stats.StockWrites++
	cp := *p
	v := n
	cp.Stock = &v
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": cp})
}

// laterThan returns the clock's now, or one second after t when the clock has not passed t,
// so a change always moves updated_at strictly forward.
func (s *Server) laterThan(t time.Time) time.Time {
	n := s.now()
	if !n.After(t) {
		n = t.Add(time.Second)
	}
	return n
}

// rateLimited records a request and reports whether it exceeds RatePerMinute.
func (s *Server) rateLimited() (time.Duration, bool) {
	if s.opts.RatePerMinute <= 0 {
		return 0, false
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	cut := 0
	for cut < len(s.window) && now.Sub(s.window[cut]) >= time.Minute {
		cut++
	}
	s.window = s.window[cut:]
	if len(s.window) >= s.opts.RatePerMinute {
		return time.Minute - now.Sub(s.window[0]), true
	}
	s.window = append(s.window, now)
	return 0, false
}

// Orders returns a copy of every order, by id.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Order returns a copy of one order.
func (s *Server) Order(id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return *o, true
}

// Products returns a copy of every product and variant, by id.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Product, 0, len(s.products))
	for _, p := range s.products {
		cp := *p
		if p.Stock != nil {
			v := *p.Stock
			cp.Stock = &v
		}
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Product returns a copy of one product.
func (s *Server) Product(id int64) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return Product{}, false
	}
	cp := *p
	if p.Stock != nil {
		v := *p.Stock
		cp.Stock = &v
	}
	return cp, true
}

// AddOrder stores o: id 0 gets the next id, a zero number the id, zero times the clock's now;
// derived amounts are filled in (complete). It fails when the id is taken or the status is
// unknown.
func (s *Server) AddOrder(o Order) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addOrderLocked(o)
}

func (s *Server) addOrderLocked(o Order) (Order, error) {
	if o.Status == "" {
		o.Status = "paid"
	}
	if !knownStatus(o.Status) {
		return o, fmt.Errorf("order %d: unknown status %q", o.ID, o.Status)
	}
	if o.ID == 0 {
		o.ID = s.nextOrder
	}
	if _, dup := s.orders[o.ID]; dup {
		return o, fmt.Errorf("order %d exists", o.ID)
	}
	if o.ID >= s.nextOrder {
		s.nextOrder = o.ID + 1
	}
	if o.Number == "" {
		o.Number = strconv.FormatInt(o.ID, 10)
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = Time{s.now()}
	}
	if o.UpdatedAt.IsZero() || o.UpdatedAt.Before(o.CreatedAt.Time) {
		o.UpdatedAt = o.CreatedAt
	}
	o.CreatedAt, o.UpdatedAt = Time{o.CreatedAt.Truncate(time.Second)}, Time{o.UpdatedAt.Truncate(time.Second)}
	for i := range o.Lines {
		if o.Lines[i].ID == 0 {
			o.Lines[i].ID = s.nextLine
			s.nextLine++
		} else if o.Lines[i].ID >= s.nextLine {
			s.nextLine = o.Lines[i].ID + 1
		}
	}
	complete(&o)
	cp := o
	s.orders[o.ID] = &cp
	return o, nil
}

// AddProduct stores p (id 0 gets the next id, zero updated_at the clock's now).
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addProductLocked(p)
}

func (s *Server) addProductLocked(p Product) (Product, error) {
	if p.ID == 0 {
		p.ID = s.nextProd
	}
	if _, dup := s.products[p.ID]; dup {
		return p, fmt.Errorf("product %d exists", p.ID)
	}
	if p.ID >= s.nextProd {
		s.nextProd = p.ID + 1
	}
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = Time{s.now()}
	}
	p.UpdatedAt = Time{p.UpdatedAt.Truncate(time.Second)}
	if p.Stock != nil {
		v := *p.Stock
		p.Stock = &v
	}
	cp := p
	s.products[p.ID] = &cp
	return p, nil
}

// TouchOrder marks an order changed: updated_at moves strictly forward (to the clock's now, or
// one second past the old value), and the status changes when status is not empty.
func (s *Server) TouchOrder(id int64, status string) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, fmt.Errorf("order %d not found", id)
	}
	if status != "" {
		if !knownStatus(status) {
			return Order{}, fmt.Errorf("unknown status %q", status)
		}
		o.Status = status
		if status == "paid" && !o.Paid {
			o.Paid, o.PaidAt = true, Time{s.now()}
		}
	}
	o.UpdatedAt = Time{s.laterThan(o.UpdatedAt.Time)}
	return *o, nil
}
