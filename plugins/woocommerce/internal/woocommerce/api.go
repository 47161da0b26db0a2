package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// apiPrefix is the path of the REST API v3 below the WordPress address; restNamespace is its
// route (what ?rest_route= takes).
const (
	apiPrefix     = "/wp-json" + restNamespace
	restNamespace = "/wc/v3"
)

// bodyLimit caps one response (a page of 100 rich orders is about 1 MB).
const bodyLimit = 32 << 20

// api sends requests to one store's REST API through httpclient (retries, rate limit,
// redaction); authentication is added per attempt by the client's transport.
type api struct {
	base *url.URL // the WordPress address, without trailing slash
	auth string   // resolved auth mode, for hints in messages
	hc   *httpclient.Client
	// restRoute is set once the store turned out to have Plain permalinks (/wp-json/...
	// answered with a redirect to the home page): every request then goes to
	// ?rest_route=/wc/v3/... instead (api_diagnose.go).
	restRoute atomic.Bool
}

// endpoint is the full URL of an API path ("/orders") with the query.
func (a *api) endpoint(path string, q url.Values) *url.URL {
	u := *a.base
	u.RawPath = ""
	if a.restRoute.Load() {
		u.Path = strings.TrimRight(a.base.Path, "/") + "/"
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("rest_route", restNamespace+path)
		u.RawQuery = qq.Encode()
		return &u
	}
	u.Path = strings.TrimRight(a.base.Path, "/") + apiPrefix + path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return &u
}

// route names an API path in messages as it is requested: "/wp-json/wc/v3/orders", or
// "?rest_route=/wc/v3/orders" with Plain permalinks; never empty.
func (a *api) route(path string) string {
	if a.restRoute.Load() {
		return "?rest_route=" + restNamespace + path
	}
	return apiPrefix + path
}

// apiReply is a successful answer.
type apiReply struct {
	Body   []byte
	Header http.Header
}

// get sends GET path?q and returns the body of a 2xx answer; anything else is an *sdk.Error.
func (a *api) get(ctx context.Context, path string, q url.Values) (apiReply, error) {
	return a.do(ctx, http.MethodGet, path, q, nil)
}

// post sends POST path with a JSON body.
func (a *api) post(ctx context.Context, path string, body any) (apiReply, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return apiReply{}, sdk.Errorf(sdk.KindPermanent, "POST %s: encode request: %v", a.route(path), err)
	}
	return a.do(ctx, http.MethodPost, path, nil, b)
}

// do sends one request and maps every failure to an *sdk.Error.
func (a *api) do(ctx context.Context, method, path string, q url.Values, body []byte) (apiReply, error) {
	u := a.endpoint(path, q)
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, u.String(), rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u.String(), nil)
	}
	if err != nil {
		return apiReply{}, sdk.Errorf(sdk.KindConfig, "%s %s: %v", method, a.route(path), a.hc.Redact(err.Error()))
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return apiReply{}, err
	}
	b, err := httpclient.ReadBody(resp, bodyLimit)
	if err != nil {
		return apiReply{}, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return apiReply{Body: b, Header: resp.Header}, nil
	}
	if a.plainPermalinks(resp) {
		// Plain permalinks: the same request through ?rest_route= (once; the mode stays).
		return a.do(ctx, method, path, q, body)
	}
	serr := a.statusError(method, path, resp, b)
	return apiReply{}, a.explainAuth(ctx, serr)
}

