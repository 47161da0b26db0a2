package cli

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/jsonconv"
	"github.com/koppel-nl/koppel/host/internal/schedule"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// jsonDataMaps are the keys whose values are maps keyed by data, not by field names: ledger
// calls per connector method, a plugin's own check details, counts per record kind.
var jsonDataMaps = []string{"calls_by_method", "details"}

// TestJSONOutputConventions runs every command that has --json against the simulators, with
// imported, failed and attention data in the state store, and checks each output against the
// conventions (package jsonconv): snake_case keys only, durations as seconds under *_seconds.
func TestJSONOutputConventions(t *testing.T) {
	woo := simulate(t, "woocommerce", "--orders", "4")
	ss := simulate(t, "snelstart-online", "--rate-limit", "-1")
	dir := configDir(t, dashProfile("winkel", woo, ss, ""))
	var items []attention.Item
	inStore(t, dir, func(st *state.Store) { items = raiseItems(t, st) })

	check := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, nil, append(args, "--json", "--config", dir)...)
		if code == ExitUsage || strings.TrimSpace(out) == "" {
			t.Fatalf("%v --json: exit %d, no JSON\n%s\n%s", args, code, out, errs)
		}
		for _, v := range jsonconv.Violations([]byte(out), jsonDataMaps...) {
			t.Errorf("koppel %s --json: %s", strings.Join(args, " "), v)
		}
		return out
	}
	out := check("sync", "winkel", "import_orders")
	failed := regexp.MustCompile(`"status":"failed"[^}]*?"shop_number":"([^"]+)"|"shop_number":"([^"]+)"[^{}]*?"status":"failed"`).FindStringSubmatch(out)
	if failed == nil {
		t.Fatalf("the sync failed no order (one has a payment fee without article):\n%s", out)
	}
	failedNumber := failed[1] + failed[2]
	for _, args := range [][]string{
		{"version"},
		{"plugins"},
		{"check", "winkel"},
		{"runs"},
		{"runs", "winkel"},
		{"orders", "winkel"},
		{"orders", "winkel", "--failed"},
		{"retry", "winkel", failedNumber},
		{"plan", "winkel"},
		{"plan", "winkel", "--order", failedNumber},
		{"plan", "winkel", "export_stock"},
		{"plan", "winkel", "import_articles"},
		{"sync", "winkel", "export_stock"},
		{"sync", "winkel", "import_articles"},
		{"sync", "winkel", "reconcile"},
		{"reconcile", "winkel"},
		{"attention"},
		{"attention", "winkel", "--all"},
		{"resolve", "winkel", items[0].ID},
		{"state", "stats"},
		{"runs", "winkel"}, // again, now with every kind of run on record
	} {
		check(args...)
	}
}

// The daemon's own GET /healthz (it replaces the API's) follows the conventions too: the jobs'
// intervals in seconds, not the scheduler's stored nanoseconds.
func TestHealthzJSONConventions(t *testing.T) {
	next := time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)
	jobs := healthJobs([]schedule.Status{{Record: schedule.Record{Profile: "winkel", Task: "import_orders", Every: 15 * time.Minute,
		Next: next, LastStart: next.Add(-15 * time.Minute), LastEnd: next.Add(-14 * time.Minute), Runs: 3}, Running: true, RunningSince: next}})
	b, err := json.Marshal(health{Status: "ok", Version: "test", Profiles: []string{"winkel"}, Running: 1, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range jsonconv.Violations(b) {
		t.Errorf("GET /healthz: %s", v)
	}
	if !strings.Contains(string(b), `"every_seconds":900`) {
		t.Errorf("GET /healthz gives no every_seconds of 900: %s", b)
	}
}
