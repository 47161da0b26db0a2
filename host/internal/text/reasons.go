package text

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Reasons are stored (state store, logs, JSON) in English, built from the English template of a
// "reason.*" key (Template). Reason renders such a stored reason in a language: it recognises the
// English template the text was made from, takes its arguments back out and puts them into the
// chosen language's template. A reason no template matches (a connector's own text, which is
// already written for a bookkeeper) is shown as it is.

// Template is the English message of key, the format a reason is built from with fmt, so that
// Reason can render it in either language. An unknown key panics: keys are constants in the code
// and TestReasonTemplates proves each one exists.
func Template(key string) string {
	m, ok := reasonMessages[EN][key]
	if !ok {
		panic("text: no message " + key)
	}
	return m
}

// reasonPattern is one English reason template as a regular expression.
type reasonPattern struct {
	key string
	re  *regexp.Regexp
}

// reasonPatterns are the compiled reason templates, built when the program starts and never
// changed after.
var reasonPatterns = compileReasons()

// verbRE finds a fmt verb (or "%%") in a template.
var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// compile turns an English template into an anchored expression whose groups are its arguments.
func compile(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^`)
	last := 0
	for _, loc := range verbRE.FindAllStringIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:loc[0]]))
		switch verb := tmpl[loc[0]:loc[1]]; verb[len(verb)-1] {
		case '%':
			b.WriteString(`%`)
		case 'd':
			b.WriteString(`(-?[0-9]+)`)
		case 'q':
			b.WriteString(`("(?:[^"\\]|\\.)*")`)
		default:
			b.WriteString(`((?s:.*?))`)
		}
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// compileReasons compiles every "reason.*" template, longer ones first.
func compileReasons() []reasonPattern {
	var keys []string
	for k := range reasonMessages[EN] {
		keys = append(keys, k)
	}
	// Longer templates first: a more specific template wins over a shorter, looser one.
	sort.Slice(keys, func(i, j int) bool {
		if li, lj := len(reasonMessages[EN][keys[i]]), len(reasonMessages[EN][keys[j]]); li != lj {
			return li > lj
		}
		return keys[i] < keys[j]
	})
	out := make([]reasonPattern, 0, len(keys))
	for _, k := range keys {
		out = append(out, reasonPattern{key: k, re: compile(reasonMessages[EN][k])})
	}
	return out
}

// Failure renders the stored reason of a failure of kind (sdk.ErrorKind, or the pipeline's
// "refused" and "transport") in language l. A reason koppel wrote itself is rendered as Reason
// does; a connector's own message (no template matches it) is put behind the catalogue's short
// sentence for its kind ("reason.kind.*"), which says what to do next. An unknown kind shows the
// message as it is.
func Failure(l Lang, kind, reason string) string {
	if reason == "" || templated(reason) {
		return Reason(l, reason)
	}
	if tmpl, ok := catalogue[l]["reason.kind."+kind]; ok {
		return fill(tmpl, []string{reason})
	}
	return reason
}

// templated reports whether reason is made from one of the catalogue's reason templates.
func templated(reason string) bool {
	for _, p := range reasonPatterns {
		if p.re.MatchString(reason) {
			return true
		}
	}
	return false
}

// Reason renders a stored reason in language l (see Template). English returns it unchanged.
func Reason(l Lang, reason string) string {
	if l == EN || reason == "" {
		return reason
	}
	out := reasonIn(l, reason, 0)
	if out == reason && strings.Contains(reason, "; ") {
		out = argIn(l, reason, 0) // several notes joined by "; " (an article's warnings)
	}
	return out
}

func reasonIn(l Lang, reason string, depth int) string {
	if depth > 3 {
		return reason
	}
	for _, p := range reasonPatterns {
		m := p.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		args := m[1:]
		for i, a := range args {
			args[i] = argIn(l, a, depth+1)
		}
		return fill(reasonMessages[l][p.key], args)
	}
	return reason
}

// argIn renders an argument that may itself be a reason, or a list of them joined by "; ".
func argIn(l Lang, a string, depth int) string {
	if a == "" {
		return a
	}
	if strings.Contains(a, "; ") {
		parts := strings.Split(a, "; ")
		changed := false
		for i, p := range parts {
			parts[i] = reasonIn(l, p, depth)
			changed = changed || parts[i] != p
		}
		if changed {
			return strings.Join(parts, "; ")
		}
	}
	return reasonIn(l, a, depth)
}

// fill puts the arguments, as they were written in the English text, in the places of tmpl's
// verbs (in order; TestCatalogueComplete proves both languages have the same verbs).
func fill(tmpl string, args []string) string {
	i := 0
	return verbRE.ReplaceAllStringFunc(tmpl, func(v string) string {
		if v == "%%" {
			return "%"
		}
		if i >= len(args) {
			return v
		}
		i++
		return args[i-1]
	})
}

// Errorf builds an error from the English template of key (see Template), so that the reason it
// becomes can be rendered in either language. When the last argument is an error it is wrapped
// (errors.Is and errors.As see it) and shown in the place of the template's last verb.
func Errorf(key string, args ...any) error {
	tmpl := Template(key)
	if n := len(args); n > 0 {
		if _, isErr := args[n-1].(error); isErr {
			if i := strings.LastIndex(tmpl, "%s"); i >= 0 {
				tmpl = tmpl[:i] + "%w" + tmpl[i+2:]
			}
		}
	}
	return fmt.Errorf(tmpl, args...)
}

// Country is the English name of an ISO country code, as reasons are stored (Reason shows it in
// the reader's language); the code itself when the catalogue has no name for it.
func Country(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if m, ok := reasonMessages[EN]["reason.country."+code]; ok {
		return m
	}
	return code
}
