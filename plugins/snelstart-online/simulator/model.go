package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Decimal is an exact decimal number that travels as a bare JSON number, as the SnelStart API
// sends its amounts (`12.1`, never `"12.10"`). On input it also accepts a quoted number, as the
// real (.NET) API does, and null (zero).
type Decimal struct{ decimal.Decimal }

// D makes a Decimal from its decimal representation; it panics on a malformed constant, so it is
// for literals in seeds and tests only.
func D(s string) Decimal { return Decimal{decimal.RequireFromString(s)} }

// Dec wraps a decimal.Decimal.
func Dec(d decimal.Decimal) Decimal { return Decimal{d} }

// MarshalJSON writes the number without quotes.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads a JSON number, a quoted number or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		d.Decimal = decimal.Zero
		return nil
	}
	s = strings.Trim(s, `"`)
	v, err := decimal.NewFromString(s)
	if err != nil || !saneDecimal(v) {
		return fmt.Errorf("not a number: %q", truncate(s, 40))
	}
	d.Decimal = v
	return nil
}

// saneDecimal reports whether d fits a .NET decimal (28 significant digits, scale at most 28),
// which also keeps arithmetic on hostile input cheap.
func saneDecimal(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -28 && e <= 28 && len(d.Coefficient().String()) <= 30
}

// Time is a SnelStart local date-time: it travels without a UTC offset
// ("2024-05-01T00:00:00", fractions of a second only when present), as the API sends dates.
// The zero Time marshals as null and is omitted where the field is optional.
type Time struct{ time.Time }

const wireTime = "2006-01-02T15:04:05.9999999"

// MarshalJSON writes the local date-time without offset.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(wireTime) + `"`), nil
}

// UnmarshalJSON accepts "2006-01-02T15:04:05[.fff][Z|±hh:mm]", "2006-01-02" and null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date-time must be a string")
	}
	v, err := parseWireTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// parseWireTime parses the date-time forms the API accepts. A value with an offset is converted
// to the administration's local time and the offset dropped; a value without one is taken as is.
func parseWireTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano} {
		if v, err := time.Parse(layout, s); err == nil {
			l := v.In(amsterdam)
			return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if v, err := time.Parse(layout, s); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q", truncate(s, 40))
}

// GUID is an identifier in the canonical lower-case 8-4-4-4-12 form. On input it accepts upper
// case, braces and the 32-digit form; the empty string and null decode to the empty GUID.
type GUID string

// zeroGUID is Guid.Empty.
const zeroGUID = "00000000-0000-0000-0000-000000000000"

// IsEmpty reports whether g is absent or the all-zero GUID.
func (g GUID) IsEmpty() bool { return g == "" || g == zeroGUID }

// UnmarshalJSON validates and normalises the identifier.
func (g *GUID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*g = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("guid must be a string")
	}
	v, ok := parseGUID(s)
	if !ok {
		return fmt.Errorf("not a guid: %q", truncate(s, 40))
	}
	*g = v
	return nil
}

// parseGUID normalises a GUID string; "" is accepted as the empty GUID.
func parseGUID(s string) (GUID, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	s = strings.ToLower(s)
	if len(s) == 32 {
		s = s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
	}
	if len(s) != 36 {
		return "", false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return "", false
			}
		}
	}
	return GUID(s), true
}

// Ref is a reference to another entity: `{"id": "...", "uri": "/relaties/..."}`. Only the id
// matters on input; the simulator fills uri on output.
type Ref struct {
	ID  GUID   `json:"id"`
	URI string `json:"uri,omitempty"`
}

// ref builds a reference with its relative uri.
func ref(collection string, id GUID) *Ref {
	return &Ref{ID: id, URI: "/" + collection + "/" + string(id)}
}

// refID returns the id of r, or "" when r is nil or empty.
func refID(r *Ref) GUID {
	if r == nil || r.ID.IsEmpty() {
		return ""
	}
	return r.ID
}

// Adres is the AdresModel (vestigingsAdres, correspondentieAdres, afleveradres, factuuradres).
type Adres struct {
	Contactpersoon string `json:"contactpersoon,omitempty"`
	Straat         string `json:"straat,omitempty"`
	Postcode       string `json:"postcode,omitempty"`
	Plaats         string `json:"plaats,omitempty"`
	Land           *Ref   `json:"land,omitempty"`
}

func (a *Adres) empty() bool {
	return a == nil || a.Contactpersoon == "" && a.Straat == "" && a.Postcode == "" && a.Plaats == "" && refID(a.Land) == ""
}

