package simulator

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	clock := newFakeClock()
	c := newSim(t, Options{Clock: clock.Now, RatePerMinute: 5})
	for i := 0; i < 5; i++ {
		c.call("GET", "/v2/landen", nil, 200, nil)
		clock.Advance(time.Second)
	}
	st, h, body := c.raw("GET", "/v2/landen", nil)
	if st != http.StatusTooManyRequests {
		t.Fatalf("6th call: %d", st)
	}
	// The oldest call was 5 s ago, so the window frees up in 55 s.
	if h.Get("Retry-After") != "55" {
		t.Errorf("Retry-After %q, want 55", h.Get("Retry-After"))
	}
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	if m["statusCode"] != float64(429) || !strings.Contains(fmt.Sprint(m["message"]), "Rate limit is exceeded") {
		t.Errorf("429 body %s", body)
	}
	clock.Advance(55 * time.Second)
	c.call("GET", "/v2/landen", nil, 200, nil)
	s := c.srv.Stats()
	if s.RateLimited != 1 || s.MaxPerWindow != 5 || s.Requests != 7 {
		t.Errorf("stats %+v", s)
	}
	c.srv.SetRateLimit(-1)
	for i := 0; i < 20; i++ {
		c.call("GET", "/v2/landen", nil, 200, nil)
	}
	if c.srv.Stats().MaxPerWindow < 20 {
		t.Errorf("unlimited: max %d", c.srv.Stats().MaxPerWindow)
	}
}

// The stats give when the first /v2 request arrived, when the last was answered and the time
// requests spent in the server (the latency included); the token request does not count, a
// reset clears them.
func TestStatsBusyTime(t *testing.T) {
	const latency = 30 * time.Millisecond
	c := newSim(t, Options{Faults: Faults{Latency: latency}})
	if s := c.srv.Stats(); !s.FirstRequest.IsZero() || !s.LastAnswer.IsZero() || s.BusyNanos != 0 {
		t.Fatalf("before any /v2 request: %+v", s)
	}
	before := time.Now()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.call("GET", "/v2/landen", nil, 200, nil)
		}()
	}
	wg.Wait()
	c.call("GET", "/v2/landen", nil, 200, nil)
	after := time.Now()
	s := c.srv.Stats()
	if s.FirstRequest.Before(before) || s.LastAnswer.After(after) || s.LastAnswer.Sub(s.FirstRequest) < 2*latency {
		t.Errorf("first request %v, last answer %v, want within %v..%v and at least two latencies apart", s.FirstRequest, s.LastAnswer, before, after)
	}
	if busy := time.Duration(s.BusyNanos); busy < 3*latency || busy > 3*after.Sub(before) {
		t.Errorf("busy %v for 3 requests of %v latency", busy, latency)
	}
	c.srv.Reset()
	if s := c.srv.Stats(); !s.FirstRequest.IsZero() || s.BusyNanos != 0 {
		t.Errorf("after a reset: %+v", s)
	}
}

