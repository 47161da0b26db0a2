package state

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDeleteOlder(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	fill := func(t *testing.T, s *Store) {
		for _, p := range []string{"a", "a/b"} {
			for d := 0; d < 10; d++ {
				must(t, Put(ctx, s, RunKey(p, now.Add(-time.Duration(d)*day)), d))
			}
		}
		must(t, Put(ctx, s, CursorKey("a", "orders"), "keep"))
	}
	tests := []struct {
		name       string
		prefix     Key
		before     time.Time
		wantN      int
		wantLeftA  int
		wantLeftAB int
	}{
		{"one profile", NSRun.ProfilePrefix("a"), now.Add(-7 * day), 2, 8, 10},
		{"boundary is exclusive", NSRun.ProfilePrefix("a"), now.Add(-9 * day), 0, 10, 10},
		{"slash profile only", NSRun.ProfilePrefix("a/b"), now.Add(-5*day + time.Nanosecond), 5, 10, 5},
		{"all profiles", NSRun.Prefix(), now.Add(-4*day + time.Minute), 12, 4, 4},
		{"everything", NSRun.Prefix(), now.Add(time.Hour), 20, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := memStore(t)
			fill(t, s)
			n, err := s.DeleteOlder(ctx, tc.prefix, tc.before)
			if err != nil {
				t.Fatal(err)
			}
			count := func(p string) int {
				c := 0
				must(t, List(ctx, s, NSRun.ProfilePrefix(p), func(k Key, _ int) error {
					if tm, _ := RunTime(k); tm.Before(tc.before) && (tc.prefix == NSRun.Prefix() || tc.prefix == NSRun.ProfilePrefix(p)) {
						t.Errorf("old run %s survived", k)
					}
					c++
					return nil
				}))
				return c
			}
			if n != tc.wantN || count("a") != tc.wantLeftA || count("a/b") != tc.wantLeftAB {
				t.Fatalf("deleted %d (want %d), left a=%d (want %d) a/b=%d (want %d)",
					n, tc.wantN, count("a"), tc.wantLeftA, count("a/b"), tc.wantLeftAB)
			}
			if _, ok, _ := Get[string](ctx, s, CursorKey("a", "orders")); !ok {
				t.Fatal("retention touched another namespace")
			}
		})
	}
	s := memStore(t)
	if _, err := s.DeleteOlder(ctx, NSCursor.Prefix(), now); !errors.Is(err, ErrNotRunPrefix) {
		t.Fatalf("non-run prefix: %v", err)
	}
}

func TestDeleteOlderManyBatches(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	const total = 2*deleteBatch + 17
	must(t, s.Update(ctx, func(tx *Tx) error {
		for i := 0; i < total; i++ {
			if err := tx.Put(RunKey("p", base.Add(time.Duration(i)*time.Second)), i); err != nil {
				return err
			}
		}
		return nil
	}))
	n, err := s.DeleteOlder(ctx, NSRun.ProfilePrefix("p"), base.Add(time.Hour*24))
	if err != nil || n != total {
		t.Fatalf("deleted %d of %d: %v", n, total, err)
	}
	if got := len(dump(t, s)); got != 0 {
		t.Fatalf("%d records left", got)
	}
}

func TestDeletePrefix(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	for _, p := range []string{"a", "a/b", "ab"} {
		must(t, Put(ctx, s, CursorKey(p, "orders"), 1))
		must(t, Put(ctx, s, CursorKey(p, "stock"), 1))
	}
	n, err := s.DeletePrefix(ctx, NSCursor.ProfilePrefix("a"))
	if err != nil || n != 2 {
		t.Fatalf("DeletePrefix: n=%d err=%v", n, err)
	}
	if got := len(dump(t, s)); got != 4 {
		t.Fatalf("%d records left, want 4 (other profiles untouched)", got)
	}
	if _, err := s.DeletePrefix(ctx, ""); !errors.Is(err, ErrBadKey) {
		t.Fatalf("empty prefix: %v", err)
	}
	if _, err := s.DeletePrefix(ctx, CursorKey("a/b", "orders")); !errors.Is(err, ErrBadKey) {
		t.Fatalf("record key as prefix: %v", err)
	}
}
