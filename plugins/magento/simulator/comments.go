package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
)

// ACLOrderComment guards adding comments to orders (Magento_Sales ACL).
const ACLOrderComment = "Magento_Sales::comment"

// commentSearchResult is sales-data-order-status-history-search-result-interface.
type commentSearchResult struct {
	Items          []statusHistory `json:"items"`
	SearchCriteria *criteria       `json:"search_criteria"`
	TotalCount     int             `json:"total_count"`
}

// handleComments is GET /V1/orders/{id}/comments: the order's status history, oldest first.
func (s *Server) handleComments(w http.ResponseWriter, _ *http.Request, p map[string]string, _ principal) {
	id, ok := pathID(w, p, "id")
	if !ok {
		return
	}
	s.mu.Lock()
	o := s.orders[id]
	var out commentSearchResult
	if o != nil {
		out = commentSearchResult{Items: append([]statusHistory{}, o.StatusHistories...), SearchCriteria: &criteria{FilterGroups: []filterGroup{}}, TotalCount: len(o.StatusHistories)}
	}
	s.mu.Unlock()
	if o == nil {
		notFoundEntity(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// handleAddComment is POST /V1/orders/{id}/comments {"statusHistory": {...}} → true: the
// comment is added to the order's status history (with the order's status when it names none)
// and the order is saved, so its updated_at moves, as OrderManagement::addComment does.
func (s *Server) handleAddComment(w http.ResponseWriter, r *http.Request, p map[string]string, _ principal) {
	id, ok := pathID(w, p, "id")
	if !ok {
		return
	}
	body, err := decodeObject(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return
	}
	for k := range body {
		if k != "statusHistory" {
			fieldNotSupported(w, k)
			return
		}
	}
	raw, ok := body["statusHistory"].(map[string]any)
	if !ok {
		fieldRequired(w, "statusHistory")
		return
	}
	for _, f := range []string{"comment", "is_customer_notified", "is_visible_on_front", "parent_id"} {
		if _, ok := raw[f]; !ok {
			fieldRequired(w, f)
			return
		}
	}
	comment, _ := raw["comment"].(string)
	notified, nok := intOf(raw["is_customer_notified"])
	visible, vok := intOf(raw["is_visible_on_front"])
	if !nok || !vok {
		typeInvalid(w, "is_customer_notified", "int")
		return
	}
	status, _ := raw["status"].(string)
	s.mu.Lock()
	o := s.orders[id]
	if o == nil {
		s.mu.Unlock()
		notFoundEntity(w)
		return
	}
	if strings.TrimSpace(status) == "" {
		status = o.Status
	}
	s.touchLocked(o)
	o.StatusHistories = append(o.StatusHistories, statusHistory{Comment: comment, CreatedAt: o.UpdatedAt,
		EntityID: int64(len(o.StatusHistories) + 1), EntityName: "order", IsCustomerNotified: notified,
		IsVisibleOnFront: visible, ParentID: id, Status: status})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, true)
}

// intOf reads a JSON number (or numeric string) that is a whole number.
func intOf(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		return int(n), err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	d, ok := number(v)
	if !ok || !d.IsInteger() {
		return 0, false
	}
	return int(d.IntPart()), true
}
