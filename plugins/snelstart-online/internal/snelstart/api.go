package snelstart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
	"golang.org/x/sync/errgroup"
)

// api sends authenticated calls to the B2B API and maps failures to *sdk.Error.
type api struct {
	http   *httpclient.Client
	base   string // e.g. https://b2bapi.snelstart.nl/v2, without trailing slash
	subKey string
	tokens *tokenSource
}

// call describes one API call.
type call struct {
	method string
	// path is relative to the base URL, starting with "/"; query is appended as is.
	path  string
	query query
	// body is marshalled as JSON when not nil.
	body any
	// what names the object for messages ("the sales order", "customer 1043").
	what string
	// roles tells which address an address error refers to (sales orders).
	roles addressRoles
}

// maxBody caps a response body (a page of 500 relaties is far below it).
const maxBody = 64 << 20

// do sends c and decodes a 2xx JSON answer into out (when out is not nil). A 401 drops the
// token and repeats the call once with a fresh one.
func (a *api) do(ctx context.Context, c call, out any) error {
	var payload []byte
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: "cannot encode " + c.what + ": " + err.Error()}
		}
		payload = b
	}
	u := a.base + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.encode()
	}
	for attempt := 1; ; attempt++ {
		tok, err := a.tokens.Token(ctx)
		if err != nil {
			return err
		}
		var rd *bytes.Reader
		if payload != nil {
			rd = bytes.NewReader(payload)
		}
		var req *http.Request
		if rd != nil {
			req, err = http.NewRequestWithContext(ctx, c.method, u, rd)
		} else {
			req, err = http.NewRequestWithContext(ctx, c.method, u, nil)
		}
		if err != nil {
			return sdk.Errorf(sdk.KindConfig, "the base_url does not make a valid URL for %s", c.path)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Ocp-Apim-Subscription-Key", a.subKey)
		req.Header.Set("Accept", "application/json")
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := a.http.Do(req)
		if err != nil {
			return a.transportError(c, err)
		}
		body, err := httpclient.ReadBody(resp, maxBody)
		if err != nil {
			if c.method == http.MethodPost && sdk.KindOf(err) == sdk.KindRetryable {
				return &sdk.Error{Kind: sdk.KindOutcomeUnknown, Err: err,
					Message: fmt.Sprintf("the answer to creating %s was lost; it may have been created: look it up before creating it again", c.what)}
			}
			return err
		}
		st := resp.StatusCode
		switch {
		case st >= 200 && st < 300:
			if out == nil || len(bytes.TrimSpace(body)) == 0 {
				return nil
			}
			if err := json.Unmarshal(body, out); err != nil {
				kind := sdk.KindRetryable
				if c.method == http.MethodPost {
					kind = sdk.KindOutcomeUnknown
				}
				return &sdk.Error{Kind: kind, Err: err,
					Message: fmt.Sprintf("SnelStart's answer for %s could not be read: %v", c.what, err)}
			}
			return nil
		case st == http.StatusUnauthorized && attempt == 1:
			a.tokens.Invalidate(tok)
			continue
		}
		return a.statusError(c, st, resp.Header.Get("Location"), body)
	}
}

