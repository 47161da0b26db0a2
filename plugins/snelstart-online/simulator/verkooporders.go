package simulator

import (
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// verr is a validation failure: either SnelStart coded errors or one model-state error.
type verr struct {
	codes   errs
	msField string
	msMsg   string
}

func (v *verr) write(w http.ResponseWriter) {
	if v.msField != "" {
		writeModelState(w, v.msField, v.msMsg)
		return
	}
	writeErrors(w, v.codes)
}

func (v *verr) String() string {
	if v.msField != "" {
		return v.msField + ": " + v.msMsg
	}
	if len(v.codes) > 0 {
		return v.codes[0].ErrorCode + " " + v.codes[0].Message
	}
	return "invalid"
}

func modelErr(field, msg string) *verr { return &verr{msField: field, msMsg: msg} }

func codeErr(code string) *verr {
	var e errs
	e.addCode(code)
	return &verr{codes: e}
}

func msgErr(msg string) *verr { return &verr{codes: errs{{Message: msg}}} }

var procesStatussen = map[string]bool{"Order": true, "Offerte": true, "Bevestiging": true, "Werkbon": true,
	"Pakbon": true, "Afhaalbon": true, "Contantbon": true, "Factuur": true}

// checkOrderAdres validates an afleveradres/factuuradres (VOR-0006..0010).
func (s *Server) checkOrderAdres(a *Adres, e *errs) {
	if a == nil {
		return
	}
	if utf8.RuneCountInString(a.Straat) > 50 {
		e.addCode("VOR-0006")
	}
	if utf8.RuneCountInString(a.Postcode) > 25 {
		e.addCode("VOR-0007")
	}
	if utf8.RuneCountInString(a.Plaats) > 50 {
		e.addCode("VOR-0008")
	}
	if utf8.RuneCountInString(a.Contactpersoon) > 50 {
		e.addCode("VOR-0009")
	}
	if id := refID(a.Land); id != "" && s.findLand(id) == nil {
		e.addCode("VOR-0010")
	}
}

// prepareOrder validates o against the administration, fills the defaults (procesStatus,
// verkoopOrderStatus, template, krediettermijn, geblokkeerd, Incl/Excl mode, factuurkorting,
// empty line descriptions) and computes the line and header totals. Caller holds s.mu.
func (s *Server) prepareOrder(o *Verkooporder, fromSeed bool) *verr {
	if refID(o.Relatie) == "" {
		return modelErr("verkooporder.Relatie", "The Relatie field is required.")
	}
	if o.Datum.IsZero() {
		return modelErr("verkooporder.Datum", "The Datum field is required.")
	}
	if o.ProcesStatus == "" {
		o.ProcesStatus = "Order"
	}
	if !procesStatussen[o.ProcesStatus] {
		return modelErr("verkooporder.ProcesStatus", fmt.Sprintf("Error converting value %q to type 'ProcesStatus'.", truncate(o.ProcesStatus, 30)))
	}
	if !fromSeed && (o.ProcesStatus == "Factuur" || o.ProcesStatus == "Contantbon") {
		return modelErr("verkooporder.ProcesStatus", "De processtatus '"+o.ProcesStatus+"' kan niet via de API worden ingesteld.")
	}
	switch o.VerkoopOrderStatus {
	case "":
		o.VerkoopOrderStatus = "InBehandeling"
	case "InBehandeling", "Uitgevoerd", "Service":
	default:
		return modelErr("verkooporder.VerkoopOrderStatus", fmt.Sprintf("Error converting value %q to type 'VerkoopOrderStatus'.", truncate(o.VerkoopOrderStatus, 30)))
	}
	switch o.VerkooporderBtwIngaveModel {
	case "", "Inclusief", "Exclusief":
	default:
		return modelErr("verkooporder.VerkooporderBtwIngaveModel", fmt.Sprintf("Error converting value %q to type 'VerkooporderBtwIngaveModel'.", truncate(o.VerkooporderBtwIngaveModel, 30)))
	}
	if o.Krediettermijn != nil && (*o.Krediettermijn < 0 || *o.Krediettermijn > 100) {
		return modelErr("verkooporder.Krediettermijn", "The field Krediettermijn must be between 0 and 100.")
	}
	for i, r := range o.Regels {
		if utf8.RuneCountInString(r.Omschrijving) > 250 {
			return modelErr(fmt.Sprintf("verkooporder.Regels[%d].Omschrijving", i), "The field Omschrijving must be a string with a maximum length of 250.")
		}
	}

	var e errs
	ri := s.findRelatie(refID(o.Relatie))
	var rel *Relatie
	if ri < 0 {
		e.addCode("REL-0005")
	} else {
		rel = &s.st.Relaties[ri]
		if !hasSoort(rel, "Klant") {
			e.addCode("VOR-0002")
		} else if rel.Nonactief {
			e.addCode("ALG-0105")
		}
	}
	var sj *Sjabloon
	if id := refID(o.Verkoopordersjabloon); id != "" {
		if sj = s.findSjabloon(id); sj == nil {
			e.add("", "Verkoopordersjabloon niet gevonden")
		}
	} else {
		for i := range s.st.Sjablonen {
			if !s.st.Sjablonen[i].Nonactief {
				sj = &s.st.Sjablonen[i]
				break
			}
		}
	}
	s.checkOrderAdres(o.Afleveradres, &e)
	s.checkOrderAdres(o.Factuuradres, &e)
	if utf8.RuneCountInString(o.Orderreferentie) > 50 {
		e.addCode("VOR-0011")
	}
	if id := refID(o.Kostenplaats); id != "" && s.findKostenplaats(id) < 0 {
		e.addCode("KPL-0001")
	}
	if refID(o.Incassomachtiging) != "" {
		e.addCode("VOR-0013")
	}
	in := TotalsInput{OverStukprijs: s.st.CompanyInfo.RegelkortingVerkooporder == "BerekenenOverStukprijs"}
	// The order's price mode, as it will be stored (the template's when the order gives none):
	// a line without stuksprijs takes the article's price in this mode.
	inclusief := o.VerkooporderBtwIngaveModel == "Inclusief" ||
		(o.VerkooporderBtwIngaveModel == "" && sj != nil && !sj.PrijsIngaveExclusiefBtw)
	var priced []int
	scheme, country := s.orderScheme(o, rel)
	for i := range o.Regels {
		r := &o.Regels[i]
		id := refID(r.Artikel)
		if id == "" {
			if r.Stuksprijs == nil {
				r.Stuksprijs = &Decimal{}
			}
			if !r.Aantal.IsZero() && !r.Stuksprijs.IsZero() {
				e.add("", fmt.Sprintf("Regel %d: een regel zonder artikel kan geen bedrag hebben.", i+1))
			}
			r.Totaal = Decimal{}
			continue
		}
		ai := s.findArtikel(id)
		if ai < 0 {
			e.addCode("ART-0001")
			continue
		}
		art := &s.st.Artikelen[ai]
		if art.IsNonActief {
			e.addCode("ALG-0105")
			continue
		}
		if r.Omschrijving == "" {
			r.Omschrijving = art.Omschrijving
		}
		g := s.findOmzetgroep(refID(art.ArtikelOmzetgroep))
		if g == nil {
			e.addCode("ART-0009")
			continue
		}
		pct, ok := s.linePercentage(scheme, country, g.VerkoopNederlandBtwSoort, o.Datum.Time)
		if !ok {
			e.add("", fmt.Sprintf("Er is geen btw-tarief %s voor %s op %s.", g.VerkoopNederlandBtwSoort, country, o.Datum.Format("2006-01-02")))
			continue
		}
		if r.Stuksprijs == nil {
			p := s.articlePrice(art, pct, inclusief)
			r.Stuksprijs = &p
		}
		in.Lines = append(in.Lines, TotalsLine{Aantal: r.Aantal.Decimal, Stuksprijs: r.Stuksprijs.Decimal,
			KortingsPercentage: r.KortingsPercentage.Decimal, BtwPercentage: pct})
		priced = append(priced, i)
	}
	if len(e) > 0 {
		return &verr{codes: e}
	}

	// Defaults taken from the customer and the template.
	if o.Krediettermijn == nil {
		k := min(max(rel.Krediettermijn, 0), 100)
		o.Krediettermijn = &k
	}
	if o.Geblokkeerd == nil {
		b := sj != nil && sj.NieuweOrdersBlokkeren
		o.Geblokkeerd = &b
	}
	if o.VerkooporderBtwIngaveModel == "" {
		o.VerkooporderBtwIngaveModel = "Exclusief"
		if sj != nil && !sj.PrijsIngaveExclusiefBtw {
			o.VerkooporderBtwIngaveModel = "Inclusief"
		}
	}
	if o.Factuurkorting == nil {
		fk := rel.Factuurkorting
		o.Factuurkorting = &fk
	}
	if sj != nil {
		o.Verkoopordersjabloon = ref("verkoopordersjablonen", sj.ID)
		for i := range o.ExtraHoofdVelden {
			for _, d := range sj.ExtraHoofdVelden {
				if d.VeldNummer == o.ExtraHoofdVelden[i].VeldNummer {
					o.ExtraHoofdVelden[i].Omschrijving = d.Omschrijving
				}
			}
		}
	}
	in.Inclusief = o.VerkooporderBtwIngaveModel == "Inclusief"
	in.Factuurkorting = o.Factuurkorting.Decimal
	res := ComputeTotals(in, s.rounding, s.midpoint)
	for k, i := range priced {
		o.Regels[i].Totaal = Decimal{res.LineTotals[k]}
	}
	o.TotaalExclusiefBtw = Decimal{res.TotaalExclusiefBtw}
	o.TotaalInclusiefBtw = Decimal{res.TotaalInclusiefBtw}
	normOrder(o)
	return nil
}

// linePercentage is the VAT rate of an article's class under the order's VAT scheme. Caller
// holds s.mu.
func (s *Server) linePercentage(scheme vatScheme, country, soort string, on time.Time) (decimal.Decimal, bool) {
	switch scheme {
	case schemeICP, schemeExport:
		return decimal.Zero, true
	case schemeOSS:
		return s.foreignRate(country, soort, on)
	}
	return s.btwPercentage(soort, on)
}

// articlePrice is the stuksprijs SnelStart gives a line that has none: the article's
// verkoopprijs, which is excl. or incl. VAT per companyInfo verkoopprijsArtikelbestandExclusiefBtw,
// converted at the line's VAT rate pct to the order's mode (inclusief) and then rounded to cents
// with the simulator's midpoint rule. Caller holds s.mu.
func (s *Server) articlePrice(a *Artikel, pct decimal.Decimal, inclusief bool) Decimal {
	p := a.Verkoopprijs.Decimal
	factor := decimal.NewFromInt(1).Add(pct.Div(hundred))
	switch excl := s.st.CompanyInfo.VerkoopprijsArtikelbestandExclusiefBtw; {
	case excl && inclusief:
		p = p.Mul(factor)
	case !excl && !inclusief:
		p = p.DivRound(factor, 20)
	}
	return Decimal{Rounder(s.midpoint).Round2(p)}
}

// checkOrder is prepareOrder for seed orders.
func (s *Server) checkOrder(o *Verkooporder) errs {
	if v := s.prepareOrder(o, true); v != nil {
		if v.msField != "" {
			return errs{{Message: v.String()}}
		}
		return v.codes
	}
	return nil
}

func (s *Server) listVerkooporders(w http.ResponseWriter, r *http.Request) {
	q, ok := parseOData(w, r, Verkooporder{}, 500)
	if !ok {
		return
	}
	s.mu.Lock()
	out := listPage(s, q, s.st.Verkooporders, s.orderIndex())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getVerkooporder(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	i := s.findOrder(id)
	var o Verkooporder
	if i >= 0 {
		o = clone(s.st.Verkooporders[i])
	}
	s.mu.Unlock()
	if i < 0 {
		notFound(w, "Verkooporder")
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *Server) createVerkooporder(w http.ResponseWriter, r *http.Request) {
	var o Verkooporder
	if !decodeBody(w, r, "verkooporder", &o) {
		return
	}
	if !o.ID.IsEmpty() {
		writeCode(w, "ALG-0100")
		return
	}
	if o.Nummer != 0 {
		writeCode(w, "VOR-0005")
		return
	}
	s.mu.Lock()
	if v := s.prepareOrder(&o, false); v != nil {
		s.mu.Unlock()
		v.write(w)
		return
	}
	o.ID = s.newGUID()
	o.Nummer = s.st.CompanyInfo.VolgendVerkoopordernummer
	s.st.CompanyInfo.VolgendVerkoopordernummer++
	o.ModifiedOn = Time{s.now()}
	normOrder(&o)
	s.st.Verkooporders = append(s.st.Verkooporders, o)
	out := clone(o)
	s.mu.Unlock()
	s.countCreate("verkooporders")
	s.loseResponse()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) putVerkooporder(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var o Verkooporder
	if !decodeBody(w, r, "verkooporder", &o) {
		return
	}
	if o.ID != id {
		writeCode(w, "ALG-0101")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findOrder(id)
	if i < 0 {
		notFound(w, "Verkooporder")
		return
	}
	old := s.st.Verkooporders[i]
	if old.ProcesStatus == "Factuur" || old.ProcesStatus == "Contantbon" {
		writeCode(w, "VOR-0015")
		return
	}
	if v := s.prepareOrder(&o, false); v != nil {
		v.write(w)
		return
	}
	o.Nummer = old.Nummer
	o.Verkoopfactuur = old.Verkoopfactuur
	o.ModifiedOn = Time{s.now()}
	normOrder(&o)
	s.st.Verkooporders[i] = o
	s.orderIndex().replace(i, &old, &o)
	writeJSON(w, http.StatusOK, clone(o))
}

func (s *Server) deleteVerkooporder(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findOrder(id)
	if i < 0 {
		notFound(w, "Verkooporder")
		return
	}
	if p := s.st.Verkooporders[i].ProcesStatus; p == "Factuur" || p == "Contantbon" {
		writeCode(w, "VOR-0015")
		return
	}
	s.st.Verkooporders = append(s.st.Verkooporders[:i], s.st.Verkooporders[i+1:]...)
	// The document declares 201 for this DELETE (described as "HTTP 200 OK"); the simulator
	// follows the declared status.
	writeJSON(w, http.StatusCreated, struct{}{})
}

func (s *Server) putProcesStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var u procesStatusUpdate
	if !decodeBody(w, r, "model", &u) {
		return
	}
	if u.ID != id {
		writeCode(w, "ALG-0101")
		return
	}
	if !procesStatussen[u.ProcesStatus] {
		writeModelState(w, "model.ProcesStatus", fmt.Sprintf("Error converting value %q to type 'ProcesStatus'.", truncate(u.ProcesStatus, 30)))
		return
	}
	if u.ProcesStatus == "Factuur" || u.ProcesStatus == "Contantbon" {
		writeModelState(w, "model.ProcesStatus", "De processtatus '"+u.ProcesStatus+"' kan niet via de API worden ingesteld.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findOrder(id)
	if i < 0 {
		notFound(w, "Verkooporder")
		return
	}
	o := &s.st.Verkooporders[i]
	if o.ProcesStatus == "Factuur" || o.ProcesStatus == "Contantbon" {
		writeCode(w, "VOR-0015")
		return
	}
	o.ProcesStatus = u.ProcesStatus
	o.ModifiedOn = Time{s.now()}
	writeJSON(w, http.StatusOK, struct{}{})
}
