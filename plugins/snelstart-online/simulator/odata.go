package simulator

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
)

// This file implements the OData v3 $filter subset SnelStart documents: property paths in
// UpperCamelCase (case-sensitive, "Uri" not filterable), `eq ne gt ge lt le and or not`,
// parentheses, literals 'text' (with '' escapes), numbers, true/false/null, guid'…' and
// datetime'…', the functions startswith, endswith, substringof, tolower, toupper, length,
// year, month, day, and the lambdas any/all on collections. Types are checked before anything is
// evaluated: comparing a Guid property with a string, or a number with text, is an invalid
// filter, as it is for the real (typed) OData library.

// kind is the static type of a filter expression.
type kind int

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kDateTime
	kGuid
	kObject
	kCollection
)

func (k kind) String() string {
	return [...]string{"null", "Edm.String", "Edm.Decimal", "Edm.Boolean", "Edm.DateTime", "Edm.Guid", "object", "collection"}[k]
}

// ftype describes a property: its kind, its fields (objects) or element type (collections).
type ftype struct {
	kind   kind
	fields map[string]*ftype // JSON name → type
	elem   *ftype
}

var (
	typDecimal = reflect.TypeOf(Decimal{})
	typTime    = reflect.TypeOf(Time{})
	typGUID    = reflect.TypeOf(GUID(""))
)

// typeOf derives the filterable shape of a wire struct from its JSON tags.
func typeOf(t reflect.Type) *ftype {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case typDecimal:
		return &ftype{kind: kNumber}
	case typTime:
		return &ftype{kind: kDateTime}
	case typGUID:
		return &ftype{kind: kGuid}
	}
	switch t.Kind() {
	case reflect.String:
		return &ftype{kind: kString}
	case reflect.Bool:
		return &ftype{kind: kBool}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		return &ftype{kind: kNumber}
	case reflect.Slice:
		return &ftype{kind: kCollection, elem: typeOf(t.Elem())}
	case reflect.Struct:
		ft := &ftype{kind: kObject, fields: map[string]*ftype{}}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			ft.fields[name] = typeOf(f.Type)
		}
		return ft
	}
	return &ftype{kind: kNull}
}

// filterError is an invalid $filter (answered with ALG-0104).
type filterError struct{ msg string }

func (e *filterError) Error() string { return "invalid $filter: " + e.msg }

func ferr(format string, a ...any) error { return &filterError{fmt.Sprintf(format, a...)} }

// ---- lexer ----

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tGuid
	tDateTime
	tLParen
	tRParen
	tComma
	tSlash
	tColon
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case c == '/':
			toks = append(toks, token{tSlash, "/", i})
			i++
		case c == ':':
			toks = append(toks, token{tColon, ":", i})
			i++
		case c == '\'':
			str, n, err := lexQuoted(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, str, i})
			i = n
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			num := s[i:j]
			// Edm type suffixes: 1.5M (decimal), 2L (int64), 1.5d, 1.5f.
			if j < len(s) && strings.ContainsRune("MmLlDdFf", rune(s[j])) {
				j++
			}
			if d, err := decimal.NewFromString(num); err != nil || !saneDecimal(d) {
				return nil, ferr("bad number at %d", i)
			}
			toks = append(toks, token{tNumber, num, i})
			i = j
		case c == '_' || c < utf8Self && unicode.IsLetter(rune(c)):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] < utf8Self && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])))) {
				j++
			}
			word := s[i:j]
			if j < len(s) && s[j] == '\'' {
				str, n, err := lexQuoted(s, j)
				if err != nil {
					return nil, err
				}
				switch word {
				case "guid":
					toks = append(toks, token{tGuid, str, i})
				case "datetime":
					toks = append(toks, token{tDateTime, str, i})
				default:
					return nil, ferr("unsupported literal prefix %q", truncate(word, 20))
				}
				i = n
				continue
			}
			toks = append(toks, token{tIdent, word, i})
			i = j
		default:
			return nil, ferr("unexpected character at %d", i)
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

