package state

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

type orderRec struct {
	Invoice string          `json:"invoice"`
	Total   decimal.Decimal `json:"total"`
}

func TestGetPutDelete(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	key := OrderKey("shop/1", "1001")

	if _, ok, err := Get[orderRec](ctx, s, key); err != nil || ok {
		t.Fatalf("Get missing: ok=%v err=%v", ok, err)
	}
	want := orderRec{Invoice: "F-1", Total: decimal.RequireFromString("1234.56")}
	if err := Put(ctx, s, key, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := Get[orderRec](ctx, s, key)
	if err != nil || !ok {
		t.Fatalf("Get: ok=%v err=%v", ok, err)
	}
	if got.Invoice != want.Invoice || !got.Total.Equal(want.Total) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	// The same id under another profile is another record.
	if _, ok, _ := Get[orderRec](ctx, s, OrderKey("shop", "1001")); ok {
		t.Fatal("record visible under another profile")
	}
	if err := Delete(ctx, s, key); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Get[orderRec](ctx, s, key); ok {
		t.Fatal("record still there after Delete")
	}
	if err := Delete(ctx, s, key); err != nil {
		t.Fatalf("Delete of missing key: %v", err)
	}
	// Decoding into the wrong type is an error naming the key, not a panic.
	if err := Put(ctx, s, key, "a string"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Get[orderRec](ctx, s, key); err == nil {
		t.Fatal("decoding a string into a struct succeeded")
	}
}

func TestPutRejects(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	tests := []struct {
		name string
		key  Key
		v    any
		opts []PutOption
	}{
		{"prefix key", NSOrder.ProfilePrefix("p"), 1, nil},
		{"empty key", "", 1, nil},
		{"unencodable value", OrderKey("p", "1"), func() {}, nil},
		{"non-positive ttl", OrderKey("p", "1"), 1, []PutOption{WithTTL(0)}},
		{"key too long", OrderKey("p", strings.Repeat("x", MaxKeyLen)), 1, nil},
		{"badger-reserved key", Key("!badger!head"), 1, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Put(ctx, s, tc.key, tc.v, tc.opts...); err == nil {
				t.Fatal("Put succeeded")
			}
		})
	}
	if n := len(dump(t, s)); n != 0 {
		t.Fatalf("%d records written by rejected Puts", n)
	}
	long := OrderKey("p", strings.Repeat("x", MaxKeyLen))
	for name, err := range map[string]error{
		"Get":    func() error { _, _, err := Get[int](ctx, s, long); return err }(),
		"Delete": Delete(ctx, s, long),
		"Put":    Put(ctx, s, long, 1),
	} {
		if !errors.Is(err, ErrBadKey) || len(err.Error()) > 300 {
			t.Errorf("%s with over-long key: %.300v", name, err)
		}
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	if err := Put(ctx, s, StockKey("p", "old"), 1, WithExpiresAt(time.Now().Add(-2*time.Second))); err != nil {
		t.Fatal(err)
	}
	if err := Put(ctx, s, StockKey("p", "new"), 2, WithTTL(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Get[int](ctx, s, StockKey("p", "old")); ok {
		t.Fatal("expired record still readable")
	}
	if v, ok, _ := Get[int](ctx, s, StockKey("p", "new")); !ok || v != 2 {
		t.Fatalf("record with future expiry: ok=%v v=%d", ok, v)
	}
}

func TestListOrderAndIsolation(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	// Insert out of order, for profile "a" and for profiles that share its
	// textual prefix.
	for _, i := range []int{3, 0, 4, 1, 2} {
		if err := Put(ctx, s, RunKey("a", base.Add(time.Duration(i)*time.Hour)), i); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"a/b", "ab", "a%"} {
		if err := Put(ctx, s, RunKey(p, base), 99); err != nil {
			t.Fatal(err)
		}
	}
	collect := func(opts ...ListOption) []int {
		var got []int
		err := List(ctx, s, NSRun.ProfilePrefix("a"), func(k Key, v int) error {
			got = append(got, v)
			return nil
		}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	tests := []struct {
		name string
		opts []ListOption
		want []int
	}{
		{"ascending", nil, []int{0, 1, 2, 3, 4}},
		{"most recent first", []ListOption{Reverse()}, []int{4, 3, 2, 1, 0}},
		{"limit", []ListOption{Limit(2)}, []int{0, 1}},
		{"latest two", []ListOption{Reverse(), Limit(2)}, []int{4, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := collect(tc.opts...); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// ErrStop ends the walk without an error; other errors are returned.
	n := 0
	err := List(ctx, s, NSRun.Prefix(), func(Key, int) error { n++; return ErrStop })
	if err != nil || n != 1 {
		t.Fatalf("ErrStop: n=%d err=%v", n, err)
	}
	boom := errors.New("boom")
	if err := List(ctx, s, NSRun.Prefix(), func(Key, int) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("callback error: got %v", err)
	}
	// Whole namespace, reverse: the last key is the largest.
	var keys []string
	if err := List(ctx, s, NSRun.Prefix(), func(k Key, _ int) error { keys = append(keys, string(k)); return nil }, Reverse()); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 8 || !slices.IsSortedFunc(keys, func(a, b string) int { return -compare(a, b) }) {
		t.Fatalf("reverse over namespace: %q", keys)
	}
	// A reverse walk is not disturbed by a key equal to the prefix's successor.
	if err := Put(ctx, s, Key("run0"), 7); err != nil {
		t.Fatal(err)
	}
	if got := collect(Reverse(), Limit(1)); !slices.Equal(got, []int{4}) {
		t.Fatalf("reverse with neighbour key: %v", got)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := List(cancelled, s, NSRun.Prefix(), func(Key, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestTxHelpers(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	var leaked *Tx
	err := s.Update(ctx, func(tx *Tx) error {
		leaked = tx
		if err := tx.Put(CursorKey("p", "orders"), map[string]string{"since": "x"}); err != nil {
			return err
		}
		if err := Put(ctx, tx, CursorKey("p", "stock"), map[string]string{"since": "y"}); err != nil {
			return err
		}
		var m map[string]string
		if ok, err := tx.Get(CursorKey("p", "orders"), &m); err != nil || !ok || m["since"] != "x" {
			t.Errorf("tx.Get of pending write: ok=%v m=%v err=%v", ok, m, err)
		}
		n := 0
		if err := List(ctx, tx, NSCursor.ProfilePrefix("p"), func(Key, map[string]string) error { n++; return nil }); err != nil {
			return err
		}
		if n != 2 {
			t.Errorf("List in tx saw %d pending records, want 2", n)
		}
		return tx.Delete(CursorKey("p", "stock"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t, s); len(got) != 1 || got[CursorKey("p", "orders")] != `{"since":"x"}` {
		t.Fatalf("after Update: %v", got)
	}
	if err := leaked.Put(CursorKey("p", "late"), 1); !errors.Is(err, ErrTxDone) {
		t.Fatalf("use after return: %v", err)
	}
	if err := List(ctx, leaked, "", func(Key, int) error { return nil }); !errors.Is(err, ErrTxDone) {
		t.Fatalf("List after return: %v", err)
	}
	err = s.View(ctx, func(tx *Tx) error { return tx.Put(CursorKey("p", "x"), 1) })
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write in View: %v", err)
	}
	// An error from fn aborts: nothing is written.
	boom := errors.New("boom")
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.Put(CursorKey("p", "aborted"), 1); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	if _, ok, _ := Get[int](ctx, s, CursorKey("p", "aborted")); ok {
		t.Fatal("aborted write is visible")
	}
}
