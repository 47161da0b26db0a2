package simulator

import (
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Verkoopboeking is the VerkoopBoekingModel: a sales invoice booked directly in the
// administration, with revenue lines (excl. VAT) per ledger account and the VAT per class.
type Verkoopboeking struct {
	ModifiedOn              Time            `json:"modifiedOn"`
	Boekstuk                string          `json:"boekstuk,omitempty"`
	GewijzigdDoorAccountant bool            `json:"gewijzigdDoorAccountant"`
	Markering               bool            `json:"markering"`
	Factuurdatum            Time            `json:"factuurdatum"`
	Factuurnummer           string          `json:"factuurnummer"`
	Klant                   *Ref            `json:"klant"`
	Omschrijving            string          `json:"omschrijving,omitempty"`
	Factuurbedrag           Decimal         `json:"factuurbedrag"`
	Betalingstermijn        *int32          `json:"betalingstermijn,omitempty"`
	Boekingsregels          []Boekingsregel `json:"boekingsregels"`
	Btw                     []BtwRegel      `json:"btw"`
	ID                      GUID            `json:"id"`
	URI                     string          `json:"uri,omitempty"`
}

// Boekingsregel is a VerkoopBoekingRegelModel: an amount excl. VAT on a revenue ledger.
type Boekingsregel struct {
	Omschrijving string  `json:"omschrijving,omitempty"`
	Grootboek    *Ref    `json:"grootboek"`
	Kostenplaats *Ref    `json:"kostenplaats,omitempty"`
	Bedrag       Decimal `json:"bedrag"`
	BtwSoort     string  `json:"btwSoort,omitempty"`
}

// BtwRegel is a VerkoopBoekingBtwRegelModel: the VAT booked for one VAT kind.
type BtwRegel struct {
	BtwSoort  string  `json:"btwSoort"`
	BtwBedrag Decimal `json:"btwBedrag"`
}

// Verkoopfactuur is the VerkoopfactuurModel: the open-item view of a booked sales invoice
// (GET /verkoopfacturen); openstaandSaldo 0 means paid.
type Verkoopfactuur struct {
	VerkoopBoeking  *Ref    `json:"verkoopBoeking,omitempty"`
	ModifiedOn      Time    `json:"modifiedOn"`
	OpenstaandSaldo Decimal `json:"openstaandSaldo"`
	Factuurnummer   string  `json:"factuurnummer"`
	VervalDatum     Time    `json:"vervalDatum"`
	Relatie         *Ref    `json:"relatie,omitempty"`
	FactuurDatum    Time    `json:"factuurDatum"`
	FactuurBedrag   Decimal `json:"factuurBedrag"`
	VerkoopOrders   []Ref   `json:"verkoopOrders"`
	ID              GUID    `json:"id"`
	URI             string  `json:"uri,omitempty"`
}

var regelBtwSoorten = map[string]bool{"": true, "Geen": true, "Laag": true, "Hoog": true, "Overig": true}

var boekingBtwSoorten = map[string]bool{"Geen": true, "VerkopenLaag": true, "VerkopenHoog": true,
	"VerkopenOverig": true, "VerkopenVerlegd": true, "InkopenLaag": true, "InkopenHoog": true, "InkopenOverig": true}

// knownGrootboek reports whether id is an active ledger account of the profit and loss account,
// where revenue can be booked. Caller holds s.mu.
func (s *Server) knownGrootboek(id GUID) bool {
	for _, g := range s.st.Grootboeken {
		if g.ID == id {
			return !g.Nonactief && g.RekeningCode == "WinstEnVerlies"
		}
	}
	return false
}

func (s *Server) listGrootboeken(w http.ResponseWriter, r *http.Request) {
	listScanned(s, w, r, func() []Grootboek { return s.st.Grootboeken })
}

func (s *Server) getGrootboek(w http.ResponseWriter, r *http.Request) {
	getByID(s, w, r, "Grootboek", func() []Grootboek { return s.st.Grootboeken }, func(v Grootboek) GUID { return v.ID })
}

// prepareBoeking validates b: required fields and lengths (model state), the klant (REL-0005),
// ledgers and cost centres, a factuurnummer used before (BOE-0021), the balance rule
// factuurbedrag = boekingsregels + btw (BOE-0039) and a date in a closed period (BOE-0042).
// Caller holds s.mu.
func (s *Server) prepareBoeking(b *Verkoopboeking) *verr {
	switch {
	case refID(b.Klant) == "":
		return modelErr("verkoopboeking.Klant", "The Klant field is required.")
	case b.Factuurnummer == "":
		return modelErr("verkoopboeking.Factuurnummer", "The Factuurnummer field is required.")
	case utf8.RuneCountInString(b.Factuurnummer) > 25:
		return modelErr("verkoopboeking.Factuurnummer", "The field Factuurnummer must be a string with a maximum length of 25.")
	case b.Boekingsregels == nil:
		return modelErr("verkoopboeking.Boekingsregels", "The Boekingsregels field is required.")
	case utf8.RuneCountInString(b.Omschrijving) > 250:
		return modelErr("verkoopboeking.Omschrijving", "The field Omschrijving must be a string with a maximum length of 250.")
	case b.Betalingstermijn != nil && (*b.Betalingstermijn < 0 || *b.Betalingstermijn > 999):
		return modelErr("verkoopboeking.Betalingstermijn", "The field Betalingstermijn must be between 0 and 999.")
	}
	sum := decimal.Zero
	for i, r := range b.Boekingsregels {
		if refID(r.Grootboek) == "" {
			return modelErr(fmt.Sprintf("verkoopboeking.Boekingsregels[%d].Grootboek", i), "The Grootboek field is required.")
		}
		if !regelBtwSoorten[r.BtwSoort] {
			return modelErr(fmt.Sprintf("verkoopboeking.Boekingsregels[%d].BtwSoort", i), fmt.Sprintf("Error converting value %q to type 'BtwSoort'.", truncate(r.BtwSoort, 30)))
		}
		sum = sum.Add(r.Bedrag.Decimal)
	}
	for i, r := range b.Btw {
		if !boekingBtwSoorten[r.BtwSoort] {
			return modelErr(fmt.Sprintf("verkoopboeking.Btw[%d].BtwSoort", i), fmt.Sprintf("Error converting value %q to type 'BtwBoekingSoort'.", truncate(r.BtwSoort, 30)))
		}
		sum = sum.Add(r.BtwBedrag.Decimal)
	}
	var e errs
	if ri := s.findRelatie(refID(b.Klant)); ri < 0 {
		e.addCode("REL-0005")
	} else if rel := &s.st.Relaties[ri]; !hasSoort(rel, "Klant") {
		e.addCode("VOR-0002")
	}
	for i, r := range b.Boekingsregels {
		if !s.knownGrootboek(refID(r.Grootboek)) {
			e.add("", fmt.Sprintf("Boekingsregel %d: grootboek niet gevonden", i+1))
		}
		if id := refID(r.Kostenplaats); id != "" && s.findKostenplaats(id) < 0 {
			e.addCode("KPL-0001")
		}
	}
	for _, o := range s.st.Verkoopfacturen {
		if o.Factuurnummer == b.Factuurnummer {
			e.addCode("BOE-0021")
			break
		}
	}
	if !sum.Equal(b.Factuurbedrag.Decimal) {
		e.addCode("BOE-0039")
	}
	if b.Factuurdatum.IsZero() {
		b.Factuurdatum = Time{s.now()}
	}
	if c := s.st.AfgeslotenTotEnMet; c != nil && !c.IsZero() && !dateOf(b.Factuurdatum.Time).After(dateOf(c.Time)) {
		e.addCode("BOE-0042")
	}
	if len(e) > 0 {
		return &verr{codes: e}
	}
	return nil
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Server) createVerkoopboeking(w http.ResponseWriter, r *http.Request) {
	var b Verkoopboeking
	if !decodeBody(w, r, "verkoopboeking", &b) {
		return
	}
	if !b.ID.IsEmpty() {
		writeCode(w, "ALG-0100")
		return
	}
	s.mu.Lock()
	if len(s.refuseBoekingen) > 0 {
		code := s.refuseBoekingen[0]
		s.refuseBoekingen = s.refuseBoekingen[1:]
		s.mu.Unlock()
		writeCode(w, code)
		return
	}
	if v := s.prepareBoeking(&b); v != nil {
		s.mu.Unlock()
		v.write(w)
		return
	}
	b.ID = s.newGUID()
	b.ModifiedOn = Time{s.now()}
	b.URI = "/verkoopboekingen/" + string(b.ID)
	b.Klant = ref("relaties", refID(b.Klant))
	for i := range b.Boekingsregels {
		g := &b.Boekingsregels[i]
		g.Grootboek = ref("grootboeken", refID(g.Grootboek))
		if id := refID(g.Kostenplaats); id != "" {
			g.Kostenplaats = ref("kostenplaatsen", id)
		}
	}
	if b.Btw == nil {
		b.Btw = []BtwRegel{}
	}
	termijn := int32(0)
	if b.Betalingstermijn != nil {
		termijn = *b.Betalingstermijn
	} else if ri := s.findRelatie(refID(b.Klant)); ri >= 0 {
		termijn = int32(s.st.Relaties[ri].Krediettermijn)
	}
	fid := s.newGUID()
	s.st.Verkoopboekingen = append(s.st.Verkoopboekingen, b)
	s.st.Verkoopfacturen = append(s.st.Verkoopfacturen, Verkoopfactuur{
		VerkoopBoeking: ref("verkoopboekingen", b.ID), ModifiedOn: b.ModifiedOn, OpenstaandSaldo: b.Factuurbedrag,
		Factuurnummer: b.Factuurnummer, VervalDatum: Time{b.Factuurdatum.AddDate(0, 0, int(termijn))},
		Relatie: b.Klant, FactuurDatum: b.Factuurdatum, FactuurBedrag: b.Factuurbedrag, VerkoopOrders: []Ref{},
		ID: fid, URI: "/verkoopfacturen/" + string(fid),
	})
	out := clone(b)
	s.mu.Unlock()
	s.countCreate("verkoopboekingen")
	s.loseResponse()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) getVerkoopboeking(w http.ResponseWriter, r *http.Request) {
	getByID(s, w, r, "Verkoopboeking", func() []Verkoopboeking { return s.st.Verkoopboekingen }, func(v Verkoopboeking) GUID { return v.ID })
}

func (s *Server) listVerkoopfacturen(w http.ResponseWriter, r *http.Request) {
	listScanned(s, w, r, func() []Verkoopfactuur { return s.st.Verkoopfacturen })
}

// RefuseBoekingen makes the next len(codes) POSTs to /verkoopboekingen fail with these error
// codes (HTTP 400 with SnelStart's error body), one per request, in order: a test's way to have
// SnelStart refuse what koppel sends, e.g. BOE-0039 when SnelStart's own balance check
// disagrees with koppel's.
func (s *Server) RefuseBoekingen(codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseBoekingen = append(s.refuseBoekingen, codes...)
}

// PayInvoice books a payment of amount on the sales invoice with this factuurnummer, as a
// matched bank booking does in SnelStart: its openstaandSaldo goes down (never below zero) and
// its modifiedOn moves. It returns false when no invoice has the number.
func (s *Server) PayInvoice(number string, amount decimal.Decimal) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.st.Verkoopfacturen {
		f := &s.st.Verkoopfacturen[i]
		if f.Factuurnummer != number {
			continue
		}
		open := f.OpenstaandSaldo.Decimal
		if f.FactuurBedrag.IsNegative() {
			open = decimal.Min(decimal.Zero, open.Add(amount))
		} else {
			open = decimal.Max(decimal.Zero, open.Sub(amount))
		}
		f.OpenstaandSaldo = Decimal{open}
		f.ModifiedOn = Time{s.now()}
		return true
	}
	return false
}
