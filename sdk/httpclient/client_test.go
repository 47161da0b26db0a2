package httpclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
)

// newTestServer starts a server on 127.0.0.1:0 whose handler gets the 1-based hit number.
func newTestServer(t testing.TB, h func(w http.ResponseWriter, r *http.Request, hit int64)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, hits.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// fast returns a client whose backoff is tiny so retry tests run quickly.
func fast(o Options) *Client {
	c := New(o)
	c.baseDelay = time.Millisecond
	return c
}

func get(t testing.TB, ctx context.Context, c *Client, u string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(req)
}

func post(t testing.TB, ctx context.Context, c *Client, u, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return c.Do(req)
}

func kindOf(err error) sdk.ErrorKind { return sdk.KindOf(err) }

func TestRetryAfterThenSuccess(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		if hit == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	c := fast(Options{})
	start := time.Now()
	resp, err := get(t, context.Background(), c, srv.URL+"/orders")
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	body, err := ReadBody(resp, 0)
	if err != nil || string(body) != "ok" {
		t.Fatalf("body %q, %v", body, err)
	}
	if el := time.Since(start); el < time.Second {
		t.Errorf("waited %v, want at least the Retry-After of 1s", el)
	}
	if hits.Load() != 2 || c.Calls() != 2 {
		t.Errorf("hits %d calls %d, want 2 and 2", hits.Load(), c.Calls())
	}
	if s := c.Stats(); s.Throttled != 1 || s.Retries != 1 {
		t.Errorf("stats %+v, want 1 throttled and 1 retry", s)
	}
}

func TestRetryAfterFromAPIMBody(t *testing.T) {
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 300 seconds."}`)
	})
	// A MaxRetryWait far above the bound below: a client that waited it out instead of
	// failing at once would fail the check however slow the machine.
	c := fast(Options{MaxRetryWait: 20 * time.Second})
	start := time.Now()
	_, err := get(t, context.Background(), c, srv.URL)
	if kindOf(err) != sdk.KindRetryable {
		t.Fatalf("kind %q (%v), want retryable", kindOf(err), err)
	}
	if ra := sdk.RetryAfterOf(err); ra != 300*time.Second {
		t.Errorf("RetryAfter %v, want 300s from the body", ra)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("returned after %v: a Retry-After beyond MaxRetryWait must not be waited out", el)
	}
}

func TestServiceUnavailableBurstRetried(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		if hit <= 3 {
			w.WriteHeader([]int{502, 503, 504}[hit-1])
			return
		}
		_, _ = io.WriteString(w, "fine")
	})
	c := fast(Options{})
	resp, err := get(t, context.Background(), c, srv.URL)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || hits.Load() != 4 {
		t.Errorf("status %d after %d hits, want 200 after 4", resp.StatusCode, hits.Load())
	}
	if s := c.Stats(); s.Retries != 3 || s.Calls != 4 {
		t.Errorf("stats %+v", s)
	}
}

func TestExhaustedRetriesAreRetryable(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := fast(Options{MaxAttempts: 3})
	_, err := get(t, context.Background(), c, srv.URL)
	var e *sdk.Error
	if !errors.As(err, &e) || e.Kind != sdk.KindRetryable || e.Code != "http_503" {
		t.Fatalf("err %#v, want retryable http_503", err)
	}
	if hits.Load() != 3 {
		t.Errorf("hits %d, want 3", hits.Load())
	}
}

func TestStatusesReturnedToCaller(t *testing.T) {
	for _, code := range []int{200, 201, 400, 401, 403, 404, 409, 500, 501} {
		srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
			w.WriteHeader(code)
		})
		resp, err := get(t, context.Background(), fast(Options{}), srv.URL)
		if err != nil {
			t.Fatalf("%d: %v", code, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != code || hits.Load() != 1 {
			t.Errorf("GET %d: got %d after %d hits", code, resp.StatusCode, hits.Load())
		}
	}
}

