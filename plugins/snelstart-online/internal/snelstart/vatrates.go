package snelstart

import (
	"context"
	"strings"

	"github.com/koppel-nl/koppel/sdk"
)

// vatRatesIn is the VatRatesModel: the rates of one country by its three-letter ISO code.
type vatRatesIn struct {
	CountryCode string `json:"countryCode"`
	VatRates    []struct {
		RateCode  string `json:"rateCode"`
		Rate      *num   `json:"rate"`
		ValidFrom ssTime `json:"validFrom"`
	} `json:"vatRates"`
}

// euAlpha3 maps the three-letter ISO codes of the EU member states, as GET /vatrates names
// them, to the two-letter codes koppel uses.
var euAlpha3 = map[string]string{
	"AUT": "AT", "BEL": "BE", "BGR": "BG", "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK",
	"EST": "EE", "ESP": "ES", "FIN": "FI", "FRA": "FR", "GRC": "GR", "HRV": "HR", "HUN": "HU",
	"IRL": "IE", "ITA": "IT", "LTU": "LT", "LUX": "LU", "LVA": "LV", "MLT": "MT", "NLD": "NL",
	"POL": "PL", "PRT": "PT", "ROU": "RO", "SWE": "SE", "SVN": "SI", "SVK": "SK",
}

// classRateCodes are the rate codes that a SnelStart VAT class takes abroad, in order of
// preference: Hoog the standard rate (SR), Laag the lower reduced rate (RRL), or the higher one
// (RRH) where a country has only that. Not confirmed by a published document; acceptance mode
// compares it with a real administration (docs/profiles.md).
var classRateCodes = []struct {
	class sdk.VATClass
	codes []string
}{{sdk.VATHigh, []string{"SR"}}, {sdk.VATLow, []string{"RRL", "RRH"}}}

// foreignVATRates reads GET /vatrates (all countries, paged) and returns every rate period of
// the EU countries other than the Netherlands per VAT class.
func (c *Connector) foreignVATRates(ctx context.Context) ([]sdk.ForeignVATRate, error) {
	all, err := listAll[vatRatesIn](ctx, c.api, "/vatrates", "", pageDefault, "the VAT rates per country (vatrates)")
	if err != nil {
		return nil, err
	}
	var out []sdk.ForeignVATRate
	for _, country := range all {
		iso := euAlpha3[strings.ToUpper(strings.TrimSpace(country.CountryCode))]
		if iso == "" || iso == "NL" {
			continue
		}
		for _, cl := range classRateCodes {
			for _, code := range cl.codes {
				n := 0
				for _, r := range country.VatRates {
					if strings.EqualFold(r.RateCode, code) && r.Rate != nil && r.Rate.Valid {
						out = append(out, sdk.ForeignVATRate{Country: iso, Class: cl.class, RateCode: code, Percentage: r.Rate.D, From: r.ValidFrom.Time})
						n++
					}
				}
				if n > 0 {
					break
				}
			}
		}
	}
	return out, nil
}
