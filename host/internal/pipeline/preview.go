package pipeline

// Previews (koppel plan): what a task would do, computed by the same code as the task itself,
// with every write left out. import_orders plans each order with the mapping package (the plan
// the sync applies), export_stock computes the levels it would write, import_articles decides
// every product without creating, updating or remembering anything. No task lock is taken and
// nothing is written to the ledger, the shop or the state store: the cursor, intents, maps and
// caches stay as they were.

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// DefaultPlanLimit is how many orders a preview plans when PlanOptions.Limit is 0.
const DefaultPlanLimit = 100

// PlanOptions says what a preview covers.
type PlanOptions struct {
	// OrderIDs are shop order ids to plan (import_orders); empty means the orders the next
	// sync would take, from the stored cursor.
	OrderIDs []string
	// Limit caps the orders (or products, stock levels) listed; 0 means DefaultPlanLimit.
	Limit int
}

// PlanReport is what a task would do. Amounts are decimal strings (two decimals), quantities
// and rates decimal strings as they are.
type PlanReport struct {
	Profile string `json:"profile"`
	Task    string `json:"task"`
	// At is when the preview was made.
	At time.Time `json:"at"`
	// Orders are the order plans (import_orders), in the order the shop lists them.
	Orders []OrderPlan `json:"orders,omitempty"`
	// Stock are the levels export_stock would write.
	Stock []StockPlan `json:"stock,omitempty"`
	// Articles are the products import_articles would create, update, skip or refuse
	// (products SnelStart already has unchanged are counted in the summary only).
	Articles []ArticleOutcome `json:"articles,omitempty"`
	Summary  PlanSummary      `json:"summary"`
	// LedgerCalls is the number of (reading) ledger calls the preview made.
	LedgerCalls int64 `json:"ledger_calls"`
}

// PlanSummary counts a preview's items by what would happen to them.
type PlanSummary struct {
	// Create (would import), Fail and Skip count orders (import_orders), or products
	// (import_articles: Create counts creates and updates, Skip unchanged and skipped ones).
	Create int `json:"create"`
	Fail   int `json:"fail"`
	Skip   int `json:"skip"`
	// More is set when the limit cut the list: the sync would take more.
	More bool `json:"more,omitempty"`
	// Stock counts (export_stock).
	Write     int `json:"write,omitempty"`
	Unchanged int `json:"unchanged,omitempty"`
	HeldBack  int `json:"held_back,omitempty"`
	// TotalShop and TotalLedger add up the orders that would be imported.
	TotalShop   string `json:"total_shop,omitempty"`
	TotalLedger string `json:"total_ledger,omitempty"`
	// Credit, Delete and Attention count what would happen to orders imported before
	// (refunds booked as credit orders, SnelStart orders deleted, attention items raised);
	// TotalCredit adds up the credit orders' totals (negative).
	Credit      int    `json:"credit,omitempty"`
	Delete      int    `json:"delete,omitempty"`
	Attention   int    `json:"attention,omitempty"`
	TotalCredit string `json:"total_credit,omitempty"`
}

// OrderPlan is the preview of one order.
type OrderPlan struct {
	ShopID string `json:"shop_id"`
	// Number is the shop's order number; for a credit order its own number
	// (<number>-R<refund id>, <number>-C).
	Number string `json:"number"`
	// Action is create (would be imported), skip or fail; for an order imported before,
	// credit (a credit order is booked), delete (its SnelStart order is deleted) or attention
	// (it is listed for a person), each as its own entry after the order's.
	Action mapping.Action `json:"action"`
	// Reason says why an order is skipped, and what a credit, delete or attention entry is about.
	Reason string `json:"reason,omitempty"`
	// Of is the shop number of the imported order a credit, delete or attention entry is about;
	// Reference the SnelStart reference of a credit order; LedgerNumber the SnelStart sales order
	// of the imported order.
	Of           string `json:"of,omitempty"`
	Reference    string `json:"reference,omitempty"`
	LedgerNumber int    `json:"ledger_number,omitempty"`
	// TotalShop is the shop's total; TotalLedger SnelStart's expected total ("" when it cannot
	// be known beforehand).
	TotalShop   string        `json:"total_shop"`
	TotalLedger string        `json:"total_ledger,omitempty"`
	Customer    *CustomerPlan `json:"customer,omitempty"`
	Lines       []LinePlan    `json:"lines,omitempty"`
	// ByRate is SnelStart's expected turnover and VAT per rate.
	ByRate []RatePlan `json:"by_rate,omitempty"`
	// Difference is the amount booked on orders.difference_article ("" when none).
	Difference string `json:"difference,omitempty"`
	// InvoiceNumber is the factuurnummer the order is booked under (orders.book_as =
	// "invoice"), and InvoiceLines its revenue lines per VAT rate and ledger.
	InvoiceNumber string            `json:"invoice_number,omitempty"`
	InvoiceLines  []InvoiceLinePlan `json:"invoice_lines,omitempty"`
	Problems      []string          `json:"problems,omitempty"`
	Warnings      []string          `json:"warnings,omitempty"`
	// Plan is the full plan, for callers in this program (not in the JSON).
	Plan *mapping.Plan `json:"-"`
}

