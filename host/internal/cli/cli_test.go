package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pluginBin is a directory with every koppel-plugin-* built from this checkout (TestMain).
var pluginBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "koppel-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pluginBin = dir
	root := repoRoot()
	for _, p := range []string{"woocommerce", "snelstart-online", "magento", "onetoshop"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "koppel-plugin-"+p), "./plugins/"+p)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", p, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
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

// run executes the command line in-process and returns exit status, stdout and stderr.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Env{
		Version: "test",
		Stdin:   strings.NewReader(""),
		Stdout:  &out,
		Stderr:  &errb,
		Getenv: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		},
	})
	return code, out.String(), errb.String()
}

// configDir writes a config directory whose plugin_dir is a copy of the test plugins, locked.
func configDir(t *testing.T, profile string) string {
	t.Helper()
	dir := t.TempDir()
	plugins := filepath.Join(dir, "plugins")
	if err := os.MkdirAll(plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(pluginBin)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(pluginBin, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(plugins, e.Name()), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	koppel := "koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profile.hcl"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, nil, "plugins", "lock", "--config", dir); code != 0 {
		t.Fatalf("plugins lock: %d\n%s\n%s", code, out, errs)
	}
	return dir
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// simAddr finds the address a simulator prints on its first line ("... listening on
// http://127.0.0.1:PORT", "snelstart simulator: token http://127.0.0.1:PORT/b2b/token ...").
var simAddr = regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)

// simulate starts `koppel-plugin-NAME simulate --addr 127.0.0.1:0` and returns the address it
// listens on, read from its output: the port is the simulator's own, so no other test (or
// package running in parallel) can take it between a choice and the bind.
func simulate(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(pluginBin, "koppel-plugin-"+name), append([]string{"simulate", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		defer close(found)
		sent := false
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // read to the end, so the simulator never blocks on its output
			if m := simAddr.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	select {
	case addr, ok := <-found:
		if ok {
			// The address is printed once the simulator listens; a connection proves it.
			if c, err := net.DialTimeout("tcp", addr, 10*time.Second); err == nil {
				c.Close()
				return addr
			}
		}
	case <-time.After(60 * time.Second):
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	t.Fatalf("%s simulator did not start: %s", name, stderr.String())
	return ""
}

func profileText(wooAddr, ssAddr, clientKey, secret string) string {
	return fmt.Sprintf(`profile "winkel" {
  description = "Test winkel"
  shop "woocommerce" {
    url             = "http://%s"
    consumer_key    = "ck_demo"
    consumer_secret = %q
  }
  ledger "snelstart-online" {
    client_key       = %q
    subscription_key = "demo-subscription-key"
    base_url         = "http://%s/v2"
    auth_url         = "http://%s/b2b/token"
  }
  orders {
    since = "2020-01-01T00:00:00Z"
  }
  task "import_orders" { every = "15m" }
}
`, wooAddr, secret, clientKey, ssAddr, ssAddr)
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, nil, "version")
	if code != 0 || out != "koppel test (plugin protocol 1, sdk 0.1.0)\n" {
		t.Fatalf("version: %d %q", code, out)
	}
	code, out, _ = run(t, nil, "version", "--json")
	if code != 0 || !strings.Contains(out, `"protocol":1`) {
		t.Fatalf("version --json: %d %q", code, out)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{"nonsense"}, {"check"}, {"validate", "--no-such-flag"}, {"check", "a", "b"}} {
		if code, _, errs := run(t, nil, args...); code != ExitUsage {
			t.Fatalf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

func TestValidateAndCheckAgainstSimulators(t *testing.T) {
	woo := simulate(t, "woocommerce", "--orders", "3")
	ss := simulate(t, "snelstart-online")
	dir := configDir(t, profileText(woo, ss, "ZGVtbzpkZW1v", "cs_demo"))

	code, out, errs := run(t, nil, "validate", "--config", dir)
	if code != 0 || !strings.Contains(out, "valid: 1 profile(s): winkel") {
		t.Fatalf("validate: %d\n%s\n%s", code, out, errs)
	}
	// Flags after the arguments work too.
	code, out, errs = run(t, nil, "check", "winkel", "--config", dir)
	if code != 0 {
		t.Fatalf("check: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"ok     verbinding webwinkel (woocommerce)", "Alles wat het profiel nodig heeft is aanwezig", "WooCommerce 10.0.2", "Demo Webwinkel B.V.", "btw buitenland (OSS", "valuta van de webwinkel: EUR", "prijzen in de webwinkel zijn"} {
		if !strings.Contains(out, want) {
			t.Fatalf("check output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, nil, "check", "nobody", "--config", dir)
	if code != ExitUsage {
		t.Fatalf("check of an unknown profile: exit %d", code)
	}
}

func TestCheckNamesBadKeysWithoutPrintingThem(t *testing.T) {
	woo := simulate(t, "woocommerce")
	ss := simulate(t, "snelstart-online")
	const badSecret = "cs_wrong_but_secret_123"
	const badClientKey = "YmFkOmJhZA=="
	dir := configDir(t, profileText(woo, ss, badClientKey, badSecret))
	code, out, errs := run(t, nil, "check", "winkel", "--config", dir, "--log-level", "trace")
	if code != ExitFailed {
		t.Fatalf("check with bad keys: exit %d, want 1\n%s\n%s", code, out, errs)
	}
	if strings.Count(out, "FOUT   verbinding") != 2 {
		t.Fatalf("both sides must fail:\n%s", out)
	}
	for _, secret := range []string{badSecret, badClientKey} {
		if strings.Contains(out+errs, secret) {
			t.Fatalf("a secret was printed:\n%s\n%s", out, errs)
		}
	}
}

// koppel check names every article the profile needs that the administration lacks or has in
// an omzetgroep with the wrong VAT class, and exits 1.
func TestCheckNamesMissingAndWrongVATArticles(t *testing.T) {
	woo := simulate(t, "woocommerce", "--orders", "1")
	ss := simulate(t, "snelstart-online")
	profile := strings.Replace(profileText(woo, ss, "ZGVtbzpkZW1v", "cs_demo"), `since = "2020-01-01T00:00:00Z"`,
		`since = "2020-01-01T00:00:00Z"
    shipping_article    = "VERZENDKOSTEN-BESTAAT-NIET"
    payment_fee_article = "CADEAUBON"
    discount_article    = "KORTING"`, 1)
	dir := configDir(t, profile)
	// The list in Dutch (the default) and, with --lang en, in English.
	for _, tc := range []struct {
		lang   string
		want   []string
		absent string
	}{
		{"nl", []string{
			"FOUT   orders.shipping_article: artikel VERZENDKOSTEN-BESTAAT-NIET voor verzendkosten bestaat niet in SnelStart",
			"FOUT   orders.payment_fee_article: artikel CADEAUBON voor betaalkosten staat in omzetgroep 3 \"Omzet onbelast\" (btw geen)",
			"ok     orders.discount_article: artikel KORTING",
			"2 punten moeten opgelost worden",
		}, " for "},
		{"en", []string{
			"orders.shipping_article: article VERZENDKOSTEN-BESTAAT-NIET for shipping costs does not exist in SnelStart; create it",
			"orders.payment_fee_article: article CADEAUBON for payment fees is in revenue group (omzetgroep) 3 \"Omzet onbelast\" (VAT none): the shop charges VAT on payment fees",
			"orders.discount_article: article KORTING",
			"2 items must be fixed",
		}, " voor "},
	} {
		code, out, errs := run(t, nil, "check", "winkel", "--config", dir, "--lang", tc.lang)
		if code != ExitFailed {
			t.Fatalf("check --lang %s with a missing and a wrong-VAT article: exit %d, want 1\n%s\n%s", tc.lang, code, out, errs)
		}
		for _, want := range tc.want {
			if !strings.Contains(out, want) {
				t.Errorf("check --lang %s output lacks %q:\n%s", tc.lang, want, out)
			}
		}
		if strings.Contains(out, tc.absent) {
			t.Errorf("check --lang %s output has a line in the other language:\n%s", tc.lang, out)
		}
	}
	code, out, _ := run(t, nil, "check", "winkel", "--config", dir, "--json")
	if code != ExitFailed || !strings.Contains(out, `"setting":"orders.payment_fee_article","level":"fout"`) {
		t.Fatalf("check --json: exit %d\n%s", code, out)
	}
}

// A missing argument lists the choices; --json output is snake_case; a listing never writes the
// lock file.
func TestMissingArgumentsAndJSON(t *testing.T) {
	dead := freePort(t)
	dir := configDir(t, profileText(dead, dead, "ZGVtbzpkZW1v", "cs_demo"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "winkel"}, "name a task: koppel sync winkel TASK (tasks: import_orders, import_articles, export_stock, import_orders_export_stock, reconcile)"},
		{[]string{"sync"}, "name a profile: koppel sync PROFILE TASK (profiles: winkel)"},
		{[]string{"orders"}, "(profiles: winkel)"},
		{[]string{"retry"}, "(profiles: winkel)"},
		{[]string{"check"}, "(profiles: winkel)"},
	} {
		// In English here (exit_codes_test.go has them in Dutch, the default).
		code, _, errs := run(t, nil, append(tc.args, "--config", dir, "--lang", "en")...)
		if code != ExitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", tc.args, code, tc.want, errs)
		}
	}
	lock := filepath.Join(dir, "plugins", "koppel-plugins.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "plugins", "--json", "--config", dir)
	if code != 0 || !strings.Contains(out, `"name":"woocommerce"`) || !strings.Contains(out, `"sha256":"`) || !strings.Contains(out, `"lock":"not locked"`) || strings.Contains(out, `"Name"`) {
		t.Fatalf("plugins --json: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(lock); err == nil {
		t.Fatal("koppel plugins (a listing) wrote the lock file")
	}
}

func TestCheckUnreachable(t *testing.T) {
	dead := freePort(t)
	dir := configDir(t, profileText(dead, dead, "ZGVtbzpkZW1v", "cs_demo"))
	code, out, errs := run(t, nil, "check", "winkel", "--config", dir)
	if code != ExitFailed || strings.Count(out, "FOUT   verbinding") != 2 {
		t.Fatalf("check of unreachable hosts: exit %d\n%s\n%s", code, out, errs)
	}
}

var diagLine = regexp.MustCompile(`profile\.hcl:\d+,\d+: error: `)

func TestValidateBrokenProfiles(t *testing.T) {
	good := profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo")
	cases := []struct {
		name, profile string
		want          []string
		env           map[string]string
	}{
		{"unknown plugin", strings.Replace(good, `shop "woocommerce"`, `shop "woocomerce"`, 1),
			[]string{`unknown plugin "woocomerce"`, "woocommerce"}, nil},
		{"ledger plugin in a shop block", strings.Replace(good, `shop "woocommerce" {`, `shop "snelstart-online" {`, 1),
			[]string{"ledger plugin"}, nil},
		{"sensitive value of the wrong type", strings.Replace(good, `consumer_secret = "cs_demo"`, `consumer_secret = ["s3cr3t-value"]`, 1),
			[]string{"consumer_secret"}, nil},
		{"env of an unset variable", strings.Replace(good, `consumer_secret = "cs_demo"`, `consumer_secret = env("WC_SECRET")`, 1),
			[]string{"WC_SECRET"}, nil},
		{"unknown attribute of the plugin", strings.Replace(good, `consumer_key    = "ck_demo"`, "consumer_key = \"ck_demo\"\n    consumer_sekret = \"x\"", 1),
			[]string{`consumer_sekret`, "consumer_secret"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := configDir(t, tc.profile)
			code, out, errs := run(t, tc.env, "validate", "--config", dir)
			if code != ExitUsage {
				t.Fatalf("exit %d, want 2\n%s\n%s", code, out, errs)
			}
			if !diagLine.MatchString(errs) || !strings.Contains(errs, "hint:") {
				t.Fatalf("diagnostic lacks file:line:col or hint:\n%s", errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs, w) {
					t.Fatalf("diagnostic lacks %q:\n%s", w, errs)
				}
			}
			if strings.Contains(out+errs, "s3cr3t-value") {
				t.Fatalf("a secret was printed:\n%s", errs)
			}
		})
	}
}

func TestTamperedPluginIsRefused(t *testing.T) {
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	bin := filepath.Join(dir, "plugins", "koppel-plugin-woocommerce")
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	code, _, errs := run(t, nil, "validate", "--config", dir)
	if code != ExitUsage || !strings.Contains(errs, "changed since it was locked") || !strings.Contains(errs, "koppel plugins lock") {
		t.Fatalf("tampered plugin: exit %d\n%s", code, errs)
	}
	code, out, _ := run(t, nil, "plugins", "--config", dir)
	if code != 0 || !regexp.MustCompile(`woocommerce\s.*changed since locked`).MatchString(out) {
		t.Fatalf("plugins listing does not show the change:\n%s", out)
	}
}

func TestStateBackupRestore(t *testing.T) {
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	file := filepath.Join(t.TempDir(), "state.bak")
	if code, out, errs := run(t, nil, "state", "backup", file, "--config", dir); code != 0 || !strings.Contains(out, "written") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	other := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	if code, out, errs := run(t, nil, "state", "restore", file, "--config", other); code != 0 {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, nil, "state", "restore", filepath.Join(t.TempDir(), "missing"), "--config", other); code != ExitUsage {
		t.Fatalf("restore of a missing file: exit %d %s", code, errs)
	}
	if code, out, _ := run(t, nil, "state", "stats", "--config", other); code != 0 || !strings.Contains(out, "records") {
		t.Fatalf("stats: %d %s", code, out)
	}
	if st, err := os.Stat(file); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Fatalf("backup file: %v, mode %v, want 0600", err, st.Mode())
	}

	// Encrypted with a passphrase from the environment; restore needs the same passphrase.
	sealed := filepath.Join(t.TempDir(), "state.bak.age")
	env := map[string]string{"KOPPEL_BACKUP_PASSPHRASE": "het geheime wachtwoord"}
	if code, out, errs := run(t, nil, "state", "backup", sealed, "--encrypt", "--config", dir); code != ExitUsage || !strings.Contains(errs, "KOPPEL_BACKUP_PASSPHRASE") {
		t.Fatalf("backup --encrypt without a key: exit %d %s %s", code, out, errs)
	}
	if code, out, errs := run(t, env, "state", "backup", sealed, "--encrypt", "--config", dir); code != 0 || !strings.Contains(out, "versleuteld") {
		t.Fatalf("backup --encrypt: %d %s %s", code, out, errs)
	}
	third := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	if code, _, errs := run(t, nil, "state", "restore", sealed, "--config", third); code != ExitUsage || !strings.Contains(errs, "encrypted") {
		t.Fatalf("restore of an encrypted backup without a key: exit %d %s", code, errs)
	}
	if code, out, errs := run(t, env, "state", "restore", sealed, "--config", third); code != 0 {
		t.Fatalf("restore of the encrypted backup: %d %s %s", code, out, errs)
	}
}

func TestPluginsNew(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "koppel-plugin-mijnshop")
	code, out, errs := run(t, nil, "plugins", "new", "mijnshop", "--kind", "shop", "--dir", dir)
	if code != 0 || !strings.Contains(out, "wrote") {
		t.Fatalf("plugins new: %d\n%s\n%s", code, out, errs)
	}
	for _, f := range []string{"main.go", "go.mod", "go.sum"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("scaffold lacks %s: %v", f, err)
		}
	}
	// Before koppel is published the plugin builds against the checkout koppel runs from: the
	// test's working directory is inside it.
	root := repoRoot()
	mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(mod), "replace github.com/koppel-nl/koppel => "+strconv.Quote(filepath.ToSlash(root))) {
		t.Fatalf("go.mod has no replace directive to %s:\n%s", root, mod)
	}
	if !strings.Contains(out, "checkout in "+root) || !strings.Contains(out, "next: cd "+dir+" && go mod tidy && go build ./...") {
		t.Fatalf("plugins new does not print the checkout and the next steps:\n%s", out)
	}
	// It builds as generated, from the module cache (-mod=mod: the copied go.sum is complete).
	build := exec.Command("go", "build", "./...")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the generated plugin does not build: %v\n%s", err, b)
	}
	if code, out, _ := run(t, nil, "plugins", "new", "anders", "--replace", "none", "--dir", filepath.Join(t.TempDir(), "anders")); code != 0 || strings.Contains(out, "checkout in") {
		t.Fatalf("--replace none: %d\n%s", code, out)
	}
	if code, _, _ := run(t, nil, "plugins", "new", "Bad Name", "--dir", filepath.Join(t.TempDir(), "x")); code != ExitUsage {
		t.Fatalf("a bad plugin name: exit %d, want 2", code)
	}
}

// A fresh install: plugins copied into plugin_dir and never locked. They are refused with the
// "koppel plugins lock" hint; --trust-unlocked runs them; nothing but "koppel plugins lock"
// writes the lock file; "koppel plugins verify" reports the difference with exit 1.
func TestUnlockedPluginsRefused(t *testing.T) {
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	lock := filepath.Join(dir, "plugins", "koppel-plugins.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "validate", "--config", dir)
	if code == 0 || !strings.Contains(errs, "is not in the lock file") || !strings.Contains(errs, `run "koppel plugins lock"`) {
		t.Fatalf("validate of unlocked plugins: exit %d, want a refusal with the hint\n%s\n%s", code, out, errs)
	}
	if code, out, errs := run(t, nil, "validate", "--trust-unlocked", "--config", dir); code != 0 {
		t.Fatalf("validate --trust-unlocked: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, nil, "plugins", "--config", dir)
	if code != 0 || !regexp.MustCompile(`woocommerce\s.*not locked`).MatchString(out) {
		t.Fatalf("plugins listing of unlocked plugins: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, nil, "plugins", "verify", "--config", dir); code != ExitFailed {
		t.Fatalf("verify without a lock file: exit %d, want 1\n%s", code, out)
	}
	if _, err := os.Stat(lock); !os.IsNotExist(err) {
		t.Fatalf("validate, listing or verify wrote the lock file: %v", err)
	}

	// Locked, then one binary changed: verify names it and exits 1.
	if code, out, errs := run(t, nil, "plugins", "lock", "--config", dir); code != 0 {
		t.Fatalf("plugins lock: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := run(t, nil, "plugins", "verify", "--config", dir); code != 0 || !strings.Contains(out, "ok        woocommerce") {
		t.Fatalf("verify after lock: exit %d\n%s\n%s", code, out, errs)
	}
	bin := filepath.Join(dir, "plugins", "koppel-plugin-woocommerce")
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("tampered"))
	f.Close()
	code, out, errs = run(t, nil, "plugins", "verify", "--config", dir)
	if code != ExitFailed || !strings.Contains(out, "GEWIJZIGD woocommerce") || !strings.Contains(errs, "koppel plugins lock") {
		t.Fatalf("verify after tampering: exit %d\n%s\n%s", code, out, errs)
	}
}

// lock_file in the koppel block puts the lock file outside plugin_dir.
func TestLockFileSetting(t *testing.T) {
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	if err := os.Remove(filepath.Join(dir, "plugins", "koppel-plugins.lock")); err != nil {
		t.Fatal(err)
	}
	koppel := "koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n  lock_file = \"./etc/plugins.lock\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, nil, "plugins", "lock", "--config", dir)
	if code != 0 || !strings.Contains(out, filepath.Join(dir, "etc", "plugins.lock")) {
		t.Fatalf("plugins lock with lock_file: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "plugins", "koppel-plugins.lock")); !os.IsNotExist(err) {
		t.Fatalf("lock written into plugin_dir despite lock_file: %v", err)
	}
	if code, out, errs := run(t, nil, "validate", "--config", dir); code != 0 {
		t.Fatalf("validate with lock_file: exit %d\n%s\n%s", code, out, errs)
	}
}
