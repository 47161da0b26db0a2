package service

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// skipSystemd is the variable that lets a machine without systemd's tools skip the tests that
// need them; without it such a test fails and names the missing tool.
const skipSystemd = "KOPPEL_SKIP_SYSTEMD"

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(skipSystemd) == "1" {
		t.Skipf("%s is not installed and %s=1", name, skipSystemd)
	}
	t.Fatalf("%s is not installed (Debian package systemd; .ci/run installs it); set %s=1 to skip this test", name, skipSystemd)
	return ""
}

func testLayout(t *testing.T) Layout {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return DefaultLayout("linux", exe)
}

func TestSystemdUnitContent(t *testing.T) {
	l := DefaultLayout("linux", "/opt/koppel/koppel")
	l.Listen = "0.0.0.0:8484"
	unit := SystemdUnit(l)
	for _, want := range []string{
		"User=koppel\n", "Group=koppel\n",
		"ExecStart=/opt/koppel/koppel run --config /etc/koppel --log-level info --listen 0.0.0.0:8484 --stop-timeout 300s\n",
		"ExecReload=/bin/kill -HUP $MAINPID\n",
		"EnvironmentFile=-/etc/koppel/koppel.env\n",
		"ProtectSystem=strict\n", "ReadWritePaths=/var/lib/koppel\n", "NoNewPrivileges=yes\n",
		"PrivateTmp=yes\n", "ProtectHome=yes\n", "CapabilityBoundingSet=\n",
		"StandardOutput=journal\n", "StandardError=journal\n",
		"Restart=on-failure\n", "RestartPreventExitStatus=2\n", "TimeoutStopSec=360s\n",
		"WantedBy=multi-user.target\n",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	if l.PluginDir != "/opt/koppel/plugins" {
		t.Errorf("plugin dir %q, want the plugins beside the binary", l.PluginDir)
	}
}

func TestExecLineQuoting(t *testing.T) {
	tests := []struct {
		exe  string
		args []string
		want string
	}{
		{"/usr/bin/koppel", []string{"run"}, "/usr/bin/koppel run"},
		{"/opt/my koppel/koppel", []string{"run", "--config", "/etc/k 1"}, `"/opt/my koppel/koppel" run --config "/etc/k 1"`},
		{"/opt/koppel", []string{"--x", "50%", "$HOME"}, `/opt/koppel --x 50%% $$HOME`},
	}
	for _, tt := range tests {
		if got := execLine(tt.exe, tt.args); got != tt.want {
			t.Errorf("execLine(%q, %q) = %s, want %s", tt.exe, tt.args, got, tt.want)
		}
	}
}

func TestLayoutCheck(t *testing.T) {
	good := DefaultLayout("linux", "/opt/koppel/koppel")
	if err := good.Check("linux"); err != nil {
		t.Fatal(err)
	}
	win := DefaultLayout("windows", `C:\Program Files\koppel\koppel.exe`)
	if err := win.Check("windows"); err != nil {
		t.Fatal(err)
	}
	if win.PluginDir != `C:\Program Files\koppel\plugins` || win.StateDir != `C:\ProgramData\koppel\state` {
		t.Errorf("windows layout %+v", win)
	}
	for name, mutate := range map[string]func(*Layout){
		"relative state": func(l *Layout) { l.StateDir = "state" },
		"root user":      func(l *Layout) { l.User = "root" },
		"no user":        func(l *Layout) { l.User = "" },
		"quote in path":  func(l *Layout) { l.ConfigDir = `/etc/ko"ppel` },
		"space in name":  func(l *Layout) { l.Name = "kop pel" },
	} {
		l := good
		mutate(&l)
		if err := l.Check("linux"); err == nil {
			t.Errorf("%s: Check accepted %+v", name, l)
		}
	}
}

// TestInstallFilesIntoRoot installs into a temporary root and checks every file, the modes,
// that a second install is refused, that an existing koppel block is kept, and uninstall.
func TestInstallFilesIntoRoot(t *testing.T) {
	root := t.TempDir()
	l := testLayout(t)
	files, err := InstallFiles(root, l, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Errorf("wrote %d files, want 5: %+v", len(files), files)
	}
	unit, err := os.ReadFile(filepath.Join(root, "etc/systemd/system/koppel.service"))
	if err != nil {
		t.Fatal(err)
	}
	if string(unit) != SystemdUnit(l) {
		t.Error("the installed unit differs from SystemdUnit")
	}
	users, err := os.ReadFile(filepath.Join(root, "etc/sysusers.d/koppel.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(users), `u koppel - "koppel daemon" /var/lib/koppel /usr/sbin/nologin`) {
		t.Errorf("sysusers entry: %s", users)
	}
	for p, mode := range map[string]os.FileMode{"etc/koppel": 0o750, "var/lib/koppel": 0o700, "etc/koppel/koppel.hcl": 0o640} {
		fi, err := os.Stat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode().Perm(), mode)
		}
	}
	starter, _ := os.ReadFile(filepath.Join(root, "etc/koppel/koppel.hcl"))
	for _, want := range []string{`state_dir  = "/var/lib/koppel"`, `plugin_dir = "` + l.PluginDir + `"`} {
		if !strings.Contains(string(starter), want) {
			t.Errorf("starter config lacks %q:\n%s", want, starter)
		}
	}
	if _, err := InstallFiles(root, l, true, false, nil); err == nil || !strings.Contains(err.Error(), "uninstall") {
		t.Errorf("second install: %v, want a refusal naming uninstall", err)
	}
	// A replace keeps the operator's koppel block.
	custom := "koppel {\n  state_dir = \"/srv/koppel\"\n}\n"
	if err := os.WriteFile(filepath.Join(root, "etc/koppel/koppel.hcl"), []byte(custom), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := InstallFiles(root, l, true, true, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/koppel/koppel.hcl")); string(b) != custom {
		t.Errorf("replace overwrote the koppel block: %s", b)
	}
	removed, err := UninstallFiles(root, l)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range removed {
		if f.Kept {
			t.Errorf("%s was not removed", f.Path)
		}
		if _, err := os.Stat(f.Path); err == nil {
			t.Errorf("%s still exists", f.Path)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "var/lib/koppel")); err != nil {
		t.Errorf("uninstall removed the state: %v", err)
	}
}

// TestStarterConfigOnlyWithoutKoppelBlock: a directory whose profiles hold a koppel block gets
// no second one.
func TestStarterConfigOnlyWithoutKoppelBlock(t *testing.T) {
	root := t.TempDir()
	l := testLayout(t)
	if _, err := InstallFiles(root, l, true, false, func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/koppel/koppel.hcl")); err == nil {
		t.Error("a starter koppel.hcl was written beside an existing koppel block")
	}
}

// TestSystemdVerify runs systemd-analyze verify on the installed unit (which checks every key
// and the ExecStart binary) and requires the sandbox's exposure score to stay "OK" (below 3).
func TestSystemdVerify(t *testing.T) {
	tool := needTool(t, "systemd-analyze")
	root := t.TempDir()
	l := testLayout(t)
	if _, err := InstallFiles(root, l, true, false, nil); err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(root, "etc/systemd/system/koppel.service")
	out, err := exec.Command(tool, "verify", unit).CombinedOutput()
	// verify also complains about the build machine (no sysinit.target in a container); those
	// lines are about the machine, not the unit.
	var problems []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) == "" || strings.Contains(line, "sysinit.target") || strings.Contains(line, "/bin/kill") {
			continue
		}
		problems = append(problems, line)
	}
	if err != nil || len(problems) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, strings.Join(problems, "\n"))
	}
	out, err = exec.Command(tool, "security", "--offline=yes", unit).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for koppel\.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	score, _ := strconv.ParseFloat(string(m[1]), 64)
	if score >= 3 {
		t.Errorf("exposure level %.1f, want below 3 (systemd's OK):\n%s", score, out)
	}
}

