package simulator

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// queryPairs is a query string in its original order, names and values decoded as PHP does.
type queryPairs []qp

type qp struct{ Key, Value string }

// parseQuery splits a raw query string into ordered pairs ("+" is a space; malformed escapes
// are kept as they are, never an error).
func parseQuery(raw string) queryPairs {
	var out queryPairs
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == '&' }) {
		k, v, _ := strings.Cut(part, "=")
		k = formDecode(k)
		if k == "" {
			continue
		}
		out = append(out, qp{k, formDecode(v)})
	}
	return out
}

// last returns the last value given for a plain name (PHP keeps the last one).
func (q queryPairs) last(name string) string {
	v, _ := q.lookup(name)
	return v
}

func (q queryPairs) lookup(name string) (string, bool) {
	for i := len(q) - 1; i >= 0; i-- {
		if q[i].Key == name {
			return q[i].Value, true
		}
	}
	return "", false
}

// list returns a list parameter: name[]=a&name[]=b, name[0]=a, or a comma/space separated
// value (WordPress's wp_parse_list). present is false when the parameter was not given.
func (q queryPairs) list(name string) (vals []string, present bool) {
	var arr []string
	for _, p := range q {
		n, _, isArr := splitBracket(p.Key)
		if isArr && n == name {
			arr = append(arr, p.Value)
			present = true
		}
	}
	if present {
		return arr, true
	}
	v, ok := q.lookup(name)
	if !ok {
		return nil, false
	}
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }), true
}

// listParams are the collection parameters WooCommerce's CRUD controllers accept.
type listParams struct {
	Page, PerPage  int
	Offset         int
	HasOffset      bool
	Order          string
	OrderBy        string
	Search         string
	After, Before  *wallTime
	ModAfter       *wallTime
	ModBefore      *wallTime
	DatesAreGMT    bool
	Include        []int64
	Exclude        []int64
	Parent         []int64
	ParentExclude  []int64
	Status         []string
	StatusGiven    bool
	Customer       *int64
	Product        *int64
	SKU            string
	Type           string
	StockStatus    string
	DP             int
	Context        string
	normalisedBool map[string]string
}

// wallTime is a date filter as WordPress's date_query uses it: a wall-clock time (no zone) to be
// compared with the site-local or the GMT column.
type wallTime struct{ t time.Time }

