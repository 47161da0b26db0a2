package plugin

import (
	"context"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
)

// notingShop is a fakeShop that takes order notes.
type notingShop struct {
	fakeShop
	mu    sync.Mutex
	notes map[string][]string
}

func (n *notingShop) AddOrderNote(_ context.Context, orderID, note string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if orderID == "404" {
		return sdk.Errorf(sdk.KindNotFound, "order %s not found", orderID)
	}
	n.notes[orderID] = append(n.notes[orderID], note)
	return nil
}

// TestAddOrderNoteOverTheWire: a note reaches a shop that implements sdk.OrderNoter with its
// order and text, its errors keep their kind, and a shop without notes answers KindConfig.
func TestAddOrderNoteOverTheWire(t *testing.T) {
	ns := &notingShop{notes: map[string][]string{}}
	srv := newServer(ServeOpts{
		Info:    sdk.PluginInfo{Name: "noting", Kind: sdk.KindShop, Version: "1", Capabilities: []string{sdk.CapOrderNotes}},
		NewShop: func(context.Context, sdk.Config, hclog.Logger) (sdk.Shop, error) { return ns, nil },
	}, hclog.NewNullLogger())
	shop := testRemote(t, srv).Shop("p", sdk.Config{})
	noter, ok := shop.(sdk.OrderNoter)
	if !ok {
		t.Fatal("the plugin client does not offer AddOrderNote")
	}
	ctx := context.Background()
	if err := noter.AddOrderNote(ctx, "77", "Betaald volgens SnelStart"); err != nil {
		t.Fatal(err)
	}
	if got := ns.notes["77"]; len(got) != 1 || got[0] != "Betaald volgens SnelStart" {
		t.Fatalf("notes %v", ns.notes)
	}
	if err := noter.AddOrderNote(ctx, "404", "x"); sdk.KindOf(err) != sdk.KindNotFound {
		t.Fatalf("unknown order: %v", err)
	}

	var configs int
	var mu sync.Mutex
	plain := testRemote(t, shopServer(&configs, &mu)).Shop("p", sdk.Config{})
	if err := plain.(sdk.OrderNoter).AddOrderNote(ctx, "1", "x"); sdk.KindOf(err) != sdk.KindConfig {
		t.Fatalf("a shop without notes: %v (kind %s)", err, sdk.KindOf(err))
	}
}
