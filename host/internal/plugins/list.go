package plugins

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"

	"github.com/koppel-nl/koppel/sdk"
)

// LockStatus says how a plugin binary stands against the lock file.
type LockStatus string

const (
	// StatusLocked: the binary's hash matches the lock file.
	StatusLocked LockStatus = "locked"
	// StatusUnlocked: the binary is not in the lock file.
	StatusUnlocked LockStatus = "not locked"
	// StatusChanged: the binary's hash differs from the lock file's; it will be refused.
	StatusChanged LockStatus = "changed since locked"
	// StatusMissing: the lock file names a plugin whose binary is gone.
	StatusMissing LockStatus = "missing"
)

// Listing is one line of `koppel plugins`.
type Listing struct {
	// Name is the plugin's name.
	Name string
	// Path is the binary's absolute path; empty for StatusMissing.
	Path string
	// SHA256 is the binary's current hash; empty for StatusMissing.
	SHA256 string
	// LockedSHA256 is the hash in the lock file; empty for StatusUnlocked.
	LockedSHA256 string
	// Status compares the two.
	Status LockStatus
	// Kind, Version, Protocol and SDKVersion come from the lock file for a locked binary (they
	// were read from this very binary when it was locked) and from the running plugin
	// otherwise; they are empty when unknown (see Err).
	Kind       sdk.PluginKind
	Version    string
	Protocol   int
	SDKVersion string
	// Description is the plugin's one-line description when it is running (or was started for
	// the listing).
	Description string
	// PID is the plugin's process id when it is running, else 0.
	PID int
	// Err says why Kind and Version are unknown: an unlocked binary that is not started while
	// AllowUnlocked is off, or a start that failed.
	Err error
}

// List describes every plugin binary in the directory and every lock entry without a binary,
// sorted by name, for `koppel plugins`. It hashes each binary; it starts a plugin only when it is
// unlocked and AllowUnlocked is set (a locked binary's facts come from the lock file; a changed
// one is never started). A missing directory is an error wrapping fs.ErrNotExist.
func (m *Manager) List(ctx context.Context) ([]Listing, error) {
	bins, err := Discover(m.dir)
	if err != nil {
		return nil, err
	}
	lf, err := readLockOrEmpty(m.lockPath)
	if err != nil {
		return nil, err
	}
	live := map[string]Process{}
	for _, p := range m.Processes() {
		live[p.Name] = p
	}
	seen := map[string]bool{}
	var out []Listing
	for _, b := range bins {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list plugins: %w", err)
		}
		seen[b.Name] = true
		l := Listing{Name: b.Name, Path: b.Path, SHA256: b.SHA256}
		e, locked := lf.Plugins[b.Name]
		switch {
		case !locked:
			l.Status = StatusUnlocked
		case e.SHA256 == b.SHA256:
			l.Status = StatusLocked
			l.LockedSHA256 = e.SHA256
			l.Kind, l.Version, l.Protocol, l.SDKVersion = e.Kind, e.Version, e.Protocol, e.SDKVersion
		default:
			l.Status = StatusChanged
			l.LockedSHA256 = e.SHA256
			l.Err = changedError(b.Name, filepath.Base(b.Path), b.SHA256, e.SHA256)
		}
		if p, ok := live[b.Name]; ok {
			l.PID = p.PID
			l.Description = p.Info.Description
			if l.Status == StatusUnlocked {
				l.Kind, l.Version, l.Protocol, l.SDKVersion = p.Info.Kind, p.Info.Version, p.Info.Protocol, p.Info.SDKVersion
			}
		} else if l.Status == StatusUnlocked {
			if m.opts.AllowUnlocked {
				info, err := m.Info(ctx, b.Name)
				if err != nil {
					l.Err = err
				} else {
					l.Kind, l.Version, l.Protocol, l.SDKVersion, l.Description = info.Kind, info.Version, info.Protocol, info.SDKVersion, info.Description
					for _, p := range m.Processes() {
						if p.Name == b.Name {
							l.PID = p.PID
						}
					}
				}
			} else {
				_, _, l.Err = m.lockEntry(b.Name)
			}
		}
		out = append(out, l)
	}
	return m.withMissing(out, lf, seen), nil
}

// withMissing appends a StatusMissing Listing for every lock entry whose plugin is not in seen
// and sorts the result by name.
func (m *Manager) withMissing(out []Listing, lf *LockFile, seen map[string]bool) []Listing {
	for name, e := range lf.Plugins {
		if seen[name] {
			continue
		}
		file := e.File
		if file == "" {
			file = fileName(name, runtime.GOOS)
		}
		out = append(out, Listing{
			Name: name, LockedSHA256: e.SHA256, Status: StatusMissing,
			Kind: e.Kind, Version: e.Version, Protocol: e.Protocol, SDKVersion: e.SDKVersion,
			Err: &sdk.Error{Kind: sdk.KindConfig, Err: ErrNotInstalled, Message: fmt.Sprintf(
				"plugin %s is in the lock file but %s is not in %s", name, file, m.dir)},
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Verify hashes every plugin binary again and compares it with the lock file on disk, without
// starting anything or writing anything: this is `koppel plugins verify`. Each Listing has
// Status StatusLocked (hash matches), StatusChanged, StatusUnlocked (binary not in the lock
// file) or StatusMissing (lock entry without a binary); Kind and Version come from the lock
// file. A missing lock file is an error wrapping fs.ErrNotExist.
func (m *Manager) Verify(ctx context.Context) ([]Listing, error) {
	lf, err := ReadLockFile(m.lockPath)
	if err != nil {
		return nil, err
	}
	bins, err := Discover(m.dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Listing
	for _, b := range bins {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify plugins: %w", err)
		}
		seen[b.Name] = true
		l := Listing{Name: b.Name, Path: b.Path, SHA256: b.SHA256, Status: StatusUnlocked}
		if e, ok := lf.Plugins[b.Name]; ok {
			l.LockedSHA256 = e.SHA256
			l.Kind, l.Version, l.Protocol, l.SDKVersion = e.Kind, e.Version, e.Protocol, e.SDKVersion
			l.Status = StatusLocked
			if e.SHA256 != b.SHA256 {
				l.Status = StatusChanged
				l.Err = changedError(b.Name, filepath.Base(b.Path), b.SHA256, e.SHA256)
			}
		}
		out = append(out, l)
	}
	return m.withMissing(out, lf, seen), nil
}