const utf8Self = 0x80

// lexQuoted reads '...' starting at s[i]=='\” with ” as an escaped quote.
func lexQuoted(s string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(s) {
		if s[j] == '\'' {
			if j+1 < len(s) && s[j+1] == '\'' {
				b.WriteByte('\'')
				j += 2
				continue
			}
			return b.String(), j + 1, nil
		}
		b.WriteByte(s[j])
		j++
	}
	return "", 0, ferr("unterminated string at %d", i)
}

// ---- AST ----

type expr interface{ kind() kind }

type litExpr struct {
	k kind
	v any // string, decimal.Decimal, bool, time.Time, GUID, nil
}

func (e *litExpr) kind() kind { return e.k }

// pathExpr reads a property path from the current item, or from a lambda variable.
type pathExpr struct {
	varName string   // "" = the item itself
	segs    []string // JSON names
	t       *ftype
}

func (e *pathExpr) kind() kind { return e.t.kind }

type binExpr struct {
	op   string
	l, r expr
}

func (e *binExpr) kind() kind { return kBool }

type notExpr struct{ x expr }

func (e *notExpr) kind() kind { return kBool }

type callExpr struct {
	fn   string
	args []expr
	k    kind
}

func (e *callExpr) kind() kind { return e.k }

type lambdaExpr struct {
	all     bool
	coll    *pathExpr
	varName string
	body    expr // nil for any() without predicate
}

func (e *lambdaExpr) kind() kind { return kBool }

// ---- parser ----

type parser struct {
	toks  []token
	pos   int
	root  *ftype
	vars  map[string]*ftype
	depth int
}

const maxFilterLen = 4096
const maxDepth = 50

// Filter is a parsed, type-checked $filter for one entity type.
type Filter struct{ e expr }

// ParseFilter parses src against the shape of the wire struct sample (e.g. Relatie{}).
// An empty filter matches everything. Errors are *filterError (ALG-0104).
func ParseFilter(src string, sample any) (*Filter, error) {
	if strings.TrimSpace(src) == "" {
		return &Filter{}, nil
	}
	if len(src) > maxFilterLen {
		return nil, ferr("filter too long")
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, root: typeOf(reflect.TypeOf(sample)), vars: map[string]*ftype{}}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, ferr("unexpected %q at %d", truncate(p.peek().text, 20), p.peek().pos)
	}
	if e.kind() != kBool {
		return nil, ferr("filter is not a boolean expression")
	}
	return &Filter{e: e}, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}
func (p *parser) isWord(w string) bool { t := p.peek(); return t.kind == tIdent && t.text == w }
func (p *parser) expect(k tokKind, what string) error {
	if p.peek().kind != k {
		return ferr("expected %s at %d", what, p.peek().pos)
	}
	p.next()
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return ferr("filter nested too deeply")
	}
	return nil
}

func (p *parser) parseOr() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isWord("or") {
		p.next()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if l.kind() != kBool || r.kind() != kBool {
			return nil, ferr("'or' needs boolean operands")
		}
		l = &binExpr{"or", l, r}
	}
	return l, nil
}

func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseEquality()
	if err != nil {
		return nil, err
	}
	for p.isWord("and") {
		p.next()
		r, err := p.parseEquality()
		if err != nil {
			return nil, err
		}
		if l.kind() != kBool || r.kind() != kBool {
			return nil, ferr("'and' needs boolean operands")
		}
		l = &binExpr{"and", l, r}
	}
	return l, nil
}

func (p *parser) parseEquality() (expr, error) {
	l, err := p.parseRelational()
	if err != nil {
		return nil, err
	}
	for p.isWord("eq") || p.isWord("ne") {
		op := p.next().text
		r, err := p.parseRelational()
		if err != nil {
			return nil, err
		}
		if err := checkComparable(op, l, r); err != nil {
			return nil, err
		}
		l = &binExpr{op, l, r}
	}
	return l, nil
}

