package mapping

import "github.com/koppel-nl/koppel/sdk"

// FindTemplate returns the sales-order template s names (its id or description), as
// ResolveReference resolves orders.template.
func FindTemplate(ts []sdk.Template, s string) (sdk.Template, bool) { return findTemplate(ts, s) }

// FindCostCentre returns the cost centre s names (id, number or description), as
// ResolveReference resolves orders.cost_centre.
func FindCostCentre(cs []sdk.CostCentre, s string) (sdk.CostCentre, bool) {
	return findCostCentre(cs, s)
}

// FindGroup returns the revenue group s names (id, number or description), as ResolveReference
// resolves articles.revenue_group; FindGroup with a group id finds that group.
func FindGroup(gs []sdk.RevenueGroup, s string) (sdk.RevenueGroup, bool) { return findGroup(gs, s) }
