package httpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/redact"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxAttempts  = 4
	DefaultMaxRetryWait = 2 * time.Minute
	// defaultBaseDelay is the first backoff ceiling; later ones double.
	defaultBaseDelay = 500 * time.Millisecond
	// throttleBodyLimit is how much of a 429 body is read looking for "try again in N seconds".
	throttleBodyLimit = 4 << 10
	// drainLimit is how much of a discarded body is read so the connection can be reused.
	drainLimit = 64 << 10
)

// Options configures a Client. The zero value is usable: 30 s per attempt, 4 attempts, no rate
// limit, no concurrency cap, waits capped at 2 minutes, no logging.
type Options struct {
	// Timeout bounds one attempt, from sending the request to closing its response body;
	// default 30s. The caller's context bounds the whole call including retries and waits.
	Timeout time.Duration
	// MaxAttempts is the number of attempts including the first; default 4; 1 disables retries.
	MaxAttempts int
	// RatePerMinute limits the requests (attempts, retries included) started in any sliding
	// 60 s window; 0 means no limit. The limiter lets a tenth of the limit start at once and
	// spreads the rest, so the sustained rate is 90% of the limit and the limit itself is never
	// exceeded (see limiterParams).
	RatePerMinute int
	// Budget, when set, is waited on before every attempt instead of the RatePerMinute limiter:
	// a limit kept elsewhere, such as a callbudget.Budget shared by every process that calls
	// the same account (with windows per minute and per hour). RatePerMinute is then ignored.
	Budget Budget
	// MaxConcurrent caps the attempts in flight at once (a slot is held until the response body
	// is closed or read to its end); 0 means no cap.
	MaxConcurrent int
	// MaxRetryWait caps a single backoff wait; default 2m. A Retry-After longer than this (or
	// longer than the caller's context has left) is not waited out: Do returns KindRetryable
	// with RetryAfter set at once, so the host can schedule the retry. After a 429 with
	// Retry-After, every call of the client waits (or fails fast the same way) until that
	// time has passed.
	MaxRetryWait time.Duration
	// Redact lists secret strings (keys, tokens, passwords) that must never appear in logs or
	// error messages, in addition to the values of secret-looking query parameters.
	Redact []string
	// Logger receives one Debug line per attempt and per retry; nil discards.
	Logger hclog.Logger
	// Transport sends the requests; default a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// UserAgent, when set, is sent on requests that carry no User-Agent of their own.
	UserAgent string
}

// Budget gates call starts: Wait returns when one more call may start (and counts it), or an
// error when ctx ends first or the budget cannot be kept.
type Budget interface {
	Wait(ctx context.Context) error
}

// Stats are counters of a Client's activity since New.
type Stats struct {
	// Calls is the number of HTTP requests sent (every attempt counts).
	Calls int64
	// Retries is the number of attempts that followed a failed one.
	Retries int64
	// Throttled is the number of 429 responses received.
	Throttled int64
}

// Client sends HTTP requests with retries, rate limiting and typed errors. It is safe for
// concurrent use; create one per connector instance so its limits apply to that instance.
type Client struct {
	hc          *http.Client
	traceable   bool // transport is *http.Transport, which calls the GotConn trace hook
	timeout     time.Duration
	maxAttempts int
	maxWait     time.Duration
	baseDelay   time.Duration
	userAgent   string
	log         hclog.Logger
	red         *redactor
	lim         *startLimiter

	calls, retries, throttled atomic.Int64

	pauseMu    sync.Mutex
	pauseUntil time.Time // set by a 429's Retry-After: no attempt starts before it
}

// New returns a Client for the options, applying the defaults documented on Options.
func New(o Options) *Client {
	return newClient(o, time.Minute)
}

// newClient is New with the rate-limit window as a parameter, so tests can check the limiter
// against a short window.
func newClient(o Options, window time.Duration) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.MaxRetryWait <= 0 {
		o.MaxRetryWait = DefaultMaxRetryWait
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	tr := o.Transport
	if tr == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = dt.Clone()
		} else {
			tr = http.DefaultTransport
		}
	}
	_, traceable := tr.(*http.Transport)
	return &Client{
		hc: &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		traceable:   traceable,
		timeout:     o.Timeout,
		maxAttempts: o.MaxAttempts,
		maxWait:     o.MaxRetryWait,
		baseDelay:   defaultBaseDelay,
		userAgent:   o.UserAgent,
		log:         o.Logger,
		red:         newRedactor(o.Redact),
		lim:         newStartLimiter(o.RatePerMinute, o.MaxConcurrent, window, o.Budget),
	}
}

// Calls returns how many HTTP requests were sent (every attempt counts), for "calls per order"
// figures.
func (c *Client) Calls() int64 { return c.calls.Load() }

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{Calls: c.calls.Load(), Retries: c.retries.Load(), Throttled: c.throttled.Load()}
}

