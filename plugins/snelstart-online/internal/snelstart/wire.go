package snelstart

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // SnelStart times are Amsterdam local time; do not depend on the host zoneinfo

	"github.com/shopspring/decimal"
)

// This file holds the JSON shapes of the SnelStart B2B API v2 as the connector sends and reads
// them (lowerCamelCase, as in the OpenAPI document). Write models carry only writable fields:
// readOnly properties (uri, stock, isHoofdartikel) are never sent.

// num is a decimal that travels as a bare JSON number, both ways, never through float64.
// A JSON null or an empty string decodes to zero; Valid tells whether a value was present.
type num struct {
	D     decimal.Decimal
	Valid bool
}

// newNum wraps a decimal for sending.
func newNum(d decimal.Decimal) *num { return &num{D: d, Valid: true} }

// MarshalJSON writes the decimal as a JSON number literal.
func (n num) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return []byte(n.D.String()), nil
}

// UnmarshalJSON reads a JSON number (or a numeric string, or null) exactly.
func (n *num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*n = num{}
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return fmt.Errorf("decimal: %w", err)
		}
		s = strings.TrimSpace(str)
		if s == "" {
			*n = num{}
			return nil
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("decimal: %q is not a number", s)
	}
	*n = num{D: d, Valid: true}
	return nil
}

// dec returns the value, zero when absent.
func (n *num) dec() decimal.Decimal {
	if n == nil || !n.Valid {
		return decimal.Zero
	}
	return n.D
}

// ssTime is a SnelStart date-time. It is sent as SnelStart's own examples send it: the Dutch
// (Europe/Amsterdam) wall-clock time without offset ("2024-05-01T23:30:00"), so an order placed
// at 23:30 on the last day of a quarter stays in that quarter whatever zone the host runs in.
// It is read with or without offset and fraction (SnelStart answers without offset, in Dutch
// local time).
type ssTime struct{ time.Time }

// amsterdam is the zone SnelStart's offset-less date-times are in.
var amsterdam = loadAmsterdam()

func loadAmsterdam() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// MarshalJSON writes the time as Amsterdam local time with offset; the zero time as null.
func (t ssTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.In(amsterdam).Format("2006-01-02T15:04:05"))
}

// UnmarshalJSON accepts RFC 3339 with offset, or a local time with optional fraction.
func (t *ssTime) UnmarshalJSON(b []byte) error {
	var s string
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date-time: %w", err)
	}
	v, err := parseSSTime(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// parseSSTime parses a SnelStart date-time string.
func parseSSTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if v, err := time.ParseInLocation(layout, s, amsterdam); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("date-time %q not understood", s)
}

// ref is an identifier model: only the id is sent; uri is readOnly and only read.
type ref struct {
	ID string `json:"id"`
}

// refOf returns a reference, or nil for an empty id.
func refOf(id string) *ref {
	if id == "" {
		return nil
	}
	return &ref{ID: id}
}

// refIn is an identifier model as read.
type refIn struct {
	ID  string `json:"id"`
	URI string `json:"uri,omitempty"`
}

// idOf returns the id of a read reference, or "".
func idOf(r *refIn) string {
	if r == nil {
		return ""
	}
	return r.ID
}

// adres is AdresModel.
type adres struct {
	Contactpersoon string `json:"contactpersoon,omitempty"`
	Straat         string `json:"straat,omitempty"`
	Postcode       string `json:"postcode,omitempty"`
	Plaats         string `json:"plaats,omitempty"`
	Land           *ref   `json:"land,omitempty"`
}

// adresIn is AdresModel as read.
type adresIn struct {
	Contactpersoon string `json:"contactpersoon"`
	Straat         string `json:"straat"`
	Postcode       string `json:"postcode"`
	Plaats         string `json:"plaats"`
	Land           *refIn `json:"land"`
}

// emailVersturen is EmailVersturenModel.
type emailVersturen struct {
	ShouldSend bool   `json:"shouldSend"`
	Email      string `json:"email,omitempty"`
	CcEmail    string `json:"ccEmail,omitempty"`
}

// extraVeld is ExtraVeldArtikelModel / ExtraVeldRelatieModel.
type extraVeld struct {
	Naam   string `json:"naam"`
	Waarde string `json:"waarde"`
}

