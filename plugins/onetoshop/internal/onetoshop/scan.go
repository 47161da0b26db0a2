package onetoshop

import (
	"context"
	"time"
)

// fetched is one page of a listing.
type fetched[T any] struct {
	items []T
	// pages is meta.pages of the answer, or 0 when it did not say.
	pages int
	// total is meta.total (the items the query matches), or 0 when it did not say.
	total int
}

// listing describes one incremental listing by modification time (orders or products).
type listing[T any] struct {
	// since: items modified before it are never listed (zero: no bound).
	since time.Time
	// from is the resume position; nil to start at since.
	from *position
	// overlap is read again before a resume position (late saves).
	overlap time.Duration
	// limit is the page size asked for.
	limit int
	// fetch gets page (1-based) of the items with updated_at ≥ updatedSince (zero: no bound),
	// oldest first.
	fetch func(ctx context.Context, updatedSince time.Time, page int) (fetched[T], error)
	// key returns an item's id and modification time.
	key func(T) (string, time.Time)
	// yield hands an item out with the cursor to resume after it.
	yield func(T, string) error
	// onTotal, when set, is called once, before the first item is handed out, with how many
	// items the listing expects to hand out: the first answer's meta.total less the ids of the
	// cursor's second that the cursor records (they are read again and skipped). It is not
	// called when the answer has no total.
	onTotal func(n int)
}

// run lists the items so that none is skipped, even when items are modified while paging or
// many share one second (API.md, "Paging"):
//
//   - The API's updated_since is taken as inclusive at second resolution, but the query asks
//     for one second earlier, so an API that treats it as exclusive loses nothing either; the
//     items of seconds already passed are dropped on arrival.
//   - Page numbers over a set that changes would skip an item whenever one read earlier is
//     modified and moves to the end. So after each page the next query starts again at page
//     1 from the newest second read (keyset paging); only when a whole page lies in one
//     second does it go on to the next page of the same query.
//   - A resume starts overlap before the cursor's second; items in that window are handed out
//     again (the host removes repeats), items of the cursor's own second that the cursor
//     records are not.
//
// Memory stays flat: only the ids of the current second are kept.
func (l listing[T]) run(ctx context.Context) error {
	var since int64 = -1 << 62
	if !l.since.IsZero() {
		since = l.since.Unix()
	}
	cur := position{set: map[string]bool{}}
	low := since
	if l.from != nil {
		cur = *l.from
		if cur.set == nil {
			cur.set = map[string]bool{}
		}
		if v := cur.T - int64(l.overlap/time.Second); v > low {
			low = v
		}
	}
	lastT := low              // newest second handed out (or skipped) in this listing
	seen := map[string]bool{} // ids read in second lastT
	queryFrom, page := low, 1
	first := true
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var from time.Time
		if queryFrom > -1<<61 {
			from = time.Unix(queryFrom-1, 0).UTC()
		}
		pg, err := l.fetch(ctx, from, page)
		if err != nil {
			return err
		}
		if first {
			first = false
			if l.onTotal != nil && pg.total > 0 {
				l.onTotal(max(0, pg.total-len(cur.set)))
			}
		}
		for _, it := range pg.items {
			id, mod := l.key(it)
			t := mod.Unix()
			if t < since || t < lastT || (t == lastT && seen[id]) {
				continue
			}
			if t > lastT {
				lastT = t
				clear(seen)
			}
			seen[id] = true
			switch {
			case t < cur.T: // overlap window: hand out again, position unchanged
			case t == cur.T:
				if cur.has(id) {
					continue
				}
				cur.add(id)
			default:
				cur.moveTo(t)
				cur.add(id)
			}
			if err := l.yield(it, cur.encode()); err != nil {
				return err
			}
		}
		if len(pg.items) < l.limit || (pg.pages > 0 && page >= pg.pages) {
			return nil
		}
		if lastT > queryFrom {
			queryFrom, page = lastT, 1
		} else {
			page++
		}
	}
}
