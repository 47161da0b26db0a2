package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// artikelenMaxTop is the $top maximum the document declares for GET /artikelen.
const artikelenMaxTop = 25

func (s *Server) validateArtikel(in *Artikel, selfID GUID) *verr {
	var e errs
	ci := s.st.CompanyInfo
	code := strings.TrimSpace(in.Artikelcode)
	switch {
	case code == "":
		e.addCode("ART-0002")
	case ci.ArtikelcodeSoort == "Numeriek" && strings.TrimFunc(code, unicode.IsDigit) != "":
		e.addCode("ART-0003")
	case ci.ArtikelcodeMaxLengte > 0 && runes(code) > int(ci.ArtikelcodeMaxLengte):
		e.addCode("ART-0004")
	default:
		same, _ := s.artikelIndex().equal("artikelcode", code)
		for _, i := range same {
			if s.st.Artikelen[i].Artikelcode == code && s.st.Artikelen[i].ID != selfID {
				e.addCode("ART-0005")
				break
			}
		}
	}
	switch {
	case strings.TrimSpace(in.Omschrijving) == "":
		e.addCode("ART-0006")
	case runes(in.Omschrijving) > 250:
		e.addCode("ART-0007")
	}
	switch id := refID(in.ArtikelOmzetgroep); {
	case id == "":
		e.addCode("ART-0008")
	case s.findOmzetgroep(id) == nil:
		e.addCode("ART-0009")
	}
	if n := ci.AantalDecimalenArtikelprijzen; n > 0 && -in.Verkoopprijs.Exponent() > n && !in.Verkoopprijs.Equal(in.Verkoopprijs.Truncate(n)) {
		e.add("", fmt.Sprintf("De verkoopprijs %s heeft meer dan %d decimalen (instelling aantal decimalen artikelprijzen).", in.Verkoopprijs.String(), n))
	}
	if id := refID(in.Relatie); id != "" {
		if i := s.findRelatie(id); i < 0 {
			e.addCode("ART-0016")
		} else if r := &s.st.Relaties[i]; !hasSoort(r, "Leverancier") && !hasSoort(r, "Eigen") {
			e.addCode("ART-0017")
		}
	}
	if len(e) > 0 {
		return &verr{codes: e}
	}
	return nil
}

func (s *Server) listArtikelen(w http.ResponseWriter, r *http.Request) {
	q, ok := parseOData(w, r, Artikel{}, artikelenMaxTop)
	if !ok {
		return
	}
	if !s.checkRelatieParam(w, r) {
		return
	}
	s.mu.Lock()
	out := listPage(s, q, s.st.Artikelen, s.artikelIndex())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// checkRelatieParam validates the optional relatieId/aantal query parameters (price agreements
// are not modelled: a known relatie changes nothing; an unknown one is 404).
func (s *Server) checkRelatieParam(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	if v := q.Get("aantal"); v != "" {
		var n int32
		if _, err := fmt.Sscan(v, &n); err != nil {
			writeModelState(w, "aantal", "The value '"+truncate(v, 20)+"' is not valid for Int32.")
			return false
		}
	}
	v := q.Get("relatieId")
	if v == "" {
		return true
	}
	id, ok := parseGUID(v)
	if !ok {
		writeModelState(w, "relatieId", "The value '"+truncate(v, 40)+"' is not valid for Guid.")
		return false
	}
	s.mu.Lock()
	found := s.findRelatie(id) >= 0
	s.mu.Unlock()
	if !found {
		notFound(w, "Relatie")
		return false
	}
	return true
}

func (s *Server) getArtikel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok || !s.checkRelatieParam(w, r) {
		return
	}
	s.mu.Lock()
	i := s.findArtikel(id)
	var a Artikel
	if i >= 0 {
		a = clone(s.st.Artikelen[i])
	}
	s.mu.Unlock()
	if i < 0 {
		notFound(w, "Artikel")
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) createArtikel(w http.ResponseWriter, r *http.Request) {
	var in Artikel
	if !decodeBody(w, r, "artikel", &in) {
		return
	}
	if !in.ID.IsEmpty() {
		writeCode(w, "ALG-0100")
		return
	}
	in.Artikelcode = strings.TrimSpace(in.Artikelcode)
	s.mu.Lock()
	if v := s.validateArtikel(&in, ""); v != nil {
		s.mu.Unlock()
		v.write(w)
		return
	}
	// Stock and composition are read-only: a new article has none.
	in.TechnischeVoorraad, in.VrijeVoorraad = Decimal{}, Decimal{}
	in.IsHoofdartikel, in.Subartikelen = false, nil
	in.ID = s.newGUID()
	in.ModifiedOn = Time{s.now()}
	normArtikel(&in)
	s.st.Artikelen = append(s.st.Artikelen, in)
	out := clone(in)
	s.mu.Unlock()
	s.countCreate("artikelen")
	s.loseResponse()
	writeJSON(w, http.StatusCreated, out.write())
}

func (s *Server) putArtikel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in Artikel
	if !decodeBody(w, r, "artikel", &in) {
		return
	}
	if in.ID != id {
		writeCode(w, "ALG-0101")
		return
	}
	in.Artikelcode = strings.TrimSpace(in.Artikelcode)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findArtikel(id)
	if i < 0 {
		notFound(w, "Artikel")
		return
	}
	if v := s.validateArtikel(&in, id); v != nil {
		v.write(w)
		return
	}
	old := s.st.Artikelen[i]
	in.TechnischeVoorraad, in.VrijeVoorraad = old.TechnischeVoorraad, old.VrijeVoorraad
	in.IsHoofdartikel, in.Subartikelen = old.IsHoofdartikel, old.Subartikelen
	if in.ExtraVelden == nil {
		in.ExtraVelden = old.ExtraVelden
	}
	in.ModifiedOn = Time{s.now()}
	normArtikel(&in)
	s.st.Artikelen[i] = in
	s.artikelIndex().replace(i, &old, &in)
	writeJSON(w, http.StatusOK, clone(in).write())
}

