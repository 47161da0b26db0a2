package e2e

import (
	"strconv"
	"testing"
)

// Issue 19: two `koppel sync` processes in a row share SnelStart's limit of 100 calls a minute
// (the call budget lives in the state directory, keyed by the administration): together they
// need more than 100 calls, and SnelStart never has to refuse one.
func TestBackToBackSyncsShareTheLimit(t *testing.T) {
	t.Parallel()
	const limit = 100
	r := newRig(t, rigOptions{Orders: 20, AllImportable: true,
		SSArgs:   []string{"--rate-limit", strconv.Itoa(limit)},
		Settings: map[string]string{"ledger.rate_limit": strconv.Itoa(limit), "ledger.hourly_limit": "1000"}})
	code, first, errs := r.sync()
	if code != 0 || first.Imported == 0 {
		t.Fatalf("first sync: exit %d, %+v\n%s", code, first, errs)
	}
	r.newShopOrders(40) // enough for more than 100 calls together, with batched article and customer look-ups
	code, second, errs := r.sync()
	if code != 0 || second.Imported == 0 {
		t.Fatalf("second sync: exit %d, %+v\n%s", code, second, errs)
	}
	st := r.ssStats()
	if st.Requests <= limit {
		t.Fatalf("SnelStart received %d calls, not more than the limit of %d: the test proves nothing", st.Requests, limit)
	}
	if st.RateLimited != 0 || st.MaxPerWindow > limit {
		t.Fatalf("back-to-back syncs went over SnelStart's limit of %d a minute: %+v (calls %d + %d)",
			limit, st, first.LedgerCalls, second.LedgerCalls)
	}
	r.assertExactlyOnce("", r.importable())
	t.Logf("SnelStart received %d calls, at most %d in a minute", st.Requests, st.MaxPerWindow)
}
