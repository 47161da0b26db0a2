package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/internal/testtools"
	"github.com/koppel-nl/koppel/sdk"
)

// goCmd runs the go command in dir: the generated module resolves koppel through its replace
// directive and every other module from the module cache with koppel's go.sum, which Generate
// copied. With a warm cache nothing is looked up; a cold one (a fresh clone, an empty
// GOMODCACHE) fetches through the configured GOPROXY like any other go command.
func goCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestGeneratedPluginBuildsAndNamesWhatIsLeft is `koppel plugins new` end to end: generate,
// build, vet, and run the generated tests, which must compile, run the conformance kit and fail
// naming every method still to be written.
func TestGeneratedPluginBuildsAndNamesWhatIsLeft(t *testing.T) {
	root := testtools.RepoRoot(t)
	cases := []struct {
		kind    sdk.PluginKind
		name    string
		methods []string
	}{
		{sdk.KindShop, "my-shop", []string{"Shop.ListOrders", "Shop.ListProducts", "Shop.FindProducts", "Shop.WriteStock",
			"Simulator.SeedOrders", "Simulator.ModifyOrder"}},
		{sdk.KindLedger, "my_ledger", []string{"Ledger.FindRelaties", "Ledger.CreateRelatie", "Ledger.UpdateRelatie",
			"Ledger.FindArticles", "Ledger.CreateArticle", "Ledger.UpdateArticle", "Ledger.ListStock",
			"Ledger.ReferenceData", "Ledger.CreateSalesOrder", "Ledger.FindSalesOrders"}},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "koppel-plugin-"+tc.name)
			files, err := Generate(dir, Options{Name: tc.name, Kind: tc.kind, Replace: root})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 11 || files[10] != "go.sum" {
				t.Fatalf("wrote %v", files)
			}
			bin := filepath.Join(dir, "koppel-plugin-"+tc.name)
			if runtime.GOOS == "windows" {
				bin += ".exe"
			}
			if out, err := goCmd(t, dir, "build", "-o", bin, "."); err != nil {
				t.Fatalf("generated plugin does not build: %v\n%s", err, out)
			}
			if out, err := goCmd(t, dir, "vet", "./..."); err != nil {
				t.Fatalf("go vet: %v\n%s", err, out)
			}
			// The binary is a plugin: it answers version and describe.
			out, err := exec.Command(bin, "version").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "koppel-plugin-"+tc.name+" 0.1.0 ("+string(tc.kind)+" plugin") {
				t.Fatalf("version: %v\n%s", err, out)
			}
			out2, err := goCmd(t, dir, "test", "-count=1", "-v", "./...")
			if err == nil {
				t.Fatalf("the skeleton's tests pass, but nothing is written yet:\n%s", out2)
			}
			for _, m := range tc.methods {
				if !strings.Contains(out2, m+" is still to be written") {
					t.Errorf("test output does not name %s:\n%s", m, out2)
				}
			}
			for _, pass := range []string{"--- PASS: TestConformance/schema", "--- PASS: TestConformance/check/valid_config",
				"--- PASS: TestConformance/check/bad_credentials"} {
				if !strings.Contains(out2, pass) {
					t.Errorf("skeleton's %s does not pass:\n%s", strings.TrimPrefix(pass, "--- PASS: "), out2)
				}
			}
			if strings.Contains(out2, "Check is still to be written") {
				t.Errorf("Check is written in the skeleton but reported as not written:\n%s", out2)
			}
		})
	}
}

func TestGenerateRefuses(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		dir  string
		o    Options
		want string
	}{
		{"upper-case name", t.TempDir(), Options{Name: "MyShop", Kind: sdk.KindShop}, "lower-case"},
		{"empty name", t.TempDir(), Options{Kind: sdk.KindShop}, "lower-case"},
		{"path in name", t.TempDir(), Options{Name: "../x", Kind: sdk.KindShop}, "lower-case"},
		{"unknown kind", t.TempDir(), Options{Name: "x", Kind: "erp"}, "kind"},
		{"module with space", t.TempDir(), Options{Name: "x", Kind: sdk.KindShop, Module: "a b"}, "spaces"},
		{"non-empty dir", full, Options{Name: "x", Kind: sdk.KindShop}, "not empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Generate(tc.dir, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || len(files) != 0 {
				t.Fatalf("Generate = %v, %v; want an error with %q and no files", files, err, tc.want)
			}
		})
	}
}

func TestGeneratedFilesAreFormattedAndNamed(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(dir, Options{Name: "web-winkel", Kind: sdk.KindShop, Module: "git.example.nl/team/koppel-plugin-web-winkel"}); err != nil {
		t.Fatal(err)
	}
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(mod), "module git.example.nl/team/koppel-plugin-web-winkel") ||
		!strings.Contains(string(mod), "github.com/koppel-nl/koppel v"+sdk.Version) || strings.Contains(string(mod), "replace") {
		t.Fatalf("go.mod:\n%s", mod)
	}
	main, _ := os.ReadFile(filepath.Join(dir, "main.go"))
	if !strings.Contains(string(main), `"git.example.nl/team/koppel-plugin-web-winkel/internal/webwinkel"`) ||
		!strings.Contains(string(main), "NewShop:") {
		t.Fatalf("main.go:\n%s", main)
	}
	info, _ := os.ReadFile(filepath.Join(dir, "internal", "webwinkel", "info.go"))
	if !strings.Contains(string(info), `Name:        "web-winkel"`) || !strings.Contains(string(info), "sdk.KindShop") {
		t.Fatalf("info.go:\n%s", info)
	}
}
