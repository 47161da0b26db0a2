package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Admin endpoints (no authentication; not part of WooCommerce):
//
//	GET  /_sim/                       this list
//	POST /_sim/reset                  empty the store
//	GET  /_sim/dump                   {"products":[...],"orders":[...]} as the API renders them
//	POST /_sim/seed                   load a seed document (same format as --seed and dump)
//	POST /_sim/orders?n=N             generate N realistic orders → {"ids":[...]}
//	POST /_sim/orders/{id}/touch      mark an order changed now (?status=completed to change it)
//	GET  /_sim/faults                 the faults in force
//	POST /_sim/faults                 set faults: {"error_rate":0.1,"latency_ms":200,
//	                                  "too_many_rate":0,"unavailable_rate":0,"retry_after_seconds":2,
//	                                  "drop_rate":0,"lost_response_rate":0,
//	                                  "fail_next":{"status":503,"count":2}}
//	GET  /_sim/stats                  request counters

// FaultsJSON is the /_sim/faults document.
type FaultsJSON struct {
	ErrorRate         float64 `json:"error_rate"`
	TooManyRate       float64 `json:"too_many_rate"`
	UnavailableRate   float64 `json:"unavailable_rate"`
	DropRate          float64 `json:"drop_rate"`
	LostResponseRate  float64 `json:"lost_response_rate"`
	LatencyMS         int64   `json:"latency_ms"`
	RetryAfterSeconds int64   `json:"retry_after_seconds"`
	FailNext          *struct {
		Status int `json:"status"`
		Count  int `json:"count"`
	} `json:"fail_next,omitempty"`
}

func faultsToJSON(f Faults) FaultsJSON {
	return FaultsJSON{ErrorRate: f.ErrorRate, TooManyRate: f.TooManyRate, UnavailableRate: f.UnavailableRate,
		DropRate: f.DropRate, LostResponseRate: f.LostResponseRate, LatencyMS: f.Latency.Milliseconds(),
		RetryAfterSeconds: int64(f.RetryAfter / time.Second)}
}

func adminJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"encode"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	adminJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) adminHome(r *http.Request) string {
	scheme := "http"
	if s.isTLS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_sim/"), "/")
	switch {
	case path == "" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(adminIndex))
	case path == "reset" && r.Method == http.MethodPost:
		s.Reset()
		adminJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case path == "dump" && r.Method == http.MethodGet:
		b, err := s.Dump(s.adminHome(r))
		if err != nil {
			adminError(w, http.StatusInternalServerError, "dump failed")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(b)
	case path == "seed" && r.Method == http.MethodPost:
		body, err := readBody(r)
		if err != nil {
			adminError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		}
		np, no, err := s.LoadSeed(bytes.NewReader(body))
		if err != nil {
			adminJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error(), "products": np, "orders": no})
			return
		}
		adminJSON(w, http.StatusOK, map[string]int{"products": np, "orders": no})
	case path == "orders" && r.Method == http.MethodPost:
		n, ok := parseInt(r.URL.Query().Get("n"))
		if !ok || n < 1 || n > 100000 {
			adminError(w, http.StatusBadRequest, "n must be between 1 and 100000")
			return
		}
		orders, err := s.GenerateOrders(int(n))
		if err != nil {
			adminError(w, http.StatusInternalServerError, err.Error())
			return
		}
		ids := make([]int64, len(orders))
		for i, o := range orders {
			ids[i] = o.ID
		}
		adminJSON(w, http.StatusOK, map[string][]int64{"ids": ids})
	case strings.HasPrefix(path, "orders/") && strings.HasSuffix(path, "/touch") && r.Method == http.MethodPost:
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "orders/"), "/touch"), 10, 64)
		if err != nil {
			adminError(w, http.StatusBadRequest, "bad order id")
			return
		}
		o, err := s.TouchOrder(id, r.URL.Query().Get("status"))
		if err != nil {
			adminError(w, http.StatusNotFound, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, map[string]any{"id": o.ID, "status": o.Status, "date_modified_gmt": gmtDate(o.DateModified)})
	case path == "faults" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, faultsToJSON(s.CurrentFaults()))
	case path == "faults" && r.Method == http.MethodPost:
		body, err := readBody(r)
		if err != nil {
			adminError(w, http.StatusRequestEntityTooLarge, err.Error())
			return
		}
		var fj FaultsJSON
		if err := json.Unmarshal(body, &fj); err != nil {
			adminError(w, http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		f := Faults{ErrorRate: fj.ErrorRate, TooManyRate: fj.TooManyRate, UnavailableRate: fj.UnavailableRate,
			DropRate: fj.DropRate, LostResponseRate: fj.LostResponseRate,
			Latency: time.Duration(fj.LatencyMS) * time.Millisecond, RetryAfter: time.Duration(fj.RetryAfterSeconds) * time.Second}
		if err := s.SetFaults(f); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		if fj.FailNext != nil && fj.FailNext.Count > 0 {
			s.FailNext(fj.FailNext.Status, fj.FailNext.Count)
		}
		adminJSON(w, http.StatusOK, faultsToJSON(f))
	case path == "stats" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, s.Stats())
	default:
		adminError(w, http.StatusNotFound, "no such admin endpoint")
	}
}

// adminIndex is the answer of GET /_sim/: the simulator's own endpoints, with examples.
const adminIndex = `WooCommerce simulator: admin endpoints (no authentication; not part of WooCommerce)

GET  /_sim/                    this list
GET  /_sim/dump                every product, order and coupon as the REST API renders them
POST /_sim/seed                add products, orders and coupons (the --seed format), e.g.
                               curl -X POST localhost:8702/_sim/seed -d '{"products":[{"name":"Mok","sku":"MOK-02","type":"simple","regular_price":"9.00"}]}'
                               curl -X POST localhost:8702/_sim/seed -d '{"orders":[{"status":"processing","currency":"EUR","billing":{"first_name":"An","last_name":"Jansen","email":"an@example.nl","country":"NL"},"line_items":[{"sku":"MOK-02","quantity":2}]}]}'
POST /_sim/orders?n=N          generate N realistic orders
POST /_sim/orders/{id}/touch   mark an order changed now (?status=completed also changes its status)
POST /_sim/reset               empty the store
GET  /_sim/faults              the faults in force
POST /_sim/faults              {"error_rate":0.1,"latency_ms":200,"too_many_rate":0,"unavailable_rate":0,
                               "retry_after_seconds":2,"drop_rate":0,"lost_response_rate":0,
                               "fail_next":{"status":503,"count":2}}
GET  /_sim/stats               request counters

The REST API itself is under /wp-json/wc/v3/ (OAuth 1.0a over http, Basic auth over https).
`
