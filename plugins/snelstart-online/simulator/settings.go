package simulator

import (
	"net/http"
	"strings"
)

func (s *Server) getCompanyInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ci := clone(s.st.CompanyInfo)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, ci)
}

// putCompanyInfo changes only factureerBuitenlandsBtw, the one updatable field.
func (s *Server) putCompanyInfo(w http.ResponseWriter, r *http.Request) {
	var in CompanyInfo
	if !decodeBody(w, r, "companyInfo", &in) {
		return
	}
	s.mu.Lock()
	s.st.CompanyInfo.FactureerBuitenlandsBtw = in.FactureerBuitenlandsBtw
	ci := clone(s.st.CompanyInfo)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, ci)
}

// listOf clones a slice for output under the lock.
func listOf[T any](s *Server, get func() []T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := clone(get())
	if out == nil {
		out = []T{}
	}
	return out
}

// getByID answers GET /v2/<resource>/{id} for a read-mostly list: the element with that id, or
// the 404 body naming what was not found.
func getByID[T any](s *Server, w http.ResponseWriter, r *http.Request, what string, list func() []T, idOf func(T) GUID) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	for _, v := range listOf(s, list) {
		if idOf(v) == id {
			writeJSON(w, http.StatusOK, v)
			return
		}
	}
	notFound(w, what)
}

func (s *Server) listLanden(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listOf(s, func() []Land { return s.st.Landen }))
}

func (s *Server) getLand(w http.ResponseWriter, r *http.Request) {
	getByID(s, w, r, "Land", func() []Land { return s.st.Landen }, func(v Land) GUID { return v.ID })
}

func (s *Server) listBtwTarieven(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listOf(s, func() []BtwTarief { return s.st.BtwTarieven }))
}

func (s *Server) listOmzetgroepen(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listOf(s, func() []Omzetgroep { return s.st.Omzetgroepen }))
}

func (s *Server) getOmzetgroep(w http.ResponseWriter, r *http.Request) {
	getByID(s, w, r, "Artikelomzetgroep", func() []Omzetgroep { return s.st.Omzetgroepen }, func(v Omzetgroep) GUID { return v.ID })
}

func (s *Server) listSjablonen(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listOf(s, func() []Sjabloon { return s.st.Sjablonen }))
}

func (s *Server) getSjabloon(w http.ResponseWriter, r *http.Request) {
	getByID(s, w, r, "Verkoopordersjabloon", func() []Sjabloon { return s.st.Sjablonen }, func(v Sjabloon) GUID { return v.ID })
}

func (s *Server) listKostenplaatsen(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, listOf(s, func() []Kostenplaats { return s.st.Kostenplaatsen }))
}

func (s *Server) getKostenplaats(w http.ResponseWriter, r *http.Request) {
	getByID(s, w, r, "Kostenplaats", func() []Kostenplaats { return s.st.Kostenplaatsen }, func(v Kostenplaats) GUID { return v.ID })
}

// validateKostenplaats applies KPL-0004..0009. Caller holds s.mu.
func (s *Server) validateKostenplaats(in *Kostenplaats, self GUID, create bool) errs {
	var e errs
	switch {
	case strings.TrimSpace(in.Omschrijving) == "":
		e.addCode("KPL-0004")
	case runes(in.Omschrijving) > 50:
		e.addCode("KPL-0005")
	}
	switch {
	case in.Nummer == 0:
		e.addCode("KPL-0006")
	case in.Nummer < 1 || in.Nummer > 999999999:
		e.addCode("KPL-0007")
	default:
		for _, k := range s.st.Kostenplaatsen {
			if k.Nummer == in.Nummer && k.ID != self {
				e.addCode("KPL-0008")
				break
			}
		}
	}
	if create && in.Nonactief {
		e.addCode("KPL-0009")
	}
	return e
}

func (s *Server) createKostenplaats(w http.ResponseWriter, r *http.Request) {
	var in Kostenplaats
	if !decodeBody(w, r, "kostenplaats", &in) {
		return
	}
	if !in.ID.IsEmpty() {
		writeCode(w, "ALG-0100")
		return
	}
	s.mu.Lock()
	if e := s.validateKostenplaats(&in, "", true); len(e) > 0 {
		s.mu.Unlock()
		writeErrors(w, e)
		return
	}
	in.ID = s.newGUID()
	in.URI = "/kostenplaatsen/" + string(in.ID)
	s.st.Kostenplaatsen = append(s.st.Kostenplaatsen, in)
	s.mu.Unlock()
	s.countCreate("kostenplaatsen")
	s.loseResponse()
	writeJSON(w, http.StatusCreated, in)
}

func (s *Server) putKostenplaats(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in Kostenplaats
	if !decodeBody(w, r, "kostenplaats", &in) {
		return
	}
	if in.ID != id {
		writeCode(w, "ALG-0101")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findKostenplaats(id)
	if i < 0 {
		notFound(w, "Kostenplaats")
		return
	}
	if e := s.validateKostenplaats(&in, id, false); len(e) > 0 {
		writeErrors(w, e)
		return
	}
	in.URI = "/kostenplaatsen/" + string(in.ID)
	s.st.Kostenplaatsen[i] = in
	writeJSON(w, http.StatusOK, in)
}

func (s *Server) deleteKostenplaats(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findKostenplaats(id)
	if i < 0 {
		notFound(w, "Kostenplaats")
		return
	}
	s.st.Kostenplaatsen = append(s.st.Kostenplaatsen[:i], s.st.Kostenplaatsen[i+1:]...)
	writeJSON(w, http.StatusOK, struct{}{})
}
