package simulator

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// This file holds lookups and normalisation over the in-memory administration. Every function
// here expects s.mu to be held.

func (s *Server) findRelatie(id GUID) int {
	return s.relatieIndex().find(s.st.Relaties, id)
}

func (s *Server) findArtikel(id GUID) int {
	return s.artikelIndex().find(s.st.Artikelen, id)
}

func (s *Server) findOrder(id GUID) int {
	return s.orderIndex().find(s.st.Verkooporders, id)
}

func (s *Server) findOmzetgroep(id GUID) *Omzetgroep {
	for i := range s.st.Omzetgroepen {
		if s.st.Omzetgroepen[i].ID == id {
			return &s.st.Omzetgroepen[i]
		}
	}
	return nil
}

func (s *Server) findLand(id GUID) *Land {
	for i := range s.st.Landen {
		if s.st.Landen[i].ID == id {
			return &s.st.Landen[i]
		}
	}
	return nil
}

func (s *Server) findSjabloon(id GUID) *Sjabloon {
	for i := range s.st.Sjablonen {
		if s.st.Sjablonen[i].ID == id {
			return &s.st.Sjablonen[i]
		}
	}
	return nil
}

func (s *Server) findKostenplaats(id GUID) int {
	for i := range s.st.Kostenplaatsen {
		if s.st.Kostenplaatsen[i].ID == id {
			return i
		}
	}
	return -1
}

// btwPercentage returns the rate of a VAT class on a date from the btwtarieven history.
func (s *Server) btwPercentage(soort string, on time.Time) (decimal.Decimal, bool) {
	d := time.Date(on.Year(), on.Month(), on.Day(), 0, 0, 0, 0, time.UTC)
	for _, t := range s.st.BtwTarieven {
		if t.BtwSoort != soort {
			continue
		}
		if !t.DatumVanaf.IsZero() && d.Before(t.DatumVanaf.Time) {
			continue
		}
		if !t.DatumTotEnMet.IsZero() && d.After(t.DatumTotEnMet.Time) {
			continue
		}
		return t.BtwPercentage.Decimal, true
	}
	return decimal.Zero, false
}

func hasSoort(r *Relatie, soort string) bool {
	for _, s := range r.Relatiesoort {
		if s == soort {
			return true
		}
	}
	return false
}

func normAdres(a *Adres) *Adres {
	if a == nil {
		return nil
	}
	if a.empty() {
		return nil
	}
	if id := refID(a.Land); id != "" {
		a.Land = ref("landen", id)
	} else {
		a.Land = nil
	}
	return a
}

func normRef(r *Ref, collection string) *Ref {
	if id := refID(r); id != "" {
		return ref(collection, id)
	}
	return nil
}

func normRelatie(r *Relatie) {
	r.URI = "/relaties/" + string(r.ID)
	r.VestigingsAdres = normAdres(r.VestigingsAdres)
	r.CorrespondentieAdres = normAdres(r.CorrespondentieAdres)
	r.FactuurRelatie = normRef(r.FactuurRelatie, "relaties")
	r.InkoopBoekingenURI = "/relaties/" + string(r.ID) + "/inkoopboekingen"
	r.VerkoopBoekingenURI = "/relaties/" + string(r.ID) + "/verkoopboekingen"
	if r.Relatiesoort == nil {
		r.Relatiesoort = []string{}
	}
	if r.Documents == nil {
		r.Documents = []Document{}
	}
	if r.ExtraVeldenKlant == nil {
		r.ExtraVeldenKlant = []ExtraVeld{}
	}
}

func normArtikel(a *Artikel) {
	a.URI = "/artikelen/" + string(a.ID)
	a.ArtikelOmzetgroep = normRef(a.ArtikelOmzetgroep, "artikelomzetgroepen")
	a.Relatie = normRef(a.Relatie, "relaties")
	if a.ExtraVelden == nil {
		a.ExtraVelden = []ExtraVeld{}
	}
	if a.Subartikelen == nil {
		a.Subartikelen = []Subartikel{}
	}
	for i := range a.Subartikelen {
		a.Subartikelen[i].URI = "/artikelen/" + string(a.Subartikelen[i].ID)
	}
	a.IsHoofdartikel = len(a.Subartikelen) > 0 || a.IsHoofdartikel
}