// relatieIn is RelatieModel as read (the fields the connector uses).
type relatieIn struct {
	ID                    string          `json:"id"`
	Relatiesoort          []string        `json:"relatiesoort"`
	ModifiedOn            ssTime          `json:"modifiedOn"`
	Relatiecode           int             `json:"relatiecode"`
	Naam                  string          `json:"naam"`
	VestigingsAdres       *adresIn        `json:"vestigingsAdres"`
	CorrespondentieAdres  *adresIn        `json:"correspondentieAdres"`
	Telefoon              string          `json:"telefoon"`
	MobieleTelefoon       string          `json:"mobieleTelefoon"`
	Email                 string          `json:"email"`
	BtwNummer             string          `json:"btwNummer"`
	Krediettermijn        *int            `json:"krediettermijn"`
	Nonactief             bool            `json:"nonactief"`
	FactuurEmailVersturen *emailVersturen `json:"factuurEmailVersturen"`
	AanmaningEmail        *emailVersturen `json:"aanmaningEmailVersturen"`
}

// relatieWrite is RelatieWriteModel as sent on POST.
type relatieWrite struct {
	Relatiesoort          []string        `json:"relatiesoort"`
	Relatiecode           int             `json:"relatiecode,omitempty"`
	Naam                  string          `json:"naam"`
	VestigingsAdres       *adres          `json:"vestigingsAdres,omitempty"`
	CorrespondentieAdres  *adres          `json:"correspondentieAdres,omitempty"`
	Telefoon              string          `json:"telefoon,omitempty"`
	MobieleTelefoon       string          `json:"mobieleTelefoon,omitempty"`
	Email                 string          `json:"email,omitempty"`
	BtwNummer             string          `json:"btwNummer,omitempty"`
	Krediettermijn        *int            `json:"krediettermijn,omitempty"`
	Nonactief             bool            `json:"nonactief,omitempty"`
	FactuurEmailVersturen *emailVersturen `json:"factuurEmailVersturen,omitempty"`
	AanmaningEmail        *emailVersturen `json:"aanmaningEmailVersturen,omitempty"`
}

// subartikel is SubartikelModel.
type subartikel struct {
	Artikelcode string `json:"artikelcode"`
	Aantal      *num   `json:"aantal"`
	ID          string `json:"id"`
}

// artikelIn is ArtikelQueryModel as read.
type artikelIn struct {
	ID                 string       `json:"id"`
	Artikelcode        string       `json:"artikelcode"`
	Omschrijving       string       `json:"omschrijving"`
	ArtikelOmzetgroep  *refIn       `json:"artikelOmzetgroep"`
	Verkoopprijs       *num         `json:"verkoopprijs"`
	Eenheid            string       `json:"eenheid"`
	ModifiedOn         ssTime       `json:"modifiedOn"`
	IsNonActief        bool         `json:"isNonActief"`
	VoorraadControle   bool         `json:"voorraadControle"`
	TechnischeVoorraad *num         `json:"technischeVoorraad"`
	VrijeVoorraad      *num         `json:"vrijeVoorraad"`
	ExtraVelden        []extraVeld  `json:"extraVelden"`
	IsHoofdartikel     bool         `json:"isHoofdartikel"`
	Subartikelen       []subartikel `json:"subartikelen"`
}

// artikelWrite is ArtikelModel as sent on POST.
type artikelWrite struct {
	Artikelcode       string      `json:"artikelcode"`
	Omschrijving      string      `json:"omschrijving"`
	ArtikelOmzetgroep *ref        `json:"artikelOmzetgroep,omitempty"`
	Verkoopprijs      *num        `json:"verkoopprijs,omitempty"`
	Eenheid           string      `json:"eenheid,omitempty"`
	IsNonActief       bool        `json:"isNonActief"`
	VoorraadControle  bool        `json:"voorraadControle"`
	ExtraVelden       []extraVeld `json:"extraVelden,omitempty"`
}

// regelWrite is VerkooporderRegelModel as sent.
type regelWrite struct {
	Artikel            *ref   `json:"artikel,omitempty"`
	Omschrijving       string `json:"omschrijving,omitempty"`
	Stuksprijs         *num   `json:"stuksprijs,omitempty"`
	Aantal             *num   `json:"aantal"`
	KortingsPercentage *num   `json:"kortingsPercentage,omitempty"`
}

