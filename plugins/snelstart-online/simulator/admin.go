package simulator

import (
	"encoding/json"
	"net/http"
	"time"
)

// faultsJSON is the admin endpoint's representation of Faults (latency as a Go duration string).
type faultsJSON struct {
	ErrorRate              float64 `json:"errorRate"`
	Latency                string  `json:"latency"`
	LoseCreateResponseRate float64 `json:"loseCreateResponseRate"`
}

// adminRoutes registers the simulator's own endpoints (no authentication; local use only):
//
//	GET  /_sim/                  the list below, with examples
//	POST /_sim/artikelen         add an article (the body of POST /v2/artikelen)
//	POST /_sim/relaties          add a relatie (the body of POST /v2/relaties)
//	POST /_sim/reset             back to the seed; tokens, rate window and stats cleared
//	GET  /_sim/state             the administration as JSON (a valid seed)
//	GET  /_sim/stats             counters (see Stats)
//	GET  /_sim/faults            current fault injection
//	PUT  /_sim/faults            {"errorRate":0.1,"latency":"50ms","loseCreateResponseRate":0.2}
//	PUT  /_sim/ratelimit         {"perMinute":100} (negative disables)
//	PUT  /_sim/vat               {"rounding":"per-rate|per-line","midpoint":"away|even"}
//	POST /_sim/tokens/expire     invalidate every issued token
//	POST /_sim/verkooporders/{id}/invoice   invoice the order as a bookkeeper would in SnelStart
//	                             (procesStatus Factuur, a verkoopfactuur linked): from then on
//	                             PUT and DELETE of the order are refused with VOR-0015
//	POST /_sim/verkoopfacturen/{factuurnummer}/payments  {"bedrag":59.90}: PayInvoice
//	PUT  /_sim/period            {"afgeslotenTotEnMet":"..."}: ClosePeriod
//	PUT  /_sim/verkoopboekingen/refuse  {"codes":["BOE-0039"]}: RefuseBoekingen
func (s *Server) adminRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /_sim/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(adminIndex))
	})
	// Adding an article or a customer as a bookkeeper would in SnelStart: the API's own
	// validation and answers, without keys, token or call budget.
	m.HandleFunc("POST /_sim/artikelen", s.createArtikel)
	m.HandleFunc("POST /_sim/relaties", s.createRelatie)
	m.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	m.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Dump())
	})
	m.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Stats())
	})
	m.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		f := s.faults
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, faultsJSON{f.ErrorRate, f.Latency.String(), f.LoseCreateResponseRate})
	})
	m.HandleFunc("PUT /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		var in faultsJSON
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
			writeMessage(w, http.StatusBadRequest, "bad faults body: "+truncate(err.Error(), 100))
			return
		}
		f := Faults{ErrorRate: in.ErrorRate, LoseCreateResponseRate: in.LoseCreateResponseRate}
		if in.Latency != "" {
			d, err := time.ParseDuration(in.Latency)
			if err != nil {
				writeMessage(w, http.StatusBadRequest, "bad latency: "+truncate(err.Error(), 100))
				return
			}
			f.Latency = d
		}
		if err := s.SetFaults(f); err != nil {
			writeMessage(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, faultsJSON{f.ErrorRate, f.Latency.String(), f.LoseCreateResponseRate})
	})
	m.HandleFunc("PUT /_sim/ratelimit", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PerMinute int `json:"perMinute"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
			writeMessage(w, http.StatusBadRequest, "bad ratelimit body")
			return
		}
		s.SetRateLimit(in.PerMinute)
		writeJSON(w, http.StatusOK, in)
	})
	m.HandleFunc("PUT /_sim/vat", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Rounding string `json:"rounding"`
			Midpoint string `json:"midpoint"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
			writeMessage(w, http.StatusBadRequest, "bad vat body")
			return
		}
		mode, err := ParseRoundingMode(in.Rounding)
		if err != nil {
			writeMessage(w, http.StatusBadRequest, err.Error())
			return
		}
		mp, err := ParseMidpoint(in.Midpoint)
		if err != nil {
			writeMessage(w, http.StatusBadRequest, err.Error())
			return
		}
		s.SetVATRounding(mode, mp)
		writeJSON(w, http.StatusOK, map[string]string{"rounding": mode.String(), "midpoint": mp.String()})
	})
	m.HandleFunc("POST /_sim/verkooporders/{id}/invoice", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r)
		if !ok {
			return
		}
		if !s.Invoice(id) {
			notFound(w, "Verkooporder")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "invoiced"})
	})
	m.HandleFunc("PUT /_sim/period", func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			AfgeslotenTotEnMet *Time `json:"afgeslotenTotEnMet"`
		}
		if !decodeBody(w, r, "period", &p) {
			return
		}
		s.ClosePeriod(p.AfgeslotenTotEnMet)
		writeJSON(w, http.StatusOK, p)
	})
	m.HandleFunc("PUT /_sim/verkoopboekingen/refuse", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Codes []string `json:"codes"`
		}
		if !decodeBody(w, r, "refuse", &in) {
			return
		}
		for _, c := range in.Codes {
			if _, ok := codeText[c]; !ok {
				writeMessage(w, http.StatusBadRequest, "unknown error code "+truncate(c, 20))
				return
			}
		}
		s.RefuseBoekingen(in.Codes...)
		writeJSON(w, http.StatusOK, in)
	})
	m.HandleFunc("POST /_sim/verkoopfacturen/{number}/payments", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Bedrag Decimal `json:"bedrag"`
		}
		if !decodeBody(w, r, "payment", &in) {
			return
		}
		if !s.PayInvoice(r.PathValue("number"), in.Bedrag.Decimal) {
			notFound(w, "Verkoopfactuur")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "paid"})
	})
	m.HandleFunc("POST /_sim/tokens/expire", func(w http.ResponseWriter, r *http.Request) {
		s.ExpireTokens()
		writeJSON(w, http.StatusOK, map[string]string{"status": "expired"})
	})
}

