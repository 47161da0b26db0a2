package mapping

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// plannedLine is a sales-order line with what the checks need to know about it.
type plannedLine struct {
	line sdk.SalesOrderLine
	// label names the line in messages ("line 2 (code "A1", "Koffie")", "shipping "PostNL"").
	label string
	// shopRate is the shop's VAT rate of the line, checked by vat_check; nil = not checked.
	shopRate *sdk.Money
	// article is the SnelStart article (nil for text lines); artIdx its decision in the plan
	// (-1 for none).
	article  *Article
	artIdx   int
	fallback bool
	kind     LineKind
	// inclTotal and inclUnit are the shop's amounts including VAT of a priced line (signed as
	// sent), so an order entered excluding VAT can be sent including VAT instead (see balance).
	inclTotal *sdk.Money
	inclUnit  sdk.Money
}

// Reference is what koppel stamps on the booking of a shop order: orders.reference_prefix and
// the order number (or id).
func (p *Planner) Reference(o sdk.Order) string {
	return BookingReference(p.prof.Orders, o)
}

// OrderReference is what koppel stamps on the booking of shop order o under the orders
// settings set.
func OrderReference(set config.Orders, o sdk.Order) string {
	return set.ReferencePrefix + strings.TrimSpace(FirstNonEmpty(o.Number, o.ID))
}

// buildSalesOrder maps a shop order onto a SnelStart sales order following the orders settings.
func (op *orderPlan) buildSalesOrder(ctx context.Context, cust customerRef) (sdk.SalesOrder, []plannedLine, error) {
	set := op.p.prof.Orders
	o, rd, w, ref := op.o, op.p.ref, &op.w, op.plan.Reference
	if UTFLen(ref) > maxReference {
		return sdk.SalesOrder{}, nil, Refusef(text.Template("reason.reference_too_long"), ref, maxReference)
	}
	so := sdk.SalesOrder{
		CustomerID:       cust.ID,
		Date:             o.CreatedAt,
		ProcessStatus:    sdk.ProcessStatus(set.ProcessStatus),
		Description:      w.Cut(op.description(), maxDescription, text.Template("reason.field.description")),
		OrderReference:   ref,
		PricesIncludeVAT: o.PricesIncludeTax,
		CostCentreID:     rd.CostCentreID,
		TemplateID:       rd.TemplateID,
		Memo:             strings.TrimSpace(o.Note),
	}
	if set.PaymentReference {
		so.PaymentReference = ref
	}
	if set.ReuseLastTemplate && cust.ID != "" {
		// A customer still to be created has no earlier order.
		t, err := op.p.view.LastTemplate(ctx, cust.ID)
		if err != nil {
			return sdk.SalesOrder{}, nil, err
		}
		if t != "" {
			so.TemplateID = t
		}
	}
	if set.Addresses == config.AddressesOrder {
		inv, err := op.ledgerAddress(o.Billing, orderContact(o.Billing, o.Customer), w, text.Template("reason.addr_invoice"))
		if err != nil {
			return sdk.SalesOrder{}, nil, err
		}
		da := deliveryAddress(o)
		del, err := op.ledgerAddress(da, orderContact(da, o.Customer), w, text.Template("reason.addr_delivery"))
		if err != nil {
			return sdk.SalesOrder{}, nil, err
		}
		so.InvoiceAddress, so.DeliveryAddress = inv, del
	}
	lines, err := op.productLines(ctx)
	if err != nil {
		return sdk.SalesOrder{}, nil, err
	}
	charges, err := op.chargeLines(ctx)
	if err != nil {
		return sdk.SalesOrder{}, nil, err
	}
	lines = append(lines, charges...)
	if len(lines) == 0 {
		return sdk.SalesOrder{}, nil, Refusef("%s", text.Template("reason.no_lines"))
	}
	return so, lines, nil
}

// orderContact is the contact person of an order address: company and person.
func orderContact(a sdk.Address, c sdk.Customer) string {
	return joinNonEmpty(" - ", a.Company, personName(a, c))
}

// description implements orders.description.
func (op *orderPlan) description() string {
	o := op.o
	switch op.p.prof.Orders.Description {
	case config.DescriptionAuto:
		paid := "niet betaald"
		if o.Payment.Paid {
			paid = "betaald"
		}
		return joinNonEmpty(" - ", o.Status, FirstNonEmpty(o.Payment.Title, o.Payment.Method), paid)
	case config.DescriptionProfile:
		return strings.TrimSpace(op.p.prof.Description)
	case config.DescriptionNone:
		return ""
	default:
		return "Webshoporder " + FirstNonEmpty(o.Number, o.ID)
	}
}

