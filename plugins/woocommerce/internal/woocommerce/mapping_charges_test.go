package woocommerce

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// chargeOrder is a WooCommerce order with a 21 % and a 9 % line, shipping at 21 % and the given
// fee lines (JSON), as a store with rate ids 1 (21 %) and 2 (9 %) sends it.
func chargeOrder(t *testing.T, fees string) sdk.Order {
	t.Helper()
	raw := fmt.Sprintf(`{"id":228,"number":"228","status":"processing","currency":"EUR",
	"date_modified_gmt":"2026-12-07T10:00:00","date_created_gmt":"2026-12-07T10:00:00",
	"line_items":[
	 {"id":1,"name":"Koffie","product_id":5,"quantity":1,"subtotal":"50.00","subtotal_tax":"10.50","total":"50.00","total_tax":"10.50","taxes":[{"id":1,"total":"10.5","subtotal":"10.5"}],"sku":"K"},
	 {"id":2,"name":"Boek","product_id":6,"quantity":1,"subtotal":"40.00","subtotal_tax":"3.60","total":"40.00","total_tax":"3.60","taxes":[{"id":2,"total":"3.6","subtotal":"3.6"}],"sku":"B"}],
	"shipping_lines":[{"id":3,"method_id":"flat_rate","method_title":"PostNL","total":"4.95","total_tax":"1.04","taxes":[{"id":1,"total":"1.04","subtotal":""}]}],
	"fee_lines":%s,
	"tax_lines":[{"id":9,"rate_id":1,"rate_percent":21},{"id":10,"rate_id":2,"rate_percent":9}],
	"total":"0","total_tax":"0"}`, fees)
	var o wcOrder
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		t.Fatal(err)
	}
	out, err := mapOrder(&o, mapOptions{Coupons: couponsSeparate})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A negative fee whose tax the store split over 21 % and 9 % (fee_lines[].taxes) comes out as a
// discount with the store's split: the tax per rate as the store gave it, the amount excluding VAT
// in proportion to the costs per rate with shipping counted (54.95 at 21 %, 40.00 at 9 %).
func TestNegativeFeeKeepsTheStoresSplitPerRate(t *testing.T) {
	o := chargeOrder(t, `[{"id":4,"name":"Korting","tax_status":"taxable","total":"-1.00","total_tax":"-0.16",
		"taxes":[{"id":1,"total":"-0.12","subtotal":""},{"id":2,"total":"-0.04","subtotal":""}]}]`)
	if len(o.Discounts) != 1 || len(o.Fees) != 0 {
		t.Fatalf("discounts %d, fees %d; want the negative fee as one discount", len(o.Discounts), len(o.Fees))
	}
	d := o.Discounts[0]
	if d.TaxRate != nil || d.TotalExcl.String() != "1" || d.Tax.String() != "0.16" {
		t.Fatalf("discount = %+v", d)
	}
	want := []struct{ rate, excl, tax string }{{"21", "0.58", "0.12"}, {"9", "0.42", "0.04"}}
	if len(d.TaxByRate) != len(want) {
		t.Fatalf("TaxByRate = %+v, want %v", d.TaxByRate, want)
	}
	for i, w := range want {
		p := d.TaxByRate[i]
		if p.Rate.String() != w.rate || p.TotalExcl.String() != w.excl || p.Tax.String() != w.tax {
			t.Errorf("part %d = %s%% %s + %s, want %s%% %s + %s", i, p.Rate, p.TotalExcl, p.Tax, w.rate, w.excl, w.tax)
		}
	}
	// A single-rate charge keeps TaxRate and gets no split.
	if s := o.ShippingLines[0]; s.TaxRate == nil || s.TaxRate.String() != "21" || s.TaxByRate != nil {
		t.Errorf("shipping = %+v", s)
	}
}

// A fee over several rates: a rate id without a known percentage gives no split (the host spreads
// the fee then); a split always adds up to the fee's amounts.
func TestFeeSplitAddsUp(t *testing.T) {
	o := chargeOrder(t, `[{"id":4,"name":"Toeslag","tax_status":"taxable","total":"10.00","total_tax":"1.70",
		"taxes":[{"id":1,"total":"1.05","subtotal":""},{"id":7,"total":"0.65","subtotal":""}]}]`)
	if f := o.Fees[0]; f.TaxByRate != nil {
		t.Fatalf("a rate id without a known percentage gave a split: %+v", f.TaxByRate)
	}
	o = chargeOrder(t, `[{"id":4,"name":"Toeslag","tax_status":"taxable","total":"10.00","total_tax":"1.70",
		"taxes":[{"id":1,"total":"1.05","subtotal":""},{"id":2,"total":"0.65","subtotal":""}]}]`)
	f := o.Fees[0]
	sumExcl, sumTax := sdk.Money{}, sdk.Money{}
	for _, p := range f.TaxByRate {
		sumExcl, sumTax = sumExcl.Add(p.TotalExcl), sumTax.Add(p.Tax)
	}
	if len(f.TaxByRate) != 2 || !sumExcl.Equal(f.TotalExcl) || !sumTax.Equal(f.Tax) {
		t.Fatalf("split %+v does not add up to %s + %s", f.TaxByRate, f.TotalExcl, f.Tax)
	}
}
