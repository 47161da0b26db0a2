package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 5: `koppel sync` of the shop simulator's generated orders into the SnelStart
// simulator: every order arrives once, with SnelStart's total equal to the shop's to the cent,
// under every VAT rounding switch of the simulator. A second sync finds nothing to do.
func TestSyncGeneratedOrdersUnderEveryRounding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		incl bool
	}{
		{"per-rate, half away", nil, false},
		{"per-line", []string{"--vat-rounding", "per-line"}, false},
		{"per-line, half even", []string{"--vat-rounding", "per-line", "--midpoint", "even"}, false},
		{"per-rate, half even, prices incl. tax", []string{"--midpoint", "even"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var woo []string
			if tc.incl {
				woo = append(woo, "--prices-include-tax")
			}
			r := newRig(t, rigOptions{Orders: 60, WooArgs: append(woo, "--rand-seed", "7"), SSArgs: tc.args})
			want := r.importable()
			code, res, errs := r.sync()
			if code != 0 || res.Imported != len(want) {
				t.Fatalf("sync: exit %d, imported %d of %d (%+v)\n%s", code, res.Imported, len(want), res, tail(errs))
			}
			r.assertExactlyOnce("", want)
			code, again, _ := r.sync()
			if code != 0 || again.Imported != 0 || again.LedgerCalls != 0 {
				t.Fatalf("a second sync did work: exit %d %+v", code, again)
			}
		})
	}
}

// The human output: a summary with the counts, `koppel orders` with the SnelStart numbers and
// relatiecodes, `koppel runs` with the run.
func TestSyncSummaryOrdersAndRuns(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{Orders: 15})
	want := r.importable()
	code, out, errs := r.koppel(t.Context(), "sync", "winkel", "import_orders")
	if code != 0 {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errs)
	}
	for _, w := range []string{fmt.Sprintf("geboekt %d", len(want)), "al in SnelStart", "wachtend", "mislukt", "SnelStart-aanroepen", "duur", "orders/s"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(w), " ")) {
			t.Fatalf("summary lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = r.koppel(t.Context(), "orders", "winkel")
	if code != 0 || strings.Count(out, "geboekt") != len(want) || !strings.Contains(out, "SNELSTART-ORDER") {
		t.Fatalf("orders: exit %d\n%s", code, out)
	}
	code, out, _ = r.koppel(t.Context(), "runs")
	if code != 0 || !strings.Contains(out, "import_orders") || !strings.Contains(out, "winkel") {
		t.Fatalf("runs: exit %d\n%s", code, out)
	}
	code, _, errs = r.koppel(t.Context(), "sync", "winkel", "export_stokc")
	if code != 2 || !strings.Contains(errs, "export_stokc") {
		t.Fatalf("an unknown task: exit %d\n%s", code, errs)
	}
}

// tail returns the last lines of a log for a failure message.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// Two runs of the same task of a profile never overlap: a second `koppel sync` while one is
// running says so and exits 1; the first finishes undisturbed.
func TestSyncNeverOverlaps(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{Orders: 30, AllImportable: true, SSArgs: []string{"--latency", "60ms"}})
	first := exec.Command(filepath.Join(binDir, "koppel"), "sync", "winkel", "import_orders", "--config", r.dir)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Process.Kill() })
	// The first sync is importing (it holds the state store) once SnelStart sees its calls;
	// at 60 ms a call, its 30 orders keep it busy for seconds after that.
	for deadline := time.Now().Add(60 * time.Second); r.ssStats().Requests == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the first sync never reached SnelStart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, out, errs := r.koppel(t.Context(), "sync", "winkel", "import_orders")
	if code != 1 || !strings.Contains(errs, "another koppel process is using the state store") {
		t.Fatalf("a second sync: exit %d\n%s\n%s", code, out, errs)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the first sync: %v", err)
	}
	r.assertExactlyOnce("", r.importable())
}
