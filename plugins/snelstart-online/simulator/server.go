package simulator

import (
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on hosts without zoneinfo
)

// amsterdam is the administration's time zone: SnelStart sends local times without offset.
var amsterdam = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Stats are counters for tests and benchmarks.
type Stats struct {
	// Requests is the number of /v2 requests received (including refused ones).
	Requests int64 `json:"requests"`
	// RateLimited is the number of 429 answers sent.
	RateLimited int64 `json:"rateLimited"`
	// MaxPerWindow is the highest number of admitted requests seen in any 60 s window.
	MaxPerWindow int `json:"maxPerWindow"`
	// InjectedErrors is the number of 5xx answers produced by fault injection.
	InjectedErrors int64 `json:"injectedErrors"`
	// LostResponses is the number of creates committed whose response was dropped.
	LostResponses int64 `json:"lostResponses"`
	// TokensIssued counts successful token requests.
	TokensIssued int64 `json:"tokensIssued"`
	// Creates counts successful POST creates per resource ("verkooporders", "relaties", ...).
	Creates map[string]int64 `json:"creates"`
	// FirstRequest is when the first /v2 request arrived, LastAnswer when the last one was
	// answered, and BusyNanos the time /v2 requests were in the server, summed over requests
	// (latency included), all by the wall clock: BusyNanos / (LastAnswer − FirstRequest) is
	// how many requests were in flight on average (the busy slots BenchmarkImportVsDirect
	// reports).
	FirstRequest time.Time `json:"firstRequest,omitzero"`
	LastAnswer   time.Time `json:"lastAnswer,omitzero"`
	BusyNanos    int64     `json:"busyNanos"`
}

type tokenInfo struct {
	expires time.Time
	scopes  map[string]bool
}

// Server is an in-memory SnelStart B2B API v2 for one administration. It is safe for concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu   sync.Mutex // guards everything below
	st   *Administration
	seed *Administration
	rng  *rand.Rand
	// issued holds every id in the seed and every id newGUID handed out: a new entity never
	// gets an id an existing one has (or had), whatever the random source.
	issued   map[GUID]bool
	tokens   map[string]tokenInfo
	faults   Faults
	rate     int
	rounding RoundingMode
	midpoint Midpoint
	window   []time.Time
	stats    Stats
	idx      indexes
	// checkIndex (tests) compares every indexed list answer with a full scan's and records a
	// difference in indexErrors.
	checkIndex  bool
	indexErrors []string
	// refuseBoekingen are error codes the next POSTs to /verkoopboekingen answer with, one per
	// request, whatever the body (RefuseBoekingen).
	refuseBoekingen []string
}

