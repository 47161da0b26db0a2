package plugins

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// With LockOnFirstUse a binary missing from the lock file is trusted once and recorded; a later
// change to it is refused like any locked binary's.
func TestLockOnFirstUse(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	m := newTestManager(t, Options{Dir: dir, LockOnFirstUse: true})
	info, err := m.Info(ctx, "testshop")
	if err != nil {
		t.Fatalf("first use of an unlocked plugin: %v", err)
	}
	lf, err := ReadLockFile(dir)
	if err != nil {
		t.Fatalf("no lock file after first use: %v", err)
	}
	e, ok := lf.Plugins["testshop"]
	bin := filepath.Join(dir, fileName("testshop", runtime.GOOS))
	sum, _ := fileSHA256(bin)
	if !ok || e.SHA256 != sum || e.Kind != sdk.KindShop || e.Version != info.Version {
		t.Fatalf("lock entry = %+v (ok %v), want sha256 %s", e, ok, sum)
	}
	m.Close()

	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	m2 := newTestManager(t, Options{Dir: dir, LockOnFirstUse: true})
	if _, err := m2.Info(ctx, "testshop"); !errors.Is(err, ErrChanged) {
		t.Fatalf("a binary changed after first use must be refused, got %v", err)
	}
}
