package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestNameFromFile(t *testing.T) {
	tests := []struct {
		file, goos string
		want       string
		ok         bool
	}{
		{"koppel-plugin-woocommerce", "linux", "woocommerce", true},
		{"koppel-plugin-snel_start-2", "linux", "snel_start-2", true},
		{"koppel-plugin-woocommerce.exe", "windows", "woocommerce", true},
		{"koppel-plugin-woocommerce.EXE", "windows", "woocommerce", true},
		{"koppel-plugin-woocommerce", "windows", "", false},
		{"koppel-plugin-woocommerce.exe", "linux", "", false},
		{"koppel-plugin-woocommerce.bak", "linux", "", false},
		{"koppel-plugin-woocommerce~", "linux", "", false},
		{"koppel-plugin-WooCommerce", "linux", "", false},
		{"koppel-plugin-", "linux", "", false},
		{"koppel-plugin--x", "linux", "", false},
		{"koppel-plugins.lock", "linux", "", false},
		{"magento", "linux", "", false},
	}
	for _, tt := range tests {
		got, ok := nameFromFile(tt.file, tt.goos)
		if got != tt.want || ok != tt.ok {
			t.Errorf("nameFromFile(%q, %s) = %q, %v; want %q, %v", tt.file, tt.goos, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDiscover(t *testing.T) {
	dir := installPlugins(t, "testshop", "testledger")
	// Files that are not plugins.
	for _, f := range []string{"koppel-plugin-x.bak", "koppel-plugin-Bad", "README", LockFileName} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, fileName("adir", runtime.GOOS)), 0o755); err != nil {
		t.Fatal(err)
	}
	bins, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(testPluginBin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	want := hex.EncodeToString(sum[:])
	if len(bins) != 2 || bins[0].Name != "testledger" || bins[1].Name != "testshop" {
		t.Fatalf("Discover = %+v; want testledger, testshop", bins)
	}
	for _, b := range bins {
		if b.SHA256 != want {
			t.Errorf("%s: sha256 %s, want %s", b.Name, b.SHA256, want)
		}
		if !filepath.IsAbs(b.Path) || filepath.Base(b.Path) != fileName(b.Name, runtime.GOOS) {
			t.Errorf("%s: path %q", b.Name, b.Path)
		}
	}

	if _, err := Discover(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: err = %v, want fs.ErrNotExist", err)
	}
	empty, err := Discover(t.TempDir())
	if err != nil || len(empty) != 0 {
		t.Errorf("empty dir: %v, %v", empty, err)
	}
}
