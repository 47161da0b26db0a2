package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
)

func TestNewRefusesBadOptions(t *testing.T) {
	store := openStore(t)
	profiles := func() []*config.Profile { return nil }
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no store", Options{Profiles: profiles}, "Store is required"},
		{"no profiles", Options{Store: store}, "Profiles is required"},
		{"token required but empty", Options{Store: store, Profiles: profiles, RequireToken: true}, "api_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(tc.opts)
			if err == nil || h != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, %v; want error containing %q", h, err, tc.want)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	resp := e.do(t, "GET", "/healthz", nil, nil) // no token: health checks need none
	wantStatus(t, resp, http.StatusOK)
	got := decode[map[string]string](t, resp)
	if got["status"] != "ok" || got["version"] != "v0.9.0-test" {
		t.Fatalf("healthz = %v", got)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	// The daemon's own health handler replaces the built-in one.
	e2 := newEnv(t, func(o *Options) {
		o.Healthz = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	})
	wantStatus(t, e2.do(t, "GET", "/healthz", nil, nil), http.StatusServiceUnavailable)
}

func TestAPIProfiles(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "GET", "/api/profiles", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	raw := readBody(t, resp)
	var got ProfilesJSON
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Profiles) != 2 || got.Profiles[0].Name != "winkel" || got.Profiles[1].Name != "magento-nl" {
		t.Fatalf("profiles = %+v", got.Profiles)
	}
	w := got.Profiles[0]
	if w.Shop != "woocommerce" || w.Ledger != "snelstart" || w.Description != "Webwinkel De Vries" {
		t.Fatalf("winkel = %+v", w)
	}
	if len(w.Tasks) != 2 || w.Tasks[0].Task != "import_orders" || w.Tasks[0].EverySeconds != 900 ||
		w.Tasks[0].Next == nil || !w.Tasks[0].Next.Equal(t0.Add(15*time.Minute)) || w.Tasks[0].Running || w.Tasks[0].Last != nil {
		t.Fatalf("winkel tasks = %+v", w.Tasks)
	}
	if m := got.Profiles[1].Tasks; len(m) != 1 || m[0].EverySeconds != 0 || m[0].Next != nil {
		t.Fatalf("on-demand task = %+v", m)
	}
	if len(got.Plugins) != 1 || got.Plugins[0].Name != "woocommerce" || got.Plugins[0].Restarts != 2 || got.Plugins[0].PID != 4242 {
		t.Fatalf("plugins = %+v", got.Plugins)
	}
	// The JSON field names are the contract for scripts.
	var shape map[string][]map[string]any
	if err := json.Unmarshal([]byte(raw), &shape); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, shape["profiles"][0], "name", "description", "shop", "ledger", "tasks")
	wantKeys(t, shape["plugins"][0], "name", "kind", "version", "protocol", "pid", "started", "restarts")
	task := shape["profiles"][0]["tasks"].([]any)[0].(map[string]any)
	wantKeys(t, task, "task", "every_seconds", "next", "running")

	// After a run the task reports its last result.
	wantStatus(t, e.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", nil, nil), http.StatusAccepted)
	e.sched.wait()
	got = decode[ProfilesJSON](t, e.do(t, "GET", "/api/profiles", nil, nil))
	last := got.Profiles[0].Tasks[0].Last
	if last == nil || last.Result != ResultOK || last.Imported != 2 {
		t.Fatalf("last = %+v", last)
	}
}

func wantKeys(t *testing.T, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON object lacks %q: %v", k, m)
		}
	}
}

