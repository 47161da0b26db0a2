package simulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// The authentication below follows WooCommerce's REST authentication as it behaves on a real
// store: over TLS, HTTP Basic (consumer key as user, secret as password) or the
// consumer_key/consumer_secret query parameters; over plain http only OAuth 1.0a one-legged,
// signed with HMAC-SHA1 or HMAC-SHA256 and the key "consumer_secret&". Credentials that are not
// accepted on the current transport are ignored, so the request is simply unauthenticated and
// the endpoint answers 401 woocommerce_rest_cannot_view (or _create/_edit/...).

const oauthWindowSeconds = 15 * 60

var oauthRequired = []string{"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"}

func authError(msg string) *wpError {
	return newErr(http.StatusUnauthorized, "woocommerce_rest_authentication_error", msg)
}

// isTLS reports whether the request counts as https (WordPress's is_ssl()).
func (s *Server) isTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.opts.TrustProxyHTTPS && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// authenticate returns whether the request carries valid credentials; an error means the
// credentials were present but wrong (the request must then be refused with that error).
func (s *Server) authenticate(req *request) (bool, *wpError) {
	r := req.r
	if req.tls {
		user, pass, ok := r.BasicAuth()
		if !(ok && user != "" && pass != "") {
			user, pass = req.query.last("consumer_key"), req.query.last("consumer_secret")
		}
		if user != "" && pass != "" {
			if !constEq(user, s.opts.ConsumerKey) {
				return false, authError("Consumer key is invalid.")
			}
			if !constEq(pass, s.opts.ConsumerSecret) {
				return false, authError("Consumer secret is invalid.")
			}
			return true, s.checkKeyPermissions(req.method)
		}
	}
	return s.oauth(req)
}

// checkKeyPermissions refuses writes with a read key and reads with a write key.
func (s *Server) checkKeyPermissions(method string) *wpError {
	switch s.opts.KeyPermissions {
	case "read":
		if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
			return authError("The API key provided does not have write permissions.")
		}
	case "write":
		if method == http.MethodGet || method == http.MethodHead {
			return authError("The API key provided does not have read permissions.")
		}
	}
	return nil
}

// oauthParam is one parameter that takes part in the signature: a top-level name and either a
// scalar value or (for PHP array parameters such as status[0]) nested entries in order.
type oauthParam struct {
	name   string
	value  string
	nested []kvs
}

type kvs struct{ k, v string }

var oauthHeaderRe = regexp.MustCompile(`(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))`)

func (s *Server) oauth(req *request) (bool, *wpError) {
	// Collect the parameters as PHP would see them: $_GET, then $_POST (form bodies), then the
	// Authorization header's oauth_* values, later ones overriding earlier ones.
	params := phpParams(req.query)
	if req.form != nil {
		for _, p := range phpParams(req.form) {
			params = setParam(params, p)
		}
	}
	if h := strings.TrimSpace(req.r.Header.Get("Authorization")); strings.HasPrefix(h, "OAuth ") {
		for _, m := range oauthHeaderRe.FindAllStringSubmatch(h, -1) {
			v := m[2]
			if v == "" {
				v = m[3]
			}
			params = setParam(params, oauthParam{name: m[1], value: formDecode(v)})
		}
	}
	get := func(name string) string {
		for _, p := range params {
			if p.name == name && p.nested == nil {
				return p.value
			}
		}
		return ""
	}
	var missing []string
	have := false
	for _, n := range oauthRequired {
		if v := get(n); v == "" || v == "0" {
			missing = append(missing, n)
		} else {
			have = true
		}
	}
	if !have {
		return false, nil // not trying OAuth at all: unauthenticated
	}
	if len(missing) > 0 {
		msg := "Missing OAuth parameter " + strings.Join(missing, ", ")
		if len(missing) > 1 {
			msg = "Missing OAuth parameters " + strings.Join(missing, ", ")
		}
		return false, newErr(http.StatusUnauthorized, "woocommerce_rest_authentication_missing_parameter", msg)
	}
	if !constEq(get("oauth_consumer_key"), s.opts.ConsumerKey) {
		return false, authError("Consumer key is invalid.")
	}
	var mac func() hash.Hash
	switch get("oauth_signature_method") {
	case "HMAC-SHA1":
		mac = sha1.New
	case "HMAC-SHA256":
		mac = sha256.New
	default:
		return false, authError("Invalid signature - signature method is invalid.")
	}
	base := s.oauthBaseString(req, params)
	h := hmac.New(mac, []byte(s.opts.ConsumerSecret+"&"))
	h.Write([]byte(base))
	want := base64.StdEncoding.EncodeToString(h.Sum(nil))
	got := rawURLDecode(strings.ReplaceAll(get("oauth_signature"), " ", "+"))
	if !constEq(got, want) {
		return false, authError("Invalid signature - provided signature does not match.")
	}
	if e := s.checkTimestampNonce(get("oauth_timestamp"), get("oauth_nonce")); e != nil {
		return false, e
	}
	return true, s.checkKeyPermissions(req.method)
}

