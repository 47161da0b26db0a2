package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// taxTTL is how long a Shop reuses the store's tax table and tax settings before reading them
// again: long enough that a run reads them once, short enough that a change in WooCommerce is
// seen by the daemon's next runs.
const taxTTL = 10 * time.Minute

// Tax classes and statuses as WooCommerce names them on products.
const (
	classStandard = "standard"  // tax_class "" on a product; "standard" in GET /taxes
	classZero     = "zero-rate" // WooCommerce's default "Zero rate" class
	classParent   = "parent"    // a variation's tax_class when it uses its parent's class
	statusNone    = "none"      // not taxed
	statusShip    = "shipping"  // "Shipping only": the product itself is not taxed
)

// wcTaxRate is one row of GET /taxes.
type wcTaxRate struct {
	ID        wcID            `json:"id"`
	Country   wcString        `json:"country"`
	State     wcString        `json:"state"`
	Postcode  wcString        `json:"postcode"`
	City      wcString        `json:"city"`
	Postcodes json.RawMessage `json:"postcodes"`
	Cities    json.RawMessage `json:"cities"`
	Rate      wcDecimal       `json:"rate"`
	Priority  wcID            `json:"priority"`
	Compound  wcString        `json:"compound"`
	Order     wcID            `json:"order"`
	Class     wcString        `json:"class"`
}

// taxRow is a tax rate reduced to what the rate look-up needs.
type taxRow struct {
	id, priority, order int64
	country, state      string // upper case; "" = any
	class               string // lower case; "standard" for the standard class
	restricted          bool   // limited to postcodes or cities
	compound            bool
	rate                decimal.Decimal
}

// taxTable is what a product listing needs to know about the store's taxes: the base location
// (the store address, "woocommerce_default_country"), the tax rates and whether prices are
// entered with tax. It is read once per listing (see Shop.taxInfo) and not changed afterwards.
type taxTable struct {
	// haveRates is false when GET /taxes could not be read; rates then stay unknown.
	haveRates bool
	// country and state are the base location; country is "" when it could not be read.
	country, state string
	rows           []taxRow
	// pricesIncludeTax is the setting "prices entered with tax" (false when unreadable).
	pricesIncludeTax bool
}

// newTaxTable builds a table from the rows of GET /taxes and the value of
// woocommerce_default_country ("NL", or "US:CA" for a country with states).
func newTaxTable(rates []wcTaxRate, baseCountry string) *taxTable {
	t := &taxTable{haveRates: true}
	t.country, t.state = parseBaseCountry(baseCountry)
	for _, r := range rates {
		if !r.Rate.Valid {
			continue
		}
		class := normClass(string(r.Class))
		t.rows = append(t.rows, taxRow{
			id:         r.ID.Int(),
			priority:   r.Priority.Int(),
			order:      r.Order.Int(),
			country:    strings.ToUpper(strings.TrimSpace(string(r.Country))),
			state:      strings.ToUpper(strings.TrimSpace(string(r.State))),
			class:      class,
			restricted: strings.TrimSpace(string(r.Postcode)) != "" || strings.TrimSpace(string(r.City)) != "" || nonEmptyList(r.Postcodes) || nonEmptyList(r.Cities),
			compound:   isTrue(string(r.Compound)),
			rate:       r.Rate.D,
		})
	}
	return t
}

// parseBaseCountry splits "NL" or "US:CA" into upper-case country and state.
func parseBaseCountry(v string) (country, state string) {
	country, state, _ = strings.Cut(strings.TrimSpace(v), ":")
	country, state = strings.ToUpper(strings.TrimSpace(country)), strings.ToUpper(strings.TrimSpace(state))
	if len(country) != 2 {
		return "", ""
	}
	return country, state
}

// normClass maps a tax class slug to the name GET /taxes uses: "" and "standard" are the
// standard class; other slugs are compared in lower case.
func normClass(c string) string {
	c = strings.ToLower(strings.TrimSpace(c))
	if c == "" {
		return classStandard
	}
	return c
}

// nonEmptyList reports whether a JSON value is a non-empty array (postcodes, cities).
func nonEmptyList(b json.RawMessage) bool {
	var v []json.RawMessage
	return json.Unmarshal(b, &v) == nil && len(v) > 0
}

// isTrue reads a JSON bool WooCommerce may also send as 1 or "yes".
func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true
	}
	return false
}

// productTax returns the tax class and status of a product or variation. A variation whose
// class is "parent" ("Same as parent") takes its parent's class ("" on a variation is the
// Standard choice, as on a product), and a variation takes its parent's tax status when the
// parent gives one (WooCommerce's editor sets the status on the parent only). parent is nil for
// a product that is not a variation, or when the parent is not known; the class then stays
// "parent", for which rateFor has no rate.
func productTax(p, parent *wcProduct) (class, status string) {
	class = strings.TrimSpace(string(p.TaxClass))
	status = strings.ToLower(strings.TrimSpace(string(p.TaxStatus)))
	if p.ParentID.String() == "" && string(p.Type) != "variation" {
		return class, status
	}
	if strings.EqualFold(class, classParent) {
		class = classParent
		if parent != nil {
			class = strings.TrimSpace(string(parent.TaxClass))
		}
	}
	if parent != nil {
		if ps := strings.ToLower(strings.TrimSpace(string(parent.TaxStatus))); ps != "" {
			status = ps
		}
	}
	return class, status
}

