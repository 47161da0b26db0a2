package onetoshop

import (
	"strings"
	"unicode"
)

// JoinStreet joins a Dutch address's street, house number and suffix into the one line SnelStart
// keeps as straat:
//
//	"Dorpsstraat", "12", ""     → "Dorpsstraat 12"
//	"Dorpsstraat", "12", "A"    → "Dorpsstraat 12A"   (a single letter sticks to the number)
//	"Dorpsstraat", "12", "bis"  → "Dorpsstraat 12 bis"
//	"Dorpsstraat", "12", "-3"   → "Dorpsstraat 12-3"  (a suffix starting with - or / sticks too)
//	"Dorpsstraat 12", "12", ""  → "Dorpsstraat 12"    (a number already in the street is not repeated)
//
// Runs of white space collapse to one space. Empty parts are left out.
func JoinStreet(street, number, suffix string) string {
	street = collapse(street)
	number = collapse(number)
	suffix = collapse(suffix)
	if number == "" && suffix == "" {
		return street
	}
	num := number
	switch {
	case suffix == "":
	case num == "":
		num = suffix
	case strings.HasPrefix(suffix, "-") || strings.HasPrefix(suffix, "/"):
		num += suffix
	case isSingleLetter(suffix) && endsWithDigit(num):
		num += strings.ToUpper(suffix)
	default:
		num += " " + suffix
	}
	if street == "" {
		return num
	}
	if number != "" && (strings.HasSuffix(street, " "+num) || strings.HasSuffix(street, " "+number)) {
		if strings.HasSuffix(street, " "+number) && num != number {
			return strings.TrimSuffix(street, number) + num
		}
		return street
	}
	return street + " " + num
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func isSingleLetter(s string) bool {
	r := []rune(s)
	return len(r) == 1 && unicode.IsLetter(r[0])
}

func endsWithDigit(s string) bool {
	r := []rune(s)
	return len(r) > 0 && unicode.IsDigit(r[len(r)-1])
}

// countryNames maps country names and ISO alpha-3 codes a shop may send to ISO 3166-1 alpha-2.
var countryNames = map[string]string{
	"NEDERLAND": "NL", "THE NETHERLANDS": "NL", "NETHERLANDS": "NL", "HOLLAND": "NL", "NLD": "NL",
	"BELGIE": "BE", "BELGIË": "BE", "BELGIUM": "BE", "BEL": "BE",
	"DUITSLAND": "DE", "GERMANY": "DE", "DEUTSCHLAND": "DE", "DEU": "DE",
	"FRANKRIJK": "FR", "FRANCE": "FR", "FRA": "FR",
	"LUXEMBURG": "LU", "LUXEMBOURG": "LU", "LUX": "LU",
	"GROOT-BRITTANNIE": "GB", "VERENIGD KONINKRIJK": "GB", "UNITED KINGDOM": "GB", "GBR": "GB",
	"OOSTENRIJK": "AT", "AUSTRIA": "AT", "AUT": "AT",
	"SPANJE": "ES", "SPAIN": "ES", "ESP": "ES",
}

// Country normalises a country to its ISO 3166-1 alpha-2 code: "nl" → "NL", "Nederland" → "NL",
// "NLD" → "NL". An unknown value is returned upper-cased and trimmed, for the host to report.
func Country(c string) string {
	c = strings.ToUpper(collapse(c))
	if len(c) == 2 {
		return c
	}
	if iso, ok := countryNames[c]; ok {
		return iso
	}
	return c
}
