package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
)

// tieOrder puts the orders of one second (group, a listing's matches in index order) in the
// order this request sees them. A real store sorts on date_updated_gmt alone (reference A.8b:
// of 101 seconds with several orders 34 came ascending by id, 30 descending, 37 mixed), so each
// request draws one of the three from the seeded source; with Options.StableTies the index's
// descending ids stay. The caller holds mu.
func (s *Server) tieOrder(group []*Order) {
	if s.opts.StableTies {
		return
	}
	switch s.tieRnd.Intn(3) {
	case 0:
		slices.SortFunc(group, func(a, b *Order) int { return cmp.Compare(a.ID, b.ID) })
	case 1:
		slices.SortFunc(group, func(a, b *Order) int { return cmp.Compare(b.ID, a.ID) })
	default:
		s.tieRnd.Shuffle(len(group), func(i, j int) { group[i], group[j] = group[j], group[i] })
	}
}

// plainPermalinkRedirect is what WordPress with Plain permalinks answers on /wp-json/...: 301 to
// the home page (the REST API is only at ?rest_route=/...).
func (s *Server) plainPermalinkRedirect(w http.ResponseWriter, req *request) {
	w.Header().Set("Location", strings.TrimRight(s.homeURL(req), "/")+"/")
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusMovedPermanently)
}
