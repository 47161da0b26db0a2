package woocommerce

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOrder is an order of the fake store.
type fakeOrder struct {
	id     int64
	mod    time.Time
	status string
}

// fakeStore is a small WooCommerce /orders endpoint that behaves as reference A.8b describes:
// modified_after exclusive at second resolution, orderby=modified asc with ties in descending
// id order, X-WP-TotalPages on every page (0 past the end), OAuth 1.0a checked on every
// request with nonces that must not repeat.
type fakeStore struct {
	t      testing.TB
	mu     sync.Mutex
	orders map[int64]*fakeOrder
	nonces map[string]bool
	// beforePage, when set, runs (locked) before a page is served, with the count of order
	// pages served so far; it may change orders.
	beforePage func(served int)
	served     int
	queries    []url.Values
	authErrors int
}

func newFakeStore(t testing.TB) *fakeStore {
	return &fakeStore{t: t, orders: map[int64]*fakeOrder{}, nonces: map[string]bool{}}
}

func (f *fakeStore) add(id int64, mod time.Time, status string) {
	f.orders[id] = &fakeOrder{id: id, mod: mod.UTC().Truncate(time.Second), status: status}
}

func (f *fakeStore) start() *httptest.Server {
	srv := httptest.NewServer(f)
	f.t.Cleanup(srv.Close)
	return srv
}

func (f *fakeStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	want, _ := oauthSignature(r.Method, &u, q, "cs_demo", q.Get("oauth_signature_method"))
	nonce := q.Get("oauth_nonce")
	if q.Get("oauth_consumer_key") != "ck_demo" || want != q.Get("oauth_signature") || nonce == "" || f.nonces[nonce] {
		f.authErrors++
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"woocommerce_rest_authentication_error","message":"Invalid signature - provided signature does not match.","data":{"status":401}}`))
		return
	}
	f.nonces[nonce] = true
	if r.URL.Path != "/wp-json/wc/v3/orders" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}`))
		return
	}
	if f.beforePage != nil {
		f.beforePage(f.served)
	}
	f.served++
	f.queries = append(f.queries, q)
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	page, _ := strconv.Atoi(q.Get("page"))
	if perPage < 1 || perPage > 100 || page < 1 {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400,"params":{"per_page":"per_page must be between 1 (inclusive) and 100 (inclusive)"}}}`))
		return
	}
	var after int64 = -1
	if v := q.Get("modified_after"); v != "" {
		if q.Get("dates_are_gmt") != "true" {
			f.t.Errorf("modified_after without dates_are_gmt=true")
		}
		at, err := time.Parse("2006-01-02T15:04:05", v)
		if err != nil {
			f.t.Errorf("modified_after %q: %v", v, err)
		}
		after = at.Unix()
	}
	statuses := map[string]bool{}
	for _, s := range strings.Split(q.Get("status"), ",") {
		statuses[s] = true
	}
	include := map[int64]bool{}
	if v := q.Get("include"); v != "" {
		for _, s := range strings.Split(v, ",") {
			n, _ := strconv.ParseInt(s, 10, 64)
			include[n] = true
		}
	}
	var list []*fakeOrder
	for _, o := range f.orders {
		if after >= 0 && o.mod.Unix() <= after {
			continue
		}
		if !statuses["any"] && !statuses[o.status] {
			continue
		}
		if len(include) > 0 && !include[o.id] {
			continue
		}
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool {
		if q.Get("orderby") == "modified" && !list[i].mod.Equal(list[j].mod) {
			return list[i].mod.Before(list[j].mod)
		}
		if q.Get("orderby") == "modified" {
			return list[i].id > list[j].id // A.8b: ties in descending id order
		}
		return list[i].id < list[j].id
	})
	total := len(list)
	pages := (total + perPage - 1) / perPage
	lo := min((page-1)*perPage, total)
	hi := min(lo+perPage, total)
	if lo >= total {
		total, pages = 0, 0 // A.8b: a page past the end reports zero totals
	}
	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	out := make([]json.RawMessage, 0, hi-lo)
	for _, o := range list[lo:hi] {
		out = append(out, json.RawMessage(fmt.Sprintf(
			`{"id":%d,"number":"%d","status":%q,"currency":"EUR","date_created_gmt":"2026-01-01T00:00:00","date_modified_gmt":%q,"total":"12.10","total_tax":"2.10","customer_id":0,"billing":{"email":"a@b.nl"},"line_items":[{"id":%d,"name":"A","quantity":1,"subtotal":"10.00","subtotal_tax":"2.10","total":"10.00","total_tax":"2.10","taxes":[{"id":1,"total":"2.10"}],"sku":"A1","price":10}],"tax_lines":[{"rate_id":1,"rate_percent":21}]}`,
			o.id, o.id, o.status, formatWCTime(o.mod), o.id*10)))
	}
	_ = json.NewEncoder(w).Encode(out)
}
