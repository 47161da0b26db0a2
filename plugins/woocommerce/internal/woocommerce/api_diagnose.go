package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// Connection problems a real store shows with a cause that the bare answer hides (reference
// A.8b):
//
//   - With the "Plain" permalink setting WordPress has no /wp-json/ path: it answers 301 to the
//     home page. The REST API is still there at ?rest_route=/...; plainPermalinks switches to it.
//   - Over http WooCommerce checks the OAuth signature against its own home URL (Settings >
//     General), not against the address the request came to: a url of http://localhost:8780 for
//     a store whose home is http://127.0.0.1:8780 gets "invalid signature" although the keys are
//     right. explainAuth reads the home URL from the unauthenticated index (GET /wp-json/) and
//     names it.

// plainPermalinks reports whether resp is WordPress's answer to /wp-json/... under Plain
// permalinks (a redirect to the home page), and if so switches the api to ?rest_route=, once.
func (a *api) plainPermalinks(resp *http.Response) bool {
	st := resp.StatusCode
	if st < 300 || st >= 400 || a.restRoute.Load() || resp.Request == nil || resp.Request.URL == nil {
		return false
	}
	if !strings.Contains(resp.Request.URL.Path, "/wp-json") {
		return false
	}
	loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return false
	}
	if strings.Trim(loc.Path, "/") != strings.Trim(a.base.Path, "/") || loc.Query().Has("rest_route") {
		return false
	}
	return a.restRoute.CompareAndSwap(false, true)
}

// permalinkHint is added to a redirect message: what to do when ?rest_route= does not help
// either.
func (a *api) permalinkHint() string {
	if !a.restRoute.Load() {
		return ""
	}
	return " (/wp-json/ redirected to the home page, as WordPress does with Plain permalinks, and ?rest_route= did not work either: " +
		"set Settings > Permalinks in WordPress to anything but \"Plain\", e.g. \"Post name\")"
}

// explainAuth adds the store's home URL to a refused OAuth signature when the profile's url has
// another host, port or path than the home URL: WooCommerce signs with its home URL, so the
// keys may well be right. Other errors come back unchanged.
func (a *api) explainAuth(ctx context.Context, err error) error {
	var se *sdk.Error
	if a.auth != authOAuth1 || !errors.As(err, &se) || se.Kind != sdk.KindAuth || !strings.Contains(strings.ToLower(se.Message), "signature") {
		return err
	}
	home, ok := a.storeHome(ctx)
	if !ok || sameSite(home, a.base) {
		return err
	}
	homeText, urlText := strings.TrimSuffix(a.hc.RedactURL(home), "/"), strings.TrimSuffix(a.hc.RedactURL(a.base), "/")
	return &sdk.Error{Kind: sdk.KindConfig, Code: se.Code, Err: err,
		Message: fmt.Sprintf("WooCommerce refused the OAuth signature because it checks it against its own home URL %s, and url is %s; "+
			"set url = %q in the shop block (the keys may well be right), or change the home URL in WordPress (Settings > General)",
			homeText, urlText, homeText)}
}

// storeHome reads the home URL from the REST index (GET /wp-json/, or ?rest_route=/ with Plain
// permalinks), which needs no authentication.
func (a *api) storeHome(ctx context.Context) (*url.URL, bool) {
	u := *a.base
	u.RawPath = ""
	if a.restRoute.Load() {
		u.Path = strings.TrimRight(a.base.Path, "/") + "/"
		u.RawQuery = url.Values{"rest_route": {"/"}}.Encode()
	} else {
		u.Path = strings.TrimRight(a.base.Path, "/") + "/wp-json/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, false
	}
	req.Header.Set("Accept", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, false
	}
	var idx struct {
		Home string `json:"home"`
		URL  string `json:"url"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&idx) != nil {
		return nil, false
	}
	h, err := url.Parse(strings.TrimSpace(nonEmpty(idx.Home, idx.URL)))
	if err != nil || h.Host == "" {
		return nil, false
	}
	return h, true
}

// sameSite reports whether home and base name the same site for WooCommerce's signature check:
// host (case-insensitive), port (a scheme's default port counts as none) and path. The scheme
// does not count: WooCommerce takes it from the request.
func sameSite(home, base *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
			return p
		}
		return ""
	}
	return strings.EqualFold(home.Hostname(), base.Hostname()) && port(home) == port(base) &&
		strings.Trim(home.Path, "/") == strings.Trim(base.Path, "/")
}
