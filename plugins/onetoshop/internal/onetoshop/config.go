package onetoshop

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// Configuration attribute names.
const (
	attrURL           = "url"
	attrToken         = "token"
	attrBasePath      = "base_path"
	attrAuthHeader    = "auth_header"
	attrPageSize      = "page_size"
	attrStatuses      = "statuses"
	attrTimeout       = "timeout"
	attrOverlap       = "overlap"
	attrRatePerMinute = "rate_per_minute"
	attrMaxConcurrent = "max_concurrent"
)

// Defaults of the configuration (API.md, section "Configuration").
const (
	DefaultBasePath      = "/api/v1"
	DefaultAuthHeader    = "Authorization"
	DefaultPageSize      = 100
	MaxPageSize          = 100
	DefaultTimeout       = 30 * time.Second
	DefaultOverlap       = 10 * time.Minute
	DefaultRatePerMinute = 300
	DefaultMaxConcurrent = 4
)

// DefaultStatuses are the order statuses imported when neither the profile nor the query
// names any: the orders that are paid, whatever happened to them since.
var DefaultStatuses = []string{"paid", "processing", "shipped", "completed"}

// Schema returns the configuration the Onetoshop plugin accepts in a profile's shop block.
// Only url and token are required; the rest has defaults matching API.md, so a real shop that
// differs from the assumed contract needs a configuration change, not a code change.
func Schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: attrURL, Type: sdk.TypeString, Required: true,
			Description: "Web address of the shop (S-Connect's \"Webadres\"), e.g. https://www.mijnwinkel.nl or https://www.mijnwinkel.nl/winkel. It must reach the Onetoshop shop directly: a redirect is an error."},
		{Name: attrToken, Type: sdk.TypeString, Required: true, Sensitive: true,
			Description: "API token: make one with `koppel-plugin-onetoshop token` and enter the same value in the Onetoshop back office."},
		{Name: attrBasePath, Type: sdk.TypeString, Default: sdk.MustDefault(DefaultBasePath),
			Description: "Path of the REST API below url (assumed /api/v1; change it if the shop serves the API elsewhere)."},
		{Name: attrAuthHeader, Type: sdk.TypeString, Default: sdk.MustDefault(DefaultAuthHeader),
			Description: "HTTP header that carries the token. With Authorization the value is \"Bearer <token>\"; with any other header (e.g. X-Api-Token) it is the bare token."},
		{Name: attrPageSize, Type: sdk.TypeNumber, Default: sdk.MustDefault(DefaultPageSize),
			Description: "Orders and products per request, 1 to 100."},
		{Name: attrStatuses, Type: sdk.TypeStringList, Default: sdk.MustDefault(DefaultStatuses),
			Description: "Order statuses that are imported (\"any\" lists every status)."},
		{Name: attrTimeout, Type: sdk.TypeDuration, Default: sdk.MustDefault(DefaultTimeout.String()),
			Description: "Time limit for one HTTP request to the shop."},
		{Name: attrOverlap, Type: sdk.TypeDuration, Default: sdk.MustDefault(DefaultOverlap.String()),
			Description: "When resuming, orders and products modified this long before the stored position are read again, so changes saved late are not missed; the host removes the repeats."},
		{Name: attrRatePerMinute, Type: sdk.TypeNumber, Default: sdk.MustDefault(DefaultRatePerMinute),
			Description: "Most requests started per minute (0 = no limit)."},
		{Name: attrMaxConcurrent, Type: sdk.TypeNumber, Default: sdk.MustDefault(DefaultMaxConcurrent),
			Description: "Most requests in flight at once (stock writes and SKU look-ups run in parallel up to this)."},
	}}
}

// settings is a decoded and checked configuration.
type settings struct {
	base          *url.URL // url + base_path, no trailing slash
	shopURL       string   // url as configured, for messages
	token         string
	authHeader    string
	pageSize      int
	statuses      []string
	timeout       time.Duration
	overlap       time.Duration
	ratePerMinute int
	maxConcurrent int
}

