package mapping

import (
	"sort"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// Spreading a charge over the product lines of its VAT rate.
//
// A coupon over products at 21% and 9% reaches the pipeline as one discount charge per rate
// (WooCommerce with coupons = "separate"), but orders.discount_article is one SnelStart article
// with one VAT class, so the 9% part on it would be booked at 21%: vat_check refuses that. The
// same holds for shipping or a fee at a rate that differs from its article's. Instead of
// failing, a charge part whose VAT rate does not match its article's VAT class is spread over
// the order's product lines of that same rate: their unit prices change in proportion to their
// amounts, exact to the cent (the parts add up to the charge; a line whose new total no unit
// price reproduces gives its cent to a line that can take it), both the amount sent and the
// amount including VAT (used when the order is sent including VAT). The order then carries a
// warning naming what was done. The charge part whose rate matches stays on its article. When
// there is no product line of that rate whose SnelStart article has that rate too (or the
// discount is larger than those lines), the part stays on its article and vat_check reports the
// mismatch as before. With vat_check = "off"
// nothing is spread. What remains of a difference after spreading is left to
// orders.difference_article and difference_tolerance as always.

// spreadMismatchedCharges implements the above on the planned lines of an order.
func (op *orderPlan) spreadMismatchedCharges(lines []plannedLine) []plannedLine {
	rd, date, w := op.p.ref, op.o.CreatedAt, &op.w
	if op.p.prof.Orders.VATCheck == config.VATCheckOff {
		return lines
	}
	out := lines[:0:0]
	removed := map[int]bool{}
	for i := range lines {
		c := lines[i]
		if c.kind != LineCharge || c.shopRate == nil || c.article == nil || c.line.UnitPrice == nil || c.inclTotal == nil {
			continue
		}
		g, pct, ok := rd.VATOf(c.article.RevenueGroupID, date)
		if !ok || pct.Equal(*c.shopRate) {
			continue
		}
		targets := spreadTargets(rd, date, lines, *c.shopRate)
		if len(targets) == 0 {
			continue
		}
		if !spreadOver(lines, targets, c.line.Quantity.Mul(*c.line.UnitPrice).Round(2), *c.inclTotal, rd.UnitPriceRounded) {
			continue
		}
		removed[i] = true
		labels := make([]string, len(targets))
		for k, j := range targets {
			labels[k] = lines[j].label
		}
		verb := text.Template("reason.spread_lower")
		if c.inclTotal.IsPositive() {
			verb = text.Template("reason.spread_raise")
		}
		w.Add(text.Template("reason.charge_spread"),
			c.label, Money(*c.inclTotal), c.shopRate.String(), c.article.Code, g.Number, g.Description, g.VATClass, pct.String(),
			c.shopRate.String(), strings.Join(labels, "; "), verb)
	}
	if len(removed) == 0 {
		return lines
	}
	for i, l := range lines {
		if !removed[i] {
			out = append(out, l)
		}
	}
	return out
}

// spreadTargets are the indexes of the priced product lines at rate with a positive amount
// whose SnelStart article has that rate too (so the spread part is booked at its own rate).
func spreadTargets(rd *Reference, date time.Time, lines []plannedLine, rate sdk.Money) []int {
	var out []int
	for j, l := range lines {
		if l.kind != LineProduct || l.shopRate == nil || !l.shopRate.Equal(rate) || l.line.UnitPrice == nil ||
			l.inclTotal == nil || !l.line.Quantity.IsPositive() || !l.inclTotal.IsPositive() || l.article == nil {
			continue
		}
		if _, pct, ok := rd.VATOf(l.article.RevenueGroupID, date); !ok || !pct.Equal(rate) {
			continue
		}
		out = append(out, j)
	}
	return out
}

// spreadOver adds amount (in the basis the prices are sent in) and incl (including VAT) to
// the lines at targets, in proportion to their amounts, and sets their unit prices. It changes
// nothing and returns false when a line would turn negative.
func spreadOver(lines []plannedLine, targets []int, amount, incl sdk.Money, unitRounded bool) bool {
	n := len(targets)
	sent := make([]sdk.Money, n)
	incls := make([]sdk.Money, n)
	qtys := make([]sdk.Money, n)
	for k, j := range targets {
		l := lines[j]
		qtys[k] = l.line.Quantity
		sent[k] = LineAmount(l.line.Quantity, *l.line.UnitPrice, unitRounded)
		incls[k] = l.inclTotal.Round(2)
	}
	shares := Allocate(amount, sent)
	inclShares := Allocate(incl, sent)
	if shares == nil || inclShares == nil {
		return false
	}
	for k := range targets {
		sent[k] = sent[k].Add(shares[k])
		incls[k] = incls[k].Add(inclShares[k])
		if sent[k].IsNegative() || incls[k].IsNegative() {
			return false
		}
	}
	prices := reachable(sent, qtys, unitRounded)
	inclPrices := reachable(incls, qtys, unitRounded)
	for k, j := range targets {
		l := &lines[j]
		p, it := prices[k], incls[k]
		l.line.UnitPrice = &p
		l.inclTotal = &it
		l.inclUnit = inclPrices[k]
	}
	return true
}

// Allocate splits amount (to the cent) over weights in proportion, by largest remainder, so the
// shares add up to amount exactly. nil when the weights add up to zero or less.
func Allocate(amount sdk.Money, weights []sdk.Money) []sdk.Money {
	total := decimal.Zero
	for _, w := range weights {
		total = total.Add(w)
	}
	if !total.IsPositive() {
		return nil
	}
	amount = amount.Round(2)
	neg := amount.IsNegative()
	abs := amount.Abs()
	cent := decimal.New(1, -2)
	shares := make([]sdk.Money, len(weights))
	rest := make([]sdk.Money, len(weights))
	given := decimal.Zero
	for i, w := range weights {
		raw := abs.Mul(w).Div(total)
		shares[i] = raw.Truncate(2)
		rest[i] = raw.Sub(shares[i])
		given = given.Add(shares[i])
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rest[order[a]].GreaterThan(rest[order[b]]) })
	for left, k := abs.Sub(given), 0; left.IsPositive() && len(order) > 0; left, k = left.Sub(cent), k+1 {
		i := order[k%len(order)]
		shares[i] = shares[i].Add(cent)
	}
	if neg {
		for i := range shares {
			shares[i] = shares[i].Neg()
		}
	}
	return shares
}

// reachable returns, for each line total, the unit price that reproduces it for its quantity.
// A total no unit price reproduces (a quantity of 3 with prices in cents) is moved by the cents
// it misses onto another line that can take them, so the sum stays exact where possible;
// totals is updated to what the prices give.
func reachable(totals, qtys []sdk.Money, unitRounded bool) []sdk.Money {
	prices := make([]sdk.Money, len(totals))
	price := func(t, q sdk.Money) (sdk.Money, bool) {
		p := unitPriceFor(t, q, t.Div(q), unitRounded)
		return p, LineAmount(q, p, unitRounded).Equal(t)
	}
	missed := decimal.Zero
	for k := range totals {
		p, ok := price(totals[k], qtys[k])
		prices[k] = p
		if !ok {
			got := LineAmount(qtys[k], p, unitRounded)
			missed = missed.Add(totals[k].Sub(got))
			totals[k] = got
		}
	}
	if missed.IsZero() {
		return prices
	}
	for k := range totals {
		t := totals[k].Add(missed)
		if t.IsNegative() {
			continue
		}
		if p, ok := price(t, qtys[k]); ok {
			prices[k], totals[k] = p, t
			break
		}
	}
	return prices
}