func TestAPIRuns(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		query      string
		wantStatus int
		want       []string // profile/task of the runs, newest first
	}{
		{"", 200, []string{"magento-nl/import_orders", "winkel/export_stock", "winkel/import_orders"}},
		{"?profile=winkel", 200, []string{"winkel/export_stock", "winkel/import_orders"}},
		{"?profile=winkel&task=import_orders", 200, []string{"winkel/import_orders"}},
		{"?limit=1", 200, []string{"magento-nl/import_orders"}},
		{"?profile=nope", 404, nil},
		{"?task=dance", 400, nil},
		{"?limit=0", 400, nil},
		{"?limit=abc", 400, nil},
		{fmt.Sprintf("?limit=%d", MaxLimit+1), 400, nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp := e.do(t, "GET", "/api/runs"+tc.query, nil, nil)
			wantStatus(t, resp, tc.wantStatus)
			if tc.wantStatus != 200 {
				if e := decode[ErrorJSON](t, resp); e.Error == "" {
					t.Fatal("error answer without a message")
				}
				return
			}
			got := decode[RunsJSON](t, resp)
			var names []string
			for _, r := range got.Runs {
				names = append(names, r.Profile+"/"+r.Task)
			}
			if !reflect.DeepEqual(names, tc.want) {
				t.Fatalf("runs = %v, want %v", names, tc.want)
			}
		})
	}

	got := decode[RunsJSON](t, e.do(t, "GET", "/api/runs?orders=1", nil, nil))
	byTask := map[string]RunJSON{}
	for _, r := range got.Runs {
		byTask[r.Profile+"/"+r.Task] = r
	}
	imp := byTask["winkel/import_orders"]
	if imp.Result != ResultFailedItems || imp.Imported != 1 || imp.Failed != 1 || imp.LedgerCalls != 12 || imp.DurationSeconds != 3 ||
		len(imp.Orders) != 2 || imp.Orders[0].ShopNumber != "1001" || imp.Orders[0].LedgerNumber != 6001 {
		t.Fatalf("import run = %+v", imp)
	}
	st := byTask["winkel/export_stock"]
	if st.Result != ResultOK || st.Stock == nil || st.Stock.Written != 5 || st.Stock.Unchanged != 25 {
		t.Fatalf("stock run = %+v", st)
	}
	if br := byTask["magento-nl/import_orders"]; br.Result != ResultError || !strings.Contains(br.Error, "credentials") {
		t.Fatalf("broken run = %+v", br)
	}
	// Without ?orders=1 the outcomes are left out.
	plain := decode[RunsJSON](t, e.do(t, "GET", "/api/runs?profile=winkel&task=import_orders", nil, nil))
	if len(plain.Runs) != 1 || plain.Runs[0].Orders != nil {
		t.Fatalf("runs without orders = %+v", plain.Runs)
	}
}

func TestAPIOrders(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		query      string
		wantStatus int
		want       []string // shop_number:status, newest first
	}{
		// 1001 was imported in the run in which 1002 failed: same time, then by shop id.
		{"?profile=winkel", 200, []string{"1003:retrying", "1001:imported", "1002:failed", "0999:already_present"}},
		{"", 200, []string{"1003:retrying", "1001:imported", "1002:failed", "0999:already_present"}},
		{"?profile=winkel&status=imported", 200, []string{"1001:imported", "0999:already_present"}},
		{"?profile=winkel&status=already_present", 200, []string{"0999:already_present"}},
		{"?profile=winkel&status=adopted", 200, nil},
		{"?profile=winkel&status=failed", 200, []string{"1003:retrying", "1002:failed"}},
		{"?profile=winkel&status=parked", 200, []string{"1002:failed"}},
		{"?profile=winkel&status=retrying", 200, []string{"1003:retrying"}},
		{"?profile=winkel&limit=2", 200, []string{"1003:retrying", "1001:imported"}},
		{"?profile=magento-nl", 200, nil},
		{"?profile=nope", 404, nil},
		{"?status=lost", 400, nil},
		{"?limit=-1", 400, nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp := e.do(t, "GET", "/api/orders"+tc.query, nil, nil)
			wantStatus(t, resp, tc.wantStatus)
			if tc.wantStatus != 200 {
				return
			}
			got := decode[OrdersJSON](t, resp)
			if got.Orders == nil {
				t.Fatal(`"orders" must be a list, also when empty`)
			}
			var names []string
			for _, o := range got.Orders {
				names = append(names, o.ShopNumber+":"+o.Status)
			}
			if !reflect.DeepEqual(names, tc.want) {
				t.Fatalf("orders = %v, want %v", names, tc.want)
			}
		})
	}
	got := decode[OrdersJSON](t, e.do(t, "GET", "/api/orders?profile=winkel", nil, nil))
	byNumber := map[string]OrderJSON{}
	for _, o := range got.Orders {
		byNumber[o.ShopNumber] = o
	}
	if o := byNumber["1001"]; o.Profile != "winkel" || o.LedgerNumber != 6001 || o.CustomerCode != 20010 || o.TotalIncl != "121.00" ||
		o.TotalExcl != "100.00" || o.LedgerOrderID != "so-6001" {
		t.Fatalf("imported order = %+v", o)
	}
	if o := byNumber["1002"]; o.Reason == "" || o.Kind != "refused" || o.Attempts != 1 || o.TotalIncl != "" {
		t.Fatalf("failed order = %+v", o)
	}
}

