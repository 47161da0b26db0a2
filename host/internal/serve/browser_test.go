package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/koppel-nl/koppel/internal/testtools"
)

// findChromium returns the browser to drive; a missing browser fails the test naming it, unless
// KOPPEL_SKIP_BROWSER=1 is set on purpose.
func findChromium(t *testing.T) string {
	t.Helper()
	return testtools.Require(t, testtools.Chromium)
}

// browser starts headless Chromium with an empty profile and returns a tab context; console
// collects what the pages write to their console.
func browser(t *testing.T, timeout time.Duration) (ctx context.Context, console func() []chromedp.ConsoleMessage) {
	t.Helper()
	exe := findChromium(t)
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
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	ctx, cancel := context.WithTimeout(tabCtx, timeout)
	t.Cleanup(func() { cancel(); cancelTab(); cancelAlloc() })

	var mu sync.Mutex
	var msgs []chromedp.ConsoleMessage
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	stream := chromedp.Console(ctx)
	go func() {
		for m, err := range stream {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m)
			mu.Unlock()
		}
	}()
	return ctx, func() []chromedp.ConsoleMessage {
		mu.Lock()
		defer mu.Unlock()
		return append([]chromedp.ConsoleMessage(nil), msgs...)
	}
}

// artifactDir is where screenshots go: $KOPPEL_ARTIFACTS, or the test's temporary directory.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("KOPPEL_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot saved: %s (%d bytes)", path, len(png))
}

func evalInt(t *testing.T, ctx context.Context, js string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return n
}

// noConsoleErrors fails on script exceptions and console or browser-log errors (a script
// blocked by the content security policy shows up here).
func noConsoleErrors(t *testing.T, console func() []chromedp.ConsoleMessage) {
	t.Helper()
	for _, m := range console() {
		if m.IsException() || m.Type == chromedp.ConsoleError {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	}
}

// TestBrowserRunNow opens the dashboard in headless Chromium, clicks "Nu uitvoeren" and waits
// for the run and its orders to appear (the page refreshes itself while the run goes), then
// retries a failed order and switches to English.
func TestBrowserRunNow(t *testing.T) {
	e := newEnv(t, nil)
	e.sched.delay = 2500 * time.Millisecond
	ctx, console := browser(t, 60*time.Second)

	runButton := chromedp.CSS(`#profile-winkel tr[data-task="import_orders"] button.run-now`)
	newOrder := chromedp.CSS(`#profile-winkel tr.order[data-shop-number="1101"]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(runButton)); err != nil {
		t.Fatal(err)
	}
	if label, err := chromedp.Run(ctx, chromedp.Text(runButton)); err != nil || label != "Nu uitvoeren" {
		t.Fatalf("run button says %q (%v)", label, err)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#profile-winkel tr.order[data-shop-number="1101"]').length`); n != 0 {
		t.Fatal("order 1101 is shown before the run")
	}
	runsBefore := evalInt(t, ctx, `document.querySelectorAll('#profile-winkel tr.run').length`)

	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Click(runButton, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	// While the run goes the page says so (and keeps refreshing).
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#running-banner`))); err != nil {
		t.Fatalf("running banner never shown: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(newOrder)); err != nil {
		t.Fatalf("the run's order never appeared: %v", err)
	}
	t.Logf("run visible on the page %v after the click", time.Since(start).Round(time.Millisecond))
	row, err := chromedp.Run(ctx, chromedp.Text(newOrder))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1101", "7001", "20031", "Bakkerij Jansen", "€ 1.234,50", "geïmporteerd"} {
		if !strings.Contains(row, want) {
			t.Errorf("order row %q lacks %q", row, want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.WaitNotPresent(chromedp.CSS(`#running-banner`))); err != nil {
		t.Fatal(err)
	}
	if n := evalInt(t, ctx, `document.querySelectorAll('#profile-winkel tr.run').length`); n != runsBefore+1 {
		t.Fatalf("%d runs shown after the run, want %d", n, runsBefore+1)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#profile-winkel tr.run`)))
	if err != nil || !strings.Contains(first, "Orders importeren") || !strings.Contains(first, "Gelukt") {
		t.Fatalf("newest run row = %q (%v)", first, err)
	}
	e.sched.mu.Lock()
	calls := append([]string(nil), e.sched.calls...)
	e.sched.mu.Unlock()
	if len(calls) != 1 || calls[0] != "winkel/import_orders" {
		t.Fatalf("scheduler calls = %v", calls)
	}
	screenshot(t, ctx, "dashboard-run-now.png")

	// "Opnieuw" on a failed order reaches the retrier.
	retry := chromedp.CSS(`#profile-winkel tr.failed-order[data-shop-number="1002"] button.retry`)
	if err := chromedp.Do(ctx, chromedp.Click(retry, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.retr.mu.Lock()
		got := strings.Join(e.retr.calls, " ")
		e.retr.mu.Unlock()
		if got == "winkel:402" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retrier calls = %q, want winkel:402", got)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The English switch.
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#lang-switch`)), chromedp.Click(chromedp.CSS(`#lang-switch`), chromedp.NodeVisible),
		chromedp.WaitReady(chromedp.CSS(`html[lang="en"]`))); err != nil {
		t.Fatal(err)
	}
	label, err := chromedp.Run(ctx, chromedp.Text(runButton))
	if err != nil || label != "Run now" {
		t.Fatalf("English run button says %q (%v)", label, err)
	}
	screenshot(t, ctx, "dashboard-en.png")
	noConsoleErrors(t, console)
}

// TestBrowserLogin logs in with the API token through the form and checks the session cookie
// is out of the page's reach.
func TestBrowserLogin(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	ctx, console := browser(t, 30*time.Second)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), "wrong"),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`p.error`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), testToken),
		chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`#profile-winkel`)),
	); err != nil {
		t.Fatal(err)
	}
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookies, sessionCookie) || strings.Contains(cookies, testToken) {
		t.Fatalf("the page can read the session: %q", cookies)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`html`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, testToken) {
		t.Fatal("the dashboard shows the token")
	}
	for _, m := range console() {
		// The refused login answers 401, which Chromium logs as a failed resource load.
		if m.IsException() || (m.Type == chromedp.ConsoleError && !strings.Contains(m.Text, "401")) {
			t.Errorf("browser console: %s", m)
		}
	}
}
