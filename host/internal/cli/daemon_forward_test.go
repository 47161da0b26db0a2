package cli

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIBesideDaemon drives the command line while `koppel run` holds the state store: every
// command that needs the store goes through the daemon's API and prints what it prints alone.
func TestCLIBesideDaemon(t *testing.T) {
	bin := koppelBinary(t)
	woo := simulate(t, "woocommerce", "--orders", "4")
	ss := simulate(t, "snelstart-online", "--rate-limit", "-1")
	dir := configDir(t, dashProfile("winkel", woo, ss, ""))
	d := startDaemon(t, bin, dir)

	// One of the simulator's orders has a payment fee the profile has no article for: it fails.
	code, out, errs := run(t, nil, "sync", "winkel", "import_orders", "--config", dir)
	if code != ExitFailed || !strings.Contains(out, "import_orders van profiel winkel: 4 orders verwerkt") || !strings.Contains(out, "Stel orders.payment_fee_article in") {
		t.Fatalf("sync beside the daemon: exit %d\n%s\n%s", code, out, errs)
	}
	if n := strings.Count(out+errs, "Stel orders.payment_fee_article in"); n != 1 {
		t.Fatalf("the reason is printed %d times, want once:\n%s\n%s", n, out, errs)
	}
	if !strings.Contains(d.errs.text()+d.out.text(), "command for another koppel process") {
		t.Fatalf("sync did not go through the daemon")
	}
	m := regexp.MustCompile(`(?m)^  order (\S+): `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("sync names no failed order:\n%s", out)
	}
	if code, out, errs := run(t, nil, "retry", "winkel", m[1], "--config", dir); code != ExitFailed || !strings.Contains(out, "Stel orders.payment_fee_article in") {
		t.Fatalf("retry beside the daemon: exit %d\n%s\n%s", code, out, errs)
	}
	// An order the shop does not have is not a success (cli.md: exit 1), named in the message.
	if code, out, errs := run(t, nil, "retry", "winkel", "9999", "--config", dir); code != ExitFailed || !strings.Contains(errs, "9999 niet opnieuw geprobeerd: de winkel heeft ze niet") {
		t.Fatalf("retry of an unknown order: exit %d\n%s\n%s", code, out, errs)
	}
	// koppel plan beside the daemon: the parked order is previewed with its problem, nothing is
	// written; the daemon's API and its "Voorbeeld" page say the same.
	if code, out, errs := run(t, nil, "plan", "winkel", "--order", m[1], "--lang", "en", "--config", dir); code != 0 ||
		!strings.Contains(out, "Preview of import_orders for profile winkel") || !strings.Contains(out, "payment_fee_article is not set") ||
		!strings.Contains(out, "Summary: 0 would be imported, 1 would fail") {
		t.Fatalf("plan beside the daemon: exit %d\n%s\n%s", code, out, errs)
	}
	// The plan follows the language every command follows: KOPPEL_LANG as well as --lang.
	if code, out, errs := run(t, map[string]string{"KOPPEL_LANG": "en"}, "plan", "winkel", "--order", m[1], "--config", dir); code != 0 ||
		!strings.Contains(out, "Preview of import_orders for profile winkel") {
		t.Fatalf("plan with KOPPEL_LANG=en: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := run(t, nil, "plan", "winkel", "--order", m[1], "--config", dir); code != 0 ||
		!strings.Contains(out, "Voorbeeld van import_orders voor profiel winkel") {
		t.Fatalf("plan in Dutch by default: exit %d\n%s\n%s", code, out, errs)
	}
	if code, body := call(t, "GET", "http://"+d.addr+"/api/profiles/winkel/plan?order="+m[1], "", nil); code != 200 || !strings.Contains(body, `"action": "fail"`) ||
		!strings.Contains(body, "payment_fee_article is not set") {
		t.Fatalf("GET /api/profiles/winkel/plan:\n%s", body)
	}
	if code, page := call(t, "GET", "http://"+d.addr+"/profiles/winkel/plan?lang=nl", "", nil); code != 200 || !strings.Contains(page, "Voorbeeld: wat koppel zou boeken") {
		t.Fatalf("the Voorbeeld page:\n%s", page)
	}
	type result struct {
		code      int
		out, errs string
	}
	commands := [][]string{
		{"orders", "winkel"},
		{"orders", "winkel", "--json"},
		{"orders", "winkel", "--failed"},
		{"runs", "winkel", "--json"},
		{"runs"},
	}
	beside := make([]result, len(commands))
	for i, c := range commands {
		code, out, errs := run(t, nil, append(c, "--config", dir)...)
		if code != 0 || strings.Contains(errs, "another koppel process") {
			t.Fatalf("%v beside the daemon: exit %d\n%s\n%s", c, code, out, errs)
		}
		beside[i] = result{code, out, errs}
	}
	if !strings.Contains(beside[0].out, "WINKELORDER") || strings.Count(beside[0].out, "\n") != 5 {
		t.Fatalf("orders beside the daemon:\n%s", beside[0].out)
	}
	if code, out, errs := run(t, nil, "state", "stats", "--config", dir); code != 0 || !strings.Contains(out, "records") {
		t.Fatalf("state stats beside the daemon: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(beside[2].out, "payment_fee_article") {
		t.Fatalf("orders --failed beside the daemon:\n%s", beside[2].out)
	}

	// A usage error keeps its exit status through the daemon.
	if code, _, errs := run(t, nil, "orders", "nosuchprofile", "--config", dir); code != ExitUsage || !strings.Contains(errs, `geen profiel "nosuchprofile"`) {
		t.Fatalf("orders of an unknown profile beside the daemon: exit %d\n%s", code, errs)
	}

	// The daemon stops and removes its address; the same commands alone print the same.
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("koppel run did not stop")
	}
	for i, c := range commands {
		code, out, errs := run(t, nil, append(c, "--config", dir)...)
		if code != beside[i].code || out != beside[i].out {
			t.Errorf("%v alone differs from beside the daemon:\nalone (%d):\n%s%s\nbeside (%d):\n%s%s", c, code, out, errs, beside[i].code, beside[i].out, beside[i].errs)
		}
	}
}
