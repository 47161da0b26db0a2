package release

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/plugins"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// TestBuildArchive builds the archive for this machine with one plugin (the full set for every
// platform is `make dist`) and checks its content, the lock file, the stamped version, that the
// build path is not in the binaries (-trimpath), and SHA256SUMS.
func TestBuildArchive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the archive test unpacks a tar.gz built for linux")
	}
	repo := repoRoot(t)
	out := t.TempDir()
	target := Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	archives, err := Build(t.Context(), Options{RepoDir: repo, OutDir: out, Version: "9.8.7-test",
		Targets: []Target{target}, Plugins: []string{"woocommerce"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(archives) != 1 {
		t.Fatalf("%d archives", len(archives))
	}
	a := archives[0]
	wantName := "koppel-9.8.7-test-linux-" + runtime.GOARCH + ".tar.gz"
	if filepath.Base(a.Path) != wantName {
		t.Errorf("archive %s, want %s", a.Path, wantName)
	}
	// SHA256SUMS: one line in sha256sum's format with the archive's real hash.
	sums, err := os.ReadFile(filepath.Join(out, SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(raw)
	if want := hex.EncodeToString(h[:]) + "  " + wantName + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS = %q, want %q", sums, want)
	}
	if sha, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(sha, "-c", SumsFile)
		cmd.Dir = out
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, b)
		}
	}

	// Unpack and check the entries.
	top := "koppel-9.8.7-test-linux-" + runtime.GOARCH + "/"
	dir := t.TempDir()
	modes := untar(t, raw, dir)
	for _, want := range []string{"koppel", "plugins/koppel-plugin-woocommerce", "plugins/koppel-plugins.lock",
		"README.md", "docs/operations.md", "examples/profiles/demo.hcl"} {
		if _, ok := modes[top+want]; !ok {
			t.Errorf("archive lacks %s", want)
		}
	}
	for _, exe := range []string{"koppel", "plugins/koppel-plugin-woocommerce"} {
		if modes[top+exe] != 0o755 {
			t.Errorf("%s has mode %o, want 755", exe, modes[top+exe])
		}
	}
	base := filepath.Join(dir, top)
	lf, err := plugins.ReadLockFile(plugins.DefaultLockPath(filepath.Join(base, "plugins")))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := lf.Plugins["woocommerce"]
	if !ok || e.Kind != "shop" || e.Version != "9.8.7-test" || e.Protocol < 1 || e.File != "koppel-plugin-woocommerce" {
		t.Errorf("lock entry %+v", e)
	}
	plug, _ := os.ReadFile(filepath.Join(base, "plugins", e.File))
	if ph := sha256.Sum256(plug); hex.EncodeToString(ph[:]) != e.SHA256 {
		t.Error("the lock file's hash is not the bundled plugin's")
	}
	v, err := exec.Command(filepath.Join(base, "koppel"), "version").Output()
	if err != nil || !strings.HasPrefix(string(v), "koppel 9.8.7-test ") {
		t.Errorf("koppel version: %q, %v", v, err)
	}
	host, _ := os.ReadFile(filepath.Join(base, "koppel"))
	if bytes.Contains(host, []byte(repo)) || bytes.Contains(plug, []byte(repo)) {
		t.Errorf("a binary holds the build path %s: built without -trimpath", repo)
	}
	// The bundled koppel accepts the bundled lock file: `koppel plugins` shows it locked.
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "koppel.hcl"), []byte("koppel {\n  plugin_dir = \""+filepath.Join(base, "plugins")+"\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(filepath.Join(base, "koppel"), "plugins", "--config", cfg).CombinedOutput()
	if err != nil || !regexpLocked(string(list)) {
		t.Errorf("koppel plugins: %v\n%s", err, list)
	}
}

func regexpLocked(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "woocommerce") && strings.Contains(l, "9.8.7-test") && strings.HasSuffix(strings.TrimSpace(l), "locked") {
			return true
		}
	}
	return false
}

func untar(t *testing.T, raw []byte, dir string) map[string]int64 {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	modes := map[string]int64{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		modes[h.Name] = h.Mode
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, b, os.FileMode(h.Mode)); err != nil {
			t.Fatal(err)
		}
	}
	return modes
}

func TestTargetsAndPluginPlatform(t *testing.T) {
	ts, err := ParseTargets("linux/amd64, windows/amd64")
	if err != nil || len(ts) != 2 || ts[1] != (Target{"windows", "amd64"}) {
		t.Fatalf("%v %v", ts, err)
	}
	for _, bad := range []string{"", "linux", "/amd64", "linux/"} {
		if _, err := ParseTargets(bad); err == nil {
			t.Errorf("ParseTargets(%q) accepted", bad)
		}
	}
	win := Target{"windows", "amd64"}
	if got := pluginTarget(win, "snelstart-mdb"); got != (Target{"windows", "386"}) {
		t.Errorf("mdb plugin on windows built for %v, want windows/386", got)
	}
	if got := pluginTarget(win, "woocommerce"); got != win {
		t.Errorf("woocommerce built for %v", got)
	}
	if win.exe("koppel-plugin-x") != "koppel-plugin-x.exe" {
		t.Error("windows binaries end in .exe")
	}
}
