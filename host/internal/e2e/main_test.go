package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// binDir holds bin/koppel and plugins/koppel-plugin-* built from this checkout (TestMain); the
// plugins directory is locked once and shared read-only by every test.
var binDir string

// raceEnv, when set (KOPPEL_E2E_RACE=1), builds the koppel binary the tests run with the race
// detector, so the kill, lost-answer and 429 tests check the concurrent import for data races
// (a race makes koppel exit with status 66).
const raceEnv = "KOPPEL_E2E_RACE"

func TestMain(m *testing.M) {
	// The tests mostly wait on subprocesses (simulators, koppel, plugins): unless -parallel is
	// given, run more of them at once than GOMAXPROCS, the default.
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0))))
	}
	dir, err := os.MkdirTemp("", "koppel-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := func() int {
		defer os.RemoveAll(dir)
		root := repoRoot()
		builds := [][2]string{{"koppel", "./host"}}
		for _, p := range []string{"woocommerce", "snelstart-online", "magento"} {
			builds = append(builds, [2]string{filepath.Join("plugins", "koppel-plugin-"+p), "./plugins/" + p})
		}
		for _, b := range builds {
			args := []string{"build", "-o", filepath.Join(dir, b[0])}
			if os.Getenv(raceEnv) != "" && b[1] == "./host" {
				args = append(args, "-race") // the concurrent import under the race detector
			}
			cmd := exec.Command("go", append(args, b[1])...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "build %s: %v\n%s", b[1], err, out)
				return 1
			}
		}
		cmd := exec.Command(filepath.Join(dir, "koppel"), "plugins", "lock", "--config", dir)
		if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(fmt.Sprintf("koppel {\n  plugin_dir = %q\n  state_dir = %q\n}\n",
			filepath.Join(dir, "plugins"), filepath.Join(dir, "state"))), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "plugins lock: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

func repoRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("go.mod not found")
		}
		dir = parent
	}
}

// soak reports whether the long versions run (KOPPEL_SOAK=1, `make soak`).
func soak() bool { return os.Getenv("KOPPEL_SOAK") == "1" }

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// simAddr finds the address a simulator prints once it listens ("... listening on
// http://127.0.0.1:PORT", "snelstart simulator: token http://127.0.0.1:PORT/b2b/token ...").
var simAddr = regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)

// startSim runs `koppel-plugin-NAME simulate --addr 127.0.0.1:0 ARGS...` until the test ends
// and returns the address it listens on, read from its output. The simulator picks its own
// port: a port chosen here and bound by the simulator later could be taken in between by a
// parallel test, and the test would then talk to another test's simulator.
func startSim(t testing.TB, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plugins", "koppel-plugin-"+name), append([]string{"simulate", "--addr", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	var head strings.Builder // the output before the address, for the failure message
	go func() {
		defer close(found)
		sent := false
		sc := bufio.NewScanner(out)
		for sc.Scan() { // read to the end, so the simulator never blocks on its output
			if sent {
				continue
			}
			if m := simAddr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				sent = true
			} else if head.Len() < 4096 {
				head.WriteString(sc.Text() + "\n")
			}
		}
	}()
	select {
	case addr, ok := <-found:
		if ok {
			return addr
		}
		_ = cmd.Wait()
		t.Fatalf("%s simulator ended without listening (%v):\n%s", name, cmd.ProcessState, head.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("%s simulator did not start within 60s", name)
	}
	return ""
}

// rig is one shop simulator, one SnelStart simulator and a config directory whose profile
// "winkel" links them.
type rig struct {
	t   testing.TB
	woo string // address of the WooCommerce simulator
	ss  string // address of the SnelStart simulator
	dir string // config directory
	// before holds the ids of the sales orders the SnelStart simulator had before any sync.
	before map[string]bool
}

// rigOptions configures a rig. Settings maps "block.attribute" (orders.template,
// customers.match, ledger.rate_limit, ...) to an HCL expression; "" removes a default.
type rigOptions struct {
	Orders   int      // orders the shop simulator generates
	WooArgs  []string // extra simulate flags
	SSArgs   []string
	Settings map[string]string
	// Importable, when set, touches every generated order whose status is not imported by
	// default to "processing", so that all Orders are imported.
	AllImportable bool
}