// WordPress's rest_parse_date accepts RFC 3339 with optional fraction and optional offset.
var wpDateRe = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$`)

// parseWPDate validates v as WordPress does and returns the wall-clock time WP_Date_Query will
// compare with the column: without an offset the digits as given; with an offset (or Z) the
// instant converted to the site timezone (whichever column, local or GMT, is compared; this is
// why offsets are "not reliably honoured" with dates_are_gmt).
func parseWPDate(v string, site *time.Location) (*wallTime, bool) {
	m := wpDateRe.FindStringSubmatch(v)
	if m == nil {
		return nil, false
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	y, mo, d, h, mi, se := num(m[1]), num(m[2]), num(m[3]), num(m[4]), num(m[5]), num(m[6])
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 {
		return nil, false
	}
	if m[8] == "" {
		return &wallTime{time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)}, true
	}
	off := 0
	if z := m[8]; z != "Z" && z != "z" {
		digits := strings.ReplaceAll(z[1:], ":", "")
		oh := num(digits[:2])
		om := 0
		if len(digits) >= 4 {
			om = num(digits[2:4])
		}
		off = oh*3600 + om*60
		if z[0] == '-' {
			off = -off
		}
	}
	inst := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.FixedZone("", off))
	l := inst.In(site)
	return &wallTime{time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)}, true
}

// wall returns the wall clock of t in loc as a zone-less (UTC-labelled) time at second resolution.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// parseInt validates an integer parameter as rest_is_integer does ("12", "12.0").
func parseInt(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, true
	}
	d, err := decimal.NewFromString(v)
	if err != nil || !d.IsInteger() || d.Abs().GreaterThan(decimal.NewFromInt(1<<53)) {
		return 0, false
	}
	return d.IntPart(), true
}

// parseBool validates a boolean parameter as rest_is_boolean does.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1":
		return true, true
	case "false", "0", "":
		return false, true
	}
	return false, false
}

// collection describes what a list endpoint accepts.
type collection struct {
	orderBy     []string
	statuses    []string // enum for status; nil when status is a free single value
	statusArray bool
	products    bool
}

var orderStatuses = []string{"any", "trash", "pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"}

var ordersCollection = collection{
	orderBy:     []string{"date", "id", "include", "title", "slug", "modified"},
	statuses:    orderStatuses,
	statusArray: true,
}

var productsCollection = collection{
	orderBy:  []string{"date", "modified", "id", "include", "title", "slug", "price", "popularity", "rating", "menu_order", "comment_count"},
	statuses: []string{"any", "future", "trash", "draft", "pending", "private", "publish"},
	products: true,
}

var variationsCollection = collection{
	orderBy:  []string{"date", "modified", "id", "include", "title", "slug", "menu_order"},
	statuses: []string{"any", "future", "trash", "draft", "pending", "private", "publish"},
	products: true,
}

var taxesCollection = collection{orderBy: []string{"id", "order", "priority"}}

// parseList validates the collection parameters and reports every invalid one at once.
func (s *Server) parseList(q queryPairs, c collection) (*listParams, *wpError) {
	lp := &listParams{Page: 1, PerPage: 10, Order: "desc", OrderBy: "date", DP: 2, Context: "view",
		normalisedBool: map[string]string{}}
	if len(c.orderBy) > 0 && c.orderBy[0] == "id" {
		lp.OrderBy = "id"
		lp.Order = "asc"
	}
	var probs []paramProblem
	intParam := func(name string, min, max int64, dst *int) bool {
		v, ok := q.lookup(name)
		if !ok {
			return false
		}
		n, ok := parseInt(v)
		if !ok {
			probs = append(probs, typeProblem(name, "integer"))
			return false
		}
		if n < min || (max > 0 && n > max) {
			msg := name + " must be greater than or equal to " + strconv.FormatInt(min, 10)
			if max > 0 {
				msg = name + " must be between " + strconv.FormatInt(min, 10) + " (inclusive) and " + strconv.FormatInt(max, 10) + " (inclusive)"
			}
			probs = append(probs, paramProblem{Param: name, Code: "rest_out_of_bounds", Message: msg})
			return false
		}
		*dst = int(n)
		return true
	}
	intParam("page", 1, 0, &lp.Page)
	intParam("per_page", 1, 100, &lp.PerPage)
	lp.HasOffset = intParam("offset", 0, 0, &lp.Offset)
	intParam("dp", 0, 0, &lp.DP)
	if lp.DP > 10 {
		lp.DP = 10
	}
	enum := func(name string, allowed []string, dst *string) {
		v, ok := q.lookup(name)
		if !ok {
			return
		}
		for _, a := range allowed {
			if v == a {
				*dst = v
				return
			}
		}
		probs = append(probs, enumProblem(name, allowed))
	}
	enum("order", []string{"asc", "desc"}, &lp.Order)
	enum("orderby", c.orderBy, &lp.OrderBy)
	enum("context", []string{"view", "edit"}, &lp.Context)
	if v, ok := q.lookup("dates_are_gmt"); ok {
		b, ok := parseBool(v)
		if !ok {
			probs = append(probs, typeProblem("dates_are_gmt", "boolean"))
		}
		lp.DatesAreGMT = b
		if b {
			lp.normalisedBool["dates_are_gmt"] = "1"
		} else {
			lp.normalisedBool["dates_are_gmt"] = ""
		}
	}
	date := func(name string, dst **wallTime) {
		v, ok := q.lookup(name)
		if !ok {
			return
		}
		w, ok := parseWPDate(v, s.loc)
		if !ok {
			probs = append(probs, paramProblem{Param: name, Code: "rest_invalid_date", Message: "Invalid date."})
			return
		}
		*dst = w
	}
	date("after", &lp.After)
	date("before", &lp.Before)
	date("modified_after", &lp.ModAfter)
	date("modified_before", &lp.ModBefore)
	ids := func(name string, dst *[]int64) {
		vals, ok := q.list(name)
		if !ok {
			return
		}
		for i, v := range vals {
			n, ok := parseInt(v)
			if !ok {
				probs = append(probs, typeProblem(name+"["+strconv.Itoa(i)+"]", "integer"))
				continue
			}
			*dst = append(*dst, n)
		}
	}
	ids("include", &lp.Include)
	ids("exclude", &lp.Exclude)
	ids("parent", &lp.Parent)
	ids("parent_exclude", &lp.ParentExclude)
	lp.Search = q.last("search")
	if c.statusArray {
		vals, ok := q.list("status")
		lp.StatusGiven = ok
		for i, v := range vals {
			if !contains(c.statuses, v) {
				probs = append(probs, enumProblem("status["+strconv.Itoa(i)+"]", c.statuses))
				continue
			}
			lp.Status = append(lp.Status, v)
		}
		if len(lp.Status) == 0 {
			lp.Status = []string{"any"}
		}
	} else if c.statuses != nil {
		if v, ok := q.lookup("status"); ok {
			if !contains(c.statuses, v) {
				probs = append(probs, enumProblem("status", c.statuses))
			} else {
				lp.Status = []string{v}
				lp.StatusGiven = true
			}
		}
	}
	if c.statusArray {
		var n int
		if intParam("customer", 0, 0, &n) {
			v := int64(n)
			lp.Customer = &v
		}
		if intParam("product", 0, 0, &n) {
			v := int64(n)
			lp.Product = &v
		}
	}
	if c.products {
		lp.SKU = q.last("sku")
		enum("type", []string{"simple", "grouped", "external", "variable"}, &lp.Type)
		enum("stock_status", []string{"instock", "outofstock", "onbackorder"}, &lp.StockStatus)
	}
	if len(probs) > 0 {
		return nil, invalidParams(probs...)
	}
	return lp, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// dateFilter reports whether a record with the given created/modified instants passes the
// after/before/modified_after/modified_before filters: exclusive, at second resolution,
// compared in the site timezone unless dates_are_gmt.
func (s *Server) dateFilter(lp *listParams, created, modified time.Time) bool {
	loc := s.loc
	if lp.DatesAreGMT {
		loc = time.UTC
	}
	c, m := wall(created, loc), wall(modified, loc)
	if lp.After != nil && !c.After(lp.After.t) {
		return false
	}
	if lp.Before != nil && !c.Before(lp.Before.t) {
		return false
	}
	if lp.ModAfter != nil && !m.After(lp.ModAfter.t) {
		return false
	}
	if lp.ModBefore != nil && !m.Before(lp.ModBefore.t) {
		return false
	}
	return true
}

// idFilter applies include/exclude/parent/parent_exclude.
func idFilter(lp *listParams, id, parent int64) bool {
	if len(lp.Include) > 0 && !containsID(lp.Include, id) {
		return false
	}
	if containsID(lp.Exclude, id) {
		return false
	}
	if len(lp.Parent) > 0 && !containsID(lp.Parent, parent) {
		return false
	}
	if containsID(lp.ParentExclude, parent) {
		return false
	}
	return true
}

func containsID(list []int64, id int64) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// sortable is what the sort needs from a record.
type sortable struct {
	id       int64
	created  time.Time
	modified time.Time
	title    string
	price    decimal.Decimal
	sales    int64
	menu     int64
}

// sortRecords orders records as the real store does: by the chosen column in the chosen
// direction, and records with equal values in descending id order (observed on WooCommerce 10
// with HPOS: orderby=modified&order=asc returns 30 before 29 within one second).
func sortRecords(recs []sortable, lp *listParams) {
	asc := lp.Order == "asc"
	pos := map[int64]int{}
	for i, id := range lp.Include {
		if _, ok := pos[id]; !ok {
			pos[id] = i
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		var c int
		switch lp.OrderBy {
		case "id":
			c = cmpInt(a.id, b.id)
		case "include":
			c = cmpInt(int64(pos[a.id]), int64(pos[b.id]))
			if len(lp.Include) > 0 {
				return c < 0 // include order is the list's order, direction ignored
			}
		case "modified":
			c = a.modified.Truncate(time.Second).Compare(b.modified.Truncate(time.Second))
		case "title", "slug":
			c = strings.Compare(a.title, b.title)
		case "price":
			c = a.price.Cmp(b.price)
		case "popularity":
			c = cmpInt(a.sales, b.sales)
		case "menu_order", "order", "priority":
			c = cmpInt(a.menu, b.menu)
		default: // date
			c = a.created.Truncate(time.Second).Compare(b.created.Truncate(time.Second))
		}
		if c != 0 {
			if asc {
				return c < 0
			}
			return c > 0
		}
		if lp.OrderBy == "id" {
			return false
		}
		return a.id > b.id
	})
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

// page cuts one page out of n sorted records and returns [from,to) and the total pages.
func pageBounds(lp *listParams, n int) (from, to, pages int) {
	pages = (n + lp.PerPage - 1) / lp.PerPage
	from = (lp.Page - 1) * lp.PerPage
	if lp.HasOffset {
		from = lp.Offset
	}
	if from > n {
		from = n
	}
	to = from + lp.PerPage
	if to > n {
		to = n
	}
	return from, to, pages
}

// setPaging writes X-WP-Total, X-WP-TotalPages and the Link prev/next headers. The Link URLs
// carry the request's own query (OAuth parameters included) with page replaced, booleans
// normalised and the defaults WordPress adds, as a real store does.
func (s *Server) setPaging(w http.ResponseWriter, req *request, lp *listParams, total, pages int, extraDefaults []qp) {
	h := w.Header()
	h.Set("X-WP-Total", strconv.Itoa(total))
	h.Set("X-WP-TotalPages", strconv.Itoa(pages))
	link := func(page int) string {
		var parts []string
		seenPage := false
		seen := map[string]bool{}
		for _, p := range req.query {
			key, val := p.Key, p.Value
			if n, _, isArr := splitBracket(key); isArr {
				seen[n] = true
			} else {
				seen[key] = true
			}
			if key == "page" {
				if seenPage {
					continue
				}
				seenPage = true
				val = strconv.Itoa(page)
			}
			if nb, ok := lp.normalisedBool[key]; ok {
				val = nb
			}
			if key == "status" && lp.StatusGiven && !strings.Contains(key, "[") && len(lp.Status) > 0 {
				for i, st := range lp.Status {
					parts = append(parts, "status%5B"+strconv.Itoa(i)+"%5D="+rfc3986(st))
				}
				continue
			}
			parts = append(parts, rfc3986(key)+"="+rfc3986(val))
		}
		if !seenPage {
			parts = append([]string{"page=" + strconv.Itoa(page)}, parts...)
		}
		for _, d := range extraDefaults {
			n, _, _ := splitBracket(d.Key)
			if !seen[n] {
				parts = append(parts, rfc3986(d.Key)+"="+rfc3986(d.Value))
			}
		}
		u := s.homeURL(req) + "/wp-json/wc/v3/" + strings.TrimPrefix(req.collectionPath, "/")
		return "<" + u + "?" + strings.Join(parts, "&") + ">"
	}
	if lp.Page > 1 && !lp.HasOffset {
		prev := lp.Page - 1
		if prev > pages {
			prev = pages
		}
		h.Add("Link", link(prev)+`; rel="prev"`)
	}
	if pages > lp.Page && !lp.HasOffset {
		h.Add("Link", link(lp.Page+1)+`; rel="next"`)
	}
}
