package simulator

import (
	"encoding/base64"
	"encoding/hex"
	"mime"
	"net/http"
	"strings"
)

// handleToken implements POST /b2b/token (grant_type=clientkey&clientkey=… or
// grant_type=password&username=…&password=…, form-encoded in the body). It answers
// {"access_token","token_type":"bearer","expires_in"}; errors use the OAuth2 shape
// {"error": "..."} with 400.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "credentials must be form-encoded in the body"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	ok := false
	switch f.Get("grant_type") {
	case "clientkey":
		if f.Get("clientkey") == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		ok = f.Get("clientkey") == s.opts.ClientKey
	case "password":
		user, pass, valid := decodeClientKey(s.opts.ClientKey)
		ok = valid && f.Get("username") == user && f.Get("password") == pass && user != ""
	case "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	s.mu.Lock()
	var b [24]byte
	for i := 0; i < len(b); i += 8 {
		v := s.rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	tok := "sim-" + hex.EncodeToString(b[:])
	now := s.opts.Clock()
	for k, ti := range s.tokens {
		if !now.Before(ti.expires) {
			delete(s.tokens, k)
		}
	}
	scopes := map[string]bool{}
	for _, sc := range s.opts.Scopes {
		scopes[sc] = true
	}
	s.tokens[tok] = tokenInfo{expires: now.Add(s.opts.TokenTTL), scopes: scopes}
	s.stats.TokensIssued++
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   int(s.opts.TokenTTL.Seconds()),
	})
}

// decodeClientKey splits a koppelsleutel (Base64 of "user:password").
func decodeClientKey(key string) (user, pass string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	return user, pass, ok
}