// New builds a Server from opts (see Options for defaults). It fails when the seed is
// inconsistent (duplicate ids, references to unknown entities, invalid VAT classes).
func New(opts Options) (*Server, error) {
	if opts.SubscriptionKey == "" {
		opts.SubscriptionKey = DefaultSubscriptionKey
	}
	if opts.ClientKey == "" {
		opts.ClientKey = DefaultClientKey
	}
	if opts.Scopes == nil {
		opts.Scopes = AllScopes
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.RatePerMinute == 0 {
		opts.RatePerMinute = DefaultRatePerMinute
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Rand == nil {
		// A source of its own per simulator, seeded from crypto/rand: two simulators (or one
		// restarted on a dump of another's state) do not hand out the same ids.
		var seed [32]byte
		if _, err := crand.Read(seed[:]); err != nil {
			return nil, fmt.Errorf("simulator: seed the id generator: %w", err)
		}
		opts.Rand = rand.NewChaCha8(seed)
	}
	if err := checkFaults(opts.Faults); err != nil {
		return nil, err
	}
	seed := opts.Seed
	if seed == nil {
		seed = DefaultAdministration()
	}
	s := &Server{
		opts:     opts,
		rng:      rand.New(opts.Rand),
		tokens:   map[string]tokenInfo{},
		faults:   opts.Faults,
		rate:     opts.RatePerMinute,
		rounding: opts.Rounding,
		midpoint: opts.Midpoint,
	}
	s.stats.Creates = map[string]int64{}
	norm := clone(*seed)
	if err := s.prepareSeed(&norm); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	s.seed = &norm
	st := clone(norm)
	s.st = &st
	s.routes()
	return s, nil
}

func checkFaults(f Faults) error {
	if f.ErrorRate < 0 || f.ErrorRate > 1 || f.LoseCreateResponseRate < 0 || f.LoseCreateResponseRate > 1 {
		return errors.New("fault rates must be between 0 and 1")
	}
	if f.Latency < 0 {
		return errors.New("latency must not be negative")
	}
	return nil
}

// now is the administration's local wall time (as a UTC-located value without offset meaning).
func (s *Server) now() time.Time {
	l := s.opts.Clock().In(amsterdam)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond()/1e6*1e6, time.UTC)
}

// newGUID returns a version-4-shaped GUID from the random source (Options.Rand) that no entity of
// the seed has and that was not handed out before. Callers hold s.mu.
func (s *Server) newGUID() GUID {
	if s.issued == nil {
		s.issued = map[GUID]bool{}
	}
	for {
		id := s.randomGUID()
		if !s.issued[id] {
			s.issued[id] = true
			return id
		}
	}
}

// guidPattern finds GUIDs in the JSON of an administration.
var guidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// reserveIDs marks every GUID that occurs in a (entity ids and the ids its references name) as
// issued, so newGUID never hands one of them out.
func (s *Server) reserveIDs(a *Administration) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("simulator: read the seed's ids: %w", err)
	}
	if s.issued == nil {
		s.issued = map[GUID]bool{}
	}
	for _, m := range guidPattern.FindAll(b, -1) {
		s.issued[GUID(strings.ToLower(string(m)))] = true
	}
	return nil
}

// randomGUID draws a version-4-shaped GUID.
func (s *Server) randomGUID() GUID {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := s.rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return GUID(h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
}

// Handler serves the token endpoint (POST /b2b/token), the API under /v2 and the simulator's
// admin endpoints under /_sim/.
func (s *Server) Handler() http.Handler { return s.mux }

// Reset returns the administration to the seed and clears tokens, the rate window and stats.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := clone(*s.seed)
	s.st = &st
	s.tokens = map[string]tokenInfo{}
	s.window = nil
	s.stats = Stats{Creates: map[string]int64{}}
}

// Dump returns a deep copy of the current administration (orders with their computed totals).
// It is a valid seed.
func (s *Server) Dump() Administration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(*s.st)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Creates = make(map[string]int64, len(s.stats.Creates))
	for k, v := range s.stats.Creates {
		st.Creates[k] = v
	}
	return st
}

// SetFaults replaces the fault-injection settings.
func (s *Server) SetFaults(f Faults) error {
	if err := checkFaults(f); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	return nil
}

// SetRateLimit sets the calls allowed per administration per 60 s window; n < 0 disables the
// limit, 0 restores DefaultRatePerMinute.
func (s *Server) SetRateLimit(n int) {
	if n == 0 {
		n = DefaultRatePerMinute
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate = n
}

// SetVATRounding switches the VAT rounding model for orders created or updated from now on.
func (s *Server) SetVATRounding(mode RoundingMode, m Midpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rounding, s.midpoint = mode, m
}

// ExpireTokens makes every issued token invalid, as if an hour had passed.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]tokenInfo{}
}

// ---- middleware ----

type ctxKey int

const scopesKey ctxKey = 0

