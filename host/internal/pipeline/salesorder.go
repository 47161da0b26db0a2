package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// lineKind says where a sales-order line came from.
type lineKind int

const (
	kindProduct lineKind = iota
	kindComponent
	kindText
	kindCharge
	kindDifference
)

// plannedLine is a sales-order line with what the checks need to know about it.
type plannedLine struct {
	line sdk.SalesOrderLine
	// label names the line in messages ("line 2 (code "A1", "Koffie")", "shipping "PostNL"").
	label string
	// shopRate is the shop's VAT rate of the line, checked by vat_check; nil = not checked.
	shopRate *sdk.Money
	// article is the SnelStart article (nil for text lines); articleKey its map key.
	article    *ArticleMapRecord
	articleKey string
	kind       lineKind
	// inclTotal and inclUnit are the shop's amounts including VAT of a priced line (signed as
	// sent), so an order entered excluding VAT can be sent including VAT instead (see balance).
	inclTotal *sdk.Money
	inclUnit  sdk.Money
}

// reference is what koppel stamps on the sales order of a shop order.
func (p *Pipeline) reference(o sdk.Order) string {
	return p.prof.Orders.ReferencePrefix + strings.TrimSpace(firstNonEmpty(o.Number, o.ID))
}

// buildSalesOrder maps a shop order onto a SnelStart sales order following the orders settings.
func (r *run) buildSalesOrder(ctx context.Context, rd *runData, o sdk.Order, cust customerRef, ref string, w *warnings) (sdk.SalesOrder, []plannedLine, error) {
	op := r.p.prof.Orders
	if utfLen(ref) > maxReference {
		return sdk.SalesOrder{}, nil, refusef("the reference %q (orders.reference_prefix + order number) is longer than SnelStart's %d characters for orderreferentie; use a shorter reference_prefix", ref, maxReference)
	}
	so := sdk.SalesOrder{
		CustomerID:       cust.ID,
		Date:             o.CreatedAt,
		ProcessStatus:    sdk.ProcessStatus(op.ProcessStatus),
		Description:      w.cut(r.description(o), maxDescription, "the order description"),
		OrderReference:   ref,
		PricesIncludeVAT: o.PricesIncludeTax,
		CostCentreID:     rd.costCentreID,
		TemplateID:       rd.templateID,
		Memo:             strings.TrimSpace(o.Note),
	}
	if op.PaymentReference {
		so.PaymentReference = ref
	}
	if op.ReuseLastTemplate {
		t, err := r.lastTemplate(ctx, cust.ID)
		if err != nil {
			return sdk.SalesOrder{}, nil, err
		}
		if t != "" {
			so.TemplateID = t
		}
	}
	if op.Addresses == config.AddressesOrder {
		inv, err := r.ledgerAddress(o.Billing, orderContact(o.Billing, o.Customer), w, "the invoice address")
		if err != nil {
			return sdk.SalesOrder{}, nil, err
		}
		da := deliveryAddress(o)
		del, err := r.ledgerAddress(da, orderContact(da, o.Customer), w, "the delivery address")
		if err != nil {
			return sdk.SalesOrder{}, nil, err
		}
		so.InvoiceAddress, so.DeliveryAddress = inv, del
	}
	lines, err := r.productLines(ctx, rd, o, w)
	if err != nil {
		return sdk.SalesOrder{}, nil, err
	}
	charges, err := r.chargeLines(ctx, rd, o)
	if err != nil {
		return sdk.SalesOrder{}, nil, err
	}
	lines = append(lines, charges...)
	if len(lines) == 0 {
		return sdk.SalesOrder{}, nil, refusef("the order has no lines")
	}
	return so, lines, nil
}

// orderContact is the contact person of an order address: company and person.
func orderContact(a sdk.Address, c sdk.Customer) string {
	return joinNonEmpty(" - ", a.Company, personName(a, c))
}

// description implements orders.description.
func (r *run) description(o sdk.Order) string {
	switch r.p.prof.Orders.Description {
	case config.DescriptionAuto:
		paid := "niet betaald"
		if o.Payment.Paid {
			paid = "betaald"
		}
		return joinNonEmpty(" - ", o.Status, firstNonEmpty(o.Payment.Title, o.Payment.Method), paid)
	case config.DescriptionProfile:
		return strings.TrimSpace(r.p.prof.Description)
	case config.DescriptionNone:
		return ""
	default:
		return "Webshoporder " + firstNonEmpty(o.Number, o.ID)
	}
}

