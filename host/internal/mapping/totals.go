package mapping

import (
	"context"
	"slices"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// How the totals stay right. SnelStart does not document whether it rounds VAT per line or per
// rate, nor its midpoint rule (reference/snelstart-totals.md). The pipeline therefore:
//
//   - sends every line's unit price so that quantity × price, rounded to cents, is the shop's
//     own line total (up to 4 decimals, SnelStart's limit; cents when the administration rounds
//     unit prices first, companyInfo regelkortingVerkooporder = BerekenenOverStukprijs);
//   - in an order entered including VAT (shops with prices including VAT) the order total is
//     then the sum of the lines, whatever SnelStart's VAT rounding: predicted exactly;
//   - in an order entered excluding VAT the total depends on the VAT rounding; both models (per
//     rate and per line) are computed, and when they differ or a VAT amount falls on a half
//     cent (so SnelStart's total would depend on its undocumented rounding or midpoint rule)
//     the order is sent including VAT instead, each line at the
//     shop's amount including VAT, which makes the total exact whatever SnelStart rounds;
//     otherwise the prices are sent excluding VAT, as the shop has them, unless that total
//     misses the shop's (the shop rounded VAT per line differently) while the amounts
//     including VAT meet it: then they are sent including VAT too;
//   - the predicted total is compared with the shop's before the create: within
//     orders.difference_tolerance nothing happens; a larger difference becomes a line on
//     orders.difference_article, or, without one, refuses the order naming both totals;
//   - after the create SnelStart's own total is compared again; a difference there (the
//     ledger computed differently than predicted) is recorded as a warning on the order.

// LineAmount is what SnelStart makes of quantity × unit price for a line without discount
// (unitRounded: the administration rounds unit prices to cents first).
func LineAmount(qty, price sdk.Money, unitRounded bool) sdk.Money {
	if unitRounded {
		price = price.Round(2)
	}
	return qty.Mul(price).Round(2)
}

// unitPriceFor chooses the unit price to send for a line whose shop total is total: the price
// that reproduces the total to the cent, preferring the fewest decimals.
func unitPriceFor(total, qty, shopUnit sdk.Money, unitRounded bool) sdk.Money {
	total = total.Round(2)
	if qty.IsZero() {
		return shopUnit.Round(4)
	}
	exact := total.Div(qty)
	places := []int32{2, 3, 4}
	if unitRounded {
		places = []int32{2}
	}
	for _, pl := range places {
		for _, p := range []sdk.Money{exact.Round(pl), shopUnit.Round(pl)} {
			if LineAmount(qty, p, unitRounded).Equal(total) {
				return p
			}
		}
	}
	if unitRounded {
		return exact.Round(2)
	}
	return exact.Round(4)
}

// predictTotals returns the order total including VAT that SnelStart will compute for lines,
// under per-rate and per-line VAT rounding (equal for an order entered including VAT). ok is
// false when a line's amount or VAT rate is not known beforehand (a price left to SnelStart).
func predictTotals(rd *Reference, date time.Time, inclVAT bool, lines []plannedLine) (perRate, perLine sdk.Money, ok bool) {
	perRate, perLine, _, ok = predict(rd, date, inclVAT, lines)
	return perRate, perLine, ok
}

// halfCent reports whether v lies exactly halfway between two cents, where the midpoint rule
// (also undocumented for SnelStart) decides the rounding.
func halfCent(v sdk.Money) bool {
	x := v.Mul(decimal.NewFromInt(200))
	return x.IsInteger() && !x.Mod(decimal.NewFromInt(2)).IsZero()
}

// predict is predictTotals that also reports whether a VAT amount falls on a half cent
// (tie), so the total also depends on SnelStart's midpoint rule.
func predict(rd *Reference, date time.Time, inclVAT bool, lines []plannedLine) (perRate, perLine sdk.Money, tie, ok bool) {
	byRate := map[string]sdk.Money{}
	pcts := map[string]sdk.Money{}
	sum := decimal.Zero
	perLine = decimal.Zero
	for _, l := range lines {
		if l.line.ArticleID == "" && l.article == nil {
			continue // text line, zero amount
		}
		if l.line.UnitPrice == nil {
			return sum, sum, false, false
		}
		amt := LineAmount(l.line.Quantity, *l.line.UnitPrice, rd.UnitPriceRounded)
		sum = sum.Add(amt)
		if inclVAT {
			continue
		}
		if l.article == nil {
			return sum, sum, false, false
		}
		_, pct, known := rd.VATOf(l.article.RevenueGroupID, date)
		if !known {
			return sum, sum, false, false
		}
		k := pct.String()
		byRate[k] = byRate[k].Add(amt)
		pcts[k] = pct
		vat := amt.Mul(pct).Div(decimal.NewFromInt(100))
		tie = tie || halfCent(vat)
		perLine = perLine.Add(amt).Add(vat.Round(2))
	}
	if inclVAT {
		return sum, sum, false, true
	}
	perRate = sum
	for k, base := range byRate {
		vat := base.Mul(pcts[k]).Div(decimal.NewFromInt(100))
		tie = tie || halfCent(vat)
		perRate = perRate.Add(vat.Round(2))
	}
	return perRate, perLine, tie, true
}

// balance compares the predicted SnelStart total with the shop's total and, beyond
// orders.difference_tolerance, adds a line on orders.difference_article or refuses the order.
// It returns the amount booked as difference.
func (op *orderPlan) balance(ctx context.Context, so *sdk.SalesOrder, lines *[]plannedLine) (sdk.Money, error) {
	set := op.p.prof.Orders
	o, rd, w := op.o, op.p.ref, &op.w
	if set.Lines == config.LinesCodeAndQuantity {
		return decimal.Zero, nil // prices come from SnelStart (price agreements): no prediction
	}
	perRate, perLine, tie, ok := predict(rd, o.CreatedAt, so.PricesIncludeVAT, *lines)
	if ok && !so.PricesIncludeVAT && (tie || !perRate.Equal(perLine)) && toInclusive(rd, so, *lines) {
		perRate, perLine, ok = predictTotals(rd, o.CreatedAt, true, *lines)
	}
	if !ok {
		w.Add("%s", text.Template("reason.total_unpredicted"))
		return decimal.Zero, nil
	}
	shop := o.Totals.Total
	tol := set.DifferenceTolerance
	within := func(a, b sdk.Money) bool {
		return shop.Sub(a).Abs().LessThanOrEqual(tol) || shop.Sub(b).Abs().LessThanOrEqual(tol)
	}
	if !so.PricesIncludeVAT && !within(perRate, perLine) {
		// The shop rounded its VAT differently than SnelStart will (per line where SnelStart
		// rounds per rate, or after a charge was spread over lines): the shop's amounts
		// including VAT add up to its total whatever SnelStart rounds, so send those instead
		// when that closes the gap.
		alt, altSO := slices.Clone(*lines), *so
		if toInclusive(rd, &altSO, alt) {
			if ir, il, iok := predictTotals(rd, o.CreatedAt, true, alt); iok && within(ir, il) {
				*so, *lines, perRate, perLine = altSO, alt, ir, il
			}
		}
	}
	d := shop.Sub(perRate)
	if d.Abs().LessThanOrEqual(tol) || shop.Sub(perLine).Abs().LessThanOrEqual(tol) {
		return decimal.Zero, nil
	}
	if set.DifferenceArticle == "" {
		return decimal.Zero, Refusef(text.Template("reason.totals_differ"),
			Money(perRate), Money(shop), Money(d), Money(tol))
	}
	art, idx, err := op.configuredArticle(ctx, "difference_article", set.DifferenceArticle)
	if err != nil {
		return decimal.Zero, err
	}
	line, ok := differenceLine(rd, o.CreatedAt, so, lines, art, shop)
	if !ok {
		return decimal.Zero, Refusef(text.Template("reason.totals_differ"),
			Money(perRate), Money(shop), Money(d), Money(tol))
	}
	line.artIdx = idx
	*lines = append(*lines, line)
	w.Add(text.Template("reason.difference_booked"),
		Money(shop), Money(perRate), Money(d), set.DifferenceArticle)
	return d, nil
}

// differenceLine returns the line on art that brings SnelStart's total (VAT rounded per rate)
// to the shop's total. Entered including VAT, or on an article without VAT, its price is the
// difference itself. Entered excluding VAT on a taxed article, the price is the difference
// without VAT, rounded to cents; its VAT is rounded with the rest of its rate, so of the prices a
// cent or two around it the one whose total is the shop's is taken. When none is (the rounding
// skips that total), the order is sent including VAT (toInclusive) and the line holds the
// difference including VAT. ok is false when that is not possible either.
func differenceLine(rd *Reference, date time.Time, so *sdk.SalesOrder, lines *[]plannedLine, art *Article, shop sdk.Money) (plannedLine, bool) {
	with := func(price sdk.Money) plannedLine {
		return plannedLine{
			line: sdk.SalesOrderLine{
				ArticleID: art.ID, Description: "Ordertotaalverschil", UnitPrice: &price,
				Quantity: decimal.NewFromInt(1),
			},
			label: text.Template("reason.label.difference"), article: art, kind: LineDifference,
		}
	}
	total := func(inclVAT bool, l plannedLine) (sdk.Money, bool) {
		perRate, _, ok := predictTotals(rd, date, inclVAT, append(slices.Clone(*lines), l))
		return perRate, ok
	}
	before, _, ok := predictTotals(rd, date, so.PricesIncludeVAT, *lines)
	if !ok {
		return plannedLine{}, false
	}
	_, pct, known := rd.VATOf(art.RevenueGroupID, date)
	if so.PricesIncludeVAT || !known || pct.IsZero() {
		return with(shop.Sub(before)), true
	}
	base := shop.Sub(before).Mul(hundred).Div(hundred.Add(pct)).Round(2)
	for _, cents := range []int64{0, -1, 1, -2, 2} {
		l := with(base.Add(decimal.New(cents, -2)))
		if t, ok := total(false, l); ok && t.Equal(shop) {
			return l, true
		}
	}
	alt, altSO := slices.Clone(*lines), *so
	if !toInclusive(rd, &altSO, alt) {
		return plannedLine{}, false
	}
	incl, _, ok := predictTotals(rd, date, true, alt)
	if !ok {
		return plannedLine{}, false
	}
	*so, *lines = altSO, alt
	return with(shop.Sub(incl)), true
}

// toInclusive switches an order entered excluding VAT to prices including VAT: every priced
// line gets the unit price that reproduces the shop's line total including VAT. It does nothing
// and returns false when a priced line lacks the shop's amount including VAT.
func toInclusive(rd *Reference, so *sdk.SalesOrder, lines []plannedLine) bool {
	for _, l := range lines {
		if l.line.UnitPrice != nil && l.inclTotal == nil {
			return false
		}
	}
	for i := range lines {
		l := &lines[i]
		if l.line.UnitPrice == nil {
			continue
		}
		price := unitPriceFor(*l.inclTotal, l.line.Quantity, l.inclUnit, rd.UnitPriceRounded)
		if l.line.UnitPrice.IsZero() && l.inclTotal.IsZero() {
			price = decimal.Zero
		}
		l.line.UnitPrice = &price
	}
	so.PricesIncludeVAT = true
	return true
}

// VerifyTotals compares SnelStart's total of the created order with the shop's; a difference
// beyond the tolerance becomes a warning (the order exists; the ledger computed differently
// than predicted). A zero total on an order with amounts is treated as unknown.
func VerifyTotals(set config.Orders, o sdk.Order, created sdk.SalesOrder, w *Warnings) {
	if set.Lines == config.LinesCodeAndQuantity {
		return
	}
	if created.TotalIncl.IsZero() && !o.Totals.Total.IsZero() {
		return
	}
	if d := o.Totals.Total.Sub(created.TotalIncl); d.Abs().GreaterThan(set.DifferenceTolerance) {
		w.Add(text.Template("reason.total_after_create"),
			Money(created.TotalIncl), Money(o.Totals.Total), Money(d), created.Number)
	}
}