// defaultSettings is a profile that imports every generated order: articles are created in
// omzetgroepen by VAT rate (foreign rates included, with vat_check warn), charges on the
// simulator's VERZEND/KORTING/BETAALKOSTEN articles, and a difference article for the orders
// at foreign VAT rates, so SnelStart's total equals the shop's to the cent.
func defaultSettings() map[string]string {
	return map[string]string{
		"ledger.rate_limit":             "0",
		"ledger.max_concurrent":         "0",
		"orders.since":                  `"2020-01-01T00:00:00Z"`,
		"orders.shipping_article":       `"VERZEND"`,
		"orders.discount_article":       `"KORTING"`,
		"orders.payment_fee_article":    `"BETAALKOSTEN"`,
		"orders.difference_article":     `"ORDERVERSCHIL"`,
		"orders.vat_check":              `"warn"`,
		"articles.revenue_group_by_vat": `{ "21" = 1, "19" = 1, "9" = 2, "7" = 2, "6" = 2, "0" = 3 }`,
		"articles.revenue_group":        `"Omzet hoog"`,
		"customers.match":               `"smart"`,
		"shop.consumer_key":             `"ck_demo"`,
		"shop.consumer_secret":          `"cs_demo"`,
		"ledger.client_key":             `"ZGVtbzpkZW1v"`,
		"ledger.subscription_key":       `"demo-subscription-key"`,
		"ledger.timeout":                `"5s"`,
		"profile.description":           `"E2E winkel"`,
		"orders.payment_reference":      "true",
		"orders.reference_prefix":       `""`,
		"customers.mode":                `"add"`,
		"articles.mode":                 `"add"`,
		"orders.description":            `"order_number"`,
		"orders.addresses":              `"order"`,
		"orders.lines":                  `"full"`,
		"orders.product_options":        `"in_line"`,
		"orders.process_status":         `"Order"`,
		"customers.email_invoices":      "false",
		"orders.difference_tolerance":   `"0.00"`,
		"customers.email_reminders":     "false",
		"articles.code_field":           `"artikelcode"`,
		"orders.reuse_last_template":    "false",
		"orders.recipes":                "false",
		"shop.url":                      "", // filled in by newRig
		"ledger.base_url":               "",
		"ledger.auth_url":               "",
		"orders.template":               "",
		"orders.cost_centre":            "",
		"orders.fallback_article":       "",
		"customers.fixed_customer":      "",
		"customers.payment_term":        "",
		"orders.statuses":               "",
		"articles.since":                "",
		"ledger.order_lookup":           "",
		"ledger.order_scan_window":      "",
		"shop.statuses":                 "",
		"koppel.retention_days":         "",
	}
}

func newRig(t testing.TB, o rigOptions) *rig {
	t.Helper()
	wooArgs := append([]string{"--orders", fmt.Sprint(o.Orders)}, o.WooArgs...)
	ssArgs := o.SSArgs
	if !containsFlag(ssArgs, "--rate-limit") {
		ssArgs = append([]string{"--rate-limit", "-1"}, ssArgs...)
	}
	r := &rig{t: t, woo: startSim(t, "woocommerce", wooArgs...), ss: startSim(t, "snelstart-online", ssArgs...), dir: t.TempDir()}
	if o.AllImportable {
		r.makeAllImportable()
	}
	set := defaultSettings()
	set["shop.url"] = fmt.Sprintf(`"http://%s"`, r.woo)
	set["ledger.base_url"] = fmt.Sprintf(`"http://%s/v2"`, r.ss)
	set["ledger.auth_url"] = fmt.Sprintf(`"http://%s/b2b/token"`, r.ss)
	for k, v := range o.Settings {
		set[k] = v
	}
	r.writeConfig(set)
	r.before = map[string]bool{}
	for _, v := range r.ssState().Verkooporders {
		r.before[string(v.ID)] = true
	}
	return r
}

func containsFlag(args []string, f string) bool {
	for _, a := range args {
		if a == f || strings.HasPrefix(a, f+"=") {
			return true
		}
	}
	return false
}