// productLines maps the shop's product lines: article, description, quantity and price per
// orders.lines, options per orders.product_options, and component lines per orders.recipes
// (not in invoice mode).
func (op *orderPlan) productLines(ctx context.Context) ([]plannedLine, error) {
	set := op.p.prof.Orders
	o, rd, w := op.o, op.p.ref, &op.w
	var out []plannedLine
	for i, l := range o.Lines {
		n := i + 1
		art, idx, fallback, err := op.lineArticle(ctx, n, l)
		if err != nil {
			return nil, err
		}
		opts := optionText(l.Options)
		sl := sdk.SalesOrderLine{ArticleID: art.ID, Quantity: l.Quantity}
		switch {
		case set.Lines == config.LinesCodeAndQuantity && !fallback:
			// SnelStart fills description and price (price agreements).
		case set.Lines == config.LinesLedgerDescription && !fallback:
			sl.Description = art.Description
		default:
			sl.Description = strings.TrimSpace(l.Name)
		}
		if set.ProductOptions == config.OptionsInLine && opts != "" && (sl.Description != "" || set.Lines != config.LinesCodeAndQuantity) {
			sl.Description = joinNonEmpty(" ", sl.Description, "("+opts+")")
		}
		sl.Description = w.Cut(sl.Description, MaxLineText, fmt.Sprintf(text.Template("reason.field.line"), n))
		if set.Lines != config.LinesCodeAndQuantity || fallback {
			total, unit := l.TotalExcl, l.UnitPriceExcl
			if o.PricesIncludeTax {
				total, unit = l.TotalIncl, l.UnitPriceIncl
			}
			price := unitPriceFor(total, l.Quantity, unit, rd.UnitPriceRounded)
			sl.UnitPrice = &price
		}
		rate := l.TaxRate
		pl := plannedLine{line: sl, label: lineLabel(n, l), shopRate: &rate, article: art, artIdx: idx, fallback: fallback, kind: LineProduct}
		if sl.UnitPrice != nil {
			incl := l.TotalIncl
			pl.inclTotal, pl.inclUnit = &incl, l.UnitPriceIncl
		}
		out = append(out, pl)
		if set.ProductOptions == config.OptionsSeparateLine || (set.ProductOptions == config.OptionsInLine && opts != "" && sl.Description == "") {
			for _, opt := range l.Options {
				zero := decimal.Zero
				out = append(out, plannedLine{
					line:  sdk.SalesOrderLine{Description: w.Cut(opt.Name+": "+opt.Value, MaxLineText, text.Template("reason.field.option")), UnitPrice: &zero, Quantity: decimal.Zero},
					label: fmt.Sprintf(text.Template("reason.label.option"), n), kind: LineText, artIdx: -1,
				})
			}
		}
		// An invoice booking has no article lines (its turnover is booked on ledgers), so
		// recipes add nothing there: the components are neither listed nor looked up.
		if set.Recipes && set.BookAs != config.BookAsInvoice && art.Composite && !fallback {
			for _, c := range art.Components {
				id, ci, err := op.componentArticle(ctx, c)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", lineLabel(n, l), err)
				}
				zero := decimal.Zero
				out = append(out, plannedLine{
					line:  sdk.SalesOrderLine{ArticleID: id, UnitPrice: &zero, Quantity: l.Quantity.Mul(c.Quantity)},
					label: fmt.Sprintf(text.Template("reason.label.component"), c.Code, n), kind: LineComponent, artIdx: ci,
				})
			}
		}
	}
	return out, nil
}

// optionText is "Inhoud: 1 liter, Kleur: rood".
func optionText(opts []sdk.Option) string {
	var parts []string
	for _, o := range opts {
		parts = append(parts, joinNonEmpty(": ", o.Name, o.Value))
	}
	return strings.Join(parts, ", ")
}

