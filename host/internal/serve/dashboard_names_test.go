package serve

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// The dashboard takes the customers' names from the state store, within the personal-data
// rule: a done business order shows the name its record keeps, a done private order its
// relatiecode with "particulier" (no name is kept), a failed order the name in the shop data it
// keeps until it is resolved. The failed list has "Opnieuw alle" and the page counts the orders
// waiting in the shop. No scheduler has run here: nothing comes from a run kept in memory.
func TestDashboardNamesFromTheStateStore(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	// Two business orders imported by `koppel sync` (another process): only their records exist.
	rec, orders, _ := demoRun("winkel", "import_orders", t0.Add(-10*time.Minute))
	for _, o := range rec.Orders {
		if o.CustomerName != "" {
			t.Fatal("the stored run outcomes carry a name")
		}
	}
	storeRun(t, e.store, rec, orders)
	hold := pipeline.HoldRecord{ShopID: "601", ShopNumber: "2601", Status: "on-hold", SKUs: []string{"SHIRT-01"}}
	if err := state.Put(ctx, e.store, state.MapKey("winkel", pipeline.MapStockHold, "601"), hold); err != nil {
		t.Fatal(err)
	}

	orderRow := regexp.MustCompile(`(?s)<tr class="order" data-shop-number="1001">.*?</tr>`)
	for _, c := range []struct {
		lang, private string
		want          []string
	}{
		{"nl", ">particulier<", []string{"Bakkerij Jansen", "Fietsen Pietersen", "koppel bewaart na de import alleen de naam van zakelijke klanten",
			"Els de Wit", "Opnieuw alle", `action="/api/profiles/winkel/orders/retry-failed"`, "1 order(s) wachten in de webwinkel"}},
		{"en", ">private<", []string{"Bakkerij Jansen", "Fietsen Pietersen", "Els de Wit", "Retry all", "1 order(s) wait in the shop"}},
	} {
		resp := e.do(t, "GET", "/?lang="+c.lang, nil, nil)
		wantStatus(t, resp, http.StatusOK)
		page := readBody(t, resp)
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("dashboard (%s) lacks %q", c.lang, w)
			}
		}
		// Order 1001 is a private customer's (relatiecode 20010): its row names no one.
		if row := orderRow.FindString(page); !strings.Contains(row, "20010") || !strings.Contains(row, c.private) {
			t.Errorf("dashboard (%s): the row of private order 1001 lacks its relatiecode or %q: %s", c.lang, c.private, row)
		}
	}

	// The API gives the same names.
	got := decode[OrdersJSON](t, e.do(t, "GET", "/api/orders?profile=winkel", nil, nil))
	names := map[string]string{}
	for _, o := range got.Orders {
		names[o.ShopNumber] = o.CustomerName
	}
	if names["1101"] != "Bakkerij Jansen" || names["1001"] != "" || names["1002"] != "Els de Wit" {
		t.Fatalf("customer names in /api/orders: %v", names)
	}
}