// statusError maps a non-2xx answer to an *sdk.Error.
func (a *api) statusError(c call, st int, location string, body []byte) error {
	// Secrets go before the body is read: its texts are cut to 200 characters, and a cut
	// secret would no longer be recognised by the redaction of the message below.
	errs := parseErrorBody([]byte(a.http.Redact(string(body))))
	code := fmt.Sprintf("http_%d", st)
	switch {
	case st == http.StatusUnauthorized:
		msg := "the koppelsleutel or subscription key was refused by SnelStart"
		for _, e := range errs {
			if strings.Contains(strings.ToLower(e.Message), "subscription key") {
				msg = "the subscription key was refused by SnelStart (invalid, or its 90-day test period ended)"
			}
		}
		return &sdk.Error{Kind: sdk.KindAuth, Code: code, Message: msg + "; check client_key and subscription_key in the profile"}
	case st == http.StatusForbidden:
		scope := scopeFor(c.method, c.path)
		msg := fmt.Sprintf("the koppelsleutel has no right to %s (scope %s is missing); grant it in SnelStart Web", verbFor(c.method, c.what), scope)
		for _, e := range errs {
			if strings.Contains(strings.ToLower(e.Message), "quota") {
				msg = "SnelStart's call quota for this subscription is used up: " + shorten(a.http.Redact(e.Message), 200)
				return &sdk.Error{Kind: sdk.KindRetryable, Code: code, Message: msg}
			}
		}
		return &sdk.Error{Kind: sdk.KindAuth, Code: code, Message: msg}
	case st == http.StatusNotFound:
		return &sdk.Error{Kind: sdk.KindNotFound, Code: code, Message: fmt.Sprintf("%s was not found in SnelStart", c.what)}
	case st >= 300 && st < 400:
		return &sdk.Error{Kind: sdk.KindUnreachable, Code: code,
			Message: fmt.Sprintf("the SnelStart API URL redirects to %s; check base_url", a.http.Redact(location))}
	case st == http.StatusTooManyRequests:
		// Nothing was processed: a throttled create is safe to repeat.
		return &sdk.Error{Kind: sdk.KindRetryable, Code: code, Message: fmt.Sprintf("SnelStart throttled %s; try again later", verbFor(c.method, c.what))}
	case st >= 500:
		if c.method == http.MethodPost {
			return &sdk.Error{Kind: sdk.KindOutcomeUnknown, Code: code,
				Message: fmt.Sprintf("SnelStart answered %d to %s; it may have been created: look it up before creating it again", st, verbFor(c.method, c.what))}
		}
		return &sdk.Error{Kind: sdk.KindRetryable, Code: code, Message: fmt.Sprintf("SnelStart answered %d for %s; try again later", st, verbFor(c.method, c.what))}
	}
	scode, msg := explainAll(errs, c.roles)
	scode = a.http.Redact(scode)
	if scode == "" {
		scode = code
	}
	if len(errs) == 0 {
		msg = fmt.Sprintf("SnelStart answered %d without a reason", st)
	}
	return &sdk.Error{Kind: sdk.KindPermanent, Code: scode,
		Message: fmt.Sprintf("SnelStart refused %s: %s", verbFor(c.method, c.what), a.http.Redact(msg))}
}

// verbFor renders "creating the sales order", "reading article 12".
func verbFor(method, what string) string {
	switch method {
	case http.MethodPost:
		return "creating " + what
	case http.MethodPut:
		return "updating " + what
	case http.MethodDelete:
		return "deleting " + what
	}
	return "reading " + what
}

// transportError adds what was being done to an error from httpclient.Do.
func (a *api) transportError(c call, err error) error {
	var se *sdk.Error
	if !errors.As(err, &se) {
		return &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: verbFor(c.method, c.what) + ": " + a.http.Redact(err.Error())}
	}
	out := *se
	switch se.Kind {
	case sdk.KindOutcomeUnknown:
		out.Message = fmt.Sprintf("the answer to %s was lost; it may have been created: look it up before creating it again (%s)", verbFor(c.method, c.what), se.Message)
	default:
		out.Message = verbFor(c.method, c.what) + ": " + se.Message
	}
	return &out
}

// get is do for a GET without body.
func (a *api) get(ctx context.Context, path string, q query, what string, out any) error {
	return a.do(ctx, call{method: http.MethodGet, path: path, query: q, what: what}, out)
}

// list pages through an OData list endpoint with $top/$skip, calling yield per element, and
// stops after a page shorter than pageSize (SnelStart returns no count or next link).
func list[T any](ctx context.Context, a *api, path, filter string, pageSize int, what string, yield func(T) error) error {
	for page := 0; page < maxPages; page++ {
		var items []T
		if err := a.get(ctx, path, pageQuery(filter, pageSize, page*pageSize), what, &items); err != nil {
			return err
		}
		for _, it := range items {
			if err := yield(it); err != nil {
				return err
			}
		}
		if len(items) < pageSize {
			return nil
		}
	}
	return sdk.Errorf(sdk.KindPermanent, "listing %s: more than %d pages; SnelStart seems to ignore $skip", what, maxPages)
}

// listAll collects a paged listing.
func listAll[T any](ctx context.Context, a *api, path, filter string, pageSize int, what string) ([]T, error) {
	var out []T
	err := list(ctx, a, path, filter, pageSize, what, func(t T) error {
		out = append(out, t)
		return nil
	})
	return out, err
}

// listAllEach collects the paged listings of several filters of one look-up (a batch of
// references or codes split so each request line stays short) at the same time, so the look-up
// takes one round trip instead of one per filter; the client still holds the calls at once to
// max_concurrent. Each filter's items are in its own slice, in the order of filters. The first
// error ends the other listings and is returned.
func listAllEach[T any](ctx context.Context, a *api, path string, filters []string, pageSize int, what string) ([][]T, error) {
	out := make([][]T, len(filters))
	g, gctx := errgroup.WithContext(ctx)
	for i, f := range filters {
		g.Go(func() error {
			items, err := listAll[T](gctx, a, path, f, pageSize, what)
			out[i] = items
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
