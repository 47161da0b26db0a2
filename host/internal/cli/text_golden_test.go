package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	goldenfile "github.com/koppel-nl/koppel/host/internal/golden"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name, got, *updateGolden)
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
		printSummary(&b, text.Printer{Lang: lang}, tr, false)
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

// orders --failed shows a reason's headline (what to do next); --verbose shows it whole.
func TestReasonText(t *testing.T) {
	long := `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set; set it to the SnelStart article code for them, then retry`
	en, nl := text.Printer{Lang: text.EN}, text.Printer{Lang: text.NL}
	if got := reasonText(en, "refused", "", long, false); got != `Set orders.payment_fee_article to a SnelStart article for a fee, then retry (…)` {
		t.Errorf("short: %q", got)
	}
	if got := reasonText(en, "refused", "", long, true); got != long {
		t.Errorf("verbose: %q", got)
	}
	if got := reasonText(nl, "refused", "", long, false); got != `Stel orders.payment_fee_article in op een SnelStart-artikel voor een toeslag en probeer opnieuw (…)` {
		t.Errorf("Dutch short: %q", got)
	}
}

// The preview report in Dutch and English: an order refused for its cross-border VAT, one booked
// with warnings, a refund whose credit order cannot be booked and one that is booked. Problems
// and warnings are made the way the planner makes them (English templates, CreditRefund's own
// refusal) and shown in the reader's language.
func TestGoldenPlan(t *testing.T) {
	vatLine := fmt.Sprintf(text.Template("reason.vat_line_scheme"), fmt.Sprintf(text.Template("reason.line"), 1, "MOK", "Mok"),
		"16", "MOK", 1, "Omzet hoog", "Hoog", "19", "2026-03-02", fmt.Sprintf(text.Template("reason.scheme.oss"), text.Country("DE")))
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	o := sdk.Order{ID: "7", Number: "1007", CreatedAt: day, Totals: sdk.Totals{Total: decimal.RequireFromString("30.00")},
		Lines: []sdk.OrderLine{{ID: "l1", SKU: "MOK", Name: "Mok", Quantity: decimal.NewFromInt(2), TotalIncl: decimal.RequireFromString("30.00")}}}
	_, creditErr := mapping.CreditRefund(o, sdk.Refund{ID: "r1", Amount: decimal.RequireFromString("5.00"), CreatedAt: day}, "", nil)
	if creditErr == nil {
		t.Fatal("a refund of an amount that names nothing was credited without orders.refund_article")
	}
	rep := pipeline.PlanReport{Profile: "winkel", Task: pipeline.TaskImportOrders, Orders: []pipeline.OrderPlan{
		{Number: "1001", Action: mapping.ActionFail, TotalShop: "5.95",
			Customer: &pipeline.CustomerPlan{Action: mapping.CustomerCreate, Name: "Kunde"},
			Problems: []string{fmt.Sprintf(text.Template("reason.vat_mismatch_oss"), text.Country("DE"), text.Country("DE"), vatLine)}},
		{Number: "1002", Action: mapping.ActionCreate, TotalShop: "10.00", TotalLedger: "10.00",
			Customer: &pipeline.CustomerPlan{Action: mapping.CustomerUpdate, Code: 2001, Name: "Kunde GmbH", MatchedBy: "email"},
			Lines:    []pipeline.LinePlan{{ArticleCode: "MOK", Quantity: "2", UnitPrice: "5.00", VATClass: "Hoog", VATRate: "0", Description: "Mok"}},
			ByRate:   []pipeline.RatePlan{{Rate: "0", Excl: "10.00", VAT: "0.00", Incl: "10.00"}},
			Warnings: []string{fmt.Sprintf(text.Template("reason.icp_vat_set"), "DE123456789", 2001),
				fmt.Sprintf(text.Template("reason.address_incomplete"), text.Template("reason.addr_delivery")),
				fmt.Sprintf(text.Template("reason.cut"), text.Template("reason.field.customer_name"), 143, 50)}},
		{Number: "1007-Rr1", Action: pipeline.ActionAttention, TotalShop: "5.00",
			Reason: fmt.Sprintf(text.Template("reason.plan_refund_unbookable"), "r1", creditErr.Error())},
		{Number: "1007-Rr2", Action: mapping.ActionFail, TotalShop: "5.00",
			Problems: []string{fmt.Sprintf(text.Template("reason.credit_unplannable"), fmt.Sprintf(text.Template("reason.kind.unreachable"), "dial tcp 127.0.0.1:9: connection refused"))}},
	}, Summary: pipeline.PlanSummary{Create: 1, Fail: 2, Attention: 1}}
	for _, lang := range []text.Lang{text.NL, text.EN} {
		var b bytes.Buffer
		printPlan(&b, text.Printer{Lang: lang}, rep)
		golden(t, "plan."+string(lang)+".golden", b.String())
	}
}

