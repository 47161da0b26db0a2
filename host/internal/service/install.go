package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Paths of the files a Linux install writes, relative to the install root.
const (
	unitDir     = "etc/systemd/system"
	sysusersDir = "etc/sysusers.d"
)

// File is one file or directory an install wrote or found.
type File struct {
	// Path is the path under the install root.
	Path string
	// What says what it is, for the command's summary.
	What string
	// Kept is true when it existed already and was left as it was.
	Kept bool
}

// HasKoppelBlock reports whether a configuration directory already has a koppel block; the
// installer writes the starter koppel.hcl only when it has none. It is a function so the
// installer does not depend on the configuration package.
type HasKoppelBlock func(configDir string) bool

// InstallFiles writes the Linux service's files under root ("/" for this system): the unit
// (when withUnit is set; on this system the service manager library writes it), the
// sysusers.d entry for its user, the configuration directory (0750) with a starter
// koppel.hcl when it has no koppel block, and the state directory (0700). An existing unit is
// an error unless replace is set; it does not run systemctl nor create the user (see Install).
func InstallFiles(root string, l Layout, withUnit, replace bool, hasKoppel HasKoppelBlock) ([]File, error) {
	if err := l.Check("linux"); err != nil {
		return nil, err
	}
	under := func(p string) string { return filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(p, "/"))) }
	var out []File
	unit := under(filepath.Join(unitDir, l.Name+".service"))
	if _, err := os.Stat(unit); err == nil && !replace {
		return nil, fmt.Errorf("%s exists already: the service is installed; run \"koppel service uninstall\" first, or install with --replace", unit)
	}
	if withUnit {
		if err := writeFile(unit, SystemdUnit(l), 0o644); err != nil {
			return nil, err
		}
		out = append(out, File{Path: unit, What: "systemd unit"})
	}
	users := under(filepath.Join(sysusersDir, l.Name+".conf"))
	if err := writeFile(users, SysusersConf(l), 0o644); err != nil {
		return nil, err
	}
	out = append(out, File{Path: users, What: "system user " + l.User})

	for _, d := range []struct {
		path, what string
		mode       fs.FileMode
	}{{l.ConfigDir, "configuration directory", 0o750}, {l.StateDir, "state directory", 0o700}} {
		p := under(d.path)
		_, err := os.Stat(p)
		kept := err == nil
		if err := os.MkdirAll(p, d.mode); err != nil {
			return nil, fmt.Errorf("create the %s: %w", d.what, err)
		}
		if !kept {
			if err := os.Chmod(p, d.mode); err != nil {
				return nil, fmt.Errorf("set the mode of the %s: %w", d.what, err)
			}
		}
		out = append(out, File{Path: p, What: d.what, Kept: kept})
	}
	cfgDir := under(l.ConfigDir)
	starter := filepath.Join(cfgDir, "koppel.hcl")
	_, err := os.Stat(starter)
	switch {
	case err == nil || (hasKoppel != nil && hasKoppel(cfgDir)):
		out = append(out, File{Path: cfgDir, What: "koppel block (kept; check that state_dir is " + l.StateDir + ")", Kept: true})
	default:
		if err := writeFile(starter, StarterConfig(l), 0o640); err != nil {
			return nil, err
		}
		out = append(out, File{Path: starter, What: "starter koppel block"})
	}
	return out, nil
}

// UninstallFiles removes the unit and the sysusers.d entry under root. The configuration,
// the state and the user stay: they hold the bookkeeping's history.
func UninstallFiles(root string, l Layout) ([]File, error) {
	var out []File
	for _, p := range []struct{ path, what string }{
		{filepath.Join(root, unitDir, l.Name+".service"), "systemd unit"},
		{filepath.Join(root, sysusersDir, l.Name+".conf"), "sysusers.d entry"},
	} {
		err := os.Remove(p.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return out, fmt.Errorf("remove the %s: %w", p.what, err)
		}
		out = append(out, File{Path: p.path, What: p.what, Kept: err != nil})
	}
	return out, nil
}

// CreateUser creates l's system user from the sysusers.d entry InstallFiles wrote, with
// systemd-sysusers (which does nothing when the user exists), and hands the state directory
// to it. root is "/" for this system.
func CreateUser(ctx context.Context, root string, l Layout) error {
	conf := filepath.Join(root, sysusersDir, l.Name+".conf")
	args := []string{conf}
	if root != "/" {
		args = append([]string{"--root=" + root}, args...)
	}
	out, err := exec.CommandContext(ctx, "systemd-sysusers", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("systemd-sysusers %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	if root == "/" {
		if out, err := exec.CommandContext(ctx, "chown", "-R", l.User+":"+l.User, l.StateDir).CombinedOutput(); err != nil {
			return fmt.Errorf("chown %s to %s: %v: %s", l.StateDir, l.User, err, strings.TrimSpace(string(out)))
		}
		if out, err := exec.CommandContext(ctx, "chgrp", "-R", l.User, l.ConfigDir).CombinedOutput(); err != nil {
			return fmt.Errorf("chgrp %s to %s: %v: %s", l.ConfigDir, l.User, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}

func writeFile(path, content string, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Chmod(path, mode)
}
