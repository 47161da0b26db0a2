package mapping

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/sdk"
)

// FuzzPlan plans any order a shop plugin may hand over (the JSON form of sdk.Order, as it
// crosses the plugin protocol) with the test profile in one of several settings (fuzzProfile).
// Beyond not panicking or hanging: what checkPlan asserts (the in-memory view never fails a
// look-up, so an error can only be a *ConfigError).
func FuzzPlan(f *testing.F) {
	withShipping := func(o *sdk.Order) { o.ShippingLines = []sdk.Charge{charge("PostNL", "6.95", "21")} }
	withDiscount := func(o *sdk.Order) { o.Discounts = []sdk.Charge{charge("Korting", "2.00", "21")} }
	withFee := func(o *sdk.Order) { o.Fees = []sdk.Charge{charge("Betaalkosten", "0.35", "21")} }
	for i, o := range []sdk.Order{
		mkOrder("1", true, []ln{coffee, mug}, withShipping),
		mkOrder("2", false, []ln{coffee, mug}, withDiscount, withFee),
		mkOrder("3", true, []ln{{"NIEUW", "Nieuw artikel", "3", "1.99", "21"}}),
		mkOrder("4", true, []ln{{"MOK", "Mok", "0.5", "6.05", "21"}, {"KOFFIE", "Koffie", "-1", "10.90", "9"}}),
		mkOrder("5", false, []ln{{"", "Zonder code", "1", "0", "0"}}, func(o *sdk.Order) { o.Billing.Country = "BE"; o.Customer.VATNumber = "BE0123456789" }),
	} {
		b, err := json.Marshal(o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	f.Add(uint8(0), []byte(`{"id":"9","number":"109","lines":[{"sku":"MOK","quantity":"1e3","unit_price_incl":"1e-9","tax_rate":"-100","total_incl":"0"}],"totals":{"total":"1"}}`))
	f.Add(uint8(15), []byte(`{"id":"9","lines":[{"sku":"KOFFIE","quantity":"0","total_incl":"5","tax_rate":"9"}],"discounts":[{"total_incl":"-3"}],"totals":{"total":"2"}}`))
	ref, err := ResolveReference(testProfile(), testReferenceData())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, settings uint8, body []byte) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input took longer than 10s: %q", body)) })
		defer tm.Stop()
		var o sdk.Order
		if json.Unmarshal(body, &o) != nil {
			return
		}
		checkPlan(t, settings, ref, o)
	})
}

// FuzzPlanAmounts plans an order of one product line, a shipping line and a discount built from
// any amounts, rates and codes (what FuzzPlan reaches only rarely through JSON), with the same
// assertions as FuzzPlan. A product line's unit prices and totals are made consistent where the
// amounts allow, as the shop plugins deliver them; the order total is taken as given. The
// assertions are FuzzPlan's (checkPlan).
func FuzzPlanAmounts(f *testing.F) {
	f.Add(uint8(0), true, "MOK", "2", "6.05", "21", "6.95", "21", "2.00", "21", "17.05", "NL")
	f.Add(uint8(4), false, "KOFFIE", "1", "10.00", "9", "0", "0", "0", "", "10.90", "NL")
	f.Add(uint8(1), true, "NIEUW", "0.333", "1e3", "6", "1", "-100", "-1", "x", "0", "DE")
	f.Add(uint8(26), true, "", "-3", "0.001", "101", "", "", "1e-20", "9", "-5", "")
	f.Add(uint8(3), false, "OUD", "1e20", "1e-20", "0", "0.01", "21", "0", "0", "1", "BE")
	f.Add(uint8(64), false, "MOK", "1", "10.00", "21", "", "", "", "", "12.13", "NL")
	f.Add(uint8(64), true, "MOK", "1", "12.10", "21", "", "", "", "", "12.13", "NL")
	f.Add(uint8(128), true, "MOK", "3", "3.3333", "21", "", "", "", "", "10.00", "NL")
	f.Add(uint8(132), false, "KOFFIE", "7", "1.4286", "9", "", "", "", "", "10.90", "NL")
	ref, err := ResolveReference(testProfile(), testReferenceData())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, settings uint8, incl bool, sku, qty, price, rate, ship, shipRate, disc, discRate, total, country string) {
		tm := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("input took longer than 10s: %q", []any{settings, incl, sku, qty, price, rate, ship, shipRate, disc, discRate, total, country}))
		})
		defer tm.Stop()
		num := func(s string) (sdk.Money, bool) {
			m, err := sdk.ParseMoney(s)
			return m, err == nil && m.Exponent() > -30 && m.Exponent() < 30
		}
		q, ok1 := num(qty)
		p, ok2 := num(price)
		r, ok3 := num(rate)
		tot, ok4 := num(total)
		if !ok1 || !ok2 || !ok3 || !ok4 {
			return
		}
		o := mkOrder("1", incl, nil)
		o.Billing.Country = country
		l := sdk.OrderLine{ID: "l1", SKU: sku, Name: "Artikel " + sku, Quantity: q, TaxRate: r}
		if incl {
			l.UnitPriceIncl, l.TotalIncl = p, q.Mul(p).Round(2)
		} else {
			l.UnitPriceExcl, l.TotalExcl = p, q.Mul(p).Round(2)
		}
		if !r.Equal(hundred.Neg()) {
			if incl {
				l.TotalExcl = l.TotalIncl.Mul(hundred).DivRound(hundred.Add(r), 2)
			} else {
				l.TotalIncl = l.TotalExcl.Add(l.TotalExcl.Mul(r).DivRound(hundred, 2))
			}
		}
		l.Tax = l.TotalIncl.Sub(l.TotalExcl)
		o.Lines = []sdk.OrderLine{l}
		for _, c := range []struct {
			amount, rate string
			into         *[]sdk.Charge
		}{{ship, shipRate, &o.ShippingLines}, {disc, discRate, &o.Discounts}} {
			a, okA := num(c.amount)
			cr, okR := num(c.rate)
			if c.amount == "" || !okA {
				continue
			}
			ch := sdk.Charge{Name: "kosten", TotalIncl: a, TotalExcl: a}
			if c.rate != "" && okR && !cr.Equal(hundred.Neg()) {
				ch.TotalExcl = a.Mul(hundred).DivRound(hundred.Add(cr), 2)
				ch.TaxRate = &cr
			}
			ch.Tax = ch.TotalIncl.Sub(ch.TotalExcl)
			*c.into = append(*c.into, ch)
		}
		o.Totals = totalsOf(o)
		o.Totals.Total = tot
		o.Totals.TotalExcl = tot.Sub(o.Totals.Tax)
		checkPlan(t, settings, ref, o)
	})
}