// chargeLines maps shipping costs, fees and order-level discounts onto their articles. A charge
// that spreads over several VAT rates becomes one line per rate. A zero charge (free shipping)
// gets no line.
func (op *orderPlan) chargeLines(ctx context.Context) ([]plannedLine, error) {
	set := op.p.prof.Orders
	o := op.o
	groups := []struct {
		what, setting, code, label string
		charges                    []sdk.Charge
		sign                       int64
	}{
		{text.Template("reason.charge.shipping"), "shipping_article", set.ShippingArticle, "reason.label.shipping", o.ShippingLines, 1},
		{text.Template("reason.charge.fee"), "payment_fee_article", set.PaymentFeeArticle, "reason.label.fee", o.Fees, 1},
		{text.Template("reason.charge.discount"), "discount_article", set.DiscountArticle, "reason.label.discount", o.Discounts, -1},
	}
	var out []plannedLine
	for _, g := range groups {
		for _, c := range g.charges {
			if c.TotalIncl.IsZero() && c.TotalExcl.IsZero() {
				continue
			}
			if g.code == "" {
				return nil, Refusef(text.Template("reason.charge_article_unset"),
					g.what, c.Name, Money(c.TotalIncl), g.setting)
			}
			art, idx, err := op.configuredArticle(ctx, g.setting, g.code)
			if err != nil {
				return nil, err
			}
			parts := splitCharge(c, o.Lines)
			for _, part := range parts {
				amount := part.excl
				if o.PricesIncludeTax {
					amount = part.incl
				}
				price := amount.Mul(decimal.NewFromInt(g.sign)).Round(2)
				desc := strings.TrimSpace(c.Name)
				label := fmt.Sprintf(text.Template(g.label), c.Name)
				if len(parts) > 1 && part.rate != nil {
					desc = joinNonEmpty(" ", desc, "("+part.rate.String()+"% btw)")
					label = fmt.Sprintf(text.Template("reason.label.at"), label, part.rate.String())
				}
				incl := part.incl.Mul(decimal.NewFromInt(g.sign)).Round(2)
				out = append(out, plannedLine{
					line: sdk.SalesOrderLine{ArticleID: art.ID, Description: truncRunes(desc, MaxLineText),
						UnitPrice: &price, Quantity: decimal.NewFromInt(1)},
					label: label, shopRate: part.rate, article: art, artIdx: idx, kind: LineCharge,
					inclTotal: &incl, inclUnit: incl,
				})
			}
		}
	}
	return out, nil
}

// ratedAmount is the part of a charge at one VAT rate.
type ratedAmount struct {
	rate       *sdk.Money
	excl, incl sdk.Money
}

// splitCharge splits a charge by VAT rate. A charge with its own rate, or whose tax equals one
// rate of the order's products applied to it, is one part. A charge the shop split over several
// rates itself (TaxByRate) is one part per rate with the shop's amounts, so SnelStart's VAT per
// rate follows the shop's. Otherwise (a coupon over 21% and 9% products) it is spread over the
// products' rates in proportion to their amounts excluding VAT, with the tax divided so that the
// parts add up to the shop's figures exactly.
func splitCharge(c sdk.Charge, lines []sdk.OrderLine) []ratedAmount {
	if c.TaxRate != nil {
		rt := *c.TaxRate
		return []ratedAmount{{rate: &rt, excl: c.TotalExcl, incl: c.TotalIncl}}
	}
	if parts, ok := shopSplit(c); ok {
		return parts
	}
	hundred := decimal.NewFromInt(100)
	bases := map[string]sdk.Money{}
	rates := map[string]sdk.Money{}
	for _, l := range lines {
		k := l.TaxRate.String()
		bases[k] = bases[k].Add(l.TotalExcl)
		rates[k] = l.TaxRate
	}
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return rates[keys[i]].GreaterThan(rates[keys[j]]) })
	if c.Tax.IsZero() {
		z := decimal.Zero
		return []ratedAmount{{rate: &z, excl: c.TotalExcl, incl: c.TotalIncl}}
	}
	for _, k := range keys {
		rt := rates[k]
		if c.TotalExcl.Mul(rt).Div(hundred).Round(2).Equal(c.Tax) {
			return []ratedAmount{{rate: &rt, excl: c.TotalExcl, incl: c.TotalIncl}}
		}
	}
	total := decimal.Zero
	for _, k := range keys {
		total = total.Add(bases[k])
	}
	if total.IsZero() || len(keys) == 0 {
		return []ratedAmount{{excl: c.TotalExcl, incl: c.TotalIncl}}
	}
	var out []ratedAmount
	exclLeft, taxLeft := c.TotalExcl, c.Tax
	for i, k := range keys {
		rt := rates[k]
		excl, tax := exclLeft, taxLeft
		if i < len(keys)-1 {
			excl = c.TotalExcl.Mul(bases[k]).Div(total).Round(2)
			tax = excl.Mul(rt).Div(hundred).Round(2)
		}
		exclLeft, taxLeft = exclLeft.Sub(excl), taxLeft.Sub(tax)
		if excl.IsZero() && tax.IsZero() {
			continue
		}
		out = append(out, ratedAmount{rate: &rt, excl: excl, incl: excl.Add(tax)})
	}
	return out
}

// truncRunes cuts s to max runes.
func truncRunes(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max])
}
