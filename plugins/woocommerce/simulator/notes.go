package simulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// orderNote is one note on an order (wc/v3 orders/{id}/notes).
type orderNote struct {
	ID           int64
	Author       string
	DateCreated  time.Time
	Note         string
	CustomerNote bool
	AddedByUser  bool
}

// noteInput is the body of POST /orders/{id}/notes.
type noteInput struct {
	Note         jString `json:"note"`
	CustomerNote jBool   `json:"customer_note"`
	AddedByUser  jBool   `json:"added_by_user"`
}

// serveOrderNotes answers /orders/{id}/notes: GET lists the order's notes (newest first),
// POST adds one. A note is a comment: it does not change the order's date_modified, so a
// listing by modification time does not see the order again (reference A.8b).
func (s *Server) serveOrderNotes(w http.ResponseWriter, req *request, id int64) {
	switch req.method {
	case http.MethodGet:
		if e := cannotView(req); e != nil {
			writeError(w, e)
			return
		}
	case http.MethodPost:
		if e := cannotCreate(req); e != nil {
			writeError(w, e)
			return
		}
	default:
		writeError(w, noRoute())
		return
	}
	var in noteInput
	if req.method == http.MethodPost {
		if e := decodeBody(req.r, &in); e != nil {
			writeError(w, e)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[id]; !ok {
		writeError(w, newErr(http.StatusNotFound, "woocommerce_rest_order_invalid_id", "Invalid order ID."))
		return
	}
	home := s.homeURL(req)
	if req.method == http.MethodGet {
		notes := s.notes[id]
		out := make([]any, 0, len(notes))
		for i := len(notes) - 1; i >= 0; i-- {
			out = append(out, s.renderNote(notes[i], id, home))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	if !in.Note.Set || strings.TrimSpace(in.Note.V) == "" {
		e := newErr(http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): note")
		e.Extra = []kv{{"params", []string{"note"}}}
		writeError(w, e)
		return
	}
	s.nextCommentID++
	n := orderNote{ID: s.nextCommentID, Author: "WooCommerce", DateCreated: s.now(), Note: in.Note.V,
		CustomerNote: in.CustomerNote.V, AddedByUser: in.AddedByUser.V}
	if n.AddedByUser {
		n.Author = "admin"
	}
	s.notes[id] = append(s.notes[id], n)
	writeJSON(w, http.StatusCreated, s.renderNote(n, id, home))
}

func (s *Server) renderNote(n orderNote, orderID int64, home string) orderedMap {
	api := home + "/wp-json/wc/v3"
	return orderedMap{
		{"id", n.ID}, {"author", n.Author},
		{"date_created", s.localDate(n.DateCreated)}, {"date_created_gmt", gmtDate(n.DateCreated)},
		{"note", n.Note}, {"customer_note", n.CustomerNote},
		{"_links", orderedMap{
			{"self", []any{orderedMap{{"href", fmt.Sprintf("%s/orders/%d/notes/%d", api, orderID, n.ID)}}}},
			{"collection", []any{orderedMap{{"href", fmt.Sprintf("%s/orders/%d/notes", api, orderID)}}}},
			{"up", []any{orderedMap{{"href", fmt.Sprintf("%s/orders/%d", api, orderID)}}}},
		}},
	}
}
