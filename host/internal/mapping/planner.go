package mapping

import (
	"context"
	"errors"
	"sort"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Planner plans the bookings of one profile's shop orders. It holds no state of its own
// besides what it is given: the profile, the resolved reference data and the View (which may
// cache). A Planner is safe for concurrent use when its View is.
type Planner struct {
	prof *config.Profile
	ref  *Reference
	view View
}

// NewPlanner returns a Planner for prof, with reference data ref (ResolveReference) and the
// ledger look-ups of view.
func NewPlanner(prof *config.Profile, ref *Reference, view View) *Planner {
	return &Planner{prof: prof, ref: ref, view: view}
}

// orderPlan is the planning of one order.
type orderPlan struct {
	p    *Planner
	o    sdk.Order
	plan *Plan
	w    Warnings
	// arts are the plan's article decisions by map key.
	arts map[string]int
	// vat is the order's VAT scheme (crossborder.go).
	vat orderVAT
}

// Plan decides how order o is booked. A problem with the order (a missing article, a VAT
// mismatch, totals that differ) gives a plan with Action fail and the problem; an error is
// returned only when a look-up failed (the ledger or the store: the plan is incomplete and the
// order must be tried again) or for a *ConfigError (every order would fail the same way). The
// plan is returned with an error too, holding what was decided so far.
func (p *Planner) Plan(ctx context.Context, o sdk.Order) (*Plan, error) {
	plan, err := p.plan(ctx, o)
	return p.invoiceMode(plan, err)
}

// invoiceMode turns a plan made without error into the invoice booking when orders.book_as
// is "invoice"; a plan that cannot be booked as an invoice fails with the reason.
func (p *Planner) invoiceMode(plan *Plan, err error) (*Plan, error) {
	if err != nil || plan == nil || plan.Action == ActionFail || p.prof.Orders.BookAs != config.BookAsInvoice {
		return plan, err
	}
	var ref *Refusal
	if ierr := p.asInvoice(plan); errors.As(ierr, &ref) {
		plan.Action, plan.Problems, plan.Invoice = ActionFail, []string{ref.Msg}, nil
	}
	return plan, nil
}

// plan is Plan without the invoice mode.
func (p *Planner) plan(ctx context.Context, o sdk.Order) (*Plan, error) {
	plan := &Plan{
		Kind: KindSalesOrder, Action: ActionCreate, ShopID: o.ID, ShopNumber: o.Number,
		Reference: p.Reference(o), Totals: Totals{Shop: o.Totals.Total},
	}
	op := &orderPlan{p: p, o: o, plan: plan, arts: map[string]int{}}
	err := op.salesOrder(ctx)
	plan.Warnings = op.w
	var ref *Refusal
	if errors.As(err, &ref) {
		plan.Action = ActionFail
		plan.Problems = []string{ref.Msg}
		if plan.Customer.Action == "" {
			plan.Customer.Action, plan.Customer.Reason = CustomerFail, ref.Msg
		}
		return plan, nil
	}
	if err != nil {
		plan.Action = ActionFail
		return plan, err
	}
	return plan, nil
}

// salesOrder plans a KindSalesOrder booking.
func (op *orderPlan) salesOrder(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := op.checkCurrency(); err != nil {
		return err
	}
	ov, err := op.crossBorder()
	if err != nil {
		return err
	}
	op.vat, op.p = ov, op.p.withVAT(ov)
	op.plan.VATScheme, op.plan.VATCountry = ov.Scheme, ov.Country
	cust, err := op.customer(ctx)
	if err != nil {
		return err
	}
	so, lines, err := op.buildSalesOrder(ctx, cust)
	if err != nil {
		return err
	}
	op.confirmICP(lines)
	if err := op.icpCustomer(ctx); err != nil {
		return err
	}
	lines = op.spreadMismatchedCharges(lines)
	vw, err := op.checkVAT(lines)
	op.w = append(op.w, vw...)
	if err != nil {
		return err
	}
	diff, err := op.balance(ctx, &so, &lines)
	if err != nil {
		return err
	}
	op.finish(so, lines, diff)
	op.compareVATPerRate()
	return nil
}

// finish fills the plan's body, lines and totals from the planned lines.
func (op *orderPlan) finish(so sdk.SalesOrder, lines []plannedLine, diff sdk.Money) {
	rd, date := op.p.ref, op.o.CreatedAt
	plan := op.plan
	so.Lines = make([]sdk.SalesOrderLine, len(lines))
	plan.Lines = make([]Line, len(lines))
	type acc struct{ rate, sum sdk.Money }
	byRate := map[string]*acc{}
	known := true
	for i, l := range lines {
		so.Lines[i] = l.line
		pl := Line{Kind: l.kind, Label: l.label, Article: l.artIdx, Fallback: l.fallback, ShopRate: l.shopRate}
		if l.article != nil {
			pl.ArticleCode = l.article.Code
			if g, pct, ok := rd.VATOf(l.article.RevenueGroupID, date); ok {
				p := pct
				pl.VATClass, pl.VATRate = g.VATClass, &p
			}
		}
		if l.line.UnitPrice != nil && l.line.ArticleID+pl.ArticleCode != "" {
			amt := LineAmount(l.line.Quantity, *l.line.UnitPrice, rd.UnitPriceRounded)
			pl.Amount = &amt
			if pl.VATRate == nil {
				known = false
			} else {
				k := pl.VATRate.String()
				if byRate[k] == nil {
					byRate[k] = &acc{rate: *pl.VATRate}
				}
				byRate[k].sum = byRate[k].sum.Add(amt)
			}
		} else if l.line.ArticleID+pl.ArticleCode != "" && l.kind != LineText {
			known = false
		}
		plan.Lines[i] = pl
	}
	plan.SalesOrder = so
	t := &plan.Totals
	t.PricesIncludeVAT = so.PricesIncludeVAT
	t.Difference = diff
	if op.p.prof.Orders.Lines == config.LinesCodeAndQuantity || !known {
		return
	}
	t.Predicted = true
	t.Ledger = decimal.Zero
	for _, a := range byRate {
		rt := RateTotal{Rate: a.rate}
		if so.PricesIncludeVAT {
			rt.Incl = a.sum
			rt.VAT = a.sum.Mul(a.rate).Div(hundred.Add(a.rate)).Round(2)
			rt.Excl = rt.Incl.Sub(rt.VAT)
		} else {
			rt.Excl = a.sum
			rt.VAT = a.sum.Mul(a.rate).Div(hundred).Round(2)
			rt.Incl = rt.Excl.Add(rt.VAT)
		}
		t.ByRate = append(t.ByRate, rt)
		t.Ledger = t.Ledger.Add(rt.Incl)
	}
	sort.Slice(t.ByRate, func(i, j int) bool { return t.ByRate[i].Rate.GreaterThan(t.ByRate[j].Rate) })
}
