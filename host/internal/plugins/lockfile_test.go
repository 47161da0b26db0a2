package plugins

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

func TestLockFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadLockFile(DefaultLockPath(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing lock file: err = %v", err)
	}
	in := &LockFile{Plugins: map[string]LockEntry{
		"woo": {File: "koppel-plugin-woo", SHA256: strings.Repeat("ab", 32), Kind: sdk.KindShop, Version: "1.2.3", Protocol: 1},
	}}
	if err := WriteLockFile(DefaultLockPath(dir), in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadLockFile(DefaultLockPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != 1 || out.Plugins["woo"] != in.Plugins["woo"] {
		t.Errorf("read back %+v", out)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, LockFileName))
	if !strings.Contains(string(raw), `"_comment"`) || !strings.Contains(string(raw), "\n    \"woo\": {") {
		t.Errorf("lock file is not the documented indented JSON:\n%s", raw)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after write, want 1", len(entries))
	}
}

func TestReadLockFileRejects(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"not json", "{", "not valid JSON"},
		{"version", `{"version": 2, "plugins": {}}`, "format version 2"},
		{"bad name", `{"version": 1, "plugins": {"../x": {"sha256": "` + strings.Repeat("0", 64) + `"}}}`, "not a valid plugin name"},
		{"bad hash", `{"version": 1, "plugins": {"x": {"sha256": "abc"}}}`, "not 64 hex digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, LockFileName), []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadLockFile(DefaultLockPath(dir))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLockThenTamper(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop", "testledger")
	lf, err := Lock(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	bins, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	// What Lock returned is what it wrote, and matches the binaries.
	onDisk, err := ReadLockFile(DefaultLockPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bins {
		e := onDisk.Plugins[b.Name]
		wantKind := sdk.KindShop
		if b.Name == "testledger" {
			wantKind = sdk.KindLedger
		}
		if e.SHA256 != b.SHA256 || e.Kind != wantKind || e.Version != "0.0.1-test" || e.Protocol != 1 ||
			e.SDKVersion != sdk.Version || e.File != fileName(b.Name, runtime.GOOS) {
			t.Errorf("lock entry %s = %+v", b.Name, e)
		}
		if lf.Plugins[b.Name] != e {
			t.Errorf("Lock returned %+v, file holds %+v", lf.Plugins[b.Name], e)
		}
	}

	// Locked binaries run with the default (locked only) Manager.
	m := newTestManager(t, Options{Dir: dir})
	for _, name := range []string{"testshop", "testledger"} {
		if _, err := m.Info(ctx, name); err != nil {
			t.Fatalf("locked %s refused: %v", name, err)
		}
	}
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Status != StatusLocked || list[1].Status != StatusLocked ||
		list[0].Kind != sdk.KindLedger || list[1].Kind != sdk.KindShop || list[1].PID == 0 {
		t.Errorf("List = %+v", list)
	}
	_ = m.Close()

	// Tamper: append bytes after locking.
	path := filepath.Join(dir, fileName("testshop", runtime.GOOS))
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("tampered")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tampered, err := fileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}

	for _, allow := range []bool{false, true} { // AllowUnlocked does not let a changed binary run
		m2 := newTestManager(t, Options{Dir: dir, AllowUnlocked: allow})
		_, err = m2.Info(ctx, "testshop")
		if !errors.Is(err, ErrChanged) || sdk.KindOf(err) != sdk.KindConfig {
			t.Fatalf("AllowUnlocked=%v: tampered binary: err = %v (kind %s), want ErrChanged/KindConfig", allow, err, sdk.KindOf(err))
		}
		msg := err.Error()
		for _, want := range []string{
			"plugin testshop: koppel-plugin-testshop changed since it was locked",
			"sha256 " + tampered[:12] + "… ≠ locked " + onDisk.Plugins["testshop"].SHA256[:12] + "…",
			`if you installed it on purpose, run "koppel plugins lock"`,
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
		if _, err := m2.Ledger(ctx, "testledger", "p1", sdk.Config{}); err != nil {
			t.Errorf("untouched ledger refused: %v", err)
		}
		if len(m2.Processes()) != 1 {
			t.Errorf("processes = %+v, want only the ledger", m2.Processes())
		}
		list, err = m2.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if list[1].Name != "testshop" || list[1].Status != StatusChanged || list[1].SHA256 != tampered ||
			!errors.Is(list[1].Err, ErrChanged) || list[1].Kind != "" {
			t.Errorf("List after tampering = %+v", list[1])
		}
		_ = m2.Close()
	}

	// Re-locking trusts the new binary.
	if _, err := Lock(ctx, dir); err != nil {
		t.Fatal(err)
	}
	m3 := newTestManager(t, Options{Dir: dir})
	if _, err := m3.Info(ctx, "testshop"); err != nil {
		t.Errorf("after re-lock: %v", err)
	}
}

func TestUnlockedAndMissing(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")

	m := newTestManager(t, Options{Dir: dir})
	_, err := m.Info(ctx, "testshop")
	if !errors.Is(err, ErrNotLocked) || sdk.KindOf(err) != sdk.KindConfig ||
		!strings.Contains(err.Error(), `koppel-plugin-testshop is not in the lock file`) ||
		!strings.Contains(err.Error(), `run "koppel plugins lock"`) {
		t.Errorf("unlocked binary: err = %v", err)
	}
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != StatusUnlocked || list[0].Kind != "" || !errors.Is(list[0].Err, ErrNotLocked) {
		t.Errorf("List = %+v", list)
	}
	if len(m.Processes()) != 0 {
		t.Errorf("an unlocked binary was started: %+v", m.Processes())
	}

	allow := newTestManager(t, Options{Dir: dir, AllowUnlocked: true})
	info, err := allow.Info(ctx, "testshop")
	if err != nil || info.Kind != sdk.KindShop || info.Protocol != 1 || info.Schema.Names()[0] != "label" {
		t.Errorf("AllowUnlocked: info %+v, err %v", info, err)
	}
	list, err = allow.List(ctx)
	if err != nil || len(list) != 1 || list[0].Kind != sdk.KindShop || list[0].Description != "test plugin" || list[0].PID == 0 {
		t.Errorf("AllowUnlocked List = %+v, %v", list, err)
	}

	// A lock entry whose binary is gone is listed as missing.
	lf := &LockFile{Plugins: map[string]LockEntry{"gone": {File: "koppel-plugin-gone", SHA256: strings.Repeat("0", 64), Kind: sdk.KindLedger}}}
	if err := WriteLockFile(DefaultLockPath(dir), lf); err != nil {
		t.Fatal(err)
	}
	list, err = m.List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "gone" || list[0].Status != StatusMissing || !errors.Is(list[0].Err, ErrNotInstalled) {
		t.Errorf("List with missing = %+v, %v", list, err)
	}
	_, err = m.Info(ctx, "gone")
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "there is no koppel-plugin-gone in") {
		t.Errorf("missing binary: %v", err)
	}
	if _, err := m.Info(ctx, "../etc/passwd"); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("invalid name: %v", err)
	}

	raw, _ := os.ReadFile(filepath.Join(dir, LockFileName))
	var generic map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Errorf("lock file is not JSON: %v", err)
	}
}
