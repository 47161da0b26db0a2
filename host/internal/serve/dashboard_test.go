package serve

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// newRecorder serves one request in-process, as from a loopback browser.
func newRecorder(h http.Handler, method, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.Host = "127.0.0.1:8484"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestDashboardDutch(t *testing.T) {
	e := newEnv(t, nil)
	wantStatus(t, e.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", nil, nil), http.StatusAccepted)
	e.sched.wait()
	resp := e.do(t, "GET", "/", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	page := readBody(t, resp)
	for _, want := range []string{
		`<html lang="nl">`, "Uitvoering", "Profiel <strong>winkel</strong>", "Webwinkel De Vries", "<code>woocommerce</code>",
		"Orders importeren", "Voorraad bijwerken", "15m", "alleen op verzoek", "Nu uitvoeren", "Gelukt", "Deels mislukt", "Fout",
		"Recente uitvoeringen", "Geïmporteerde orders", "1101", "7001", "20031", "Bakkerij Jansen", "€ 1.234,50", "€ 60,50",
		"Mislukte orders", "artikel X-1 bestaat niet in SnelStart", "geparkeerd", "wordt opnieuw geprobeerd", "Opnieuw",
		`action="/api/profiles/winkel/orders/402/retry"`, `action="/api/profiles/winkel/tasks/import_orders/run"`,
		"voorraad: 5 geschreven, 25 ongewijzigd", "de webwinkel weigerde de inloggegevens van koppel (de orders van de winkel opvragen)<details>", "Magento refused the access token (401)</details>", "Plugins", "4242",
		`data-running="false"`, "koppel v0.9.0-test", "02-03-2026 09:15:00", "English",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "??") {
		t.Errorf("page has an untranslated key: %s", page[strings.Index(page, "??"):][:40])
	}
	if strings.Contains(page, "Afmelden") {
		t.Error("logout shown without a token")
	}
}

func TestDashboardEnglishSwitch(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "GET", "/?lang=en", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	page := readBody(t, resp)
	for _, want := range []string{`<html lang="en">`, "Execution", "Run now", "Failed orders", "Retry", "Nederlands", "€121.00", "2026-03-02 09:15:00", "the shop refused koppel&#39;s credentials (list the shop&#39;s orders)"} {
		if !strings.Contains(page, want) {
			t.Errorf("English page lacks %q", want)
		}
	}
	if strings.Contains(page, "??") || strings.Contains(page, "Nu uitvoeren") {
		t.Error("English page has untranslated or Dutch text")
	}
	var lang *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == langCookie {
			lang = c
		}
	}
	if lang == nil || lang.Value != "en" {
		t.Fatalf("language cookie = %+v", lang)
	}
	// The cookie keeps English; ?lang=nl switches back.
	page = readBody(t, e.do(t, "GET", "/", nil, map[string]string{"Cookie": langCookie + "=en"}))
	if !strings.Contains(page, "Run now") {
		t.Error("language cookie ignored")
	}
	page = readBody(t, e.do(t, "GET", "/?lang=nl", nil, map[string]string{"Cookie": langCookie + "=en"}))
	if !strings.Contains(page, "Nu uitvoeren") {
		t.Error("?lang=nl ignored")
	}
	page = readBody(t, e.do(t, "GET", "/?lang=fr", nil, nil))
	if !strings.Contains(page, "Nu uitvoeren") {
		t.Error("unknown language is not Dutch")
	}
}

func TestDashboardWhileRunning(t *testing.T) {
	e := newEnv(t, nil)
	e.sched.mu.Lock()
	e.sched.status["winkel"][1].Running, e.sched.status["winkel"][1].RunningSince = true, t0
	e.sched.mu.Unlock()
	page := readBody(t, e.do(t, "GET", "/", nil, nil))
	for _, want := range []string{`data-running="true"`, "Er loopt een taak", "Bezig…", `<meta http-equiv="refresh" content="5">`} {
		if !strings.Contains(page, want) {
			t.Errorf("running page lacks %q", want)
		}
	}
	if !strings.Contains(page, "disabled>Bezig…</button>") {
		t.Error("the running task's button is not disabled")
	}
}

func TestNoticeUnknownIgnored(t *testing.T) {
	e := newEnv(t, nil)
	page := readBody(t, e.do(t, "GET", "/?notice=%3Cscript%3E&profile=x", nil, nil))
	if strings.Contains(page, `class="notice"`) {
		t.Fatal("unknown notice code shown")
	}
	page = readBody(t, e.do(t, "GET", "/?notice=run_started&profile=%3Cb%3Ewinkel&task=import_orders", nil, nil))
	if !strings.Contains(page, "&lt;b&gt;winkel: taak Orders importeren is gestart.") {
		t.Fatal("notice not shown escaped")
	}
}

func TestFormats(t *testing.T) {
	nl := tr{lang: langNL, loc: time.UTC, now: t0}
	en := tr{lang: langEN, loc: time.UTC, now: t0}
	for _, tc := range []struct {
		in     string
		nl, en string
	}{
		{"0", "€ 0,00", "€0.00"},
		{"1234.5", "€ 1.234,50", "€1,234.50"},
		{"-1234567.891", "-€ 1.234.567,89", "-€1,234,567.89"},
		{"999.999", "€ 1.000,00", "€1,000.00"},
	} {
		m := money(tc.in)
		if got := nl.Money(&m); got != tc.nl {
			t.Errorf("nl %s = %q, want %q", tc.in, got, tc.nl)
		}
		if got := en.Money(&m); got != tc.en {
			t.Errorf("en %s = %q, want %q", tc.in, got, tc.en)
		}
	}
	if got := nl.Money((*sdk.Money)(nil)); got != "—" {
		t.Errorf("nil money = %q", got)
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{850 * time.Millisecond, "850ms"},
		{1500 * time.Millisecond, "1.5s"},
		{15 * time.Minute, "15m"},
		{90 * time.Second, "1m30s"},
		{time.Hour, "1h"},
		{26*time.Hour + 30*time.Minute + 10*time.Second, "26h30m"},
		{3*24*time.Hour + 4*time.Hour + 20*time.Minute, "3d4h"},
		{632062 * time.Hour, "26335d22h"},
		{5*24*time.Hour + 23*time.Hour + 40*time.Minute, "6d"},
		{-2 * time.Minute, "2m"},
	} {
		if got := shortDuration(tc.d); got != tc.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := nl.Rel(t0.Add(5 * time.Minute)); got != "over 5m" {
		t.Errorf("Rel future = %q", got)
	}
	if got := en.Rel(t0.Add(-time.Hour)); got != "1h ago" {
		t.Errorf("Rel past = %q", got)
	}
	if got := nl.Every(0); got != "alleen op verzoek" {
		t.Errorf("Every(0) = %q", got)
	}
}

// The dashboard counts the orders waiting in the shop for an importable status.
func TestDashboardWaitingCount(t *testing.T) {
	e := newEnv(t, nil)
	for _, id := range []string{"501", "502"} {
		h := pipeline.HoldRecord{ShopID: id, ShopNumber: "2" + id, Status: "on-hold", SKUs: []string{"SHIRT-01"}}
		if err := state.Put(context.Background(), e.store, state.MapKey("winkel", pipeline.MapStockHold, id), h); err != nil {
			t.Fatal(err)
		}
	}
	resp := e.do(t, "GET", "/", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), "2 order(s) wachten in de webwinkel op een status") {
		t.Fatal("the dashboard does not count the waiting orders")
	}
}

// A long reason shows its headline (what to do next), the whole reason folded behind "details".
func TestDashboardFoldsLongReasons(t *testing.T) {
	e := newEnv(t, nil)
	long := `the order has a fee ("Betaalkosten", 0.35 including VAT) but orders.payment_fee_article is not set; set it to the SnelStart article code for them, then retry`
	rec := pipeline.FailedRecord{ShopID: "404", ShopNumber: "1004", Reason: long, Parked: true, Attempts: 1,
		LastFailedAt: time.Now(), Order: sdk.Order{ID: "404", Number: "1004"}}
	if err := state.Put(context.Background(), e.store, state.FailedKey("winkel", "404"), rec); err != nil {
		t.Fatal(err)
	}
	resp := e.do(t, "GET", "/", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	body, _ := io.ReadAll(resp.Body)
	page := html.UnescapeString(string(body))
	// The page is Dutch: the stored English reason is shown in Dutch.
	short := `Stel orders.payment_fee_article in op een SnelStart-artikel voor een toeslag en probeer opnieuw<details><summary>details</summary>de order heeft een toeslag`
	if !strings.Contains(page, short) {
		t.Fatalf("the long reason is not folded:\n%s", page[strings.Index(page, "1004"):][:600])
	}
	resp = e.do(t, "GET", "/?lang=en", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	body, _ = io.ReadAll(resp.Body)
	page = html.UnescapeString(string(body))
	if short := `Set orders.payment_fee_article to a SnelStart article for a fee, then retry<details>`; !strings.Contains(page, short) {
		t.Fatalf("the English page does not show the English reason:\n%s", page[strings.Index(page, "1004"):][:600])
	}
}