// lastTemplate implements orders.reuse_last_template: the template of the customer's most
// recent sales order (one look-up per customer per run); "" when none.
func (r *run) lastTemplate(ctx context.Context, customerID string) (string, error) {
	if t, ok := r.templates[customerID]; ok {
		return t, nil
	}
	found, err := r.p.ledger.FindSalesOrders(ctx, sdk.SalesOrderQuery{CustomerID: customerID, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("look up the customer's last sales order (reuse_last_template): %w", err)
	}
	t := ""
	if len(found) > 0 {
		t = found[0].TemplateID
	}
	r.templates[customerID] = t
	return t, nil
}

// productLines maps the shop's product lines: article, description, quantity and price per
// orders.lines, options per orders.product_options, and component lines per orders.recipes.
func (r *run) productLines(ctx context.Context, rd *runData, o sdk.Order, w *warnings) ([]plannedLine, error) {
	op := r.p.prof.Orders
	var out []plannedLine
	for i, l := range o.Lines {
		n := i + 1
		art, fallback, err := r.lineArticle(ctx, rd, n, l, w)
		if err != nil {
			return nil, err
		}
		mk := r.productKey(strings.TrimSpace(l.SKU)).mapKey()
		if fallback {
			mk = articleKey{value: op.FallbackArticle}.mapKey()
		}
		opts := optionText(l.Options)
		sl := sdk.SalesOrderLine{ArticleID: art.ArticleID, Quantity: l.Quantity}
		switch {
		case op.Lines == config.LinesCodeAndQuantity && !fallback:
			// SnelStart fills description and price (price agreements).
		case op.Lines == config.LinesLedgerDescription && !fallback:
			sl.Description = art.Description
		default:
			sl.Description = strings.TrimSpace(l.Name)
		}
		if op.ProductOptions == config.OptionsInLine && opts != "" && (sl.Description != "" || op.Lines != config.LinesCodeAndQuantity) {
			sl.Description = joinNonEmpty(" ", sl.Description, "("+opts+")")
		}
		sl.Description = w.cut(sl.Description, maxLineText, fmt.Sprintf("the description of line %d", n))
		if op.Lines != config.LinesCodeAndQuantity || fallback {
			total, unit := l.TotalExcl, l.UnitPriceExcl
			if o.PricesIncludeTax {
				total, unit = l.TotalIncl, l.UnitPriceIncl
			}
			price := unitPriceFor(total, l.Quantity, unit, rd.unitPriceRounded)
			sl.UnitPrice = &price
		}
		rate := l.TaxRate
		pl := plannedLine{line: sl, label: lineLabel(n, l), shopRate: &rate, article: art, articleKey: mk, kind: kindProduct}
		if sl.UnitPrice != nil {
			incl := l.TotalIncl
			pl.inclTotal, pl.inclUnit = &incl, l.UnitPriceIncl
		}
		out = append(out, pl)
		if op.ProductOptions == config.OptionsSeparateLine || (op.ProductOptions == config.OptionsInLine && opts != "" && sl.Description == "") {
			for _, opt := range l.Options {
				zero := decimal.Zero
				out = append(out, plannedLine{
					line:  sdk.SalesOrderLine{Description: w.cut(opt.Name+": "+opt.Value, maxLineText, "a product option"), UnitPrice: &zero, Quantity: decimal.Zero},
					label: fmt.Sprintf("option of line %d", n), kind: kindText,
				})
			}
		}
		if op.Recipes && art.Composite && !fallback {
			for _, c := range art.Components {
				id, err := r.componentArticle(ctx, c)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", lineLabel(n, l), err)
				}
				zero := decimal.Zero
				out = append(out, plannedLine{
					line:  sdk.SalesOrderLine{ArticleID: id, UnitPrice: &zero, Quantity: l.Quantity.Mul(c.Quantity)},
					label: fmt.Sprintf("component %s of line %d", c.Code, n), kind: kindComponent,
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
func (r *run) chargeLines(ctx context.Context, rd *runData, o sdk.Order) ([]plannedLine, error) {
	op := r.p.prof.Orders
	groups := []struct {
		what, setting, code string
		charges             []sdk.Charge
		sign                int64
	}{
		{"shipping costs", "shipping_article", op.ShippingArticle, o.ShippingLines, 1},
		{"a fee", "payment_fee_article", op.PaymentFeeArticle, o.Fees, 1},
		{"a discount", "discount_article", op.DiscountArticle, o.Discounts, -1},
	}
	var out []plannedLine
	for _, g := range groups {
		for _, c := range g.charges {
			if c.TotalIncl.IsZero() && c.TotalExcl.IsZero() {
				continue
			}
			if g.code == "" {
				return nil, refusef("the order has %s (%q, %s including VAT) but orders.%s is not set; set it to the SnelStart article code for them, then retry",
					g.what, c.Name, money(c.TotalIncl), g.setting)
			}
			art, err := r.configuredArticle(ctx, g.setting, g.code)
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
				label := fmt.Sprintf("%s %q", strings.TrimPrefix(g.what, "a "), c.Name)
				if len(parts) > 1 && part.rate != nil {
					desc = joinNonEmpty(" ", desc, "("+part.rate.String()+"% btw)")
					label += " at " + part.rate.String() + "%"
				}
				incl := part.incl.Mul(decimal.NewFromInt(g.sign)).Round(2)
				out = append(out, plannedLine{
					line: sdk.SalesOrderLine{ArticleID: art.ArticleID, Description: truncRunes(desc, maxLineText),
						UnitPrice: &price, Quantity: decimal.NewFromInt(1)},
					label: label, shopRate: part.rate, article: art,
					articleKey: articleKey{value: g.code}.mapKey(), kind: kindCharge,
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
// rate of the order's products applied to it, is one part. Otherwise (a coupon over 21% and 9%
// products) it is spread over the products' rates in proportion to their amounts excluding
// VAT, with the tax divided so that the parts add up to the shop's figures exactly.
func splitCharge(c sdk.Charge, lines []sdk.OrderLine) []ratedAmount {
	if c.TaxRate != nil {
		rt := *c.TaxRate
		return []ratedAmount{{rate: &rt, excl: c.TotalExcl, incl: c.TotalIncl}}
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