// statusError maps a non-2xx answer: 3xx names the redirect target (KindUnreachable); 401/403
// are bad keys or missing rights (KindAuth, never the key values); 404 KindNotFound; 5xx
// KindRetryable; any other 4xx KindPermanent with WooCommerce's code and message.
func (a *api) statusError(method, path string, resp *http.Response, body []byte) error {
	st := resp.StatusCode
	var we wcError
	_ = json.Unmarshal(body, &we)
	code := a.hc.Redact(we.Code) // a shop may echo anything there, a secret too
	msg := a.hc.Redact(strings.TrimSpace(we.Message))
	what := method + " " + a.route(path)
	switch {
	case st >= 300 && st < 400:
		loc := resp.Header.Get("Location")
		if lu, err := resp.Request.URL.Parse(loc); err == nil && loc != "" {
			stripQuery(lu)
			loc = a.hc.RedactURL(lu)
		} else {
			loc = a.hc.Redact(loc) // not a URL: still never echo a secret
		}
		if loc == "" {
			loc = "(no Location given)"
		}
		return &sdk.Error{Kind: sdk.KindUnreachable, Code: fmt.Sprintf("http_%d", st),
			Message: fmt.Sprintf("%s: %s redirects (%d) to %s; set url to the address the shop really answers on%s", what, a.hc.RedactURL(a.base), st, loc, a.permalinkHint())}
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		return &sdk.Error{Kind: sdk.KindAuth, Code: code, Message: what + ": " + authMessage(code, msg, a.auth, method)}
	case st == http.StatusNotFound:
		if msg == "" {
			msg = "not found"
		}
		return &sdk.Error{Kind: sdk.KindNotFound, Code: code, Message: what + ": " + msg}
	case st >= 500 || st == http.StatusTooManyRequests:
		if msg == "" {
			msg = http.StatusText(st)
		}
		return &sdk.Error{Kind: sdk.KindRetryable, Code: nonEmpty(code, fmt.Sprintf("http_%d", st)),
			Message: fmt.Sprintf("%s: WooCommerce answered %d: %s", what, st, msg)}
	default:
		if msg == "" {
			msg = http.StatusText(st)
		}
		if len(we.Data.Params) > 0 {
			var ps []string
			for k, v := range we.Data.Params {
				ps = append(ps, k+": "+a.hc.Redact(scalarText(v)))
			}
			sort.Strings(ps)
			msg += " (" + strings.Join(ps, "; ") + ")"
		}
		return &sdk.Error{Kind: sdk.KindPermanent, Code: nonEmpty(code, fmt.Sprintf("http_%d", st)),
			Message: fmt.Sprintf("%s: WooCommerce refused the request (%d): %s", what, st, msg)}
	}
}

// authMessage explains a 401/403 to a bookkeeper, naming the setting to fix.
func authMessage(code, msg, auth, method string) string {
	lower := strings.ToLower(msg)
	var hint string
	switch {
	case strings.Contains(lower, "consumer key is invalid") || strings.Contains(lower, "consumer key is missing"):
		hint = "WooCommerce does not accept the consumer_key: bad API key (check WooCommerce > Settings > Advanced > REST API)"
	case strings.Contains(lower, "signature") || strings.Contains(lower, "consumer secret is invalid"):
		hint = "the consumer_secret does not belong to the consumer_key: bad API keys"
	case strings.Contains(lower, "permissions"):
		if method == http.MethodGet {
			hint = "the API key has no read permission; give it Read or Read/Write"
		} else {
			hint = "the API key has no write permission; give it Read/Write"
		}
	case strings.Contains(lower, "timestamp") || strings.Contains(lower, "nonce"):
		hint = "the OAuth request was refused (clock of this computer and the shop differ by more than 15 minutes?)"
	case code == "woocommerce_rest_cannot_view" || code == "woocommerce_rest_cannot_edit" || code == "woocommerce_rest_cannot_create":
		hint = "WooCommerce did not recognise the API keys or the key's user lacks the right (bad keys, or a key of a user without shop-manager rights)"
		if auth == authBasic {
			hint += `; if the keys are right, the web server may strip the Authorization header: try auth = "query"`
		}
	default:
		hint = "WooCommerce refused the API keys: bad consumer_key or consumer_secret"
	}
	if msg != "" {
		if code != "" {
			return fmt.Sprintf("%s (WooCommerce: %s: %s)", hint, code, msg)
		}
		return fmt.Sprintf("%s (WooCommerce: %s)", hint, msg)
	}
	return hint
}

// stripQuery drops a URL's query (a redirect's Location may repeat our parameters).
func stripQuery(u *url.URL) { u.RawQuery, u.ForceQuery = "", false }

// nonEmpty returns a, or b when a is empty.
func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// decodeJSON unmarshals a reply, mapping a body that is not the expected JSON to KindPermanent.
func decodeJSON(what string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return &sdk.Error{Kind: sdk.KindPermanent, Err: err,
			Message: fmt.Sprintf("%s: the answer is not the JSON WooCommerce sends: %v", what, err)}
	}
	return nil
}
