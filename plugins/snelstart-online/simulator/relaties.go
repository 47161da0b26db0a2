package simulator

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

func init() {
	for k, v := range map[string]string{
		"REL-0029": "AanmaningEmailVersturen.Email dient gevuld te zijn indien AanmaningEmailVersturen.ShouldSend aan staat",
		"REL-0032": "FactuurEmailVersturen.Email dient gevuld te zijn indien FactuurEmailVersturen.ShouldSend aan staat",
		"REL-0038": "BevestigingsEmailVersturen.Email dient gevuld te zijn indien BevestigingsEmailVersturen.ShouldSend aan staat",
		"REL-0044": "OfferteEmailVersturen.Email dient gevuld te zijn indien OfferteEmailVersturen.ShouldSend aan staat",
		"REL-0089": "E-mailadres voor Offerte-aanvragen moet ingevuld zijn als deze standaard gemaild moeten worden",
		"REL-0096": "E-mailadres voor Bestellingen moet ingevuld zijn als deze standaard gemaild moeten worden",
		"REL-0068": "AanmaningEmailVersturen.Email bevat één of meerdere ongeldige emailadressen. U kunt meerdere emailadressen opgeven door ze te scheiden met een puntkomma(;).",
		"REL-0072": "FactuurEmailVersturen.Email bevat één of meerdere ongeldige emailadressen. U kunt meerdere emailadressen opgeven door ze te scheiden met een puntkomma(;).",
		"REL-0076": "BevestigingsEmailVersturen.Email bevat één of meerdere ongeldige emailadressen. U kunt meerdere emailadressen opgeven door ze te scheiden met een puntkomma(;).",
		"REL-0080": "OfferteEmailVersturen.Email bevat één of meerdere ongeldige emailadressen. U kunt meerdere emailadressen opgeven door ze te scheiden met een puntkomma(;).",
		"REL-0061": "Email dient een geldig emailadres te zijn.",
		"REL-0103": "Klant kan niet worden verwijderd omdat deze intern door SnelStart wordt gebruikt",
	} {
		codeText[k] = v
	}
}

