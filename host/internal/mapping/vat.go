package mapping

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// checkVAT implements orders.vat_check: every priced line's shop VAT rate must equal the rate of
// the VAT class of its article's omzetgroep on the order date. It returns the warnings (for
// vat_check = "warn") or a refusal naming the line, both rates and the article (for "fail").
func (op *orderPlan) checkVAT(lines []plannedLine) ([]string, error) {
	rd, date := op.p.ref, op.o.CreatedAt
	mode := op.p.prof.Orders.VATCheck
	if mode == config.VATCheckOff {
		return nil, nil
	}
	var problems, warns []string
	for _, l := range lines {
		if l.shopRate == nil || l.article == nil {
			continue
		}
		g, pct, ok := rd.VATOf(l.article.RevenueGroupID, date)
		if !ok && rd.vat != nil && rd.vat.Scheme == SchemeOSS {
			if g, known := rd.Groups[l.article.RevenueGroupID]; known {
				problems = append(problems, fmt.Sprintf(text.Template("reason.oss_no_rate"),
					l.label, g.VATClass, countryName(rd.vat.Country), date.Format("2006-01-02"), l.article.Code))
				continue
			}
		}
		if !ok {
			warns = append(warns, fmt.Sprintf(text.Template("reason.vat_unchecked"),
				l.label, l.article.Code, date.Format("2006-01-02")))
			continue
		}
		if pct.Equal(*l.shopRate) {
			continue
		}
		if note := op.schemeNote(); note != "" {
			problems = append(problems, fmt.Sprintf(text.Template("reason.vat_line_scheme"),
				l.label, l.shopRate.String(), l.article.Code, g.Number, g.Description, g.VATClass, pct.String(), date.Format("2006-01-02"), note))
			continue
		}
		problems = append(problems, fmt.Sprintf(text.Template("reason.vat_line"),
			l.label, l.shopRate.String(), l.article.Code, g.Number, g.Description, g.VATClass, pct.String(), date.Format("2006-01-02"), ""))
	}
	if len(problems) == 0 {
		return warns, nil
	}
	if mode == config.VATCheckWarn {
		return append(warns, problems...), nil
	}
	return warns, op.vatMismatch(strings.Join(problems, "; "))
}

// schemeNote names the VAT scheme in a mismatch ("" for the Netherlands), from the catalogue's
// English template (reason.scheme.*) like every stored reason.
func (op *orderPlan) schemeNote() string {
	switch {
	case op.vat.Scheme == SchemeOSS:
		return fmt.Sprintf(text.Template("reason.scheme.oss"), countryName(op.vat.Country))
	case op.vat.Scheme == SchemeExport:
		return text.Template("reason.scheme.export")
	case op.vat.Scheme == SchemeICP:
		return text.Template("reason.scheme.icp")
	case op.vat.abroad:
		return text.Template("reason.scheme.oss_off")
	}
	return ""
}

// vatPatterns are the formats of EU VAT numbers (after normalising), by ISO country code.
var vatPatterns = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`^ATU[0-9]{8}$`),
	"BE": regexp.MustCompile(`^BE[01][0-9]{9}$`),
	"BG": regexp.MustCompile(`^BG[0-9]{9,10}$`),
	"CY": regexp.MustCompile(`^CY[0-9]{8}[A-Z]$`),
	"CZ": regexp.MustCompile(`^CZ[0-9]{8,10}$`),
	"DE": regexp.MustCompile(`^DE[0-9]{9}$`),
	"DK": regexp.MustCompile(`^DK[0-9]{8}$`),
	"EE": regexp.MustCompile(`^EE[0-9]{9}$`),
	"GR": regexp.MustCompile(`^EL[0-9]{9}$`),
	"ES": regexp.MustCompile(`^ES[0-9A-Z][0-9]{7}[0-9A-Z]$`),
	"FI": regexp.MustCompile(`^FI[0-9]{8}$`),
	"FR": regexp.MustCompile(`^FR[0-9A-HJ-NP-Z]{2}[0-9]{9}$`),
	"HR": regexp.MustCompile(`^HR[0-9]{11}$`),
	"HU": regexp.MustCompile(`^HU[0-9]{8}$`),
	"IE": regexp.MustCompile(`^IE[0-9][0-9A-Z+*][0-9]{5}[A-Z]{1,2}$`),
	"IT": regexp.MustCompile(`^IT[0-9]{11}$`),
	"LT": regexp.MustCompile(`^LT([0-9]{9}|[0-9]{12})$`),
	"LU": regexp.MustCompile(`^LU[0-9]{8}$`),
	"LV": regexp.MustCompile(`^LV[0-9]{11}$`),
	"MT": regexp.MustCompile(`^MT[0-9]{8}$`),
	"NL": regexp.MustCompile(`^NL[0-9]{9}B[0-9]{2}$`),
	"PL": regexp.MustCompile(`^PL[0-9]{10}$`),
	"PT": regexp.MustCompile(`^PT[0-9]{9}$`),
	"RO": regexp.MustCompile(`^RO[0-9]{2,10}$`),
	"SE": regexp.MustCompile(`^SE[0-9]{12}$`),
	"SI": regexp.MustCompile(`^SI[0-9]{8}$`),
	"SK": regexp.MustCompile(`^SK[0-9]{10}$`),
	"GB": regexp.MustCompile(`^GB([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})$`),
	"XI": regexp.MustCompile(`^XI([0-9]{9}|[0-9]{12})$`),
	"CH": regexp.MustCompile(`^CHE[0-9]{9}(MWST|TVA|IVA)?$`),
}

var vatGeneric = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z]{2,13}$`)

// NormaliseVATNumber returns a VAT number for country (ISO code of the customer's address) in
// SnelStart's form (letters and digits only, upper case, with the country prefix), and whether
// it is valid for that country: format by country, and for the Netherlands the check digits
// (elfproef for the old form, mod 97 for the 2020 form of sole traders). A number whose prefix
// names another country is invalid: SnelStart requires it to match the address.
func NormaliseVATNumber(raw, country string) (string, bool) {
	country = strings.ToUpper(strings.TrimSpace(country))
	var b strings.Builder
	for _, r := range strings.ToUpper(raw) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" || country == "" {
		return "", false
	}
	prefix := country
	if country == "GR" {
		prefix = "EL"
	}
	if len(s) >= 2 && s[0] >= '0' && s[0] <= '9' {
		s = prefix + s
	}
	if !strings.HasPrefix(s, prefix) {
		return "", false
	}
	if re, ok := vatPatterns[country]; ok {
		if !re.MatchString(s) {
			return "", false
		}
	} else if !vatGeneric.MatchString(s) || len(s) > 50 {
		return "", false
	}
	if country == "NL" && !nlVATChecksum(s) {
		return "", false
	}
	return s, true
}

// nlVATChecksum checks a Dutch btw-id (NL999999999B99): either the elfproef over the nine digits
// (the old omzetbelastingnummer) or ISO 7064 mod 97 over the whole id (the btw-id of sole
// traders since 2020).
func nlVATChecksum(s string) bool {
	digits := s[2:11]
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(digits[i]-'0') * (9 - i)
	}
	sum -= int(digits[8] - '0')
	if sum%11 == 0 {
		return true
	}
	var num strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			fmt.Fprintf(&num, "%d", r-'A'+10)
		} else {
			num.WriteRune(r)
		}
	}
	n, ok := new(big.Int).SetString(num.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}
