package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

var t0 = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// hostDedupe mimics the host: it removes repeats by (id, modified) and reports what it kept.
type hostDedupe struct {
	seen    map[string]int
	latest  map[string]time.Time
	cursors []string
}

func newHostDedupe() *hostDedupe {
	return &hostDedupe{seen: map[string]int{}, latest: map[string]time.Time{}}
}

func (h *hostDedupe) yield(it sdk.OrderItem) error {
	k := it.Order.ID + "@" + it.Order.ModifiedAt.Format(time.RFC3339)
	h.seen[k]++
	if it.Order.ModifiedAt.After(h.latest[it.Order.ID]) {
		h.latest[it.Order.ID] = it.Order.ModifiedAt
	}
	h.cursors = append(h.cursors, it.Cursor)
	return nil
}

func list(t *testing.T, s *Shop, q sdk.OrderQuery) *hostDedupe {
	t.Helper()
	h := newHostDedupe()
	if err := s.ListOrders(context.Background(), q, h.yield); err != nil {
		t.Fatal(err)
	}
	return h
}

// Orders modified between page requests move to the end of the listing; the connector must
// lose none and, after the host's dedupe by id and modified, hand out each version once.
func TestListOrdersModifiedWhilePaging(t *testing.T) {
	f := newFakeStore(t)
	const n = 250
	for i := int64(1); i <= n; i++ {
		f.add(i, t0.Add(time.Duration(i/3)*time.Second), "processing") // three orders per second
	}
	bumped := map[int64]time.Time{}
	f.beforePage = func(served int) {
		bump := func(id int64, sec int) {
			m := t0.Add(time.Duration(sec) * time.Second)
			f.orders[id].mod = m
			bumped[id] = m
		}
		switch served {
		case 3: // orders already read, on earlier pages
			bump(2, 1000)
			bump(5, 1000)
			bump(11, 1001)
		case 6: // one already read, one not yet read
			bump(20, 1002)
			bump(200, 1002)
		case 9: // an order bumped twice
			bump(2, 1003)
		}
	}
	srv := f.start()
	s := newTestShop(t, srv.URL, func(c sdk.Config) { c.Set(attrPageSize, 10) })
	h := list(t, s, sdk.OrderQuery{Since: t0})
	for k, c := range h.seen {
		if c != 1 {
			t.Errorf("%s handed out %d times", k, c)
		}
	}
	if len(h.latest) != n {
		t.Fatalf("%d distinct orders, want %d (lost some)", len(h.latest), n)
	}
	for id, m := range bumped {
		if got := h.latest[fmt.Sprint(id)]; !got.Equal(m) {
			t.Errorf("order %d: latest version seen %v, want %v", id, got, m)
		}
	}
	if f.authErrors != 0 {
		t.Errorf("%d requests refused (each page must be signed anew)", f.authErrors)
	}
	for _, q := range f.queries {
		if q.Get("orderby") != "modified" || q.Get("order") != "asc" || q.Get("per_page") != "10" || q.Get("status") != "processing,completed" {
			t.Fatalf("query %v", q)
		}
	}

	// Resuming from the last cursor without overlap lists nothing; with the overlap window it
	// repeats only versions already handed out.
	last := h.cursors[len(h.cursors)-1]
	s0 := newTestShop(t, srv.URL, func(c sdk.Config) { c.Set(attrPageSize, 10).Set(attrOverlap, "0s") })
	if again := list(t, s0, sdk.OrderQuery{Since: t0, Cursor: last}); len(again.seen) != 0 {
		t.Errorf("resume at the end yielded %v", again.seen)
	}
	again := list(t, s, sdk.OrderQuery{Since: t0, Cursor: last})
	for k := range again.seen {
		if h.seen[k] == 0 {
			t.Errorf("resume with overlap yielded a version never seen: %s", k)
		}
	}
}