// InvoiceLinePlan is one revenue line (excl. VAT) of an invoice booking.
type InvoiceLinePlan struct {
	Description     string `json:"description"`
	LedgerAccountID string `json:"ledger_account_id"`
	Amount          string `json:"amount"`
}

// CustomerPlan is the customer decision of an order plan.
type CustomerPlan struct {
	// Action is existing, create, update or fail.
	Action mapping.CustomerAction `json:"action"`
	// Code is the relatiecode (0 for one still to be created).
	Code      int    `json:"code,omitempty"`
	Name      string `json:"name,omitempty"`
	MatchedBy string `json:"matched_by,omitempty"`
	// Email, Postcode, City and Country are what a create or update writes.
	Email    string `json:"email,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	City     string `json:"city,omitempty"`
	Country  string `json:"country,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// LinePlan is one line of an order plan.
type LinePlan struct {
	Kind mapping.LineKind `json:"kind"`
	// ArticleCode is the SnelStart artikelcode; ArticleAction what happens to the article
	// (found, create, update).
	ArticleCode   string                `json:"article_code,omitempty"`
	ArticleAction mapping.ArticleAction `json:"article_action,omitempty"`
	Description   string                `json:"description,omitempty"`
	Quantity      string                `json:"quantity"`
	// UnitPrice is the price sent ("" when SnelStart sets it); Amount quantity × price.
	UnitPrice string `json:"unit_price,omitempty"`
	Amount    string `json:"amount,omitempty"`
	// VATClass and VATRate are those of the article's omzetgroep; ShopRate the shop's rate.
	VATClass string `json:"vat_class,omitempty"`
	VATRate  string `json:"vat_rate,omitempty"`
	ShopRate string `json:"shop_rate,omitempty"`
	Fallback bool   `json:"fallback,omitempty"`
}

// RatePlan is the expected turnover and VAT at one rate.
type RatePlan struct {
	Rate string `json:"rate"`
	Excl string `json:"excl"`
	VAT  string `json:"vat"`
	Incl string `json:"incl"`
}

// StockPlan is one stock level export_stock would write.
type StockPlan struct {
	SKU      string `json:"sku"`
	Quantity string `json:"quantity"`
	// Previous is the last quantity written ("" when none).
	Previous string `json:"previous,omitempty"`
}

// Plan previews task (import_orders, export_stock, import_articles) without writing anything.
func (p *Pipeline) Plan(ctx context.Context, task string, opts PlanOptions) (PlanReport, error) {
	if err := p.validate(); err != nil {
		return PlanReport{}, err
	}
	if opts.Limit <= 0 {
		opts.Limit = DefaultPlanLimit
	}
	rep := PlanReport{Profile: p.profile, Task: task, At: p.now()}
	before := p.ledger.Calls()
	var err error
	switch task {
	case TaskImportOrders:
		err = p.planOrders(ctx, opts, &rep)
	case TaskExportStock:
		err = p.planStock(ctx, opts, &rep)
	case TaskImportArticles:
		err = p.planArticles(ctx, opts, &rep)
	default:
		return rep, fmt.Errorf("koppel plan: unknown task %q (tasks: %s, %s, %s)", task, TaskImportOrders, TaskExportStock, TaskImportArticles)
	}
	rep.LedgerCalls = p.ledger.Calls() - before
	return rep, unwrapAbort(err)
}

// planOrders plans the orders the next sync would take (or opts.OrderIDs).
func (p *Pipeline) planOrders(ctx context.Context, opts PlanOptions, rep *PlanReport) error {
	r := p.newRun("plan")
	var q sdk.OrderQuery
	if len(opts.OrderIDs) > 0 {
		r.retry = true // orders named on purpose are planned even when parked
		q = sdk.OrderQuery{IDs: slices.Compact(slices.Sorted(slices.Values(opts.OrderIDs)))}
	} else {
		cur, _, err := state.Get[CursorRecord](ctx, p.store, state.CursorKey(p.profile, TaskImportOrders))
		if err != nil {
			return stateError(err, "reason.step.read_cursor", TaskImportOrders)
		}
		q = r.status.query(sdk.OrderQuery{Since: p.prof.Orders.Since, Cursor: cur.Cursor})
	}
	var orders []sdk.Order
	var yieldErr error
	seen := map[string]bool{}
	err := p.shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		if seen[it.Order.ID] {
			return nil
		}
		if len(orders) >= opts.Limit {
			rep.Summary.More, yieldErr = true, errStopRun
			return yieldErr
		}
		seen[it.Order.ID] = true
		orders = append(orders, it.Order)
		return nil
	})
	if err = listingError(err, yieldErr, "reason.step.list_orders"); err != nil {
		return err
	}
	shopSum, ledgerSum, creditSum := sdk.Money{}, sdk.Money{}, sdk.Money{}
	batch := p.opts.GuardBatch
	if batch <= 0 {
		batch = DefaultGuardBatch
	}
	for start := 0; start < len(orders); start += batch {
		items := make([]pendingOrder, 0, batch)
		for _, o := range orders[start:min(start+batch, len(orders))] {
			items = append(items, pendingOrder{order: o})
		}
		if err := r.prepareGuard(ctx, items); err != nil {
			return err
		}
		for _, it := range items {
			op, err := r.planOne(ctx, it.order)
			if err != nil {
				return err
			}
			switch op.Action {
			case mapping.ActionCreate:
				rep.Summary.Create++
				shopSum = shopSum.Add(it.order.Totals.Total)
				if op.Plan != nil {
					ledgerSum = ledgerSum.Add(op.Plan.Totals.Ledger)
				}
			case mapping.ActionFail:
				rep.Summary.Fail++
			default:
				rep.Summary.Skip++
			}
			rep.Orders = append(rep.Orders, op)
			follow, err := r.planAfterImport(ctx, it.order)
			if err != nil {
				return err
			}
			for _, fp := range follow {
				switch fp.Action {
				case ActionCredit:
					rep.Summary.Credit++
					creditSum = creditSum.Add(sdk.MustMoney(fp.TotalLedger))
				case ActionDelete:
					rep.Summary.Delete++
				case ActionAttention:
					rep.Summary.Attention++
				case mapping.ActionFail:
					rep.Summary.Fail++
				}
				rep.Orders = append(rep.Orders, fp)
			}
		}
	}
	if rep.Summary.Create > 0 {
		rep.Summary.TotalShop, rep.Summary.TotalLedger = mapping.Money(shopSum), mapping.Money(ledgerSum)
	}
	if rep.Summary.Credit > 0 {
		rep.Summary.TotalCredit = mapping.Money(creditSum)
	}
	return nil
}

