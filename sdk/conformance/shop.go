package conformance

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// ShopHarness tells the kit how to construct and exercise one shop connector.
type ShopHarness struct {
	// Info is the plugin's PluginInfo (the same value it hands to plugin.Serve).
	Info sdk.PluginInfo
	// New constructs an instance from a configuration, as the plugin's NewShop does.
	New func(ctx context.Context, cfg sdk.Config) (sdk.Shop, error)
	// Config is a valid configuration pointing at the simulator (or, in acceptance mode, at a
	// real shop).
	Config sdk.Config
	// BadCredentials is Config with wrong keys (see WithBadCredentials).
	BadCredentials sdk.Config
	// Unreachable is Config with a URL nothing listens on, e.g. http://127.0.0.1:1 (see
	// WithURL).
	Unreachable sdk.Config
	// SeedOrders creates n orders in the system behind Config through its real API and returns
	// their ids. Nil in acceptance mode against a real shop: the kit then only reads what is
	// there.
	SeedOrders func(ctx context.Context, n int) ([]string, error)
	// ModifyOrder changes an order so that its modified time moves strictly forward (a
	// simulator may advance its clock by a second to get past second resolution). Optional.
	ModifyOrder func(ctx context.Context, id string) error
	// InjectFault switches simulator faults on; optional (see Fault).
	InjectFault InjectFunc
	// Query is the base OrderQuery for listings (Since, Statuses). Its zero value lists
	// everything in the plugin's default statuses; against a real shop set Since so the kit
	// reads a bounded number of orders.
	Query sdk.OrderQuery
	// Orders is how many orders the paging check seeds; default 250.
	Orders int
	// StopAfter lists the numbers of items after which the paging check stops and resumes;
	// default 37 and 100 (mid-page and exactly at the usual page size).
	StopAfter []int
	// Live marks a harness pointed at a real service: the kit then writes (SeedOrders,
	// ModifyOrder) only when KOPPEL_ACC_WRITE=1.
	Live bool
	// Timeout bounds each check; default DefaultTimeout.
	Timeout time.Duration
}

func (h ShopHarness) writes() bool { return !h.Live || AcceptanceWrites() }