// EmailVersturen is the EmailVersturenModel.
type EmailVersturen struct {
	ShouldSend bool   `json:"shouldSend"`
	Email      string `json:"email,omitempty"`
	CcEmail    string `json:"ccEmail,omitempty"`
}

// ExtraVeld is a custom field value as shown on relaties (extraVeldenKlant) and artikelen (extraVelden).
type ExtraVeld struct {
	Naam   string `json:"naam"`
	Waarde string `json:"waarde"`
}

// Relatie is the RelatieModel / RelatieWriteModel.
type Relatie struct {
	Relatiesoort                  []string        `json:"relatiesoort"`
	ModifiedOn                    Time            `json:"modifiedOn"`
	Relatiecode                   int32           `json:"relatiecode"`
	Naam                          string          `json:"naam"`
	VestigingsAdres               *Adres          `json:"vestigingsAdres,omitempty"`
	CorrespondentieAdres          *Adres          `json:"correspondentieAdres,omitempty"`
	Telefoon                      string          `json:"telefoon,omitempty"`
	MobieleTelefoon               string          `json:"mobieleTelefoon,omitempty"`
	Fax                           string          `json:"fax,omitempty"`
	Email                         string          `json:"email,omitempty"`
	BtwNummer                     string          `json:"btwNummer,omitempty"`
	Factuurkorting                Decimal         `json:"factuurkorting"`
	Krediettermijn                int32           `json:"krediettermijn"`
	Bankieren                     bool            `json:"bankieren"`
	Nonactief                     bool            `json:"nonactief"`
	KredietLimiet                 Decimal         `json:"kredietLimiet"`
	Memo                          string          `json:"memo,omitempty"`
	KvkNummer                     string          `json:"kvkNummer,omitempty"`
	Oin                           string          `json:"oin,omitempty"`
	WebsiteURL                    string          `json:"websiteUrl,omitempty"`
	Aanmaningsoort                string          `json:"aanmaningsoort,omitempty"`
	OfferteEmailVersturen         *EmailVersturen `json:"offerteEmailVersturen,omitempty"`
	BevestigingsEmailVersturen    *EmailVersturen `json:"bevestigingsEmailVersturen,omitempty"`
	FactuurEmailVersturen         *EmailVersturen `json:"factuurEmailVersturen,omitempty"`
	AanmaningEmailVersturen       *EmailVersturen `json:"aanmaningEmailVersturen,omitempty"`
	OfferteAanvraagEmailVersturen *EmailVersturen `json:"offerteAanvraagEmailVersturen,omitempty"`
	BestellingEmailVersturen      *EmailVersturen `json:"bestellingEmailVersturen,omitempty"`
	UblBestandAlsBijlage          bool            `json:"ublBestandAlsBijlage"`
	Iban                          string          `json:"iban,omitempty"`
	Bic                           string          `json:"bic,omitempty"`
	IncassoSoort                  string          `json:"incassoSoort,omitempty"`
	FactuurRelatie                *Ref            `json:"factuurRelatie,omitempty"`
	InkoopBoekingenURI            string          `json:"inkoopBoekingenUri,omitempty"`
	VerkoopBoekingenURI           string          `json:"verkoopBoekingenUri,omitempty"`
	Documents                     []Document      `json:"documents"`
	ID                            GUID            `json:"id"`
	URI                           string          `json:"uri,omitempty"`
	ExtraVeldenKlant              []ExtraVeld     `json:"extraVeldenKlant"`
}

// Document is the DocumentModel (attachments); the simulator keeps them only as data.
type Document struct {
	ParentIdentifier GUID   `json:"parentIdentifier,omitempty"`
	FileName         string `json:"fileName,omitempty"`
	ReadOnly         bool   `json:"readOnly"`
	ID               GUID   `json:"id,omitempty"`
	URI              string `json:"uri,omitempty"`
}

// Subartikel is one component of a composite article (SubartikelModel).
type Subartikel struct {
	Artikelcode string  `json:"artikelcode"`
	Aantal      Decimal `json:"aantal"`
	ID          GUID    `json:"id"`
	URI         string  `json:"uri,omitempty"`
}

