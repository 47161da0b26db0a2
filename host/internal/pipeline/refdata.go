package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// runData is the ledger's reference data for one run, with the profile's names and numbers
// (template, cost centre, revenue groups) resolved to ledger ids.
type runData struct {
	ref sdk.ReferenceData
	// templateID and costCentreID are the resolved orders.template and orders.cost_centre.
	templateID   string
	costCentreID string
	// groups are the revenue groups by id.
	groups map[string]sdk.RevenueGroup
	// groupDefault is articles.revenue_group resolved; groupByRate articles.revenue_group_by_vat.
	groupDefault string
	groupByRate  map[string]string
	// unitPriceRounded is true when SnelStart rounds unit prices to cents before multiplying
	// (companyInfo regelkortingVerkooporder = BerekenenOverStukprijs).
	unitPriceRounded bool
	// countries are the ISO codes the ledger knows (empty = unknown list, no check).
	countries map[string]bool
}

// loadRunData fetches the reference data (one ledger call) and resolves the profile's settings
// against it. A setting naming something the administration lacks stops the run.
func (p *Pipeline) loadRunData(ctx context.Context) (*runData, error) {
	ref, err := p.ledger.ReferenceData(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the administration's reference data: %w", err)
	}
	rd := &runData{ref: ref, groups: map[string]sdk.RevenueGroup{}, groupByRate: map[string]string{}, countries: map[string]bool{}}
	for _, g := range ref.RevenueGroups {
		rd.groups[g.ID] = g
	}
	for _, c := range ref.Countries {
		if c.Code != "" {
			rd.countries[strings.ToUpper(c.Code)] = true
		}
	}
	if v := ref.Company.Extra["regelkortingVerkooporder"]; strings.EqualFold(v, "BerekenenOverStukprijs") {
		rd.unitPriceRounded = true
	}
	o := p.prof.Orders
	if o.Template != "" {
		t, ok := findTemplate(ref.Templates, o.Template)
		if !ok {
			return nil, configErrorf("orders.template %q is not a sales-order template (verkoopordersjabloon) of the administration; templates: %s",
				o.Template, templateNames(ref.Templates))
		}
		rd.templateID = t.ID
	}
	if o.CostCentre != "" {
		c, ok := findCostCentre(ref.CostCentres, o.CostCentre)
		if !ok {
			return nil, configErrorf("orders.cost_centre %q is not a cost centre (kostenplaats) of the administration", o.CostCentre)
		}
		rd.costCentreID = c.ID
	}
	a := p.prof.Articles
	if a.RevenueGroup != "" {
		g, ok := findGroup(ref.RevenueGroups, a.RevenueGroup)
		if !ok {
			return nil, configErrorf("articles.revenue_group %q is not an omzetgroep of the administration; groups: %s",
				a.RevenueGroup, groupNames(ref.RevenueGroups))
		}
		rd.groupDefault = g.ID
	}
	for rate, name := range a.RevenueGroupByVAT {
		g, ok := findGroup(ref.RevenueGroups, name)
		if !ok {
			return nil, configErrorf("articles.revenue_group_by_vat[%q] = %q is not an omzetgroep of the administration; groups: %s",
				rate, name, groupNames(ref.RevenueGroups))
		}
		rd.groupByRate[rate] = g.ID
	}
	return rd, nil
}

// groupForRate returns the omzetgroep id for a new article with this VAT rate.
func (rd *runData) groupForRate(rate sdk.Money) (string, bool) {
	if id, ok := rd.groupByRate[rate.String()]; ok {
		return id, true
	}
	return rd.groupDefault, rd.groupDefault != ""
}

// vatOf returns the VAT class and its percentage on date for a revenue group; ok is false when
// the group or the rate is unknown.
func (rd *runData) vatOf(groupID string, date time.Time) (sdk.RevenueGroup, sdk.Money, bool) {
	g, ok := rd.groups[groupID]
	if !ok {
		return sdk.RevenueGroup{}, sdk.Money{}, false
	}
	pct, ok := rateOn(rd.ref.VATRates, g.VATClass, date)
	return g, pct, ok
}

// rateOn returns the percentage of a VAT class on date. Geen is 0% when the ledger lists no
// rate for it.
func rateOn(rates []sdk.VATRate, class sdk.VATClass, date time.Time) (sdk.Money, bool) {
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
