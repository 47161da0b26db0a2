package snelstart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// renewBefore is how long before its expiry a cached token is replaced.
const renewBefore = time.Minute

// maxTokenLifetime caps the lifetime a token answer may claim (SnelStart's last an hour).
const maxTokenLifetime = 24 * time.Hour

// defaultTokenLifetime is assumed when the token answer has no usable expires_in (none, not a
// number, or not longer than renewBefore).
const defaultTokenLifetime = 3599 * time.Second

// tokenSource fetches and caches the bearer token of one administration
// (grant_type=clientkey at the token URL). It is safe for concurrent use: one fetch runs at a
// time and the others wait for its result.
type tokenSource struct {
	http      *httpclient.Client
	url       string
	clientKey string
	now       func() time.Time

	// lock is a one-slot semaphore (a channel, so waiting honours the context).
	lock    chan struct{}
	mu      sync.Mutex
	token   string
	expires time.Time

	fetches atomic.Int64
}

// newTokenSource returns a token source; now is the clock (time.Now when nil).
func newTokenSource(c *httpclient.Client, tokenURL, clientKey string, now func() time.Time) *tokenSource {
	if now == nil {
		now = time.Now
	}
	return &tokenSource{http: c, url: tokenURL, clientKey: clientKey, now: now, lock: make(chan struct{}, 1)}
}

// cached returns the cached token when it is valid for more than renewBefore.
func (t *tokenSource) cached() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.now().Before(t.expires.Add(-renewBefore)) {
		return t.token, true
	}
	return "", false
}

// Token returns a valid bearer token, fetching a new one when none is cached or the cached one
// expires within a minute.
func (t *tokenSource) Token(ctx context.Context) (string, error) {
	if tok, ok := t.cached(); ok {
		return tok, nil
	}
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return "", &sdk.Error{Kind: sdk.KindRetryable, Err: ctx.Err(), Message: "waiting for a SnelStart token: " + ctx.Err().Error()}
	}
	defer func() { <-t.lock }()
	if tok, ok := t.cached(); ok { // another caller fetched it meanwhile
		return tok, nil
	}
	tok, life, err := t.fetch(ctx)
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	t.token, t.expires = tok, t.now().Add(life)
	t.mu.Unlock()
	return tok, nil
}

// Invalidate drops the cached token if it is still tok (so a token already renewed by another
// caller is kept).
func (t *tokenSource) Invalidate(tok string) {
	t.mu.Lock()
	if t.token == tok {
		t.token = ""
	}
	t.mu.Unlock()
}

// fetch runs the clientkey grant.
func (t *tokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	t.fetches.Add(1)
	form := "grant_type=clientkey&clientkey=" + escapeQueryValue(t.clientKey)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, strings.NewReader(form))
	if err != nil {
		return "", 0, sdk.Errorf(sdk.KindConfig, "the auth_url is not a valid URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := t.http.Do(req)
	if err != nil {
		return "", 0, tokenTransportError(err)
	}
	body, err := httpclient.ReadBody(resp, 1<<20)
	if err != nil {
		return "", 0, err
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return "", 0, &sdk.Error{Kind: sdk.KindUnreachable, Code: fmt.Sprintf("http_%d", resp.StatusCode),
			Message: fmt.Sprintf("the SnelStart token URL redirects to %s; check auth_url", t.http.Redact(resp.Header.Get("Location")))}
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		var oe oauthError
		_ = json.Unmarshal(body, &oe)
		msg := "the koppelsleutel (client_key) was refused by SnelStart"
		if oe.Error != "" {
			msg += " (" + t.http.Redact(oe.Error) + ")"
		}
		return "", 0, &sdk.Error{Kind: sdk.KindAuth, Code: oe.Error, Message: msg + "; create a new koppelsleutel in SnelStart Web and update the profile"}
	case resp.StatusCode == http.StatusNotFound:
		return "", 0, &sdk.Error{Kind: sdk.KindUnreachable, Code: "http_404",
			Message: "the SnelStart token URL answered 404 Not Found; check auth_url"}
	case resp.StatusCode >= 500:
		return "", 0, &sdk.Error{Kind: sdk.KindRetryable, Code: fmt.Sprintf("http_%d", resp.StatusCode),
			Message: fmt.Sprintf("the SnelStart token service answered %d; try again later", resp.StatusCode)}
	case resp.StatusCode != http.StatusOK:
		return "", 0, &sdk.Error{Kind: sdk.KindPermanent, Code: fmt.Sprintf("http_%d", resp.StatusCode),
			Message: fmt.Sprintf("the SnelStart token service answered %d", resp.StatusCode)}
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return "", 0, sdk.Errorf(sdk.KindRetryable, "the SnelStart token service gave an answer without an access token")
	}
	life := defaultTokenLifetime
	if secs, err := tr.ExpiresIn.Int64(); err == nil && secs > int64(renewBefore/time.Second) {
		// Capped, so that a huge expires_in cannot overflow into a negative lifetime.
		life = time.Duration(min(secs, int64(maxTokenLifetime/time.Second))) * time.Second
	}
	// A lifetime of renewBefore or less is not usable either: such a token would never be
	// cached and every call would fetch a new one. It is kept for the default lifetime; should it
	// really end sooner, the 401 that follows makes the caller fetch a new one.
	return tr.AccessToken, life, nil
}

// tokenTransportError classifies a failed token call. The grant is safe to repeat, so an
// "outcome unknown" answer is only retryable; a host that cannot be reached is unreachable.
func tokenTransportError(err error) error {
	var se *sdk.Error
	if !errors.As(err, &se) {
		return &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: "SnelStart token request failed"}
	}
	out := *se
	out.Message = "SnelStart token request: " + se.Message
	var dns *net.DNSError
	var op *net.OpError
	if errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") {
		out.Kind = sdk.KindUnreachable
		return &out
	}
	if out.Kind == sdk.KindOutcomeUnknown {
		out.Kind = sdk.KindRetryable
	}
	return &out
}
