package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// This file holds the simulator's indexes. SnelStart keeps its administration in a database
// with indexes on the columns its clients search by; the simulator does the same for the
// collections that grow with a shop's history, so that a look-up costs the same with 100 or
// 100,000 stored orders:
//
//   - verkooporders by id, betalingskenmerk, orderreferentie and relatie;
//   - relaties by id, relatiecode, naam, e-mail (equality and substring) and postcode (substring);
//   - artikelen by id and artikelcode.
//
// An index only narrows a $filter down to the positions that may match; the filter is still
// evaluated on each of them, so an answer is always the one a full scan gives (and the tests
// check exactly that, see Server.checkIndex). Filters the indexes cannot narrow are scanned.

// tableSpec says how a collection is indexed: the id of an entity, the fields kept under their
// lower-cased value (for `Field eq '…'` and `tolower(Field) eq '…'`) and the fields kept under
// every three-byte piece of their lower-cased value (for substringof). Field names are $filter
// paths in JSON spelling ("relatie/id").
type tableSpec[T any] struct {
	id    func(*T) GUID
	eq    map[string]func(*T) string
	grams map[string]func(*T) string
	// number, when set, is a whole-number field whose highest value the table keeps
	// (relatiecode, which a new relatie without one gets the next of).
	number func(*T) int64
}

var orderSpec = &tableSpec[Verkooporder]{
	id: func(o *Verkooporder) GUID { return o.ID },
	eq: map[string]func(*Verkooporder) string{
		"betalingskenmerk": func(o *Verkooporder) string { return o.Betalingskenmerk },
		"orderreferentie":  func(o *Verkooporder) string { return o.Orderreferentie },
		"relatie/id":       func(o *Verkooporder) string { return string(refID(o.Relatie)) },
	},
}

var relatieSpec = &tableSpec[Relatie]{
	id:     func(r *Relatie) GUID { return r.ID },
	number: func(r *Relatie) int64 { return int64(r.Relatiecode) },
	eq: map[string]func(*Relatie) string{
		"relatiecode": func(r *Relatie) string { return strconv.Itoa(int(r.Relatiecode)) },
		"naam":        func(r *Relatie) string { return r.Naam },
		"email":       func(r *Relatie) string { return r.Email },
	},
	grams: map[string]func(*Relatie) string{
		"email": func(r *Relatie) string { return r.Email },
		"vestigingsAdres/postcode": func(r *Relatie) string {
			if r.VestigingsAdres == nil {
				return ""
			}
			return r.VestigingsAdres.Postcode
		},
	},
}

var artikelSpec = &tableSpec[Artikel]{
	id: func(a *Artikel) GUID { return a.ID },
	eq: map[string]func(*Artikel) string{
		"artikelcode": func(a *Artikel) string { return a.Artikelcode },
	},
}

// table indexes one stored collection by position. It belongs to one administration and one
// length of the collection: when either differs from what it was built for (a reset, a loaded
// administration, an append or delete that did not tell the index) it is rebuilt before use,
// so a stale index is never read. Updates in place must go through replace. The caller holds
// the server's mutex for every method.
type table[T any] struct {
	spec  *tableSpec[T]
	owner *Administration
	n     int
	byID  map[GUID]int
	eq    map[string]map[string][]int32
	grams map[string]map[string][]int32
	// max is the highest spec.number; maxStale says it must be recounted (a replace lowered
	// the highest value).
	max      int64
	maxStale bool
}

// sync makes the index describe items of owner: rebuilt when it was built for another
// administration or more items, extended when items were appended.
func (t *table[T]) sync(spec *tableSpec[T], owner *Administration, items []T) {
	// The last indexed entity must still be where it was indexed; if not, something was
	// deleted (and maybe appended) without the index being told.
	if t.spec != spec || t.owner != owner || t.n > len(items) || t.n > 0 && !t.indexedAt(spec.id(&items[t.n-1]), t.n-1) {
		t.rebuild(spec, owner, items)
		return
	}
	for t.n < len(items) {
		t.add(t.n, &items[t.n])
	}
}

