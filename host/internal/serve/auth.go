package serve

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
)

// Authentication, when Options.RequireToken is set:
//
//   - scripts send the token as "Authorization: Bearer <api_token>";
//   - a browser user opens the page, is sent to /login, types the token once; koppel answers with
//     an HttpOnly, SameSite=Strict cookie koppel_session holding HMAC-SHA256(token, label), so
//     the token itself is never stored in the browser; POST /logout removes it.
//
// Both are compared in constant time. Without RequireToken (a loopback listen) nothing is asked,
// but the Host header must name a loopback address so a web page that rebinds its DNS name to
// 127.0.0.1 cannot read the dashboard or trigger runs.

// sessionCookie is the login cookie's name; sessionLabel the HMAC message deriving its value.
const (
	sessionCookie = "koppel_session"
	sessionLabel  = "koppel dashboard session v1"
)

// sessionValue derives the login cookie's value from the token.
func sessionValue(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(sessionLabel))
	return hex.EncodeToString(m.Sum(nil))
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
		return equalSecret(c.Value, s.session)
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
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	tok := r.PostFormValue("token")
	if !equalSecret(strings.TrimSpace(tok), s.opts.APIToken) {
		s.log.Warn("dashboard login refused: wrong token", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, true)
		return
	}
	s.log.Info("dashboard login", "remote", r.RemoteAddr)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.session, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout removes the session cookie.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	s.log.Info("dashboard logout", "remote", r.RemoteAddr)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
