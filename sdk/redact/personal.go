// Package redact removes personal data — e-mail addresses, names, phone numbers, postcodes and
// street addresses — from text that is logged or stored for a long time (log lines, run
// history, the reasons of failed orders), so that a log file or a backup of the run history
// does not become a customer register.
//
// What stays is what a bookkeeper needs to act: order numbers, amounts, ids, relatiecodes and
// the names of the fields ("Email", "Naam", "postcode"). A value is replaced by a marker that
// says what was there: [e-mail], [telefoon], [postcode], [naam], [adres].
//
// Redaction is by pattern and by field name:
//
//   - e-mail addresses anywhere (also URL-escaped, with %40);
//   - Dutch and international phone numbers anywhere (06-12345678, 020 123 4567, +31 6 1234 5678,
//     0031...);
//   - Dutch postcodes anywhere (1234 AB, 1234AB);
//   - the value of a personal field in OData filters (substringof('Anouk Bakker', Naam),
//     Naam eq 'Anouk Bakker'), in query strings and logfmt (first_name=Anouk, name="Anouk
//     Bakker") and in JSON ("last_name":"Bakker").
//
// Free text without a field name ("Anouk Bakker ordered ...") cannot be recognised as a name;
// code that builds messages must name customers by their relatiecode or order number instead.
package redact

