package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// koppelBinary builds bin/koppel from this checkout into a test directory (the signal tests
// need a process of their own).
func koppelBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "koppel")
	cmd := exec.Command("go", "build", "-o", bin, "./host")
	cmd.Dir = repoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build koppel: %v\n%s", err, out)
	}
	return bin
}

// daemonProfile is a profile against the simulators, with import_orders scheduled.
func daemonProfile(name, wooAddr, ssAddr string) string {
	return fmt.Sprintf(`profile %q {
  shop "woocommerce" {
    url             = "http://%s"
    consumer_key    = "ck_demo"
    consumer_secret = "cs_demo"
  }
  ledger "snelstart-online" {
    client_key       = "ZGVtbzpkZW1v"
    subscription_key = "demo-subscription-key"
    base_url         = "http://%s/v2"
    auth_url         = "http://%s/b2b/token"
    rate_limit       = 6000
  }
  orders {
    since            = "2020-01-01T00:00:00Z"
    shipping_article = "VERZEND"
    discount_article = "KORTING"
    vat_check        = "off"
  }
  articles {
    revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = 3, "19" = 1, "7" = 2, "6" = 2 }
  }
  task "import_orders" { every = "1h" }
}
`, name, wooAddr, ssAddr, ssAddr)
}

// lines collects a process's output and lets a test wait for a line.
type lines struct {
	mu   sync.Mutex
	all  []string
	cond chan struct{}
}

