package magento

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// api sends requests to one store's REST API and maps Magento's answers to sdk errors.
type api struct {
	hc     *httpclient.Client
	base   string // scheme://host[/prefix]/rest/<store_code>/V1
	mode   string
	bearer string
	admin  *adminToken
	now    func() time.Time

	skew     atomic.Int64 // server clock minus local clock, from the Date header, in ns
	haveSkew atomic.Bool
}

// serverNow estimates the server's current time from the last Date header seen.
func (a *api) serverNow() time.Time {
	return a.now().Add(time.Duration(a.skew.Load())).UTC()
}

// observeDate records the server's clock from a response.
func (a *api) observeDate(resp *http.Response) {
	if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		a.skew.Store(int64(t.Sub(a.now())))
		a.haveSkew.Store(true)
	}
}

// get sends a GET of path (relative to /V1, already escaped) with query q and decodes a 200
// answer into out.
func (a *api) get(ctx context.Context, path string, q url.Values, out any) error {
	return a.call(ctx, http.MethodGet, path, q, nil, out)
}

// call sends one request. A 2xx answer is decoded into out (when not nil); anything else is an
// *sdk.Error. In admin mode a refused token is renewed once.
func (a *api) call(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	u := a.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return sdk.Errorf(sdk.KindPermanent, "%s %s: encode request: %v", method, path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		var rd *bytes.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		var req *http.Request
		var err error
		if rd != nil {
			req, err = http.NewRequestWithContext(ctx, method, u, rd)
		} else {
			req, err = http.NewRequestWithContext(ctx, method, u, nil)
		}
		if err != nil {
			return sdk.Errorf(sdk.KindConfig, "%s %s: cannot build the request: %v", method, path, redactURLError(err))
		}
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		tok := ""
		switch a.mode {
		case authBearer:
			req.Header.Set("Authorization", "Bearer "+a.bearer)
		case authAdmin:
			if tok, err = a.admin.get(ctx); err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := a.hc.Do(req)
		if err != nil {
			return err
		}
		a.observeDate(resp)
		b, err := httpclient.ReadBody(resp, httpclient.DefaultBodyLimit)
		if err != nil {
			return err
		}
		where := method + " /V1" + path
		if resp.StatusCode == http.StatusUnauthorized && a.mode == authAdmin && attempt == 0 {
			a.admin.invalidate(tok)
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return apiError(resp, b, where, a.hc.Redact)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return &sdk.Error{Kind: sdk.KindPermanent, Err: err,
				Message: fmt.Sprintf("%s: the answer is not the JSON Magento sends (%v)", where, err)}
		}
		return nil
	}
}

// redactURLError drops a *url.Error's URL (it may carry a secret-looking query).
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// errorBody is Magento's error-response.
type errorBody struct {
	Message    string          `json:"message"`
	Parameters json.RawMessage `json:"parameters"`
	Errors     []errorBody     `json:"errors"`
}

// formatMessage fills a Magento message template: %1, %2... from a positional parameters
// array, %name from a parameters object (or from objects inside the array, the shape the
// OpenAPI document declares).
func formatMessage(msg string, params json.RawMessage) (string, map[string]string) {
	named := map[string]string{}
	var positional []string
	str := func(raw json.RawMessage) string {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return strings.TrimSpace(string(raw))
	}
	var obj map[string]json.RawMessage
	var arr []json.RawMessage
	switch {
	case json.Unmarshal(params, &obj) == nil && obj != nil:
		for k, v := range obj {
			named[k] = str(v)
		}
	case json.Unmarshal(params, &arr) == nil:
		for _, v := range arr {
			var inner map[string]json.RawMessage
			if json.Unmarshal(v, &inner) == nil && inner != nil {
				for k, iv := range inner {
					named[k] = str(iv)
				}
				positional = append(positional, "")
				continue
			}
			positional = append(positional, str(v))
		}
	}
	// Fill the placeholders in one pass, longest name first, never looking into inserted text
	// (PHP's strtr, as Magento renders a Phrase): a parameter holding "%1" cannot make the
	// message grow without bound.
	repl := make(map[string]string, len(positional)+len(named))
	for k, v := range named {
		repl["%"+k] = v
	}
	for i, v := range positional {
		repl["%"+strconv.Itoa(i+1)] = v
	}
	keys := make([]string, 0, len(repl))
	for k := range repl {
		if k != "%" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	if len(keys) > maxParams {
		keys = keys[:maxParams]
	}
	var b strings.Builder
	tries := 0
	for i := 0; i < len(msg); {
		if msg[i] == '%' && b.Len() < maxMessage && tries < maxMessage {
			tries++
			if k := longestPrefix(msg[i:], keys); k != "" {
				b.WriteString(repl[k])
				i += len(k)
				continue
			}
		}
		b.WriteByte(msg[i])
		i++
	}
	msg = b.String()
	return msg, named
}

// maxMessage bounds the text placeholders are filled into: past it the template is copied
// as is, so a message stays about as long as the body it came from.
const maxMessage = 4096

// maxParams bounds the placeholders filled (Magento's messages have a handful).
const maxParams = 256

// longestPrefix returns the first of keys (sorted longest first) that s starts with, or "".
func longestPrefix(s string, keys []string) string {
	for _, k := range keys {
		if strings.HasPrefix(s, k) {
			return k
		}
	}
	return ""
}

// describeError renders a Magento error body, nested errors included; ok is false when the
// body is not one.
func describeError(b []byte) (msg string, named map[string]string, ok bool) {
	var e errorBody
	if json.Unmarshal(b, &e) != nil || e.Message == "" {
		return "", nil, false
	}
	msg, named = formatMessage(e.Message, e.Parameters)
	var subs []string
	for _, sub := range e.Errors {
		m, _ := formatMessage(sub.Message, sub.Parameters)
		subs = append(subs, m)
	}
	if len(subs) > 0 {
		msg += ": " + strings.Join(subs, "; ")
	}
	return msg, named, true
}

// apiError maps a non-2xx answer to an *sdk.Error: 3xx is KindUnreachable naming the target,
// 401 and 403 KindAuth (naming the missing ACL resource when Magento does), 404 KindNotFound,
// 500 on a read KindRetryable, other 4xx KindPermanent. redact (the client's Redact) is applied
// to the message, which quotes the answer: a store or a proxy may echo anything, a secret too.
func apiError(resp *http.Response, body []byte, where string, redact func(string) string) *sdk.Error {
	e := mapAPIError(resp, body, where)
	e.Message = redact(e.Message)
	return e
}

// mapAPIError is apiError before redaction.
func mapAPIError(resp *http.Response, body []byte, where string) *sdk.Error {
	status := resp.StatusCode
	code := fmt.Sprintf("http_%d", status)
	if status >= 300 && status < 400 {
		loc := resp.Header.Get("Location")
		if lu, err := url.Parse(loc); err == nil {
			lu.User, lu.RawQuery = nil, ""
			loc = lu.String()
		}
		return &sdk.Error{Kind: sdk.KindUnreachable, Code: code,
			Message: fmt.Sprintf("%s: the store URL redirects (%d) to %s; set url to the address it redirects to", where, status, loc)}
	}
	msg, named, ok := describeError(body)
	if !ok {
		msg = fmt.Sprintf("HTTP %d %s, and the answer is not a Magento REST error (is url the store's base URL?)", status, http.StatusText(status))
	}
	e := &sdk.Error{Kind: sdk.KindPermanent, Code: code, Message: where + ": " + msg}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = sdk.KindAuth
		if r := named["resources"]; r != "" {
			e.Message = fmt.Sprintf("%s: Magento refused the request: the credentials are wrong, or the integration lacks the ACL resource %s (System > Extensions > Integrations > API)", where, r)
		}
	case status == http.StatusNotFound:
		e.Kind = sdk.KindNotFound
	case status >= 500:
		e.Kind = sdk.KindRetryable
	case status == http.StatusBadRequest && strings.Contains(msg, "store that was requested wasn't found"):
		e.Kind = sdk.KindConfig
		e.Message = where + ": Magento does not know this store_code (" + msg + ")"
	}
	return e
}
