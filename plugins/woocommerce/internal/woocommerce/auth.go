package woocommerce

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Authentication modes (config attribute "auth").
const (
	authAuto   = "auto"   // basic over https, oauth1 over http
	authBasic  = "basic"  // HTTP Basic with key and secret, https only
	authQuery  = "query"  // consumer_key and consumer_secret in the query, https only
	authOAuth1 = "oauth1" // OAuth 1.0a one-legged, for plain http
)

// OAuth 1.0a signature methods WooCommerce accepts.
const (
	sigHMACSHA256 = "HMAC-SHA256"
	sigHMACSHA1   = "HMAC-SHA1"
)

// authTransport adds the credentials to every request it sends, so that a retried request
// (httpclient calls the transport once per attempt) gets a fresh OAuth nonce, timestamp and
// signature. It never changes the caller's request.
type authTransport struct {
	mode      string // authBasic, authQuery or authOAuth1
	key       string
	secret    string
	sigMethod string
	base      http.RoundTripper
	now       func() time.Time
	nonce     func() (string, error)
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Body = req.Body // Clone shares the body; keep it explicit
	switch t.mode {
	case authBasic:
		r.SetBasicAuth(t.key, t.secret)
	case authQuery:
		q := r.URL.Query()
		q.Set("consumer_key", t.key)
		q.Set("consumer_secret", t.secret)
		r.URL.RawQuery = q.Encode()
	case authOAuth1:
		if err := t.signOAuth1(r); err != nil {
			if req.Body != nil {
				_ = req.Body.Close()
			}
			return nil, err
		}
	}
	return t.base.RoundTrip(r)
}

// signOAuth1 replaces any oauth_* query parameters of r with a fresh one-legged signature.
func (t *authTransport) signOAuth1(r *http.Request) error {
	nonce, err := t.nonce()
	if err != nil {
		return fmt.Errorf("oauth nonce: %w", err)
	}
	q := r.URL.Query()
	for k := range q {
		if strings.HasPrefix(k, "oauth_") {
			q.Del(k)
		}
	}
	q.Set("oauth_consumer_key", t.key)
	q.Set("oauth_timestamp", strconv.FormatInt(t.now().Unix(), 10))
	q.Set("oauth_nonce", nonce)
	q.Set("oauth_signature_method", t.sigMethod)
	sig, err := oauthSignature(r.Method, r.URL, q, t.secret, t.sigMethod)
	if err != nil {
		return err
	}
	q.Set("oauth_signature", sig)
	r.URL.RawQuery = q.Encode()
	return nil
}

// oauthBaseString builds the OAuth 1.0a signature base string (RFC 5849 §3.4.1) the way
// WooCommerce's server (class-wc-rest-authentication.php, check_oauth_signature) rebuilds it:
// METHOD & enc(scheme://host[:port]/path) & enc(the parameters sorted by name, each
// "enc(name)=enc(value)", joined with "&"), where enc is RFC 3986 percent-encoding (PHP's
// rawurlencode). oauth_signature itself is left out; the body is never signed. WooCommerce
// reads the parameters into a PHP array, so a name occurs once; the connector never repeats one.
func oauthBaseString(method string, u *url.URL, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k == "oauth_signature" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		v := params[k]
		if len(v) == 0 {
			continue
		}
		pairs = append(pairs, rawURLEncode(k)+"="+rawURLEncode(v[len(v)-1]))
	}
	return strings.ToUpper(method) + "&" + rawURLEncode(baseURI(u)) + "&" + rawURLEncode(strings.Join(pairs, "&"))
}

// oauthSignature computes base64(HMAC(secret + "&", base string)).
func oauthSignature(method string, u *url.URL, params url.Values, secret, sigMethod string) (string, error) {
	var h func() hash.Hash
	switch sigMethod {
	case sigHMACSHA256:
		h = sha256.New
	case sigHMACSHA1:
		h = sha1.New
	default:
		return "", fmt.Errorf("unsupported OAuth signature method %q", sigMethod)
	}
	mac := hmac.New(h, []byte(secret+"&"))
	mac.Write([]byte(oauthBaseString(method, u, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// baseURI is scheme://host[:port]/path without query or fragment, scheme and host in lower
// case and the scheme's default port dropped.
func baseURI(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// rawURLEncode is PHP's rawurlencode: RFC 3986 percent-encoding of everything but
// A-Z a-z 0-9 - . _ ~, with upper-case hex.
func rawURLEncode(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// randomNonce returns 32 random hex characters.
func randomNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