func TestPostNotRetriedAfter500(t *testing.T) {
	for _, code := range []int{500, 502, 503} {
		srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
			w.WriteHeader(code)
		})
		resp, err := post(t, context.Background(), fast(Options{}), srv.URL+"/verkooporders", `{"a":1}`)
		if resp != nil {
			t.Errorf("%d: got a response with an error", code)
		}
		if kindOf(err) != sdk.KindOutcomeUnknown {
			t.Errorf("%d: kind %q (%v), want outcome_unknown", code, kindOf(err), err)
		}
		if hits.Load() != 1 {
			t.Errorf("%d: POST sent %d times, want once", code, hits.Load())
		}
	}
}

func TestPostRetriedAfter429(t *testing.T) {
	var bodies []string
	var mu sync.Mutex
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if hit == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	resp, err := post(t, context.Background(), fast(Options{}), srv.URL, `{"order":42}`)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 201 || hits.Load() != 2 {
		t.Fatalf("status %d after %d hits", resp.StatusCode, hits.Load())
	}
	for i, b := range bodies {
		if b != `{"order":42}` {
			t.Errorf("attempt %d body %q: body not replayed", i+1, b)
		}
	}
}

func TestPostWithUnreplayableBodyNotRetried(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.WriteHeader(http.StatusTooManyRequests)
	})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL,
		io.NopCloser(bytes.NewBufferString("x"))) // no GetBody
	_, err := fast(Options{}).Do(req)
	if kindOf(err) != sdk.KindRetryable || hits.Load() != 1 {
		t.Errorf("kind %q after %d hits, want retryable after 1", kindOf(err), hits.Load())
	}
}

func TestPostConnectionResetIsOutcomeUnknown(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		_, _ = io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	_, err := post(t, context.Background(), fast(Options{}), srv.URL, "{}")
	if kindOf(err) != sdk.KindOutcomeUnknown || hits.Load() != 1 {
		t.Errorf("kind %q (%v) after %d hits, want outcome_unknown after 1", kindOf(err), err, hits.Load())
	}
}

func TestTimeoutPerAttempt(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request, hit int64) {
		_, _ = io.ReadAll(r.Body) // so the server notices the client hanging up
		if hit == 1 {
			select {
			case <-time.After(30 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		_, _ = io.WriteString(w, "ok")
	}
	// The attempt timeout leaves a loaded machine ample time for a fast answer; the stalled
	// attempt (30 s) is far beyond it and beyond the bound on the whole call.
	const attemptTimeout = 500 * time.Millisecond
	t.Run("GET retried", func(t *testing.T) {
		srv, hits := newTestServer(t, slow)
		c := fast(Options{Timeout: attemptTimeout})
		start := time.Now()
		resp, err := get(t, context.Background(), c, srv.URL)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		b, _ := ReadBody(resp, 0)
		if string(b) != "ok" || hits.Load() != 2 {
			t.Errorf("body %q after %d hits", b, hits.Load())
		}
		if el := time.Since(start); el > 10*time.Second {
			t.Errorf("took %v; the attempt timeout did not cut the slow attempt", el)
		}
	})
	t.Run("POST outcome unknown", func(t *testing.T) {
		srv, hits := newTestServer(t, slow)
		c := fast(Options{Timeout: attemptTimeout})
		_, err := post(t, context.Background(), c, srv.URL, "{}")
		if kindOf(err) != sdk.KindOutcomeUnknown || hits.Load() != 1 {
			t.Errorf("kind %q after %d hits", kindOf(err), hits.Load())
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("cause %v does not wrap the deadline", err)
		}
	})
	t.Run("timeout covers body read", func(t *testing.T) {
		srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			select {
			case <-time.After(30 * time.Second):
			case <-r.Context().Done():
			}
		})
		c := fast(Options{Timeout: attemptTimeout})
		resp, err := get(t, context.Background(), c, srv.URL)
		if err != nil {
			t.Fatalf("Do: %v", err)
		}
		_, err = ReadBody(resp, 0)
		if kindOf(err) != sdk.KindRetryable {
			t.Errorf("stalled body read: kind %q (%v), want retryable", kindOf(err), err)
		}
	})
}

