//go:build unix

package state

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// modes lists the permission bits of dir and everything below it.
func modes(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A state_dir that already existed with mode 0755, holding Badger files of mode 0644 written
// under a permissive umask, ends 0700 with every file 0600 once koppel opened it — and stays so
// for files Badger creates while it is open.
func TestStateDirPermissionsForced(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask: what Badger creates is 0644
	t.Cleanup(func() { syscall.Umask(old) })

	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := diskStore(t, dir)
	seed(t, s)
	must(t, s.Close())
	// Loosen everything, as an older koppel or a copy with cp -r would have left it.
	must(t, os.Chmod(dir, 0o755))
	for p := range modes(t, dir) {
		if p != dir {
			must(t, os.Chmod(p, 0o644))
		}
	}
	extra := filepath.Join(dir, "notes.txt")
	must(t, os.WriteFile(extra, []byte("x"), 0o666))

	s = diskStore(t, dir)
	defer s.Close()
	check := func(when string) {
		t.Helper()
		got := modes(t, dir)
		if len(got) < 3 {
			t.Fatalf("%s: only %d entries in the state dir", when, len(got))
		}
		for p, m := range got {
			info, err := os.Stat(p)
			if err != nil {
				continue
			}
			want := FileMode
			if info.IsDir() {
				want = DirMode
			}
			if m != want {
				t.Errorf("%s: %s has mode %o, want %o", when, p, m, want)
			}
		}
	}
	check("after open")
	// Files Badger creates while open (a flushed memtable becomes a new table) are put right
	// by the next GC round or Close at the latest.
	seed(t, s)
	must(t, s.db.Flatten(1))
	must(t, s.Close())
	check("after close")
}