func TestRunNow(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", nil, nil)
	wantStatus(t, resp, http.StatusAccepted)
	got := decode[ActionJSON](t, resp)
	if got.Status != "started" || got.Profile != "winkel" || got.Task != "import_orders" || got.RunID != "winkel/import_orders/1" {
		t.Fatalf("answer = %+v", got)
	}
	if !strings.Contains(e.logs.String(), `"@message":"run now requested"`) || !strings.Contains(e.logs.String(), `"run_id":"winkel/import_orders/1"`) {
		t.Fatalf("action not logged:\n%s", e.logs.String())
	}
	e.sched.wait()
	runs := decode[RunsJSON](t, e.do(t, "GET", "/api/runs?profile=winkel&limit=1", nil, nil))
	if len(runs.Runs) != 1 || runs.Runs[0].Imported != 2 {
		t.Fatalf("the run did not show up: %+v", runs)
	}

	// Busy, unknown, refused by method.
	e.sched.mu.Lock()
	e.sched.status["winkel"][0].Running = true
	e.sched.mu.Unlock()
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/api/profiles/winkel/tasks/import_orders/run", http.StatusConflict},
		{"POST", "/api/profiles/nope/tasks/import_orders/run", http.StatusNotFound},
		{"POST", "/api/profiles/winkel/tasks/dance/run", http.StatusNotFound},
		{"GET", "/api/profiles/winkel/tasks/import_orders/run", http.StatusMethodNotAllowed},
		{"PUT", "/api/profiles/winkel/tasks/import_orders/run", http.StatusMethodNotAllowed},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			wantStatus(t, e.do(t, tc.method, tc.path, nil, nil), tc.want)
		})
	}

	// A scheduler error that is neither not-found nor busy is a 500 with its (secret-free) text.
	e2 := newEnv(t, nil)
	e2.sched.err = errors.New("scheduler stopped")
	resp = e2.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", nil, nil)
	wantStatus(t, resp, http.StatusInternalServerError)
	if got := decode[ErrorJSON](t, resp); got.Error != "scheduler stopped" {
		t.Fatalf("error = %+v", got)
	}

	// No scheduler: 503, and the page has no run buttons.
	e3 := newEnv(t, func(o *Options) { o.Scheduler = nil })
	wantStatus(t, e3.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", nil, nil), http.StatusServiceUnavailable)
	if page := readBody(t, e3.do(t, "GET", "/", nil, nil)); strings.Contains(page, "Nu uitvoeren") {
		t.Fatal("run button shown without a scheduler")
	}
}

