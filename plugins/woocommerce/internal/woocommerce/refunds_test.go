package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// refundOrder creates an order in the simulator: 2 × 24.20 incl. 21 % and 1 × 10.90 incl. 9 %,
// shipping 4.95 excl. at 21 %, paid with iDEAL (or bacs).
func refundOrder(t *testing.T, sim *simulator.Server, number, payment string) simulator.Order {
	t.Helper()
	body := `{"number":"` + number + `","status":"processing","payment_method":"` + payment + `","prices_include_tax":true,
	  "billing":{"email":"jan@example.nl","country":"NL"},"shipping":{"country":"NL"},
	  "line_items":[{"product_id":1,"name":"Mok","quantity":2,"total":"40.00"},{"product_id":1,"name":"Koffie","quantity":1,"total":"10.00","tax_class":"reduced-rate"}],
	  "shipping_lines":[{"method_id":"flat_rate","method_title":"PostNL","total":"4.95"}]}`
	o, err := sim.CreateOrderJSON([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestRefundsFromSimulator(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	o := refundOrder(t, sim, "5001", "ideal")
	mok, ship := o.LineItems[0], o.ShippingLines[0]
	taxOf := func(ts []simulator.ItemTax) string { return fmt.Sprint(ts[0].RateID) }

	s := newTestShop(t, u, nil)
	post := func(body string) (map[string]any, error) {
		t.Helper()
		r, err := s.api.post(context.Background(), "/orders/"+itoa64(o.ID)+"/refunds", json.RawMessage(body))
		if err != nil {
			return nil, err
		}
		var out map[string]any
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		return out, nil
	}
	// One mok (line refund with tax), then shipping, then an amount only, through the API.
	created, err := post(`{"reason":"Kapot","line_items":[{"id":` + itoa64(mok.ID) + `,"quantity":1,"refund_total":20.00,"refund_tax":[{"id":` +
		taxOf(mok.Taxes) + `,"refund_total":4.20}]}]}`)
	if err != nil {
		t.Fatalf("refund a line: %v", err)
	}
	if created["amount"] != "24.20" || created["refunded_payment"] != true {
		t.Fatalf("created refund %v", created)
	}
	if _, err := post(`{"line_items":[{"id":` + itoa64(ship.ID) + `,"refund_total":4.95,"refund_tax":[{"id":` + taxOf(ship.Taxes) + `,"refund_total":1.04}]}]}`); err != nil {
		t.Fatalf("refund shipping: %v", err)
	}
	if _, err := post(`{"amount":"5.00","reason":"Coulance","api_refund":false}`); err != nil {
		t.Fatalf("refund an amount: %v", err)
	}
	if _, err := sim.CreateRefundJSON(o.ID, []byte(`{"amount":"1000.00"}`)); err == nil || !strings.Contains(err.Error(), "Invalid refund amount") {
		t.Fatalf("refund more than left: %v", err)
	}
	if _, err := post(`{"amount":"-1"}`); sdk.KindOf(err) != sdk.KindPermanent || !strings.Contains(err.Error(), "greater than zero") {
		t.Fatalf("negative refund: %v", err)
	}
	bacs := refundOrder(t, sim, "5002", "bacs")
	if _, err := sim.CreateRefundJSON(bacs.ID, []byte(`{"amount":"1.00"}`)); err == nil || !strings.Contains(err.Error(), "does not support automatic refunds") {
		t.Fatalf("api_refund on a bacs order: %v", err)
	}
	if _, err := sim.CreateRefundJSON(bacs.ID, []byte(`{"amount":"1.00","api_refund":false}`)); err != nil {
		t.Fatalf("manual refund on a bacs order: %v", err)
	}

	var got []sdk.Order
	err = s.ListOrders(context.Background(), sdk.OrderQuery{IDs: []string{itoa64(o.ID)}}, func(it sdk.OrderItem) error {
		got = append(got, it.Order)
		return nil
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("list: %v %d", err, len(got))
	}
	ord := got[0]
	if len(ord.Refunds) != 3 || !ord.Refunded.Equal(sdk.MustMoney("35.19")) {
		t.Fatalf("refunds %+v, refunded %s", ord.Refunds, ord.Refunded)
	}
	line, shipR, amount := ord.Refunds[0], ord.Refunds[1], ord.Refunds[2]
	if line.Reason != "Kapot" || !line.Amount.Equal(sdk.MustMoney("24.20")) || len(line.Lines) != 1 || !line.Rest().IsZero() {
		t.Errorf("line refund %+v", line)
	} else if l := line.Lines[0]; l.LineID != itoa64(mok.ID) || l.Quantity.String() != "1" || l.TotalExcl.String() != "20" ||
		l.Tax.String() != "4.2" || l.TotalIncl.String() != "24.2" || l.TaxRate.String() != "21" || l.Name != "Mok" {
		t.Errorf("refunded line %+v", l)
	}
	if len(shipR.Shipping) != 1 || !shipR.Shipping[0].TotalIncl.Equal(sdk.MustMoney("5.99")) || !shipR.Rest().IsZero() ||
		shipR.Shipping[0].TaxRate == nil || shipR.Shipping[0].TaxRate.String() != "21" {
		t.Errorf("shipping refund %+v", shipR)
	}
	if len(amount.Lines)+len(amount.Shipping)+len(amount.Fees) != 0 || !amount.Rest().Equal(sdk.MustMoney("5")) || amount.Reason != "Coulance" {
		t.Errorf("amount-only refund %+v", amount)
	}
	// The order as placed is unchanged by the refunds.
	if !ord.Totals.Total.Equal(o.Total) || len(ord.Lines) != 2 || ord.Cancelled {
		t.Errorf("order changed by refunds: %+v", ord.Totals)
	}
	if n := sim.Stats().PerEndpoint["GET /orders/{id}/refunds"]; n != 1 {
		t.Errorf("%d refund listings, want 1", n)
	}

	// A cancelled order says so; an order without refunds costs no refunds call.
	if _, err := sim.TouchOrder(bacs.ID, "cancelled"); err != nil {
		t.Fatal(err)
	}
	plain := refundOrder(t, sim, "5003", "ideal")
	got = nil
	err = s.ListOrders(context.Background(), sdk.OrderQuery{IDs: []string{itoa64(bacs.ID), itoa64(plain.ID)}}, func(it sdk.OrderItem) error {
		got = append(got, it.Order)
		return nil
	})
	if err != nil || len(got) != 2 || !got[0].Cancelled || got[1].Cancelled || len(got[1].Refunds) != 0 {
		t.Fatalf("cancelled/plain: %v %+v", err, got)
	}
	if n := sim.Stats().PerEndpoint["GET /orders/{id}/refunds"]; n != 2 {
		t.Errorf("%d refund listings, want 2 (bacs has one refund, the plain order none)", n)
	}
}

// TestSimulatorCoupons: POST /coupons creates a coupon orders can use, a second one with the
// same code is refused, GET /coupons lists them.
func TestSimulatorCoupons(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	s := newTestShop(t, u, nil)
	ctx := context.Background()
	r, err := s.api.post(ctx, "/coupons", map[string]any{"code": "Zomer15", "discount_type": "percent", "amount": "15"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	var c struct {
		ID     int64  `json:"id"`
		Code   string `json:"code"`
		Amount string `json:"amount"`
	}
	if err := json.Unmarshal(r.Body, &c); err != nil || c.Code != "zomer15" || c.Amount != "15.00" || c.ID == 0 {
		t.Fatalf("created %s (%v)", r.Body, err)
	}
	if _, err := s.api.post(ctx, "/coupons", map[string]any{"code": "ZOMER15", "amount": "5"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate code: %v", err)
	}
	if _, err := s.api.post(ctx, "/coupons", map[string]any{"amount": "5"}); err == nil {
		t.Fatal("a coupon without code was created")
	}
	lr, err := s.api.get(ctx, "/coupons", nil)
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(lr.Body, &list); err != nil || len(list) == 0 || list[0].Code != "zomer15" || lr.Header.Get("X-WP-Total") == "" {
		t.Fatalf("list %s (%v)", lr.Body, err)
	}
	p, err := sim.AddProduct(simulator.Product{SKU: "MOK", Name: "Mok", RegularPrice: decimal.NewNullDecimal(sdk.MustMoney("100"))})
	if err != nil {
		t.Fatal(err)
	}
	o, err := sim.CreateOrderJSON([]byte(`{"status":"processing","billing":{"email":"a@example.nl","country":"NL"},
		"line_items":[{"product_id":` + itoa64(p.ID) + `,"quantity":1}],"coupon_lines":[{"code":"zomer15"}]}`))
	if err != nil {
		t.Fatalf("order with the new coupon: %v", err)
	}
	if len(o.CouponLines) != 1 || o.CouponLines[0].Discount.IsZero() {
		t.Fatalf("coupon not applied: %+v", o.CouponLines)
	}
}

// FuzzMapRefunds: any answer of GET /orders/{id}/refunds maps without panicking to refunds whose
// amounts are all positive or zero.
func FuzzMapRefunds(f *testing.F) {
	f.Add([]byte(`[{"id":726,"date_created_gmt":"2017-03-21T20:07:11","amount":"10.00","reason":"","line_items":[]}]`))
	f.Add([]byte(`[{"id":724,"amount":"9.00","line_items":[{"id":314,"name":"Woo Album #2","quantity":-1,"subtotal":"-9.00","total":"-9.00","total_tax":"0.00","taxes":[],"meta_data":[{"id":2076,"key":"_refunded_item_id","value":"311"}],"sku":"","price":-9}],"shipping_lines":[{"id":9,"method_id":"flat_rate","total":"-4.95","total_tax":"-1.04","taxes":[{"id":1,"total":"-1.04"}]}]}]`))
	f.Add([]byte(`[{"amount":"abc","line_items":[{"quantity":"x","meta_data":[{"key":"_refunded_item_id","value":{"a":1}}]}],"fee_lines":[{"total":null}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var docs []wcRefundDoc
		if json.Unmarshal(data, &docs) != nil {
			return
		}
		rates := map[string]decimal.Decimal{"1": decimal.NewFromInt(21)}
		for _, d := range docs {
			r := mapRefund(d, rates)
			if r.Amount.IsNegative() {
				t.Fatalf("negative amount %s", r.Amount)
			}
			for _, l := range r.Lines {
				if l.TotalIncl.IsNegative() || l.Quantity.IsNegative() {
					t.Fatalf("negative line %+v", l)
				}
			}
			for _, c := range append(r.Shipping, r.Fees...) {
				if c.TotalIncl.IsNegative() {
					t.Fatalf("negative charge %+v", c)
				}
			}
			_ = r.Rest()
		}
	})
}