// planOne previews one order: screened like the sync screens it, then planned.
func (r *run) planOne(ctx context.Context, o sdk.Order) (OrderPlan, error) {
	p := r.p
	op := OrderPlan{ShopID: o.ID, Number: o.Number, TotalShop: mapping.Money(o.Totals.Total)}
	out, decided, _, _, err := r.screen(ctx, o)
	if err != nil {
		return op, err
	}
	if decided {
		op.Action, op.Reason = mapping.ActionSkip, out.Reason
		return op, nil
	}
	var warn []string
	intent, hasIntent, err := state.Get[IntentRecord](ctx, p.store, state.IntentKey(p.profile, o.ID))
	if err != nil {
		return op, abortState(err, "reason.step.read_intent")
	}
	ref := p.reference(o)
	if hasIntent {
		// As the sync does: look for the order an earlier create may have made.
		for _, x := range slices.Compact([]string{intent.Reference, ref}) {
			found, err := p.findBooked(ctx, x)
			if err != nil {
				if classify(err) == classAbort {
					return op, err
				}
				op.Action, op.Problems = mapping.ActionFail, []string{fmt.Sprintf(text.Template("reason.lookup_unfinished"), x, reasonOf(err))}
				return op, nil
			}
			if so, ok := pickByReference(found, x); ok {
				op.Action = mapping.ActionSkip
				op.Reason = fmt.Sprintf(text.Template("reason.unfinished_found"), so.Number)
				return op, nil
			}
		}
		warn = append(warn, text.Template("reason.unfinished_missing"))
	} else if found, ok, err := r.guard(ctx, ref); err != nil {
		if classify(err) == classAbort {
			return op, err
		}
		op.Action, op.Problems = mapping.ActionFail, []string{reasonOf(err)}
		return op, nil
	} else if ok {
		op.Action = mapping.ActionSkip
		op.Reason = fmt.Sprintf(text.Template("reason.present_reference"), found.Number, ref)
		return op, nil
	}
	if err := r.ensurePlanner(ctx); err != nil {
		return op, err
	}
	plan, err := r.planner.Plan(ctx, o)
	if err != nil {
		if err = planError(err); classify(err) == classAbort {
			return op, err
		}
		op.Action = mapping.ActionFail
		op.Problems = []string{fmt.Sprintf(text.Template("reason.lookup_retry"), reasonOf(err))}
		return op, nil
	}
	r.view.simulate(plan)
	op = orderPlanOf(o, plan)
	op.Warnings = append(warn, op.Warnings...)
	return op, nil
}

