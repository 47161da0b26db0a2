package woocommerce

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// TestAddOrderNote: a note lands on the order as a private note, a second call with the same
// text adds nothing (a retry after a crash), another text is a second note, an unknown order
// is KindNotFound, and the plugin declares the capability.
func TestAddOrderNote(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{})
	o := refundOrder(t, sim, "6001", "ideal")
	s := newTestShop(t, u, nil)
	ctx := context.Background()
	id := itoa64(o.ID)
	notes := func() []map[string]any {
		t.Helper()
		r, err := s.api.get(ctx, "/orders/"+id+"/notes", nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := len(notes())
	for i := 0; i < 2; i++ {
		if err := s.AddOrderNote(ctx, id, "Betaald volgens SnelStart: factuur 6001"); err != nil {
			t.Fatalf("add note (call %d): %v", i+1, err)
		}
	}
	got := notes()
	if len(got) != before+1 || got[0]["note"] != "Betaald volgens SnelStart: factuur 6001" || got[0]["customer_note"] != false {
		t.Fatalf("notes after adding one twice: %v", got)
	}
	if err := s.AddOrderNote(ctx, id, "iets anders"); err != nil || len(notes()) != before+2 {
		t.Fatalf("a second text: %v, %d notes", err, len(notes()))
	}
	if err := s.AddOrderNote(ctx, "999999", "x"); sdk.KindOf(err) != sdk.KindNotFound {
		t.Fatalf("unknown order: %v (kind %s)", err, sdk.KindOf(err))
	}
	if !Info("test").Has(sdk.CapOrderNotes) {
		t.Fatal("the plugin does not declare order_notes")
	}
}