// A connector's own message is shown behind the sentence of its error kind; koppel's own
// reasons are shown as they are.
func TestFailureText(t *testing.T) {
	en, nl := text.Printer{Lang: text.EN}, text.Printer{Lang: text.NL}
	msg := `Post "https://b2bapi.snelstart.nl/v2/verkooporders": dial tcp 127.0.0.1:9: connect: connection refused (3 attempts in 12 s)`
	if got := reasonText(nl, "unreachable", "", msg, false); got != "Niet bereikbaar: koppel probeert het later opnieuw (…)" {
		t.Errorf("Dutch short: %q", got)
	}
	if got := reasonText(nl, "unreachable", "", msg, true); got != "Niet bereikbaar: koppel probeert het later opnieuw. Melding: "+msg {
		t.Errorf("Dutch verbose: %q", got)
	}
	if got := reasonText(en, "permanent", "", "Artikel X bestaat niet", true); got != "Refused: correct what the message names, then retry. Message: Artikel X bestaat niet" {
		t.Errorf("English verbose: %q", got)
	}
	// A SnelStart code the catalogue knows gives the headline in the reader's language; the
	// connector's message stays behind it.
	vor := fmt.Sprintf(text.Template("reason.sales_order_refused"), "the country on the delivery address is not known in SnelStart")
	if got := reasonText(nl, "permanent", "VOR-0010", vor, false); got != "Het land van een adres is onbekend in SnelStart: voeg het land toe of verbeter het adres, en probeer opnieuw (…)" {
		t.Errorf("Dutch by code: %q", got)
	}
	if got := reasonText(en, "permanent", "VOR-0010", vor, true); got != vor {
		t.Errorf("English verbose by code: %q", got)
	}
	own := fmt.Sprintf(text.Template("reason.already_imported"), 12)
	if got := reasonText(nl, "permanent", "", own, true); got != "al geboekt als SnelStart-verkooporder 12" {
		t.Errorf("own reason: %q", got)
	}
}

// The run summary lists each failed order with the first sentence of its reason (a connector's
// message behind its kind's sentence), in full with --verbose, in Dutch and English.
func TestGoldenSummaryReasons(t *testing.T) {
	start := time.Date(2026, 11, 24, 6, 0, 0, 0, time.UTC)
	vatLine := fmt.Sprintf(text.Template("reason.vat_line_scheme"), fmt.Sprintf(text.Template("reason.line"), 1, "MOK", "Mok"),
		"21", "MOK", 1, "Omzet hoog", "Hoog", "0", "2026-11-23", text.Template("reason.scheme.export"))
	tr := pipeline.TaskRun{RunResult: pipeline.RunResult{Profile: "winkel", Task: "import_orders", Start: start, End: start.Add(time.Second),
		Duration: time.Second, Imported: 1, Failed: 1, Retrying: 1, LedgerCalls: 9,
		Orders: []pipeline.OrderOutcome{
			{ShopNumber: "1003", Status: pipeline.StatusFailed, Kind: "refused",
				Reason: fmt.Sprintf(text.Template("reason.vat_mismatch_export"), text.Country("US"), vatLine)},
			{ShopNumber: "1004", Status: pipeline.StatusRetrying, Kind: "unreachable",
				Reason: fmt.Sprintf(text.Template("reason.sales_order_unconfirmed"), `Post "https://b2bapi.snelstart.nl/v2/verkooporders": dial tcp 127.0.0.1:9: connect: connection refused`)},
			{ShopNumber: "1005", Status: pipeline.StatusRetrying, Kind: "unreachable",
				Reason: `Get "https://shop.example/wp-json/wc/v3/orders/1005": dial tcp 127.0.0.1:9: connect: connection refused`},
		}}}
	for _, lang := range []text.Lang{text.NL, text.EN} {
		for _, verbose := range []bool{false, true} {
			var b bytes.Buffer
			printSummary(&b, text.Printer{Lang: lang}, tr, verbose)
			name := "summary_reasons." + string(lang)
			if verbose {
				name += ".verbose"
			}
			golden(t, name+".golden", b.String())
		}
	}
}

