package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/internal/testtools"
)

// dashToken is the api_token of the token tests (never printed by koppel).
const dashToken = "tok-dashboard-test-7c1f9e2a5b8d4f60a3e1"

// shopLatency slows every shop API answer, so a run lasts long enough to be seen running.
const shopLatency = "300ms"

// dashProfile is a profile against the simulators: import_orders on demand only (no every),
// import_articles scheduled far in the future. extraOrders goes into the orders block.
func dashProfile(name, wooAddr, ssAddr, extraOrders string) string {
	return fmt.Sprintf(`profile %q {
  description = "Dashboard test shop"
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
%s
  }
  articles {
    revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = 3, "19" = 1, "7" = 2, "6" = 2 }
  }
  task "import_orders" {}
  task "import_articles" { every = "24h" next = "2099-01-01T00:00:00Z" }
}
`, name, wooAddr, ssAddr, ssAddr, extraOrders)
}

// daemonProc is a `koppel run` process.
type daemonProc struct {
	cmd       *exec.Cmd
	addr      string
	out, errs *lines
	pos       int // stdout lines read so far by wait
}

// startDaemon runs `koppel run` on dir on a free loopback port and waits for its dashboard.
func startDaemon(t *testing.T, bin, dir string) *daemonProc {
	t.Helper()
	cmd := exec.Command(bin, "run", "--config", dir, "--listen", "127.0.0.1:0", "--log-level", "info")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	d := &daemonProc{cmd: cmd, out: collect(stdout), errs: collect(stderr)}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("koppel run output:\n%s\n%s", d.out.text(), d.errs.text())
		}
	})
	m, pos := d.out.wait(t, `dashboard at http://(\S+)/$`, 0)
	d.addr, d.pos = m[1], pos
	return d
}

// wait waits for a stdout line matching re after the lines already read.
func (d *daemonProc) wait(t *testing.T, re string) []string {
	t.Helper()
	m, pos := d.out.wait(t, re, d.pos)
	d.pos = pos
	return m
}

// call does one request against the daemon and decodes a JSON answer into v (when not nil).
func call(t *testing.T, method, url, token string, v any) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, body)
		}
	}
	return resp.StatusCode, string(body)
}

func (d *daemonProc) get(t *testing.T, path string, v any) int {
	t.Helper()
	code, body := call(t, http.MethodGet, "http://"+d.addr+path, "", v)
	if code != http.StatusOK && v != nil {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	return code
}

func (d *daemonProc) post(t *testing.T, path string, v any) (int, string) {
	t.Helper()
	return call(t, http.MethodPost, "http://"+d.addr+path, "", v)
}

// taskOf returns the task of the profile in an /api/profiles answer.
func taskOf(t *testing.T, p serve.ProfilesJSON, profile, task string) serve.TaskJSON {
	t.Helper()
	for _, pj := range p.Profiles {
		if pj.Name != profile {
			continue
		}
		for _, tj := range pj.Tasks {
			if tj.Task == task {
				return tj
			}
		}
	}
	t.Fatalf("no task %s/%s in %+v", profile, task, p)
	return serve.TaskJSON{}
}

// waitFor polls cond every 50ms for up to 60s (a loaded machine runs the simulators and
// plugins slowly; a passing test waits only as long as it must).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use (a command's stderr read meanwhile).
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// shopGate is a reverse proxy in front of a shop simulator that can hold the shop requests
// (closeGate) until it is opened again, so a test keeps a run in flight for as long as its
// checks take instead of betting on how long the run lasts.
type shopGate struct {
	addr string
	mu   sync.Mutex
	hold chan struct{} // nil while open; closed when the gate opens
	held int           // requests that arrived since the gate was closed
}

// newShopGate serves the gate on a free loopback port, passing requests to target.
func newShopGate(t *testing.T, target string) *shopGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The Host header stays the gate's: the plugin signs its requests (OAuth 1.0a) for it.
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: target})
	g := &shopGate{addr: ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		hold := g.hold
		if hold != nil {
			g.held++
		}
		g.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { g.open(); _ = srv.Close() })
	return g
}

// closeGate holds every shop request from now on.
func (g *shopGate) closeGate() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hold == nil {
		g.hold, g.held = make(chan struct{}), 0
	}
}