func TestRunNowFromPageRedirects(t *testing.T) {
	e := newEnv(t, nil)
	form := url.Values{"from": {"page"}}.Encode()
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	resp := e.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", strings.NewReader(form), hdr)
	wantStatus(t, resp, http.StatusSeeOther)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Path != "/" || loc.Query().Get("notice") != "run_started" || loc.Query().Get("profile") != "winkel" {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	page := readBody(t, e.do(t, "GET", loc.String(), nil, nil))
	if !strings.Contains(page, "winkel: taak Orders importeren is gestart.") {
		t.Fatalf("notice missing from page")
	}
	e.sched.wait()
	// Busy: a notice, still a redirect.
	e.sched.mu.Lock()
	e.sched.status["winkel"][0].Running = true
	e.sched.mu.Unlock()
	resp = e.do(t, "POST", "/api/profiles/winkel/tasks/import_orders/run", strings.NewReader(form), hdr)
	wantStatus(t, resp, http.StatusSeeOther)
	if !strings.Contains(resp.Header.Get("Location"), "notice=run_busy") {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
}

func TestRetry(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name, path string
		want       int
		wantCall   string
	}{
		{"by shop id", "/api/profiles/winkel/orders/402/retry", http.StatusAccepted, "winkel:402"},
		{"by shop number", "/api/profiles/winkel/orders/1003/retry", http.StatusAccepted, "winkel:403"},
		{"not failed", "/api/profiles/winkel/orders/401/retry", http.StatusNotFound, ""},
		{"unknown profile", "/api/profiles/nope/orders/402/retry", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.retr.calls = nil
			resp := e.do(t, "POST", tc.path, nil, nil)
			wantStatus(t, resp, tc.want)
			var call string
			if len(e.retr.calls) > 0 {
				call = e.retr.calls[0]
			}
			if call != tc.wantCall {
				t.Fatalf("retrier called with %q, want %q", call, tc.wantCall)
			}
			if tc.want == http.StatusAccepted {
				got := decode[ActionJSON](t, resp)
				if got.Status != "started" || got.ShopID != strings.Split(tc.wantCall, ":")[1] {
					t.Fatalf("answer = %+v", got)
				}
			}
		})
	}
	if !strings.Contains(e.logs.String(), `"@message":"retry requested"`) {
		t.Fatal("retry not logged")
	}
	e.retr.err = fmt.Errorf("import running: %w", ErrBusy)
	wantStatus(t, e.do(t, "POST", "/api/profiles/winkel/orders/402/retry", nil, nil), http.StatusConflict)
	wantStatus(t, e.do(t, "GET", "/api/profiles/winkel/orders/402/retry", nil, nil), http.StatusMethodNotAllowed)

	e2 := newEnv(t, func(o *Options) { o.Retrier = nil })
	wantStatus(t, e2.do(t, "POST", "/api/profiles/winkel/orders/402/retry", nil, nil), http.StatusServiceUnavailable)
}

// TestRetryFailed is "Opnieuw alle": every failed order of the profile in one retry.
func TestRetryFailed(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "POST", "/api/profiles/winkel/orders/retry-failed", nil, nil)
	wantStatus(t, resp, http.StatusAccepted)
	if got := decode[ActionJSON](t, resp); got.Status != "started" || got.Count != 2 {
		t.Fatalf("answer = %+v", got)
	}
	if len(e.retr.calls) != 1 || e.retr.calls[0] != "winkel:402,403" {
		t.Fatalf("retrier called with %v, want winkel:402,403", e.retr.calls)
	}
	wantStatus(t, e.do(t, "POST", "/api/profiles/nope/orders/retry-failed", nil, nil), http.StatusNotFound)
	e.retr.err = fmt.Errorf("import running: %w", ErrBusy)
	wantStatus(t, e.do(t, "POST", "/api/profiles/winkel/orders/retry-failed", nil, nil), http.StatusConflict)
	// The dashboard shows the button above the failed orders.
	page := e.do(t, "GET", "/", nil, nil)
	wantStatus(t, page, http.StatusOK)
	body, _ := io.ReadAll(page.Body)
	if !strings.Contains(string(body), `action="/api/profiles/winkel/orders/retry-failed"`) || !strings.Contains(string(body), "Opnieuw alle") {
		t.Fatal("the dashboard has no Opnieuw alle button")
	}
}