// The error lines a bookkeeper meets on stderr, in Dutch (the default) and English: the error
// keeps its English text (logs, --json) and is printed in the reader's language, with what to do
// next; a run's stored reason inside it is rendered too.
func TestGoldenErrorLines(t *testing.T) {
	since := time.Date(2026, 11, 24, 6, 0, 0, 0, time.Local)
	keyRefused := sdk.Errorf(sdk.KindAuth, "WooCommerce refused the consumer key (401 woocommerce_rest_authentication_error)")
	stored := fmt.Sprintf(text.Template("reason.run.shop_auth"), text.Template("reason.step.list_orders"), keyRefused)
	errs := []error{
		usageText("reason.cli.no_profile", "wnkel", "/etc/koppel", "winkel, outlet"),
		usageText("reason.cli.name_task", "sync winkel TASK", "import_orders, export_stock"),
		failedText("reason.cli.store_busy", "/var/lib/koppel"),
		failedText("reason.cli.shop_plugin", "winkel", "woocommerce", errors.New(`plugin "woocommerce" is not in plugins.lock`)),
		failedText("reason.cli.run_stopped", errors.New(stored)),
		failedErr("%s", lockedMessage(&state.LockedError{Profile: "winkel", Task: "import_orders", Owner: "server/4242", Since: since})),
		failedText("reason.cli.interrupted"),
		failedText("reason.cli.not_retried", "9999", "winkel"),
		errors.New(`unknown command "synk" for "koppel"`), // cobra's own: English, with the hint
	}
	for _, lang := range []text.Lang{text.NL, text.EN} {
		var b bytes.Buffer
		a := &app{env: Env{Stderr: &b, Getenv: func(k string) (string, bool) {
			return string(lang), k == "KOPPEL_LANG"
		}}}
		for _, err := range errs {
			code := a.report(err)
			fmt.Fprintf(&b, "exit %d\n", code)
		}
		golden(t, "errors."+string(lang)+".golden", b.String())
	}
	// The stored text stays English whatever the reader's language.
	if err := failedText("reason.cli.run_stopped", errors.New(stored)); !strings.HasPrefix(err.Error(), "the run stopped: the shop refused koppel's credentials") {
		t.Errorf("stored: %s", err)
	}
	// Through the command line: the language follows --lang, then KOPPEL_LANG / LANG.
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, `koppel: geen profiel "nobody" in ` + dir + " (profielen: winkel)\n"},
		{nil, []string{"--lang", "en"}, `koppel: no profile "nobody" in ` + dir + " (profiles: winkel)\n"},
		{map[string]string{"LANG": "en_US.UTF-8"}, nil, `koppel: no profile "nobody" in ` + dir + " (profiles: winkel)\n"},
	} {
		code, _, errs := run(t, tc.env, append([]string{"sync", "nobody", "import_orders", "--config", dir}, tc.args...)...)
		if code != ExitUsage || errs != tc.want {
			t.Errorf("%v %v: exit %d\n got %q\nwant %q", tc.env, tc.args, code, errs, tc.want)
		}
	}
	// A shop nobody answers for: the run's reason once (not again as a log line), in Dutch, with
	// what to do next and the connector's message behind it.
	code, _, stderr := run(t, nil, "sync", "winkel", "import_orders", "--config", dir)
	if code != ExitFailed || !strings.HasPrefix(stderr, "koppel: de run is gestopt: de webwinkel was niet bereikbaar (de orders van de winkel opvragen): controleer of de winkel online is") ||
		strings.Count(stderr, "connection refused") != 1 {
		t.Errorf("sync with the shop down: exit %d\n%s", code, stderr)
	}
}

// koppel runs shows why a run stopped in the reader's language, one sentence unless --verbose.
func TestRunMessage(t *testing.T) {
	stored := fmt.Sprintf(text.Template("reason.run.state"), fmt.Sprintf(text.Template("reason.step.store_cursor"), "import_orders"), "no space left on device")
	stopped := fmt.Sprintf(text.Template("reason.run.stock_not_exported"), fmt.Sprintf(text.Template("reason.run.transient_orders"), 5, "1042"))
	for _, tc := range []struct {
		lang    text.Lang
		row     runRow
		verbose bool
		want    string
	}{
		{text.NL, runRow{Error: stored}, false, "koppel stopte de run, want de statusopslag faalde (de voortgang van import_orders vastleggen) (…)"},
		{text.EN, runRow{Error: stored}, false, "koppel stopped the run because the state store failed (store the import_orders cursor) (…)"},
		{text.NL, runRow{Error: stored}, true, "koppel stopte de run, want de statusopslag faalde (de voortgang van import_orders vastleggen); er gaat niets verloren en niets wordt dubbel geboekt: controleer de state_dir (schijfruimte, rechten) en start de run opnieuw. Fout: no space left on device"},
		{text.NL, runRow{Stopped: stopped}, false, "5 tijdelijke fouten na elkaar; de volgende run gaat verder vanaf order 1042; de voorraad is in deze run niet bijgewerkt"},
		{text.EN, runRow{Task: "import_orders", Aborted: true, Imported: 3}, false, "aborted: the process ended before the run finished; 3 orders booked until then, the next run goes on"},
	} {
		if got := runMessage(text.Printer{Lang: tc.lang}, tc.row, tc.verbose); got != tc.want {
			t.Errorf("%s verbose=%v:\n got %q\nwant %q", tc.lang, tc.verbose, got, tc.want)
		}
	}
}
