package attention

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

func memStore(t *testing.T) *state.Store {
	t.Helper()
	s, err := state.Open(context.Background(), "", state.Options{InMemory: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func money(s string) *sdk.Money {
	m := sdk.MustMoney(s)
	return &m
}

func TestRaiseIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st := memStore(t)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	it := Item{Kind: KindChanged, ShopID: "42", ShopNumber: "1042", Detail: "2026-12-01T09:00:00Z",
		LedgerNumber: 7, ShopTotal: money("90.00"), LedgerTotal: money("100.00"),
		Message: "Order 1042 is gewijzigd", Action: "Pas verkooporder 7 aan"}

	first, created, err := Raise(ctx, st, "shop", it, t0)
	if err != nil || !created {
		t.Fatalf("first raise: created=%v err=%v", created, err)
	}
	if first.ID != ItemID(KindChanged, "42", "2026-12-01T09:00:00Z") || len(first.ID) != 12 {
		t.Fatalf("id = %q", first.ID)
	}
	it.ShopTotal = money("80.00")
	again, created, err := Raise(ctx, st, "shop", it, t0.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("second raise: created=%v err=%v", created, err)
	}
	if !again.CreatedAt.Equal(t0) || !again.UpdatedAt.Equal(t0.Add(time.Hour)) || again.ShopTotal.String() != "80" {
		t.Fatalf("refreshed item = %+v", again)
	}
	n, err := CountOpen(ctx, st, "shop")
	if err != nil || n != 1 {
		t.Fatalf("open = %d, %v; want 1", n, err)
	}

	// Resolved stays resolved when raised again.
	res, was, err := Resolve(ctx, st, "shop", first.ID[:6], "cli", "aangepast", t0.Add(2*time.Hour))
	if err != nil || !was || res.Open() || res.ResolvedBy != "cli" || res.Note != "aangepast" {
		t.Fatalf("resolve: %+v was=%v err=%v", res, was, err)
	}
	after, created, err := Raise(ctx, st, "shop", it, t0.Add(3*time.Hour))
	if err != nil || created || after.Open() {
		t.Fatalf("raise after resolve: %+v created=%v err=%v", after, created, err)
	}
	if _, was, err := Resolve(ctx, st, "shop", first.ID, "cli", "", t0); err != nil || was {
		t.Fatalf("second resolve: was=%v err=%v", was, err)
	}
	if n, _ := CountOpen(ctx, st, "shop"); n != 0 {
		t.Fatalf("open after resolve = %d", n)
	}

	// Another detail key is another situation.
	it.Detail = "2026-12-02T09:00:00Z"
	if _, created, err := Raise(ctx, st, "shop", it, t0); err != nil || !created {
		t.Fatalf("new detail: created=%v err=%v", created, err)
	}
	open, err := List(ctx, st, "shop", Filter{})
	if err != nil || len(open) != 1 {
		t.Fatalf("open items = %v, %v", open, err)
	}
	all, err := List(ctx, st, "shop", Filter{All: true, ShopID: "42"})
	if err != nil || len(all) != 2 {
		t.Fatalf("all items = %v, %v", all, err)
	}
	if other, err := List(ctx, st, "other", Filter{All: true}); err != nil || len(other) != 0 {
		t.Fatalf("other profile sees %v, %v", other, err)
	}
}

func TestRaiseAndResolveErrors(t *testing.T) {
	ctx := context.Background()
	st := memStore(t)
	now := time.Now()
	cases := []struct {
		name string
		it   Item
	}{
		{"no kind", Item{Action: "x"}},
		{"bad kind", Item{Kind: "Bad Kind", Action: "x"}},
		{"no action", Item{Kind: KindRefunded}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Raise(ctx, st, "p", tc.it, now); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	if _, _, err := Resolve(ctx, st, "p", "abcdef", "cli", "", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown item: %v", err)
	}
	if _, _, err := Resolve(ctx, st, "p", "ab", "cli", "", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("short id: %v", err)
	}
	if _, err := Get(ctx, st, "p", "nothing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get unknown: %v", err)
	}
}
