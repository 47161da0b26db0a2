package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records failures instead of failing the test that uses it.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Name() string          { return "TestX" }
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }

func TestCheck(t *testing.T) {
	t.Chdir(t.TempDir())
	missing := &fakeT{TB: t}
	Check(missing, "a.golden", "hallo\n", false)
	if !missing.failed {
		t.Fatal("a missing golden file passed")
	}
	Check(t, "a.golden", "hallo\n", true)
	if b, err := os.ReadFile(filepath.Join("testdata", "a.golden")); err != nil || string(b) != "hallo\n" {
		t.Fatalf("-update wrote %q, %v", b, err)
	}
	Check(t, "a.golden", "hallo\n", false)
	differs := &fakeT{TB: t}
	Check(differs, "a.golden", "hello\n", false)
	if !differs.failed {
		t.Fatal("a different text passed")
	}
}