func TestFaultInjection(t *testing.T) {
	c := newSim(t, Options{Faults: Faults{ErrorRate: 1}})
	st, _, _ := c.raw("GET", "/v2/landen", nil)
	if st < 500 || st > 504 {
		t.Fatalf("error rate 1: status %d", st)
	}
	if c.srv.Stats().InjectedErrors != 1 {
		t.Errorf("stats %+v", c.srv.Stats())
	}
	// Half of many requests fail, deterministically for the fixed seed.
	if err := c.srv.SetFaults(Faults{ErrorRate: 0.5}); err != nil {
		t.Fatal(err)
	}
	c.srv.SetRateLimit(-1)
	fails := 0
	for i := 0; i < 200; i++ {
		if st, _, _ := c.raw("GET", "/v2/landen", nil); st >= 500 {
			fails++
		}
	}
	if fails < 70 || fails > 130 {
		t.Errorf("error rate 0.5: %d of 200 failed", fails)
	}
	if err := c.srv.SetFaults(Faults{ErrorRate: 2}); err == nil {
		t.Error("rate 2 accepted")
	}

	// Latency.
	if err := c.srv.SetFaults(Faults{Latency: 80 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c.call("GET", "/v2/landen", nil, 200, nil)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("latency: took %v", d)
	}

	// Create committed, response lost: the client sees a transport error, the order exists.
	if err := c.srv.SetFaults(Faults{LoseCreateResponseRate: 1}); err != nil {
		t.Fatal(err)
	}
	bs, _ := json.Marshal(orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10")))
	req, _ := http.NewRequest("POST", c.base+"/v2/verkooporders", strings.NewReader(string(bs)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Ocp-Apim-Subscription-Key", DefaultSubscriptionKey)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("lost response: got status %d", resp.StatusCode)
	}
	if n := len(c.srv.Dump().Verkooporders); n != 1 {
		t.Errorf("committed orders: %d, want 1", n)
	}
	if s := c.srv.Stats(); s.LostResponses != 1 || s.Creates["verkooporders"] != 1 {
		t.Errorf("stats %+v", s)
	}
	// Reads are never dropped.
	c.call("GET", "/v2/verkooporders", nil, 200, nil)
}

func TestAdminEndpoints(t *testing.T) {
	c := newSim(t, Options{})
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	c.call("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10")), 201, nil)
	st, body := do("GET", "/_sim/state", "")
	var a Administration
	if st != 200 || json.Unmarshal([]byte(body), &a) != nil || len(a.Verkooporders) != 1 || a.Verkooporders[0].TotaalInclusiefBtw.String() != "12.1" {
		t.Fatalf("state: %d %s", st, truncate(body, 200))
	}
	if st, body := do("PUT", "/_sim/faults", `{"errorRate":0.25,"latency":"5ms","loseCreateResponseRate":0.5}`); st != 200 || !strings.Contains(body, `"latency":"5ms"`) {
		t.Errorf("faults: %d %s", st, body)
	}
	if st, _ := do("PUT", "/_sim/faults", `{"latency":"soon"}`); st != 400 {
		t.Errorf("bad latency accepted")
	}
	if st, _ := do("PUT", "/_sim/faults", `{}`); st != 200 {
		t.Errorf("clear faults")
	}
	if st, _ := do("PUT", "/_sim/ratelimit", `{"perMinute":3}`); st != 200 {
		t.Errorf("ratelimit")
	}
	if st, body := do("PUT", "/_sim/vat", `{"rounding":"per-line","midpoint":"even"}`); st != 200 || !strings.Contains(body, "per-line") {
		t.Errorf("vat: %d %s", st, body)
	}
	if st, _ := do("PUT", "/_sim/vat", `{"rounding":"sometimes"}`); st != 400 {
		t.Errorf("bad rounding accepted")
	}
	if st, body := do("GET", "/_sim/stats", ""); st != 200 || !strings.Contains(body, `"requests"`) {
		t.Errorf("stats: %s", body)
	}
	if st, _ := do("POST", "/_sim/reset", ""); st != 200 {
		t.Fatal("reset")
	}
	if n := len(c.srv.Dump().Verkooporders); n != 0 {
		t.Errorf("after reset: %d orders", n)
	}
	// Reset dropped the tokens too.
	if st, _, _ := c.raw("GET", "/v2/landen", nil); st != 401 {
		t.Errorf("token survived reset: %d", st)
	}
	c.token = c.fetchToken()
	if st, _ := do("POST", "/_sim/tokens/expire", ""); st != 200 {
		t.Error("expire")
	}
	if st, _, _ := c.raw("GET", "/v2/landen", nil); st != 401 {
		t.Errorf("token survived expire: %d", st)
	}
}

func TestSeedRoundTripAndErrors(t *testing.T) {
	c := newSim(t, Options{})
	c.call("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10")), 201, nil)
	dump := c.srv.Dump()
	b, _ := json.Marshal(dump)
	dir := t.TempDir()
	path := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := LoadAdministrationFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := New(Options{Seed: seed})
	if err != nil {
		t.Fatalf("dump as seed: %v", err)
	}
	d2 := s2.Dump()
	if len(d2.Verkooporders) != 1 || d2.Verkooporders[0].Nummer != dump.Verkooporders[0].Nummer ||
		d2.CompanyInfo.VolgendVerkoopordernummer != dump.CompanyInfo.VolgendVerkoopordernummer {
		t.Errorf("round trip lost data")
	}
	for name, bad := range map[string]string{
		"unknown field":      `{"companyInfo":{},"relatiez":[]}`,
		"unknown omzetgroep": `{"artikelen":[{"artikelcode":"A","omschrijving":"A","artikelOmzetgroep":{"id":"0e2a0000-0000-4000-8000-0000000000ff"}}]}`,
		"bad btwSoort":       `{"artikelomzetgroepen":[{"omschrijving":"x","verkoopNederlandBtwSoort":"Half"}]}`,
		"duplicate id":       `{"landen":[{"id":"` + string(LandNL) + `"},{"id":"` + string(LandNL) + `"}]}`,
	} {
		a, err := LoadAdministration(strings.NewReader(bad))
		if err == nil {
			_, err = New(Options{Seed: a})
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The default administration covers what the demo needs.
	d := DefaultAdministration()
	classes := map[string]bool{}
	for _, g := range d.Omzetgroepen {
		classes[g.VerkoopNederlandBtwSoort] = true
	}
	if !classes["Hoog"] || !classes["Laag"] || !classes["Geen"] {
		t.Errorf("VAT classes %v", classes)
	}
	var isos []string
	for _, l := range d.Landen {
		isos = append(isos, l.LandcodeISO)
	}
	if strings.Join(isos, ",") != "NL,BE,DE,FR,GB,US" {
		t.Errorf("landen %v", isos)
	}
	if d.Sjablonen[0].Omschrijving != "Webshop" {
		t.Errorf("template %q", d.Sjablonen[0].Omschrijving)
	}
}

func TestRunCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--rate-limit", "50", "--vat-rounding", "per-line", "--midpoint", "even"}, pw)
		pw.Close()
	}()
	lineStr, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read banner: %v", err)
	}
	go io.Copy(io.Discard, pr)
	if !strings.Contains(lineStr, DefaultSubscriptionKey) || !strings.Contains(lineStr, DefaultClientKey) {
		t.Errorf("banner lacks demo keys: %s", lineStr)
	}
	f := strings.Fields(lineStr)
	var tokenURL string
	for i, w := range f {
		if w == "token" && i+1 < len(f) {
			tokenURL = f[i+1]
		}
	}
	resp, err := http.PostForm(tokenURL, url.Values{"grant_type": {"clientkey"}, "clientkey": {DefaultClientKey}})
	if err != nil {
		t.Fatalf("token via %q: %v", tokenURL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("token status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	for _, args := range [][]string{{"--vat-rounding", "x"}, {"--midpoint", "up"}, {"--seed", "/nonexistent.json"}, {"extra"}, {"--error-rate", "3"}} {
		if err := Run(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, args...), io.Discard); err == nil {
			t.Errorf("Run %v: no error", args)
		}
	}
}
