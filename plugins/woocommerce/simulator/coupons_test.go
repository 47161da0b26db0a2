package simulator

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestCouponsOnCreatedOrders checks coupons applied by the store to an order created without
// totals: in a shop whose prices include tax they come off the prices including tax (a fixed
// cart coupon of 5.00 takes 5.00 off what the customer pays, as WooCommerce does for prices
// entered with tax), in a shop whose prices exclude tax off the prices before tax.
func TestCouponsOnCreatedOrders(t *testing.T) {
	type line struct {
		price, class string
		qty          int
	}
	cases := []struct {
		name   string
		incl   bool
		lines  []line
		coupon string
		// gross is what the lines cost the customer before the coupon; off is what the coupon
		// takes off, including tax; discount is coupon_lines[0].discount (excl. tax).
		gross, off, discount string
	}{
		{name: "incl, fixed 5 on one 21% line", incl: true, lines: []line{{"29.95", "", 2}}, coupon: "korting5",
			gross: "59.90", off: "5.00", discount: "4.13"},
		{name: "incl, fixed 5 over 21% and 9%", incl: true, lines: []line{{"29.95", "", 1}, {"27.50", "reduced-rate", 1}}, coupon: "korting5",
			gross: "57.45", off: "5.00", discount: "4.34"},
		{name: "incl, fixed 5 on a cheaper cart", incl: true, lines: []line{{"3.00", "", 1}}, coupon: "korting5",
			gross: "3.00", off: "3.00", discount: "2.48"},
		{name: "incl, 10% on one 21% line", incl: true, lines: []line{{"29.95", "", 2}}, coupon: "welkom10",
			gross: "59.90", off: "5.99", discount: "4.95"},
		{name: "incl, no coupon keeps the gross price", incl: true, lines: []line{{"29.95", "", 2}, {"9.00", "", 1}},
			gross: "68.90", off: "0.00"},
		{name: "excl, fixed 5 before tax", incl: false, lines: []line{{"24.75", "", 2}}, coupon: "korting5",
			gross: "59.90", off: "6.05", discount: "5.00"},
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			e := newEnv(t, Options{PricesIncludeTax: k.incl})
			var items []any
			for i, l := range k.lines {
				p := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/products", nil, map[string]any{
					"name": "Artikel " + itoa(i), "regular_price": l.price, "tax_class": l.class}), 201))
				items = append(items, map[string]any{"product_id": p["id"], "quantity": l.qty})
			}
			body := map[string]any{"status": "processing", "line_items": items,
				"billing": map[string]any{"country": "NL", "email": "a@example.nl"}}
			if k.coupon != "" {
				body["coupon_lines"] = []any{map[string]any{"code": k.coupon}}
			}
			o := obj(t, decode(t, e.do("POST", "/wp-json/wc/v3/orders", nil, body), 201))
			gross, want := decimal.RequireFromString(k.gross), decimal.RequireFromString(k.gross).Sub(decimal.RequireFromString(k.off))
			if tot := dec(t, o["total"]); !tot.Equal(want) {
				t.Fatalf("total %s, want %s - %s = %s", tot, k.gross, k.off, want)
			}
			off := dec(t, o["discount_total"]).Add(dec(t, o["discount_tax"]))
			if !off.Equal(decimal.RequireFromString(k.off)) {
				t.Errorf("discount_total + discount_tax = %s, want %s", off, k.off)
			}
			sub := decimal.Zero
			for _, raw := range arr(t, o["line_items"]) {
				l := obj(t, raw)
				sub = sub.Add(dec(t, l["subtotal"])).Add(dec(t, l["subtotal_tax"]))
			}
			if !sub.Equal(gross) {
				t.Errorf("lines before the coupon cost %s including tax, want %s", sub, gross)
			}
			if k.coupon == "" {
				return
			}
			c := obj(t, arr(t, o["coupon_lines"])[0])
			if d := dec(t, c["discount"]); !d.Equal(decimal.RequireFromString(k.discount)) {
				t.Errorf("coupon discount %s, want %s (excl. tax)", d, k.discount)
			}
			if d := dec(t, c["discount"]).Add(dec(t, c["discount_tax"])); !d.Equal(off) {
				t.Errorf("coupon discount + discount_tax = %s, want %s", d, off)
			}
			checkOrderTotals(t, o, map[float64]decimal.Decimal{1: decimal.NewFromInt(21), 2: decimal.NewFromInt(9), 3: decimal.Zero})
		})
	}
}