// TestShop runs the shop contract checks as subtests of t:
//
//	schema                          schema valid, documented, credentials Sensitive
//	check/valid_config              Check succeeds with a Summary and no secrets in the result
//	check/bad_credentials           KindAuth, message without secrets
//	check/unreachable               KindUnreachable, message without secrets
//	orders/well_formed              ids, UTC times, cursors, totals consistent, oldest first
//	orders/paging/stop_after_N      stop-and-resume listing loses nothing and makes progress
//	orders/modified_mid_listing     an order modified between resumes is seen again, newer
//	orders/by_ids                   OrderQuery.IDs lists exactly those orders
//	orders/yield_error              an error from yield is returned unchanged
//	orders/cancelled_context        a cancelled context ends the listing with an error
//	faults/throttle, faults/unavailable   KindRetryable (needs InjectFault)
//
// Checks that need writes (seeding, modifying) are skipped when the harness cannot write.
func TestShop[T Runner[T]](t T, h ShopHarness) {
	t.Helper()
	if h.New == nil {
		t.Fatalf("ShopHarness.New is nil")
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	secrets := secretValues(h.Info.Schema, h.Config, h.BadCredentials, h.Unreachable)

	t.Run("schema", func(t T) {
		checkSchema(t, h.Info, sdk.KindShop, map[string]sdk.Config{
			"Config": h.Config, "BadCredentials": h.BadCredentials, "Unreachable": h.Unreachable})
	})
	checkConnection(t, timeout, secrets, h.New, h.Config, h.BadCredentials, h.Unreachable)

	// newShop constructs the instance under test for one subtest.
	newShop := func(t TB, ctx context.Context) sdk.Shop {
		t.Helper()
		s, err := h.New(ctx, h.Config)
		if err != nil {
			t.Fatalf("New(Config): %s", redact(describe(err), secrets))
		}
		return s
	}

	// Seed once for the listing checks.
	var seeded []string
	seedErr := error(nil)
	if h.SeedOrders != nil && h.writes() {
		n := h.Orders
		if n <= 0 {
			n = 250
		}
		ctx, cancel := ctxFor(timeout)
		seeded, seedErr = h.SeedOrders(ctx, n)
		cancel()
		if seedErr == nil && len(seeded) != n {
			seedErr = fmt.Errorf("SeedOrders(%d) returned %d ids", n, len(seeded))
		}
	}

	t.Run("orders/well_formed", func(t T) {
		if seedErr != nil {
			t.Fatalf("seeding: %v", seedErr)
		}
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		items, err := collect(ctx, newShop(t, ctx), h.Query, 0)
		if err != nil {
			t.Fatalf("ListOrders: %s", redact(describe(err), secrets))
		}
		if len(items) == 0 {
			t.Fatalf("ListOrders yielded nothing; the kit needs orders to check")
		}
		reported := 0
		for i, it := range items {
			for _, p := range orderProblems(it) {
				if reported++; reported <= 20 {
					t.Errorf("item %d (order %q): %s", i, it.Order.ID, p)
				}
			}
			if i > 0 && it.Order.ModifiedAt.Before(items[i-1].Order.ModifiedAt) {
				t.Errorf("item %d (order %q) modified %s comes after one modified %s: not oldest first",
					i, it.Order.ID, it.Order.ModifiedAt, items[i-1].Order.ModifiedAt)
			}
		}
		if reported > 20 {
			t.Errorf("... %d problems in all", reported)
		}
	})

	stops := h.StopAfter
	if len(stops) == 0 {
		stops = []int{37, 100}
	}
	for _, k := range stops {
		t.Run(fmt.Sprintf("orders/paging/stop_after_%d", k), func(t T) {
			if seedErr != nil {
				t.Fatalf("seeding: %v", seedErr)
			}
			ctx, cancel := ctxFor(timeout)
			defer cancel()
			shop := newShop(t, ctx)
			baseline, err := collect(ctx, shop, h.Query, 0)
			if err != nil {
				t.Fatalf("full listing: %s", redact(describe(err), secrets))
			}
			want := map[string]bool{}
			for _, it := range baseline {
				want[it.Order.ID] = true
			}
			for _, id := range seeded {
				if !want[id] {
					t.Errorf("seeded order %q missing from the full listing", id)
				}
			}
			if len(want) <= k {
				t.Logf("only %d orders: stopping after %d never resumes", len(want), k)
			}
			res := resumeAll(ctx, shop, h.Query, "", k, len(want)+10)
			if res.err != nil {
				t.Fatalf("%s", redact(res.err.Error(), secrets))
			}
			for _, p := range res.problems {
				t.Errorf("%s", p)
			}
			var lost []string
			for id := range want {
				if !res.ids[id] {
					lost = append(lost, id)
				}
			}
			sort.Strings(lost)
			if len(lost) > 0 {
				t.Errorf("%d of %d orders lost across %d resumes (stop after %d): %s",
					len(lost), len(want), res.rounds-1, k, strings.Join(first(lost, 10), ", "))
			}
			if !h.Live {
				for id := range res.ids {
					if !want[id] {
						t.Errorf("order %q listed after resuming but not in the full listing", id)
					}
				}
			}
			t.Logf("%d orders, %d resumes, %d yielded, %d repeats", len(want), res.rounds-1, res.yielded, res.yielded-len(res.keys))
		})
	}

	t.Run("orders/modified_mid_listing", func(t T) {
		if h.ModifyOrder == nil || !h.writes() {
			t.Skipf("harness has no ModifyOrder or may not write")
		}
		if seedErr != nil {
			t.Fatalf("seeding: %v", seedErr)
		}
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		shop := newShop(t, ctx)
		var firstItems []sdk.OrderItem
		err := shop.ListOrders(ctx, h.Query, func(it sdk.OrderItem) error {
			firstItems = append(firstItems, it)
			if len(firstItems) >= 2 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("ListOrders did not return the yield's error (need at least 2 orders): %v", redact(describe(err), secrets))
		}
		target := firstItems[0].Order
		if err := h.ModifyOrder(ctx, target.ID); err != nil {
			t.Fatalf("ModifyOrder(%q): %v", target.ID, err)
		}
		var seenAgain []time.Time
		q := h.Query
		q.Cursor = firstItems[len(firstItems)-1].Cursor
		err = shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
			if it.Order.ID == target.ID {
				seenAgain = append(seenAgain, it.Order.ModifiedAt)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("resumed ListOrders: %s", redact(describe(err), secrets))
		}
		newer := false
		for _, m := range seenAgain {
			if m.After(target.ModifiedAt) {
				newer = true
			}
		}
		if !newer {
			t.Errorf("order %q was modified after it was listed (modified %s), but resuming from the cursor did not list it with a newer modified time (seen: %v)",
				target.ID, target.ModifiedAt, seenAgain)
		}
	})

	t.Run("orders/by_ids", func(t T) {
		if seedErr != nil {
			t.Fatalf("seeding: %v", seedErr)
		}
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		shop := newShop(t, ctx)
		ids := first(seeded, 3)
		if len(ids) == 0 {
			some, err := collectN(ctx, shop, h.Query, 3)
			if err != nil {
				t.Fatalf("ListOrders: %s", redact(describe(err), secrets))
			}
			for _, it := range some {
				ids = append(ids, it.Order.ID)
			}
		}
		if len(ids) == 0 {
			t.Fatalf("no orders to ask for by id")
		}
		got := map[string]int{}
		err := shop.ListOrders(ctx, sdk.OrderQuery{IDs: ids}, func(it sdk.OrderItem) error {
			got[it.Order.ID]++
			return nil
		})
		if err != nil {
			t.Fatalf("ListOrders{IDs}: %s", redact(describe(err), secrets))
		}
		for _, id := range ids {
			if got[id] == 0 {
				t.Errorf("order %q asked for by id was not listed", id)
			}
		}
		for id := range got {
			if !contains(ids, id) {
				t.Errorf("order %q listed but not asked for", id)
			}
		}
	})

	t.Run("orders/yield_error", func(t T) {
		ctx, cancel := ctxFor(timeout)
		defer cancel()
		calls := 0
		err := newShop(t, ctx).ListOrders(ctx, h.Query, func(sdk.OrderItem) error {
			calls++
			return errStop
		})
		if calls == 0 {
			t.Skipf("no orders to list")
		}
		if !errors.Is(err, errStop) {
			t.Errorf("ListOrders returned %v, want the yield's error", err)
		}
		if calls != 1 {
			t.Errorf("yield called %d times after it returned an error, want 1", calls)
		}
	})

	t.Run("orders/cancelled_context", func(t T) {
		ctx, cancel := context.WithCancel(context.Background())
		shop := newShop(t, ctx)
		cancel()
		done := make(chan error, 1)
		go func() {
			done <- shop.ListOrders(ctx, h.Query, func(sdk.OrderItem) error { return nil })
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("ListOrders with a cancelled context returned nil")
			}
		case <-time.After(10 * time.Second):
			t.Errorf("ListOrders with a cancelled context did not return within 10s")
		}
	})

	for _, f := range []Fault{FaultThrottle, FaultUnavailable} {
		t.Run("faults/"+string(f), func(t T) {
			ctx, cancel := ctxFor(timeout)
			defer cancel()
			shop := newShop(t, ctx)
			restore := injectFault(t, ctx, h.InjectFault, f)
			err := shop.ListOrders(ctx, h.Query, func(sdk.OrderItem) error { return nil })
			restore()
			if sdk.KindOf(err) != sdk.KindRetryable {
				t.Errorf("ListOrders under %s: kind %q (%s), want retryable", f, sdk.KindOf(err), redact(describe(err), secrets))
			}
			if f == FaultThrottle && sdk.RetryAfterOf(err) <= 0 {
				t.Errorf("ListOrders under %s: RetryAfter not set", f)
			}
			noSecrets(t, "error", errorText(err), secrets)
		})
	}
}

// orderKey identifies one version of an order: the host's dedupe key.
type orderKey struct {
	id       string
	modified int64
}

// resumeResult is what resumeAll found.
type resumeResult struct {
	ids      map[string]bool
	keys     map[orderKey]bool
	yielded  int
	rounds   int
	problems []string
	err      error
}

// resumeAll lists from cursor, stopping after k items each time and resuming from the last
// cursor, until a listing ends by itself. Each resumed round must yield at least one order
// version not seen before, or the listing could never end.
func resumeAll(ctx context.Context, shop sdk.Shop, base sdk.OrderQuery, cursor string, k, maxRounds int) resumeResult {
	r := resumeResult{ids: map[string]bool{}, keys: map[orderKey]bool{}}
	for {
		r.rounds++
		if r.rounds > maxRounds {
			r.err = fmt.Errorf("listing did not end after %d resumes", maxRounds)
			return r
		}
		q := base
		q.Cursor = cursor
		n, fresh := 0, 0
		last := ""
		err := shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
			n++
			r.yielded++
			if it.Cursor == "" {
				r.problems = append(r.problems, fmt.Sprintf("order %q yielded without a cursor", it.Order.ID))
			}
			key := orderKey{it.Order.ID, it.Order.ModifiedAt.UnixNano()}
			if !r.keys[key] {
				fresh++
				r.keys[key] = true
			}
			r.ids[it.Order.ID] = true
			last = it.Cursor
			if n >= k {
				return errStop
			}
			return nil
		})
		switch {
		case errors.Is(err, errStop):
			if fresh == 0 {
				r.err = fmt.Errorf("resume %d from cursor %q yielded %d orders, all seen before: the cursor makes no progress", r.rounds-1, cursor, n)
				return r
			}
			if last == "" {
				r.err = fmt.Errorf("no cursor to resume from after round %d", r.rounds)
				return r
			}
			cursor = last
		case err != nil:
			r.err = fmt.Errorf("ListOrders (resume %d, cursor %q): %s", r.rounds-1, cursor, describe(err))
			return r
		default:
			return r
		}
	}
}

