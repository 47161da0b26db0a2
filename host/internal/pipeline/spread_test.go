package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// wooCoupon applies a coupon the way WooCommerce does and reports it the way the WooCommerce
// connector does with coupons = "separate": lines keep their price before the coupon, and the
// discount comes as one charge per VAT rate (the lines' subtotal minus total, tax likewise).
// percent or fixed (in the shop's basis: including VAT for a tax-inclusive shop) is the coupon.
func wooCoupon(code, percent, fixed string) func(*sdk.Order) {
	return func(o *sdk.Order) {
		basis := make([]sdk.Money, len(o.Lines))
		for i, l := range o.Lines {
			basis[i] = l.TotalExcl
			if o.PricesIncludeTax {
				basis[i] = l.TotalIncl
			}
		}
		var cut []sdk.Money
		if percent != "" {
			for _, b := range basis {
				cut = append(cut, b.Mul(d(percent)).Div(hundred).Round(2))
			}
		} else {
			cut = mapping.Allocate(d(fixed), basis)
		}
		type part struct{ excl, tax sdk.Money }
		parts := map[string]*part{}
		var order []string
		for i, l := range o.Lines {
			r := l.TaxRate
			var excl, tax sdk.Money
			if o.PricesIncludeTax {
				incl := l.TotalIncl.Sub(cut[i])
				tax = incl.Mul(r).Div(hundred.Add(r)).Round(2)
				excl = incl.Sub(tax)
			} else {
				excl = l.TotalExcl.Sub(cut[i])
				tax = excl.Mul(r).Div(hundred).Round(2)
			}
			k := r.String()
			if parts[k] == nil {
				parts[k] = &part{excl: decimal.Zero, tax: decimal.Zero}
				order = append(order, k)
			}
			parts[k].excl = parts[k].excl.Add(l.TotalExcl.Sub(excl))
			parts[k].tax = parts[k].tax.Add(l.Tax.Sub(tax))
		}
		for _, k := range order {
			p := parts[k]
			if p.excl.IsZero() && p.tax.IsZero() {
				continue
			}
			r := d(k)
			name := "Kortingscode " + code
			if len(order) > 1 {
				name += " (" + k + "%)"
			}
			o.Discounts = append(o.Discounts, sdk.Charge{Code: code, Name: name, TotalExcl: p.excl, Tax: p.tax, TotalIncl: p.excl.Add(p.tax), TaxRate: &r})
		}
	}
}

// perRate is an order's turnover (in the basis sent) and VAT by rate.
type perRate map[string]struct{ amount, vat sdk.Money }

// shopPerRate adds up the shop's lines and charges by VAT rate, in the basis of the shop.
func shopPerRate(o sdk.Order) perRate {
	out := perRate{}
	add := func(rate sdk.Money, excl, tax, incl sdk.Money, sign int64) {
		s := decimal.NewFromInt(sign)
		k := rate.String()
		v := out[k]
		amt := excl
		if o.PricesIncludeTax {
			amt = incl
		}
		v.amount, v.vat = v.amount.Add(amt.Mul(s)), v.vat.Add(tax.Mul(s))
		out[k] = v
	}
	for _, l := range o.Lines {
		add(l.TaxRate, l.TotalExcl, l.Tax, l.TotalIncl, 1)
	}
	for _, c := range append(append([]sdk.Charge{}, o.ShippingLines...), o.Fees...) {
		add(*c.TaxRate, c.TotalExcl, c.Tax, c.TotalIncl, 1)
	}
	for _, c := range o.Discounts {
		add(*c.TaxRate, c.TotalExcl, c.Tax, c.TotalIncl, -1)
	}
	return out
}

// ledgerPerRate adds up a created sales order's lines by the VAT rate of their article, with
// the VAT SnelStart computes per rate.
func ledgerPerRate(e *env, so sdk.SalesOrder) perRate {
	out := perRate{}
	for _, l := range so.Lines {
		a, ok := e.ledger.articleByID(l.ArticleID)
		if !ok {
			continue
		}
		k := e.ledger.pctOf(a, so.Date).String()
		v := out[k]
		v.amount = v.amount.Add(l.Total)
		out[k] = v
	}
	for k, v := range out {
		r := d(k)
		if so.PricesIncludeVAT {
			v.vat = v.amount.Mul(r).Div(hundred.Add(r)).Round(2)
		} else {
			v.vat = v.amount.Mul(r).Div(hundred).Round(2)
		}
		out[k] = v
	}
	return out
}