// indexedAt reports whether id is indexed at position pos. (A plain map read would give 0 for an
// id never indexed: the entity appended at position 0 after the only one was deleted.)
func (t *table[T]) indexedAt(id GUID, pos int) bool {
	i, ok := t.byID[id]
	return ok && i == pos
}

// rebuild indexes items from scratch.
func (t *table[T]) rebuild(spec *tableSpec[T], owner *Administration, items []T) {
	t.spec, t.owner, t.n, t.max, t.maxStale = spec, owner, 0, 0, false
	t.byID = make(map[GUID]int, len(items))
	t.eq = make(map[string]map[string][]int32, len(spec.eq))
	for f := range spec.eq {
		t.eq[f] = map[string][]int32{}
	}
	t.grams = make(map[string]map[string][]int32, len(spec.grams))
	for f := range spec.grams {
		t.grams[f] = map[string][]int32{}
	}
	for i := range items {
		t.add(i, &items[i])
	}
}

// add indexes the entity at position pos, which must be the next one (pos == t.n).
func (t *table[T]) add(pos int, it *T) {
	t.byID[t.spec.id(it)] = pos
	p := int32(pos)
	for f, get := range t.spec.eq {
		k := strings.ToLower(get(it))
		t.eq[f][k] = insertPos(t.eq[f][k], p)
	}
	for f, get := range t.spec.grams {
		for _, g := range trigrams(strings.ToLower(get(it))) {
			t.grams[f][g] = insertPos(t.grams[f][g], p)
		}
	}
	if t.spec.number != nil {
		t.max = max(t.max, t.spec.number(it))
	}
	t.n = pos + 1
}

// replace re-indexes position pos after the entity stored there changed from old to new.
func (t *table[T]) replace(pos int, old, new *T) {
	if pos >= t.n {
		return // not indexed yet: sync will add it as it is now
	}
	if oid, nid := t.spec.id(old), t.spec.id(new); oid != nid {
		delete(t.byID, oid)
		t.byID[nid] = pos
	}
	if t.spec.number != nil {
		if o, n := t.spec.number(old), t.spec.number(new); n >= t.max {
			t.max = n
		} else if o == t.max {
			t.maxStale = true
		}
	}
	p := int32(pos)
	for f, get := range t.spec.eq {
		ok, nk := strings.ToLower(get(old)), strings.ToLower(get(new))
		if ok == nk {
			continue
		}
		t.eq[f][ok] = removePos(t.eq[f][ok], p)
		if len(t.eq[f][ok]) == 0 {
			delete(t.eq[f], ok)
		}
		t.eq[f][nk] = insertPos(t.eq[f][nk], p)
	}
	for f, get := range t.spec.grams {
		ov, nv := strings.ToLower(get(old)), strings.ToLower(get(new))
		if ov == nv {
			continue
		}
		for _, g := range trigrams(ov) {
			t.grams[f][g] = removePos(t.grams[f][g], p)
			if len(t.grams[f][g]) == 0 {
				delete(t.grams[f], g)
			}
		}
		for _, g := range trigrams(nv) {
			t.grams[f][g] = insertPos(t.grams[f][g], p)
		}
	}
}

// find returns the position of the entity with this id in items, or -1.
func (t *table[T]) find(items []T, id GUID) int {
	i, ok := t.byID[id]
	if !ok || i >= len(items) || t.spec.id(&items[i]) != id {
		return -1
	}
	return i
}

// highest returns the highest spec.number over items (0 when there are none).
func (t *table[T]) highest(items []T) int64 {
	if t.maxStale {
		t.max, t.maxStale = 0, false
		for i := range items {
			t.max = max(t.max, t.spec.number(&items[i]))
		}
	}
	return t.max
}

