package conformance

import (
	"strings"
	"testing"
)

func TestLedgerKitWithTestingT(t *testing.T) {
	TestLedger(t, fakeLedgerHarness(ledgerBugs{}))
}

func TestLedgerKitPassesCorrectFake(t *testing.T) {
	r := newRecorder()
	TestLedger(r, fakeLedgerHarness(ledgerBugs{}))
	if r.Failed() {
		t.Fatalf("kit failed a correct ledger:\n%s", r)
	}
	if s := r.skippedTests(); len(s) != 0 {
		t.Errorf("checks skipped with every hook set: %v\n%s", s, r)
	}
	for _, want := range []string{"schema", "check/valid_config", "check/bad_credentials", "check/unreachable",
		"reference_data", "lookups/unknown_is_empty", "relaties/create_and_find", "articles/find_by_code",
		"sales_orders/create_and_find", "stock/yield_error", "errors/unknown_customer",
		"faults/throttle", "faults/unavailable", "faults/commit_then_500"} {
		if !r.didRun(want) {
			t.Errorf("subtest %s did not run", want)
		}
	}
}

func TestLedgerKitCatchesBrokenLedgers(t *testing.T) {
	tests := []struct {
		name string
		bugs ledgerBugs
		want string
		text string
	}{
		{"unknown customer retryable", ledgerBugs{unknownCustomerRetryable: true}, "errors/unknown_customer", "want permanent"},
		{"reference not searchable", ledgerBugs{referenceNotSearchable: true}, "sales_orders/create_and_find", "FindSalesOrders{Reference"},
		{"e-mail case sensitive", ledgerBugs{emailCaseSensitive: true}, "relaties/create_and_find", "upper case"},
		{"unknown look-up is an error", ledgerBugs{unknownLookupIsError: true}, "lookups/unknown_is_empty", "FindArticles(unknown code)"},
		{"lost answer permanent", ledgerBugs{commitThen500Permanent: true}, "faults/commit_then_500", "want outcome_unknown"},
		{"no revenue groups", ledgerBugs{noRevenueGroups: true}, "reference_data", "no revenue groups"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecorder()
			TestLedger(r, fakeLedgerHarness(tc.bugs))
			t.Logf("kit report:\n%s", r)
			if !hasPrefixIn(r.failedTests(), tc.want) {
				t.Fatalf("subtest %s did not fail; failed: %v\n%s", tc.want, r.failedTests(), r)
			}
			if !strings.Contains(r.String(), tc.text) {
				t.Errorf("no failure mentions %q:\n%s", tc.text, r)
			}
		})
	}
}

func TestLedgerKitLiveReadOnly(t *testing.T) {
	t.Setenv(EnvAcceptanceWrite, "")
	h := fakeLedgerHarness(ledgerBugs{})
	h.Live = true
	h.ArticleCode = "A-1"
	r := newRecorder()
	TestLedger(r, h)
	if r.Failed() {
		t.Fatalf("kit failed a correct live ledger:\n%s", r)
	}
	wantSkipped := []string{"errors/unknown_customer", "faults/commit_then_500", "relaties/create_and_find", "sales_orders/create_and_find", "sales_orders/delete"}
	if got := strings.Join(r.skippedTests(), ","); got != strings.Join(wantSkipped, ",") {
		t.Errorf("skipped %s, want %v", got, wantSkipped)
	}
	if !r.didRun("articles/find_by_code") || r.log.failed["articles/find_by_code"] {
		t.Errorf("read-only article look-up did not run or failed:\n%s", r)
	}
}

func TestLedgerKitBadCredentialsRequired(t *testing.T) {
	h := fakeLedgerHarness(ledgerBugs{})
	h.BadCredentials = nil
	r := newRecorder()
	TestLedger(r, h)
	if !hasPrefixIn(r.failedTests(), "check/bad_credentials") {
		t.Errorf("a harness without BadCredentials was not reported:\n%s", r)
	}
}
