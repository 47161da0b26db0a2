package simulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Admin endpoints (no token; not part of Onetoshop):
//
//	POST /_sim/reset                  empty the shop
//	GET  /_sim/dump                   the seed document: {"products":[...],"orders":[...]}
//	POST /_sim/seed                   add a seed document (same format as --seed and dump)
//	POST /_sim/orders?n=N             generate N orders → {"ids":[...]}
//	POST /_sim/orders/{id}/touch      move an order's updated_at forward (?status=shipped to change it)
//	GET  /_sim/faults                 the faults in force
//	POST /_sim/faults                 set faults: {"throttle_rate":1,"unavailable_rate":0,"error_rate":0,
//	                                  "drop_rate":0,"lost_response_rate":0,"latency_ms":0,
//	                                  "retry_after_seconds":1,"fail_next":{"status":503,"count":2}}
//	GET  /_sim/stats                  request counters

// faultsJSON is the /_sim/faults document.
type faultsJSON struct {
	Faults
	LatencyMS         int64 `json:"latency_ms"`
	RetryAfterSeconds int64 `json:"retry_after_seconds"`
	FailNext          *struct {
		Status int `json:"status"`
		Count  int `json:"count"`
	} `json:"fail_next,omitempty"`
}

func toFaultsJSON(f Faults) faultsJSON {
	return faultsJSON{Faults: f, LatencyMS: f.Latency.Milliseconds(), RetryAfterSeconds: int64(f.RetryAfter / time.Second)}
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_sim/"), "/")
	fail := func(status int, msg string) { writeJSON(w, status, map[string]string{"error": msg}) }
	switch {
	case path == "reset" && r.Method == http.MethodPost:
		s.Reset()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case path == "dump" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Dump())
	case path == "seed" && r.Method == http.MethodPost:
		np, no, err := s.LoadSeed(io.LimitReader(r.Body, 64<<20))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error(), "products": np, "orders": no})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"products": np, "orders": no})
	case path == "orders" && r.Method == http.MethodPost:
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 || n > 100000 {
			fail(http.StatusBadRequest, "n must be between 1 and 100000")
			return
		}
		orders, err := s.GenerateOrders(n)
		if err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		ids := make([]int64, len(orders))
		for i, o := range orders {
			ids[i] = o.ID
		}
		writeJSON(w, http.StatusOK, map[string][]int64{"ids": ids})
	case strings.HasPrefix(path, "orders/") && strings.HasSuffix(path, "/touch") && r.Method == http.MethodPost:
		id, ok := parseID(strings.TrimSuffix(strings.TrimPrefix(path, "orders/"), "/touch"))
		if !ok {
			fail(http.StatusBadRequest, "bad order id")
			return
		}
		o, err := s.TouchOrder(id, r.URL.Query().Get("status"))
		if err != nil {
			fail(http.StatusNotFound, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": o.ID, "status": o.Status, "updated_at": o.UpdatedAt})
	case strings.HasPrefix(path, "orders/") && strings.HasSuffix(path, "/refunds") && r.Method == http.MethodPost:
		id, ok := parseID(strings.TrimSuffix(strings.TrimPrefix(path, "orders/"), "/refunds"))
		if !ok {
			fail(http.StatusBadRequest, "bad order id")
			return
		}
		var in Refund
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			fail(http.StatusBadRequest, "refund: "+err.Error())
			return
		}
		ref, err := s.Refund(id, in)
		if err != nil {
			fail(http.StatusUnprocessableEntity, err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, ref)
	case path == "faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, toFaultsJSON(s.CurrentFaults()))
	case path == "faults" && r.Method == http.MethodPost:
		var fj faultsJSON
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&fj); err != nil {
			fail(http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		f := fj.Faults
		f.Latency = time.Duration(fj.LatencyMS) * time.Millisecond
		f.RetryAfter = time.Duration(fj.RetryAfterSeconds) * time.Second
		if err := s.SetFaults(f); err != nil {
			fail(http.StatusBadRequest, err.Error())
			return
		}
		if fj.FailNext != nil && fj.FailNext.Count > 0 {
			s.FailNext(fj.FailNext.Status, fj.FailNext.Count)
		}
		writeJSON(w, http.StatusOK, toFaultsJSON(f))
	case path == "stats" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Stats())
	default:
		fail(http.StatusNotFound, "no such admin endpoint")
	}
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByEndpoint = make(map[string]int64, len(s.stats.ByEndpoint))
	for k, v := range s.stats.ByEndpoint {
		st.ByEndpoint[k] = v
	}
	return st
}

// Dump returns every product and order as a seed document.
func (s *Server) Dump() Seed {
	return Seed{Products: s.Products(), Orders: s.Orders()}
}

// LoadSeed adds the products and orders of a seed document (JSON; unknown fields refused) and
// returns how many of each it added. Derived amounts an order leaves out are filled in.
func (s *Server) LoadSeed(r io.Reader) (int, int, error) {
	var seed Seed
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seed); err != nil {
		return 0, 0, fmt.Errorf("seed: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	np, no := 0, 0
	for _, p := range seed.Products {
		if _, err := s.addProductLocked(p); err != nil {
			return np, no, fmt.Errorf("seed: %w", err)
		}
		np++
	}
	if np > 0 {
		s.catalogue = true
	}
	for _, o := range seed.Orders {
		if _, err := s.addOrderLocked(o); err != nil {
			return np, no, fmt.Errorf("seed: %w", err)
		}
		no++
	}
	return np, no, nil
}
