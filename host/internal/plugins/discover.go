package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// BinaryPrefix starts the file name of every plugin binary: koppel-plugin-NAME.
const BinaryPrefix = "koppel-plugin-"

// Binary is one plugin binary found in the plugin directory.
type Binary struct {
	// Name is the plugin's name, the part of the file name after "koppel-plugin-" (without
	// ".exe" on Windows).
	Name string
	// Path is the binary's absolute path.
	Path string
	// SHA256 is the lower-case hex SHA-256 of the file's contents.
	SHA256 string
}

// Discover lists the plugin binaries in dir, sorted by name, with their SHA-256. A file counts
// when it is a regular file (or a link to one) named koppel-plugin-NAME (koppel-plugin-NAME.exe
// on Windows) with a valid NAME (see ValidName). A missing dir is an error that wraps
// fs.ErrNotExist.
func Discover(dir string) ([]Binary, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin_dir %s: %w", dir, err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("plugin_dir %s does not exist: %w", abs, err)
		}
		return nil, fmt.Errorf("read plugin_dir: %w", err)
	}
	var out []Binary
	for _, e := range entries {
		name, ok := nameFromFile(e.Name(), runtime.GOOS)
		if !ok {
			continue
		}
		path := filepath.Join(abs, e.Name())
		st, err := os.Stat(path) // follows links
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return nil, fmt.Errorf("plugin %s: %w", name, err)
		}
		out = append(out, Binary{Name: name, Path: path, SHA256: sum})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ValidName reports whether name can be a plugin name: 1 to 64 characters of lower-case
// letters, digits, "-" and "_", starting with a letter or digit.
func ValidName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// nameFromFile returns the plugin name in a file name for the given GOOS.
func nameFromFile(file, goos string) (string, bool) {
	if !strings.HasPrefix(file, BinaryPrefix) {
		return "", false
	}
	name := strings.TrimPrefix(file, BinaryPrefix)
	if goos == "windows" {
		if len(name) < 4 || !strings.EqualFold(name[len(name)-4:], ".exe") {
			return "", false
		}
		name = name[:len(name)-4]
	}
	if !ValidName(name) {
		return "", false
	}
	return name, true
}

// fileName returns the file name of plugin name's binary for the given GOOS.
func fileName(name, goos string) string {
	if goos == "windows" {
		return BinaryPrefix + name + ".exe"
	}
	return BinaryPrefix + name
}

// fileSHA256 hashes a file's contents.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash binary: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// short abbreviates a hex hash for messages.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}