// api wraps a /v2 handler: subscription key, rate limit, fault injection, bearer token, scope.
func (s *Server) api(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		arrived := time.Now()
		defer s.answered(arrived)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				writeMessage(w, http.StatusInternalServerError, "An error has occurred.")
			}
		}()
		s.mu.Lock()
		s.stats.Requests++
		if s.stats.FirstRequest.IsZero() {
			s.stats.FirstRequest = arrived
		}
		s.mu.Unlock()

		key := r.Header.Get("Ocp-Apim-Subscription-Key")
		if key == "" {
			key = r.URL.Query().Get("subscription-key")
		}
		switch {
		case key == "":
			writeAPIM(w, http.StatusUnauthorized, "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.")
			return
		case key != s.opts.SubscriptionKey:
			writeAPIM(w, http.StatusUnauthorized, "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.")
			return
		}

		if wait, ok := s.admit(); !ok {
			secs := int((wait + time.Second - 1) / time.Second)
			if secs < 1 {
				secs = 1
			}
			w.Header().Set("Retry-After", fmt.Sprint(secs))
			writeAPIM(w, http.StatusTooManyRequests, fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", secs))
			return
		}

		s.mu.Lock()
		f := s.faults
		fail := f.ErrorRate > 0 && s.rng.Float64() < f.ErrorRate
		var status int
		if fail {
			status = []int{500, 502, 503, 504}[s.rng.IntN(4)]
			s.stats.InjectedErrors++
		}
		s.mu.Unlock()
		if f.Latency > 0 {
			t := time.NewTimer(f.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if fail {
			writeJSON(w, status, map[string]any{"statusCode": status, "message": "Simulated server failure."})
			return
		}

		scopes, ok := s.checkBearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Authorization has been denied for this request."})
			return
		}
		if scope != "" && !scopes[scope] {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		h(w, r)
	}
}

// answered adds a /v2 request that arrived at arrived and is answered now to the busy time.
func (s *Server) answered(arrived time.Time) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.BusyNanos += int64(now.Sub(arrived))
	if now.After(s.stats.LastAnswer) {
		s.stats.LastAnswer = now
	}
}

// admit applies the sliding 60 s window; it returns how long to wait when the request is refused.
func (s *Server) admit() (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Clock()
	cut := now.Add(-time.Minute)
	i := 0
	for i < len(s.window) && !s.window[i].After(cut) {
		i++
	}
	s.window = s.window[i:]
	if s.rate > 0 && len(s.window) >= s.rate {
		s.stats.RateLimited++
		return s.window[0].Add(time.Minute).Sub(now), false
	}
	s.window = append(s.window, now)
	if len(s.window) > s.stats.MaxPerWindow {
		s.stats.MaxPerWindow = len(s.window)
	}
	return 0, true
}

func (s *Server) checkBearer(r *http.Request) (map[string]bool, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ti, ok := s.tokens[strings.TrimSpace(tok)]
	if !ok || !s.opts.Clock().Before(ti.expires) {
		return nil, false
	}
	return ti.scopes, true
}

