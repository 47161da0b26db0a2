package woocommerce

import (
	"context"
	"time"
)

// scanPage is one page a scan fetched.
type scanPage[T any] struct {
	Items []T
	// TotalPages is X-WP-TotalPages, or -1 when the answer did not carry it.
	TotalPages int
	// Total is X-WP-Total (the items the query matches), or -1 when the answer did not carry it.
	Total int
}

// scanSpec describes one incremental listing by modification time.
type scanSpec[T any] struct {
	// Since: items modified before it are never listed (zero: no bound).
	Since time.Time
	// From is the resume position; HasFrom is false when listing starts at Since.
	From    position
	HasFrom bool
	// Overlap is how far back from the newest second handed out a position keeps a record of
	// what it handed out, and so how far back a resume looks for items committed late.
	Overlap time.Duration
	// PerPage is the page size the fetch uses.
	PerPage int
	// Fetch gets page (1-based) of the items modified after `after` (exclusive, whole
	// seconds; zero = no bound) ordered by modification time ascending.
	Fetch func(ctx context.Context, after time.Time, page int) (scanPage[T], error)
	// FetchSecond gets page (1-based) of the items modified in second sec exactly, ordered by
	// id ascending: the stable order a crowded second is paged in (see scan). Nil: such a
	// second is paged with Fetch, which is only safe where ties keep their order.
	FetchSecond func(ctx context.Context, sec time.Time, page int) (scanPage[T], error)
	// Key returns an item's id and modification time (UTC).
	Key func(T) (int64, time.Time)
	// Yield is called for each item to hand out, with the cursor to resume after it and the
	// cursor that was current before it.
	Yield func(item T, after, before string) error
	// OnTotal, when set, is called once, before the first item is handed out, with how many
	// items the listing expects to hand out: the first query's X-WP-Total less the items of
	// the overlap window the resume position records (they are read again and skipped). It is
	// not called when the answer carries no X-WP-Total.
	OnTotal func(n int)
}

// scan lists items incrementally, WooCommerce-style, so that nothing is skipped, nothing is
// handed out twice and a stopped listing always resumes with something new, even when items
// are modified while paging or share a second (reference A.8b):
//
//   - WooCommerce's modified_after is exclusive at second resolution and orders items of one
//     second by descending id, so each query asks for modified_after = (second - 1s) and skips
//     the ids it has already read in that second.
//   - Offset paging over a set that changes (an item modified while paging moves to the end
//     and shifts the rest forward) would skip items; instead, after each page the next query
//     starts from the newest second read (keyset paging). A query's end is known from the
//     X-WP-TotalPages of its first page, never from an empty page (WooCommerce reports 0 there).
//   - Within one second the store's order is not stable (no tie-break on date_updated_gmt:
//     ascending, descending or mixed, anew on every request), so offset paging inside a second
//     repeats some items and skips others. When a whole page falls in one second, that second
//     is read on its own (FetchSecond: modified_after one second before it, modified_before
//     one second after it, ordered by id, which is stable), then the listing goes on after it. An item moved
//     out of the second while it is read is listed again in its new second anyway; one that
//     the move shifted past a page boundary is caught by the next listing's overlap window.
//   - The position (the cursor) records every (second, id) handed out in the last Overlap
//     before its newest second. A resume queries from the start of that window: items the
//     position records are skipped, the others (saved late, after the listing had passed
//     their second) are handed out. So a resume never repeats what was handed out, wherever
//     the host stopped, and the window still catches late saves.
//
// Memory does not grow with the number of items: only the ids of the current second and the
// bounded record of the window are kept.
func scan[T any](ctx context.Context, s scanSpec[T]) error {
	var since int64
	if !s.Since.IsZero() {
		since = s.Since.UTC().Unix()
	}
	window := int64(s.Overlap / time.Second)
	cur := position{window: window, W: since}
	before := ""
	if s.HasFrom {
		cur = s.From
		cur.window = window
		if cur.legacy { // version 1 cursor: re-read the whole window before it
			cur.W, cur.legacy = cur.T-window, false
		}
		cur.W = max(cur.W, since)
		before = cur.encode()
	}
	low := cur.W
	scanT := low
	seen := map[int64]struct{}{}
	queryLow := low
	page, totalPages := 1, -1
	first := true
	// hand yields the items of a page that are new, in the page's order.
	hand := func(items []T) error {
		for _, it := range items {
			id, mod := s.Key(it)
			t := mod.Unix()
			if t < since || t < scanT || t < cur.W {
				continue
			}
			if t == scanT {
				if _, ok := seen[id]; ok {
					continue
				}
			} else {
				scanT = t
				clear(seen)
			}
			seen[id] = struct{}{}
			if cur.has(t, id) {
				continue
			}
			cur.add(t, id)
			enc := cur.encode()
			if err := s.Yield(it, enc, before); err != nil {
				return err
			}
			before = enc
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var after time.Time
		if queryLow > 0 {
			after = time.Unix(queryLow-1, 0).UTC()
		}
		pg, err := s.Fetch(ctx, after, page)
		if err != nil {
			return err
		}
		if page == 1 {
			totalPages = pg.TotalPages
		}
		if first {
			first = false
			if s.OnTotal != nil && pg.Total >= 0 {
				s.OnTotal(max(0, pg.Total-cur.handed()))
			}
		}
		if err := hand(pg.Items); err != nil {
			return err
		}
		if len(pg.Items) < s.PerPage || (totalPages >= 0 && page >= totalPages) {
			return nil
		}
		switch {
		case scanT > queryLow:
			queryLow, page, totalPages = scanT, 1, -1
		case s.FetchSecond != nil:
			// A whole page in one second: read that second in id order, then go on after it.
			if err := scanSecond(ctx, s, scanT, hand); err != nil {
				return err
			}
			queryLow, page, totalPages = scanT+1, 1, -1
		default:
			page++
		}
	}
}

// scanSecond reads every item modified in second sec through FetchSecond, page by page in id
// order, handing each page to hand.
func scanSecond[T any](ctx context.Context, s scanSpec[T], sec int64, hand func([]T) error) error {
	total := -1
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		pg, err := s.FetchSecond(ctx, time.Unix(sec, 0).UTC(), page)
		if err != nil {
			return err
		}
		if page == 1 {
			total = pg.TotalPages
		}
		if err := hand(pg.Items); err != nil {
			return err
		}
		if len(pg.Items) < s.PerPage || (total >= 0 && page >= total) {
			return nil
		}
	}
}
