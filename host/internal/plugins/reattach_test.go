package plugins

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// A plugin started by hand with `debug` is used through KOPPEL_REATTACH_PLUGINS: the Manager
// connects to it instead of starting the binary, and leaves it running when it closes.
func TestReattachToDebugPlugin(t *testing.T) {
	ctx := testCtx(t)
	dir := installPlugins(t, "testshop")
	cmd := exec.Command(filepath.Join(dir, fileName("testshop", runtime.GOOS)), "debug")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var value string
	deadline := time.After(20 * time.Second)
	for value == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("debug plugin exited before printing its reattach line")
			}
			if i := strings.Index(l, plugin.ReattachEnv+"='"); i >= 0 {
				value = strings.TrimSuffix(l[i+len(plugin.ReattachEnv)+2:], "'")
			}
		case <-deadline:
			t.Fatal("no reattach line from the debug plugin")
		}
	}
	reattach, err := plugin.ParseReattach(value)
	if err != nil {
		t.Fatalf("parse %q: %v", value, err)
	}

	// No lock file and AllowUnlocked off: a debug plugin is not checked against the lock.
	m := NewManager(Options{Dir: t.TempDir(), Reattach: reattach})
	shop, err := m.Shop(ctx, "testshop", "p", sdk.Config{}.Set("label", "D"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := shop.Check(ctx)
	if err != nil || res.Summary != "shop D" {
		t.Fatalf("Check through the debug plugin = %q, %v", res.Summary, err)
	}
	if got := res.Details["pid"]; got != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("answered by pid %s, want the debug process %d", got, cmd.Process.Pid)
	}
	m.Close()
	if !processAlive(cmd.Process.Pid) {
		t.Fatal("closing the Manager stopped the debug process")
	}
}