// fuzzProfile is the test profile with the settings bits set: book as invoice (1), VAT check
// warn (2), a difference article with a 0.05 tolerance (4), lines as code and quantity (8),
// product options on separate lines (16), VAT check off (32), the difference booked on an
// article taxed at 21 % (64). Bit 128 (checkPlan) plans for an administration that rounds unit
// prices to cents.
func fuzzProfile(settings uint8) *config.Profile {
	prof := testProfile()
	if settings&1 != 0 {
		prof.Orders.BookAs = config.BookAsInvoice
	}
	if settings&2 != 0 {
		prof.Orders.VATCheck = config.VATCheckWarn
	}
	if settings&4 != 0 {
		prof.Orders.DifferenceArticle, prof.Orders.DifferenceTolerance = "VERSCHIL", d("0.05")
	}
	if settings&8 != 0 {
		prof.Orders.Lines = config.LinesCodeAndQuantity
	}
	if settings&16 != 0 {
		prof.Orders.ProductOptions = config.OptionsSeparateLine
	}
	if settings&32 != 0 {
		prof.Orders.VATCheck = config.VATCheckOff
	}
	if settings&64 != 0 {
		prof.Orders.DifferenceArticle = "DIVERS" // an article taxed at 21 %
	}
	return prof
}

// checkPlan plans o with fuzzProfile(settings) and asserts what holds for every plan: without
// error it books (one line description per line, SnelStart's predicted total is the shop's
// within the tolerance, and it encodes as JSON) or fails with a reason; an error is only a
// *ConfigError.
func checkPlan(t *testing.T, settings uint8, ref *Reference, o sdk.Order) {
	t.Helper()
	if settings&128 != 0 {
		rounded := *ref
		rounded.UnitPriceRounded = true // the administration rounds unit prices to cents first
		ref = &rounded
	}
	pl, err := NewPlanner(fuzzProfile(settings), ref, newMemView()).Plan(context.Background(), o)
	if err != nil {
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("settings %d: %T %v is not a *ConfigError", settings, err, err)
		}
		return
	}
	switch pl.Action {
	case ActionCreate:
		if len(pl.Lines) != len(pl.SalesOrder.Lines) {
			t.Fatalf("settings %d: %d line descriptions for %d lines", settings, len(pl.Lines), len(pl.SalesOrder.Lines))
		}
		if _, err := json.Marshal(pl); err != nil {
			t.Fatalf("settings %d: the plan does not encode: %v", settings, err)
		}
		// Booked means SnelStart's total is the shop's to the cent (SnelStart keeps cents; a
		// shop total of 0.001 is 0.00 there), within the tolerance, difference line included.
		if tot, tol := pl.Totals, fuzzProfile(settings).Orders.DifferenceTolerance; tot.Predicted && tot.Shop.Round(2).Sub(tot.Ledger).Abs().GreaterThan(tol) {
			t.Fatalf("settings %d: booked with SnelStart's total %s for the shop's %s (difference %s booked)", settings, tot.Ledger, tot.Shop, tot.Difference)
		}
	case ActionFail:
		if pl.Reason() == "" {
			t.Fatalf("settings %d: a failed plan without a reason", settings)
		}
	default:
		t.Fatalf("settings %d: action %q", settings, pl.Action)
	}
}
