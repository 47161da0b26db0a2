package onetoshop

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"

	"github.com/koppel-nl/koppel/plugins/onetoshop/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestRefundsFromSimulator: refunds made in the simulated shop (a line, shipping, an amount
// only) come with the order as sdk.Refunds that add up to each refund's amount; a cancelled order
// says so.
func TestRefundsFromSimulator(t *testing.T) {
	sim, u := startSim(t, simulator.Options{})
	orders, err := sim.GenerateOrders(3)
	if err != nil {
		t.Fatal(err)
	}
	o := orders[0]
	for _, x := range orders {
		if x.TotalInclVAT.IsPositive() && x.RefundedAmount.IsZero() && x.ShippingCosts.IsPositive() {
			o = x
			break
		}
	}
	line := o.Lines[0]
	if _, err := sim.Refund(o.ID, simulator.Refund{Reason: "Kapot", Lines: []simulator.RefundLine{{LineID: line.ID, Quantity: line.Quantity,
		AmountInclVAT: line.TotalInclVAT, VATRate: line.VATRate, VATAmount: line.VATAmount}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Refund(o.ID, simulator.Refund{ShippingInclVAT: o.ShippingCosts, ShippingVAT: o.ShippingVAT}); err != nil {
		t.Fatal(err)
	}
	// An amount-only refund through the simulator's back office endpoint.
	resp, err := http.Post(u+"/_sim/orders/"+strconv.FormatInt(o.ID, 10)+"/refunds", "application/json",
		bytes.NewReader([]byte(`{"amount_incl_vat":"0.50","reason":"Coulance"}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("refund through /_sim: %d", resp.StatusCode)
	}
	if _, err := sim.Refund(o.ID, simulator.Refund{AmountInclVAT: simulator.A("100000")}); err == nil {
		t.Fatal("a refund above the order total was accepted")
	}
	other := orders[1]
	if other.ID == o.ID {
		other = orders[2]
	}
	if _, err := sim.TouchOrder(other.ID, "cancelled"); err != nil {
		t.Fatal(err)
	}
	s := newTestShop(t, u, nil)
	items := listAll(t, s, sdk.OrderQuery{IDs: []string{strconv.FormatInt(o.ID, 10), strconv.FormatInt(other.ID, 10)}})
	var got, cancelled sdk.Order
	for _, it := range items {
		if it.Order.ID == strconv.FormatInt(o.ID, 10) {
			got = it.Order
		} else {
			cancelled = it.Order
		}
	}
	if len(got.Refunds) != 3 {
		t.Fatalf("refunds %+v", got.Refunds)
	}
	r := got.Refunds
	if len(r[0].Lines) != 1 || r[0].Lines[0].LineID != strconv.FormatInt(line.ID, 10) || !r[0].Rest().IsZero() || r[0].Reason != "Kapot" ||
		!r[0].Lines[0].TotalIncl.Equal(line.TotalInclVAT.Decimal) || r[0].Lines[0].SKU != line.SKU {
		t.Errorf("line refund %+v", r[0])
	}
	if len(r[1].Shipping) != 1 || !r[1].Rest().IsZero() || !r[1].Amount.Equal(o.ShippingCosts.Decimal) {
		t.Errorf("shipping refund %+v", r[1])
	}
	if !r[2].Rest().Equal(sdk.MustMoney("0.50")) {
		t.Errorf("amount-only refund %+v", r[2])
	}
	if got.Cancelled || !cancelled.Cancelled {
		t.Errorf("cancelled flags: %v %v", got.Cancelled, cancelled.Cancelled)
	}
}
