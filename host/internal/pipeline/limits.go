package pipeline

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/koppel-nl/koppel/sdk"
)

// SnelStart's length limits (B2B API v2: REL-0007, REL-0020..0028, VOR-0006..0011, the
// VerkooporderRegelModel). A longer value is cut with a warning, never refused.
const (
	maxName        = 50
	maxContact     = 50
	maxStreet      = 50
	maxPostcode    = 25
	maxCity        = 50
	maxPhone       = 25
	maxEmail       = 250
	maxLineText    = 250
	maxReference   = 50
	maxDescription = 250
)

// warnings collects the warnings about one order.
type warnings []string

func (w *warnings) add(format string, args ...any) {
	*w = append(*w, fmt.Sprintf(format, args...))
}

// cut returns s trimmed and cut to max runes; when it had to cut, it adds a warning naming what
// was cut (never the value: warnings are stored and must hold no personal data).
func (w *warnings) cut(s string, max int, what string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	w.add("%s was %d characters, cut to SnelStart's maximum of %d", what, len(r), max)
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

// normPostcode is a postcode without spaces, upper case ("1234 ab" -> "1234AB").
func normPostcode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// emailIn reports whether e (one address) is one of the ";"-separated addresses in list,
// ignoring case and surrounding spaces.
func emailIn(e, list string) bool {
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
