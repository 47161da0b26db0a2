package e2e

import (
	"fmt"
	"net/http"
	"testing"
)

// TestAfterImportMagentoCancel: pending Magento orders imported through the real magento
// plugin (a generated bundle SKU too long for SnelStart parks some; eight leave enough); then one is cancelled in the store (POST /V1/orders/{id}/cancel, as an administrator
// does). Under orders.on_cancel = "delete" the next sync deletes its SnelStart sales order;
// under "attention" it stays and the order is listed as an attention item. A second sync does
// nothing more: no second delete, no credit order, no second item.
func TestAfterImportMagentoCancel(t *testing.T) {
	t.Parallel()
	for _, onCancel := range []string{"delete", "attention"} {
		t.Run(onCancel, func(t *testing.T) {
			t.Parallel()
			r, mg := newMagentoRig(t, `["pending", "processing", "complete", "closed"]`, fmt.Sprintf("    on_cancel          = %q\n", onCancel))
			gen, imported := importMagento(t, r, mg, 8, "pending")
			var cancelled, kept string
			var cancelID int64
			for _, id := range gen.IDs {
				var o struct {
					IncrementID string `json:"increment_id"`
				}
				magentoAPI(t, mg, http.MethodGet, fmt.Sprintf("/orders/%d", id), "", &o)
				switch {
				case !imported[o.IncrementID]:
				case cancelled == "":
					cancelled, cancelID = o.IncrementID, id
				case kept == "":
					kept = o.IncrementID
				}
			}
			before := r.newOrders()
			if len(before[cancelled]) != 1 || len(before[kept]) != 1 {
				t.Fatalf("after import SnelStart holds %v", keys(before))
			}
			var done bool
			magentoAPI(t, mg, http.MethodPost, fmt.Sprintf("/orders/%d/cancel", cancelID), "", &done)
			if !done {
				t.Fatalf("the store refused to cancel pending order %s", cancelled)
			}
			send(t, http.MethodPost, "http://"+mg+"/_sim/clock?advance=5m", "")

			var afterFirst map[string]int
			for i := 1; i <= 2; i++ {
				if code, res, errs := r.sync(); code != 0 {
					t.Fatalf("sync %d: exit %d %+v\n%s", i, code, res, tail(errs))
				}
				got := r.newOrders()
				counts := map[string]int{}
				for ref, vs := range got {
					counts[ref] = len(vs)
				}
				if len(got[kept]) != 1 || got[kept][0].ID != before[kept][0].ID {
					t.Fatalf("sync %d: the order that was not cancelled changed in SnelStart: %v", i, keys(got))
				}
				if len(got[cancelled+"-C"]) != 0 {
					t.Fatalf("sync %d: a credit order was booked for cancelled order %s", i, cancelled)
				}
				items := attentionItems(t, r)
				switch onCancel {
				case "delete":
					if len(got[cancelled]) != 0 {
						t.Fatalf("sync %d: sales order %d of cancelled order %s is still in SnelStart", i, before[cancelled][0].Nummer, cancelled)
					}
					if len(items) != 0 {
						t.Fatalf("sync %d: attention items %+v, want none", i, items)
					}
				case "attention":
					if len(got[cancelled]) != 1 || got[cancelled][0].ID != before[cancelled][0].ID {
						t.Fatalf("sync %d: sales order of cancelled order %s: %d in SnelStart, want it kept", i, cancelled, len(got[cancelled]))
					}
					if len(items) != 1 || items[0].Kind != "cancelled" || items[0].ShopNumber != cancelled ||
						items[0].LedgerTotal != before[cancelled][0].TotaalInclusiefBtw.StringFixed(2) || items[0].Action == "" {
						t.Fatalf("sync %d: attention items %+v, want one for cancelled order %s", i, items, cancelled)
					}
				}
				if i == 1 {
					afterFirst = counts
				} else if fmt.Sprint(counts) != fmt.Sprint(afterFirst) {
					t.Fatalf("the second sync changed SnelStart: %v -> %v", afterFirst, counts)
				}
			}
		})
	}
}

// attentionItems is `koppel attention winkel --json`.
func attentionItems(t *testing.T, r *rig) []attentionItem {
	t.Helper()
	return (&stage{rig: r}).attention()
}
