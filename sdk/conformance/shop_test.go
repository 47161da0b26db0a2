package conformance

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// TestShopKitWithTestingT runs the kit on a correct fake with the real *testing.T, as a
// connector's test does.
func TestShopKitWithTestingT(t *testing.T) {
	TestShop(t, fakeShopHarness(shopBugs{}))
}

func TestShopKitPassesCorrectFake(t *testing.T) {
	r := newRecorder()
	TestShop(r, fakeShopHarness(shopBugs{}))
	if r.Failed() {
		t.Fatalf("kit failed a correct shop:\n%s", r)
	}
	if s := r.skippedTests(); len(s) != 0 {
		t.Errorf("checks skipped with every hook set: %v", s)
	}
	for _, want := range []string{"schema", "check/valid_config", "check/bad_credentials", "check/unreachable",
		"orders/well_formed", "orders/paging/stop_after_37", "orders/paging/stop_after_100",
		"orders/modified_mid_listing", "orders/by_ids", "orders/yield_error", "orders/cancelled_context",
		"faults/throttle", "faults/unavailable"} {
		if !r.didRun(want) {
			t.Errorf("subtest %s did not run", want)
		}
	}
}

func TestShopKitCatchesBrokenShops(t *testing.T) {
	tests := []struct {
		name string
		bugs shopBugs
		want string // a subtest that must fail
		text string // and a word its message must contain
	}{
		{"drops an order on resume", shopBugs{dropOnResume: true}, "orders/paging/stop_after_37", "lost"},
		{"cursor makes no progress", shopBugs{noProgress: true}, "orders/paging/stop_after_37", "no progress"},
		{"modified order not seen again", shopBugs{orderByCreated: true}, "orders/modified_mid_listing", "newer modified"},
		{"bad credentials misclassified", shopBugs{wrongAuthKind: true}, "check/bad_credentials", "want \"auth\""},
		{"secret in error", shopBugs{leakSecret: true}, "check/bad_credentials", "secret"},
		{"yield error swallowed", shopBugs{ignoreYieldError: true}, "orders/yield_error", "yield's error"},
		{"throttle misclassified", shopBugs{throttleAsPerm: true}, "faults/throttle", "want retryable"},
		{"totals inconsistent", shopBugs{badTotals: true}, "orders/well_formed", "totals"},
		{"credential not sensitive", shopBugs{secretNotFlagged: true}, "schema", "Sensitive"},
		{"IDs ignored", shopBugs{missingIDsInQuery: true}, "orders/by_ids", "not asked for"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecorder()
			TestShop(r, fakeShopHarness(tc.bugs))
			t.Logf("kit report:\n%s", r)
			if !r.Failed() {
				t.Fatalf("kit passed a broken shop:\n%s", r)
			}
			failed := r.failedTests()
			if !hasPrefixIn(failed, tc.want) {
				t.Fatalf("subtest %s did not fail; failed: %v\n%s", tc.want, failed, r)
			}
			if !strings.Contains(r.String(), tc.text) {
				t.Errorf("no failure mentions %q:\n%s", tc.text, r)
			}
		})
	}
}

func TestShopKitLiveWithoutWritesSeedsNothing(t *testing.T) {
	t.Setenv(EnvAcceptanceWrite, "")
	h := fakeShopHarness(shopBugs{})
	var seeds, mods atomic.Int64
	seed, modify := h.SeedOrders, h.ModifyOrder
	// The "real shop" already holds orders; the kit must only read them.
	if _, err := seed(context.Background(), 60); err != nil {
		t.Fatal(err)
	}
	h.SeedOrders = func(ctx context.Context, n int) ([]string, error) { seeds.Add(1); return seed(ctx, n) }
	h.ModifyOrder = func(ctx context.Context, id string) error { mods.Add(1); return modify(ctx, id) }
	h.Live = true
	r := newRecorder()
	TestShop(r, h)
	if r.Failed() {
		t.Fatalf("kit failed a correct live shop:\n%s", r)
	}
	if seeds.Load() != 0 || mods.Load() != 0 {
		t.Errorf("live harness without KOPPEL_ACC_WRITE: %d seeds, %d modifications", seeds.Load(), mods.Load())
	}
	if s := r.skippedTests(); len(s) != 1 || s[0] != "orders/modified_mid_listing" {
		t.Errorf("skipped %v, want only the write check", s)
	}

	t.Setenv(EnvAcceptanceWrite, "1")
	TestShop(newRecorder(), h)
	if seeds.Load() != 1 || mods.Load() != 1 {
		t.Errorf("with KOPPEL_ACC_WRITE=1: %d seeds, %d modifications, want 1 and 1", seeds.Load(), mods.Load())
	}
}

func TestShopKitReportsSeedFailure(t *testing.T) {
	h := fakeShopHarness(shopBugs{})
	h.SeedOrders = func(ctx context.Context, n int) ([]string, error) { return []string{"1"}, nil }
	r := newRecorder()
	TestShop(r, h)
	if !hasPrefixIn(r.failedTests(), "orders/paging") || !strings.Contains(r.String(), "SeedOrders(120) returned 1 ids") {
		t.Errorf("a short seed was not reported:\n%s", r)
	}
}

func TestShopKitNilNew(t *testing.T) {
	r := newRecorder()
	r.Run("x", func(r *recorder) { TestShop(r, ShopHarness{}) })
	if !r.Failed() || !strings.Contains(r.String(), "New is nil") {
		t.Errorf("nil New not reported:\n%s", r)
	}
}

func TestOrderProblems(t *testing.T) {
	good := sdk.OrderItem{Cursor: "c", Order: sdk.Order{ID: "1", Currency: "EUR",
		CreatedAt: time.Unix(1, 0).UTC(), ModifiedAt: time.Unix(2, 0).UTC()}}
	if p := orderProblems(good); len(p) != 0 {
		t.Errorf("good order: %v", p)
	}
	bad := good
	bad.Order.ModifiedAt = time.Unix(2, 0).In(time.FixedZone("CET", 3600))
	bad.Order.Currency = "eur"
	bad.Cursor = ""
	if p := orderProblems(bad); len(p) != 3 {
		t.Errorf("bad order: %v, want 3 problems", p)
	}
}