// A charge at a VAT rate its article does not have is spread over the product lines of that
// rate: the order is imported (vat_check = fail, the default), SnelStart's total equals the
// shop's to the cent, each rate's turnover equals the shop's and its VAT is the shop's (within
// the shop's per-line rounding), and a warning names what was done.
func TestChargesSpreadOverLinesOfTheirRate(t *testing.T) {
	voucher := ln{sku: "BON25", name: "Cadeaubon", qty: "1", price: "25.00", rate: "0"}
	book := ln{sku: "BOEK", name: "Boek", qty: "3", price: "19.99", rate: "9"}
	mugs := ln{sku: "MOK", name: "Mok", qty: "3", price: "7.33", rate: "21"}
	cases := []struct {
		name   string
		lines  []ln
		mod    func(*sdk.Order)
		spread []string // rates whose charge part must have been spread
		keep   int      // lines left on KORTING (or the charge article)
		check  func(t *testing.T, e *env, so sdk.SalesOrder)
	}{
		{name: "fixed coupon over 21% and 9%", lines: []ln{coffee, mug, book}, mod: wooCoupon("TIEN", "", "10.00"), spread: []string{"9"}, keep: 1},
		{name: "percentage coupon over 21%, 9% and 0%", lines: []ln{coffee, mugs, book, voucher}, mod: wooCoupon("PCT15", "15", ""), spread: []string{"9", "0"}, keep: 1},
		{name: "a coupon whose 0% part is spread over the voucher", lines: []ln{mug, voucher}, mod: wooCoupon("BON5", "", "5.00"), spread: []string{"0"}, keep: 1},
		{name: "a coupon over 9% products only: nothing left on the discount article", lines: []ln{coffee, book}, mod: wooCoupon("KOFFIE", "20", ""), spread: []string{"9"}, keep: 0},
		{name: "shipping at 9% on a 21% shipping article raises the 9% lines", lines: []ln{coffee, book},
			mod: func(o *sdk.Order) {
				c := chg("PostNL", "4.95", "9", o.PricesIncludeTax)
				o.ShippingLines = []sdk.Charge{c}
			}, spread: []string{"9"}, keep: 0,
			check: func(t *testing.T, e *env, so sdk.SalesOrder) {
				if e.hasLineFor(so, "VERZEND") {
					t.Fatal("the 9% shipping is still on VERZEND")
				}
			}},
		{name: "a 21% coupon stays on the discount article", lines: []ln{coffee, mug}, mod: func(o *sdk.Order) {
			o.Discounts = []sdk.Charge{chg("VIJF", "5.00", "21", o.PricesIncludeTax)}
		}, keep: 1},
	}
	for _, c := range cases {
		for _, incl := range []bool{true, false} {
			for _, vatPerLine := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/incl=%v/vatPerLine=%v", c.name, incl, vatPerLine), func(t *testing.T) {
					e := newEnv(t)
					e.ledger.vatPerLine = vatPerLine
					o := mkOrder("1", incl, c.lines, c.mod)
					out := e.one(o)
					mustStatus(t, out, StatusImported)
					so := e.ledger.only(t)
					if !so.TotalIncl.Equal(o.Totals.Total) {
						t.Fatalf("SnelStart total %s, shop total %s; lines %+v", so.TotalIncl, o.Totals.Total, so.Lines)
					}
					n := 0
					for _, l := range so.Lines {
						if l.ArticleID == e.ledger.article("KORTING").ID {
							n++
						}
					}
					if n != c.keep && !strings.Contains(c.name, "shipping") {
						t.Fatalf("%d lines on the discount article, want %d: %+v", n, c.keep, so.Lines)
					}
					shop, got := shopPerRate(o), ledgerPerRate(e, so)
					if !so.PricesIncludeVAT && incl {
						t.Fatal("a tax-inclusive order was sent excluding VAT")
					}
					for k, want := range shop {
						g := got[k]
						amount := want.amount
						if so.PricesIncludeVAT && !incl {
							amount = want.amount.Add(want.vat) // sent including VAT instead
						}
						if !g.amount.Equal(amount) {
							t.Errorf("turnover at %s%%: SnelStart %s, shop %s (lines %+v)", k, g.amount, amount, so.Lines)
						}
						if g.vat.Sub(want.vat).Abs().GreaterThan(d("0.02")) {
							t.Errorf("VAT at %s%%: SnelStart %s, shop %s", k, g.vat, want.vat)
						}
					}
					for _, r := range c.spread {
						found := false
						for _, w := range out.Warnings {
							if strings.Contains(w, "spread over the product lines at "+r+"%") {
								found = true
							}
						}
						if !found {
							t.Errorf("no warning about the %s%% part being spread: %q", r, out.Warnings)
						}
					}
					if len(c.spread) == 0 && len(out.Warnings) > 0 {
						t.Errorf("unexpected warnings: %q", out.Warnings)
					}
					for _, l := range so.Lines {
						if l.ArticleID == e.ledger.article("VERSCHIL").ID {
							t.Errorf("a difference line was needed: %+v", l)
						}
					}
					if c.check != nil {
						c.check(t, e, so)
					}
				})
			}
		}
	}
}

