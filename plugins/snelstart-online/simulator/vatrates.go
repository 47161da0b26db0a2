package simulator

import (
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// VatRate is one rate of a country (VatRateModel): its rate code (SR standard, RRH and RRL the
// higher and lower reduced rates, SRR super-reduced, PR parking), the percentage and the date
// from which it applies.
type VatRate struct {
	RateCode  string  `json:"rateCode"`
	Rate      Decimal `json:"rate"`
	ValidFrom Time    `json:"validFrom"`
}

// VatRates is the VatRatesModel: the rates of one country, by its three-letter ISO code.
type VatRates struct {
	CountryCode string    `json:"countryCode"`
	VatRates    []VatRate `json:"vatRates"`
}

// euCountries maps the ISO alpha-2 codes of the EU member states to their alpha-3 codes (Greece
// is "GR" in SnelStart's landen and "EL" in VAT numbers).
var euCountries = map[string]string{
	"AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK",
	"EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "HR": "HRV", "HU": "HUN",
	"IE": "IRL", "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD",
	"PL": "POL", "PT": "PRT", "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK",
}

// defaultVatRates are the rates of the default administration's EU countries.
func defaultVatRates() []VatRates {
	from := day(2021, 7, 1)
	r := func(code, rate string) VatRate { return VatRate{RateCode: code, Rate: D(rate), ValidFrom: from} }
	return []VatRates{
		{CountryCode: "NLD", VatRates: []VatRate{r("SR", "21"), r("RRL", "9")}},
		{CountryCode: "BEL", VatRates: []VatRate{r("SR", "21"), r("RRH", "12"), r("RRL", "6")}},
		{CountryCode: "DEU", VatRates: []VatRate{r("SR", "19"), r("RRL", "7")}},
		{CountryCode: "FRA", VatRates: []VatRate{r("SR", "20"), r("RRH", "10"), r("RRL", "5.5"), r("SRR", "2.1")}},
	}
}

func (s *Server) listVatRates(w http.ResponseWriter, r *http.Request) {
	listScanned(s, w, r, func() []VatRates { return s.st.VatRates })
}

// listScanned answers an OData list of a resource without indexes (pages of at most 500):
// items returns the resource's list, read under s.mu.
func listScanned[T any](s *Server, w http.ResponseWriter, r *http.Request, items func() []T) {
	var zero T
	q, ok := parseOData(w, r, zero, 500)
	if !ok {
		return
	}
	s.mu.Lock()
	out := listPage(s, q, items(), noIndex{})
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// noIndex is the indexLookup of a short list: every filter scans it.
type noIndex struct{}

func (noIndex) equal(string, string) ([]int32, bool)      { return nil, false }
func (noIndex) containing(string, string) ([]int32, bool) { return nil, false }

// getVatRates answers GET /vatrates/{id}, id being the three-letter country code.
func (s *Server) getVatRates(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.PathValue("id")))
	for _, v := range listOf(s, func() []VatRates { return s.st.VatRates }) {
		if strings.EqualFold(v.CountryCode, code) {
			writeJSON(w, http.StatusOK, v)
			return
		}
	}
	notFound(w, "VatRates")
}

// rateCodesFor are the rate codes a SnelStart VAT class maps to abroad, in order of preference:
// Hoog is the standard rate, Laag the lower reduced rate (the higher one where a country has
// only that), Geen is 0 %.
var rateCodesFor = map[string][]string{"Hoog": {"SR"}, "Laag": {"RRL", "RRH"}}

// foreignRate returns the rate a VAT class has in an EU country (alpha-2) on a date, from the
// administration's vatrates. Caller holds s.mu.
func (s *Server) foreignRate(country, soort string, on time.Time) (decimal.Decimal, bool) {
	if soort == "Geen" {
		return decimal.Zero, true
	}
	a3 := euCountries[country]
	for _, v := range s.st.VatRates {
		if !strings.EqualFold(v.CountryCode, a3) {
			continue
		}
		for _, code := range rateCodesFor[soort] {
			var best *VatRate
			for i := range v.VatRates {
				vr := &v.VatRates[i]
				if vr.RateCode != code || (!vr.ValidFrom.IsZero() && on.Before(vr.ValidFrom.Time)) {
					continue
				}
				if best == nil || vr.ValidFrom.After(best.ValidFrom.Time) {
					best = vr
				}
			}
			if best != nil {
				return best.Rate.Decimal, true
			}
		}
	}
	return decimal.Zero, false
}

// vatScheme is how SnelStart taxes an order, decided by the destination country (the order's
// afleveradres, else the customer's vestigingsadres) and the customer's VAT number.
type vatScheme int

const (
	schemeDomestic vatScheme = iota // Dutch rates
	schemeOSS                       // an EU consumer with foreign VAT invoicing on: destination rates
	schemeICP                       // an EU business with a VAT number: 0 %
	schemeExport                    // outside the EU: 0 %
)

// orderScheme decides the VAT scheme of an order. An EU consumer abroad without OSS pays Dutch
// VAT. Caller holds s.mu.
func (s *Server) orderScheme(o *Verkooporder, rel *Relatie) (vatScheme, string) {
	var land *Land
	if o.Afleveradres != nil {
		land = s.findLand(refID(o.Afleveradres.Land))
	}
	if land == nil && rel != nil && rel.VestigingsAdres != nil {
		land = s.findLand(refID(rel.VestigingsAdres.Land))
	}
	if land == nil {
		return schemeDomestic, "NL"
	}
	iso := strings.ToUpper(land.LandcodeISO)
	switch _, eu := euCountries[iso]; {
	case iso == "NL" || iso == "":
		return schemeDomestic, "NL"
	case !eu:
		return schemeExport, iso
	case rel != nil && rel.BtwNummer != "":
		return schemeICP, iso
	case s.st.CompanyInfo.FactureerBuitenlandsBtw:
		return schemeOSS, iso
	}
	return schemeDomestic, iso
}