// Redact returns s with every Options.Redact string replaced, for connectors that build their
// own messages from values that may hold a secret.
func (c *Client) Redact(s string) string { return c.red.String(s) }

// RedactURL renders u as the client logs it: no user info, secret-looking query values and
// Options.Redact strings replaced.
func (c *Client) RedactURL(u *url.URL) string { return c.red.URL(u) }

// Do sends req, built with http.NewRequestWithContext; a body must be replayable (bytes.Reader,
// bytes.Buffer or strings.Reader, so GetBody is set) for the request to be retried.
//
// Idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) are retried on 429, 502, 503,
// 504 and network errors. Other methods (POST, PATCH) are retried on 429 and on failures before
// the request was sent (DNS, connection refused, no connection obtained); a POST that got a
// 5xx, or whose answer was lost after it was sent (timeout, reset), returns an *sdk.Error of
// KindOutcomeUnknown and no response. Waits honour Retry-After (seconds or HTTP date) and
// otherwise back off exponentially with jitter; they end early when the context does.
//
// Do returns the final *http.Response for any other status, 3xx included (redirects are not
// followed); the caller must close its body (ReadBody does). When retries run out it returns
// *sdk.Error KindRetryable with the last RetryAfter, or KindUnreachable when the host could
// not be reached at all. When the caller's context ends it returns an *sdk.Error (KindRetryable,
// or KindOutcomeUnknown for a POST in flight) that wraps the context's error. Error messages
// carry the method and redacted URL, never headers, bodies or secrets.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req == nil || req.URL == nil {
		return nil, sdk.Errorf(sdk.KindPermanent, "httpclient: request without URL")
	}
	ctx := req.Context()
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	idem := idempotent(method)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	// Secrets and personal data (the e-mail address in ?search=, an OData filter on a name)
	// never reach a log line or an error message.
	where := redact.PersonalURL(c.red.URL(req.URL))
	logPath := redact.PersonalURL(c.red.Path(req.URL))

	for attempt := 1; ; attempt++ {
		if d := c.pauseLeft(); d > 0 {
			if d > c.maxWait || pastDeadline(ctx, d) {
				return nil, &sdk.Error{Kind: sdk.KindRetryable, Code: "http_429", RetryAfter: d,
					Message: fmt.Sprintf("%s %s: not sent, the service is throttling this client for another %s", method, where, d.Round(time.Second))}
			}
			if err := sleep(ctx, d); err != nil {
				return nil, c.ctxError(method, where, err, false)
			}
		}
		release, err := c.lim.acquire(ctx)
		if err != nil {
			return nil, c.ctxError(method, where, err, false)
		}
		areq, cancel, gotConn, err := c.prepare(ctx, req, attempt)
		if err != nil {
			release()
			return nil, err
		}
		start := time.Now()
		c.calls.Add(1)
		resp, err := c.hc.Do(areq)
		elapsed := time.Since(start)
		last := attempt >= c.maxAttempts || !replayable

		if err != nil {
			cancel()
			release()
			cause := unwrapURLError(err)
			reason := redact.PersonalURL(c.red.String(cause.Error()))
			c.log.Debug("http request failed", "method", method, "host", req.URL.Host, "path", logPath,
				"attempt", attempt, "duration", elapsed, "error", reason)
			sent := !dialFailure(cause) && (gotConn.Load() || !c.traceable)
			if ctx.Err() != nil {
				return nil, c.ctxError(method, where, ctx.Err(), sent && !idem)
			}
			if certificateFailure(cause) {
				return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: cause,
					Message: fmt.Sprintf("%s %s: TLS certificate refused: %s", method, where, reason)}
			}
			if sent && !idem {
				return nil, &sdk.Error{Kind: sdk.KindOutcomeUnknown, Err: cause,
					Message: fmt.Sprintf("%s %s: no answer (%s); the request may have been processed, look it up before repeating it", method, where, reason)}
			}
			wait := backoff(c.baseDelay, c.maxWait, attempt)
			if last || pastDeadline(ctx, wait) {
				kind := sdk.KindRetryable
				msg := fmt.Sprintf("%s %s failed after %d attempts: %s", method, where, attempt, reason)
				if dialFailure(cause) {
					kind = sdk.KindUnreachable
					msg = fmt.Sprintf("cannot reach %s (%d attempts): %s", where, attempt, reason)
				}
				return nil, &sdk.Error{Kind: kind, Message: msg, Err: cause}
			}
			c.log.Debug("http retry", "method", method, "host", req.URL.Host, "path", logPath,
				"attempt", attempt, "wait", wait, "reason", reason)
			if err := sleep(ctx, wait); err != nil {
				return nil, c.ctxError(method, where, err, false)
			}
			c.retries.Add(1)
			continue
		}

		status := resp.StatusCode
		c.log.Debug("http request", "method", method, "host", req.URL.Host, "path", logPath,
			"attempt", attempt, "status", status, "duration", elapsed)
		if status == http.StatusTooManyRequests {
			c.throttled.Add(1)
		}
		if !idem && status >= 500 {
			discard(resp.Body)
			cancel()
			release()
			return nil, &sdk.Error{Kind: sdk.KindOutcomeUnknown, Code: fmt.Sprintf("http_%d", status),
				Message: fmt.Sprintf("%s %s: service answered %s; the request may have been processed, look it up before repeating it", method, where, statusText(status))}
		}
		if !(status == http.StatusTooManyRequests || (idem && retryableStatus(status))) {
			resp.Body = &trackedBody{rc: resp.Body, done: func() { cancel(); release() }}
			return resp, nil
		}

		ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !hasRA && status == http.StatusTooManyRequests {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, throttleBodyLimit))
			ra, hasRA = retryAfterFromBody(b)
		}
		discard(resp.Body)
		cancel()
		release()
		if hasRA && status == http.StatusTooManyRequests {
			c.pause(ra)
		}
		wait := backoff(c.baseDelay, c.maxWait, attempt)
		if hasRA {
			wait = ra + retryAfterJitter(ra)
		}
		if last || (hasRA && ra > c.maxWait) || pastDeadline(ctx, wait) {
			e := &sdk.Error{Kind: sdk.KindRetryable, Code: fmt.Sprintf("http_%d", status),
				Message: fmt.Sprintf("%s %s: service answered %s after %d attempts", method, where, statusText(status), attempt)}
			if hasRA {
				e.RetryAfter = ra
				e.Message += fmt.Sprintf("; it asks to wait %s", ra)
			}
			return nil, e
		}
		c.log.Debug("http retry", "method", method, "host", req.URL.Host, "path", logPath,
			"attempt", attempt, "wait", wait, "reason", statusText(status))
		if err := sleep(ctx, wait); err != nil {
			return nil, c.ctxError(method, where, err, false)
		}
		c.retries.Add(1)
	}
}