// writeConfig renders the settings into koppel.hcl.
func (r *rig) writeConfig(set map[string]string) {
	blocks := map[string][]string{}
	for k, v := range set {
		if v == "" {
			continue
		}
		block, attr, _ := strings.Cut(k, ".")
		blocks[block] = append(blocks[block], fmt.Sprintf("    %s = %s", attr, v))
	}
	for _, b := range blocks {
		sort.Strings(b)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "koppel {\n    state_dir = \"./state\"\n    plugin_dir = %q\n    listen = \"\"\n%s\n}\n", filepath.Join(binDir, "plugins"), strings.Join(blocks["koppel"], "\n"))
	fmt.Fprintf(&s, "profile \"winkel\" {\n%s\n", strings.Join(blocks["profile"], "\n"))
	fmt.Fprintf(&s, "  shop \"woocommerce\" {\n%s\n  }\n", strings.Join(blocks["shop"], "\n"))
	fmt.Fprintf(&s, "  ledger \"snelstart-online\" {\n%s\n  }\n", strings.Join(blocks["ledger"], "\n"))
	for _, b := range []string{"orders", "articles", "customers"} {
		fmt.Fprintf(&s, "  %s {\n%s\n  }\n", b, strings.Join(blocks[b], "\n"))
	}
	s.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(r.dir, "koppel.hcl"), []byte(s.String()), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// koppel runs bin/koppel with args and the rig's config directory.
func (r *rig) koppel(ctx context.Context, args ...string) (int, string, string) {
	r.t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "koppel"), append(args, "--config", r.dir)...)
	cmd.Env = append(os.Environ(), "KOPPEL_LANG=nl") // what a bookkeeper reads is Dutch unless chosen otherwise
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			r.t.Fatalf("koppel %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	if strings.Contains(errb.String(), "WARNING: DATA RACE") {
		r.t.Errorf("koppel %v: the race detector found a data race (%s)\n%s", args, raceEnv, tail(errb.String()))
	}
	return code, out.String(), errb.String()
}

// syncResult is the part of `koppel sync --json` the tests read.
type syncResult struct {
	Imported       int     `json:"imported"`
	AlreadyPresent int     `json:"already_present"`
	Waiting        int     `json:"waiting"`
	Failed         int     `json:"failed"`
	Retrying       int     `json:"retrying"`
	Skipped        int     `json:"skipped"`
	LedgerCalls    int64   `json:"ledger_calls"`
	Duration       float64 `json:"duration_seconds"`
	Stopped        string  `json:"stopped"`
	Error          string  `json:"error"`
	Orders         []struct {
		ShopNumber string   `json:"shop_number"`
		Status     string   `json:"status"`
		Reason     string   `json:"reason"`
		Warnings   []string `json:"warnings"`
	} `json:"orders"`
}

// sync runs `koppel sync winkel import_orders --json` once.
func (r *rig) sync() (int, syncResult, string) {
	r.t.Helper()
	code, out, errs := r.koppel(context.Background(), "sync", "winkel", "import_orders", "--json")
	var res syncResult
	if out != "" {
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			r.t.Fatalf("sync output is not JSON (exit %d): %v\n%s\n%s", code, err, out, errs)
		}
	}
	return code, res, errs
}

// syncUntilDone runs sync until a run has nothing left to retry (at most max runs) and returns
// the totals over all runs.
func (r *rig) syncUntilDone(max int) (total syncResult, runs int) {
	r.t.Helper()
	for runs < max {
		code, res, errs := r.sync()
		runs++
		total.Imported += res.Imported
		total.AlreadyPresent += res.AlreadyPresent
		total.Failed += res.Failed
		total.LedgerCalls += res.LedgerCalls
		total.Duration += res.Duration
		if code == 2 {
			r.t.Fatalf("sync: usage error\n%s", errs)
		}
		r.t.Logf("run %d: exit %d, imported %d, present %d, failed %d, retrying %d, skipped %d, stopped %q, error %q",
			runs, code, res.Imported, res.AlreadyPresent, res.Failed, res.Retrying, res.Skipped, res.Stopped, res.Error)
		for _, o := range res.Orders {
			if o.Status == "failed" {
				r.t.Logf("run %d: order %s failed: %s", runs, o.ShopNumber, o.Reason)
			}
		}
		if res.Retrying == 0 && res.Error == "" && res.Stopped == "" && (code == 0 || res.Failed > 0) {
			return total, runs
		}
	}
	r.t.Fatalf("orders still pending after %d runs", max)
	return total, runs
}