func TestContextCancelDuringBackoff(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := get(t, ctx, fast(Options{}), srv.URL)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("Do returned after %v; the wait (30s) ignored the cancel", el)
	}
	if !errors.Is(err, context.Canceled) || kindOf(err) != sdk.KindRetryable {
		t.Errorf("err %v kind %q, want retryable wrapping context.Canceled", err, kindOf(err))
	}
	if hits.Load() != 1 {
		t.Errorf("hits %d, want 1", hits.Load())
	}
}

func TestWaitBeyondDeadlineReturnsAtOnce(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	// The deadline is far beyond the bound below, and the Retry-After beyond the deadline: a
	// client that started the wait would sit until the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := get(t, ctx, fast(Options{}), srv.URL)
	if time.Since(start) > 10*time.Second || hits.Load() != 1 {
		t.Errorf("took %v and %d hits; a wait past the deadline must not be started", time.Since(start), hits.Load())
	}
	if kindOf(err) != sdk.KindRetryable || sdk.RetryAfterOf(err) != 60*time.Second {
		t.Errorf("err %v, want retryable with RetryAfter 60s", err)
	}
}

func TestLongThrottleFailsOtherCallersFast(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.Header().Set("Retry-After", "600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	// MaxRetryWait far above the bound below: a caller that waited it out would be seen.
	c := fast(Options{MaxRetryWait: 20 * time.Second})
	for i := range 3 {
		start := time.Now()
		_, err := get(t, context.Background(), c, srv.URL)
		if kindOf(err) != sdk.KindRetryable || sdk.RetryAfterOf(err) < 590*time.Second || time.Since(start) > 5*time.Second {
			t.Errorf("call %d: %v (RetryAfter %v) after %v", i, err, sdk.RetryAfterOf(err), time.Since(start))
		}
	}
	if hits.Load() != 1 {
		t.Errorf("%d requests reached a service that asked for 10 minutes of quiet, want 1", hits.Load())
	}
}

func TestUnreachable(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close() // nothing listens there now
		c := fast(Options{MaxAttempts: 3})
		_, err = post(t, context.Background(), c, "http://"+addr+"/x", "{}")
		if kindOf(err) != sdk.KindUnreachable {
			t.Errorf("kind %q (%v), want unreachable", kindOf(err), err)
		}
		if c.Calls() != 3 {
			t.Errorf("calls %d, want 3: a POST that was never sent is retried", c.Calls())
		}
	})
	t.Run("dns failure", func(t *testing.T) {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network,
				Err: &net.DNSError{Err: "no such host", Name: "shop.invalid", IsNotFound: true}}
		}}
		c := fast(Options{MaxAttempts: 2, Transport: tr})
		_, err := get(t, context.Background(), c, "http://shop.invalid/wp-json")
		if kindOf(err) != sdk.KindUnreachable || c.Calls() != 2 {
			t.Errorf("kind %q after %d calls (%v)", kindOf(err), c.Calls(), err)
		}
		if !strings.Contains(err.Error(), "shop.invalid") {
			t.Errorf("message %q does not name the host", err)
		}
	})
}

func TestRedirectNotFollowed(t *testing.T) {
	srv, hits := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		http.Redirect(w, r, "https://elsewhere.example/wp-json/", http.StatusMovedPermanently)
	})
	resp, err := get(t, context.Background(), fast(Options{}), srv.URL+"/wp-json/")
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://elsewhere.example/wp-json/" || hits.Load() != 1 {
		t.Errorf("status %d location %q hits %d", resp.StatusCode, resp.Header.Get("Location"), hits.Load())
	}
}

func TestMaxConcurrent(t *testing.T) {
	var inflight, peak atomic.Int64
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		// Hold each request until three are in flight (or 10 s passed), so the peak is
		// reached however the goroutines are scheduled; a fourth would still show.
		for deadline := time.Now().Add(10 * time.Second); peak.Load() < 3 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond)
		inflight.Add(-1)
	})
	c := fast(Options{MaxConcurrent: 3})
	var wg sync.WaitGroup
	for range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := get(t, context.Background(), c, srv.URL)
			if err == nil {
				_, _ = ReadBody(resp, 0)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != 3 {
		t.Errorf("peak in flight %d, want exactly 3", p)
	}
}

