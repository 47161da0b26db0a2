package magento

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestCreditMemosAndCancelFromSimulator: credit memos (an item with shipping, an adjustment
// only) are read with GET /V1/creditmemos by order_id and mapped to refunds that add up to the
// memo's grand total; an order without refunds costs no credit memo call; a canceled order says
// so.
func TestCreditMemosAndCancelFromSimulator(t *testing.T) {
	e := startSim(t, simulator.Options{})
	ids, err := e.sim.GenerateOrders(2, "processing")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := e.sim.GenerateOrders(1, "pending")
	if err != nil {
		t.Fatal(err)
	}
	s := mustShop(t, e.config())
	list := func(ids ...int64) []sdk.Order {
		t.Helper()
		var q sdk.OrderQuery
		for _, id := range ids {
			q.IDs = append(q.IDs, strconv.FormatInt(id, 10))
		}
		var out []sdk.Order
		for _, it := range listAll(t, s, q) {
			out = append(out, it.Order)
		}
		return out
	}
	o := list(ids[0])[0]
	var line sdk.OrderLine
	for _, l := range o.Lines {
		if l.ParentLineID == "" && !l.TotalIncl.IsZero() {
			line = l
			break
		}
	}
	ship := "0"
	if len(o.ShippingLines) > 0 {
		ship = o.ShippingLines[0].TotalExcl.String()
	}
	if _, st, msg := e.sim.Refund(ids[0], []byte(fmt.Sprintf(`{"items":[{"order_item_id":%s,"qty":1}],"arguments":{"shipping_amount":%s}}`, line.ID, ship))); st != http.StatusOK {
		t.Fatalf("refund: %d %s", st, msg)
	}
	if _, st, msg := e.sim.Refund(ids[0], []byte(`{"arguments":{"adjustment_positive":2.5}}`)); st != http.StatusOK {
		t.Fatalf("adjustment refund: %d %s", st, msg)
	}
	if done, _ := e.sim.Cancel(pending[0]); !done {
		t.Fatal("cancel refused")
	}
	got := list(ids[0], ids[1], pending[0])
	if len(got) != 3 {
		t.Fatalf("%d orders", len(got))
	}
	r := got[0].Refunds
	if len(r) != 2 {
		t.Fatalf("refunds %+v", r)
	}
	if len(r[0].Lines) != 1 || r[0].Lines[0].LineID != line.ID || !r[0].Lines[0].Quantity.Equal(sdk.MustMoney("1")) || !r[0].Rest().IsZero() ||
		!r[0].Lines[0].TaxRate.Equal(line.TaxRate) {
		t.Errorf("item refund %+v (rest %s)", r[0], r[0].Rest())
	}
	if ship != "0" && (len(r[0].Shipping) != 1 || !r[0].Shipping[0].TotalExcl.Equal(sdk.MustMoney(ship))) {
		t.Errorf("shipping refund %+v", r[0].Shipping)
	}
	if len(r[1].Lines)+len(r[1].Shipping) != 0 || !r[1].Rest().Equal(sdk.MustMoney("2.5")) {
		t.Errorf("adjustment refund %+v", r[1])
	}
	if !got[0].Refunded.Equal(r[0].Amount.Add(r[1].Amount)) || got[0].Cancelled {
		t.Errorf("refunded %s, cancelled %v", got[0].Refunded, got[0].Cancelled)
	}
	if len(got[1].Refunds) != 0 || got[1].Cancelled || !got[2].Cancelled {
		t.Errorf("plain %+v / cancelled %v", got[1].Refunds, got[2].Cancelled)
	}
	if n := e.sim.Stats().PerEndpoint["GET /V1/creditmemos"]; n != 1 {
		t.Errorf("%d credit memo searches, want 1", n)
	}

}
