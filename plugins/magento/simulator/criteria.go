package simulator

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// filter is one searchCriteria filter.
type filter struct {
	Field     string `json:"field"`
	Value     string `json:"value"`
	Condition string `json:"condition_type,omitempty"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type sortOrder struct {
	Field     string `json:"field"`
	Direction string `json:"direction"`
}

// criteria is a parsed searchCriteria, rendered back as the search_criteria echo.
type criteria struct {
	FilterGroups []filterGroup `json:"filter_groups"`
	SortOrders   []sortOrder   `json:"sort_orders,omitempty"`
	PageSize     *int          `json:"page_size,omitempty"`
	CurrentPage  *int          `json:"current_page,omitempty"`
}

// apiErr is an error answer.
type apiErr struct {
	status  int
	message string
	params  any
}

func (e *apiErr) write(w http.ResponseWriter) { writeError(w, e.status, e.message, e.params) }

func badRequest(msg string, params any) *apiErr {
	return &apiErr{status: http.StatusBadRequest, message: msg, params: params}
}

var bracketKey = regexp.MustCompile(`^searchCriteria((?:\[[^\[\]]*\])*)$`)
var bracketPart = regexp.MustCompile(`\[([^\[\]]*)\]`)

// aliases maps both spellings Magento accepts (the service input processor converts snake_case
// to the camelCase setters) to the canonical snake_case name.
var aliases = map[string]string{
	"filter_groups": "filter_groups", "filterGroups": "filter_groups",
	"sort_orders": "sort_orders", "sortOrders": "sort_orders",
	"page_size": "page_size", "pageSize": "page_size",
	"current_page": "current_page", "currentPage": "current_page",
	"filters": "filters", "field": "field", "value": "value",
	"condition_type": "condition_type", "conditionType": "condition_type",
	"direction": "direction",
}

// parseCriteria reads searchCriteria from the query string the way PHP's parse_str and
// Magento's service input processor do. required says the operation needs searchCriteria at
// all (GET /V1/orders does: without it Magento answers 400).
func parseCriteria(q url.Values, required bool) (*criteria, *apiErr) {
	c := &criteria{FilterGroups: []filterGroup{}}
	seen := false
	groups := map[int]map[int]*filter{}
	sorts := map[int]*sortOrder{}
	// Sorted keys make the first reported error deterministic.
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, "searchCriteria") {
			continue
		}
		m := bracketKey.FindStringSubmatch(k)
		if m == nil {
			continue // PHP would name it differently; not ours
		}
		seen = true
		v := q[k][len(q[k])-1]
		parts := []string{}
		for _, p := range bracketPart.FindAllStringSubmatch(m[1], -1) {
			parts = append(parts, p[1])
		}
		if len(parts) == 0 {
			continue // searchCriteria= or searchCriteria=all: no criterion
		}
		top, ok := aliases[parts[0]]
		if !ok || top == "filters" || top == "field" || top == "value" || top == "condition_type" || top == "direction" {
			return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": parts[0]})
		}
		switch top {
		case "page_size", "current_page":
			if len(parts) != 1 {
				return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": parts[1]})
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, badRequest("The \"%1\" value's type is invalid. The \"%2\" type was expected. Verify and try again.", []string{v, "int"})
			}
			if top == "page_size" {
				c.PageSize = &n
			} else {
				c.CurrentPage = &n
			}
		case "filter_groups":
			if len(parts) != 5 {
				return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": strings.Join(parts, "][")})
			}
			gi, err1 := strconv.Atoi(parts[1])
			fi, err2 := strconv.Atoi(parts[3])
			if err1 != nil || err2 != nil || gi < 0 || fi < 0 || aliases[parts[2]] != "filters" {
				return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": parts[2]})
			}
			prop := aliases[parts[4]]
			if prop != "field" && prop != "value" && prop != "condition_type" {
				return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": parts[4]})
			}
			if groups[gi] == nil {
				groups[gi] = map[int]*filter{}
			}
			f := groups[gi][fi]
			if f == nil {
				f = &filter{}
				groups[gi][fi] = f
			}
			switch prop {
			case "field":
				f.Field = v
			case "value":
				f.Value = v
			case "condition_type":
				f.Condition = v
			}
		case "sort_orders":
			if len(parts) != 3 {
				return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": strings.Join(parts, "][")})
			}
			si, err := strconv.Atoi(parts[1])
			prop := aliases[parts[2]]
			if err != nil || si < 0 || (prop != "field" && prop != "direction") {
				return nil, badRequest("\"%fieldName\" is not supported. Correct the field name and try again.", map[string]string{"fieldName": parts[2]})
			}
			so := sorts[si]
			if so == nil {
				so = &sortOrder{}
				sorts[si] = so
			}
			if prop == "field" {
				so.Field = v
			} else {
				so.Direction = v
			}
		}
	}
	if !seen && required {
		return nil, badRequest("\"%fieldName\" is required. Enter and try again.", map[string]string{"fieldName": "searchCriteria"})
	}
	for _, gi := range sortedKeys(groups) {
		var g filterGroup
		for _, fi := range sortedKeys(groups[gi]) {
			f := groups[gi][fi]
			if f.Field == "" {
				return nil, badRequest("\"%fieldName\" is required. Enter and try again.", map[string]string{"fieldName": "field"})
			}
			g.Filters = append(g.Filters, *f)
		}
		c.FilterGroups = append(c.FilterGroups, g)
	}
	for _, si := range sortedKeys(sorts) {
		so := sorts[si]
		if so.Direction == "" {
			so.Direction = "ASC"
		}
		d := strings.ToUpper(so.Direction)
		if d != "ASC" && d != "DESC" {
			// (inferred wording) SortOrder refuses other directions.
			return nil, badRequest("Sort order \"%1\" is not supported. Verify the sort order and try again.", []string{so.Direction})
		}
		so.Direction = d
		c.SortOrders = append(c.SortOrders, *so)
	}
	return c, nil
}

func sortedKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// fieldKind says how a searchable column compares.
type fieldKind int

const (
	kindString fieldKind = iota
	kindNumber
	kindDate
)

// field describes one searchable top-level attribute of a resource; get returns false for NULL.
type field[T any] struct {
	kind fieldKind
	get  func(T) (string, bool)
}

// searchResult is one page of a search.
type searchResult[T any] struct {
	items []T
	total int
}

// conditions Magento's filter processor understands.
var conditions = map[string]bool{"eq": true, "neq": true, "gt": true, "gteq": true, "lt": true, "lteq": true,
	"moreq": true, "like": true, "nlike": true, "in": true, "nin": true, "finset": true, "nfinset": true,
	"null": true, "notnull": true, "from": true, "to": true}

// validate checks every filter and sort field and value against the resource's columns.
func validate[T any](c *criteria, fields map[string]field[T]) *apiErr {
	for _, g := range c.FilterGroups {
		for _, f := range g.Filters {
			spec, ok := fields[f.Field]
			if !ok {
				// (inferred) Magento's collection fails on an unknown column; we answer as the
				// service layer does for an unknown attribute.
				return badRequest("\"%fieldName\" is not a searchable field.", map[string]string{"fieldName": f.Field})
			}
			cond := f.Condition
			if cond == "" {
				cond = "eq"
			}
			if !conditions[cond] {
				return badRequest("Invalid condition type: %1", []string{f.Condition})
			}
			if spec.kind == kindDate && cond != "null" && cond != "notnull" && cond != "in" && cond != "nin" && cond != "like" && cond != "nlike" {
				if _, ok := parseDate(f.Value); !ok {
					// Strictness of the simulator: MySQL would coerce a malformed date silently.
					return badRequest("The \"%1\" value's type is invalid. The \"%2\" type was expected. Verify and try again.", []string{f.Value, "datetime (YYYY-MM-DD HH:MM:SS)"})
				}
			}
		}
	}
	for _, so := range c.SortOrders {
		if _, ok := fields[so.Field]; !ok {
			return badRequest("\"%fieldName\" is not a searchable field.", map[string]string{"fieldName": so.Field})
		}
	}
	return nil
}

func parseDate(s string) (time.Time, bool) {
	for _, l := range []string{timeLayout, "2006-01-02"} {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// matches applies every group (AND) of filters (OR within a group) to x.
func matches[T any](c *criteria, fields map[string]field[T], x T) bool {
	for _, g := range c.FilterGroups {
		any := false
		for _, f := range g.Filters {
			if matchFilter(fields[f.Field], f, x) {
				any = true
				break
			}
		}
		if !any && len(g.Filters) > 0 {
			return false
		}
	}
	return true
}

func compare(kind fieldKind, a, b string) int {
	switch kind {
	case kindNumber:
		if ia, err := strconv.ParseInt(a, 10, 64); err == nil {
			if ib, err := strconv.ParseInt(b, 10, 64); err == nil {
				return cmpInt(ia, ib)
			}
		}
		da, e1 := decimal.NewFromString(a)
		db, e2 := decimal.NewFromString(b)
		if e1 == nil && e2 == nil {
			return da.Cmp(db)
		}
	case kindDate:
		if len(a) == len(timeLayout) && len(b) == len(timeLayout) {
			return strings.Compare(a, b)
		}
		ta, ok1 := parseDate(a)
		tb, ok2 := parseDate(b)
		if ok1 && ok2 {
			return ta.Compare(tb)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func matchFilter[T any](spec field[T], f filter, x T) bool {
	v, notNull := spec.get(x)
	cond := f.Condition
	if cond == "" {
		cond = "eq"
	}
	switch cond {
	case "null":
		return !notNull
	case "notnull":
		return notNull
	}
	if !notNull {
		return false
	}
	switch cond {
	case "eq":
		return compare(spec.kind, v, f.Value) == 0
	case "neq":
		return compare(spec.kind, v, f.Value) != 0
	case "gt":
		return compare(spec.kind, v, f.Value) > 0
	case "gteq", "moreq", "from":
		return compare(spec.kind, v, f.Value) >= 0
	case "lt":
		return compare(spec.kind, v, f.Value) < 0
	case "lteq", "to":
		return compare(spec.kind, v, f.Value) <= 0
	case "in", "nin":
		in := false
		for _, s := range strings.Split(f.Value, ",") {
			if compare(spec.kind, v, strings.TrimSpace(s)) == 0 {
				in = true
				break
			}
		}
		return in == (cond == "in")
	case "finset", "nfinset":
		in := false
		for _, s := range strings.Split(v, ",") {
			if strings.EqualFold(s, f.Value) {
				in = true
				break
			}
		}
		return in == (cond == "finset")
	case "like", "nlike":
		return likeMatch(v, f.Value) == (cond == "like")
	}
	return false
}

// likeMatch is SQL LIKE, case-insensitive: % any run, _ one character.
func likeMatch(s, pattern string) bool {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(s)
}

// sortItems orders the matches by the sort orders, keeping the natural order (entity id) for
// ties.
func sortItems[T any](c *criteria, fields map[string]field[T], all []T) {
	if len(c.SortOrders) == 0 {
		return
	}
	sort.SliceStable(all, func(i, j int) bool {
		for _, so := range c.SortOrders {
			spec := fields[so.Field]
			a, _ := spec.get(all[i])
			b, _ := spec.get(all[j])
			if r := compare(spec.kind, a, b); r != 0 {
				if so.Direction == "DESC" {
					return r > 0
				}
				return r < 0
			}
		}
		return false
	})
}

// pageOf cuts the page from sorted matches. A page past the last one returns the last page
// again (Magento's collection clamps currentPage); without pageSize every match is returned.
func pageOf[T any](c *criteria, all []T) searchResult[T] {
	total := len(all)
	if c.PageSize == nil || *c.PageSize <= 0 {
		return searchResult[T]{items: all, total: total}
	}
	size := *c.PageSize
	page := 1
	if c.CurrentPage != nil && *c.CurrentPage > 1 {
		page = *c.CurrentPage
	}
	last := (total + size - 1) / size
	if last < 1 {
		last = 1
	}
	if page > last {
		page = last
	}
	start := (page - 1) * size
	end := start + size
	if end > total {
		end = total
	}
	return searchResult[T]{items: all[start:end], total: total}
}

// search filters, sorts and pages all.
func search[T any](c *criteria, fields map[string]field[T], all []T) searchResult[T] {
	var list []T
	for _, x := range all {
		if matches(c, fields, x) {
			list = append(list, x)
		}
	}
	sortItems(c, fields, list)
	return pageOf(c, list)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
