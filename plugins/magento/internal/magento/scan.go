package magento

import (
	"context"
	"fmt"
	"time"
)

// scanSpec describes one incremental listing (orders or products).
type scanSpec[T any] struct {
	path     string // "/orders" or "/products"
	extra    [][]cond
	since    time.Time
	cursor   string
	pageSize int
	overlap  time.Duration
	settle   time.Duration
	fetch    func(ctx context.Context, c *criteria) ([]T, int, error)
	key      func(T) (t time.Time, id int64, err error)
	yield    func(x T, cursor string) error
	// onTotal, when set, is called once, before the first item is yielded, with how many items
	// the listing expects to yield: the query's total_count less the versions of the overlap
	// window the cursor records (they are read again and skipped).
	onTotal func(n int)
}

// scan lists by updated_at from the cursor (minus the overlap window) up to the server's time
// minus the settle delay, sorted by updated_at then entity_id, page by page until total_count
// is reached (Magento returns the last page again past the end, so an empty page never
// comes). Versions already yielded inside the window, as the cursor records them, are skipped.
func scan[T any](ctx context.Context, a *api, s scanSpec[T]) error {
	pos := position{seen: map[int64]int64{}}
	if s.cursor != "" {
		var err error
		if pos, err = decodeCursor(s.cursor); err != nil {
			return err
		}
	}
	// Learn the server's clock: the upper bound is the server's now minus the settle delay,
	// so an order being written right now is listed on the next run, not half-way.
	probe := (&criteria{pageSize: 1}).and(cond{"entity_id", "0", "eq"})
	if _, _, err := s.fetch(ctx, probe); err != nil {
		return err
	}
	upper := a.serverNow().Truncate(time.Second).Add(-s.settle)
	lower := s.since.UTC()
	if pos.T > 0 {
		from := time.Unix(pos.T, 0).UTC().Add(-s.overlap)
		if from.After(lower) {
			lower = from
		}
	}
	overlap := int64(s.overlap / time.Second)
	for page := 1; ; page++ {
		c := &criteria{pageSize: s.pageSize, page: page}
		if !lower.IsZero() && lower.Year() > 1 {
			c.and(cond{"updated_at", mtime(lower), "gteq"})
		}
		if s.settle > 0 {
			c.and(cond{"updated_at", mtime(upper), "lt"})
		}
		for _, g := range s.extra {
			c.and(g...)
		}
		c.sortBy("updated_at", "ASC").sortBy("entity_id", "ASC")
		items, total, err := s.fetch(ctx, c)
		if err != nil {
			return err
		}
		if page == 1 && s.onTotal != nil {
			s.onTotal(max(0, total-pos.versionsFrom(lower.Unix())))
		}
		for _, x := range items {
			t, id, err := s.key(x)
			if err != nil {
				return err
			}
			ts := t.Unix()
			if t.Before(s.since) {
				continue
			}
			if !pos.after(ts, id) && pos.seenVersion(id, ts) {
				continue
			}
			pos.advance(id, ts)
			if err := s.yield(x, pos.encode(overlap)); err != nil {
				return err
			}
		}
		if len(items) == 0 || page*s.pageSize >= total {
			return nil
		}
		if page > 1_000_000 {
			return fmt.Errorf("listing %s: more than a million pages", s.path)
		}
		if err := ctx.Err(); err != nil {
			return ctxErr(err)
		}
	}
}