import (
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Markers that replace personal data.
const (
	Email    = "[e-mail]"
	Phone    = "[telefoon]"
	Postcode = "[postcode]"
	Name     = "[naam]"
	Address  = "[adres]"
)

// personalFields maps lower-case field names (of shops, SnelStart, OData and koppel itself) to
// the marker that replaces their value. Matching ignores case, "-" and "_".
var personalFields = map[string]string{
	"email": Email, "emailaddress": Email, "emailadres": Email, "mail": Email, "billingemail": Email,
	"customeremail": Email, "search": Name,
	"name": Name, "naam": Name, "firstname": Name, "lastname": Name, "fullname": Name, "voornaam": Name,
	"achternaam": Name, "tussenvoegsel": Name, "contactpersoon": Name, "contactpersoonnaam": Name,
	"company": Name, "companyname": Name, "bedrijfsnaam": Name, "customername": Name, "klantnaam": Name,
	"middlename": Name, "displayname": Name, "username": Name, "relatienaam": Name,
	"phone": Phone, "telephone": Phone, "telefoon": Phone, "mobile": Phone, "mobiel": Phone,
	"mobieletelefoon": Phone, "telefoonnummer": Phone, "phonenumber": Phone, "fax": Phone,
	"postcode": Postcode, "postalcode": Postcode, "zip": Postcode, "zipcode": Postcode, "postcodeplaats": Postcode,
	"street": Address, "straat": Address, "adres": Address, "address1": Address,
	"address2": Address, "streetaddress": Address, "huisnummer": Address, "housenumber": Address,
}

// fieldMarker returns the marker for a field name, or "" when the field is not personal.
func fieldMarker(field string) string {
	f := fieldSpelling.Replace(strings.ToLower(field))
	if m, ok := personalFields[f]; ok {
		return m
	}
	// billing.first_name, shipping_address_postcode, vestigingsAdres.postcode ...
	for _, suffix := range []string{"email", "firstname", "lastname", "postcode", "phone", "telefoon", "zipcode", "street", "straat"} {
		if strings.HasSuffix(f, suffix) {
			return personalFields[suffix]
		}
	}
	return ""
}

var (
	emailRe = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+(?:@|%40)[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}`)
	// A phone number: international (+31 / 0031, then 8 to 11 digits) or Dutch (0 and a non-zero
	// digit, then 8 more), digits optionally split by spaces, "-" or "(0)".
	phoneRe = regexp.MustCompile(`(?:\+|\b00)[1-9]\d?(?:[ \-]?\(0\))?(?:[ \-]?\d){8,11}\b|\b0[1-9](?:[ \-]?\d){8}\b`)
	// A Dutch postcode: four digits (not starting with 0) and two capitals other than SA, SD, SS.
	postcodeRe = regexp.MustCompile(`\b[1-9]\d{3} ?(?:[A-RT-Z][A-Z]|S[BCE-RT-Z])\b`)
	// OData: substringof('value', Field), startswith(Field, 'value'), Field eq 'value'.
	odataSubstringRe  = regexp.MustCompile(`(?i)(substringof\(\s*)'((?:[^']|'')*)'(\s*,\s*)([A-Za-z_][\w./]*)`)
	odataFieldFirstRe = regexp.MustCompile(`(?i)\b((?:startswith|endswith|contains)\(\s*)([A-Za-z_][\w./]*)(\s*,\s*)'((?:[^']|'')*)'`)
	odataEqRe         = regexp.MustCompile(`(?i)\b([A-Za-z_][\w./]*)(\s+(?:eq|ne)\s+)'((?:[^']|'')*)'`)
	// JSON: "field": "value".
	jsonRe = regexp.MustCompile(`"([A-Za-z_][\w.\-]*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)
	// key=value in query strings and logfmt: field="quoted value", field=value.
	kvQuotedRe = regexp.MustCompile(`(^|[\s?&;,(\[{])([A-Za-z_][\w.\-\[\]]*)=("(?:[^"\\]|\\.)*")`)
	kvPlainRe  = regexp.MustCompile(`(^|[\s?&;,(\[{])([A-Za-z_][\w.\-\[\]]*)=(\[[a-z\-]+\]|[^\s&;,"'\])}]+)`)
)

// Personal returns s with personal data replaced by markers (see the package comment). It is
// safe on any input and leaves text without personal data unchanged.
func Personal(s string) string {
	if s == "" {
		return s
	}
	// Each pattern runs only on text that holds what every match of it must contain (checked
	// on the text as the earlier replacements left it): most log lines and reasons hold no
	// OData, JSON, e-mail address or long digit run, and the patterns cost far more than the
	// checks.
	if hasFold(s, "substringof(") {
		s = odataSubstring(s)
	}
	if hasFold(s, "startswith(") || hasFold(s, "endswith(") || hasFold(s, "contains(") {
		s = odataFieldFirst(s)
	}
	if strings.Contains(s, "'") {
		s = odataEq(s)
	}
	if strings.Contains(s, `"`) && strings.Contains(s, ":") && fieldNameIn(s) {
		s = jsonFields(s)
	}
	if strings.Contains(s, `="`) && fieldNameIn(s) {
		s = kvQuoted(s)
	}
	if strings.Contains(s, "=") && fieldNameIn(s) {
		s = kvPlain(s)
	}
	if strings.Contains(s, "@") || strings.Contains(s, "%40") {
		s = emailRe.ReplaceAllString(s, Email)
	}
	if digitRun(s, phoneChars) >= 9 {
		s = phoneRe.ReplaceAllString(s, Phone)
	}
	if mayHoldPostcode(s) {
		s = postcodeRe.ReplaceAllString(s, Postcode)
	}
	return s
}

// fieldSpelling removes what fieldMarker ignores in a field name.
var fieldSpelling = strings.NewReplacer("_", "", "-", "", " ", "", ".", "")

// fieldNameIn reports whether s may hold a personal field's name: the JSON and key=value
// patterns replace a value only after such a name, and a name fieldMarker knows holds one of
// personalFields' names once lower-cased and without "_", "-", " " and ".". The same holds for
// s as a whole, of which the name is a part.
func fieldNameIn(s string) bool {
	n := fieldSpelling.Replace(strings.ToLower(s))
	for f := range personalFields {
		if strings.Contains(n, f) {
			return true
		}
	}
	return false
}

// phoneChars are the characters besides digits a phone number match may hold.
const phoneChars = "+ -()"

// digitRun returns the most digits in any stretch of s made of digits and the bytes in also.
// Every match of phoneRe lies in such a stretch (with phoneChars) and holds at least 9 digits.
func digitRun(s, also string) int {
	most, n := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			n++
			most = max(most, n)
		case strings.IndexByte(also, c) >= 0:
		default:
			n = 0
		}
	}
	return most
}