// endpoints lists every protected endpoint with the status it answers when authorized.
var endpoints = []struct {
	method, path string
	ok           int
}{
	{"GET", "/", http.StatusOK},
	{"GET", "/api/profiles", http.StatusOK},
	{"GET", "/api/runs", http.StatusOK},
	{"GET", "/api/orders?profile=winkel&status=failed", http.StatusOK},
	{"GET", "/metrics", http.StatusOK},
	{"POST", "/api/profiles/winkel/tasks/export_stock/run", http.StatusAccepted},
	{"POST", "/api/profiles/winkel/orders/402/retry", http.StatusAccepted},
}

// login posts the token to /login and returns the session cookie's value.
func login(t *testing.T, e *env) string {
	t.Helper()
	resp := e.do(t, "POST", "/login", strings.NewReader(url.Values{"token": {testToken}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	wantStatus(t, resp, http.StatusSeeOther)
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatal("login set no session cookie")
	return ""
}

func TestTokenRequired(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	session := login(t, e)
	for _, ep := range endpoints {
		for _, tc := range []struct {
			name string
			hdr  map[string]string
			ok   bool
		}{
			{"no token", nil, false},
			{"wrong token", map[string]string{"Authorization": "Bearer nope"}, false},
			{"token prefix", map[string]string{"Authorization": "Bearer " + testToken[:len(testToken)-1]}, false},
			{"token longer", map[string]string{"Authorization": "Bearer " + testToken + "x"}, false},
			{"basic scheme", map[string]string{"Authorization": "Basic " + testToken}, false},
			{"wrong cookie", map[string]string{"Cookie": sessionCookie + "=" + testToken}, false},
			{"bearer", map[string]string{"Authorization": "Bearer " + testToken}, true},
			{"bearer lower-case scheme", map[string]string{"Authorization": "bearer " + testToken}, true},
			{"forged session", map[string]string{"Cookie": sessionCookie + "=" + strings.Repeat("ab", 32)}, false},
			{"session cookie", map[string]string{"Cookie": sessionCookie + "=" + session}, true},
		} {
			t.Run(ep.method+ep.path+"/"+tc.name, func(t *testing.T) {
				calls := len(e.sched.calls) + len(e.retr.calls)
				resp := e.do(t, ep.method, ep.path, nil, tc.hdr)
				e.sched.wait()
				if tc.ok {
					wantStatus(t, resp, ep.ok)
					return
				}
				if ep.path == "/" {
					wantStatus(t, resp, http.StatusSeeOther)
					if resp.Header.Get("Location") != "/login" {
						t.Fatalf("redirect to %q", resp.Header.Get("Location"))
					}
				} else {
					wantStatus(t, resp, http.StatusUnauthorized)
					if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Fatal("401 without WWW-Authenticate: Bearer")
					}
				}
				if n := len(e.sched.calls) + len(e.retr.calls); n != calls {
					t.Fatal("a refused request reached the scheduler or retrier")
				}
			})
		}
	}
	if strings.Contains(e.logs.String(), testToken) {
		t.Fatal("the token appears in the log")
	}
	if !strings.Contains(e.logs.String(), "refused request without a valid token") {
		t.Fatal("refused requests are not logged")
	}
	// Static assets and the login page need no token.
	wantStatus(t, e.do(t, "GET", "/static/style.css", nil, nil), http.StatusOK)
	wantStatus(t, e.do(t, "GET", "/login", nil, nil), http.StatusOK)
}

func TestLoginFlow(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	resp := e.do(t, "POST", "/login", strings.NewReader("token=wrong"), hdr)
	wantStatus(t, resp, http.StatusUnauthorized)
	if len(resp.Cookies()) != 0 || !strings.Contains(readBody(t, resp), "Die token klopt niet.") {
		t.Fatal("wrong token: cookie set or no message")
	}
	resp = e.do(t, "POST", "/login", strings.NewReader(url.Values{"token": {testToken}}.Encode()), hdr)
	wantStatus(t, resp, http.StatusSeeOther)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value == testToken ||
		strings.Contains(session.Value, testToken) || session.Path != "/" || session.Secure ||
		session.MaxAge != int(sessionTTL/time.Second) || !session.Expires.Equal(t0.Add(sessionTTL).Truncate(time.Second)) {
		t.Fatalf("session cookie = %+v", session)
	}
	// A second login gets another random id: the cookie is no function of the token.
	if again := login(t, e); again == session.Value || len(again) != 64 {
		t.Fatalf("second session id %q (first %q)", again, session.Value)
	}
	cookie := map[string]string{"Cookie": session.Name + "=" + session.Value}
	page := e.do(t, "GET", "/", nil, cookie)
	wantStatus(t, page, http.StatusOK)
	body := readBody(t, page)
	if !strings.Contains(body, "Afmelden") || strings.Contains(body, testToken) {
		t.Fatal("page after login lacks the logout button or shows the token")
	}
	// The login page sends a logged-in user on.
	resp = e.do(t, "GET", "/login", nil, cookie)
	wantStatus(t, resp, http.StatusSeeOther)
	resp = e.do(t, "POST", "/logout", nil, cookie)
	wantStatus(t, resp, http.StatusSeeOther)
	if c := resp.Cookies(); len(c) != 1 || c[0].Name != sessionCookie || c[0].MaxAge >= 0 {
		t.Fatalf("logout cookies = %+v", c)
	}
	// The session ended on the server: the old cookie no longer opens the page.
	resp = e.do(t, "GET", "/", nil, cookie)
	wantStatus(t, resp, http.StatusSeeOther)
	// A new daemon (a restart) knows none of the old sessions.
	other := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	sess := login(t, e)
	wantStatus(t, other.do(t, "GET", "/", nil, map[string]string{"Cookie": sessionCookie + "=" + sess}), http.StatusSeeOther)
	wantStatus(t, e.do(t, "GET", "/", nil, map[string]string{"Cookie": sessionCookie + "=" + sess}), http.StatusOK)
	logs := e.logs.String()
	if !strings.Contains(logs, "dashboard login refused") || !strings.Contains(logs, `"@message":"dashboard login"`) || strings.Contains(logs, testToken) {
		t.Fatalf("login log:\n%s", logs)
	}
}

// TestLoginThrottle: five wrong tokens from one address within a minute block further logins
// from it (429, Retry-After), even with the right token, until the minute has passed; a
// session expires after sessionTTL.
func TestLoginThrottle(t *testing.T) {
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	e := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken, o.Now = true, testToken, clock })
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for i := 0; i < loginFailures; i++ {
		wantStatus(t, e.do(t, "POST", "/login", strings.NewReader("token=wrong"), hdr), http.StatusUnauthorized)
		advance(time.Second)
	}
	resp := e.do(t, "POST", "/login", strings.NewReader(url.Values{"token": {testToken}}.Encode()), hdr)
	wantStatus(t, resp, http.StatusTooManyRequests)
	if ra := resp.Header.Get("Retry-After"); ra != "55" || len(resp.Cookies()) != 0 {
		t.Fatalf("Retry-After %q (want 55), cookies %v", ra, resp.Cookies())
	}
	if body := readBody(t, resp); !strings.Contains(body, "te veel mislukte aanmeldingen") {
		t.Fatalf("429 body: %s", body)
	}
	// The bearer token of scripts is not blocked by a browser's failed logins.
	wantStatus(t, e.do(t, "GET", "/api/runs", nil, map[string]string{"Authorization": "Bearer " + testToken}), http.StatusOK)
	advance(55 * time.Second)
	session := login(t, e)
	cookie := map[string]string{"Cookie": sessionCookie + "=" + session}
	wantStatus(t, e.do(t, "GET", "/", nil, cookie), http.StatusOK)
	advance(sessionTTL)
	wantStatus(t, e.do(t, "GET", "/", nil, cookie), http.StatusSeeOther)
	if !strings.Contains(e.logs.String(), "too many failed logins") {
		t.Fatalf("throttled login not logged:\n%s", e.logs.String())
	}
}

