package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// idempotent reports whether a method may be repeated without changing the outcome. WebDAV's
// read methods PROPFIND and REPORT (RFC 4918, RFC 3253) count as reads.
func idempotent(method string) bool {
	switch strings.ToUpper(method) {
	case "", http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodTrace, "PROPFIND", "REPORT":
		return true
	}
	return false
}

// retryableStatus reports the statuses worth repeating for an idempotent request.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff returns the wait before attempt n+1 (n counts from 1 for the first retry): equal
// jitter over an exponentially growing ceiling, base·2^(n-1) capped at max; the result lies
// in [ceiling/2, ceiling].
func backoff(base, max time.Duration, n int) time.Duration {
	if base <= 0 {
		base = time.Millisecond
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if max > 0 && d > max {
		d = max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
}

// retryAfterJitter spreads clients released by the same Retry-After a little: up to a tenth of
// the wait, at most a second.
func retryAfterJitter(d time.Duration) time.Duration {
	j := d / 10
	if j > time.Second {
		j = time.Second
	}
	if j <= 0 {
		return 0
	}
	return rand.N(j + 1)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date. It returns false
// when the header is absent or malformed. A date in the past gives zero.
func parseRetryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// apimRetryRe matches Azure API Management's 429 body, "Try again in N seconds.", used when a
// service sends no Retry-After header.
var apimRetryRe = regexp.MustCompile(`(?i)try again in (\d{1,6}) seconds?`)

// retryAfterFromBody reads a wait from a throttling body, or false.
func retryAfterFromBody(b []byte) (time.Duration, bool) {
	m := apimRetryRe.FindSubmatch(b)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// dialFailure reports whether err happened before the request could be sent: DNS resolution
// failed or the connection could not be opened.
func dialFailure(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return false
}

// certificateFailure reports a TLS certificate problem: a configuration error no retry cures.
func certificateFailure(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify)
}

// sleep waits d or until ctx ends, returning ctx's error in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