// validEmailList reports whether s is one address or a `;`-separated list of addresses.
func validEmailList(s string) bool {
	for _, part := range strings.Split(s, ";") {
		p := strings.TrimSpace(part)
		local, domain, ok := strings.Cut(p, "@")
		if !ok || local == "" || domain == "" || strings.ContainsAny(p, " ,<>\"") ||
			strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
			strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
			return false
		}
	}
	return true
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// validateRelatie checks a POST/PUT body (old is nil on create). Caller holds s.mu.
func (s *Server) validateRelatie(in *Relatie, old *Relatie) *verr {
	if runes(in.Naam) > 50 {
		return modelErr("relatie.Naam", "The field Naam must be a string with a maximum length of 50.")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"Iban", in.Iban, 50}, {"Bic", in.Bic, 15}, {"WebsiteUrl", in.WebsiteURL, 100}} {
		if runes(f.v) > f.max {
			return modelErr("relatie."+f.name, "The field "+f.name+" must be a string with a maximum length of "+itoa(f.max)+".")
		}
	}
	switch in.Aanmaningsoort {
	case "", "Nee", "Onderneming", "Consument":
	default:
		return modelErr("relatie.Aanmaningsoort", "Error converting value to type 'Aanmaningsoort'.")
	}
	switch in.IncassoSoort {
	case "", "Geen", "Core", "B2B":
	default:
		return modelErr("relatie.IncassoSoort", "Error converting value to type 'IncassoSoort'.")
	}
	var e errs
	klant, lev := false, false
	for _, so := range in.Relatiesoort {
		switch so {
		case "Klant":
			klant = true
		case "Leverancier":
			lev = true
		case "Geen":
			e.addCode("REL-0001")
		case "Eigen":
			e.addCode("REL-0048")
		default:
			return modelErr("relatie.Relatiesoort", "Error converting value to type 'Relatiesoort'.")
		}
	}
	if len(in.Relatiesoort) == 0 {
		e.addCode("REL-0001")
	}
	if klant && lev {
		e.addCode("REL-0065")
	}
	if old != nil && !sameSoort(old.Relatiesoort, in.Relatiesoort) {
		e.addCode("REL-0064")
	}
	if strings.TrimSpace(in.Naam) == "" {
		e.addCode("REL-0007")
	}
	if in.Relatiecode != 0 {
		same, _ := s.relatieIndex().equal("relatiecode", itoa(int(in.Relatiecode)))
		for _, i := range same {
			o := &s.st.Relaties[i]
			if o.Relatiecode == in.Relatiecode && (old == nil || o.ID != old.ID) {
				e.addCode("REL-0008")
				break
			}
		}
	}
	if runes(in.Telefoon) > 25 {
		e.addCode("REL-0013")
	}
	if runes(in.MobieleTelefoon) > 25 {
		e.addCode("REL-0012")
	}
	if in.Email != "" {
		switch {
		case runes(in.Email) > 250:
			e.addCode("REL-0085")
		case !validEmailList(in.Email) && strings.Contains(in.Email, ";"):
			e.addCode("REL-0084")
		case !validEmailList(in.Email):
			e.addCode("REL-0061")
		}
	}
	if a := in.VestigingsAdres; !a.empty() {
		if runes(a.Straat) > 50 {
			e.addCode("REL-0020")
		}
		if runes(a.Postcode) > 25 {
			e.addCode("REL-0021")
		}
		if runes(a.Plaats) > 50 {
			e.addCode("REL-0022")
		}
		if runes(a.Contactpersoon) > 50 {
			e.addCode("REL-0023")
		}
		if a.Straat == "" || a.Postcode == "" || a.Plaats == "" || refID(a.Land) == "" {
			e.addCode("REL-0060")
		} else if s.findLand(refID(a.Land)) == nil {
			e.addCode("REL-0056")
		}
	}
	if a := in.CorrespondentieAdres; !a.empty() {
		if runes(a.Straat) > 50 {
			e.addCode("REL-0025")
		}
		if runes(a.Postcode) > 25 {
			e.addCode("REL-0026")
		}
		if runes(a.Plaats) > 50 {
			e.addCode("REL-0027")
		}
		if runes(a.Contactpersoon) > 50 {
			e.addCode("REL-0028")
		}
		if id := refID(a.Land); id != "" && s.findLand(id) == nil {
			e.addCode("REL-0055")
		}
	}
	if in.Krediettermijn < -365 || in.Krediettermijn > 1000 {
		e.addCode("REL-0003")
	}
	if !in.Factuurkorting.IsZero() && !klant {
		e.addCode("REL-0004")
	}
	if !in.KredietLimiet.IsZero() && !klant {
		e.addCode("REL-0062")
	}
	if runes(in.KvkNummer) > 12 {
		e.addCode("REL-0006")
	}
	if in.Oin != "" && (len(in.Oin) != 20 || strings.TrimFunc(in.Oin, unicode.IsDigit) != "") {
		e.addCode("REL-0086")
	}
	if in.WebsiteURL != "" && !validURL(in.WebsiteURL) {
		e.addCode("REL-0015")
	}
	if b := in.BtwNummer; b != "" {
		switch {
		case runes(b) > 50:
			e.addCode("REL-0057")
		case runes(b) < 2:
			e.addCode("REL-0058")
		case strings.TrimFunc(b, func(r rune) bool { return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }) != "":
			e.addCode("REL-0059")
		default:
			if a := in.VestigingsAdres; a != nil && unicode.IsLetter(rune(b[0])) && unicode.IsLetter(rune(b[1])) {
				if l := s.findLand(refID(a.Land)); l != nil && l.LandcodeISO != "" &&
					!strings.EqualFold(b[:2], l.LandcodeISO) && !(strings.EqualFold(b[:2], "EL") && l.LandcodeISO == "GR") {
					e.addCode("REL-0087")
				}
			}
		}
	}
	if in.Aanmaningsoort != "" && in.Aanmaningsoort != "Nee" && !klant {
		e.addCode("REL-0002")
	}
	if in.IncassoSoort != "" && in.IncassoSoort != "Geen" && !klant {
		e.addCode("REL-0016")
	}
	if id := refID(in.FactuurRelatie); id != "" {
		if i := s.findRelatie(id); i < 0 {
			e.addCode("REL-0017")
		} else if !hasSoort(&s.st.Relaties[i], "Klant") {
			e.addCode("REL-0018")
		}
	}
	for _, ev := range []struct {
		v                 *EmailVersturen
		required, invalid string
	}{
		{in.AanmaningEmailVersturen, "REL-0029", "REL-0068"},
		{in.FactuurEmailVersturen, "REL-0032", "REL-0072"},
		{in.BevestigingsEmailVersturen, "REL-0038", "REL-0076"},
		{in.OfferteEmailVersturen, "REL-0044", "REL-0080"},
		{in.OfferteAanvraagEmailVersturen, "REL-0089", ""},
		{in.BestellingEmailVersturen, "REL-0096", ""},
	} {
		if ev.v == nil {
			continue
		}
		if ev.v.ShouldSend && strings.TrimSpace(ev.v.Email) == "" {
			e.addCode(ev.required)
		} else if ev.v.Email != "" && ev.invalid != "" && !validEmailList(ev.v.Email) {
			e.addCode(ev.invalid)
		}
	}
	if len(e) > 0 {
		return &verr{codes: e}
	}
	return nil
}