func normOrder(o *Verkooporder) {
	o.URI = "/verkooporders/" + string(o.ID)
	o.Relatie = normRef(o.Relatie, "relaties")
	o.Kostenplaats = normRef(o.Kostenplaats, "kostenplaatsen")
	o.Verkoopordersjabloon = normRef(o.Verkoopordersjabloon, "verkoopordersjablonen")
	o.Verkoopfactuur = normRef(o.Verkoopfactuur, "verkoopfacturen")
	o.Incassomachtiging = normRef(o.Incassomachtiging, "doorlopendeincassomachtigingen")
	o.Afleveradres = normAdres(o.Afleveradres)
	o.Factuuradres = normAdres(o.Factuuradres)
	if o.Regels == nil {
		o.Regels = []Regel{}
	}
	for i := range o.Regels {
		o.Regels[i].Artikel = normRef(o.Regels[i].Artikel, "artikelen")
		if o.Regels[i].Stuksprijs == nil {
			o.Regels[i].Stuksprijs = &Decimal{}
		}
		if o.Regels[i].ExtraRegelVelden == nil {
			o.Regels[i].ExtraRegelVelden = []IngaveGegeven{}
		}
	}
	if o.ExtraHoofdVelden == nil {
		o.ExtraHoofdVelden = []IngaveGegeven{}
	}
}

