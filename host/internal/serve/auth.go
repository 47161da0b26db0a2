package serve

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Authentication, when Options.RequireToken is set:
//
//   - scripts send the token as "Authorization: Bearer <api_token>";
//   - a browser user opens the page, is sent to /login, types the token once; koppel answers with
//     an HttpOnly, SameSite=Strict cookie koppel_session (Secure over HTTPS) that holds a random
//     session id of 256 bits and expires after sessionTTL. The sessions live in the daemon's
//     memory only: POST /logout ends one, a restart ends all (restart with a new api_token to
//     lock out whoever knew the old one). The token itself is never stored in the browser.
//   - failed logins are counted per remote address: after loginFailures failures within
//     loginWindow, POST /login answers 429 with Retry-After until the oldest failure is a
//     minute old, whatever token is sent.
//
// Tokens and session ids are compared in constant time. Without RequireToken (a loopback listen) nothing is asked,
// but the Host header must name a loopback address so a web page that rebinds its DNS name to
// 127.0.0.1 cannot read the dashboard or trigger runs.

const (
	// sessionCookie is the login cookie's name.
	sessionCookie = "koppel_session"
	// sessionTTL is how long a dashboard login lasts.
	sessionTTL = 12 * time.Hour
	// maxSessions bounds the sessions kept; the oldest is dropped beyond it.
	maxSessions = 1000
	// loginFailures failed logins from one address within loginWindow block further tries.
	loginFailures = 5
	loginWindow   = time.Minute
	// maxThrottled bounds the addresses whose failures are remembered.
	maxThrottled = 10000
)

// sessions are the dashboard logins: random ids with their expiry, in memory only.
type sessions struct {
	mu   sync.Mutex
	byID map[string]time.Time // id -> expiry
}

// create returns a new random session id valid until now+sessionTTL.
func (ss *sessions) create(now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	id := hex.EncodeToString(b)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.byID == nil {
		ss.byID = map[string]time.Time{}
	}
	for k, exp := range ss.byID {
		if !now.Before(exp) {
			delete(ss.byID, k)
		}
	}
	if len(ss.byID) >= maxSessions {
		var oldest string
		var oldestExp time.Time
		for k, exp := range ss.byID {
			if oldest == "" || exp.Before(oldestExp) {
				oldest, oldestExp = k, exp
			}
		}
		delete(ss.byID, oldest)
	}
	ss.byID[id] = now.Add(sessionTTL)
	return id, nil
}

// valid reports whether id is a live session. Every stored id is compared with id in constant
// time, so the answer's timing does not tell how much of an id was right.
func (ss *sessions) valid(id string, now time.Time) bool {
	if len(id) != 64 {
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, exp := range ss.byID {
		if equalSecret(k, id) {
			return now.Before(exp)
		}
	}
	return false
}

// end removes session id.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.byID, id)
}

// throttle counts failed logins per remote address.
type throttle struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

// blocked returns how long addr must wait before its next login try; 0 when it may try now.
func (t *throttle) blocked(addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.recent(addr, now)
	if len(recent) < loginFailures {
		return 0
	}
	return recent[len(recent)-loginFailures].Add(loginWindow).Sub(now)
}

// fail records a failed login of addr.
func (t *throttle) fail(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures == nil {
		t.failures = map[string][]time.Time{}
	}
	if len(t.failures) >= maxThrottled {
		for k := range t.failures {
			if len(t.recent(k, now)) == 0 {
				delete(t.failures, k)
			}
		}
	}
	t.failures[addr] = append(t.recent(addr, now), now)
}

// succeed forgets addr's failures.
func (t *throttle) succeed(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, addr)
}

// recent returns addr's failures within loginWindow before now (and stores the pruned list).
// Called with t.mu held.
func (t *throttle) recent(addr string, now time.Time) []time.Time {
	f := t.failures[addr]
	i := 0
	for i < len(f) && !now.Before(f[i].Add(loginWindow)) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(t.failures, addr)
		return nil
	}
	if len(f) > loginFailures {
		f = f[len(f)-loginFailures:]
	}
	t.failures[addr] = f
	return f
}

// remoteHost is the address part of r.RemoteAddr: the throttle's key.
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// equalSecret compares two secrets in constant time, also when their lengths differ (both are
// hashed first, so the comparison's time does not depend on where they differ or their length).
func equalSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// authKind says how a refused request is answered.
type authKind int

const (
	authAPI  authKind = iota // 401 JSON with WWW-Authenticate
	authPage                 // redirect to /login
)

// authorized reports whether r carries the token (bearer header or login cookie). It is true
// for every request when the token is not required.
func (s *server) authorized(r *http.Request) bool {
	if !s.opts.RequireToken {
		return true
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && equalSecret(strings.TrimSpace(tok), s.opts.APIToken)
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return s.sessions.valid(c.Value, s.now())
	}
	return false
}

// auth wraps next so it only runs for authorized requests.
func (s *server) auth(kind authKind, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(r) {
			next.ServeHTTP(w, r)
			return
		}
		_, hasHeader := r.Header["Authorization"]
		s.log.Warn("refused request without a valid token", "method", r.Method, "path", r.URL.Path,
			"remote", r.RemoteAddr, "authorization_header", hasHeader)
		if kind == authPage {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="koppel"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong API token (send Authorization: Bearer <koppel.api_token>)")
	})
}

// hostCheck refuses, when the token is not required, requests whose Host header is not a
// loopback address or "localhost".
func (s *server) hostCheck(next http.Handler) http.Handler {
	if s.opts.RequireToken {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			s.log.Warn("refused request for a host name that is not loopback", "host", r.Host, "path", r.URL.Path, "remote", r.RemoteAddr)
			writeError(w, http.StatusForbidden, "this koppel listens on loopback only: open it as http://127.0.0.1:PORT or http://localhost:PORT")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names a loopback address.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loginPage shows the token form (or sends the user to the dashboard when no token is needed
// or the cookie is already there).
func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.authorized(r) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, false)
}

// login checks the token of the form and sets the session cookie.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	if !s.opts.RequireToken {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	addr := remoteHost(r)
	if wait := s.throttle.blocked(addr, s.now()); wait > 0 {
		secs := int(wait.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		s.log.Warn("dashboard login refused: too many failed logins from this address", "remote", r.RemoteAddr, "retry_after_s", secs)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf(
			"te veel mislukte aanmeldingen vanaf dit adres; probeer het over %d seconden opnieuw (too many failed logins, retry after %d s)", secs, secs))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	tok := r.PostFormValue("token")
	if !equalSecret(strings.TrimSpace(tok), s.opts.APIToken) {
		s.throttle.fail(addr, s.now())
		s.log.Warn("dashboard login refused: wrong token", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, true)
		return
	}
	s.throttle.succeed(addr)
	id, err := s.sessions.create(s.now())
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.log.Info("dashboard login", "remote", r.RemoteAddr)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL / time.Second), Expires: s.now().Add(sessionTTL),
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout removes the session cookie.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	s.log.Info("dashboard logout", "remote", r.RemoteAddr)
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.end(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
