package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// TestExitCodesAndChoices holds every command to docs/cli.md: exit 0 on success, 1 when the work
// failed, 2 on bad usage or an invalid configuration; a missing argument is a usage error that
// lists the choices (profiles, tasks, commands, items, failed orders, kinds) so the next command
// line can be typed from the message.
func TestExitCodesAndChoices(t *testing.T) {
	dead := freePort(t)
	dir := configDir(t, profileText(dead, dead, "ZGVtbzpkZW1v", "cs_demo"))
	var items []attention.Item
	inStore(t, dir, func(st *state.Store) {
		items = raiseItems(t, st)
		now := time.Now()
		if err := state.Put(context.Background(), st, state.FailedKey("winkel", "77"), pipeline.FailedRecord{ShopID: "77", ShopNumber: "1077",
			Reason: "article X does not exist", Kind: "permanent", Parked: true, Attempts: 1, FirstFailedAt: now, LastFailedAt: now,
			Order: sdk.Order{ID: "77", Number: "1077"}}); err != nil {
			t.Fatal(err)
		}
	})
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "profile.hcl"), []byte("profile \"x\" {\n  shop \"woocommerce\" {\n    url = 12\n  }\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		args []string
		code int
		want string // in stderr (usage, failure) or stdout (success)
	}{
		// Missing arguments list the choices.
		{[]string{}, ExitUsage, "noem een opdracht: koppel COMMAND (opdrachten: "},
		{[]string{"sync"}, ExitUsage, "noem een profiel: koppel sync PROFILE TASK (profielen: winkel)"},
		{[]string{"sync", "winkel"}, ExitUsage, "noem een taak: koppel sync winkel TASK (taken: import_orders, import_articles, export_stock, import_orders_export_stock, reconcile)"},
		{[]string{"sync", "winkel", "bogus"}, ExitUsage, `onbekende taak "bogus" (taken: import_orders, import_articles, export_stock, import_orders_export_stock, reconcile)`},
		{[]string{"sync", "nobody", "import_orders"}, ExitUsage, `geen profiel "nobody"`},
		{[]string{"orders"}, ExitUsage, "noem een profiel: koppel orders PROFILE (profielen: winkel)"},
		{[]string{"orders", "nobody"}, ExitUsage, "(profielen: winkel)"},
		{[]string{"retry"}, ExitUsage, "noem een profiel: koppel retry PROFILE"},
		{[]string{"retry", "winkel"}, ExitUsage, "noem de orders om opnieuw te proberen: koppel retry winkel ORDER... of --all-failed (mislukte orders: 1077)"},
		{[]string{"retry", "winkel", "1077", "--all-failed"}, ExitUsage, "niet allebei"},
		{[]string{"check"}, ExitUsage, "noem een profiel: koppel check PROFILE (profielen: winkel)"},
		{[]string{"reconcile"}, ExitUsage, "noem een profiel: koppel reconcile PROFILE (profielen: winkel)"},
		{[]string{"reconcile", "winkel", "--since", "gisteren"}, ExitUsage, "write a date like 2026-11-01"},
		{[]string{"plan"}, ExitUsage, "noem een profiel: koppel plan PROFILE [TASK] (profielen: winkel)"},
		{[]string{"plan", "winkel", "bogus"}, ExitUsage, `koppel plan toont geen voorbeeld van taak "bogus" (taken: import_orders, export_stock, import_articles)`},
		{[]string{"resolve"}, ExitUsage, "noem een profiel: koppel resolve PROFILE ITEM (profielen: winkel)"},
		{[]string{"resolve", "winkel"}, ExitUsage, "name an item: koppel resolve winkel ITEM (open items: " + items[0].ID + " (cancelled 1077), " + items[1].ID + " (changed 1078)"},
		{[]string{"resolve", "winkel", "ffffffffff"}, ExitUsage, "'koppel attention winkel --all' lists the items"},
		{[]string{"runs", "nobody"}, ExitUsage, "(profielen: winkel)"},
		{[]string{"attention", "nobody"}, ExitUsage, "(profielen: winkel)"},
		{[]string{"attention", "--kind", "bogus"}, ExitUsage, `unknown --kind "bogus" (kinds: cancelled, refunded, changed, reference_collision`},
		{[]string{"state"}, ExitUsage, "noem een opdracht: koppel state COMMAND (opdrachten: backup, restore, stats"},
		{[]string{"service"}, ExitUsage, "noem een opdracht: koppel service COMMAND (opdrachten: install, "},
		{[]string{"state", "backup"}, ExitUsage, "noem het bestand om de reservekopie in te schrijven: koppel state backup FILE"},
		{[]string{"state", "restore"}, ExitUsage, "noem de reservekopie om te laden"},
		{[]string{"plugins", "new"}, ExitUsage, "noem de nieuwe plugin (een korte naam in kleine letters, zoals mijnwinkel): koppel plugins new NAME"},
		// Other bad usage.
		{[]string{"nonsense"}, ExitUsage, `unknown command "nonsense"`},
		{[]string{"plugins", "bogus"}, ExitUsage, `unknown command "bogus"`},
		{[]string{"version", "extra"}, ExitUsage, `unknown command "extra"`},
		{[]string{"check", "winkel", "extra"}, ExitUsage, "te veel argumenten"},
		{[]string{"sync", "winkel", "import_orders", "--bogus"}, ExitUsage, "unknown flag: --bogus"},
		{[]string{"orders", "winkel", "--lang", "fr"}, ExitUsage, "fr"},
		// An invalid configuration.
		{[]string{"validate", "--config", broken}, ExitUsage, "profile.hcl:"},
		{[]string{"orders", "x", "--config", broken}, ExitUsage, "profile.hcl:"},
		// Failed work.
		{[]string{"check", "winkel"}, ExitFailed, ""},
		{[]string{"sync", "winkel", "import_orders"}, ExitFailed, "cannot reach"},
		{[]string{"retry", "winkel", "1077"}, ExitFailed, "cannot reach"},
		{[]string{"health", "--url", "http://" + dead}, ExitFailed, "does not answer"},
		// Success.
		{[]string{"version"}, ExitOK, "koppel test"},
		{[]string{"validate"}, ExitOK, "is valid"},
		{[]string{"runs"}, ExitOK, "winkel"},
		{[]string{"orders", "winkel"}, ExitOK, ""},
		{[]string{"orders", "winkel", "--failed"}, ExitOK, "1077"},
		{[]string{"attention"}, ExitOK, "1077"},
		{[]string{"state", "stats"}, ExitOK, "records"},
		{[]string{"plugins"}, ExitOK, "woocommerce"},
		{[]string{"plugins", "verify"}, ExitOK, "ok"},
	} {
		args := c.args
		if !contains(args, "--config") {
			args = append(append([]string(nil), args...), "--config", dir)
		}
		code, out, errs := run(t, nil, args...)
		where := errs
		if c.code == ExitOK {
			where = out
		}
		if code != c.code || !strings.Contains(where, c.want) {
			t.Errorf("koppel %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code, c.code, c.want, out, errs)
		}
	}
}