// rateFor is the VAT percentage WooCommerce charges on a product of the tax class and status in
// the store's base location, or nil when it cannot be told:
//
//   - tax status "none" or "shipping" (the product itself untaxed): 0;
//   - otherwise the rows of the class without a postcode or city limit whose country is the
//     base country or empty and whose state is the base state or empty; per priority the most
//     specific row (country, then state, then the lowest order and id) as WooCommerce picks it,
//     summed over priorities unless one of them is compound (then nil);
//   - a class without any such row: 0 for the "zero-rate" class (which merchants often leave
//     empty), nil for any other class, so the host reports it instead of booking a guess;
//   - nil when the tax table could not be read, or the class is "parent" with the parent unknown.
func (t *taxTable) rateFor(class, status string) *decimal.Decimal {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case statusNone, statusShip:
		z := decimal.Zero
		return &z
	}
	if t == nil || !t.haveRates {
		return nil
	}
	class = normClass(class)
	if class == classParent {
		return nil
	}
	best := map[int64]taxRow{}
	for _, r := range t.rows {
		if r.class != class || r.restricted {
			continue
		}
		if r.country != "" && r.country != t.country {
			continue
		}
		if r.state != "" && r.state != t.state {
			continue
		}
		if b, ok := best[r.priority]; !ok || moreSpecific(r, b) {
			best[r.priority] = r
		}
	}
	if len(best) == 0 {
		if class == classZero {
			z := decimal.Zero
			return &z
		}
		return nil
	}
	prios := make([]int64, 0, len(best))
	for p := range best {
		prios = append(prios, p)
	}
	sort.Slice(prios, func(i, j int) bool { return prios[i] < prios[j] })
	sum := decimal.Zero
	for _, p := range prios {
		r := best[p]
		if r.compound && len(best) > 1 {
			return nil
		}
		sum = sum.Add(r.rate)
	}
	return &sum
}

// moreSpecific reports whether a is preferred over b within one priority: a named country over
// "any", a named state over "any", then the lower order, then the lower id.
func moreSpecific(a, b taxRow) bool {
	if (a.country != "") != (b.country != "") {
		return a.country != ""
	}
	if (a.state != "") != (b.state != "") {
		return a.state != ""
	}
	if a.order != b.order {
		return a.order < b.order
	}
	return a.id < b.id
}

// taxInfo returns the store's tax table and tax settings, read at most once per taxTTL per
// Shop (concurrent callers wait for one read). A part the key may not read (401/403), that the
// store does not have (404) or that is not the JSON expected is logged and left unknown, so
// product rates become nil and the host reports them; a transient failure (network, 5xx,
// 429) is returned so the listing is retried later.
func (s *Shop) taxInfo(ctx context.Context) (*taxTable, error) {
	s.taxMu.Lock()
	defer s.taxMu.Unlock()
	now := s.now()
	if s.tax != nil && now.Sub(s.taxAt) < taxTTL && !now.Before(s.taxAt) {
		return s.tax, nil
	}
	t := &taxTable{}
	var problems []string
	degrade := func(what string, err error) error {
		if transient(err) {
			return err
		}
		problems = append(problems, what+": "+err.Error())
		return nil
	}

	// The base location.
	base := ""
	if v, err := s.setting(ctx, "general", "woocommerce_default_country"); err != nil {
		if err := degrade("store country", err); err != nil {
			return nil, err
		}
	} else {
		base = v
	}
	// Prices entered with tax.
	pit := false
	if v, err := s.setting(ctx, "tax", "woocommerce_prices_include_tax"); err != nil {
		if err := degrade("prices entered with tax", err); err != nil {
			return nil, err
		}
	} else {
		pit = v == "yes"
	}
	// The tax rates, all pages.
	rates, err := s.fetchTaxRates(ctx)
	if err != nil {
		if err := degrade("tax rates", err); err != nil {
			return nil, err
		}
	} else {
		t = newTaxTable(rates, base)
		if t.country == "" && base != "" {
			problems = append(problems, "store country: "+strconv.Quote(truncate(base, 40))+" is not a country code")
		}
	}
	t.pricesIncludeTax = pit
	if len(problems) > 0 {
		s.log.Warn("WooCommerce tax settings partly unreadable; product VAT rates that depend on them are left unknown",
			"problems", strings.Join(problems, "; "))
	}
	s.tax, s.taxAt = t, now
	return t, nil
}

// transient reports whether err may go away by itself (the listing should fail and be retried)
// rather than being a lasting refusal.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	switch sdk.KindOf(err) {
	case sdk.KindRetryable, sdk.KindUnreachable, sdk.KindOutcomeUnknown:
		return true
	}
	return false
}

// setting reads GET /settings/{group}/{id} and returns its value as text.
func (s *Shop) setting(ctx context.Context, group, id string) (string, error) {
	path := "/settings/" + group + "/" + id
	r, err := s.api.get(ctx, path, nil)
	if err != nil {
		return "", err
	}
	var v struct {
		Value wcString `json:"value"`
	}
	if err := decodeJSON("GET "+path, r.Body, &v); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(v.Value)), nil
}

// taxPageSize is the page size for GET /taxes.
const taxPageSize = 100

// fetchTaxRates reads every page of GET /taxes, by the first page's X-WP-TotalPages (and a
// short page as the end when the header is missing).
func (s *Shop) fetchTaxRates(ctx context.Context) ([]wcTaxRate, error) {
	var all []wcTaxRate
	total := -1
	for page := 1; ; page++ {
		q := url.Values{"per_page": {strconv.Itoa(taxPageSize)}, "page": {strconv.Itoa(page)}}
		r, err := s.api.get(ctx, "/taxes", q)
		if err != nil {
			return nil, err
		}
		var rows []wcTaxRate
		if err := decodeJSON("GET /taxes", r.Body, &rows); err != nil {
			return nil, err
		}
		if page == 1 {
			total = totalPages(r.Header)
		}
		all = append(all, rows...)
		if len(rows) < taxPageSize || (total >= 0 && page >= total) {
			return all, nil
		}
	}
}
