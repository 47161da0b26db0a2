package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// The sync summary and the check list in Dutch (the default) and English.
func TestGoldenDutchAndEnglish(t *testing.T) {
	start := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	tr := pipeline.TaskRun{RunResult: pipeline.RunResult{Profile: "winkel", Task: "import_orders", Start: start, End: start.Add(2 * time.Second),
		Duration: 2 * time.Second, Imported: 3, AlreadyPresent: 1, Waiting: 1, Failed: 1, LedgerCalls: 14,
		Orders: []pipeline.OrderOutcome{{ShopNumber: "1003", Status: pipeline.StatusFailed, Reason: "article VERZ does not exist in SnelStart"}}}}
	results := []checkResult{{Side: "shop", Plugin: "woocommerce", OK: true, Summary: "WooCommerce 10.0.2"},
		{Side: "ledger", Plugin: "snelstart-online", OK: true, Summary: `SnelStart administration "Demo"`}}
	items := []checkItem{{Setting: "orders.shipping_article", Level: levelFail, Message: "artikel VERZ voor verzendkosten bestaat niet in SnelStart"},
		{Setting: "shop.currency", Level: levelOK, Message: "valuta van de webwinkel: EUR"}}
	for _, lang := range []text.Lang{text.NL, text.EN} {
		var b bytes.Buffer
		printSummary(&b, text.Printer{Lang: lang}, tr)
		golden(t, "summary."+string(lang)+".golden", b.String())
		b.Reset()
		printChecklist(&b, text.Printer{Lang: lang}, "winkel", results, items, 1)
		golden(t, "check."+string(lang)+".golden", b.String())
	}
	// The language follows --lang, then KOPPEL_LANG / LANG.
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"runs"}, nil, "nog geen runs vastgelegd"},
		{[]string{"runs", "--lang", "en"}, nil, "no runs recorded yet"},
		{[]string{"runs"}, map[string]string{"LANG": "en_GB.UTF-8"}, "no runs recorded yet"},
	} {
		dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
		code, out, errs := run(t, tc.env, append(tc.args, "--config", dir)...)
		if code != 0 || out != tc.want+"\n" {
			t.Errorf("%v %v: exit %d %q %s", tc.args, tc.env, code, out, errs)
		}
	}
	if code, _, errs := run(t, nil, "runs", "--lang", "de"); code != ExitUsage {
		t.Errorf("--lang de: exit %d %s", code, errs)
	}
}

// orders --failed shows a reason's first sentence; --verbose shows it whole.
func TestReasonText(t *testing.T) {
	long := `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set; set it to the SnelStart article code for them, then retry`
	en, nl := text.Printer{Lang: text.EN}, text.Printer{Lang: text.NL}
	if got := reasonText(en, "refused", long, false); got != `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set (…)` {
		t.Errorf("short: %q", got)
	}
	if got := reasonText(en, "refused", long, true); got != long {
		t.Errorf("verbose: %q", got)
	}
	if got := reasonText(nl, "refused", long, false); got != `de order heeft een toeslag ("Betaalkosten", 0.35 inclusief btw) maar orders.payment_fee_article is niet ingesteld (…)` {
		t.Errorf("Dutch short: %q", got)
	}
}
