package simulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// oauthTimeDeviation is how far oauth_timestamp may lie from the server's clock, and how long a
// nonce is remembered (Magento's nonce generator uses 600 seconds).
const oauthTimeDeviation = 600 * time.Second

// errUnknownCredentials marks an unknown consumer key or token in verifyOAuth.
const errUnknownCredentials = "unknown credentials"

// principal is who a request was authenticated as.
type principal struct {
	kind string // "integration" or "admin"
}

// authenticate checks the Authorization header and the ACL resource; on failure it writes the
// 401 and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, acl string) (principal, bool) {
	h := r.Header.Get("Authorization")
	fail := func() (principal, bool) {
		s.mu.Lock()
		s.stats.AuthFailures++
		s.mu.Unlock()
		unauthorized(w, acl)
		return principal{}, false
	}
	switch {
	case strings.HasPrefix(h, "Bearer "):
		tok := strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		s.mu.Lock()
		exp, isAdmin := s.adminTokens[tok]
		now := s.nowLocked()
		s.mu.Unlock()
		if isAdmin {
			if now.After(exp) {
				s.mu.Lock()
				delete(s.adminTokens, tok)
				s.mu.Unlock()
				return fail()
			}
			return principal{kind: "admin"}, true
		}
		if s.opts.AllowBearer && hmac.Equal([]byte(tok), []byte(s.opts.AccessToken)) {
			if !s.granted(acl) {
				return fail()
			}
			return principal{kind: "integration"}, true
		}
		return fail()
	case strings.HasPrefix(h, "OAuth "):
		params, ok := parseOAuthHeader(strings.TrimPrefix(h, "OAuth "))
		if !ok {
			return fail()
		}
		msg, p := s.verifyOAuth(r, params)
		if msg == errUnknownCredentials {
			// Magento treats a request with an unknown consumer or token as a guest, which
			// is refused with the endpoint's ACL resource.
			return fail()
		}
		if msg != "" {
			s.mu.Lock()
			s.stats.AuthFailures++
			s.mu.Unlock()
			writeError(w, http.StatusUnauthorized, msg, p)
			return principal{}, false
		}
		if !s.granted(acl) {
			return fail()
		}
		return principal{kind: "integration"}, true
	}
	return fail()
}

func (s *Server) granted(acl string) bool {
	return s.opts.Resources == nil || contains(s.opts.Resources, acl) || contains(s.opts.Resources, "Magento_Backend::all")
}

// parseOAuthHeader reads `k="v", k2="v2"` (values percent-encoded) into a map.
func parseOAuthHeader(h string) (map[string]string, bool) {
	out := map[string]string{}
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, false
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		dk, err1 := url.PathUnescape(strings.TrimSpace(k))
		dv, err2 := url.PathUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, false
		}
		out[dk] = dv
	}
	return out, true
}

