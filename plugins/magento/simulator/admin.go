package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func adminJSON(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// serveAdmin handles /_sim/ (see the package documentation).
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_sim/"), "/")
	q := r.URL.Query()
	switch {
	case path == "orders" && r.Method == http.MethodPost:
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 1 || n > 1_000_000 {
			adminError(w, http.StatusBadRequest, "n must be between 1 and 1000000")
			return
		}
		ids, err := s.GenerateOrders(n, q.Get("status"))
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, map[string][]int64{"ids": ids})
	case strings.HasPrefix(path, "orders/") && strings.HasSuffix(path, "/touch") && r.Method == http.MethodPost:
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "orders/"), "/touch"), 10, 64)
		if err != nil {
			adminError(w, http.StatusBadRequest, "bad order id")
			return
		}
		if err := s.TouchOrder(id, q.Get("status")); err != nil {
			adminError(w, http.StatusNotFound, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, map[string]bool{"ok": true})
	case path == "clock" && r.Method == http.MethodPost:
		d, err := time.ParseDuration(q.Get("advance"))
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, "advance must be a positive duration such as 90s")
			return
		}
		s.Advance(d)
		adminJSON(w, http.StatusOK, map[string]string{"now": fmtTime(s.Now())})
	case path == "faults" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, s.CurrentFaults())
	case path == "faults" && r.Method == http.MethodPost:
		body, err := readBody(r)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		var f Faults
		d := json.NewDecoder(bytes.NewReader(body))
		d.DisallowUnknownFields()
		if err := d.Decode(&f); err != nil {
			adminError(w, http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		if err := s.SetFaults(f); err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, f)
	case path == "stock" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, s.SourceItems())
	case path == "stats" && r.Method == http.MethodGet:
		adminJSON(w, http.StatusOK, s.Stats())
	case path == "seed" && r.Method == http.MethodPost:
		body, err := readBody(r)
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		np, no, err := s.LoadSeed(bytes.NewReader(body))
		if err != nil {
			adminError(w, http.StatusBadRequest, err.Error())
			return
		}
		adminJSON(w, http.StatusOK, map[string]int{"products": np, "orders": no})
	default:
		adminError(w, http.StatusNotFound, "no such admin endpoint")
	}
}