// collect lists everything (limit 0) or up to limit items.
func collect(ctx context.Context, shop sdk.Shop, q sdk.OrderQuery, limit int) ([]sdk.OrderItem, error) {
	var items []sdk.OrderItem
	err := shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		items = append(items, it)
		if limit > 0 && len(items) >= limit {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return items, err
}

// collectN lists at most n items.
func collectN(ctx context.Context, shop sdk.Shop, q sdk.OrderQuery, n int) ([]sdk.OrderItem, error) {
	return collect(ctx, shop, q, n)
}

// orderProblems lists the contract violations of one yielded order.
func orderProblems(it sdk.OrderItem) []string {
	var p []string
	o := it.Order
	if o.ID == "" {
		p = append(p, "empty ID")
	}
	if it.Cursor == "" {
		p = append(p, "empty cursor")
	}
	if o.CreatedAt.IsZero() || o.ModifiedAt.IsZero() {
		p = append(p, "CreatedAt or ModifiedAt not set")
	}
	if o.CreatedAt.Location() != time.UTC || o.ModifiedAt.Location() != time.UTC {
		p = append(p, "times not in UTC")
	}
	if len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency {
		p = append(p, fmt.Sprintf("currency %q is not an ISO 4217 code", o.Currency))
	}
	if !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
		p = append(p, fmt.Sprintf("totals: %s + %s tax != %s", o.Totals.TotalExcl, o.Totals.Tax, o.Totals.Total))
	}
	for i, l := range o.Lines {
		if !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) {
			p = append(p, fmt.Sprintf("line %d: %s + %s tax != %s", i, l.TotalExcl, l.Tax, l.TotalIncl))
		}
	}
	for _, group := range [][]sdk.Charge{o.ShippingLines, o.Fees, o.Discounts} {
		for _, c := range group {
			if !c.TotalExcl.Add(c.Tax).Equal(c.TotalIncl) {
				p = append(p, fmt.Sprintf("charge %q: %s + %s tax != %s", c.Name, c.TotalExcl, c.Tax, c.TotalIncl))
			}
		}
	}
	return p
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
