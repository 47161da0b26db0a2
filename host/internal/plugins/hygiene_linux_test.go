//go:build linux

package plugins

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests run a real host process (internal/testhost) that starts the test plugin, then
// stop that host the two ways a host can stop, and check that the plugin process is gone.
//
// The test process makes itself a child subreaper (PR_SET_CHILD_SUBREAPER): when the host is
// SIGKILLed its plugin is re-parented to this test process instead of init. In a container init
// may never reap, which would leave a zombie that looks like a live pid; as subreaper the test
// reaps the plugin itself and can check how it died (SIGKILL from Pdeathsig).

func TestHostSIGTERMLeavesNoPlugin(t *testing.T) {
	host, pluginPID, stdout := startTestHost(t)
	if err := host.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Read before Wait, which closes the pipe.
	if line, _ := stdout.ReadString('\n'); strings.TrimSpace(line) != "closed" {
		t.Errorf("host did not report closing the manager: %q", line)
	}
	waitHost(t, host)
	if host.ProcessState.ExitCode() != 0 {
		t.Errorf("host exit code %d after SIGTERM, want 0 (it should close and exit)", host.ProcessState.ExitCode())
	}
	// The host reaped its plugin in Close: the pid is gone at once, not even a zombie.
	if err := unix.Kill(pluginPID, 0); !errors.Is(err, unix.ESRCH) {
		t.Errorf("plugin pid %d still exists after the host closed (kill 0: %v)", pluginPID, err)
	}
}

func TestHostSIGKILLLeavesNoPlugin(t *testing.T) {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", err)
	}
	host, pluginPID, _ := startTestHost(t)
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitHost(t, host)

	// The orphaned plugin is now our child. Pdeathsig must have killed it with SIGKILL (the
	// plugin's own parent watchdog would instead exit with status 3 within a second).
	deadline := time.Now().Add(20 * time.Second)
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(pluginPID, &ws, unix.WNOHANG, nil)
		if err != nil {
			t.Fatalf("wait4(%d): %v (plugin was not re-parented to the test?)", pluginPID, err)
		}
		if pid == pluginPID {
			if !ws.Signaled() || ws.Signal() != unix.SIGKILL {
				t.Errorf("plugin ended with %s, want killed by SIGKILL (Pdeathsig)", describeWait(ws))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin pid %d still running 20 s after its host was SIGKILLed", pluginPID)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := unix.Kill(pluginPID, 0); !errors.Is(err, unix.ESRCH) {
		t.Errorf("plugin pid %d still exists (kill 0: %v)", pluginPID, err)
	}
}

// startTestHost runs testhost with a directory holding the test shop plugin and returns it
// with the plugin's pid (read from its first line of output) and the rest of its stdout.
func startTestHost(t *testing.T) (*exec.Cmd, int, *bufio.Reader) {
	t.Helper()
	dir := installPlugins(t, "testshop")
	host := exec.Command(testHostBin, dir, "testshop")
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Process.Kill() })
	r := bufio.NewReader(out)
	type line struct {
		s   string
		err error
	}
	lines := make(chan line, 1)
	go func() {
		s, err := r.ReadString('\n')
		lines <- line{s, err}
	}()
	var l line
	select {
	case l = <-lines:
	case <-time.After(20 * time.Second):
		t.Fatal("test host did not report its plugin's pid")
	}
	if l.err != nil {
		t.Fatalf("test host output: %v", l.err)
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(l.s), "pid "))
	if err != nil || pid <= 0 {
		t.Fatalf("test host said %q", l.s)
	}
	if !processAlive(pid) {
		t.Fatalf("plugin pid %d is not running before the host is stopped", pid)
	}
	return host, pid, r
}

// waitHost waits for the host process to end.
func waitHost(t *testing.T, host *exec.Cmd) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		_ = host.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("host did not exit")
	}
}

func describeWait(ws unix.WaitStatus) string {
	switch {
	case ws.Signaled():
		return "signal " + ws.Signal().String()
	case ws.Exited():
		return fmt.Sprintf("exit status %d", ws.ExitStatus())
	}
	return fmt.Sprintf("wait status %#x", uint32(ws))
}