// orderPlanOf reports a plan.
func orderPlanOf(o sdk.Order, plan *mapping.Plan) OrderPlan {
	op := OrderPlan{ShopID: o.ID, Number: o.Number, Action: plan.Action, TotalShop: mapping.Money(o.Totals.Total),
		Problems: plan.Problems, Warnings: plan.Warnings, Plan: plan}
	t := plan.Totals
	if t.Predicted {
		op.TotalLedger = mapping.Money(t.Ledger)
		for _, rt := range t.ByRate {
			op.ByRate = append(op.ByRate, RatePlan{Rate: rt.Rate.String(), Excl: mapping.Money(rt.Excl), VAT: mapping.Money(rt.VAT), Incl: mapping.Money(rt.Incl)})
		}
	}
	if !t.Difference.IsZero() {
		op.Difference = mapping.Money(t.Difference)
	}
	if inv := plan.Invoice; inv != nil {
		op.InvoiceNumber = inv.Number
		for _, l := range inv.Lines {
			op.InvoiceLines = append(op.InvoiceLines, InvoiceLinePlan{Description: l.Description, LedgerAccountID: l.LedgerAccountID, Amount: mapping.Money(l.Amount)})
		}
	}
	c := plan.Customer
	cp := &CustomerPlan{Action: c.Action, Code: c.Code, Name: c.Name, MatchedBy: c.MatchedBy, Reason: c.Reason}
	if c.Relatie != nil {
		cp.Email, cp.Postcode, cp.City, cp.Country = c.Relatie.Email, c.Relatie.Address.Postcode, c.Relatie.Address.City, c.Relatie.Address.Country
	}
	if c.Action != "" {
		op.Customer = cp
	}
	for i, l := range plan.Lines {
		sl := plan.SalesOrder.Lines[i]
		lp := LinePlan{Kind: l.Kind, ArticleCode: l.ArticleCode, Description: sl.Description, Quantity: sl.Quantity.String(),
			VATClass: string(l.VATClass), Fallback: l.Fallback}
		if l.Article >= 0 {
			lp.ArticleAction = plan.Articles[l.Article].Action
		}
		if sl.UnitPrice != nil {
			lp.UnitPrice = sl.UnitPrice.String()
		}
		if l.Amount != nil {
			lp.Amount = mapping.Money(*l.Amount)
		}
		if l.VATRate != nil {
			lp.VATRate = l.VATRate.String()
		}
		if l.ShopRate != nil {
			lp.ShopRate = l.ShopRate.String()
		}
		op.Lines = append(op.Lines, lp)
	}
	return op
}

// planStock previews export_stock: the levels it would write.
func (p *Pipeline) planStock(ctx context.Context, opts PlanOptions, rep *PlanReport) error {
	held, err := p.heldProducts(ctx)
	if err != nil {
		return err
	}
	sum, levels, last, err := p.stockLevels(ctx, held)
	if err != nil {
		return err
	}
	rep.Summary.Write, rep.Summary.Unchanged, rep.Summary.HeldBack = len(levels), sum.Unchanged, len(sum.HeldBack)
	for i, l := range levels {
		if i >= opts.Limit {
			rep.Summary.More = true
			break
		}
		sp := StockPlan{SKU: l.SKU, Quantity: l.Quantity.String()}
		if rec, ok := last[l.SKU]; ok && !rec.NotFound {
			sp.Previous = rec.Quantity.String()
		}
		rep.Stock = append(rep.Stock, sp)
	}
	return nil
}

// planArticles previews import_articles: each listed product decided as the task decides it,
// with creates and updates left out.
func (p *Pipeline) planArticles(ctx context.Context, opts PlanOptions, rep *PlanReport) error {
	var tr TaskRun
	r := &articleRun{p: p, res: &tr.RunResult, seen: map[string]bool{}, parents: map[string]bool{}, clean: true, dry: true}
	cur, _, err := state.Get[CursorRecord](ctx, p.store, state.CursorKey(p.profile, TaskImportArticles))
	if err != nil {
		return stateError(err, "reason.step.read_cursor", TaskImportArticles)
	}
	var yieldErr error
	err = p.shop.ListProducts(ctx, sdk.ProductQuery{Since: p.prof.Articles.Since, Cursor: cur.Cursor}, func(it sdk.ProductItem) error {
		if r.sum.Listed >= opts.Limit {
			rep.Summary.More, yieldErr = true, errStopRun
			return yieldErr
		}
		yieldErr = r.handle(ctx, it)
		return yieldErr
	})
	if err = listingError(err, yieldErr, "reason.step.list_products"); err != nil {
		return err
	}
	s := r.sum
	rep.Articles = s.Items
	rep.Summary.Create, rep.Summary.Fail, rep.Summary.Skip = s.Created+s.Updated, s.Failed+s.Retrying, s.Skipped+s.Linked
	return nil
}