func (p *parser) parseRelational() (expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.isWord("gt") || p.isWord("ge") || p.isWord("lt") || p.isWord("le") {
		op := p.next().text
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if err := checkComparable(op, l, r); err != nil {
			return nil, err
		}
		l = &binExpr{op, l, r}
	}
	return l, nil
}

func checkComparable(op string, l, r expr) error {
	lk, rk := l.kind(), r.kind()
	if lk == kObject || lk == kCollection || rk == kObject || rk == kCollection {
		return ferr("operator %s cannot compare %s with %s", op, lk, rk)
	}
	if lk == kNull || rk == kNull {
		return nil
	}
	if lk != rk {
		return ferr("operator %s cannot compare %s with %s", op, lk, rk)
	}
	return nil
}

func (p *parser) parseUnary() (expr, error) {
	if p.isWord("not") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if x.kind() != kBool {
			return nil, ferr("'not' needs a boolean operand")
		}
		return &notExpr{x}, nil
	}
	return p.parsePrimary()
}

var funcs = map[string]struct {
	args []kind
	out  kind
}{
	"startswith":  {[]kind{kString, kString}, kBool},
	"endswith":    {[]kind{kString, kString}, kBool},
	"substringof": {[]kind{kString, kString}, kBool},
	"tolower":     {[]kind{kString}, kString},
	"toupper":     {[]kind{kString}, kString},
	"trim":        {[]kind{kString}, kString},
	"length":      {[]kind{kString}, kNumber},
	"year":        {[]kind{kDateTime}, kNumber},
	"month":       {[]kind{kDateTime}, kNumber},
	"day":         {[]kind{kDateTime}, kNumber},
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		return e, p.expect(tRParen, "')'")
	case tString:
		return &litExpr{kString, t.text}, nil
	case tNumber:
		return &litExpr{kNumber, decimal.RequireFromString(t.text)}, nil
	case tGuid:
		g, ok := parseGUID(t.text)
		if !ok || g == "" {
			return nil, ferr("bad guid literal at %d", t.pos)
		}
		return &litExpr{kGuid, g}, nil
	case tDateTime:
		if strings.ContainsAny(t.text[min(len(t.text), 10):], "Zz+") {
			return nil, ferr("datetime literal must not carry an offset")
		}
		v, err := time.Parse("2006-01-02T15:04:05.9999999", t.text)
		if err != nil {
			if v, err = time.Parse("2006-01-02T15:04", t.text); err != nil {
				if v, err = time.Parse("2006-01-02", t.text); err != nil {
					return nil, ferr("bad datetime literal at %d", t.pos)
				}
			}
		}
		return &litExpr{kDateTime, v}, nil
	case tIdent:
		switch t.text {
		case "true", "false":
			return &litExpr{kBool, t.text == "true"}, nil
		case "null":
			return &litExpr{kNull, nil}, nil
		}
		if f, ok := funcs[t.text]; ok && p.peek().kind == tLParen {
			p.next()
			var args []expr
			for p.peek().kind != tRParen {
				if len(args) > 0 {
					if err := p.expect(tComma, "','"); err != nil {
						return nil, err
					}
				}
				a, err := p.parseOr()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
			}
			p.next()
			if len(args) != len(f.args) {
				return nil, ferr("%s takes %d arguments", t.text, len(f.args))
			}
			for i, a := range args {
				if a.kind() != f.args[i] && a.kind() != kNull {
					return nil, ferr("%s argument %d must be %s", t.text, i+1, f.args[i])
				}
			}
			return &callExpr{t.text, args, f.out}, nil
		}
		return p.parsePath(t)
	}
	return nil, ferr("unexpected %q at %d", truncate(t.text, 20), t.pos)
}