func TestSecretsNeverLoggedOrInErrors(t *testing.T) {
	const (
		key    = "ck_0123456789abcdef"
		secret = "cs_fedcba9876543210"
		token  = "eyJhbGciOi.token.value"
		pathS  = "adminpass-7x"
	)
	var logs bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace})
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := fast(Options{Logger: log, MaxAttempts: 2, Redact: []string{pathS, token}})
	q := "?consumer_key=" + key + "&consumer_secret=" + secret + "&oauth_signature=" + key + "&page=2&note=" + token
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/shop/"+pathS+"/orders"+q, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.SetBasicAuth("user", secret)
	_, err1 := c.Do(req)

	refused := fast(Options{Logger: log, MaxAttempts: 1, Redact: []string{pathS}})
	_, err2 := get(t, context.Background(), refused, "http://user:"+pathS+"@127.0.0.1:1/x?token="+token+"&key="+key)
	_, err3 := post(t, context.Background(), fast(Options{Logger: log, Redact: []string{pathS}}),
		srv.URL+"/p?password="+secret, "{}")

	out := logs.String()
	for _, s := range []string{key, secret, token, pathS} {
		if strings.Contains(out, s) {
			t.Errorf("log contains secret %q:\n%s", s, out)
		}
		for i, err := range []error{err1, err2, err3} {
			if err == nil {
				t.Fatalf("error %d is nil", i+1)
			}
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %d %q contains secret %q", i+1, err, s)
			}
		}
	}
	if !strings.Contains(out, "page=2") || !strings.Contains(out, "consumer_key=REDACTED") {
		t.Errorf("log lacks the redacted URL:\n%s", out)
	}
	if strings.Contains(out, "Bearer") || strings.Contains(out, "Authorization") {
		t.Errorf("log contains headers:\n%s", out)
	}
}

func TestUserAgentSet(t *testing.T) {
	var got atomic.Value
	srv, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		got.Store(r.UserAgent())
	})
	resp, err := get(t, context.Background(), fast(Options{UserAgent: "koppel-test/1"}), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if got.Load() != "koppel-test/1" {
		t.Errorf("User-Agent %q", got.Load())
	}
}

func TestThrottlePausesOtherCallers(t *testing.T) {
	// A 429 on one call pauses the client; a fresh call right after the 429 must wait too.
	c2 := fast(Options{})
	var hitsMu sync.Mutex
	var later []time.Time // when the requests after the 429 arrived
	srv2, _ := newTestServer(t, func(w http.ResponseWriter, r *http.Request, hit int64) {
		if hit == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		hitsMu.Lock()
		later = append(later, time.Now())
		hitsMu.Unlock()
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if resp, err := get(t, context.Background(), c2, srv2.URL); err == nil {
			_ = resp.Body.Close()
		}
	}()
	// Once the 429 set the pause, a fresh call waits until it ends: no request reaches the
	// server before, however late this goroutine runs.
	for deadline := time.Now().Add(30 * time.Second); c2.pauseLeft() <= 0; {
		if time.Now().After(deadline) {
			t.Fatal("the 429 did not pause the client")
		}
		time.Sleep(time.Millisecond)
	}
	c2.pauseMu.Lock()
	until := c2.pauseUntil
	c2.pauseMu.Unlock()
	resp, err := get(t, context.Background(), c2, srv2.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	wg.Wait()
	hitsMu.Lock()
	defer hitsMu.Unlock()
	if len(later) != 2 {
		t.Fatalf("%d requests after the 429, want 2 (the retry and the second caller)", len(later))
	}
	for _, at := range later {
		if at.Before(until) {
			t.Errorf("a request reached the server %v before the 1s pause ended", until.Sub(at))
		}
	}
}

// BenchmarkDo measures requests per second against a local server with limits off.
func BenchmarkDo(b *testing.B) {
	srv, _ := newTestServer(b, func(w http.ResponseWriter, r *http.Request, hit int64) {
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	c := New(Options{})
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/orders?consumer_key=ck_x&page=1", nil)
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := ReadBody(resp, 0); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