// oauthBaseString builds METHOD&enc(url)&enc(k=v)%26enc(k=v)... with the parameters sorted by
// raw top-level name (byte order), each name and value RFC 3986-encoded, array parameters
// expanded as name%5Bkey%5D in their original order, and oauth_signature left out.
func (s *Server) oauthBaseString(req *request, params []oauthParam) string {
	sorted := make([]oauthParam, 0, len(params))
	for _, p := range params {
		if p.name != "oauth_signature" {
			sorted = append(sorted, p)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	var parts []string
	for _, p := range sorted {
		if p.nested == nil {
			parts = append(parts, rfc3986(rfc3986(p.name)+"="+rfc3986(p.value)))
			continue
		}
		for _, n := range p.nested {
			parts = append(parts, rfc3986(rfc3986(p.name)+"%5B"+rfc3986(n.k)+"%5D="+rfc3986(n.v)))
		}
	}
	// The real HTTP method: a POST with _method=PUT is signed as POST.
	return strings.ToUpper(req.r.Method) + "&" + rfc3986(s.homeURL(req)+s.requestPath(req)) + "&" + strings.Join(parts, "%26")
}

// checkTimestampNonce applies WooCommerce's ±15 minute window and its nonce memory, which is
// kept per key as timestamp → nonce (a later request with the same timestamp replaces the
// remembered nonce, as in WooCommerce).
func (s *Server) checkTimestampNonce(tsRaw, nonce string) *wpError {
	ts, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil {
		ts = 0
	}
	now := s.now().Unix()
	if ts < now-oauthWindowSeconds || ts > now+oauthWindowSeconds {
		return authError("Invalid timestamp.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.nonces {
		if n == nonce {
			return authError("Invalid nonce - nonce has already been used.")
		}
	}
	s.nonces[ts] = nonce
	for t := range s.nonces {
		if t < now-oauthWindowSeconds {
			delete(s.nonces, t)
		}
	}
	return nil
}

// phpParams turns ordered query pairs into PHP's $_GET: a plain name keeps its last value;
// name[] and name[key] build an array under name, in order.
func phpParams(q queryPairs) []oauthParam {
	var out []oauthParam
	for _, p := range q {
		name, sub, isArr := splitBracket(p.Key)
		if !isArr {
			out = setParam(out, oauthParam{name: name, value: p.Value})
			continue
		}
		idx := -1
		for i := range out {
			if out[i].name == name {
				idx = i
				break
			}
		}
		if idx < 0 || out[idx].nested == nil {
			np := oauthParam{name: name, nested: []kvs{}}
			if idx < 0 {
				out = append(out, np)
				idx = len(out) - 1
			} else {
				out[idx] = np
			}
		}
		if sub == "" {
			sub = strconv.Itoa(nextIndex(out[idx].nested))
		}
		replaced := false
		for i := range out[idx].nested {
			if out[idx].nested[i].k == sub {
				out[idx].nested[i].v = p.Value
				replaced = true
			}
		}
		if !replaced {
			out[idx].nested = append(out[idx].nested, kvs{sub, p.Value})
		}
	}
	return out
}

func nextIndex(n []kvs) int {
	next := 0
	for _, e := range n {
		if i, err := strconv.Atoi(e.k); err == nil && i >= next {
			next = i + 1
		}
	}
	return next
}

func setParam(ps []oauthParam, p oauthParam) []oauthParam {
	for i := range ps {
		if ps[i].name == p.name {
			ps[i] = p
			return ps
		}
	}
	return append(ps, p)
}

// splitBracket splits "name[key]" into name, key and true; "name[]" gives an empty key.
func splitBracket(k string) (string, string, bool) {
	i := strings.IndexByte(k, '[')
	if i <= 0 || !strings.HasSuffix(k, "]") {
		return k, "", false
	}
	inner := k[i+1 : len(k)-1]
	if j := strings.IndexByte(inner, ']'); j >= 0 { // deeper nesting: keep the first level
		inner = inner[:j]
	}
	return k[:i], inner, true
}

// rfc3986 percent-encodes everything except unreserved characters (PHP rawurlencode with ~).
func rfc3986(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// rawURLDecode decodes %XX sequences only (PHP rawurldecode); malformed ones stay as they are.
func rawURLDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// formDecode is PHP urldecode: "+" is a space, %XX decoded, malformed sequences kept.
func formDecode(s string) string {
	return rawURLDecode(strings.ReplaceAll(s, "+", " "))
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func constEq(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// homeURL is the store's home URL as WordPress's get_home_url builds it for the OAuth base
// string and for links: SiteURL when configured (with the scheme following the transport),
// else scheme://Host of the request.
func (s *Server) homeURL(req *request) string {
	scheme := "http"
	if req.tls {
		scheme = "https"
	}
	if s.opts.SiteURL != "" {
		u, err := url.Parse(s.opts.SiteURL)
		if err == nil && u.Host != "" {
			return scheme + "://" + u.Host
		}
	}
	return scheme + "://" + req.r.Host
}

// requestPath is the request's path as sent (still percent-encoded).
func (s *Server) requestPath(req *request) string {
	return req.r.URL.EscapedPath()
}