// verifyOAuth checks a one-legged OAuth 1.0a request signed with the integration's four
// credentials. It returns "" when valid, otherwise the 401 message and its parameters.
func (s *Server) verifyOAuth(r *http.Request, p map[string]string) (string, any) {
	for _, k := range []string{"oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_signature", "oauth_nonce", "oauth_timestamp"} {
		if p[k] == "" {
			return "\"%fieldName\" is required. Enter and try again.", map[string]string{"fieldName": k}
		}
	}
	if v, ok := p["oauth_version"]; ok && v != "1.0" {
		return "The \"%1\" OAuth version isn't supported.", []string{v}
	}
	if !hmac.Equal([]byte(p["oauth_consumer_key"]), []byte(s.opts.ConsumerKey)) ||
		!hmac.Equal([]byte(p["oauth_token"]), []byte(s.opts.AccessToken)) {
		return errUnknownCredentials, nil
	}
	var h func() hash.Hash
	switch p["oauth_signature_method"] {
	case "HMAC-SHA256":
		h = sha256.New
	case "HMAC-SHA1":
		h = sha1.New
	default:
		return "Signature method %1 is not supported", []string{p["oauth_signature_method"]}
	}
	ts, err := strconv.ParseInt(p["oauth_timestamp"], 10, 64)
	real := s.opts.Clock()
	if err != nil || ts <= 0 || time.Unix(ts, 0).Sub(real).Abs() > oauthTimeDeviation {
		return "The timestamp is out of range. Verify the oauth_timestamp and try again.", nil
	}
	// Collect the signed parameters: the OAuth protocol parameters and the query.
	params := url.Values{}
	for k, v := range p {
		if k == "oauth_signature" || k == "realm" {
			continue
		}
		params.Add(k, v)
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			params.Add(k, v)
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := signatureBase(r.Method, scheme, r.Host, r.URL.EscapedPath(), params)
	mac := hmac.New(h, []byte(encode(s.opts.ConsumerSecret)+"&"+encode(s.opts.AccessTokenSecret)))
	mac.Write([]byte(base))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(p["oauth_signature"])) {
		return "The signature is invalid. Verify and try again.", nil
	}
	// Nonce reuse within the deviation window is refused.
	s.mu.Lock()
	defer s.mu.Unlock()
	key := p["oauth_nonce"] + "|" + p["oauth_timestamp"]
	if _, seen := s.nonces[key]; seen {
		return "The nonce is already being used by the consumer with ID %1.", []string{"1"}
	}
	if len(s.nonces) > 10000 {
		for k, at := range s.nonces {
			if real.Sub(at) > oauthTimeDeviation {
				delete(s.nonces, k)
			}
		}
	}
	s.nonces[key] = real
	return "", nil
}

// signatureBase builds the RFC 5849 §3.4.1 signature base string: METHOD & enc(base URI) &
// enc(normalized parameters), parameters sorted by encoded name, then encoded value.
func signatureBase(method, scheme, host, escapedPath string, params url.Values) string {
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range params {
		for _, v := range vs {
			pairs = append(pairs, kv{encode(k), encode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	scheme = strings.ToLower(scheme)
	host = strings.ToLower(host)
	if (scheme == "http" && strings.HasSuffix(host, ":80")) || (scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndex(host, ":")]
	}
	baseURI := scheme + "://" + host + normalizePath(escapedPath)
	return strings.ToUpper(method) + "&" + encode(baseURI) + "&" + encode(strings.Join(parts, "&"))
}

// encode is RFC 3986 percent-encoding: everything but ALPHA, DIGIT, "-", ".", "_", "~".
func encode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// normalizePath re-encodes each segment of an escaped path with encode, so "%2F" inside a
// segment (a SKU with a slash) stays encoded and equivalent spellings sign alike.
func normalizePath(escaped string) string {
	segs := strings.Split(escaped, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		segs[i] = encode(s)
	}
	return strings.Join(segs, "/")
}

// handleAdminToken is POST /V1/integration/admin/token: {"username","password"} → a JSON string.
func (s *Server) handleAdminToken(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Decoding error: %1", []string{err.Error()})
		return
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Decoding error: \nPHP Warning: syntax error", nil)
		return
	}
	for k := range in {
		if k != "username" && k != "password" {
			fieldNotSupported(w, k)
			return
		}
	}
	user, _ := in["username"].(string)
	pass, _ := in["password"].(string)
	if user == "" {
		fieldRequired(w, "username")
		return
	}
	if pass == "" {
		fieldRequired(w, "password")
		return
	}
	if !hmac.Equal([]byte(user), []byte(s.opts.AdminUser)) || !hmac.Equal([]byte(pass), []byte(s.opts.AdminPassword)) {
		s.mu.Lock()
		s.stats.AuthFailures++
		s.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.", nil)
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	s.mu.Lock()
	s.adminTokens[tok] = s.nowLocked().Add(s.opts.AdminTokenLifetime)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, tok)
}

// ExpireAdminTokens revokes every admin token (as if their lifetime had passed).
func (s *Server) ExpireAdminTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.adminTokens)
}