// loseResponse decides, after a create was committed, whether to drop the response; if so it
// aborts the connection and does not return.
func (s *Server) loseResponse() {
	s.mu.Lock()
	lose := s.faults.LoseCreateResponseRate > 0 && s.rng.Float64() < s.faults.LoseCreateResponseRate
	if lose {
		s.stats.LostResponses++
	}
	s.mu.Unlock()
	if lose {
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) countCreate(resource string) {
	s.mu.Lock()
	s.stats.Creates[resource]++
	s.mu.Unlock()
}

// ---- routes ----

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /b2b/token", s.handleToken)

	m.HandleFunc("GET /v2/companyInfo", s.api("settings:read", s.getCompanyInfo))
	m.HandleFunc("PUT /v2/companyInfo", s.api("settings:write", s.putCompanyInfo))
	m.HandleFunc("GET /v2/landen", s.api("settings:read", s.listLanden))
	m.HandleFunc("GET /v2/landen/{id}", s.api("settings:read", s.getLand))
	m.HandleFunc("GET /v2/btwtarieven", s.api("settings:read", s.listBtwTarieven))
	m.HandleFunc("GET /v2/vatrates", s.api("settings:read", s.listVatRates))
	m.HandleFunc("GET /v2/vatrates/{id}", s.api("settings:read", s.getVatRates))
	m.HandleFunc("GET /v2/kostenplaatsen", s.api("settings:read", s.listKostenplaatsen))
	m.HandleFunc("POST /v2/kostenplaatsen", s.api("settings:write", s.createKostenplaats))
	m.HandleFunc("GET /v2/kostenplaatsen/{id}", s.api("settings:read", s.getKostenplaats))
	m.HandleFunc("PUT /v2/kostenplaatsen/{id}", s.api("settings:write", s.putKostenplaats))
	m.HandleFunc("DELETE /v2/kostenplaatsen/{id}", s.api("settings:write", s.deleteKostenplaats))
	m.HandleFunc("GET /v2/artikelomzetgroepen", s.api("artikelen:read", s.listOmzetgroepen))
	m.HandleFunc("GET /v2/artikelomzetgroepen/{id}", s.api("artikelen:read", s.getOmzetgroep))
	m.HandleFunc("GET /v2/verkoopordersjablonen", s.api("orders:read", s.listSjablonen))
	m.HandleFunc("GET /v2/verkoopordersjablonen/{id}", s.api("orders:read", s.getSjabloon))

	m.HandleFunc("GET /v2/relaties", s.api("relaties:read", s.listRelaties))
	m.HandleFunc("POST /v2/relaties", s.api("relaties:write", s.createRelatie))
	m.HandleFunc("GET /v2/relaties/{id}", s.api("relaties:read", s.getRelatie))
	m.HandleFunc("PUT /v2/relaties/{id}", s.api("relaties:write", s.putRelatie))
	m.HandleFunc("DELETE /v2/relaties/{id}", s.api("relaties:write", s.deleteRelatie))

	m.HandleFunc("GET /v2/artikelen", s.api("artikelen:read", s.listArtikelen))
	m.HandleFunc("POST /v2/artikelen", s.api("artikelen:write", s.createArtikel))
	m.HandleFunc("GET /v2/artikelen/{id}", s.api("artikelen:read", s.getArtikel))
	m.HandleFunc("PUT /v2/artikelen/{id}", s.api("artikelen:write", s.putArtikel))
	m.HandleFunc("DELETE /v2/artikelen/{id}", s.api("artikelen:write", s.deleteArtikel))
	m.HandleFunc("GET /v2/artikelen/{id}/customFields", s.api("artikelen:read", s.getArtikelCustomFields))
	m.HandleFunc("PUT /v2/artikelen/{id}/customFields", s.api("artikelen:write", s.putArtikelCustomFields))

	m.HandleFunc("GET /v2/verkooporders", s.api("orders:read", s.listVerkooporders))
	m.HandleFunc("POST /v2/verkooporders", s.api("orders:write", s.createVerkooporder))
	m.HandleFunc("GET /v2/verkooporders/{id}", s.api("orders:read", s.getVerkooporder))
	m.HandleFunc("PUT /v2/verkooporders/{id}", s.api("orders:write", s.putVerkooporder))
	m.HandleFunc("DELETE /v2/verkooporders/{id}", s.api("orders:write", s.deleteVerkooporder))
	m.HandleFunc("PUT /v2/verkooporders/{id}/ProcesStatus", s.api("orders:write", s.putProcesStatus))
	m.HandleFunc("POST /v2/verkoopboekingen", s.api("boekhouden:write", s.createVerkoopboeking))
	m.HandleFunc("GET /v2/verkoopboekingen/{id}", s.api("boekhouden:read", s.getVerkoopboeking))
	m.HandleFunc("GET /v2/verkoopfacturen", s.api("orders:read", s.listVerkoopfacturen))
	m.HandleFunc("GET /v2/grootboeken", s.api("boekhouden:read", s.listGrootboeken))
	m.HandleFunc("GET /v2/grootboeken/{id}", s.api("boekhouden:read", s.getGrootboek))

	// Anything else under /v2 still goes through the key/token checks, then 404.
	m.HandleFunc("/v2/", s.api("", func(w http.ResponseWriter, r *http.Request) {
		writeMessage(w, http.StatusNotFound, "No HTTP resource was found that matches the request URI.")
	}))

	s.adminRoutes(m)
	s.mux = m
}
