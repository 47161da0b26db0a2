package cli

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunSendsTaskFailedAlert runs the daemon with a shop that cannot be reached and a notify
// block with a webhook: the failed run arrives at the webhook once, in Dutch, without the
// profile's secrets.
func TestRunSendsTaskFailedAlert(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	got := make(chan struct{}, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 1<<16)
		n, _ := r.Body.Read(b)
		mu.Lock()
		bodies = append(bodies, string(b[:n]))
		mu.Unlock()
		got <- struct{}{}
	}))
	defer hook.Close()
	// Addresses nobody listens on: the run fails at once.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	profile := strings.Replace(profileText(dead, dead, "ZGVtbzpkZW1v", "cs_geheim_notify"), `  task "import_orders" { every = "15m" }`,
		`  task "import_orders" { every = "15m" }
  notify {
    webhook = "`+hook.URL+`/koppel"
    on      = ["task_failed"]
    digest  = "none"
  }`, 1)
	dir := configDir(t, profile)
	bin := koppelBinary(t)
	cmd := exec.Command(bin, "run", "--config", dir, "--listen", "127.0.0.1:0", "--log-level", "info")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	out, errs := collect(stdout), collect(stderr)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("koppel run output:\n%s\n%s", out.text(), errs.text())
		}
	})
	m, _ := out.wait(t, `health at http://(\S+)/healthz`, 0)
	resp, err := http.Post("http://"+m[1]+"/api/profiles/winkel/tasks/import_orders/run", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-got:
	case <-time.After(2 * time.Minute):
		t.Fatal("no alert arrived at the webhook")
	}
	mu.Lock()
	body := bodies[0]
	mu.Unlock()
	var msg struct {
		Profile string `json:"profile"`
		Subject string `json:"subject"`
		Events  []struct {
			Kind, Title, Detail, Action string
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		t.Fatalf("webhook body %s: %v", body, err)
	}
	if msg.Profile != "winkel" || len(msg.Events) != 1 || msg.Events[0].Kind != "task_failed" ||
		msg.Events[0].Title != "De taak import_orders is mislukt" || msg.Events[0].Detail == "" {
		t.Errorf("alert %+v", msg)
	}
	for _, secret := range []string{"cs_geheim_notify", "ZGVtbzpkZW1v"} {
		if strings.Contains(body, secret) {
			t.Errorf("the alert holds the secret %q: %s", secret, body)
		}
	}
	// The alert was recorded: the state store holds it (once), read after the daemon stopped.
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	mu.Lock()
	n := len(bodies)
	mu.Unlock()
	if n != 1 {
		t.Errorf("%d webhook calls for one failed run", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "state")); err != nil {
		t.Errorf("no state directory: %v", err)
	}
}

// TestSyncSendsTaskFailedAlert: a `koppel sync` run that fails sends its alert too, once per
// run.
func TestSyncSendsTaskFailedAlert(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 1<<16)
		n, _ := r.Body.Read(b)
		mu.Lock()
		bodies = append(bodies, string(b[:n]))
		mu.Unlock()
	}))
	defer hook.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	profile := strings.Replace(profileText(dead, dead, "ZGVtbzpkZW1v", "cs_geheim_sync"), `  task "import_orders" { every = "15m" }`,
		`  notify {
    webhook = "`+hook.URL+`"
    digest  = "none"
  }`, 1)
	dir := configDir(t, profile)
	for i := 1; i <= 2; i++ {
		if code, _, errs := run(t, nil, "sync", "winkel", "import_orders", "--no-progress", "--config", dir); code != ExitFailed {
			t.Fatalf("sync %d: exit %d, want 1\n%s", i, code, errs)
		}
		mu.Lock()
		n := len(bodies)
		mu.Unlock()
		if n != i {
			t.Fatalf("after sync %d: %d webhook calls, want %d (one per failed run)", i, n, i)
		}
	}
	for _, b := range bodies {
		if !strings.Contains(b, `"kind":"task_failed"`) || strings.Contains(b, "cs_geheim_sync") {
			t.Errorf("alert %s", b)
		}
	}
}