// Without a product line at the charge's rate, nothing can take it: the order fails with the
// VAT message as before. With vat_check = off nothing is spread.
func TestChargeWithoutLinesOfItsRate(t *testing.T) {
	o := mkOrder("1", true, []ln{mug}, func(o *sdk.Order) {
		o.Discounts = []sdk.Charge{chg("Kortingscode LAAG", "2.00", "9", true)}
	})
	e := newEnv(t)
	out := e.one(o)
	mustStatus(t, out, StatusFailed)
	mustReason(t, out, "VAT mismatch", "discount", "9%", "KORTING", "21%")

	e = newEnv(t, func(p *config.Profile) { p.Orders.VATCheck = config.VATCheckOff })
	o2 := mkOrder("2", true, []ln{coffee, mug}, func(o *sdk.Order) {
		o.Discounts = []sdk.Charge{chg("Kortingscode LAAG", "2.00", "9", true)}
	})
	out = e.one(o2)
	mustStatus(t, out, StatusImported)
	if so := e.ledger.only(t); !e.hasLineFor(so, "KORTING") || !e.lineFor(so, "KOFFIE").Total.Equal(d("10.90")) {
		t.Fatalf("vat_check = off must leave the lines alone: %+v", so.Lines)
	}
}

// In an administration that rounds unit prices to cents (BerekenenOverStukprijs), a line of 3
// cannot take every share to the cent; the cents it misses go to a line that can take them, so
// the total still matches without a difference line.
func TestSpreadWithUnitPricesInCents(t *testing.T) {
	for _, incl := range []bool{true, false} {
		t.Run(fmt.Sprintf("incl=%v", incl), func(t *testing.T) {
			e := newEnv(t)
			e.ledger.unitRounded = true
			e.ledger.ref.Company.Extra["regelkortingVerkooporder"] = "BerekenenOverStukprijs"
			o := mkOrder("1", incl, []ln{{sku: "BOEK", name: "Boek", qty: "3", price: "19.99", rate: "9"}, coffee, mug}, wooCoupon("TIEN", "", "10.00"))
			out := e.one(o)
			mustStatus(t, out, StatusImported)
			so := e.ledger.only(t)
			if !so.TotalIncl.Equal(o.Totals.Total) || e.hasLineFor(so, "VERSCHIL") {
				t.Fatalf("SnelStart total %s, shop total %s; lines %+v", so.TotalIncl, o.Totals.Total, so.Lines)
			}
			for _, l := range so.Lines {
				if !l.UnitPrice.Equal(l.UnitPrice.Round(2)) {
					t.Fatalf("unit price %s is not in cents", l.UnitPrice)
				}
			}
		})
	}
}
