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
	// Key returns an item's id and modification time (UTC).
	Key func(T) (int64, time.Time)
	// Yield is called for each item to hand out, with the cursor to resume after it and the
	// cursor that was current before it.
	Yield func(item T, after, before string) error
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
//     starts from the newest second read (keyset paging). Only when a whole page falls in one
//     second does it move to the next page of the same query. A query's end is known from the
//     X-WP-TotalPages of its first page, never from an empty page (WooCommerce reports 0 there).
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
		for _, it := range pg.Items {
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
		if len(pg.Items) < s.PerPage || (totalPages >= 0 && page >= totalPages) {
			return nil
		}
		if scanT > queryLow {
			queryLow, page, totalPages = scanT, 1, -1
		} else {
			page++
		}
	}
}