// prepareSeed gives ids to entities without one, fills uris and checks references.
func (s *Server) prepareSeed(a *Administration) error {
	s.st = a
	if err := s.reserveIDs(a); err != nil {
		return err
	}
	seen := map[GUID]string{}
	give := func(id *GUID, what string) error {
		if id.IsEmpty() {
			*id = s.newGUID()
		}
		if prev, dup := seen[*id]; dup {
			return fmt.Errorf("%s id %s already used by %s", what, *id, prev)
		}
		seen[*id] = what
		return nil
	}
	if a.CompanyInfo.AdministratieIdentifier.IsEmpty() {
		a.CompanyInfo.AdministratieIdentifier = s.newGUID()
	}
	if a.CompanyInfo.RegelkortingVerkooporder == "" {
		a.CompanyInfo.RegelkortingVerkooporder = "BerekenenOverRegelBedrag"
	}
	if a.CompanyInfo.ArtikelcodeSoort == "" {
		a.CompanyInfo.ArtikelcodeSoort = "Alfanumeriek"
	}
	if a.CompanyInfo.ArtikelcodeMaxLengte == 0 {
		a.CompanyInfo.ArtikelcodeMaxLengte = 20
	}
	if a.CompanyInfo.VolgendVerkoopordernummer == 0 {
		a.CompanyInfo.VolgendVerkoopordernummer = 1
	}
	for i := range a.Landen {
		if err := give(&a.Landen[i].ID, "land "+a.Landen[i].LandcodeISO); err != nil {
			return err
		}
		a.Landen[i].URI = "/landen/" + string(a.Landen[i].ID)
	}
	for _, t := range a.BtwTarieven {
		switch t.BtwSoort {
		case "Geen", "Laag", "Hoog", "Overig":
		default:
			return fmt.Errorf("btwtarief: unknown btwSoort %q", t.BtwSoort)
		}
	}
	for i := range a.Omzetgroepen {
		g := &a.Omzetgroepen[i]
		if err := give(&g.ID, "omzetgroep "+g.Omschrijving); err != nil {
			return err
		}
		switch g.VerkoopNederlandBtwSoort {
		case "Geen", "Laag", "Hoog", "Overig":
		default:
			return fmt.Errorf("omzetgroep %q: unknown verkoopNederlandBtwSoort %q", g.Omschrijving, g.VerkoopNederlandBtwSoort)
		}
		g.URI = "/artikelomzetgroepen/" + string(g.ID)
		g.VerkoopGrootboekNederlandIdentifier = normRef(g.VerkoopGrootboekNederlandIdentifier, "grootboeken")
	}
	if len(a.Grootboeken) == 0 {
		for i, g := range a.Omzetgroepen {
			id := refID(g.VerkoopGrootboekNederlandIdentifier)
			known := id == ""
			for _, b := range a.Grootboeken {
				known = known || b.ID == id
			}
			if !known {
				a.Grootboeken = append(a.Grootboeken, Grootboek{Nummer: int32(8000 + 10*i), Omschrijving: g.Omschrijving,
					RekeningCode: "WinstEnVerlies", Grootboekfunctie: "VerkopenOmzet" + g.VerkoopNederlandBtwSoort, ID: id})
			}
		}
	}
	for i := range a.Grootboeken {
		b := &a.Grootboeken[i]
		if err := give(&b.ID, fmt.Sprintf("grootboek %d", b.Nummer)); err != nil {
			return err
		}
		if b.RekeningCode == "" {
			b.RekeningCode = "WinstEnVerlies"
		}
		if b.Grootboekfunctie == "" {
			b.Grootboekfunctie = "Diversen"
		}
		if b.ModifiedOn.IsZero() {
			b.ModifiedOn = Time{s.now()}
		}
		b.URI = "/grootboeken/" + string(b.ID)
	}
	for i := range a.Sjablonen {
		if err := give(&a.Sjablonen[i].ID, "sjabloon "+a.Sjablonen[i].Omschrijving); err != nil {
			return err
		}
		a.Sjablonen[i].URI = "/verkoopordersjablonen/" + string(a.Sjablonen[i].ID)
		if a.Sjablonen[i].ExtraHoofdVelden == nil {
			a.Sjablonen[i].ExtraHoofdVelden = []IngaveGegevenSjabloon{}
		}
		if a.Sjablonen[i].ExtraRegelVelden == nil {
			a.Sjablonen[i].ExtraRegelVelden = []IngaveGegevenSjabloon{}
		}
	}
	for i := range a.Kostenplaatsen {
		if err := give(&a.Kostenplaatsen[i].ID, "kostenplaats"); err != nil {
			return err
		}
		a.Kostenplaatsen[i].URI = "/kostenplaatsen/" + string(a.Kostenplaatsen[i].ID)
	}
	for i := range a.Relaties {
		if err := give(&a.Relaties[i].ID, "relatie "+a.Relaties[i].Naam); err != nil {
			return err
		}
		normRelatie(&a.Relaties[i])
	}
	for i := range a.Artikelen {
		if err := give(&a.Artikelen[i].ID, "artikel "+a.Artikelen[i].Artikelcode); err != nil {
			return err
		}
	}
	for i := range a.Artikelen {
		art := &a.Artikelen[i]
		normArtikel(art)
		if s.findOmzetgroep(refID(art.ArtikelOmzetgroep)) == nil {
			return fmt.Errorf("artikel %q: unknown artikelOmzetgroep", art.Artikelcode)
		}
		for j := range art.Subartikelen {
			k := s.findArtikel(art.Subartikelen[j].ID)
			if k < 0 {
				return fmt.Errorf("artikel %q: unknown subartikel %s", art.Artikelcode, art.Subartikelen[j].ID)
			}
			art.Subartikelen[j].Artikelcode = a.Artikelen[k].Artikelcode
		}
	}
	for i := range a.Verkooporders {
		o := &a.Verkooporders[i]
		if err := give(&o.ID, "verkooporder"); err != nil {
			return err
		}
		normOrder(o)
		if e := s.checkOrder(o); len(e) > 0 {
			return fmt.Errorf("verkooporder %d: %s %s", o.Nummer, e[0].ErrorCode, e[0].Message)
		}
		if o.Nummer == 0 {
			o.Nummer = a.CompanyInfo.VolgendVerkoopordernummer
			a.CompanyInfo.VolgendVerkoopordernummer++
		} else if o.Nummer >= a.CompanyInfo.VolgendVerkoopordernummer {
			a.CompanyInfo.VolgendVerkoopordernummer = o.Nummer + 1
		}
		if o.ModifiedOn.IsZero() {
			o.ModifiedOn = Time{s.now()}
		}
	}
	return nil
}
