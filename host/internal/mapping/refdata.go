package mapping

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// Reference is the ledger's reference data for a run, with the profile's names and numbers
// (template, cost centre, revenue groups) resolved to ledger ids.
type Reference struct {
	Data sdk.ReferenceData
	// TemplateID and CostCentreID are the resolved orders.template and orders.cost_centre.
	TemplateID   string
	CostCentreID string
	// Groups are the revenue groups by id.
	Groups map[string]sdk.RevenueGroup
	// GroupDefault is articles.revenue_group resolved; GroupByRate articles.revenue_group_by_vat
	// (by the rate's decimal string).
	GroupDefault string
	GroupByRate  map[string]string
	// UnitPriceRounded is true when SnelStart rounds unit prices to cents before multiplying
	// (companyInfo regelkortingVerkooporder = BerekenenOverStukprijs).
	UnitPriceRounded bool
	// Countries are the ISO codes the ledger knows (empty = unknown list, no check).
	Countries map[string]bool
	// LedgerByKey is orders.ledger_by_vat resolved: rate decimal string or scheme key →
	// ledger account id (invoice mode only).
	LedgerByKey map[string]string
	// vat is the VAT scheme of the order being planned when it is not domestic (set on the
	// planner's per-order copy, see Planner.withVAT): VATOf then gives that scheme's rates.
	vat *orderVAT
}

// ResolveReference resolves the profile's settings against the ledger's reference data. A
// setting naming something the administration lacks is a *ConfigError.
func ResolveReference(prof *config.Profile, ref sdk.ReferenceData) (*Reference, error) {
	rd := &Reference{Data: ref, Groups: map[string]sdk.RevenueGroup{}, GroupByRate: map[string]string{}, Countries: map[string]bool{}}
	for _, g := range ref.RevenueGroups {
		rd.Groups[g.ID] = g
	}
	for _, c := range ref.Countries {
		if c.Code != "" {
			rd.Countries[strings.ToUpper(c.Code)] = true
		}
	}
	if v := ref.Company.Extra["regelkortingVerkooporder"]; strings.EqualFold(v, "BerekenenOverStukprijs") {
		rd.UnitPriceRounded = true
	}
	o := prof.Orders
	if o.Template != "" {
		t, ok := findTemplate(ref.Templates, o.Template)
		if !ok {
			return nil, configErrorf(text.Template("reason.template_unknown"),
				o.Template, templateNames(ref.Templates))
		}
		rd.TemplateID = t.ID
	}
	if o.CostCentre != "" {
		c, ok := findCostCentre(ref.CostCentres, o.CostCentre)
		if !ok {
			return nil, configErrorf(text.Template("reason.cost_centre_unknown"), o.CostCentre)
		}
		rd.CostCentreID = c.ID
	}
	a := prof.Articles
	if a.RevenueGroup != "" {
		g, ok := findGroup(ref.RevenueGroups, a.RevenueGroup)
		if !ok {
			return nil, configErrorf(text.Template("reason.revenue_group_unknown"),
				a.RevenueGroup, groupNames(ref.RevenueGroups))
		}
		rd.GroupDefault = g.ID
	}
	for rate, name := range a.RevenueGroupByVAT {
		g, ok := findGroup(ref.RevenueGroups, name)
		if !ok {
			return nil, configErrorf(text.Template("reason.revenue_group_by_vat_unknown"),
				rate, name, groupNames(ref.RevenueGroups))
		}
		rd.GroupByRate[rate] = g.ID
	}
	if prof.Orders.BookAs == config.BookAsInvoice {
		if err := rd.resolveLedgers(prof.Orders.LedgerByVAT); err != nil {
			return nil, err
		}
	}
	return rd, nil
}

// GroupForRate returns the omzetgroep id for a new article with this VAT rate.
func (rd *Reference) GroupForRate(rate sdk.Money) (string, bool) {
	if id, ok := rd.GroupByRate[rate.String()]; ok {
		return id, true
	}
	return rd.GroupDefault, rd.GroupDefault != ""
}

// VATOf returns the revenue group and the percentage of its VAT class on date, under the
// order's VAT scheme (Dutch rates, a destination's OSS rate, or 0 % for ICP and export); ok is
// false when the group or the rate is unknown.
func (rd *Reference) VATOf(groupID string, date time.Time) (sdk.RevenueGroup, sdk.Money, bool) {
	g, ok := rd.Groups[groupID]
	if !ok {
		return sdk.RevenueGroup{}, sdk.Money{}, false
	}
	if rd.vat != nil {
		pct, ok := rd.schemeRate(g.VATClass, date)
		return g, pct, ok
	}
	pct, ok := RateOn(rd.Data.VATRates, g.VATClass, date)
	return g, pct, ok
}

// RateOn returns the percentage of a VAT class on date. Geen is 0% when the ledger lists no
// rate for it.
func RateOn(rates []sdk.VATRate, class sdk.VATClass, date time.Time) (sdk.Money, bool) {
	var best *sdk.VATRate
	for i := range rates {
		r := &rates[i]
		if r.Class != class || date.Before(r.From) || (r.Until != nil && !date.Before(*r.Until)) {
			continue
		}
		if best == nil || r.From.After(best.From) {
			best = r
		}
	}
	if best != nil {
		return best.Percentage, true
	}
	if class == sdk.VATNone {
		return sdk.Money{}, true
	}
	return sdk.Money{}, false
}

// matchNumOrName reports whether s (a number or a name as written in the profile) names the
// item with this id, number and description.
func matchNumOrName(s, id string, number int, description string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	if s == id {
		return true
	}
	if n, err := strconv.Atoi(s); err == nil && number != 0 && n == number {
		return true
	}
	return strings.EqualFold(s, strings.TrimSpace(description))
}

func findTemplate(ts []sdk.Template, s string) (sdk.Template, bool) {
	for _, t := range ts {
		if matchNumOrName(s, t.ID, 0, t.Description) {
			return t, true
		}
	}
	return sdk.Template{}, false
}

func findCostCentre(cs []sdk.CostCentre, s string) (sdk.CostCentre, bool) {
	for _, c := range cs {
		if matchNumOrName(s, c.ID, c.Number, c.Description) {
			return c, true
		}
	}
	return sdk.CostCentre{}, false
}

func findGroup(gs []sdk.RevenueGroup, s string) (sdk.RevenueGroup, bool) {
	for _, g := range gs {
		if matchNumOrName(s, g.ID, g.Number, g.Description) {
			return g, true
		}
	}
	return sdk.RevenueGroup{}, false
}

func templateNames(ts []sdk.Template) string {
	var out []string
	for _, t := range ts {
		out = append(out, strconv.Quote(t.Description))
	}
	return listOrNone(out)
}

func groupNames(gs []sdk.RevenueGroup) string {
	var out []string
	for _, g := range gs {
		out = append(out, fmt.Sprintf("%d %q", g.Number, g.Description))
	}
	return listOrNone(out)
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	sort.Strings(xs)
	return strings.Join(xs, ", ")
}
