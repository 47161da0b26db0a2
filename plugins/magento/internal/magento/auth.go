package magento

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// Authentication modes (config attribute "auth").
const (
	authOAuth1 = "oauth1" // sign every request with the integration's four credentials
	authBearer = "bearer" // the integration access token alone
	authAdmin  = "admin"  // an admin token from /V1/integration/admin/token
)

// OAuth 1.0a signature methods Magento accepts.
const (
	sigHMACSHA256 = "HMAC-SHA256"
	sigHMACSHA1   = "HMAC-SHA1"
)

// oauthSigner is an http.RoundTripper that signs every request it sends with OAuth 1.0a
// (one-legged, RFC 5849, the integration's consumer key and access token). httpclient calls
// the transport once per attempt, so a retried request gets a fresh nonce, timestamp and
// signature. It never changes the caller's request.
type oauthSigner struct {
	consumerKey, consumerSecret string
	token, tokenSecret          string
	method                      string
	base                        http.RoundTripper
	now                         func() time.Time
	nonce                       func() (string, error)
}

// RoundTrip implements http.RoundTripper.
func (s *oauthSigner) RoundTrip(req *http.Request) (*http.Response, error) {
	nonce, err := s.nonce()
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("oauth nonce: %w", err)
	}
	r := req.Clone(req.Context())
	r.Body = req.Body
	r.Header.Set("Authorization", s.header(r.Method, r.URL, nonce, s.now().Unix()))
	return s.base.RoundTrip(r)
}

// header builds the Authorization header for one request.
func (s *oauthSigner) header(method string, u *url.URL, nonce string, ts int64) string {
	oauth := [][2]string{
		{"oauth_consumer_key", s.consumerKey},
		{"oauth_nonce", nonce},
		{"oauth_signature_method", s.method},
		{"oauth_timestamp", strconv.FormatInt(ts, 10)},
		{"oauth_token", s.token},
		{"oauth_version", "1.0"},
	}
	params := url.Values{}
	for _, kv := range oauth {
		params.Add(kv[0], kv[1])
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			params.Add(k, v)
		}
	}
	sig := oauthSignature(s.method, signatureBase(method, u, params), s.consumerSecret, s.tokenSecret)
	var b strings.Builder
	b.WriteString("OAuth ")
	for _, kv := range append(oauth, [2]string{"oauth_signature", sig}) {
		if b.Len() > len("OAuth ") {
			b.WriteString(", ")
		}
		b.WriteString(kv[0] + `="` + percentEncode(kv[1]) + `"`)
	}
	return b.String()
}

// signatureBase is the RFC 5849 §3.4.1 signature base string: the upper-case method, the
// base string URI (scheme and host in lower case, default port dropped, no query) and the
// normalized parameters (OAuth protocol parameters and query parameters, each name and value
// percent-encoded, sorted by name and then value, joined with "&"), each part percent-encoded
// and joined with "&". JSON bodies are not signed.
func signatureBase(method string, u *url.URL, params url.Values) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range params {
		if k == "oauth_signature" || k == "realm" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, pair{percentEncode(k), percentEncode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	norm := make([]string, len(pairs))
	for i, p := range pairs {
		norm[i] = p.k + "=" + p.v
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		segs[i] = percentEncode(s)
	}
	uri := scheme + "://" + host + strings.Join(segs, "/")
	return strings.ToUpper(method) + "&" + percentEncode(uri) + "&" + percentEncode(strings.Join(norm, "&"))
}

// oauthSignature is base64(HMAC(enc(consumer secret) & enc(token secret), base string)).
func oauthSignature(method, base, consumerSecret, tokenSecret string) string {
	var h func() hash.Hash = sha256.New
	if method == sigHMACSHA1 {
		h = sha1.New
	}
	mac := hmac.New(h, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// percentEncode is RFC 3986 encoding: every byte but ALPHA, DIGIT, "-", ".", "_" and "~".
func percentEncode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// randomNonce returns 32 hex characters from crypto/rand.
func randomNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// adminToken obtains and caches an admin token from /V1/integration/admin/token. A token is
// renewed when Magento refuses it (401) and, to stay ahead of the default four-hour lifetime,
// after lifetime.
type adminToken struct {
	hc       *httpclient.Client
	url      string // .../V1/integration/admin/token
	user     string
	password string
	lifetime time.Duration
	now      func() time.Time

	mu      sync.Mutex
	token   string
	fetched time.Time
}

// get returns the cached token, fetching one when there is none or it is old.
func (a *adminToken) get(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" && a.now().Sub(a.fetched) < a.lifetime {
		return a.token, nil
	}
	body, _ := json.Marshal(map[string]string{"username": a.user, "password": a.password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		return "", sdk.Errorf(sdk.KindConfig, "admin token request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := a.hc.Do(req)
	if err != nil {
		if sdk.KindOf(err) == sdk.KindOutcomeUnknown {
			// Asking for a token twice is harmless.
			return "", &sdk.Error{Kind: sdk.KindRetryable, Message: "admin token request: " + err.Error(), Err: err}
		}
		return "", err
	}
	b, err := httpclient.ReadBody(resp, 1<<20)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		e := apiError(resp, b, "POST /V1/integration/admin/token", a.hc.Redact)
		if e.Kind == sdk.KindAuth {
			e.Message = "Magento refused the admin username or password (" + e.Message + "); since Magento 2.4 two-factor authentication also blocks this endpoint: use an integration (auth = \"oauth1\") instead"
		}
		return "", e
	}
	var tok string
	if err := json.Unmarshal(b, &tok); err != nil || tok == "" {
		return "", sdk.Errorf(sdk.KindPermanent, "POST /V1/integration/admin/token: the answer is not a token string")
	}
	a.token, a.fetched = tok, a.now()
	return tok, nil
}

// invalidate drops tok (when Magento refused it) so the next get fetches a new one.
func (a *adminToken) invalidate(tok string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == tok {
		a.token = ""
	}
}
