package plugins

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// swapBinary replaces plugin name's binary in dir by a different, still runnable file (the
// test plugin with bytes appended), the way an attacker would: a new file renamed over the old
// one, so the running process keeps its own.
func swapBinary(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, fileName(name, runtime.GOOS))
	tmp := path + ".new"
	copyFile(t, testPluginBin, tmp)
	f, err := os.OpenFile(tmp, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("swapped")); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// killAndRestart kills the testshop process pid and asks m for the plugin until m has seen
// the death (a call right after the kill may still be answered from the dying process's cached
// Info); it returns the error of the restart.
func killAndRestart(t *testing.T, m *Manager, pid int) error {
	t.Helper()
	p, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := m.Info(testCtx(t), "testshop"); err != nil {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the Manager never noticed the killed plugin")
	return nil
}

// A running daemon keeps the hashes it started with: a binary swapped while it runs and a lock
// file deleted behind its back do not make it start the new binary, nor write a new lock file;
// a daemon started afterwards refuses the unlocked binary with the "koppel plugins lock" hint.
func TestSwappedBinaryAndDeletedLockRefused(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	if _, err := Lock(ctx, dir); err != nil {
		t.Fatal(err)
	}
	m := newTestManager(t, Options{Dir: dir})
	if _, err := m.Info(ctx, "testshop"); err != nil {
		t.Fatalf("locked plugin refused: %v", err)
	}
	pid := m.Processes()[0].PID

	swapBinary(t, dir, "testshop")
	if err := os.Remove(DefaultLockPath(dir)); err != nil {
		t.Fatal(err)
	}
	err := killAndRestart(t, m, pid)
	if !errors.Is(err, ErrChanged) || sdk.KindOf(err) != sdk.KindConfig {
		t.Fatalf("restart of a swapped binary with the lock file deleted: err = %v, want ErrChanged", err)
	}
	if len(m.Processes()) != 0 {
		t.Errorf("the swapped binary runs: %+v", m.Processes())
	}
	if _, err := os.Stat(DefaultLockPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the Manager wrote a lock file on its own: %v", err)
	}

	// A new daemon without a lock file: refused with the hint.
	m2 := newTestManager(t, Options{Dir: dir})
	_, err = m2.Info(ctx, "testshop")
	if !errors.Is(err, ErrNotLocked) || !strings.Contains(err.Error(), `run "koppel plugins lock"`) {
		t.Fatalf("unlocked binary in a new daemon: err = %v", err)
	}
	if len(m2.Processes()) != 0 {
		t.Errorf("an unlocked binary was started: %+v", m2.Processes())
	}
}

// A lock file written after the Manager started (by someone who can write plugin_dir) is not
// read: the Manager trusts what it pinned at creation.
func TestLockFileWrittenLaterNotTrusted(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	m := newTestManager(t, Options{Dir: dir})
	if _, err := Lock(ctx, dir); err != nil { // another process locks after m started
		t.Fatal(err)
	}
	if _, err := m.Info(ctx, "testshop"); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("a lock file written after the start was trusted: err = %v", err)
	}
}

// Under AllowUnlocked (--trust-unlocked, koppel demo) an unlocked binary runs, is pinned to the
// hash it had at its first start (a swapped file is refused at the restart) and no lock file is
// written.
func TestTrustUnlockedPinsFirstHash(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	var logs logBuffer
	m := newTestManager(t, Options{Dir: dir, AllowUnlocked: true, Logger: testLogger(&logs)})
	if _, err := m.Info(ctx, "testshop"); err != nil {
		t.Fatalf("AllowUnlocked refused an unlocked binary: %v", err)
	}
	if !strings.Contains(logs.String(), "plugin is not in the lock file") {
		t.Errorf("no warning about the unlocked plugin:\n%s", logs.String())
	}
	if _, err := os.Stat(DefaultLockPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("running an unlocked plugin wrote a lock file: %v", err)
	}
	list, err := m.List(ctx)
	if err != nil || len(list) != 1 || list[0].Status != StatusUnlocked {
		t.Errorf("List = %+v, %v", list, err)
	}
	if _, err := os.Stat(DefaultLockPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("listing wrote a lock file: %v", err)
	}
	pid := m.Processes()[0].PID
	swapBinary(t, dir, "testshop")
	if err := killAndRestart(t, m, pid); !errors.Is(err, ErrChanged) {
		t.Fatalf("swapped unlocked binary restarted: err = %v, want ErrChanged", err)
	}
}

// lock_file may live outside plugin_dir (a directory only root can write).
func TestLockFileOutsidePluginDir(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	lock := filepath.Join(t.TempDir(), "etc", "koppel.lock")
	if err := os.MkdirAll(filepath.Dir(lock), 0o755); err != nil {
		t.Fatal(err)
	}
	lm := newTestManager(t, Options{Dir: dir, LockFile: lock})
	if _, err := lm.Lock(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(DefaultLockPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Lock wrote into plugin_dir despite LockFile: %v", err)
	}
	m := newTestManager(t, Options{Dir: dir, LockFile: lock})
	if _, err := m.Info(ctx, "testshop"); err != nil {
		t.Fatalf("plugin locked in %s refused: %v", lock, err)
	}
	res, err := m.Verify(ctx)
	if err != nil || len(res) != 1 || res[0].Status != StatusLocked {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	swapBinary(t, dir, "testshop")
	res, err = m.Verify(ctx)
	if err != nil || len(res) != 1 || res[0].Status != StatusChanged {
		t.Fatalf("Verify after swap = %+v, %v", res, err)
	}
}