// TestSysusersCreatesUser lets systemd-sysusers create the user inside the temporary root.
func TestSysusersCreatesUser(t *testing.T) {
	needTool(t, "systemd-sysusers")
	root := t.TempDir()
	l := testLayout(t)
	if _, err := InstallFiles(root, l, true, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := CreateUser(t.Context(), root, l); err != nil {
		t.Fatal(err)
	}
	passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^koppel:x:\d+:\d+:koppel daemon:/var/lib/koppel:/usr/sbin/nologin$`).Match(passwd) {
		t.Errorf("no koppel system user in the root's passwd:\n%s", passwd)
	}
}

type fakeLog struct{ lines []string }

func (f *fakeLog) Error(v ...any) error   { f.lines = append(f.lines, "E "+v[0].(string)); return nil }
func (f *fakeLog) Warning(v ...any) error { f.lines = append(f.lines, "W "+v[0].(string)); return nil }
func (f *fakeLog) Info(v ...any) error    { f.lines = append(f.lines, "I "+v[0].(string)); return nil }

func TestLogWriterLevels(t *testing.T) {
	f := &fakeLog{}
	w := NewLogWriter(f)
	for _, chunk := range []string{"2026-01-01 [ERROR] koppel: x\n2026 [WARN] ", "koppel: y\r\n", "koppel: dashboard\n\n", "partial"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"E 2026-01-01 [ERROR] koppel: x", "W 2026 [WARN] koppel: y", "I koppel: dashboard"}
	if strings.Join(f.lines, "|") != strings.Join(want, "|") {
		t.Errorf("entries %q, want %q", f.lines, want)
	}
}
