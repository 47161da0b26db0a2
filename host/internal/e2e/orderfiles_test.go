package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
)

// orderfilesExample is the example connector's directory in the repository.
const orderfilesExample = "examples/plugins/orderfiles"

// Issue 12: the example custom connector (examples/plugins/orderfiles) is built, installed into
// a temporary plugin_dir next to a copy of its example profile, locked with `koppel plugins
// lock`, and `koppel sync winkel import_orders` books the orders of a copy of its export files
// in the SnelStart simulator. The profile is used as written: only its env() defaults are
// pointed at the temporary folder and the simulator. A second sync imports nothing.
func TestOrderfilesExampleIntoSnelStart(t *testing.T) {
	t.Parallel()
	root := repoRoot()
	built := pluginDirWith(t, "orderfiles", "snelstart-online")
	dir := t.TempDir()

	// Install: the example profile as koppel.hcl, the binaries in its ./plugins, then lock.
	profile, err := os.ReadFile(filepath.Join(root, orderfilesExample, "example", "orderfiles.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), profile, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"koppel-plugin-orderfiles", "koppel-plugin-snelstart-online"} {
		if err := copyFile(filepath.Join(built, n), filepath.Join(dir, "plugins", n), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	export := filepath.Join(dir, "export")
	copyTree(t, filepath.Join(root, orderfilesExample, "testdata", "export"), export)

	// SnelStart: the simulator's demo administration plus the two articles whose codes the
	// shop exports (the profile has articles.mode = "manual": they must exist in SnelStart).
	ss := startSim(t, "snelstart-online", "--rate-limit", "-1", "--seed", orderfilesSeed(t, dir))
	env := []string{
		"ORDERFILES_DIR=" + export,
		"SNELSTART_BASE_URL=http://" + ss + "/v2",
		"SNELSTART_AUTH_URL=http://" + ss + "/b2b/token",
	}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(binDir, "koppel"), append(args, "--config", dir)...)
		cmd.Env = append(os.Environ(), env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String(), errb.String()
		} else if err != nil {
			t.Fatalf("koppel %v: %v", args, err)
		}
		return 0, out.String(), errb.String()
	}
	if code, out, errs := run("plugins", "lock"); code != 0 || !strings.Contains(out, "orderfiles") {
		t.Fatalf("plugins lock: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := run("check", "winkel"); code != 0 {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, tail(errs))
	}

	// The export holds three paid orders (two in a CSV file, one in a JSON file); the shop's
	// prices include VAT, so its totals are Σ quantity × price + shipping.
	want := map[string]string{
		"OF-2026-0101": "90.85",  // 2 × 24.95 + 4 × 8.50 + 6.95 shipping
		"OF-2026-0102": "249.50", // 10 × 24.95, on account, no shipping
		"OF-2026-0103": "8.50",   // 1 × 8.50 (BE, JSON export)
	}
	wantLines := map[string]int{"OF-2026-0101": 3, "OF-2026-0102": 1, "OF-2026-0103": 1}
	before := ssStateAt(t, ss)
	code, out, errs := run("sync", "winkel", "import_orders", "--json")
	var res syncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("sync output is not JSON (exit %d): %v\n%s\n%s", code, err, out, tail(errs))
	}
	if code != 0 || res.Imported != len(want) || res.Failed != 0 {
		t.Fatalf("sync: exit %d, imported %d of %d (%+v)\n%s", code, res.Imported, len(want), res, tail(errs))
	}

	after := ssStateAt(t, ss)
	known := map[string]bool{}
	for _, v := range before.Verkooporders {
		known[string(v.ID)] = true
	}
	articles := map[simulator.GUID]string{}
	for _, a := range after.Artikelen {
		articles[a.ID] = a.Artikelcode
	}
	got := map[string][]simulator.Verkooporder{}
	for _, v := range after.Verkooporders {
		if !known[string(v.ID)] {
			got[v.Orderreferentie] = append(got[v.Orderreferentie], v)
		}
	}
	var problems []string
	for ref, total := range want {
		vs := got[ref]
		if len(vs) != 1 {
			problems = append(problems, ref+": "+strconv.Itoa(len(vs))+" in SnelStart")
			continue
		}
		v := vs[0]
		if !v.TotaalInclusiefBtw.Equal(decimal.RequireFromString(total)) {
			problems = append(problems, ref+": SnelStart total "+v.TotaalInclusiefBtw.StringFixed(2)+", shop total "+total)
		}
		if len(v.Regels) != wantLines[ref] {
			problems = append(problems, ref+": "+strconv.Itoa(len(v.Regels))+" lines")
		}
		for _, l := range v.Regels {
			if l.Artikel == nil || articles[l.Artikel.ID] == "" {
				problems = append(problems, ref+": a line without a known article")
			}
		}
	}
	for ref := range got {
		if _, ok := want[ref]; !ok {
			problems = append(problems, "unexpected sales order "+ref)
		}
	}
	if n := len(after.Relaties) - len(before.Relaties); n != 3 {
		problems = append(problems, "new relaties: "+strconv.Itoa(n)+", want 3 (Jansen, Bakkerij De Korrel, Peeters)")
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		t.Fatalf("SnelStart does not hold the export's orders as it should:\n  %s", strings.Join(problems, "\n  "))
	}

	code, out, errs = run("sync", "winkel", "import_orders", "--json")
	var again syncResult
	if err := json.Unmarshal([]byte(out), &again); err != nil {
		t.Fatalf("second sync output is not JSON (exit %d): %v\n%s", code, err, tail(errs))
	}
	if code != 0 || again.Imported != 0 || again.Failed != 0 {
		t.Fatalf("second sync: exit %d %+v\n%s", code, again, tail(errs))
	}
	if n := len(ssStateAt(t, ss).Verkooporders); n != len(after.Verkooporders) {
		t.Fatalf("the second sync changed SnelStart: %d sales orders, had %d", n, len(after.Verkooporders))
	}
}

// ssStateAt returns the SnelStart simulator's administration at addr.
func ssStateAt(t *testing.T, addr string) simulator.Administration {
	t.Helper()
	var a simulator.Administration
	getJSON(t, "http://"+addr+"/_sim/state", &a)
	return a
}

// orderfilesSeed writes the SnelStart simulator's seed: its demo administration with the
// articles KOFFIE-1KG (9 %) and MOK-WIT (21 %) of the example export.
func orderfilesSeed(t *testing.T, dir string) string {
	t.Helper()
	a := simulator.DefaultAdministration()
	group := func(id simulator.GUID) *simulator.Ref {
		return &simulator.Ref{ID: id, URI: "/artikelomzetgroepen/" + string(id)}
	}
	a.Artikelen = append(a.Artikelen,
		simulator.Artikel{Artikelcode: "KOFFIE-1KG", Omschrijving: "Koffiebonen 1 kg", ArtikelOmzetgroep: group(simulator.OmzetgroepLaag),
			Verkoopprijs: simulator.D("22.89"), Eenheid: "zak", VoorraadControle: true, TechnischeVoorraad: simulator.D("40"),
			VrijeVoorraad: simulator.D("40"), ID: "a7710000-0000-4000-8000-00000000f001"},
		simulator.Artikel{Artikelcode: "MOK-WIT", Omschrijving: "Mok wit", ArtikelOmzetgroep: group(simulator.OmzetgroepHoog),
			Verkoopprijs: simulator.D("7.02"), Eenheid: "stuk", VoorraadControle: true, TechnischeVoorraad: simulator.D("12"),
			VrijeVoorraad: simulator.D("12"), ID: "a7710000-0000-4000-8000-00000000f002"},
	)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "snelstart-seed.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// copyTree copies the regular files of src into a new directory dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