func validURL(s string) bool {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.Contains(u.Host, ".")
}

func sameSoort(a, b []string) bool {
	set := func(l []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	x, y := set(a), set(b)
	if len(x) != len(y) {
		return false
	}
	for k := range x {
		if !y[k] {
			return false
		}
	}
	return true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

func (s *Server) listRelaties(w http.ResponseWriter, r *http.Request) {
	q, ok := parseOData(w, r, Relatie{}, 500)
	if !ok {
		return
	}
	s.mu.Lock()
	out := listPage(s, q, s.st.Relaties, s.relatieIndex())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getRelatie(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	i := s.findRelatie(id)
	var rel Relatie
	if i >= 0 {
		rel = clone(s.st.Relaties[i])
	}
	s.mu.Unlock()
	if i < 0 {
		notFound(w, "Relatie")
		return
	}
	writeJSON(w, http.StatusOK, rel)
}

// stripRelatieReadOnly drops what a client cannot set (read-only and RelatieModel-only fields).
func stripRelatieReadOnly(in *Relatie) {
	in.Fax = ""
	in.ExtraVeldenKlant = nil
	in.Documents = nil
}

func (s *Server) createRelatie(w http.ResponseWriter, r *http.Request) {
	var in Relatie
	if !decodeBody(w, r, "relatie", &in) {
		return
	}
	if !in.ID.IsEmpty() {
		writeCode(w, "REL-0063")
		return
	}
	stripRelatieReadOnly(&in)
	s.mu.Lock()
	if v := s.validateRelatie(&in, nil); v != nil {
		s.mu.Unlock()
		v.write(w)
		return
	}
	if in.Relatiecode == 0 {
		in.Relatiecode = int32(s.relatieIndex().highest(s.st.Relaties)) + 1
	}
	in.ID = s.newGUID()
	in.ModifiedOn = Time{s.now()}
	normRelatie(&in)
	s.st.Relaties = append(s.st.Relaties, in)
	out := clone(in)
	s.mu.Unlock()
	s.countCreate("relaties")
	s.loseResponse()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) putRelatie(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in Relatie
	if !decodeBody(w, r, "relatie", &in) {
		return
	}
	if in.ID != id {
		writeCode(w, "REL-0047")
		return
	}
	stripRelatieReadOnly(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findRelatie(id)
	if i < 0 {
		notFound(w, "Relatie")
		return
	}
	old := s.st.Relaties[i]
	if v := s.validateRelatie(&in, &old); v != nil {
		v.write(w)
		return
	}
	if in.Relatiecode == 0 {
		in.Relatiecode = old.Relatiecode
	}
	in.Fax, in.ExtraVeldenKlant, in.Documents = old.Fax, old.ExtraVeldenKlant, old.Documents
	in.ModifiedOn = Time{s.now()}
	normRelatie(&in)
	s.st.Relaties[i] = in
	s.relatieIndex().replace(i, &old, &in)
	writeJSON(w, http.StatusOK, clone(in))
}

func (s *Server) deleteRelatie(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findRelatie(id)
	if i < 0 {
		notFound(w, "Relatie")
		return
	}
	if hasSoort(&s.st.Relaties[i], "Eigen") {
		writeCode(w, "REL-0103")
		return
	}
	for _, o := range s.st.Verkooporders {
		if refID(o.Relatie) == id && o.ProcesStatus != "Factuur" {
			writeCode(w, "REL-0050")
			return
		}
	}
	for _, o := range s.st.Relaties {
		if refID(o.FactuurRelatie) == id {
			writeCode(w, "REL-0051")
			return
		}
	}
	s.st.Relaties = append(s.st.Relaties[:i], s.st.Relaties[i+1:]...)
	writeJSON(w, http.StatusOK, struct{}{})
}
