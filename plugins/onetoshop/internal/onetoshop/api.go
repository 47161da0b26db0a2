package onetoshop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// UserAgent is sent on every request.
const UserAgent = "koppel-plugin-onetoshop"

// bodyLimit caps one answer (a page of 100 orders is far below it).
const bodyLimit = 16 << 20

// api sends the calls of API.md and turns answers into values or *sdk.Error.
type api struct {
	set  settings
	http *httpclient.Client
}

func newAPI(set settings, log hclog.Logger, transport http.RoundTripper) *api {
	return &api{set: set, http: httpclient.New(httpclient.Options{
		Timeout:       set.timeout,
		RatePerMinute: set.ratePerMinute,
		MaxConcurrent: set.maxConcurrent,
		Redact:        []string{set.token},
		Logger:        log,
		Transport:     transport,
		UserAgent:     UserAgent,
	})}
}

// call sends method path?q with an optional JSON body and decodes a 2xx JSON answer into out
// (when not nil). Everything else is an *sdk.Error (see apiError).
func (a *api) call(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: fmt.Sprintf("%s %s: encode request: %v", method, path, err)}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.set.endpoint(path, q), rd)
	if err != nil {
		return &sdk.Error{Kind: sdk.KindConfig, Err: err, Message: fmt.Sprintf("%s %s: build request: %s", method, path, a.http.Redact(err.Error()))}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.EqualFold(a.set.authHeader, "Authorization") {
		req.Header.Set("Authorization", "Bearer "+a.set.token)
	} else {
		req.Header.Set(a.set.authHeader, a.set.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	b, err := httpclient.ReadBody(resp, bodyLimit)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return a.apiError(method, req.URL, resp, b)
	}
	if out == nil {
		return nil
	}
	if !looksJSON(resp.Header.Get("Content-Type"), b) {
		return sdk.Errorf(sdk.KindConfig, "%s %s answered %s that is not JSON (an HTML page?): check that url is the shop's address and base_path (%q) its API path",
			method, a.http.RedactURL(req.URL), describeType(resp.Header.Get("Content-Type")), a.set.base.Path)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &sdk.Error{Kind: sdk.KindPermanent, Err: err,
			Message: fmt.Sprintf("%s %s: the answer does not have the shape koppel expects (API.md): %v", method, a.http.RedactURL(req.URL), a.http.Redact(err.Error()))}
	}
	return nil
}

// apiError classifies a non-2xx answer:
//
//	3xx      KindUnreachable, naming the target (the URL must reach the shop directly)
//	401/403  KindAuth
//	404      KindNotFound (the caller decides whether that means a wrong base_path)
//	400/409/413/422 KindPermanent with the shop's code
//	429/5xx  KindRetryable (httpclient has already retried)
func (a *api) apiError(method string, u *url.URL, resp *http.Response, body []byte) error {
	where := a.http.RedactURL(u)
	status := resp.StatusCode
	code, msg := decodeError(body)
	code, msg = a.http.Redact(code), a.http.Redact(msg) // a shop may echo anything, the token too
	if code == "" {
		code = fmt.Sprintf("http_%d", status)
	}
	switch {
	case status >= 300 && status < 400:
		target := resp.Header.Get("Location")
		if loc, err := u.Parse(target); err == nil && target != "" {
			target = a.http.RedactURL(loc)
		} else {
			target = a.http.Redact(target) // not a URL: still never echo the token
		}
		if target == "" {
			target = "(no Location given)"
		}
		return &sdk.Error{Kind: sdk.KindUnreachable, Code: code,
			Message: fmt.Sprintf("%s redirects to %s (%d); the url must point straight at the Onetoshop shop, not at a redirect: put the address it redirects to in the profile", where, target, status)}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &sdk.Error{Kind: sdk.KindAuth, Code: code,
			Message: fmt.Sprintf("Onetoshop refused the token (%d%s): make sure the token in the profile is the one entered in the shop's back office, or make a new one with `koppel-plugin-onetoshop token`", status, suffix(msg))}
	case status == http.StatusNotFound:
		return &sdk.Error{Kind: sdk.KindNotFound, Code: code, Message: fmt.Sprintf("%s %s: not found%s", method, where, suffix(msg))}
	case status == http.StatusTooManyRequests || status >= 500:
		return &sdk.Error{Kind: sdk.KindRetryable, Code: code, RetryAfter: retryAfter(resp.Header.Get("Retry-After")),
			Message: fmt.Sprintf("%s %s: the shop answered %d%s; try again later", method, where, status, suffix(msg))}
	default:
		return &sdk.Error{Kind: sdk.KindPermanent, Code: code, Message: fmt.Sprintf("%s %s: the shop refused the request (%d)%s", method, where, status, suffix(msg))}
	}
}

// decodeError reads {"error":{"code","message"}}; other bodies give an empty code and a short
// excerpt only when they are plain text.
func decodeError(b []byte) (string, string) {
	var e wireError
	if json.Unmarshal(b, &e) == nil && e.Error != nil {
		return e.Error.Code, e.Error.Message
	}
	return "", ""
}

func suffix(msg string) string {
	if msg == "" {
		return ""
	}
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "") + "..." // not inside a character
	}
	return ": " + msg
}

func retryAfter(h string) time.Duration {
	var secs int
	if _, err := fmt.Sscanf(strings.TrimSpace(h), "%d", &secs); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	return 0
}

func looksJSON(contentType string, b []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "json") {
		return true
	}
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

func describeType(ct string) string {
	if ct == "" {
		return "a body"
	}
	return fmt.Sprintf("%q", ct)
}