func (s *Server) deleteArtikel(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findArtikel(id)
	if i < 0 {
		notFound(w, "Artikel")
		return
	}
	if !s.st.Artikelen[i].TechnischeVoorraad.IsZero() {
		writeCode(w, "ART-0010")
		return
	}
	for _, o := range s.st.Verkooporders {
		if o.ProcesStatus == "Factuur" {
			continue
		}
		for _, l := range o.Regels {
			if refID(l.Artikel) == id {
				writeCode(w, "ART-0011")
				return
			}
		}
	}
	s.st.Artikelen = append(s.st.Artikelen[:i], s.st.Artikelen[i+1:]...)
	writeJSON(w, http.StatusOK, struct{}{})
}

// customFieldDto is SnelStart.Business.Interfaces.CustomFields.CustomFieldDto.
type customFieldDto struct {
	Definition customFieldDefinition `json:"definition"`
	Value      any                   `json:"value"`
}

type customFieldDefinition struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Properties []any  `json:"properties"`
	YPosition  int32  `json:"yPosition"`
	XPosition  int32  `json:"xPosition"`
}

// articleFieldNames are the extra fields defined for articles: every name used in any article.
func (s *Server) articleFieldNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range s.st.Artikelen {
		for _, f := range a.ExtraVelden {
			if !seen[f.Naam] {
				seen[f.Naam] = true
				out = append(out, f.Naam)
			}
		}
	}
	return out
}

// customFieldsOf renders an article's extra fields as Text fields. The value travels as the
// plain string (null when unset); the document's `type: object` is how its generator renders
// .NET `object`, which a text value cannot satisfy literally.
func (s *Server) customFieldsOf(a *Artikel) []customFieldDto {
	out := []customFieldDto{}
	for y, name := range s.articleFieldNames() {
		d := customFieldDto{Definition: customFieldDefinition{Name: name, Type: "Text", Properties: []any{}, YPosition: int32(y)}}
		for _, f := range a.ExtraVelden {
			if f.Naam == name {
				d.Value = f.Waarde
			}
		}
		out = append(out, d)
	}
	return out
}

func (s *Server) getArtikelCustomFields(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findArtikel(id)
	if i < 0 {
		notFound(w, "Artikel")
		return
	}
	writeJSON(w, http.StatusOK, s.customFieldsOf(&s.st.Artikelen[i]))
}

func (s *Server) putArtikelCustomFields(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in []struct {
		Name  string          `json:"name"`
		Value json.RawMessage `json:"value"`
	}
	if !decodeBody(w, r, "customFields", &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findArtikel(id)
	if i < 0 {
		notFound(w, "Artikel")
		return
	}
	names := map[string]bool{}
	for _, n := range s.articleFieldNames() {
		names[n] = true
	}
	seen := map[string]bool{}
	var e errs
	vals := map[string]string{}
	for _, f := range in {
		switch {
		case !names[f.Name]:
			e.add("REF-0002", "Eén van de te wijzigen velden van de entiteit is niet gevonden")
		case seen[f.Name]:
			e.add("REF-0003", "Eén van de te wijzigen velden van de entiteit komt meerdere keren voor in uw aanvraag")
		default:
			var str string
			if err := json.Unmarshal(f.Value, &str); err != nil {
				var obj struct {
					Value string `json:"value"`
				}
				if err2 := json.Unmarshal(f.Value, &obj); err2 != nil {
					e.add("REF-0014", "Eén van de waarden van een tekstveld bevat geen string.")
					continue
				}
				str = obj.Value
			}
			vals[f.Name] = str
		}
		seen[f.Name] = true
	}
	if len(e) > 0 {
		writeErrors(w, e)
		return
	}
	a := &s.st.Artikelen[i]
	for name, v := range vals {
		found := false
		for k := range a.ExtraVelden {
			if a.ExtraVelden[k].Naam == name {
				a.ExtraVelden[k].Waarde, found = v, true
			}
		}
		if !found {
			a.ExtraVelden = append(a.ExtraVelden, ExtraVeld{Naam: name, Waarde: v})
		}
	}
	a.ModifiedOn = Time{s.now()}
	writeJSON(w, http.StatusOK, s.customFieldsOf(a))
}
