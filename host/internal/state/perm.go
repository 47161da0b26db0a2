package state

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

const (
	// DirMode is the mode koppel gives the state directory: only the owner may list or enter it.
	DirMode fs.FileMode = 0o700
	// FileMode is the mode koppel gives every file in the state directory and every backup:
	// the store holds customers' order data, readable by the owner only.
	FileMode fs.FileMode = 0o600
)

// restrict forces dir to DirMode and every file and directory below it to FileMode / DirMode,
// whatever existed before and whatever the umask let Badger create. It is called before and
// after Badger opens the directory and after each value-log GC, so files Badger creates later
// are corrected too (and the 0700 directory keeps others out of them meanwhile). On Windows
// file modes do not carry permissions; the directory's ACL applies and restrict does nothing.
func restrict(dir string) error {
	if runtime.GOOS == "windows" || dir == "" {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && os.IsNotExist(err) {
				return nil // removed by Badger meanwhile
			}
			return fmt.Errorf("state: restrict permissions of %s: %w", path, err)
		}
		want := FileMode
		switch {
		case d.IsDir():
			want = DirMode
		case d.Type()&fs.ModeSymlink != 0:
			return nil // never follow a link out of the directory
		}
		info, err := d.Info()
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return fmt.Errorf("state: restrict permissions of %s: %w", path, err)
		}
		if info.Mode().Perm() == want {
			return nil
		}
		if err := os.Chmod(path, want); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("state: restrict permissions of %s: %w", path, err)
		}
		return nil
	})
}
