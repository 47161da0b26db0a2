package ledger

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// backupPrefix returns the name prefix of the copies of path: "Demo.koppel-backup-".
func backupPrefix(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base)) + ".koppel-backup-"
}

// backup copies the file at path next to it as <name>.koppel-backup-<time>.mdb and removes
// the oldest copies beyond keep. It returns the copy's path.
func backup(path string, now time.Time, keep int) (string, error) {
	dir := filepath.Dir(path)
	ext := filepath.Ext(path)
	if ext == "" {
		ext = ".mdb"
	}
	stamp := now.Format("20060102-150405")
	var dst string
	var out *os.File
	for i := 0; i < 100; i++ {
		name := backupPrefix(path) + stamp
		if i > 0 {
			name += fmt.Sprintf("-%02d", i)
		}
		dst = filepath.Join(dir, name+ext)
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("create %s: %w", dst, err)
		}
		out = f
		break
	}
	if out == nil {
		return "", fmt.Errorf("no free name for a copy of %s", path)
	}
	in, err := os.Open(path)
	if err != nil {
		out.Close()
		os.Remove(dst)
		return "", err
	}
	defer in.Close()
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return "", fmt.Errorf("copy to %s: %w", dst, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(dst)
		return "", fmt.Errorf("copy to %s: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		os.Remove(dst)
		return "", fmt.Errorf("copy to %s: %w", dst, err)
	}
	return dst, pruneBackups(path, keep)
}

// backups lists the copies of path, oldest first.
func backups(path string) ([]string, error) {
	dir := filepath.Dir(path)
	prefix := backupPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// pruneBackups removes the oldest copies of path beyond keep.
func pruneBackups(path string, keep int) error {
	list, err := backups(path)
	if err != nil {
		return err
	}
	for len(list) > keep {
		if err := os.Remove(list[0]); err != nil {
			return err
		}
		list = list[1:]
	}
	return nil
}
