package httpclient

import (
	"net/url"
	"sort"
	"strings"
)

// redactedValue replaces every secret in logged URLs and error messages.
const redactedValue = "REDACTED"

// secretKeyParts are substrings of query parameter names whose values are never shown
// (compared case-insensitively): consumer_key, consumer_secret, oauth_signature, oauth_token,
// key, api_key, access_token, token, password, client_secret, subscription-key, auth...
var secretKeyParts = []string{"key", "secret", "token", "password", "passwd", "signature", "auth", "session", "sig"}

// isSecretKey reports whether a query parameter name looks like it carries a secret.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, p := range secretKeyParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// redactor renders URLs and strings with secrets replaced.
type redactor struct {
	// secrets are the Options.Redact strings plus their URL-escaped forms, longest first so a
	// secret that contains another is replaced whole.
	secrets []string
}

func newRedactor(extra []string) *redactor {
	seen := map[string]bool{}
	var s []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			s = append(s, v)
		}
	}
	for _, v := range extra {
		add(v)
		add(url.QueryEscape(v))
		add(url.PathEscape(v))
	}
	sort.Slice(s, func(i, j int) bool { return len(s[i]) > len(s[j]) })
	return &redactor{secrets: s}
}

// String returns s with every configured secret replaced.
func (r *redactor) String(s string) string {
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, redactedValue)
		}
	}
	return s
}

// URL renders u as scheme://host/path?query without user info, with the values of
// secret-looking query keys replaced, and with every configured secret replaced anywhere.
func (r *redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return r.String(r.url(u, true))
}

// Path renders u as /path?query (no scheme or host), redacted like URL.
func (r *redactor) Path(u *url.URL) string {
	if u == nil {
		return ""
	}
	return r.String(r.url(u, false))
}

func (r *redactor) url(u *url.URL, withHost bool) string {
	var b strings.Builder
	if withHost && u.Host != "" {
		b.WriteString(u.Scheme)
		b.WriteString("://")
		b.WriteString(u.Host)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	b.WriteString(p)
	if u.RawQuery != "" {
		b.WriteString("?")
		b.WriteString(redactQuery(u.RawQuery))
	}
	return b.String()
}

// redactQuery replaces the values of secret-looking keys, keeping the order and the other
// values as they were sent. A part that cannot be parsed is replaced entirely.
func redactQuery(raw string) string {
	parts := strings.Split(raw, "&")
	for i, part := range parts {
		if part == "" {
			continue
		}
		k, _, hasValue := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			parts[i] = redactedValue
			continue
		}
		if isSecretKey(name) {
			if hasValue {
				parts[i] = k + "=" + redactedValue
			}
		}
	}
	return strings.Join(parts, "&")
}
