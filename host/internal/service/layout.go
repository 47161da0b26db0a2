// Package service installs `koppel run` as an operating-system service: a hardened systemd unit
// on Linux (own system user, state in /var/lib/koppel, configuration in /etc/koppel, logs in the
// journal) and a Windows service (logs in the Windows event log). Installing, starting, stopping
// and querying go through github.com/kardianos/service; the unit text, the sysusers.d entry and
// the starter configuration are rendered here so they can be installed into a separate root
// directory (packaging, tests) without touching the running system.
package service

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Name is the service's name: the systemd unit koppel.service and the Windows service koppel.
const Name = "koppel"

// Layout says where an installed service lives. Paths are as seen by the running system (not
// prefixed with an install root).
type Layout struct {
	// Name is the unit or Windows service name (default "koppel").
	Name string
	// Executable is the absolute path of the koppel binary the service starts.
	Executable string
	// ConfigDir holds the *.hcl profiles (/etc/koppel; C:\ProgramData\koppel on Windows).
	ConfigDir string
	// StateDir is the Badger state directory (/var/lib/koppel; C:\ProgramData\koppel\state).
	StateDir string
	// PluginDir is where the koppel-plugin-* binaries and their lock file are.
	PluginDir string
	// User is the system user the Linux service runs as (default "koppel"). Windows services
	// run as LocalSystem unless User is set.
	User string
	// LogLevel is passed to `koppel run --log-level` (default "info").
	LogLevel string
	// Listen, when set, overrides the koppel block's listen address (`koppel run --listen`).
	Listen string
	// StopTimeout is `koppel run --stop-timeout` in seconds (default 300); systemd waits a
	// minute longer before it kills the process.
	StopTimeoutSeconds int
}

// DefaultLayout is the layout for goos (runtime.GOOS) with exe as the binary: /etc/koppel,
// /var/lib/koppel and the plugins beside the binary (EXEDIR/plugins) on Linux;
// C:\ProgramData\koppel (profiles) and C:\ProgramData\koppel\state on Windows.
func DefaultLayout(goos, exe string) Layout {
	l := Layout{Name: Name, Executable: exe, User: "koppel", LogLevel: "info", StopTimeoutSeconds: 300}
	if goos == "windows" {
		l.ConfigDir = `C:\ProgramData\koppel`
		l.StateDir = `C:\ProgramData\koppel\state`
		l.PluginDir = winJoin(winDir(exe), "plugins")
		l.User = ""
		return l
	}
	l.ConfigDir = "/etc/koppel"
	l.StateDir = "/var/lib/koppel"
	l.PluginDir = filepath.ToSlash(filepath.Join(filepath.Dir(exe), "plugins"))
	return l
}

// Check reports a layout that cannot be installed: a relative path, or an empty field.
func (l Layout) Check(goos string) error {
	abs := func(p string) bool {
		if goos == "windows" {
			return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
		}
		return strings.HasPrefix(p, "/")
	}
	for _, f := range []struct{ name, val string }{
		{"executable", l.Executable}, {"config directory", l.ConfigDir},
		{"state directory", l.StateDir}, {"plugin directory", l.PluginDir},
	} {
		if f.val == "" {
			return fmt.Errorf("the %s is empty", f.name)
		}
		if !abs(f.val) {
			return fmt.Errorf("the %s %q is not an absolute path; give the full path", f.name, f.val)
		}
		if strings.ContainsAny(f.val, "\n\"'%$\\") && goos != "windows" {
			return fmt.Errorf("the %s %q holds a character a unit file cannot carry (newline, quote, %%, $ or \\); choose a plainer path", f.name, f.val)
		}
	}
	if l.Name == "" || strings.ContainsAny(l.Name, " /\\\n") {
		return fmt.Errorf("service name %q: use letters, digits, - and _", l.Name)
	}
	if goos != "windows" && (l.User == "" || l.User == "root") {
		return fmt.Errorf("user %q: the service runs as its own unprivileged user; give a name such as koppel", l.User)
	}
	return nil
}

// Arguments are the command-line arguments the service passes to koppel.
func (l Layout) Arguments() []string {
	args := []string{"run", "--config", l.ConfigDir, "--log-level", l.logLevel()}
	if l.Listen != "" {
		args = append(args, "--listen", l.Listen)
	}
	if l.StopTimeoutSeconds > 0 {
		args = append(args, "--stop-timeout", fmt.Sprintf("%ds", l.StopTimeoutSeconds))
	}
	return args
}

func (l Layout) logLevel() string {
	if l.LogLevel == "" {
		return "info"
	}
	return l.LogLevel
}

// Current is DefaultLayout for this machine.
func Current(exe string) Layout { return DefaultLayout(runtime.GOOS, exe) }

// winDir is the directory part of a Windows path, on any host.
func winDir(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	if i < 0 {
		return "."
	}
	return p[:i]
}

func winJoin(a, b string) string { return strings.TrimRight(a, `\/`) + `\` + b }
