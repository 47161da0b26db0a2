package woocommerce

import (
	"context"
	"encoding/base64"
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

// Orders sharing a second may straddle a page boundary: once a whole page falls in one second,
// that second is read on its own in id order (the store's order of ties is not stable); a cursor
// taken in the middle of the second resumes with exactly the rest.
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
	if fmt.Sprint(ids) != "[1 36 35 34 30 31 32 33 40]" {
		t.Fatalf("ids %v", ids)
	}
	// Resume after 34 (the 4th yielded): 30..33 and 40, nothing earlier.
	var rest []string
	err = s.ListOrders(context.Background(), sdk.OrderQuery{Since: t0, Cursor: cursors[3]}, func(it sdk.OrderItem) error {
		rest = append(rest, it.Order.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rest) != "[30 31 32 33 40]" {
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
	// AllStatuses: status=any, whatever Statuses and the configured statuses say.
	f.queries = nil
	h = list(t, s, sdk.OrderQuery{Since: t0.Add(100 * time.Minute), Statuses: []string{"processing"}, AllStatuses: true})
	if len(h.latest) != 51 {
		t.Fatalf("all statuses: %d orders, want 51 (processing and on-hold)", len(h.latest))
	}
	for _, q := range f.queries {
		if q.Get("status") != "any" {
			t.Fatalf("all statuses: status=%q, want any", q.Get("status"))
		}
	}
	h = list(t, s, sdk.OrderQuery{Since: t0.Add(100 * time.Minute)})
	if len(h.latest) != 45 {
		t.Fatalf("default statuses: %d orders, want the 45 processing ones", len(h.latest))
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
	const T = int64(1795479246)
	tests := []struct {
		name   string
		window int64
		add    [][2]int64 // (second, id)
		wantW  int64
		has    [][2]int64
		hasNot [][2]int64
		ranges int
	}{
		{name: "one second", window: 0, add: [][2]int64{{T, 5}, {T, 7}, {T, 6}, {T, 9}},
			wantW: T, has: [][2]int64{{T, 5}, {T, 6}, {T, 7}, {T, 9}}, hasNot: [][2]int64{{T, 8}, {T, 4}}, ranges: 2},
		{name: "window keeps recent seconds", window: 600,
			add:   [][2]int64{{T - 700, 1}, {T - 500, 2}, {T - 10, 3}, {T, 4}, {T - 20, 5}},
			wantW: T - 600, has: [][2]int64{{T - 500, 2}, {T - 10, 3}, {T, 4}, {T - 20, 5}},
			hasNot: [][2]int64{{T - 700, 1}, {T, 2}}, ranges: 4},
		{name: "bulk second of consecutive ids", window: 600, add: seq(T, 1000, 3000),
			wantW: T - 600, has: [][2]int64{{T, 1000}, {T, 2999}}, hasNot: [][2]int64{{T, 3000}}, ranges: 1},
		{name: "too many scattered ids: oldest seconds forgotten", window: 600, add: scattered(T-300, 300, 10),
			wantW: T - 25, has: [][2]int64{{T - 1, 29990}, {T - 25, 27500}}, hasNot: [][2]int64{{T - 300, 0}, {T - 26, 27490}}, ranges: 250},
		{name: "too many scattered ids in one second: closest merged", window: 600, add: scattered(T, 1, 300),
			wantW: T - 600, has: [][2]int64{{T, 0}, {T, 2990}}, ranges: maxCursorRanges},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := position{window: tt.window}
			for _, a := range tt.add {
				p.add(a[0], a[1])
			}
			q, err := decodeCursor(p.encode(), tt.window)
			if err != nil {
				t.Fatal(err)
			}
			if q.T != p.T || q.W != tt.wantW || p.W != tt.wantW || q.n != tt.ranges || p.n != tt.ranges {
				t.Fatalf("T %d W %d (want %d) ranges %d/%d (want %d)", q.T-T, q.W-T, tt.wantW-T, q.n, p.n, tt.ranges)
			}
			for _, h := range tt.has {
				if !q.has(h[0], h[1]) {
					t.Errorf("decoded cursor lacks id %d at T%+d", h[1], h[0]-T)
				}
			}
			for _, h := range tt.hasNot {
				if q.has(h[0], h[1]) {
					t.Errorf("decoded cursor has id %d at T%+d", h[1], h[0]-T)
				}
			}
			if len(p.encode()) > 4096 {
				t.Errorf("cursor of %d bytes", len(p.encode()))
			}
		})
	}
	// A version 1 cursor still resumes: second T and its ids.
	v1 := base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"t":1795479246,"ids":[4,5]}`))
	if q, err := decodeCursor(v1, 600); err != nil || !q.legacy || !q.has(T, 4) || q.has(T, 6) {
		t.Fatalf("v1 cursor: %+v %v", q, err)
	}
	for _, bad := range []string{"", "!!!", "e30", "eyJ2Ijo5LCJ0IjoxfQ", "Ag", "AgEBAQ", "AgoAAQABAAEB"} {
		if _, err := decodeCursor(bad, 600); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzDecodeCursor: no input panics, and what decodes re-encodes to itself.
func FuzzDecodeCursor(f *testing.F) {
	p := position{window: 600}
	for _, a := range append(scattered(1795479246-300, 30, 3), seq(1795479246, 1, 20)...) {
		p.add(a[0], a[1])
	}
	f.Add(p.encode())
	f.Add("eyJ2IjoxLCJ0IjoxNzk1NDgxMDQzLCJpZHMiOls2NSw2NCw2Myw2Ml19")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := decodeCursor(s, 600)
		if err != nil || q.legacy {
			return
		}
		if again, err := decodeCursor(q.encode(), 600); err != nil || again.encode() != q.encode() {
			t.Fatalf("re-encoding %q: %v", s, err)
		}
	})
}

// seq is ids from..to-1, all in second t.
func seq(t, from, to int64) [][2]int64 {
	var out [][2]int64
	for id := from; id < to; id++ {
		out = append(out, [2]int64{t, id})
	}
	return out
}

// scattered is n seconds from t on, each with k ids ten apart (no two adjacent).
func scattered(t int64, n, k int) [][2]int64 {
	var out [][2]int64
	id := int64(0)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			out = append(out, [2]int64{t + int64(i), id})
			id += 10
		}
	}
	return out
}

// An order saved late (its modified time already behind the position when it became visible)
// is found by the next run if it lies within the overlap window; what the cursor records is not
// handed out again, and a run stopped after every single order still progresses each time.
func TestListOrdersOverlapFindsLateSavesWithoutRepeats(t *testing.T) {
	f := newFakeStore(t)
	for i := int64(1); i <= 60; i++ {
		f.add(i, t0.Add(time.Duration(i/4)*80*time.Second), "processing") // four per second, 20 minutes
	}
	srv := f.start()
	s := newTestShop(t, srv.URL, func(c sdk.Config) { c.Set(attrPageSize, 5).Set(attrOverlap, "10m") })

	// Stop after every order: each resume yields exactly the next one.
	cursor := ""
	var order []string
	for round := 0; round < 100; round++ {
		n := 0
		err := s.ListOrders(context.Background(), sdk.OrderQuery{Since: t0, Cursor: cursor}, func(it sdk.OrderItem) error {
			n++
			order = append(order, it.Order.ID)
			cursor = it.Cursor
			return errStopTest
		})
		if n == 0 && err == nil {
			break
		}
		if !errors.Is(err, errStopTest) || n != 1 {
			t.Fatalf("round %d: %d yielded, %v", round, n, err)
		}
	}
	if len(order) != 60 {
		t.Fatalf("stop-after-1 resumes yielded %d orders, want 60 once each: %v", len(order), order)
	}

	// Two late saves: one 5 minutes behind the position (inside the window), one 15 minutes
	// behind (outside it).
	last := t0.Add(15 * 80 * time.Second)
	f.mu.Lock()
	f.add(100, last.Add(-5*time.Minute), "processing")
	f.add(101, last.Add(-15*time.Minute), "processing")
	f.mu.Unlock()
	h := list(t, s, sdk.OrderQuery{Cursor: cursor})
	if len(h.seen) != 1 || h.seen["100@"+last.Add(-5*time.Minute).Format(time.RFC3339)] != 1 {
		t.Fatalf("resume after late saves yielded %v, want only order 100", h.seen)
	}
	// Its cursor records it: the next resume yields nothing.
	if again := list(t, s, sdk.OrderQuery{Cursor: h.cursors[0]}); len(again.seen) != 0 {
		t.Fatalf("second resume yielded %v", again.seen)
	}
}

var errStopTest = errors.New("stop here")