func collect(r io.Reader) *lines {
	l := &lines{cond: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.all = append(l.all, sc.Text())
			l.mu.Unlock()
			select {
			case l.cond <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

func (l *lines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// wait waits for a line matching re (counting from line `from`) and returns its submatches.
func (l *lines) wait(t *testing.T, re string, from int) ([]string, int) {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(60 * time.Second)
	for {
		l.mu.Lock()
		for i := from; i < len(l.all); i++ {
			if m := rx.FindStringSubmatch(l.all[i]); m != nil {
				l.mu.Unlock()
				return m, i + 1
			}
		}
		l.mu.Unlock()
		select {
		case <-l.cond:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no line matching %q in:\n%s", re, l.text())
		}
	}
}

// waitUnless is wait, but gives up (returning nil) when ended receives first: the process
// whose output this is ended (the value received is put back for the caller).
func (l *lines) waitUnless(t *testing.T, re string, from int, ended chan int) ([]string, int) {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(60 * time.Second)
	for {
		l.mu.Lock()
		for i := from; i < len(l.all); i++ {
			if m := rx.FindStringSubmatch(l.all[i]); m != nil {
				l.mu.Unlock()
				return m, i + 1
			}
		}
		l.mu.Unlock()
		select {
		case code := <-ended:
			ended <- code
			return nil, from
		case <-l.cond:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no line matching %q in:\n%s", re, l.text())
		}
	}
}

func healthz(t *testing.T, addr string) (int, health) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	defer resp.Body.Close()
	var h health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatalf("healthz body: %v", err)
	}
	return resp.StatusCode, h
}

// TestRunReloadAndGracefulStop runs the daemon as a process: it serves /healthz, keeps its
// profiles when a SIGHUP brings a broken edit, takes a valid edit, and on SIGTERM lets the
// order in flight finish (no unfinished create is left) and exits 0.
func TestRunReloadAndGracefulStop(t *testing.T) {
	bin := koppelBinary(t)
	woo := simulate(t, "woocommerce", "--orders", "60", "--latency", "40ms")
	ss := simulate(t, "snelstart-online", "--rate-limit", "-1")
	dir := configDir(t, daemonProfile("winkel", woo, ss))
	cmd := exec.Command(bin, "run", "--config", dir, "--listen", "127.0.0.1:0", "--log-level", "info")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	out := collect(stdout)
	errs := collect(stderr)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("koppel run output:\n%s\n%s", out.text(), errs.text())
		}
	})

	m, pos := out.wait(t, `health at http://(\S+)/healthz`, 0)
	addr := m[1]
	// A SIGHUP as soon as the addresses are out reloads (its default action would end the
	// process: the daemon catches it before it announces itself).
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	_, pos = out.wait(t, `reloaded: running winkel; 1 scheduled task`, pos)
	if code, h := healthz(t, addr); code != 200 || h.Status != "ok" || len(h.Profiles) != 1 || h.Profiles[0] != "winkel" {
		t.Fatalf("healthz: %d %+v", code, h)
	}

	// A broken edit: the diagnostics are logged, the running profile stays.
	profile := filepath.Join(dir, "profile.hcl")
	good, _ := os.ReadFile(profile)
	if err := os.WriteFile(profile, []byte(strings.Replace(string(good), `every = "1h"`, `every = "soon"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	_, pos = out.wait(t, `reload failed, the running profiles are kept`, pos)
	errs.wait(t, `profile\.hcl:\d+,\d+: error`, 0)
	if _, h := healthz(t, addr); len(h.Profiles) != 1 || len(h.Jobs) != 1 {
		t.Fatalf("after a broken reload: %+v", h)
	}
	// A valid edit adds a second profile.
	if err := os.WriteFile(profile, append(good, []byte(daemonProfile("winkel2", woo, ss))...), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	_, pos = out.wait(t, `reloaded: running winkel, winkel2; 2 scheduled task`, pos)

	// SIGTERM once winkel2's first import_orders has started (the reload scheduled it for now):
	// the runs finish the order in flight and the daemon exits.
	deadline := time.Now().Add(60 * time.Second)
	for started := false; !started; {
		_, h := healthz(t, addr)
		for _, j := range h.Jobs {
			started = started || (j.Profile == "winkel2" && (j.Running || j.Runs > 0))
		}
		if !started {
			if time.Now().After(deadline) {
				t.Fatalf("winkel2's import_orders did not start: %+v\n%s", h, out.text())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("koppel run exited with %v\n%s\n%s", err, out.text(), errs.text())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("koppel run did not stop\n%s", out.text())
	}
	out.wait(t, `koppel: stopped`, pos)

	// Every run was recorded and no create was left half done.
	st, err := state.Open(context.Background(), filepath.Join(dir, "state"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, p := range []string{"winkel", "winkel2"} {
		intents := 0
		state.List(context.Background(), st, state.NSIntent.ProfilePrefix(p), func(state.Key, pipeline.IntentRecord) error { intents++; return nil })
		if intents != 0 {
			t.Fatalf("%s: %d unfinished creates after a graceful stop", p, intents)
		}
		runs := 0
		pipeline.ListTaskRuns(context.Background(), st, p, 0, func(pipeline.TaskRunRecord) error { runs++; return nil })
		if runs == 0 {
			t.Fatalf("%s: no run recorded\n%s", p, out.text())
		}
	}
	if !strings.Contains(out.text(), "winkel import_orders: orders imported") {
		t.Fatalf("no run summary:\n%s", out.text())
	}
}

func TestRunUsageErrors(t *testing.T) {
	dir := configDir(t, daemonProfile("winkel", "127.0.0.1:1", "127.0.0.1:1"))
	if code, _, errs := run(t, nil, "run", "--config", dir, "--profiles", "nobody*"); code != ExitUsage || !strings.Contains(errs, "geen profiel past bij --profiles") {
		t.Fatalf("--profiles without match: %d %s", code, errs)
	}
	if code, _, _ := run(t, nil, "run", "extra-arg", "--config", dir); code != ExitUsage {
		t.Fatalf("run with an argument: %d", code)
	}
}

// TestDemoOnce runs `koppel demo --once` on a copy of examples/profiles/demo.hcl with free ports:
// both simulators from plugin_dir, every task once, the overview printed, exit 0.
func TestDemoOnce(t *testing.T) {
	var code int
	var out, errs, dir string
	for attempt := 1; attempt <= demoAttempts; attempt++ {
		dir = demoConfig(t)
		code, out, errs = run(t, nil, "demo", "--once", "--config", dir, "--orders", "10")
		if code == 0 || !demoPortTaken(errs) {
			break
		}
		t.Logf("attempt %d: a simulator port was taken meanwhile; again with other ports:\n%s", attempt, errs)
	}
	if code != 0 {
		t.Fatalf("demo --once: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"locked", "demo import_orders: orders imported", "demo import_articles:", "demo export_stock: stock written 4",
		"uitvoering (execution overview)", "import_orders_export_stock", "-> 1001", "geschreven SHIRT-01, BOEK-01, SET-01, MOK-01"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The simulators end with the demo: nothing listens on their ports once it returned.
	hcl, err := os.ReadFile(filepath.Join(dir, "demo.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	sims := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindAllStringSubmatch(string(hcl), -1)
	if len(sims) < 2 {
		t.Fatalf("demo profile names %d simulator addresses, want 2", len(sims))
	}
	for _, m := range sims {
		if c, err := net.DialTimeout("tcp", m[1], time.Second); err == nil {
			c.Close()
			t.Errorf("a simulator still listens on %s after demo --once returned", m[1])
		}
	}
	if strings.Contains(out, "dashboard") {
		t.Fatalf("demo --once serves a dashboard:\n%s", out)
	}
	// The simulators are gone after the demo (killed as it returns: their sockets close as
	// soon as the kernel has ended them).
	woo := regexp.MustCompile(`woocommerce on (\S+),`).FindStringSubmatch(out)
	if woo == nil {
		t.Fatalf("no simulator address in:\n%s", out)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", woo[1], time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the shop simulator still listens on %s", woo[1])
		}
	}
}

// demoAttempts is how often a demo test starts the demo when the simulator ports it chose were
// taken by another process before the demo bound them.
const demoAttempts = 3

// demoPortTaken reports whether the demo's stderr says a simulator could not listen on its
// port (the demo binds the addresses the profile names, chosen free by demoConfig a moment
// before: a parallel test or package can take one in between).
func demoPortTaken(stderr string) bool {
	for _, s := range []string{"address already in use", "is already in use", "simulator did not start on"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// demoConfig copies examples/profiles/demo.hcl into a config directory with the test plugins,
// free simulator ports and a free dashboard port.
func demoConfig(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(), "examples", "profiles", "demo.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := configDir(t, "")
	os.Remove(filepath.Join(dir, "profile.hcl"))
	os.Remove(filepath.Join(dir, "koppel.hcl"))
	woo, ss := freePort(t), freePort(t)
	text := pluginDirLine.ReplaceAllString(string(src), `${1}"./plugins"`)
	text = strings.ReplaceAll(text, "127.0.0.1:8702", woo)
	text = strings.ReplaceAll(text, "127.0.0.1:8701", ss)
	text = strings.ReplaceAll(text, `listen         = "127.0.0.1:8484"`, `listen         = "127.0.0.1:0"`)
	if err := os.WriteFile(filepath.Join(dir, "demo.hcl"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