// parsePath reads Prop[/Prop...][/any(v: expr)] or v/Prop inside a lambda.
func (p *parser) parsePath(first token) (expr, error) {
	pe := &pathExpr{}
	cur := p.root
	if vt, ok := p.vars[first.text]; ok {
		pe.varName = first.text
		cur = vt
	} else {
		ft, name, err := field(cur, first.text)
		if err != nil {
			return nil, err
		}
		pe.segs = append(pe.segs, name)
		cur = ft
	}
	for p.peek().kind == tSlash {
		p.next()
		seg := p.next()
		if seg.kind != tIdent {
			return nil, ferr("expected property after '/' at %d", seg.pos)
		}
		if (seg.text == "any" || seg.text == "all") && p.peek().kind == tLParen {
			if cur.kind != kCollection {
				return nil, ferr("%s needs a collection", seg.text)
			}
			pe.t = cur
			return p.parseLambda(seg.text == "all", pe, cur.elem)
		}
		if cur.kind != kObject {
			return nil, ferr("%q has no properties", truncate(seg.text, 30))
		}
		ft, name, err := field(cur, seg.text)
		if err != nil {
			return nil, err
		}
		pe.segs = append(pe.segs, name)
		cur = ft
	}
	pe.t = cur
	return pe, nil
}

func (p *parser) parseLambda(all bool, coll *pathExpr, elem *ftype) (expr, error) {
	p.next() // (
	if p.peek().kind == tRParen {
		p.next()
		if all {
			return nil, ferr("all() needs a predicate")
		}
		return &lambdaExpr{coll: coll}, nil
	}
	v := p.next()
	if v.kind != tIdent {
		return nil, ferr("expected lambda variable at %d", v.pos)
	}
	if _, dup := p.vars[v.text]; dup {
		return nil, ferr("lambda variable %q reused", truncate(v.text, 20))
	}
	if err := p.expect(tColon, "':'"); err != nil {
		return nil, err
	}
	p.vars[v.text] = elem
	body, err := p.parseOr()
	delete(p.vars, v.text)
	if err != nil {
		return nil, err
	}
	if body.kind() != kBool {
		return nil, ferr("lambda body must be boolean")
	}
	if err := p.expect(tRParen, "')'"); err != nil {
		return nil, err
	}
	return &lambdaExpr{all: all, coll: coll, varName: v.text, body: body}, nil
}

// field resolves an UpperCamelCase OData property name to its JSON name.
func field(t *ftype, name string) (*ftype, string, error) {
	if t.kind != kObject || name == "" || !unicode.IsUpper(rune(name[0])) {
		return nil, "", ferr("unknown property %q", truncate(name, 30))
	}
	json := strings.ToLower(name[:1]) + name[1:]
	ft, ok := t.fields[json]
	if !ok || json == "uri" || strings.HasSuffix(json, "Uri") {
		return nil, "", ferr("unknown or unfilterable property %q", truncate(name, 30))
	}
	return ft, json, nil
}

// ---- evaluation ----

// Match reports whether item (a JSON object decoded with UseNumber) satisfies the filter.
func (f *Filter) Match(item map[string]any) bool {
	if f == nil || f.e == nil {
		return true
	}
	v, _ := eval(f.e, item, nil).(bool)
	return v
}

func eval(e expr, item map[string]any, vars map[string]any) any {
	switch e := e.(type) {
	case *litExpr:
		return e.v
	case *pathExpr:
		var cur any = item
		if e.varName != "" {
			cur = vars[e.varName]
		}
		for _, s := range e.segs {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = m[s]
		}
		return convert(cur, e.t.kind)
	case *notExpr:
		b, _ := eval(e.x, item, vars).(bool)
		return !b
	case *binExpr:
		switch e.op {
		case "and":
			l, _ := eval(e.l, item, vars).(bool)
			if !l {
				return false
			}
			r, _ := eval(e.r, item, vars).(bool)
			return r
		case "or":
			l, _ := eval(e.l, item, vars).(bool)
			if l {
				return true
			}
			r, _ := eval(e.r, item, vars).(bool)
			return r
		}
		return compare(e.op, eval(e.l, item, vars), eval(e.r, item, vars))
	case *callExpr:
		args := make([]any, len(e.args))
		for i, a := range e.args {
			args[i] = eval(a, item, vars)
		}
		return call(e.fn, args)
	case *lambdaExpr:
		list, _ := eval(e.coll, item, vars).([]any)
		if e.body == nil {
			return len(list) > 0
		}
		inner := make(map[string]any, len(vars)+1)
		for k, v := range vars {
			inner[k] = v
		}
		for _, el := range list {
			inner[e.varName] = convert(el, e.coll.t.elem.kind)
			b, _ := eval(e.body, item, inner).(bool)
			if e.all && !b {
				return false
			}
			if !e.all && b {
				return true
			}
		}
		return e.all
	}
	return nil
}

