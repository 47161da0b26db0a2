package mapping

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// SnelStart's length limits (B2B API v2: REL-0007, REL-0020..0028, VOR-0006..0011, the
// VerkooporderRegelModel). A longer value is cut with a warning, never refused.
const (
	maxName     = 50
	maxContact  = 50
	maxStreet   = 50
	maxPostcode = 25
	maxCity     = 50
	maxPhone    = 25
	maxEmail    = 250
	// MaxLineText is SnelStart's length of a line description (and of an article's
	// omschrijving).
	MaxLineText    = 250
	maxReference   = 50
	maxDescription = 250
)

// Warnings collects the warnings about one order or item.
type Warnings []string

// Add appends a formatted warning.
func (w *Warnings) Add(format string, args ...any) {
	*w = append(*w, fmt.Sprintf(format, args...))
}

// Cut returns s trimmed and cut to max runes; when it had to cut, it adds a warning naming what
// was cut (never the value: warnings are stored and must hold no personal data).
func (w *Warnings) Cut(s string, max int, what string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	w.Add(text.Template("reason.cut"), what, len(r), max)
	return strings.TrimSpace(string(r[:max]))
}

// joinNonEmpty joins the non-empty trimmed parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// personName is "First Last" of an address, falling back to the customer's own name fields.
func personName(a sdk.Address, c sdk.Customer) string {
	if n := joinNonEmpty(" ", a.FirstName, a.LastName); n != "" {
		return n
	}
	return joinNonEmpty(" ", c.FirstName, c.LastName)
}

// NormPostcode is a postcode without spaces, upper case ("1234 ab" -> "1234AB").
func NormPostcode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// EmailIn reports whether e (one address) is one of the ";"-separated addresses in list,
// ignoring case and surrounding spaces.
func EmailIn(e, list string) bool {
	e = strings.TrimSpace(e)
	if e == "" {
		return false
	}
	for _, x := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' }) {
		if strings.EqualFold(strings.TrimSpace(x), e) {
			return true
		}
	}
	return false
}

// FirstNonEmpty returns the first of xs that is not blank, trimmed; "" when all are.
func FirstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// UTFLen is the length of s in characters (runes), as SnelStart counts.
func UTFLen(s string) int { return utf8.RuneCountInString(s) }

// Money formats an amount for messages (two decimals).
func Money(m sdk.Money) string { return m.StringFixed(2) }
