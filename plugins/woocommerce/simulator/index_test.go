package simulator

import (
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"testing"
	"time"
)

// indexAgrees checks the modification index against the orders: every stored order once, in
// (second ascending, id descending) order, under its current date_modified.
func indexAgrees(t *testing.T, s *Server, when string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.modIdx.sorted(s.orders)
	if len(idx) != len(s.orders) {
		t.Fatalf("%s: index holds %d entries, store %d orders", when, len(idx), len(s.orders))
	}
	for i, e := range idx {
		if s.orders[e.id] != e.o || e.sec != e.o.DateModified.Unix() || e.status != statusBit(e.o.Status) {
			t.Fatalf("%s: entry %d (order %d at %d) is stale", when, i, e.id, e.sec)
		}
		if i > 0 && cmpMod(idx[i-1], e.sec, e.id) >= 0 {
			t.Fatalf("%s: entries %d and %d out of order", when, i-1, i)
		}
	}
}

// Writes of every kind keep the index right, and the listing through it answers exactly what
// the sorting path answers for the same filters.
func TestModifiedIndexFollowsWrites(t *testing.T) {
	e := newEnv(t, Options{StableTies: true}) // compared with a scan in the index's own order
	if _, err := e.sim.GenerateOrders(120); err != nil {
		t.Fatal(err)
	}
	indexAgrees(t, e.sim, "after generating")
	rnd := rand.New(rand.NewSource(7))
	var created []int64
	for step := 0; step < 150; step++ {
		all := e.sim.Orders()
		pick := strconv.FormatInt(all[rnd.Intn(len(all))].ID, 10)
		switch step % 6 {
		case 0:
			o := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, map[string]any{
				"status": "processing", "fee_lines": []any{map[string]any{"name": "x", "total": "1.00"}}}), 201))
			created = append(created, int64(o["id"].(float64)))
		case 1:
			decode(t, e.do("PUT", "/wp-json/wc/v3/orders/"+pick, nil, map[string]any{"customer_note": "n" + strconv.Itoa(step)}), 200)
		case 2:
			id, _ := strconv.ParseInt(pick, 10, 64)
			if _, err := e.sim.TouchOrder(id, "completed"); err != nil {
				t.Fatal(err)
			}
		case 3:
			force := []string{"true", "false"}[rnd.Intn(2)]
			e.do("DELETE", "/wp-json/wc/v3/orders/"+pick, qs("force", force), nil).Body.Close()
		case 4:
			decode(t, e.do("POST", "/wp-json/wc/v3/orders/batch", nil, map[string]any{
				"create": []any{map[string]any{"status": "on-hold"}},
				"update": []any{map[string]any{"id": all[0].ID, "status": "processing"}},
				"delete": []any{all[len(all)-1].ID}}), 200)
		case 5:
			if _, err := e.sim.AddOrder(Order{Status: "processing", DateModified: e.clock.Now().Add(-time.Duration(rnd.Intn(5000)) * time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		if rnd.Intn(3) == 0 {
			e.clock.Advance(time.Duration(rnd.Intn(3)) * time.Second)
		}
		indexAgrees(t, e.sim, fmt.Sprintf("step %d", step))
	}

	// The indexed path (orderby=modified&order=asc), page by page, against filtering and
	// sorting every order here.
	for _, q := range [][2]string{
		{"modified_after", "2026-11-20T10:00:00"},
		{"modified_after", "2026-11-24T11:59:58"},
		{"after", "2026-11-10T00:00:00"},
		{"status", "processing,completed"},
		{"status", "any"},
		{"status", "trash"},
		{"search", "Bakker"},
	} {
		var got []int64
		total := ""
		for page := 1; ; page++ {
			resp := e.do("GET", "/wp-json/wc/v3/orders", qs("orderby", "modified", "order", "asc", "per_page", "7",
				"page", strconv.Itoa(page), "dates_are_gmt", "true", q[0], q[1]), nil)
			if page == 1 {
				total = resp.Header.Get("X-WP-Total")
			}
			batch := ids(t, decode(t, resp, 200))
			if len(batch) == 0 {
				break
			}
			got = append(got, batch...)
		}
		lp, perr := e.sim.parseList(parseQuery("orderby=modified&order=asc&dates_are_gmt=true&"+q[0]+"="+q[1]), ordersCollection)
		if perr != nil {
			t.Fatal(perr)
		}
		var want []int64
		var recs []sortable
		e.sim.mu.Lock()
		for _, o := range e.sim.orders {
			if orderMatches(o, lp) && e.sim.dateFilter(lp, o.DateCreated, o.DateModified) {
				recs = append(recs, sortable{id: o.ID, created: o.DateCreated, modified: o.DateModified})
			}
		}
		e.sim.mu.Unlock()
		slices.SortFunc(recs, func(a, b sortable) int {
			return cmpMod(modEntry{sec: a.modified.Unix(), id: a.id}, b.modified.Unix(), b.id)
		})
		for _, r := range recs {
			want = append(want, r.id)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || total != strconv.Itoa(len(want)) {
			t.Errorf("%s=%s: listed %d (X-WP-Total %s), want %d\n got %v\nwant %v", q[0], q[1], len(got), total, len(want), got, want)
		}
	}
	if len(created) == 0 {
		t.Fatal("no orders created")
	}
}