// Orders sharing a second come in descending id order and may straddle a page boundary; a
// cursor taken in the middle of the second resumes with exactly the rest.
func TestListOrdersTiesAcrossPages(t *testing.T) {
	f := newFakeStore(t)
	f.add(1, t0, "processing")
	for id := int64(30); id <= 36; id++ {
		f.add(id, t0.Add(5*time.Second), "processing")
	}
	f.add(40, t0.Add(6*time.Second), "completed")
	f.add(41, t0.Add(6*time.Second), "on-hold") // other status: never listed
	srv := f.start()
	s := newTestShop(t, srv.URL, func(c sdk.Config) { c.Set(attrPageSize, 3).Set(attrOverlap, "0s") })
	var ids []string
	var cursors []string
	err := s.ListOrders(context.Background(), sdk.OrderQuery{Since: t0}, func(it sdk.OrderItem) error {
		ids = append(ids, it.Order.ID)
		cursors = append(cursors, it.Cursor)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[1 36 35 34 33 32 31 30 40]" {
		t.Fatalf("ids %v", ids)
	}
	// Resume after 34 (the 4th yielded): 33..30 and 40, nothing earlier.
	var rest []string
	err = s.ListOrders(context.Background(), sdk.OrderQuery{Since: t0, Cursor: cursors[3]}, func(it sdk.OrderItem) error {
		rest = append(rest, it.Order.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rest) != "[33 32 31 30 40]" {
		t.Fatalf("after resume: %v", rest)
	}
	// A yield error stops the listing and is returned.
	stop := errors.New("stop")
	n := 0
	err = s.ListOrders(context.Background(), sdk.OrderQuery{Since: t0}, func(sdk.OrderItem) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d", err, n)
	}
	if err := s.ListOrders(context.Background(), sdk.OrderQuery{Cursor: "garbage!"}, func(sdk.OrderItem) error { return nil }); sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestListOrdersSinceStatusesAndIDs(t *testing.T) {
	f := newFakeStore(t)
	for i := int64(1); i <= 150; i++ {
		st := "processing"
		if i%10 == 0 {
			st = "on-hold"
		}
		f.add(i, t0.Add(time.Duration(i)*time.Minute), st)
	}
	srv := f.start()
	s := newTestShop(t, srv.URL, nil)
	h := list(t, s, sdk.OrderQuery{Since: t0.Add(100 * time.Minute), Statuses: []string{"on-hold"}})
	var got []string
	for id := range h.latest {
		got = append(got, id)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[100 110 120 130 140 150]" {
		t.Fatalf("since+status: %v", got)
	}
	var ids []string
	for i := 1; i <= 150; i++ {
		ids = append(ids, fmt.Sprint(i))
	}
	f.queries = nil
	h = list(t, s, sdk.OrderQuery{IDs: ids, Since: t0.Add(1000 * time.Hour), Cursor: "ignored"})
	if len(h.latest) != 150 {
		t.Fatalf("by id: %d orders", len(h.latest))
	}
	if len(f.queries) != 2 || f.queries[0].Get("status") != "any" {
		t.Fatalf("by id: queries %v", f.queries)
	}
	if err := s.ListOrders(context.Background(), sdk.OrderQuery{IDs: []string{"12", "x"}}, func(sdk.OrderItem) error { return nil }); sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("non-numeric id: %v", err)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	var p position
	p.moveTo(1795479246)
	for i := int64(0); i < maxCursorIDs+50; i++ {
		p.add(i)
	}
	q, err := decodeCursor(p.encode())
	if err != nil {
		t.Fatal(err)
	}
	if q.T != p.T || len(q.ids) != maxCursorIDs || !q.has(0) || q.has(maxCursorIDs) {
		t.Fatalf("decoded %d ids at %d", len(q.ids), q.T)
	}
	for _, bad := range []string{"", "!!!", "e30", "eyJ2Ijo5LCJ0IjoxfQ"} { // {} and {"v":9,"t":1}
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