// ---- simulator state ----

// shopOrder is an order as the WooCommerce simulator's dump renders it.
type shopOrder struct {
	ID      int64  `json:"id"`
	Number  string `json:"number"`
	Status  string `json:"status"`
	Total   string `json:"total"`
	Billing struct {
		Email    string `json:"email"`
		Postcode string `json:"postcode"`
		Company  string `json:"company"`
		Country  string `json:"country"`
	} `json:"billing"`
	ShippingLines []json.RawMessage `json:"shipping_lines"`
	FeeLines      []json.RawMessage `json:"fee_lines"`
	CouponLines   []json.RawMessage `json:"coupon_lines"`
	CustomerID    int64             `json:"customer_id"`
}

func getJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func send(t testing.TB, method, url, body string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: %s %s", method, url, resp.Status, b)
	}
}

// shopOrders returns the shop simulator's orders.
func (r *rig) shopOrders() []shopOrder {
	var d struct {
		Orders []shopOrder `json:"orders"`
	}
	getJSON(r.t, "http://"+r.woo+"/_sim/dump", &d)
	return d.Orders
}

// importable returns the shop's orders in the statuses imported by default, by number.
func (r *rig) importable() map[string]shopOrder {
	out := map[string]shopOrder{}
	for _, o := range r.shopOrders() {
		if o.Status == "processing" || o.Status == "completed" {
			out[o.Number] = o
		}
	}
	return out
}

// makeAllImportable changes every order in another status to processing.
func (r *rig) makeAllImportable() {
	for _, o := range r.shopOrders() {
		if o.Status != "processing" && o.Status != "completed" {
			send(r.t, http.MethodPost, fmt.Sprintf("http://%s/_sim/orders/%d/touch?status=processing", r.woo, o.ID), "")
		}
	}
}

// ssState returns the SnelStart simulator's administration.
func (r *rig) ssState() simulator.Administration {
	var a simulator.Administration
	getJSON(r.t, "http://"+r.ss+"/_sim/state", &a)
	return a
}

// ssStats returns the SnelStart simulator's counters.
func (r *rig) ssStats() simulator.Stats {
	var s simulator.Stats
	getJSON(r.t, "http://"+r.ss+"/_sim/stats", &s)
	return s
}

// newOrders returns the sales orders created since the rig started, by orderreferentie.
func (r *rig) newOrders() map[string][]simulator.Verkooporder {
	out := map[string][]simulator.Verkooporder{}
	for _, v := range r.ssState().Verkooporders {
		if !r.before[string(v.ID)] {
			out[v.Orderreferentie] = append(out[v.Orderreferentie], v)
		}
	}
	return out
}

// assertExactlyOnce checks that SnelStart holds each of want exactly once (by reference =
// prefix + shop number), with SnelStart's total equal to the shop's to the cent, and nothing
// else.
func (r *rig) assertExactlyOnce(prefix string, want map[string]shopOrder) {
	r.t.Helper()
	got := r.newOrders()
	var problems []string
	for num, o := range want {
		vs := got[prefix+num]
		switch {
		case len(vs) == 0:
			problems = append(problems, fmt.Sprintf("order %s is missing", num))
		case len(vs) > 1:
			problems = append(problems, fmt.Sprintf("order %s is in SnelStart %d times", num, len(vs)))
		case !vs[0].TotaalInclusiefBtw.Equal(sdk.MustMoney(o.Total)):
			problems = append(problems, fmt.Sprintf("order %s: SnelStart total %s, shop total %s", num, vs[0].TotaalInclusiefBtw.StringFixed(2), o.Total))
		}
	}
	for ref := range got {
		if _, ok := want[strings.TrimPrefix(ref, prefix)]; !ok {
			problems = append(problems, fmt.Sprintf("SnelStart holds an unexpected sales order %q", ref))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		if len(problems) > 20 {
			problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
		}
		r.t.Fatalf("SnelStart does not hold the shop's %d orders exactly once:\n  %s", len(want), strings.Join(problems, "\n  "))
	}
}