// open lets the held requests and every later one through.
func (g *shopGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hold != nil {
		close(g.hold)
		g.hold = nil
	}
}

// waitHeld waits until a shop request is held at the closed gate: a run is in flight and
// cannot end before the gate opens.
func (g *shopGate) waitHeld(t *testing.T) {
	t.Helper()
	waitFor(t, "a shop request held at the gate", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.hold != nil && g.held > 0
	})
}

// TestDashboardAgainstSimulators is issue 11's proof against the real thing: `koppel run` (the
// binary) against both simulators, its dashboard driven by headless Chromium ("Nu uitvoeren"
// on import_orders, then the run and its orders appear), and every API endpoint over HTTP:
// profiles, runs, orders, run now (202, 409 while running, Running at once), retry (after a
// SIGHUP reload that books payment fees, the failed order is imported), /metrics, the reloaded
// profiles, and /healthz answering 503 while the daemon stops.
func TestDashboardAgainstSimulators(t *testing.T) {
	bin := koppelBinary(t)
	// The profiles reach the shop through a gate, which the checks that need a run in flight
	// (409 while it runs, 503 while stopping) close for as long as they take.
	gate := newShopGate(t, simulate(t, "woocommerce", "--orders", "20", "--latency", shopLatency))
	woo := gate.addr
	ss := simulate(t, "snelstart-online", "--rate-limit", "-1")
	dir := configDir(t, dashProfile("winkel", woo, ss, ""))
	d := startDaemon(t, bin, dir)

	// Before any run: the schedule, no runs, no orders.
	var profs serve.ProfilesJSON
	d.get(t, "/api/profiles", &profs)
	if len(profs.Profiles) != 1 || profs.Profiles[0].Name != "winkel" || len(profs.Plugins) != 2 {
		t.Fatalf("profiles: %+v", profs)
	}
	if io := taskOf(t, profs, "winkel", "import_orders"); io.EverySeconds != 0 || io.Next != nil || io.Running || io.Last != nil {
		t.Fatalf("import_orders (on demand) before a run: %+v", io)
	}
	if ia := taskOf(t, profs, "winkel", "import_articles"); ia.EverySeconds != 86400 || ia.Next == nil || ia.Next.Year() != 2099 || ia.Running {
		t.Fatalf("import_articles (scheduled) before a run: %+v", ia)
	}
	var runs serve.RunsJSON
	d.get(t, "/api/runs", &runs)
	if len(runs.Runs) != 0 {
		t.Fatalf("runs before any run: %+v", runs)
	}

	// The browser: "Nu uitvoeren" on import_orders, the run and its orders appear. Without
	// Chromium the run is started over the API, the HTTP checks below still run and the test
	// fails at the end naming the missing browser (or is reported skipped with
	// KOPPEL_SKIP_BROWSER=1).
	exe := testtools.Chromium.Find()
	var shots []string
	if exe != "" {
		shots = browserRunNow(t, d, exe)
	} else {
		if code, body := d.post(t, "/api/profiles/winkel/tasks/import_orders/run", nil); code != http.StatusAccepted {
			t.Fatalf("run now: %d %s", code, body)
		}
		// The run is over (recorded, counted in /metrics) once the scheduler no longer
		// reports it running; its record in the store comes a moment before that.
		waitFor(t, "the first run", func() bool {
			d.get(t, "/api/profiles", &profs)
			io := taskOf(t, profs, "winkel", "import_orders")
			return !io.Running && io.Last != nil
		})
	}

	// The run the browser started, as the API shows it.
	d.get(t, "/api/runs?profile=winkel&task=import_orders", &runs)
	if len(runs.Runs) != 1 || runs.Runs[0].Imported == 0 || runs.Runs[0].Failed == 0 || runs.Runs[0].Result != serve.ResultFailedItems {
		t.Fatalf("runs after the click: %+v", runs)
	}
	first := runs.Runs[0]
	var imported, failed serve.OrdersJSON
	d.get(t, "/api/orders?profile=winkel&status=imported", &imported)
	d.get(t, "/api/orders?profile=winkel&status=failed", &failed)
	if len(imported.Orders) != first.Imported || len(failed.Orders) != first.Failed {
		t.Fatalf("orders: %d imported, %d failed; the run says %d and %d", len(imported.Orders), len(failed.Orders), first.Imported, first.Failed)
	}
	for _, o := range imported.Orders {
		if o.Status != "imported" || o.LedgerNumber == 0 || o.CustomerCode == 0 || o.TotalIncl == "" {
			t.Fatalf("imported order: %+v", o)
		}
	}
	for _, o := range failed.Orders {
		if o.Status != "failed" || o.Reason == "" || o.Attempts != 1 {
			t.Fatalf("failed order: %+v", o)
		}
	}
	for path, want := range map[string]int{
		"/api/orders?profile=nobody":            http.StatusNotFound,
		"/api/orders?profile=winkel&status=bad": http.StatusBadRequest,
		"/api/runs?task=no_such_task":           http.StatusBadRequest,
	} {
		if code := d.get(t, path, nil); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
	t.Logf("run %s: %d orders imported, %d failed, %d ledger calls; screenshots %v", first.Task, first.Imported, first.Failed, first.LedgerCalls, shots)

	// /metrics counts the run.
	_, metrics := call(t, http.MethodGet, "http://"+d.addr+"/metrics", "", nil)
	for _, want := range []string{
		`koppel_runs_total{profile="winkel",result="failed_items",task="import_orders"} 1`,
		fmt.Sprintf(`koppel_orders_imported_total{profile="winkel"} %d`, first.Imported),
		fmt.Sprintf(`koppel_ledger_calls_total{profile="winkel"} %d`, first.LedgerCalls),
		`koppel_plugin_up{plugin="woocommerce"} 1`,
		`koppel_task_running{profile="winkel",task="import_orders"} 0`,
		fmt.Sprintf(`koppel_failed_orders{profile="winkel",status="failed"} %d`, first.Failed),
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if m := regexp.MustCompile(`koppel_shop_calls_total\{profile="winkel"\} (\d+)`).FindStringSubmatch(metrics); m == nil || m[1] == "0" {
		t.Errorf("/metrics counts no shop calls: %v", m)
	}

	// Run now over the API: 202, Running at once, 409 while it runs, 404 for unknown names. The
	// gate holds the run's shop requests until these checks are done.
	gate.closeGate()
	var act serve.ActionJSON
	if code, body := d.post(t, "/api/profiles/winkel/tasks/import_orders/run", &act); code != http.StatusAccepted || act.RunID == "" {
		t.Fatalf("run now: %d %s", code, body)
	}
	d.get(t, "/api/profiles", &profs)
	if io := taskOf(t, profs, "winkel", "import_orders"); !io.Running || io.RunningSince == nil {
		t.Fatalf("import_orders right after run now: %+v", io)
	}
	if code, body := d.post(t, "/api/profiles/winkel/tasks/import_articles/run", nil); code != http.StatusConflict || !strings.Contains(body, "import_orders") {
		t.Fatalf("a second run of the profile while one runs: %d %s", code, body)
	}
	for _, path := range []string{"/api/profiles/nobody/tasks/import_orders/run", "/api/profiles/winkel/tasks/no_such_task/run"} {
		if code, body := d.post(t, path, nil); code != http.StatusNotFound {
			t.Fatalf("POST %s: %d %s", path, code, body)
		}
	}
	gate.waitHeld(t) // the run was in the shop, not yet ended, all along
	gate.open()
	waitFor(t, "the second run to end", func() bool {
		d.get(t, "/api/profiles", &profs)
		io := taskOf(t, profs, "winkel", "import_orders")
		return !io.Running && io.Last != nil && io.Last.Start.After(first.Start)
	})
	d.get(t, "/api/runs?profile=winkel", &runs)
	if len(runs.Runs) != 2 || runs.Runs[0].Imported != 0 {
		t.Fatalf("runs after the second run (nothing new to import): %+v", runs)
	}

	// A reload (SIGHUP) that books payment fees on BETAALKOSTEN (and differences on
	// ORDERVERSCHIL) and adds a profile; the dashboard shows the new set, and "Opnieuw" imports
	// the failed order.
	edited := dashProfile("winkel", woo, ss, `    payment_fee_article = "BETAALKOSTEN"
    difference_article  = "ORDERVERSCHIL"`) + dashProfile("winkel2", woo, ss, "")
	if err := os.WriteFile(filepath.Join(dir, "profile.hcl"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	d.wait(t, `reloaded: running winkel, winkel2`)
	d.get(t, "/api/profiles", &profs)
	if len(profs.Profiles) != 2 || profs.Profiles[1].Name != "winkel2" || len(profs.Profiles[1].Tasks) != 2 {
		t.Fatalf("profiles after the reload: %+v", profs)
	}
	target := failed.Orders[0]
	if code, body := d.post(t, "/api/profiles/winkel/orders/"+target.ShopNumber+"/retry", &act); code != http.StatusAccepted || act.ShopID != target.ShopID {
		t.Fatalf("retry %s: %d %s", target.ShopNumber, code, body)
	}
	if code, body := d.post(t, "/api/profiles/winkel/orders/no-such-order/retry", nil); code != http.StatusNotFound {
		t.Fatalf("retry of an unknown order: %d %s", code, body)
	}
	// The order is imported during the retry run, whose record is stored when it ends: wait
	// for both.
	waitFor(t, "the retried order to be imported", func() bool {
		var now serve.OrdersJSON
		d.get(t, "/api/orders?profile=winkel&status=imported", &now)
		for _, o := range now.Orders {
			if o.ShopID == target.ShopID {
				return o.LedgerNumber != 0
			}
		}
		return false
	})
	waitFor(t, "the retry run to end", func() bool {
		d.get(t, "/api/runs?profile=winkel&limit=1", &runs)
		return len(runs.Runs) == 1 && runs.Runs[0].Task == "retry"
	})
	d.get(t, "/api/orders?profile=winkel&status=failed", &failed)
	for _, o := range failed.Orders {
		if o.ShopID == target.ShopID {
			t.Fatalf("order %s is still failed after its retry: %+v", target.ShopNumber, o)
		}
	}
	d.get(t, "/api/runs?profile=winkel&limit=1", &runs)
	if len(runs.Runs) != 1 || runs.Runs[0].Task != "retry" || runs.Runs[0].Imported != 1 {
		t.Fatalf("the retry run: %+v", runs)
	}

	// SIGTERM while a run goes (held at the gate, in its shop listing): /healthz says 503 and
	// no run starts until the run finished, then koppel exits 0.
	gate.closeGate()
	if code, body := d.post(t, "/api/profiles/winkel2/tasks/import_orders/run", nil); code != http.StatusAccepted {
		t.Fatalf("run now of winkel2: %d %s", code, body)
	}
	gate.waitHeld(t)
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	d.wait(t, `koppel: stopping`)
	if code, h := healthz(t, d.addr); code != http.StatusServiceUnavailable || h.Status != "stopping" || h.Running != 1 {
		t.Fatalf("healthz while stopping: %d %+v", code, h)
	}
	if code, body := d.post(t, "/api/profiles/winkel/tasks/import_orders/run", nil); code != http.StatusConflict || !strings.Contains(body, "stopping") {
		t.Fatalf("run now while stopping: %d %s", code, body)
	}
	// A SIGHUP while stopping (a log rotation) neither reloads nor aborts the run in flight.
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	d.errs.wait(t, `SIGHUP while stopping: no reload`, 0)
	gate.open()
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("koppel run exited with %v\n%s", err, d.errs.text())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("koppel run did not stop")
	}
	if m := d.wait(t, `winkel2 import_orders: orders imported.*`); strings.Contains(m[0], "ERROR") || strings.Contains(d.errs.text(), "aborting the runs") {
		t.Fatalf("the run in flight was aborted: %s", m[0])
	}
	if strings.Contains(d.out.text()+d.errs.text(), "cs_demo") {
		t.Fatal("the daemon printed the shop secret")
	}
	if exe == "" {
		msg := testtools.Chromium.Message(testtools.Chromium.Missing()) + " (the HTTP checks passed)"
		if testtools.Chromium.Skipped() {
			defer t.Skipf("%s", msg)
		} else {
			t.Error(msg)
		}
	}
	// Every action is logged, whatever the log level.
	for _, want := range []string{"winkel import_orders: started from the dashboard or API", "winkel retry of order(s) " + target.ShopID + ": started"} {
		if !strings.Contains(d.out.text(), want) {
			t.Errorf("no %q in the output", want)
		}
	}
}

// browserRunNow opens the dashboard in headless Chromium, clicks "Nu uitvoeren" of
// import_orders and checks the run and its orders (shop number → SnelStart number, relatiecode,
// name) appear as the API reports them. It returns the screenshots saved.
func browserRunNow(t *testing.T, d *daemonProc, exe string) []string {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tabCtx, 45*time.Second)
	defer cancel()

	runButton := chromedp.CSS(`#profile-winkel tr[data-task="import_orders"] button.run-now`)
	if err := chromedp.Do(ctx, chromedp.Navigate("http://"+d.addr+"/"), chromedp.WaitVisible(runButton)); err != nil {
		t.Fatalf("open the dashboard in %s: %v", exe, err)
	}
	label, err := chromedp.Run(ctx, chromedp.Text(runButton))
	if err != nil || label != "Nu uitvoeren" {
		t.Fatalf("the run button says %q (%v)", label, err)
	}
	count := func(sel string) int {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconv.Quote(sel)+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	if n := count(`#profile-winkel tr.order`) + count(`#profile-winkel tr.run`); n != 0 {
		t.Fatalf("%d orders and runs shown before any run", n)
	}
	shots := []string{screenshotTo(t, ctx, "koppel-run-dashboard-before.png")}

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Click(runButton, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	// The page says the run is going (the shop answers slowly), then refreshes itself until
	// the run and its orders are there.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#running-banner`))); err != nil {
		t.Fatalf("no running banner after the click: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#profile-winkel tr.run[data-task="import_orders"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#profile-winkel tr.order`)), chromedp.WaitNotPresent(chromedp.CSS(`#running-banner`))); err != nil {
		t.Fatalf("the run never appeared on the page: %v", err)
	}
	t.Logf("the run and its orders are on the page %v after the click", time.Since(start).Round(time.Millisecond))

	var imported serve.OrdersJSON
	d.get(t, "/api/orders?profile=winkel&status=imported", &imported)
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('#profile-winkel tr.order')).map(r => Array.from(r.cells).map(c => c.innerText.trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(imported.Orders) == 0 || len(rows) != len(imported.Orders) {
		t.Fatalf("%d order rows on the page, the API has %d imported orders", len(rows), len(imported.Orders))
	}
	byNumber := map[string][]string{}
	for _, r := range rows {
		if len(r) < 7 {
			t.Fatalf("order row %q", r)
		}
		byNumber[r[0]] = r
	}
	for _, o := range imported.Orders {
		r, ok := byNumber[o.ShopNumber]
		if !ok {
			t.Fatalf("order %s is not on the page: %q", o.ShopNumber, rows)
		}
		// shop number → SnelStart number, relatiecode, name, amount, status
		if r[1] != "→" || r[2] != strconv.Itoa(o.LedgerNumber) || r[3] != strconv.Itoa(o.CustomerCode) ||
			r[4] == "" || r[4] == "—" || !strings.Contains(r[5], strings.Replace(o.TotalIncl, ".", ",", 1)) || r[6] != "geïmporteerd" {
			t.Errorf("order row %q does not show %s → %d, relatiecode %d, a name, € %s", r, o.ShopNumber, o.LedgerNumber, o.CustomerCode, o.TotalIncl)
		}
	}
	run, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#profile-winkel tr.run`)))
	if err != nil || !strings.Contains(run, "Orders importeren") || !strings.Contains(run, "Deels mislukt") {
		t.Fatalf("the run row says %q (%v)", run, err)
	}
	if n := count(`#profile-winkel tr.failed-order button.retry`); n == 0 {
		t.Fatal("no failed order with an Opnieuw button on the page")
	}
	// The task row shows its last result, kept in memory by the daemon.
	last, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#profile-winkel tr[data-task="import_orders"]`)))
	if err != nil || !strings.Contains(last, "Deels mislukt") || !strings.Contains(last, "Nu uitvoeren") {
		t.Fatalf("the import_orders task row says %q (%v)", last, err)
	}
	shots = append(shots, screenshotTo(t, ctx, "koppel-run-dashboard-after.png"))
	return shots
}

// screenshotTo saves a full-page screenshot in $KOPPEL_ARTIFACTS (or the test's temporary
// directory) and returns its path.
func screenshotTo(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	dir := os.Getenv("KOPPEL_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot saved: %s (%d bytes)", path, len(png))
	return path
}

// TestDashboardToken runs `koppel run` with koppel.api_token set: every API request, /metrics
// and the page need the bearer token (or a login); /healthz does not; the token is never
// printed.
func TestDashboardToken(t *testing.T) {
	bin := koppelBinary(t)
	woo := simulate(t, "woocommerce", "--orders", "3")
	ss := simulate(t, "snelstart-online", "--rate-limit", "-1")
	dir := configDir(t, dashProfile("winkel", woo, ss, ""))
	koppel := fmt.Sprintf("koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n  listen = \"127.0.0.1:0\"\n  api_token = %q\n}\n", dashToken)
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, bin, dir)
	base := "http://" + d.addr
	cases := []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/api/profiles", "", http.StatusUnauthorized},
		{"GET", "/api/profiles", "wrong-token", http.StatusUnauthorized},
		{"GET", "/api/runs", "", http.StatusUnauthorized},
		{"GET", "/api/orders?profile=winkel&status=failed", "", http.StatusUnauthorized},
		{"GET", "/metrics", "", http.StatusUnauthorized},
		{"POST", "/api/profiles/winkel/tasks/import_orders/run", "", http.StatusUnauthorized},
		{"POST", "/api/profiles/winkel/orders/1/retry", "", http.StatusUnauthorized},
		{"GET", "/", "", http.StatusSeeOther}, // to /login
		{"GET", "/healthz", "", http.StatusOK},
		{"GET", "/api/profiles", dashToken, http.StatusOK},
		{"GET", "/api/runs", dashToken, http.StatusOK},
		{"GET", "/api/orders?profile=winkel&status=failed", dashToken, http.StatusOK},
		{"GET", "/metrics", dashToken, http.StatusOK},
		{"GET", "/", dashToken, http.StatusOK},
		{"POST", "/api/profiles/winkel/tasks/import_orders/run", dashToken, http.StatusAccepted},
	}
	for _, c := range cases {
		code, body := call(t, c.method, base+c.path, c.token, nil)
		if code != c.want {
			t.Errorf("%s %s (token %v): %d, want %d: %s", c.method, c.path, c.token != "", code, c.want, body)
		}
		if strings.Contains(body, dashToken) {
			t.Errorf("%s %s shows the token", c.method, c.path)
		}
	}
	// The run started with the token is recorded.
	waitFor(t, "the run started with the token", func() bool {
		var runs serve.RunsJSON
		call(t, "GET", base+"/api/runs", dashToken, &runs)
		return len(runs.Runs) == 1 && runs.Runs[0].Task == "import_orders"
	})
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.wait(t, `koppel: stopped`)
	if all := d.out.text() + d.errs.text(); strings.Contains(all, dashToken) || !strings.Contains(all, "refused request without a valid token") {
		t.Fatalf("daemon output (token printed, or refusals not logged):\n%s", all)
	}
}

// TestRunListenNeedsToken: --listen on a non-loopback address without koppel.api_token is
// refused before anything runs.
func TestRunListenNeedsToken(t *testing.T) {
	dir := configDir(t, dashProfile("winkel", "127.0.0.1:1", "127.0.0.1:1", ""))
	code, _, errs := run(t, nil, "run", "--config", dir, "--listen", "0.0.0.0:0")
	if code != ExitUsage || !strings.Contains(errs, "api_token") {
		t.Fatalf("non-loopback listen without a token: exit %d: %s", code, errs)
	}
}

func TestRequireToken(t *testing.T) {
	cases := []struct {
		listen, token string
		want          bool
	}{
		{"127.0.0.1:8484", "", false},
		{"localhost:8484", "", false},
		{"[::1]:8484", "", false},
		{"127.0.0.1:8484", dashToken, true},
		{"0.0.0.0:8484", dashToken, true},
		{":8484", "", true},
		{"192.168.1.10:8484", "", true},
	}
	for _, c := range cases {
		if got := requireToken(config.KoppelBlock{Listen: "127.0.0.1:1", APIToken: c.token}, c.listen); got != c.want {
			t.Errorf("requireToken(%q, token %v) = %v, want %v", c.listen, c.token != "", got, c.want)
		}
	}
}

// TestDemoServesDashboard runs `koppel demo` without --once: the dashboard is up (its URL
// printed) while the round runs and after it, shows every task the round ran with its last
// result and the imported orders, and the demo stops on cancel.
func TestDemoServesDashboard(t *testing.T) {
	var (
		ctx    context.Context
		cancel context.CancelFunc
		out    *lines
		exit   chan int
		m      []string
		pos    int
	)
	for attempt := 1; m == nil; attempt++ {
		dir := demoConfig(t)
		ctx, cancel = context.WithCancel(context.Background())
		defer cancel()
		pr, pw := io.Pipe()
		out = collect(pr)
		var errs lockedBuffer
		exit = make(chan int, 1)
		runCtx, runExit := ctx, exit
		go func() {
			runExit <- Run(runCtx, []string{"demo", "--config", dir, "--orders", "10"}, Env{Version: "test", Stdin: strings.NewReader(""),
				Stdout: pw, Stderr: &errs, Getenv: func(string) (string, bool) { return "", false }})
			pw.Close()
		}()
		m, pos = out.waitUnless(t, `== dashboard \(Uitvoering\): http://(\S+)/$`, 0, exit)
		if m == nil {
			if attempt == demoAttempts || !demoPortTaken(errs.String()) {
				t.Fatalf("the demo ended before serving its dashboard:\n%s\n%s", out.text(), errs.String())
			}
			t.Logf("attempt %d: a simulator port was taken meanwhile; again with other ports:\n%s", attempt, errs.String())
		}
	}
	d := &daemonProc{addr: m[1], out: out, pos: pos}
	d.wait(t, `keeps running the profile's schedule and the dashboard`)

	var profs serve.ProfilesJSON
	d.get(t, "/api/profiles", &profs)
	if len(profs.Profiles) != 1 || len(profs.Profiles[0].Tasks) != 5 {
		t.Fatalf("demo profiles: %+v", profs)
	}
	for _, tj := range profs.Profiles[0].Tasks {
		if tj.Last == nil || tj.Last.Result == serve.ResultError {
			t.Errorf("task %s after the round: last %+v", tj.Task, tj.Last)
		}
	}
	// The scheduled task's round run counted as its scheduled run: next lies ahead.
	if tj := taskOf(t, profs, "demo", "import_orders_export_stock"); tj.Next == nil || !tj.Next.After(time.Now()) || tj.EverySeconds != 900 {
		t.Fatalf("import_orders_export_stock after the round: %+v", tj)
	}
	if tj := taskOf(t, profs, "demo", "import_orders"); tj.Last.Imported == 0 {
		t.Fatalf("import_orders imported nothing: %+v", tj.Last)
	}
	_, page := call(t, http.MethodGet, "http://"+d.addr+"/", "", nil)
	if n := strings.Count(page, `<tr class="order"`); n == 0 || !strings.Contains(page, "Nu uitvoeren") {
		t.Fatalf("the dashboard shows %d orders:\n%s", n, page)
	}
	// "Nu uitvoeren" of export_stock (a task the profile does not schedule) while the demo
	// serves: the run is kept as the task's last run.
	before := taskOf(t, profs, "demo", "export_stock").Last.Start
	if code, body := d.post(t, "/api/profiles/demo/tasks/export_stock/run", nil); code != http.StatusAccepted {
		t.Fatalf("run now: %d %s", code, body)
	}
	waitFor(t, "the export_stock run", func() bool {
		d.get(t, "/api/profiles", &profs)
		tj := taskOf(t, profs, "demo", "export_stock")
		return !tj.Running && tj.Last != nil && tj.Last.Start.After(before) && tj.Last.Result == serve.ResultOK
	})
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("demo exit %d\n%s", code, out.text())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not stop")
	}
	out.wait(t, `koppel: stopped`, pos)
}
