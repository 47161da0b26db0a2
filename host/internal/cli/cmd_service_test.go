package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
)

// TestServiceInstallIntoRoot runs `koppel service install --root DIR` and checks the unit it
// wrote, then uninstall; and that start refuses --root.
func TestServiceInstallIntoRoot(t *testing.T) {
	root := t.TempDir()
	code, out, errs := run(t, nil, "service", "install", "--root", root, "--executable", "/opt/koppel/koppel",
		"--config", "/srv/koppel/conf", "--listen", "127.0.0.1:9000")
	if code != ExitOK {
		t.Fatalf("install: exit %d\n%s%s", code, out, errs)
	}
	unit, err := os.ReadFile(filepath.Join(root, "etc/systemd/system/koppel.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ExecStart=/opt/koppel/koppel run --config /srv/koppel/conf --log-level info --listen 127.0.0.1:9000 --stop-timeout 300s\n",
		"ReadWritePaths=/var/lib/koppel\n", "EnvironmentFile=-/srv/koppel/conf/koppel.env\n",
	} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	starter, err := os.ReadFile(filepath.Join(root, "srv/koppel/conf/koppel.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(starter), `plugin_dir = "/opt/koppel/plugins"`) {
		t.Errorf("starter config:\n%s", starter)
	}
	if !strings.Contains(out, "systemctl enable --now koppel") {
		t.Errorf("install output does not say what to run next:\n%s", out)
	}
	// The starter block is a valid koppel block.
	cfg, diags := config.Load(filepath.Join(root, "srv/koppel/conf"), config.LoadOptions{})
	if diags.HasErrors() || cfg.Koppel.StateDir != "/var/lib/koppel" || cfg.Koppel.PluginDir != "/opt/koppel/plugins" {
		t.Errorf("the starter koppel block: %v, %+v", diags, cfg.Koppel)
	}
	if code, _, errs := run(t, nil, "service", "install", "--root", root, "--executable", "/opt/koppel/koppel"); code != ExitFailed || !strings.Contains(errs, "exists already") {
		t.Errorf("second install: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, nil, "service", "start", "--root", root); code != ExitUsage {
		t.Errorf("start --root: exit %d, %s", code, errs)
	}
	if code, out, errs := run(t, nil, "service", "uninstall", "--root", root); code != ExitOK || !strings.Contains(out, "removed") {
		t.Fatalf("uninstall: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/systemd/system/koppel.service")); err == nil {
		t.Error("the unit is still there after uninstall")
	}
	if code, _, errs := run(t, nil, "service", "install", "--root", root, "--executable", "koppel"); code != ExitUsage || !strings.Contains(errs, "absolute") {
		t.Errorf("relative executable: exit %d, %s", code, errs)
	}
}
