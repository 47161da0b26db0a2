package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	kservice "github.com/kardianos/service"
)

// Status is what the service manager says about the installed service.
type Status string

// The statuses Manager.Status reports.
const (
	StatusRunning      Status = "running"
	StatusStopped      Status = "stopped"
	StatusNotInstalled Status = "not installed"
	StatusUnknown      Status = "unknown"
)

// Manager installs and controls the service on this machine through the system's service
// manager (systemd or the Windows service control manager).
type Manager struct {
	l Layout
	s kservice.Service
}

// idle is the kardianos program for control operations, which never run the service body.
type idle struct{}

func (idle) Start(kservice.Service) error { return nil }
func (idle) Stop(kservice.Service) error  { return nil }

// kardianosConfig is the library's description of the service for l.
func kardianosConfig(l Layout) (*kservice.Config, error) {
	c := &kservice.Config{
		Name:        l.Name,
		DisplayName: "koppel",
		Description: "koppel: webshop orders to SnelStart (koppel run)",
		Executable:  l.Executable,
		Arguments:   l.Arguments(),
		Option:      kservice.KeyValue{},
	}
	if runtime.GOOS == "windows" {
		c.UserName = l.User
		c.Option["StartType"] = "automatic"
		c.Option["DelayedAutoStart"] = true
		c.Option["OnFailure"] = "restart"
		c.Option["OnFailureDelayDuration"] = "10s"
		c.Option["OnFailureResetPeriod"] = 3600
		return c, nil
	}
	unit := SystemdUnit(l)
	if strings.Contains(unit, "{{") {
		return nil, fmt.Errorf("the unit for %s would hold \"{{\"; choose paths without braces", l.Executable)
	}
	// The unit is rendered in full here; the library installs it as its template.
	c.Option["SystemdScript"] = unit
	return c, nil
}

// NewManager returns the manager for l on this machine. On Linux it requires systemd.
func NewManager(l Layout) (*Manager, error) {
	if err := l.Check(runtime.GOOS); err != nil {
		return nil, err
	}
	if runtime.GOOS == "linux" {
		if sys := kservice.ChosenSystem(); sys == nil || sys.String() != "linux-systemd" {
			found := "no service manager"
			if sys != nil {
				found = sys.String()
			}
			return nil, fmt.Errorf("koppel service needs systemd on Linux; this machine has %s (on a machine without systemd, run \"koppel run\" under your own supervisor, or use --root to write the files for another system)", found)
		}
	}
	c, err := kardianosConfig(l)
	if err != nil {
		return nil, err
	}
	s, err := kservice.New(idle{}, c)
	if err != nil {
		return nil, fmt.Errorf("service manager: %w", err)
	}
	return &Manager{l: l, s: s}, nil
}

// Install installs the service (not started): on Linux the state and configuration
// directories, the system user and the unit (enabled); on Windows the directories, the
// service (automatic start, restarted on failure) and its event log source.
func (m *Manager) Install(ctx context.Context, hasKoppel HasKoppelBlock) ([]File, error) {
	var files []File
	if runtime.GOOS == "windows" {
		f, err := prepareWindowsDirs(m.l, hasKoppel)
		if err != nil {
			return nil, err
		}
		files = f
	} else {
		f, err := InstallFiles("/", m.l, false, false, hasKoppel)
		if err != nil {
			return nil, err
		}
		files = f
		if err := CreateUser(ctx, "/", m.l); err != nil {
			return files, err
		}
	}
	if err := m.s.Install(); err != nil {
		return files, fmt.Errorf("install the %s service: %w", m.l.Name, err)
	}
	return files, nil
}

// Uninstall stops and removes the service; configuration and state stay.
func (m *Manager) Uninstall(context.Context) error {
	if st, _ := m.Status(); st == StatusRunning {
		if err := m.s.Stop(); err != nil {
			return fmt.Errorf("stop the %s service: %w", m.l.Name, err)
		}
	}
	if err := m.s.Uninstall(); err != nil {
		return fmt.Errorf("uninstall the %s service: %w", m.l.Name, err)
	}
	if runtime.GOOS != "windows" {
		if _, err := UninstallFiles("/", m.l); err != nil {
			return err
		}
	}
	return nil
}

// Start starts the installed service.
func (m *Manager) Start(context.Context) error {
	if err := m.s.Start(); err != nil {
		return fmt.Errorf("start the %s service: %w", m.l.Name, err)
	}
	return nil
}

// Stop stops the service gracefully (koppel finishes the order in flight).
func (m *Manager) Stop(context.Context) error {
	if err := m.s.Stop(); err != nil {
		return fmt.Errorf("stop the %s service: %w", m.l.Name, err)
	}
	return nil
}

// Status asks the service manager whether the service runs.
func (m *Manager) Status() (Status, error) {
	st, err := m.s.Status()
	switch {
	case errors.Is(err, kservice.ErrNotInstalled):
		return StatusNotInstalled, nil
	case err != nil:
		return StatusUnknown, fmt.Errorf("status of the %s service: %w", m.l.Name, err)
	case st == kservice.StatusRunning:
		return StatusRunning, nil
	case st == kservice.StatusStopped:
		return StatusStopped, nil
	}
	return StatusUnknown, nil
}

// prepareWindowsDirs creates the configuration and state directories and the starter koppel
// block on Windows (the directories inherit ProgramData's permissions: administrators and
// SYSTEM).
func prepareWindowsDirs(l Layout, hasKoppel HasKoppelBlock) ([]File, error) {
	var out []File
	for _, d := range []struct{ path, what string }{{l.ConfigDir, "configuration directory"}, {l.StateDir, "state directory"}} {
		_, err := os.Stat(d.path)
		if err := os.MkdirAll(d.path, 0o700); err != nil {
			return nil, fmt.Errorf("create the %s: %w", d.what, err)
		}
		out = append(out, File{Path: d.path, What: d.what, Kept: err == nil})
	}
	starter := filepath.Join(l.ConfigDir, "koppel.hcl")
	if _, err := os.Stat(starter); err == nil || (hasKoppel != nil && hasKoppel(l.ConfigDir)) {
		return append(out, File{Path: l.ConfigDir, What: "koppel block (kept)", Kept: true}), nil
	}
	if err := writeFile(starter, StarterConfig(l), 0o600); err != nil {
		return nil, err
	}
	return append(out, File{Path: starter, What: "starter koppel block"}), nil
}
