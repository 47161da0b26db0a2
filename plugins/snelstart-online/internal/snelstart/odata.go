package snelstart

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OData v3 $filter building. SnelStart's B2B API runs the OData v3 library: property names are
// UpperCamelCase and case-sensitive, literals use v3 syntax (guid'…', datetime'…'), strings are
// single-quoted with a quote doubled ('O''Brien').

// guidRe matches a GUID as SnelStart writes it (case-insensitive hex, with hyphens).
var guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validGUID reports whether s is a GUID. Ids are checked before they go into a URL path or a
// filter, so nothing else can be injected.
func validGUID(s string) bool { return guidRe.MatchString(s) }

// odataString renders s as an OData string literal.
func odataString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// odataGUID renders a GUID literal; the id must be valid (validGUID).
func odataGUID(id string) string { return "guid'" + strings.ToLower(id) + "'" }

// odataDateTime renders a v3 datetime literal in SnelStart's local time, with milliseconds.
func odataDateTime(t time.Time) string {
	return "datetime'" + t.In(amsterdam).Format("2006-01-02T15:04:05.000") + "'"
}

// eqString is `Prop eq 'value'`.
func eqString(prop, v string) string { return prop + " eq " + odataString(v) }

// eqInt is `Prop eq 123`.
func eqInt(prop string, n int) string { return prop + " eq " + strconv.Itoa(n) }

// eqGUID is `Prop eq guid'…'`.
func eqGUID(prop, id string) string { return prop + " eq " + odataGUID(id) }

// geDateTime is `Prop ge datetime'…'`.
func geDateTime(prop string, t time.Time) string { return prop + " ge " + odataDateTime(t) }

// substringOf is `substringof('v', Prop) eq true`.
func substringOf(v, prop string) string {
	return "substringof(" + odataString(v) + ", " + prop + ") eq true"
}

// anyExtraField is `Coll/any(e:e/Waarde eq 'v' and e/Naam eq 'n')`, SnelStart's documented form
// for searching custom fields.
func anyExtraField(coll, name, value string) string {
	return coll + "/any(e:e/Waarde eq " + odataString(value) + " and e/Naam eq " + odataString(name) + ")"
}

// and joins the non-empty clauses with " and ".
func and(clauses ...string) string {
	var parts []string
	for _, c := range clauses {
		if c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " and ")
}

// or joins the non-empty clauses with " or ".
func or(clauses ...string) string {
	var parts []string
	for _, c := range clauses {
		if c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " or ")
}

// query is an ordered set of query parameters, encoded with %20 for spaces (not "+", which an
// OData server may read literally) and with "$" kept as is.
type query []struct{ k, v string }

// add appends a parameter.
func (q query) add(k, v string) query { return append(q, struct{ k, v string }{k, v}) }

// encode renders the query string without the leading "?".
func (q query) encode() string {
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(escapeQueryValue(p.v))
	}
	return b.String()
}

// escapeQueryValue percent-encodes v for a query string, spaces as %20.
func escapeQueryValue(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}

// pageQuery returns the query for one page of an OData list.
func pageQuery(filter string, top, skip int) query {
	var q query
	if filter != "" {
		q = q.add("$filter", filter)
	}
	q = q.add("$top", strconv.Itoa(top)).add("$skip", strconv.Itoa(skip))
	return q
}

// Page sizes: the OpenAPI document caps $top at 25 on GET /artikelen and at 500 elsewhere.
const (
	pageArtikelen = 25
	pageDefault   = 500
	// maxPages bounds a listing so a server that ignores $skip cannot loop us forever
	// (500 × 20,000 = ten million rows).
	maxPages = 20000
)

// describeFilter renders a filter for an error message.
func describeFilter(f string) string {
	if f == "" {
		return "(no filter)"
	}
	return fmt.Sprintf("$filter=%s", f)
}