// mayHoldPostcode reports whether s has four digits followed by a capital, or by a space and a
// capital: every match of postcodeRe does.
func mayHoldPostcode(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			n++
			continue
		}
		if n >= 4 {
			if c == ' ' && i+1 < len(s) {
				c = s[i+1]
			}
			if c >= 'A' && c <= 'Z' {
				return true
			}
		}
		n = 0
	}
	return false
}

// hasFold reports whether s contains the lower-case ASCII word w, ignoring case; also true
// when s holds a long s (ſ, which (?i) matches as s) or a Kelvin sign (as k), so that it is
// true whenever a case-insensitive pattern of w could match.
func hasFold(s, w string) bool {
	if strings.ContainsAny(s, "\u017f\u212a") {
		return true
	}
	for i := 0; i+len(w) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// replaceMatches replaces every match of re in s by what repl returns for it, given the match and
// its groups as found in s. Unlike reading the groups again from the match alone (which fails when
// the pattern needs the text around the match, as \b does), the groups are always there.
func replaceMatches(re *regexp.Regexp, s string, repl func(m string, g []string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, loc := range idx {
		g := make([]string, len(loc)/2)
		for i := range g {
			if loc[2*i] >= 0 {
				g[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(repl(g[0], g))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func odataSubstring(s string) string {
	return replaceMatches(odataSubstringRe, s, func(m string, g []string) string {
		if mk := fieldMarker(lastSegment(g[4])); mk != "" {
			return g[1] + "'" + mk + "'" + g[3] + g[4]
		}
		return m
	})
}

func odataFieldFirst(s string) string {
	return replaceMatches(odataFieldFirstRe, s, func(m string, g []string) string {
		if mk := fieldMarker(lastSegment(g[2])); mk != "" {
			return g[1] + g[2] + g[3] + "'" + mk + "'"
		}
		return m
	})
}

func odataEq(s string) string {
	return replaceMatches(odataEqRe, s, func(m string, g []string) string {
		if mk := fieldMarker(lastSegment(g[1])); mk != "" {
			return g[1] + g[2] + "'" + mk + "'"
		}
		return m
	})
}

func jsonFields(s string) string {
	return replaceMatches(jsonRe, s, func(m string, g []string) string {
		if mk := fieldMarker(lastSegment(g[1])); mk != "" && g[3] != "" {
			return `"` + g[1] + `"` + g[2] + `"` + mk + `"`
		}
		return m
	})
}

func kvQuoted(s string) string {
	return replaceMatches(kvQuotedRe, s, func(m string, g []string) string {
		if mk := fieldMarker(lastSegment(g[2])); mk != "" && g[3] != `""` {
			return g[1] + g[2] + `="` + mk + `"`
		}
		return m
	})
}

func kvPlain(s string) string {
	return replaceMatches(kvPlainRe, s, func(m string, g []string) string {
		if mk := fieldMarker(lastSegment(g[2])); mk != "" && !isMarker(g[3]) {
			return g[1] + g[2] + "=" + mk
		}
		return m
	})
}

// lastSegment is the part of a dotted, slashed or bracketed field path after the last
// separator: billing.email -> email, Adres/Postcode -> Postcode, billing[first_name] -> first_name.
func lastSegment(f string) string {
	f = strings.TrimRight(f, "]")
	if i := strings.LastIndexAny(f, "./["); i >= 0 {
		return f[i+1:]
	}
	return f
}

// isMarker reports whether v is already a marker (possibly URL-escaped).
func isMarker(v string) bool {
	v = strings.NewReplacer("%5B", "[", "%5D", "]", "%5b", "[", "%5d", "]").Replace(v)
	switch v {
	case Email, Phone, Postcode, Name, Address:
		return true
	}
	return false
}

// PersonalURL is Personal for a logged URL or path with query: percent-escapes are decoded
// first (so substringof(%27Anouk%20Bakker%27,%20Naam) is recognised), then personal data is
// replaced. The result is for reading, not for sending.
func PersonalURL(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return Personal(s)
}

// Writer returns an io.Writer that writes each chunk to w with Personal applied. Loggers such as
// hclog write one whole line per Write, so a value is never split across two chunks.
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct{ w io.Writer }

func (r *writer) Write(p []byte) (int, error) {
	out := Personal(string(p))
	if _, err := io.WriteString(r.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}