// Invoice turns sales order id into an invoice, as SnelStart does when a bookkeeper invoices it:
// procesStatus becomes Factuur and a verkoopfactuur is linked. It reports false for an unknown
// order.
func (s *Server) Invoice(id GUID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findOrder(id)
	if i < 0 {
		return false
	}
	o := &s.st.Verkooporders[i]
	o.ProcesStatus = "Factuur"
	if o.Verkoopfactuur == nil {
		o.Verkoopfactuur = normRef(&Ref{ID: s.newGUID()}, "verkoopfacturen")
	}
	o.ModifiedOn = Time{s.now()}
	return true
}

// adminIndex is the answer of GET /_sim/.
const adminIndex = `SnelStart B2B API simulator: admin endpoints (no keys; not part of SnelStart)

GET  /_sim/                    this list
GET  /_sim/state               the administration as JSON (usable as --seed FILE)
POST /_sim/artikelen           add an article as in SnelStart (body as POST /v2/artikelen), e.g.
                               curl -X POST localhost:8701/_sim/artikelen -d '{"artikelcode":"VERZ","omschrijving":"Verzendkosten","artikelOmzetgroep":{"id":"<id from GET /_sim/state>"},"verkoopprijs":4.95}'
POST /_sim/relaties            add a customer (body as POST /v2/relaties), e.g.
                               curl -X POST localhost:8701/_sim/relaties -d '{"relatiesoort":["Klant"],"naam":"Jansen Tuinen"}'
POST /_sim/verkooporders/{id}/invoice   invoice a sales order as a bookkeeper would
POST /_sim/verkoopfacturen/{factuurnummer}/payments   {"bedrag":59.90}: a payment lowers openstaandSaldo (0 = paid)
PUT  /_sim/period              {"afgeslotenTotEnMet":"2026-03-31T00:00:00"}: bookings dated up to then get BOE-0042
PUT  /_sim/verkoopboekingen/refuse   {"codes":["BOE-0039"]}: the next bookings are refused with these codes
POST /_sim/reset               back to the seed
GET  /_sim/stats               counters
GET  /_sim/faults              faults in force
PUT  /_sim/faults              {"errorRate":0.1,"latency":"50ms","loseCreateResponseRate":0.2}
PUT  /_sim/ratelimit           {"perMinute":100} (negative: unlimited)
PUT  /_sim/vat                 {"rounding":"per-rate|per-line","midpoint":"away|even"}
POST /_sim/tokens/expire       invalidate every issued token

The API itself: token at /b2b/token, resources under /v2/ (subscription key and token needed).
`

// ClosePeriod closes the bookkeeping up to and including until (nil reopens it): bookings
// dated on or before it are refused with BOE-0042.
func (s *Server) ClosePeriod(until *Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.AfgeslotenTotEnMet = until
}