// equal returns the positions whose field has value key ignoring case; false when the field is
// not indexed for equality.
func (t *table[T]) equal(field, key string) ([]int32, bool) {
	m, ok := t.eq[field]
	if !ok {
		return nil, false
	}
	return m[strings.ToLower(key)], true
}

// containing returns positions whose lower-cased field may contain needle (a superset: every
// three-byte piece of needle occurs in it); false when the field has no substring index or the
// needle is too short to narrow anything down.
func (t *table[T]) containing(field, needle string) ([]int32, bool) {
	m, ok := t.grams[field]
	gs := trigrams(strings.ToLower(needle))
	if !ok || len(gs) == 0 {
		return nil, false
	}
	lists := make([][]int32, 0, len(gs))
	for _, g := range gs {
		l := m[g]
		if len(l) == 0 {
			return nil, true
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := lists[0]
	for _, l := range lists[1:] {
		if len(out) <= 8 {
			break // few enough: the filter itself decides
		}
		out = intersectPos(out, l)
	}
	return out, true
}

// trigrams returns the distinct three-byte pieces of s.
func trigrams(s string) []string {
	if len(s) < 3 {
		return nil
	}
	out := make([]string, 0, len(s)-2)
	for i := 0; i+3 <= len(s); i++ {
		g := s[i : i+3]
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// insertPos adds p to the ascending list l.
func insertPos(l []int32, p int32) []int32 {
	if n := len(l); n == 0 || l[n-1] < p {
		return append(l, p)
	}
	i, found := slices.BinarySearch(l, p)
	if found {
		return l
	}
	return slices.Insert(l, i, p)
}

// removePos drops p from the ascending list l.
func removePos(l []int32, p int32) []int32 {
	if i, found := slices.BinarySearch(l, p); found {
		return slices.Delete(l, i, i+1)
	}
	return l
}

// unionPos merges two ascending lists.
func unionPos(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// intersectPos keeps the positions in both ascending lists.
func intersectPos(a, b []int32) []int32 {
	out := make([]int32, 0, min(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// indexLookup is what the $filter planner asks of a table.
type indexLookup interface {
	equal(field, key string) ([]int32, bool)
	containing(field, needle string) ([]int32, bool)
}

// candidates returns the ascending positions that may satisfy f according to ix, or false when
// the filter cannot be narrowed by the indexes and every item must be evaluated. Only the
// forms koppel's connector sends (and their and/or combinations) are narrowed:
// `Field eq literal`, `tolower(Field) eq 'text'` and `substringof('text', [tolower(]Field[)])`
// (with or without `eq true`).
func (f *Filter) candidates(ix indexLookup) ([]int32, bool) {
	if f == nil || f.e == nil {
		return nil, false
	}
	return plan(f.e, ix)
}

func plan(e expr, ix indexLookup) ([]int32, bool) {
	switch e := e.(type) {
	case *binExpr:
		switch e.op {
		case "or":
			l, ok := plan(e.l, ix)
			if !ok {
				return nil, false
			}
			r, ok := plan(e.r, ix)
			if !ok {
				return nil, false
			}
			return unionPos(l, r), true
		case "and":
			l, lok := plan(e.l, ix)
			r, rok := plan(e.r, ix)
			switch {
			case lok && rok:
				return intersectPos(l, r), true
			case lok:
				return l, true
			case rok:
				return r, true
			}
			return nil, false
		case "eq":
			if c, ok := e.l.(*callExpr); ok && isTrue(e.r) {
				return planCall(c, ix)
			}
			if c, ok := e.r.(*callExpr); ok && isTrue(e.l) {
				return planCall(c, ix)
			}
			if lit, ok := e.r.(*litExpr); ok {
				return planEq(e.l, lit, ix)
			}
			if lit, ok := e.l.(*litExpr); ok {
				return planEq(e.r, lit, ix)
			}
		}
	case *callExpr:
		return planCall(e, ix)
	}
	return nil, false
}

func isTrue(e expr) bool {
	l, ok := e.(*litExpr)
	return ok && l.k == kBool && l.v == true
}

// rootPath returns the field name of a path on the item itself ("" inside lambdas).
func rootPath(e expr) string {
	p, ok := e.(*pathExpr)
	if !ok || p.varName != "" {
		return ""
	}
	return strings.Join(p.segs, "/")
}

// planEq narrows `side eq lit`, where side is a field or tolower(field).
func planEq(side expr, lit *litExpr, ix indexLookup) ([]int32, bool) {
	lowered := false
	if c, ok := side.(*callExpr); ok && c.fn == "tolower" && len(c.args) == 1 {
		side, lowered = c.args[0], true
	}
	field := rootPath(side)
	if field == "" || lit.v == nil {
		return nil, false
	}
	var key string
	impossible := false
	switch v := lit.v.(type) {
	case string:
		key = v
		// A lower-cased value never equals text with capitals.
		impossible = lowered && strings.ToLower(v) != v
	case GUID:
		key = string(v)
	case decimal.Decimal:
		if lowered {
			return nil, false
		}
		key = v.String()
		impossible = !v.IsInteger() // only whole numbers are indexed (relatiecode)
	default:
		return nil, false
	}
	l, ok := ix.equal(field, key)
	if !ok {
		return nil, false
	}
	if impossible {
		return nil, true
	}
	return l, true
}

// planCall narrows substringof('needle', field) and substringof('needle', tolower(field)).
func planCall(c *callExpr, ix indexLookup) ([]int32, bool) {
	if c.fn != "substringof" || len(c.args) != 2 {
		return nil, false
	}
	lit, ok := c.args[0].(*litExpr)
	if !ok {
		return nil, false
	}
	needle, ok := lit.v.(string)
	if !ok {
		return nil, false
	}
	hay := c.args[1]
	if inner, ok := hay.(*callExpr); ok && inner.fn == "tolower" && len(inner.args) == 1 {
		hay = inner.args[0]
	}
	field := rootPath(hay)
	if field == "" {
		return nil, false
	}
	return ix.containing(field, needle)
}

// orderIndex returns the index of the verkooporders, brought up to date. Caller holds s.mu.
func (s *Server) orderIndex() *table[Verkooporder] {
	s.idx.orders.sync(orderSpec, s.st, s.st.Verkooporders)
	return &s.idx.orders
}

// relatieIndex returns the index of the relaties, brought up to date. Caller holds s.mu.
func (s *Server) relatieIndex() *table[Relatie] {
	s.idx.relaties.sync(relatieSpec, s.st, s.st.Relaties)
	return &s.idx.relaties
}

// artikelIndex returns the index of the artikelen, brought up to date. Caller holds s.mu.
func (s *Server) artikelIndex() *table[Artikel] {
	s.idx.artikelen.sync(artikelSpec, s.st, s.st.Artikelen)
	return &s.idx.artikelen
}

// indexes are the server's tables, one per indexed collection.
type indexes struct {
	orders    table[Verkooporder]
	relaties  table[Relatie]
	artikelen table[Artikel]
}

// listPage answers a list request over items: the filter is narrowed by ix when it can be and
// evaluated on every candidate, then paged and projected. With s.checkIndex set (tests) the
// answer is compared with a full scan's and a difference is recorded in s.indexErrors.
// Caller holds s.mu.
func listPage[T any](s *Server, q *odataQuery, items []T, ix indexLookup) []any {
	cand, use := q.filter.candidates(ix)
	out := page(q, items, cand, use)
	if s.checkIndex && use {
		want := page(q, items, nil, false)
		a, _ := json.Marshal(out)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			s.indexErrors = append(s.indexErrors, fmt.Sprintf("index answer %s, scan answer %s", truncate(string(a), 300), truncate(string(b), 300)))
		}
	}
	return out
}
