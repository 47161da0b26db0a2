package text

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
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
	// prefix and suffix are the template's text before its first verb and after its last: a
	// reason that does not start and end with them cannot match (checked before re, which is
	// slower).
	prefix, suffix string
	// chunks are the template's texts between verbs, in order: a reason must hold them all.
	chunks []string
	// semi is set when the template's own text holds "; ".
	semi bool
	// data[i] is set when argument i is a %q or %d: a quoted value or a number.
	data []bool
}

// mayMatch is a quick test before the expression: the reason starts with the prefix, ends with
// the suffix and holds the texts between the verbs in order.
func (p *reasonPattern) mayMatch(reason string) bool {
	if len(reason) < len(p.prefix)+len(p.suffix) || !strings.HasPrefix(reason, p.prefix) || !strings.HasSuffix(reason, p.suffix) {
		return false
	}
	rest := reason[len(p.prefix) : len(reason)-len(p.suffix)]
	for _, c := range p.chunks {
		i := strings.Index(rest, c)
		if i < 0 {
			return false
		}
		rest = rest[i+len(c):]
	}
	return true
}

// reasonPatterns are the compiled reason templates, built when the program starts and never
// changed after.
var reasonPatterns = compileReasons()

// verbRE finds a fmt verb (or "%%") in a template; a headline (shortMessages) may name its
// argument by index, %[2]s.
var verbRE = regexp.MustCompile(`%(?:\[[0-9]+\])?[-+# 0-9.]*[a-zA-Z%]`)

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
		tmpl := reasonMessages[EN][k]
		p := reasonPattern{key: k, re: compile(tmpl), prefix: tmpl, suffix: tmpl}
		if locs := verbRE.FindAllStringIndex(tmpl, -1); len(locs) > 0 {
			p.prefix, p.suffix = tmpl[:locs[0][0]], tmpl[locs[len(locs)-1][1]:]
			for i := 1; i < len(locs); i++ {
				if c := strings.ReplaceAll(tmpl[locs[i-1][1]:locs[i][0]], "%%", "%"); c != "" {
					p.chunks = append(p.chunks, c)
				}
			}
		} else {
			p.suffix = "" // a text without verbs: the prefix is all of it
		}
		p.prefix, p.suffix = strings.ReplaceAll(p.prefix, "%%", "%"), strings.ReplaceAll(p.suffix, "%%", "%")
		p.semi = strings.Contains(verbRE.ReplaceAllString(tmpl, "\x00"), "; ")
		for _, v := range verbRE.FindAllString(tmpl, -1) {
			if v != "%%" {
				p.data = append(p.data, strings.HasSuffix(v, "q") || strings.HasSuffix(v, "d"))
			}
		}
		out = append(out, p)
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
	for i := range reasonPatterns {
		if p := &reasonPatterns[i]; p.mayMatch(reason) && p.re.MatchString(reason) {
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
	r := renderer{lang: l, memo: map[string]reading{}}
	out, _ := r.renderArg(reason, 0) // also several notes joined by "; " (an article's warnings)
	return out
}

// renderer renders reasons in one language, remembering the reading of every text it saw (the
// same argument is read by several templates that match).
type renderer struct {
	lang Lang
	memo map[string]reading
}

// reading is a text rendered and how many of its characters no template explains; key and
// args are the template it was read with (none when no template matched it whole).
type reading struct {
	text string
	left int
	key  string
	args []string
}

// render returns reason in r's language and how many of its characters no template explains.
// Several templates can match one text (an argument may itself hold a reason); the reading that
// leaves the fewest characters unexplained wins, the longer template on a tie.
//
// semiOnly limits the templates to those whose own text holds "; ": renderArg asks so for a
// stretch of a "; " list after the whole text was read with every template.
func (r *renderer) render(reason string, depth int, semiOnly bool) (string, int) {
	rd := r.read(reason, depth, semiOnly)
	return rd.text, rd.left
}

// read is render with the template the best reading used.
func (r *renderer) read(reason string, depth int, semiOnly bool) reading {
	best := reading{text: reason, left: len(reason)}
	if depth > 3 || reason == "" {
		return best
	}
	key := reason
	if semiOnly {
		key = "\x00" + reason
	}
	if m, ok := r.memo[key]; ok {
		return m
	}
	defer func() { r.memo[key] = best }()
	for i := range reasonPatterns {
		p := &reasonPatterns[i]
		if (semiOnly && !p.semi) || !p.mayMatch(reason) {
			continue
		}
		m := p.re.FindStringSubmatch(reason)
		if m == nil {
			continue
		}
		args := m[1:]
		n := 0
		for i, a := range args {
			if i < len(p.data) && p.data[i] {
				continue // a quoted value or a number is what the template says it is
			}
			var k int
			args[i], k = r.renderArg(a, depth+1)
			n += k
		}
		// A template that explains only a few characters of a longer text (a connector's
		// message that happens to start like one) is no reading of it: the text stays whole
		// rather than half translated.
		if covered := len(reason) - n; covered < minCovered && 2*covered < len(reason) {
			continue
		}
		if n < best.left {
			best = reading{text: fill(reasonMessages[r.lang][p.key], args), left: n, key: p.key, args: args}
			if n == 0 {
				break
			}
		}
	}
	return best
}

// minCovered is how many characters of a text a template must explain, when that is less than
// half of it, to be taken as its reading.
const minCovered = 20

// renderArg renders an argument that may itself be a reason, or a list of them joined by "; "
// (a template may hold "; " itself, so the list is cut where the fewest characters are left
// unexplained).
func (r *renderer) renderArg(a string, depth int) (string, int) {
	if a == "" {
		return a, 0
	}
	whole, left := r.render(a, depth, false)
	parts := strings.Split(a, "; ")
	if left == 0 || len(parts) == 1 || len(parts) > 12 {
		return whole, left
	}
	// best[i] is the best reading of parts[i:].
	best := make([]reading, len(parts)+1)
	for i := len(parts) - 1; i >= 0; i-- {
		best[i] = reading{left: -1}
		for j := i + 1; j <= len(parts); j++ {
			txt, n := r.render(strings.Join(parts[i:j], "; "), depth, j > i+1)
			if j < len(parts) {
				txt, n = txt+"; "+best[j].text, n+best[j].left
			}
			if best[i].left < 0 || n < best[i].left {
				best[i] = reading{text: txt, left: n}
			}
		}
	}
	if best[0].left < left {
		return best[0].text, best[0].left
	}
	return whole, left
}

// fill puts the arguments, as they were written in the English text, in the places of tmpl's
// verbs (in order; TestCatalogueComplete proves both languages have the same verbs).
func fill(tmpl string, args []string) string {
	i := 0
	return verbRE.ReplaceAllStringFunc(tmpl, func(v string) string {
		if v == "%%" {
			return "%"
		}
		if strings.HasPrefix(v, "%[") {
			n, err := strconv.Atoi(v[2:strings.IndexByte(v, ']')])
			if err != nil || n < 1 || n > len(args) {
				return v
			}
			return args[n-1]
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

// Headline is the short form of a stored reason in language l: the one sentence saying what to
// do next that the catalogue gives the service's error code ("code." + code, such as SnelStart's
// VOR-0010), else the reason's template ("short." + its key), else its first clause (Brief);
// more reports that the whole reason says more. kind is the failure's kind, as Failure takes
// it, and code the service's code ("" when it is not a failure or has none).
func Headline(l Lang, kind, code, reason string) (short string, more bool) {
	full := Failure(l, kind, reason)
	if m, ok := codeMessages[l]["code."+code]; ok && code != "" && reason != "" {
		return m, true
	}
	r := renderer{lang: l, memo: map[string]reading{}}
	rd := r.read(reason, 0, false)
	if next, ok := nextByKind[kind]; ok && stepReasons[rd.key] && len(rd.args) > 0 {
		// The step without the connector's message, then what happens next.
		step := strings.TrimSuffix(strings.TrimSpace(fill(reasonMessages[l][rd.key], append(rd.args[:len(rd.args)-1:len(rd.args)-1], ""))), ":")
		return fill(shortMessages[l][next], []string{step}), true
	}
	if len([]rune(full)) > BriefLen && rd.key != "" {
		if tmpl, ok := shortMessages[l]["short."+rd.key]; ok {
			return fill(tmpl, rd.args), true
		}
	}
	return Brief(full)
}