func TestLoopbackWithoutToken(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		host string
		want int
	}{
		{"127.0.0.1:8484", http.StatusOK},
		{"localhost:8484", http.StatusOK},
		{"LOCALHOST", http.StatusOK},
		{"[::1]:8484", http.StatusOK},
		{"koppel.localhost:8484", http.StatusOK},
		{"evil.example:8484", http.StatusForbidden},
		{"192.168.1.20:8484", http.StatusForbidden},
		{"127.0.0.1.evil.example", http.StatusForbidden},
	} {
		t.Run(tc.host, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/api/profiles", nil)
			req.Host = tc.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			wantStatus(t, resp, tc.want)
		})
	}
	// With a token the host name is free (a reverse proxy, a LAN name).
	et := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	req, _ := http.NewRequest("GET", et.srv.URL+"/api/profiles", nil)
	req.Host = "koppel.kantoor.lan"
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wantStatus(t, resp, http.StatusOK)
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"script without browser headers", nil, http.StatusAccepted},
		{"same-origin browser", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusAccepted},
		{"cross-site browser", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.sched.wait()
			resp := e.do(t, "POST", "/api/profiles/winkel/tasks/export_stock/run", nil, tc.hdr)
			wantStatus(t, resp, tc.want)
		})
	}
}

func TestNoSecretAnywhere(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RequireToken, o.APIToken = true, testToken })
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	paths := []string{"/", "/?lang=en", "/api/profiles", "/api/runs?orders=1", "/api/orders", "/metrics", "/healthz", "/login"}
	for _, p := range paths {
		body := readBody(t, e.do(t, "GET", p, nil, auth))
		for _, secret := range []string{testToken, testShopSecret, testLedgerKey, "https://shop.example"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q", p, secret)
			}
		}
	}
	// Failed orders are shown without their shop payload.
	body := readBody(t, e.do(t, "GET", "/api/orders?status=failed", nil, auth))
	if strings.Contains(body, `"order"`) || strings.Contains(body, `"request"`) {
		t.Fatalf("failed orders carry their payload: %s", body)
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.do(t, "GET", "/", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	for h, want := range map[string]string{
		"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	for _, tc := range []struct {
		path, ct string
		want     int
	}{
		{"/static/app.js", "javascript", 200},
		{"/static/style.css", "text/css", 200},
		{"/static/", "", 404},
		{"/static/missing.js", "", 404},
		{"/nothing-here", "", 404},
	} {
		resp := e.do(t, "GET", tc.path, nil, nil)
		wantStatus(t, resp, tc.want)
		if tc.ct != "" && !strings.Contains(resp.Header.Get("Content-Type"), tc.ct) {
			t.Errorf("%s: content type %q", tc.path, resp.Header.Get("Content-Type"))
		}
	}
}

func TestNilLoggerAndDefaults(t *testing.T) {
	store := openStore(t)
	h, err := New(Options{Store: store, Profiles: func() []*config.Profile { return []*config.Profile{nil} }})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(h, "GET", "/")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Er zijn geen profielen ingesteld.") {
		t.Fatalf("empty dashboard: %d\n%s", rec.Code, rec.Body.String())
	}
	rec = newRecorder(h, "GET", "/metrics")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("default metrics: %d", rec.Code)
	}
}

// Every task has a dashboard label (the catalogue's own test proves both languages have every key).
func TestMessagesComplete(t *testing.T) {
	for _, task := range config.TaskNames {
		for _, l := range []string{langNL, langEN} {
			if _, ok := (tr{lang: l}).printer().Lookup("task." + string(task)); !ok {
				t.Errorf("no %s label for task %s", l, task)
			}
		}
	}
}