// Artikel is the ArtikelQueryModel (the read shape; the write shape ArtikelModel is the same
// without isHoofdartikel and subartikelen, which are read-only and come from the seed).
type Artikel struct {
	IsHoofdartikel     bool         `json:"isHoofdartikel"`
	Subartikelen       []Subartikel `json:"subartikelen"`
	Artikelcode        string       `json:"artikelcode"`
	Omschrijving       string       `json:"omschrijving"`
	ArtikelOmzetgroep  *Ref         `json:"artikelOmzetgroep,omitempty"`
	Verkoopprijs       Decimal      `json:"verkoopprijs"`
	Inkoopprijs        Decimal      `json:"inkoopprijs"`
	Eenheid            string       `json:"eenheid,omitempty"`
	ModifiedOn         Time         `json:"modifiedOn"`
	Relatie            *Ref         `json:"relatie,omitempty"`
	IsNonActief        bool         `json:"isNonActief"`
	VoorraadControle   bool         `json:"voorraadControle"`
	TechnischeVoorraad Decimal      `json:"technischeVoorraad"`
	VrijeVoorraad      Decimal      `json:"vrijeVoorraad"`
	ExtraVelden        []ExtraVeld  `json:"extraVelden"`
	ID                 GUID         `json:"id"`
	URI                string       `json:"uri,omitempty"`
}

// artikelWrite is the ArtikelModel returned by POST and PUT (no composite fields).
type artikelWrite struct {
	Artikelcode        string      `json:"artikelcode"`
	Omschrijving       string      `json:"omschrijving"`
	ArtikelOmzetgroep  *Ref        `json:"artikelOmzetgroep,omitempty"`
	Verkoopprijs       Decimal     `json:"verkoopprijs"`
	Inkoopprijs        Decimal     `json:"inkoopprijs"`
	Eenheid            string      `json:"eenheid,omitempty"`
	ModifiedOn         Time        `json:"modifiedOn"`
	Relatie            *Ref        `json:"relatie,omitempty"`
	IsNonActief        bool        `json:"isNonActief"`
	VoorraadControle   bool        `json:"voorraadControle"`
	TechnischeVoorraad Decimal     `json:"technischeVoorraad"`
	VrijeVoorraad      Decimal     `json:"vrijeVoorraad"`
	ExtraVelden        []ExtraVeld `json:"extraVelden"`
	ID                 GUID        `json:"id"`
	URI                string      `json:"uri,omitempty"`
}

func (a Artikel) write() artikelWrite {
	return artikelWrite{a.Artikelcode, a.Omschrijving, a.ArtikelOmzetgroep, a.Verkoopprijs, a.Inkoopprijs,
		a.Eenheid, a.ModifiedOn, a.Relatie, a.IsNonActief, a.VoorraadControle, a.TechnischeVoorraad,
		a.VrijeVoorraad, a.ExtraVelden, a.ID, a.URI}
}

// Omzetgroep is the ArtikelOmzetGroepModel; VerkoopNederlandBtwSoort (Geen, Laag, Hoog, Overig)
// decides the VAT class of every article in the group.
type Omzetgroep struct {
	Nummer                              int32  `json:"nummer"`
	Omschrijving                        string `json:"omschrijving"`
	VerkoopGrootboekNederlandIdentifier *Ref   `json:"verkoopGrootboekNederlandIdentifier,omitempty"`
	VerkoopNederlandBtwSoort            string `json:"verkoopNederlandBtwSoort"`
	ID                                  GUID   `json:"id"`
	URI                                 string `json:"uri,omitempty"`
}

// IngaveGegevenSjabloon is an extra field definition of a template (IngaveGegevenSjabloonModel).
type IngaveGegevenSjabloon struct {
	VeldNummer         int32  `json:"veldNummer"`
	Omschrijving       string `json:"omschrijving,omitempty"`
	IngaveMasker       string `json:"ingaveMasker,omitempty"`
	SoortVeld          string `json:"soortVeld,omitempty"`
	MaximumTekstLengte int32  `json:"maximumTekstLengte"`
}

// Sjabloon is the VerkoopOrderSjabloonModel (sales-order template).
type Sjabloon struct {
	Omschrijving            string                  `json:"omschrijving"`
	Nonactief               bool                    `json:"nonactief"`
	PrijsIngaveExclusiefBtw bool                    `json:"prijsIngaveExclusiefBtw"`
	NieuweOrdersBlokkeren   bool                    `json:"nieuweOrdersBlokkeren"`
	ExtraHoofdVelden        []IngaveGegevenSjabloon `json:"extraHoofdVelden"`
	ExtraRegelVelden        []IngaveGegevenSjabloon `json:"extraRegelVelden"`
	ID                      GUID                    `json:"id"`
	URI                     string                  `json:"uri,omitempty"`
}

