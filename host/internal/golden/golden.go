// Package golden compares a test's output with a file kept beside the test (testdata/*.golden),
// or rewrites the file when the test runs with -update.
package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with testdata/name; update rewrites the file instead. A difference or a
// missing file fails t with both texts and the command that rewrites the file.
func Check(t testing.TB, name, got string, update bool) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (go test -run '%s' -update writes it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -run '%s' -update rewrites it):\n--- got\n%s\n--- want\n%s", p, t.Name(), got, want)
	}
}
