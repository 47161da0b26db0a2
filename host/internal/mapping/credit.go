package mapping

import (
	"context"
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// KindCreditOrder books a shop refund (or a cancellation of an invoiced order) as a credit sales
// order: a sales order with negative quantities, booked on the relatie of the original order, whose
// total is minus what was paid back.
const KindCreditOrder Kind = "credit_order"

// Credit ids and numbers: the credit order of refund R of shop order 1042 (shop id 77) is planned
// as a shop order with id "77#R<refund id>" and number "1042-R<refund id>", so its reference is
// <prefix>1042-R<refund id>; the credit of a whole cancelled order uses "77#C" and "1042-C".
const (
	refundSuffix   = "-R"
	cancelSuffix   = "-C"
	refundIDSuffix = "#R"
	cancelIDSuffix = "#C"
)

// RefundOrderID is the id under which the credit order of refund refundID of shop order shopID is
// recorded (intent, outcome, failure): "<shopID>#R<refundID>".
func RefundOrderID(shopID, refundID string) string { return shopID + refundIDSuffix + refundID }

// CancelOrderID is the id under which the credit order of cancelled shop order shopID is
// recorded: "<shopID>#C".
func CancelOrderID(shopID string) string { return shopID + cancelIDSuffix }

// OriginalID returns the shop order id a credit order's id (RefundOrderID, CancelOrderID) belongs
// to, and whether id is one; any other id is returned unchanged with false.
func OriginalID(id string) (string, bool) {
	if i := strings.LastIndex(id, refundIDSuffix); i > 0 {
		return id[:i], true
	}
	if strings.HasSuffix(id, cancelIDSuffix) && len(id) > len(cancelIDSuffix) {
		return strings.TrimSuffix(id, cancelIDSuffix), true
	}
	return id, false
}

// CreditRefund returns what refund r of order o credits, as an order of positive amounts for
// the planner: the refunded lines (with the original line's product, SKU and options), the
// refunded shipping and fees, and the amount-only rest (Refund.Rest) as one line on
// refundArticle at restRate (the VAT rate of that article's omzetgroep; nil means the rate that
// carries most of the order's turnover). Its id and number are RefundOrderID and
// "<number>-R<refund id>". An amount-only rest without refundArticle is a Refusal saying to set
// orders.refund_article.
func CreditRefund(o sdk.Order, r sdk.Refund, refundArticle string, restRate *sdk.Money) (sdk.Order, error) {
	c := creditBase(o, RefundOrderID(o.ID, r.ID), o.Number+refundSuffix+r.ID)
	if !r.CreatedAt.IsZero() {
		c.CreatedAt = r.CreatedAt
	}
	byID := map[string]sdk.OrderLine{}
	for _, l := range o.Lines {
		byID[l.ID] = l
	}
	for i, rl := range r.Lines {
		l, ok := byID[rl.LineID]
		if !ok {
			l = sdk.OrderLine{SKU: rl.SKU, Name: rl.Name}
		}
		qty := rl.Quantity
		if qty.IsZero() {
			qty = decimal.NewFromInt(1) // an amount refunded on a line: one unit of that amount
		}
		l.ID = fmt.Sprintf("%s-r%d", rl.LineID, i+1)
		l.Quantity = qty
		l.TotalExcl, l.Tax, l.TotalIncl, l.TaxRate = rl.TotalExcl, rl.Tax, rl.TotalIncl, rl.TaxRate
		l.UnitPriceExcl, l.UnitPriceIncl = rl.TotalExcl.Div(qty), rl.TotalIncl.Div(qty)
		l.Discount = decimal.Zero
		l.ParentLineID = ""
		c.Lines = append(c.Lines, l)
	}
	c.ShippingLines = append(c.ShippingLines, r.Shipping...)
	c.Fees = append(c.Fees, r.Fees...)
	if rest := r.Rest(); !rest.IsZero() {
		if refundArticle == "" {
			return sdk.Order{}, Refusef(text.Template("reason.refund_rest"),
				r.ID, o.Number, Money(rest))
		}
		rate := mainRate(o)
		if restRate != nil {
			rate = *restRate
		}
		excl := rest.Div(one.Add(rate.Div(hundred))).Round(2)
		name := "Terugbetaling"
		if r.Reason != "" {
			name += ": " + r.Reason
		}
		c.Lines = append(c.Lines, sdk.OrderLine{
			ID: "refund-" + r.ID, SKU: refundArticle, Name: name, Quantity: one,
			UnitPriceExcl: excl, UnitPriceIncl: rest, TotalExcl: excl, Tax: rest.Sub(excl), TotalIncl: rest, TaxRate: rate,
		})
	}
	c.Totals = sumTotals(c)
	if !c.Totals.Total.Equal(r.Amount) {
		return sdk.Order{}, Refusef(text.Template("reason.refund_parts"), r.ID, o.Number,
			Money(c.Totals.Total), Money(r.Amount))
	}
	return c, nil
}

// CreditCancel returns the whole of order o as an order to credit (a cancelled order that can no
// longer be deleted in SnelStart): its lines, shipping, fees and discounts, with id CancelOrderID
// and number "<number>-C".
func CreditCancel(o sdk.Order) sdk.Order {
	c := creditBase(o, CancelOrderID(o.ID), o.Number+cancelSuffix)
	c.Lines = append(c.Lines, o.Lines...)
	c.ShippingLines = append(c.ShippingLines, o.ShippingLines...)
	c.Fees = append(c.Fees, o.Fees...)
	c.Discounts = append(c.Discounts, o.Discounts...)
	c.Totals = o.Totals
	return c
}

// creditBase copies what identifies the customer and the order, without lines or refunds.
// The shop's invoice number, when it has one, gets the credit's suffix too (the credit
// invoice's own number in invoice mode).
func creditBase(o sdk.Order, id, number string) sdk.Order {
	extra := o.Extra
	if n := o.Extra[InvoiceNumberExtra]; n != "" {
		extra = make(map[string]string, len(o.Extra))
		for k, v := range o.Extra {
			extra[k] = v
		}
		extra[InvoiceNumberExtra] = n + strings.TrimPrefix(number, o.Number)
	}
	return sdk.Order{
		ID: id, Number: number, Status: o.Status, CreatedAt: o.CreatedAt, ModifiedAt: o.ModifiedAt,
		Currency: o.Currency, PricesIncludeTax: o.PricesIncludeTax, Customer: o.Customer,
		Billing: o.Billing, Shipping: o.Shipping, Payment: o.Payment, Extra: extra,
	}
}

// mainRate is the VAT rate that carries most of the order's product turnover (0 without lines).
func mainRate(o sdk.Order) sdk.Money {
	by := map[string]sdk.Money{}
	rates := map[string]sdk.Money{}
	for _, l := range o.Lines {
		k := l.TaxRate.String()
		by[k] = by[k].Add(l.TotalIncl)
		rates[k] = l.TaxRate
	}
	best, bestAmt := decimal.Zero, decimal.Zero
	first := true
	for k, amt := range by {
		if first || amt.GreaterThan(bestAmt) || (amt.Equal(bestAmt) && rates[k].GreaterThan(best)) {
			best, bestAmt, first = rates[k], amt, false
		}
	}
	return best
}

// sumTotals adds up an order's lines and charges (discounts subtracted).
func sumTotals(o sdk.Order) sdk.Totals {
	var t sdk.Totals
	add := func(excl, tax sdk.Money) {
		t.TotalExcl = t.TotalExcl.Add(excl)
		t.Tax = t.Tax.Add(tax)
	}
	for _, l := range o.Lines {
		add(l.TotalExcl, l.Tax)
	}
	for _, c := range o.ShippingLines {
		add(c.TotalExcl, c.Tax)
	}
	for _, c := range o.Fees {
		add(c.TotalExcl, c.Tax)
	}
	for _, c := range o.Discounts {
		add(c.TotalExcl.Neg(), c.Tax.Neg())
	}
	t.Total = t.TotalExcl.Add(t.Tax)
	return t
}

// PlanCredit plans the credit order of c (CreditRefund or CreditCancel): the booking c would get
// as an order, turned into a credit order (AsCredit) on the relatie of the original order
// (customerID, code, when known).
func (p *Planner) PlanCredit(ctx context.Context, c sdk.Order, customerID string, code int) (*Plan, error) {
	plan, err := p.plan(ctx, c)
	if plan != nil && plan.Action != ActionFail {
		AsCredit(plan, customerID, code)
	}
	return p.invoiceMode(plan, err)
}

// AsCredit turns a plan for positive amounts into the credit order: Kind KindCreditOrder, every
// line's quantity negated (SnelStart computes negative line totals from them), the expected
// totals negated, and, when customerID is given, booked on that relatie without creating or
// updating it.
func AsCredit(plan *Plan, customerID string, code int) {
	plan.Kind = KindCreditOrder
	so := &plan.SalesOrder
	lines := make([]sdk.SalesOrderLine, len(so.Lines))
	for i, l := range so.Lines {
		l.Quantity = l.Quantity.Neg()
		l.Total = l.Total.Neg()
		lines[i] = l
	}
	so.Lines = lines
	for i := range plan.Lines {
		if a := plan.Lines[i].Amount; a != nil {
			n := a.Neg()
			plan.Lines[i].Amount = &n
		}
	}
	t := &plan.Totals
	t.Shop, t.Ledger, t.Difference = t.Shop.Neg(), t.Ledger.Neg(), t.Difference.Neg()
	for i := range t.ByRate {
		r := &t.ByRate[i]
		r.Excl, r.VAT, r.Incl = r.Excl.Neg(), r.VAT.Neg(), r.Incl.Neg()
	}
	if customerID != "" {
		plan.Customer = CustomerDecision{Action: CustomerExisting, Key: plan.Customer.Key, ID: customerID, Code: code,
			Name: plan.Customer.Name, MatchedBy: "original order"}
	}
}