// Grootboek is the GrootboekModel: a ledger account. Revenue is booked on one of the profit and
// loss account (rekeningCode WinstEnVerlies).
type Grootboek struct {
	ModifiedOn            Time   `json:"modifiedOn"`
	Omschrijving          string `json:"omschrijving"`
	KostenplaatsVerplicht bool   `json:"kostenplaatsVerplicht"`
	RekeningCode          string `json:"rekeningCode"`
	Nonactief             bool   `json:"nonactief"`
	Nummer                int32  `json:"nummer"`
	Grootboekfunctie      string `json:"grootboekfunctie"`
	ID                    GUID   `json:"id"`
	URI                   string `json:"uri,omitempty"`
}

// Kostenplaats is the KostenplaatsModel (cost centre).
type Kostenplaats struct {
	Omschrijving string `json:"omschrijving"`
	Nonactief    bool   `json:"nonactief"`
	Nummer       int32  `json:"nummer"`
	ID           GUID   `json:"id"`
	URI          string `json:"uri,omitempty"`
}

// Land is the LandModel; LandcodeISO holds the two-letter ISO code (NL, BE, ...).
type Land struct {
	Naam        string `json:"naam"`
	LandcodeISO string `json:"landcodeISO"`
	Landcode    string `json:"landcode"`
	ID          GUID   `json:"id"`
	URI         string `json:"uri,omitempty"`
}

// BtwTarief is one period of a Dutch VAT rate (BtwTariefModel). DatumTotEnMet is inclusive;
// the zero Time means "still valid".
type BtwTarief struct {
	BtwSoort      string  `json:"btwSoort"`
	BtwPercentage Decimal `json:"btwPercentage"`
	DatumVanaf    Time    `json:"datumVanaf"`
	DatumTotEnMet Time    `json:"datumTotEnMet,omitzero"`
}

// KleineOndernemersRegeling is the KleineOndernemersRegelingModel.
type KleineOndernemersRegeling struct {
	IsKleineOndernemersRegelingActief       bool    `json:"isKleineOndernemersRegelingActief"`
	MaximaalBedragVolledigeVerrekening      Decimal `json:"maximaalBedragVolledigeVerrekening"`
	MaximaalBedragKleineOndernemersRegeling Decimal `json:"maximaalBedragKleineOndernemersRegeling"`
}

// CompanyInfo is the part of the CompanyInfoModel the simulator models. Only
// FactureerBuitenlandsBtw can be changed through PUT /companyInfo, as in the real API;
// VolgendVerkoopordernummer is advanced by every created verkooporder.
type CompanyInfo struct {
	AdministratieIdentifier                GUID                       `json:"administratieIdentifier"`
	AdministratieNaam                      string                     `json:"administratieNaam"`
	Bedrijfsnaam                           string                     `json:"bedrijfsnaam"`
	Contactpersoon                         string                     `json:"contactpersoon,omitempty"`
	Adres                                  string                     `json:"adres,omitempty"`
	Postcode                               string                     `json:"postcode,omitempty"`
	Plaats                                 string                     `json:"plaats,omitempty"`
	Telefoon                               string                     `json:"telefoon,omitempty"`
	Iban                                   string                     `json:"iban,omitempty"`
	Bic                                    string                     `json:"bic,omitempty"`
	Rechtsvorm                             string                     `json:"rechtsvorm,omitempty"`
	BtwNummer                              string                     `json:"btwNummer,omitempty"`
	KvKNummer                              string                     `json:"kvKNummer,omitempty"`
	Email                                  string                     `json:"email,omitempty"`
	Website                                string                     `json:"website,omitempty"`
	HuidigBoekjaar                         int32                      `json:"huidigBoekjaar"`
	BeginmaandFiscaleBoekjaar              int32                      `json:"beginmaandFiscaleBoekjaar"`
	BtwAangiftePeriodeSoort                string                     `json:"btwAangiftePeriodeSoort,omitempty"`
	KleineOndernemersregeling              *KleineOndernemersRegeling `json:"kleineOndernemersregeling,omitempty"`
	VolgendFactuurnummer                   int32                      `json:"volgendFactuurnummer"`
	VolgendVerkoopordernummer              int32                      `json:"volgendVerkoopordernummer"`
	VoorraadcontroleOrderinvoer            bool                       `json:"voorraadcontroleOrderinvoer"`
	BackorderGebruiken                     bool                       `json:"backorderGebruiken"`
	TekstregelsOvernemenNaarBackorder      string                     `json:"tekstregelsOvernemenNaarBackorder,omitempty"`
	RegelkortingVerkooporder               string                     `json:"regelkortingVerkooporder"`
	VerkoopprijsArtikelbestandExclusiefBtw bool                       `json:"verkoopprijsArtikelbestandExclusiefBtw"`
	InkoopprijsArtikelbestandExclusiefBtw  bool                       `json:"inkoopprijsArtikelbestandExclusiefBtw"`
	ArtikelcodeSoort                       string                     `json:"artikelcodeSoort"`
	ArtikelcodeMaxLengte                   int32                      `json:"artikelcodeMaxLengte"`
	AantalDecimalenArtikelprijzen          int32                      `json:"aantalDecimalenArtikelprijzen"`
	AantalDecimalenArtikelaantallen        int32                      `json:"aantalDecimalenArtikelaantallen"`
	VerkooporderVoorraadVanafNiveau        string                     `json:"verkooporderVoorraadVanafNiveau,omitempty"`
	FactureerBuitenlandsBtw                bool                       `json:"factureerBuitenlandsBtw"`
}