// verkooporderWrite is VerkoopOrderModel as sent on POST.
type verkooporderWrite struct {
	Relatie                    *ref         `json:"relatie"`
	ProcesStatus               string       `json:"procesStatus,omitempty"`
	Datum                      ssTime       `json:"datum"`
	Krediettermijn             *int         `json:"krediettermijn,omitempty"`
	Omschrijving               string       `json:"omschrijving,omitempty"`
	Betalingskenmerk           string       `json:"betalingskenmerk,omitempty"`
	Afleveradres               *adres       `json:"afleveradres,omitempty"`
	Factuuradres               *adres       `json:"factuuradres,omitempty"`
	VerkooporderBtwIngaveModel string       `json:"verkooporderBtwIngaveModel"`
	Kostenplaats               *ref         `json:"kostenplaats,omitempty"`
	Regels                     []regelWrite `json:"regels"`
	Memo                       string       `json:"memo,omitempty"`
	Orderreferentie            string       `json:"orderreferentie,omitempty"`
	Verkoopordersjabloon       *ref         `json:"verkoopordersjabloon,omitempty"`
}

// regelIn is VerkooporderRegelModel as read.
type regelIn struct {
	Artikel            *refIn `json:"artikel"`
	Omschrijving       string `json:"omschrijving"`
	Stuksprijs         *num   `json:"stuksprijs"`
	Aantal             *num   `json:"aantal"`
	KortingsPercentage *num   `json:"kortingsPercentage"`
	Totaal             *num   `json:"totaal"`
}

// verkooporderIn is VerkoopOrderModel as read.
type verkooporderIn struct {
	ID                         string    `json:"id"`
	Relatie                    *refIn    `json:"relatie"`
	ProcesStatus               string    `json:"procesStatus"`
	Nummer                     int       `json:"nummer"`
	ModifiedOn                 ssTime    `json:"modifiedOn"`
	Datum                      ssTime    `json:"datum"`
	Krediettermijn             *int      `json:"krediettermijn"`
	Omschrijving               string    `json:"omschrijving"`
	Betalingskenmerk           string    `json:"betalingskenmerk"`
	Afleveradres               *adresIn  `json:"afleveradres"`
	Factuuradres               *adresIn  `json:"factuuradres"`
	VerkooporderBtwIngaveModel string    `json:"verkooporderBtwIngaveModel"`
	Kostenplaats               *refIn    `json:"kostenplaats"`
	Regels                     []regelIn `json:"regels"`
	Memo                       string    `json:"memo"`
	Orderreferentie            string    `json:"orderreferentie"`
	Verkoopordersjabloon       *refIn    `json:"verkoopordersjabloon"`
	TotaalExclusiefBtw         *num      `json:"totaalExclusiefBtw"`
	TotaalInclusiefBtw         *num      `json:"totaalInclusiefBtw"`
}

// omzetgroepIn is ArtikelOmzetGroepModel.
type omzetgroepIn struct {
	ID                       string `json:"id"`
	Nummer                   int    `json:"nummer"`
	Omschrijving             string `json:"omschrijving"`
	VerkoopNederlandBtwSoort string `json:"verkoopNederlandBtwSoort"`
	// VerkoopGrootboekNederlandIdentifier is the revenue ledger the group books on.
	VerkoopGrootboekNederlandIdentifier *refIn `json:"verkoopGrootboekNederlandIdentifier"`
}

// sjabloonIn is VerkoopOrderSjabloonModel.
type sjabloonIn struct {
	ID                      string `json:"id"`
	Omschrijving            string `json:"omschrijving"`
	Nonactief               bool   `json:"nonactief"`
	PrijsIngaveExclusiefBtw bool   `json:"prijsIngaveExclusiefBtw"`
}

// kostenplaatsIn is KostenplaatsModel.
type kostenplaatsIn struct {
	ID           string `json:"id"`
	Nummer       int    `json:"nummer"`
	Omschrijving string `json:"omschrijving"`
	Nonactief    bool   `json:"nonactief"`
}

// landIn is LandModel.
type landIn struct {
	ID          string `json:"id"`
	Naam        string `json:"naam"`
	LandcodeISO string `json:"landcodeISO"`
	Landcode    string `json:"landcode"`
}

// btwTariefIn is BtwTariefModel.
type btwTariefIn struct {
	BtwSoort      string `json:"btwSoort"`
	BtwPercentage *num   `json:"btwPercentage"`
	DatumVanaf    ssTime `json:"datumVanaf"`
	DatumTotEnMet ssTime `json:"datumTotEnMet"`
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken string      `json:"access_token"`
	TokenType   string      `json:"token_type"`
	ExpiresIn   json.Number `json:"expires_in"`
}

// oauthError is the token endpoint's error body.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// unmarshalNumbers decodes JSON keeping numbers as json.Number (never float64).
func unmarshalNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
