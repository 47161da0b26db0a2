package e2e

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// Issue 5: `koppel sync` of the shop simulator's generated orders into the SnelStart
// simulator: every order arrives once, with SnelStart's total equal to the shop's to the cent,
// under every VAT rounding switch of the simulator. A second sync finds nothing to do.
//
// Issue 22: the same generated orders (Dutch, OSS, ICP and export customers, coupons, shipping,
// fees) booked as sales invoices (orders.book_as = "invoice"): every order is exactly one
// verkoopboeking whose factuurbedrag equals the shop's total to the cent and whose lines plus
// VAT equal the factuurbedrag, and no sales order is created.
func TestSyncGeneratedOrdersUnderEveryRounding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		incl    bool
		invoice bool
		// oss switches foreign VAT invoicing on in SnelStart: the German and Belgian
		// consumers are then taxed at their own country's rates (OSS).
		oss bool
	}{
		{"per-rate, half away", nil, false, false, false},
		{"per-line", []string{"--vat-rounding", "per-line"}, false, false, false},
		{"per-line, half even", []string{"--vat-rounding", "per-line", "--midpoint", "even"}, false, false, false},
		{"per-rate, half even, prices incl. tax", []string{"--midpoint", "even"}, true, false, false},
		{"as invoices", nil, false, true, false},
		{"as invoices, prices incl. tax, OSS on", []string{"--midpoint", "even"}, true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var woo []string
			if tc.incl {
				woo = append(woo, "--prices-include-tax")
			}
			set := map[string]string{}
			if tc.invoice {
				set["orders.book_as"] = `"invoice"`
			}
			r := newRig(t, rigOptions{Orders: 60, WooArgs: append(woo, "--rand-seed", "7"), SSArgs: tc.args, Settings: set})
			if tc.oss {
				(&stage{rig: r}).ssAPI(http.MethodPut, "/companyInfo", map[string]any{"factureerBuitenlandsBtw": true}, nil)
			}
			want := r.importable()
			code, res, errs := r.sync()
			if code != 0 || res.Imported != len(want) {
				t.Fatalf("sync: exit %d, imported %d of %d (%+v)\n%s", code, res.Imported, len(want), res, tail(errs))
			}
			if tc.invoice {
				cross := r.assertInvoicedOnce(want)
				if tc.oss && cross[simulator.GrootboekOmzetOSS] == 0 {
					t.Fatal("no order was booked on the OSS ledger; the row proves nothing about OSS")
				}
			} else {
				r.assertExactlyOnce("", want)
			}
			code, again, _ := r.sync()
			if code != 0 || again.Imported != 0 || again.LedgerCalls != 0 {
				t.Fatalf("a second sync did work: exit %d %+v", code, again)
			}
		})
	}
}

// assertInvoicedOnce checks that every shop order in want is exactly one verkoopboeking
// (factuurnummer = the order number) with the shop's total to the cent and lines plus VAT equal
// to its factuurbedrag, and that nothing else was booked: no other booking, no sales order. It
// returns how many bookings went to the ICP, export and OSS ledgers.
func (r *rig) assertInvoicedOnce(want map[string]shopOrder) map[simulator.GUID]int {
	r.t.Helper()
	a := r.ssState()
	got := map[string][]simulator.Verkoopboeking{}
	for _, b := range a.Verkoopboekingen {
		got[b.Factuurnummer] = append(got[b.Factuurnummer], b)
	}
	var problems []string
	for num, o := range want {
		bs := got[num]
		switch {
		case len(bs) == 0:
			problems = append(problems, fmt.Sprintf("order %s has no invoice booking", num))
		case len(bs) > 1:
			problems = append(problems, fmt.Sprintf("order %s is booked %d times", num, len(bs)))
		case !bs[0].Factuurbedrag.Equal(sdk.MustMoney(o.Total)):
			problems = append(problems, fmt.Sprintf("order %s: factuurbedrag %s, shop total %s", num, bs[0].Factuurbedrag.StringFixed(2), o.Total))
		default:
			sum := sdk.Money{}
			for _, l := range bs[0].Boekingsregels {
				sum = sum.Add(l.Bedrag.Decimal)
			}
			for _, v := range bs[0].Btw {
				sum = sum.Add(v.BtwBedrag.Decimal)
			}
			if !sum.Equal(bs[0].Factuurbedrag.Decimal) {
				problems = append(problems, fmt.Sprintf("order %s: lines plus VAT %s, factuurbedrag %s", num, sum.StringFixed(2), bs[0].Factuurbedrag.StringFixed(2)))
			}
		}
	}
	for num := range got {
		if _, ok := want[num]; !ok {
			problems = append(problems, fmt.Sprintf("SnelStart holds an unexpected invoice %q", num))
		}
	}
	cross := map[simulator.GUID]int{}
	for _, b := range a.Verkoopboekingen {
		for _, l := range b.Boekingsregels {
			if id := l.Grootboek.ID; id == simulator.GrootboekOmzetICP || id == simulator.GrootboekOmzetExport || id == simulator.GrootboekOmzetOSS {
				cross[id]++
				break
			}
		}
	}
	r.t.Logf("%d invoices, of which ICP %d, export %d, OSS %d", len(a.Verkoopboekingen), cross[simulator.GrootboekOmzetICP], cross[simulator.GrootboekOmzetExport], cross[simulator.GrootboekOmzetOSS])
	if n := len(r.newOrders()); n != 0 {
		problems = append(problems, fmt.Sprintf("%d sales orders were created in invoice mode", n))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		r.t.Fatalf("SnelStart does not hold the shop's %d orders exactly once as invoices:\n  %s", len(want), strings.Join(problems, "\n  "))
	}
	return cross
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
	if code != 1 || !strings.Contains(errs, "een ander koppel-proces gebruikt de statusopslag") {
		t.Fatalf("a second sync: exit %d\n%s\n%s", code, out, errs)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the first sync: %v", err)
	}
	r.assertExactlyOnce("", r.importable())
}