// convert turns a decoded JSON value into the evaluation value of kind k.
func convert(v any, k kind) any {
	if v == nil {
		return nil
	}
	switch k {
	case kNumber:
		switch n := v.(type) {
		case json.Number:
			d, err := decimal.NewFromString(n.String())
			if err != nil {
				return nil
			}
			return d
		case float64:
			return decimal.NewFromFloat(n)
		}
		return nil
	case kDateTime:
		s, _ := v.(string)
		t, err := parseWireTime(s)
		if err != nil || t.IsZero() {
			return nil
		}
		return t
	case kGuid:
		s, _ := v.(string)
		g, ok := parseGUID(s)
		if !ok || g == "" {
			return nil
		}
		return g
	case kString:
		s, ok := v.(string)
		if !ok {
			return nil
		}
		return s
	case kBool:
		b, ok := v.(bool)
		if !ok {
			return nil
		}
		return b
	case kCollection:
		l, _ := v.([]any)
		return l
	}
	return v
}

func compare(op string, l, r any) bool {
	if l == nil || r == nil {
		eq := l == nil && r == nil
		switch op {
		case "eq":
			return eq
		case "ne":
			return !eq
		}
		return false
	}
	var c int
	switch lv := l.(type) {
	case string:
		rv, _ := r.(string)
		c = strings.Compare(lv, rv)
	case GUID:
		rv, _ := r.(GUID)
		c = strings.Compare(string(lv), string(rv))
	case decimal.Decimal:
		rv, _ := r.(decimal.Decimal)
		c = lv.Cmp(rv)
	case bool:
		rv, _ := r.(bool)
		switch {
		case lv == rv:
			c = 0
		case !lv:
			c = -1
		default:
			c = 1
		}
	case time.Time:
		rv, _ := r.(time.Time)
		c = lv.Compare(rv)
	default:
		return false
	}
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func call(fn string, a []any) any {
	str := func(i int) (string, bool) { s, ok := a[i].(string); return s, ok }
	switch fn {
	case "startswith", "endswith", "substringof":
		x, ok1 := str(0)
		y, ok2 := str(1)
		if !ok1 || !ok2 {
			return false
		}
		switch fn {
		case "startswith":
			return strings.HasPrefix(x, y)
		case "endswith":
			return strings.HasSuffix(x, y)
		}
		return strings.Contains(y, x) // substringof(needle, haystack)
	case "tolower", "toupper", "trim", "length":
		x, ok := str(0)
		if !ok {
			return nil
		}
		switch fn {
		case "tolower":
			return strings.ToLower(x)
		case "toupper":
			return strings.ToUpper(x)
		case "trim":
			return strings.TrimSpace(x)
		}
		return decimal.NewFromInt(int64(len([]rune(x))))
	case "year", "month", "day":
		t, ok := a[0].(time.Time)
		if !ok {
			return nil
		}
		switch fn {
		case "year":
			return decimal.NewFromInt(int64(t.Year()))
		case "month":
			return decimal.NewFromInt(int64(t.Month()))
		}
		return decimal.NewFromInt(int64(t.Day()))
	}
	return nil
}
