package magento

import (
	"context"
	"strconv"
	"testing"

	"github.com/koppel-nl/koppel/plugins/magento/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestAddOrderNoteMagento: the note becomes an order comment the customer is not notified of,
// once however often it is added; an unknown order is KindNotFound.
func TestAddOrderNoteMagento(t *testing.T) {
	e := startSim(t, simulator.Options{})
	ids, err := e.sim.GenerateOrders(1, "processing")
	if err != nil {
		t.Fatal(err)
	}
	s := mustShop(t, e.config())
	ctx := context.Background()
	id := strconv.FormatInt(ids[0], 10)
	comments := func() []map[string]any {
		t.Helper()
		var out struct {
			Items []map[string]any `json:"items"`
		}
		if err := s.api.get(ctx, "/orders/"+id+"/comments", nil, &out); err != nil {
			t.Fatal(err)
		}
		return out.Items
	}
	before := len(comments())
	for i := 0; i < 2; i++ {
		if err := s.AddOrderNote(ctx, id, "Betaald volgens SnelStart: factuur 000000001"); err != nil {
			t.Fatalf("add (call %d): %v", i+1, err)
		}
	}
	got := comments()
	if len(got) != before+1 {
		t.Fatalf("%d comments after adding one twice, had %d", len(got), before)
	}
	last := got[len(got)-1]
	if last["comment"] != "Betaald volgens SnelStart: factuur 000000001" || last["is_customer_notified"] != float64(0) || last["is_visible_on_front"] != float64(0) {
		t.Fatalf("comment %v", last)
	}
	if err := s.AddOrderNote(ctx, "99999", "x"); sdk.KindOf(err) != sdk.KindNotFound {
		t.Fatalf("unknown order: %v (kind %s)", err, sdk.KindOf(err))
	}
}