// has reports whether the attribute is present (the host fills defaults; tests may not).
func has(cfg sdk.Config, name string) bool {
	v, ok := cfg[name]
	return ok && v != nil && string(v) != "null"
}

// parseSettings checks cfg and applies the defaults. Problems are KindConfig errors naming the
// attribute; the token never appears in them.
func parseSettings(cfg sdk.Config) (settings, error) {
	s := settings{
		token:         strings.TrimSpace(cfg.String(attrToken)),
		authHeader:    DefaultAuthHeader,
		pageSize:      DefaultPageSize,
		statuses:      DefaultStatuses,
		timeout:       DefaultTimeout,
		overlap:       DefaultOverlap,
		ratePerMinute: DefaultRatePerMinute,
		maxConcurrent: DefaultMaxConcurrent,
	}
	raw := strings.TrimSpace(cfg.String(attrURL))
	if raw == "" {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: url is empty: set the web address of the shop")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: url %q is not an http(s) address like https://www.mijnwinkel.nl", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: url must be a plain web address without user, query or fragment")
	}
	s.shopURL = strings.TrimSuffix(u.String(), "/")
	if s.token == "" {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: token is empty: make one with `koppel-plugin-onetoshop token` and enter it in the shop and the profile")
	}
	if strings.ContainsAny(s.token, "\r\n") {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: token contains a line break")
	}
	basePath := DefaultBasePath
	if has(cfg, attrBasePath) {
		basePath = strings.TrimSpace(cfg.String(attrBasePath))
	}
	if basePath != "" && !strings.HasPrefix(basePath, "/") {
		basePath = "/" + basePath
	}
	if strings.ContainsAny(basePath, "?#") {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: base_path %q must be a path", basePath)
	}
	base := *u
	base.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/")+strings.TrimSuffix(basePath, "/"), "/")
	base.RawPath = ""
	s.base = &base
	if has(cfg, attrAuthHeader) {
		s.authHeader = strings.TrimSpace(cfg.String(attrAuthHeader))
	}
	if !validHeaderName(s.authHeader) {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: auth_header %q is not a valid HTTP header name", s.authHeader)
	}
	if has(cfg, attrPageSize) {
		s.pageSize = cfg.Int(attrPageSize)
	}
	if s.pageSize < 1 || s.pageSize > MaxPageSize {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: page_size %d: must be between 1 and %d", s.pageSize, MaxPageSize)
	}
	if has(cfg, attrStatuses) {
		s.statuses = cleanList(cfg.StringList(attrStatuses))
	}
	for name, dst := range map[string]*time.Duration{attrTimeout: &s.timeout, attrOverlap: &s.overlap} {
		if !has(cfg, name) {
			continue
		}
		d, err := time.ParseDuration(cfg.String(name))
		if err != nil || d < 0 || (name == attrTimeout && d == 0) {
			return s, sdk.Errorf(sdk.KindConfig, "onetoshop: %s %q: want a positive duration such as 30s", name, cfg.String(name))
		}
		*dst = d
	}
	if has(cfg, attrRatePerMinute) {
		s.ratePerMinute = cfg.Int(attrRatePerMinute)
	}
	if has(cfg, attrMaxConcurrent) {
		s.maxConcurrent = cfg.Int(attrMaxConcurrent)
	}
	if s.ratePerMinute < 0 || s.maxConcurrent < 1 {
		return s, sdk.Errorf(sdk.KindConfig, "onetoshop: rate_per_minute must be 0 or more and max_concurrent 1 or more")
	}
	return s, nil
}

// validHeaderName reports whether h is an RFC 7230 token.
func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if r > 126 || r <= 32 || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return true
}

// cleanList trims the entries and drops empty ones and repeats.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// endpoint returns the absolute URL of an API path ("/orders") with its query.
func (s settings) endpoint(path string, q url.Values) string {
	u := *s.base
	u.Path = s.base.Path + path
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// String renders the settings without the token, for logs.
func (s settings) String() string {
	return fmt.Sprintf("url=%s base=%s auth_header=%s page_size=%d statuses=%v", s.shopURL, s.base.Path, s.authHeader, s.pageSize, s.statuses)
}
