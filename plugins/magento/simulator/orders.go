package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// orderFields are the searchable top-level columns of sales_order the simulator knows.
var orderFields = map[string]field[*Order]{
	"entity_id":           {kindNumber, func(o *Order) (string, bool) { return strconv.FormatInt(o.EntityID, 10), true }},
	"increment_id":        {kindString, func(o *Order) (string, bool) { return o.IncrementID, true }},
	"status":              {kindString, func(o *Order) (string, bool) { return o.Status, true }},
	"state":               {kindString, func(o *Order) (string, bool) { return o.State, true }},
	"created_at":          {kindDate, func(o *Order) (string, bool) { return o.CreatedAt, true }},
	"updated_at":          {kindDate, func(o *Order) (string, bool) { return o.UpdatedAt, true }},
	"customer_email":      {kindString, func(o *Order) (string, bool) { return o.CustomerEmail, true }},
	"customer_is_guest":   {kindNumber, func(o *Order) (string, bool) { return strconv.Itoa(o.CustomerIsGuest), true }},
	"store_id":            {kindNumber, func(o *Order) (string, bool) { return strconv.Itoa(o.StoreID), true }},
	"grand_total":         {kindNumber, func(o *Order) (string, bool) { return o.GrandTotal.d.String(), true }},
	"order_currency_code": {kindString, func(o *Order) (string, bool) { return o.OrderCurrencyCode, true }},
	"customer_id": {kindNumber, func(o *Order) (string, bool) {
		if o.CustomerID == nil {
			return "", false
		}
		return strconv.FormatInt(*o.CustomerID, 10), true
	}},
}

// orderSearchResult is sales-data-order-search-result-interface.
type orderSearchResult struct {
	Items          []json.RawMessage `json:"items"`
	SearchCriteria *criteria         `json:"search_criteria"`
	TotalCount     int               `json:"total_count"`
}

// handleOrders is GET /V1/orders?searchCriteria...
func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	c, e := parseCriteria(r.URL.Query(), true)
	if e == nil {
		e = validate(c, orderFields)
	}
	if e != nil {
		e.write(w)
		return
	}
	// The filtered and sorted list is cached per criteria (without paging) until the data
	// changes, so paging through 50,000 orders does not sort them again for every page.
	key := cacheKey(c)
	s.mu.Lock()
	if s.cache == nil || s.cacheVer != s.version {
		s.cache, s.cacheVer = map[string][]*Order{}, s.version
	}
	list, ok := s.cache[key]
	if !ok {
		// A listing by updated_at walks its range of the index, already in order.
		cand, indexed := s.byUpdated.updatedRange(c)
		if !indexed {
			cand = s.orderList
		}
		for _, o := range cand {
			if matches(c, orderFields, o) {
				list = append(list, o)
			}
		}
		if !indexed {
			sortItems(c, orderFields, list)
		}
		if len(s.cache) > 64 {
			clear(s.cache)
		}
		s.cache[key] = list
	}
	res := pageOf(c, list)
	out := orderSearchResult{Items: make([]json.RawMessage, 0, len(res.items)), SearchCriteria: c, TotalCount: res.total}
	var err error
	for _, o := range res.items {
		var b []byte
		if b, err = json.Marshal(o); err != nil {
			break
		}
		out.Items = append(out.Items, b)
	}
	if c.PageSize != nil && *c.PageSize > s.stats.MaxPageSize {
		s.stats.MaxPageSize = *c.PageSize
	}
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Error. Details are available in Magento log file. Report ID: %1", []string{"webapi-sim"})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// cacheKey renders the filters and sort orders of c (not its paging).
func cacheKey(c *criteria) string {
	b, _ := json.Marshal(struct {
		G []filterGroup
		S []sortOrder
	}{c.FilterGroups, c.SortOrders})
	return string(b)
}

// handleOrder is GET /V1/orders/{id}.
func (s *Server) handleOrder(w http.ResponseWriter, _ *http.Request, p map[string]string, _ principal) {
	id, ok := pathID(w, p, "id")
	if !ok {
		return
	}
	s.mu.Lock()
	o := s.orders[id]
	var b []byte
	var err error
	if o != nil {
		b, err = json.Marshal(o)
	}
	s.mu.Unlock()
	if o == nil {
		notFoundEntity(w)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Error.", nil)
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(b))
}
