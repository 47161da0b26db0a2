package woocommerce

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// The cursor survives a store that sorts the orders of one second anew on every request
// (simulator default, as a real WooCommerce with HPOS): at every page size from 1 to 100, a
// listing stopped every 23 orders and resumed from the last cursor hands out every order exactly
// once. The orders crowd into a few seconds (up to 41 in one), so seconds straddle pages at every
// size; checkout-draft and auto-draft orders in them are never handed out.
func TestCursorSurvivesShuffledTiesAtEveryPageSize(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{RandSeed: 23})
	base := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	crowd := []int{1, 41, 7, 1, 23, 2, 9}
	want := map[string]bool{}
	for sec, n := range crowd {
		for i := 0; i < n; i++ {
			st := "processing"
			switch i % 17 {
			case 5:
				st = "checkout-draft"
			case 11:
				st = "auto-draft"
			}
			o, err := sim.AddOrder(simulator.Order{Status: st, DateCreated: base.Add(-time.Hour), DateModified: base.Add(time.Duration(sec) * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			if st == "processing" {
				want[o.Number] = true
			}
		}
	}
	stop := errors.New("stop")
	for size := 1; size <= 100; size++ {
		s := newTestShop(t, u, func(c sdk.Config) { c.Set(attrPageSize, size) })
		got := map[string]int{}
		cursor := ""
		for resumes := 0; ; resumes++ {
			if resumes > len(want) {
				t.Fatalf("page size %d: no end after %d resumes", size, resumes)
			}
			n := 0
			err := s.ListOrders(context.Background(), sdk.OrderQuery{Cursor: cursor, Statuses: []string{"any"}}, func(it sdk.OrderItem) error {
				if it.Order.Status != "processing" {
					t.Fatalf("page size %d: order %s with status %s handed out", size, it.Order.ID, it.Order.Status)
				}
				got[it.Order.Number]++
				cursor = it.Cursor
				n++
				if n == 23 {
					return stop
				}
				return nil
			})
			if err == nil {
				break
			}
			if !errors.Is(err, stop) {
				t.Fatalf("page size %d: %v", size, err)
			}
		}
		for num := range want {
			if got[num] != 1 {
				t.Errorf("page size %d: order %s handed out %d times", size, num, got[num])
			}
		}
		if len(got) != len(want) {
			t.Errorf("page size %d: %d orders handed out, want %d", size, len(got), len(want))
		}
		if t.Failed() {
			return
		}
	}
}