// prepare builds the request for one attempt: its own timeout context with a trace that records
// whether a connection was obtained, a fresh body for a retry, and the User-Agent.
func (c *Client) prepare(ctx context.Context, req *http.Request, attempt int) (*http.Request, context.CancelFunc, *atomic.Bool, error) {
	gotConn := &atomic.Bool{}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	areq := req.Clone(actx)
	if attempt > 1 && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			cancel()
			return nil, nil, nil, &sdk.Error{Kind: sdk.KindPermanent, Err: err,
				Message: fmt.Sprintf("%s %s: cannot replay the request body", req.Method, c.red.URL(req.URL))}
		}
		areq.Body = b
	}
	if c.userAgent != "" && areq.Header.Get("User-Agent") == "" {
		areq.Header.Set("User-Agent", c.userAgent)
	}
	return areq, cancel, gotConn, nil
}

// pause holds every attempt of this client for d (a 429's Retry-After), so concurrent callers
// do not keep hitting a throttled service.
func (c *Client) pause(d time.Duration) {
	until := time.Now().Add(d)
	c.pauseMu.Lock()
	if until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
	c.pauseMu.Unlock()
}

// pauseLeft returns how much of a pause set by pause remains.
func (c *Client) pauseLeft() time.Duration {
	c.pauseMu.Lock()
	defer c.pauseMu.Unlock()
	return time.Until(c.pauseUntil)
}

// ctxError reports that the caller's context ended. A request possibly in flight with a
// non-idempotent method is KindOutcomeUnknown; otherwise KindRetryable. The context's error
// stays in the chain for errors.Is.
func (c *Client) ctxError(method, where string, err error, maybeSent bool) error {
	if maybeSent {
		return &sdk.Error{Kind: sdk.KindOutcomeUnknown, Err: err,
			Message: fmt.Sprintf("%s %s: interrupted (%v) after sending; the request may have been processed, look it up before repeating it", method, where, err)}
	}
	return &sdk.Error{Kind: sdk.KindRetryable, Err: err,
		Message: fmt.Sprintf("%s %s: %v", method, where, err)}
}

// pastDeadline reports whether waiting d would outlast ctx's deadline: then the wait is
// pointless and Do reports the failure at once (with RetryAfter) instead of sleeping into a
// context error.
func pastDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d
}

// unwrapURLError drops net/http's *url.Error, whose message contains the full, unredacted URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// statusText renders "503 Service Unavailable".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("%d", code)
}

// discard reads a little of a body so the connection can be reused, and closes it.
func discard(rc io.ReadCloser) {
	if rc == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, drainLimit))
	_ = rc.Close()
}

// trackedBody releases an attempt's timeout and concurrency slot when the body is closed or
// read to its end.
type trackedBody struct {
	rc   io.ReadCloser
	once sync.Once
	done func()
}

// Read implements io.Reader.
func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.once.Do(b.done)
	}
	return n, err
}

// Close implements io.Closer.
func (b *trackedBody) Close() error {
	err := b.rc.Close()
	b.once.Do(b.done)
	return err
}