// IngaveGegeven is an extra header or line field value on an order (IngaveGegevenModel).
type IngaveGegeven struct {
	VeldNummer   int32  `json:"veldNummer"`
	Omschrijving string `json:"omschrijving,omitempty"`
	Waarde       string `json:"waarde,omitempty"`
}

// Regel is a VerkooporderRegelModel. Totaal is computed by the simulator (any value sent is
// ignored): the line amount after the line discount, in the order's Incl/Excl mode.
//
// Stuksprijs is nil on input when the request left it out (or sent null): SnelStart then takes
// the article's verkoopprijs, converted to the order's Incl/Excl mode. The simulator fills it
// before storing, so it is never nil on output and travels as a number, as the document gives.
type Regel struct {
	Artikel            *Ref            `json:"artikel,omitempty"`
	Omschrijving       string          `json:"omschrijving,omitempty"`
	Stuksprijs         *Decimal        `json:"stuksprijs"`
	Aantal             Decimal         `json:"aantal"`
	KortingsPercentage Decimal         `json:"kortingsPercentage"`
	Totaal             Decimal         `json:"totaal"`
	ExtraRegelVelden   []IngaveGegeven `json:"extraRegelVelden"`
}

// Verkooporder is the VerkoopOrderModel. Pointer fields are optional on input (absent means
// "take the default": customer's krediettermijn/factuurkorting, template's blocking and price
// mode); the simulator fills them all before storing, so they are never null on output.
type Verkooporder struct {
	Relatie                    *Ref            `json:"relatie,omitempty"`
	ProcesStatus               string          `json:"procesStatus,omitempty"`
	Nummer                     int32           `json:"nummer"`
	ModifiedOn                 Time            `json:"modifiedOn"`
	Datum                      Time            `json:"datum"`
	Krediettermijn             *int32          `json:"krediettermijn,omitempty"`
	Geblokkeerd                *bool           `json:"geblokkeerd,omitempty"`
	Omschrijving               string          `json:"omschrijving,omitempty"`
	Betalingskenmerk           string          `json:"betalingskenmerk,omitempty"`
	Incassomachtiging          *Ref            `json:"incassomachtiging,omitempty"`
	Afleveradres               *Adres          `json:"afleveradres,omitempty"`
	Factuuradres               *Adres          `json:"factuuradres,omitempty"`
	VerkooporderBtwIngaveModel string          `json:"verkooporderBtwIngaveModel,omitempty"`
	Kostenplaats               *Ref            `json:"kostenplaats,omitempty"`
	Regels                     []Regel         `json:"regels"`
	Memo                       string          `json:"memo,omitempty"`
	Orderreferentie            string          `json:"orderreferentie,omitempty"`
	Factuurkorting             *Decimal        `json:"factuurkorting,omitempty"`
	Verkoopfactuur             *Ref            `json:"verkoopfactuur,omitempty"`
	Verkoopordersjabloon       *Ref            `json:"verkoopordersjabloon,omitempty"`
	VerkoopOrderStatus         string          `json:"verkoopOrderStatus,omitempty"`
	TotaalExclusiefBtw         Decimal         `json:"totaalExclusiefBtw"`
	TotaalInclusiefBtw         Decimal         `json:"totaalInclusiefBtw"`
	ExtraHoofdVelden           []IngaveGegeven `json:"extraHoofdVelden"`
	ID                         GUID            `json:"id"`
	URI                        string          `json:"uri,omitempty"`
}

// procesStatusUpdate is the VerkooporderUpdateProcesStatusModel.
type procesStatusUpdate struct {
	ID           GUID   `json:"id"`
	ProcesStatus string `json:"procesStatus"`
}

// clone deep-copies v through JSON; the simulator's types round-trip exactly.
func clone[T any](v T) T {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&out); err != nil {
		return v
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
