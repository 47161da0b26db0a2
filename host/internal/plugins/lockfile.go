package plugins

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/koppel-nl/koppel/sdk"
)

// LockFileName is the name of the lock file in the plugin directory, used unless the koppel
// block's lock_file puts it elsewhere (Options.LockFile).
const LockFileName = "koppel-plugins.lock"

// DefaultLockPath is the lock file koppel uses for plugin directory dir when lock_file is not
// set: dir/koppel-plugins.lock.
func DefaultLockPath(dir string) string { return filepath.Join(dir, LockFileName) }

// lockFileVersion is the format version this package reads and writes.
const lockFileVersion = 1

const lockComment = `Written by "koppel plugins lock": the SHA-256 of every plugin binary koppel may start ` +
	`from this directory. koppel refuses a binary whose hash differs. After installing or ` +
	`updating a plugin on purpose, run "koppel plugins lock" again.`

// LockFile is the content of koppel-plugins.lock: indented JSON, one entry per plugin name.
type LockFile struct {
	// Comment explains the file to a person reading it; it is ignored when read.
	Comment string `json:"_comment,omitempty"`
	// Version is the file format version (1).
	Version int `json:"version"`
	// Plugins maps a plugin name to what was locked for it.
	Plugins map[string]LockEntry `json:"plugins"`
}

// LockEntry is what the lock file records for one plugin binary.
type LockEntry struct {
	// File is the binary's file name in the plugin directory.
	File string `json:"file"`
	// SHA256 is the lower-case hex SHA-256 of the binary.
	SHA256 string `json:"sha256"`
	// Kind is shop or ledger, as the plugin reported it when locked.
	Kind sdk.PluginKind `json:"kind"`
	// Version is the plugin's own version when locked.
	Version string `json:"version"`
	// Protocol is the protocol version negotiated when locked.
	Protocol int `json:"protocol"`
	// SDKVersion is the SDK version the plugin was built with.
	SDKVersion string `json:"sdk_version,omitempty"`
}

// checksum decodes the entry's hash.
func (e LockEntry) checksum() ([]byte, error) {
	b, err := hex.DecodeString(e.SHA256)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("sha256 %q is not 64 hex digits", e.SHA256)
	}
	return b, nil
}

// ReadLockFile reads the lock file at path. A missing file is an error wrapping
// fs.ErrNotExist; a malformed one names the file and the problem.
func ReadLockFile(path string) (*LockFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lock file: %w", err)
	}
	var lf LockFile
	if err := json.Unmarshal(b, &lf); err != nil {
		return nil, fmt.Errorf("lock file %s is not valid JSON: %w; run \"koppel plugins lock\" to write it again", path, err)
	}
	if lf.Version != lockFileVersion {
		return nil, fmt.Errorf("lock file %s has format version %d; this koppel reads version %d", path, lf.Version, lockFileVersion)
	}
	for name, e := range lf.Plugins {
		if !ValidName(name) {
			return nil, fmt.Errorf("lock file %s: %q is not a valid plugin name", path, name)
		}
		if _, err := e.checksum(); err != nil {
			return nil, fmt.Errorf("lock file %s: plugin %s: %w", path, name, err)
		}
	}
	if lf.Plugins == nil {
		lf.Plugins = map[string]LockEntry{}
	}
	return &lf, nil
}

// readLockOrEmpty reads the lock file at path, treating a missing file as an empty one.
func readLockOrEmpty(path string) (*LockFile, error) {
	lf, err := ReadLockFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &LockFile{Version: lockFileVersion, Plugins: map[string]LockEntry{}}, nil
	}
	return lf, err
}

// WriteLockFile writes lf to path atomically: it writes a temporary file in the same directory,
// syncs it and renames it over the old one, so a reader never sees half a file. The file is
// readable by everyone (mode 0644) and holds no secrets; who may write it decides who may
// trust a plugin, so keep it in a directory only the administrator can write (lock_file).
func WriteLockFile(path string, lf *LockFile) error {
	dir := filepath.Dir(path)
	out := *lf
	out.Version = lockFileVersion
	out.Comment = lockComment
	if out.Plugins == nil {
		out.Plugins = map[string]LockEntry{}
	}
	b, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return fmt.Errorf("encode lock file: %w", err)
	}
	b = append(b, '\n')
	tmp, err := os.CreateTemp(dir, ".koppel-plugins.lock-*")
	if err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write lock file: %w", err)
	}
	done = true
	return nil
}
