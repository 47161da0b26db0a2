package e2e

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"

	"github.com/koppel-nl/koppel/sdk"
)

// stateEntries lists the entries of a `koppel state backup` (every key, version and value),
// sorted: two backups of the same store hold the same entries, not always in the same order.
func stateEntries(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for len(b) > 0 {
		if len(b) < 8 || uint64(len(b)-8) < binary.LittleEndian.Uint64(b) {
			t.Fatalf("state backup: truncated frame")
		}
		n := binary.LittleEndian.Uint64(b)
		var list pb.KVList
		if err := proto.Unmarshal(b[8:8+n], &list); err != nil {
			t.Fatalf("state backup: %v", err)
		}
		for _, kv := range list.GetKv() {
			out = append(out, fmt.Sprintf("%q@%d=%q", kv.GetKey(), kv.GetVersion(), kv.GetValue()))
		}
		b = b[8+n:]
	}
	slices.Sort(out)
	return out
}

// planFollow is an entry of `koppel plan --json` about an order imported before.
type planFollow struct {
	Number       string `json:"number"`
	Of           string `json:"of"`
	Action       string `json:"action"`
	Reason       string `json:"reason"`
	Reference    string `json:"reference"`
	LedgerNumber int    `json:"ledger_number"`
	TotalShop    string `json:"total_shop"`
	TotalLedger  string `json:"total_ledger"`
	Lines        []struct {
		ArticleCode string `json:"article_code"`
		Quantity    string `json:"quantity"`
	} `json:"lines"`
}

// Issues 15 and 16: after refunds, a cancellation and an edit in the WooCommerce simulator,
// `koppel plan` lists what the next sync does about the orders imported before: one credit
// order per refund with its lines and the totals the sync then books, the deletion of the
// cancelled order's sales order, the edit as an attention item. The plan writes nothing:
// SnelStart's administration and create counters and the state store are as they were.
func TestPlanShowsLifeAfterImport(t *testing.T) {
	t.Parallel()
	s := newStage(t, ch("orders.on_cancel", `"delete"`, "orders.refund_article", `"KORTING"`))
	full := s.order(wooOrder{by: anouk, items: []item{shirt, mok}, shipping: "4.95"})
	amount := s.order(wooOrder{by: anouk, items: []item{mok}})
	cancel := s.order(wooOrder{by: anouk, items: []item{mok}})
	edit := s.order(wooOrder{by: anouk, items: []item{mok}})
	r := s.syncOrders()
	sos := map[string]int32{}
	for _, p := range []placed{full, amount, cancel, edit} {
		sos[p.Number] = r.so(p).Nummer
	}

	nextSecond()
	f := s.full(full)
	refunded := map[string]string{}
	refunded[full.Number] = s.refund(full, map[string]any{"reason": "Retour", "line_items": []map[string]any{
		refundItem(f.LineItems[0], true), refundItem(f.LineItems[1], true), refundItem(f.ShippingLines[0], false)}})
	refunded[amount.Number] = s.refund(amount, map[string]any{"amount": "3.00", "reason": "Coulance", "api_refund": false})
	s.setStatus(cancel, "cancelled")
	s.editQty(edit, 3)

	stateBefore := s.backupState("before")
	adminBefore, statsBefore := s.ssState(), s.ssStats()
	code, out, errs := s.koppel(t.Context(), "plan", "winkel", "--json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, tail(errs))
	}
	var plan struct {
		Orders  []planFollow `json:"orders"`
		Summary struct {
			Credit      int    `json:"credit"`
			Delete      int    `json:"delete"`
			Attention   int    `json:"attention"`
			TotalCredit string `json:"total_credit"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan output is not JSON: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(adminBefore, s.ssState()) {
		t.Fatal("the plan changed SnelStart's administration")
	}
	if statsAfter := s.ssStats(); !reflect.DeepEqual(statsBefore.Creates, statsAfter.Creates) {
		t.Fatalf("the plan created in SnelStart: %v -> %v", statsBefore.Creates, statsAfter.Creates)
	}
	if before, after := stateEntries(t, stateBefore), stateEntries(t, s.backupState("after")); len(before) == 0 || !slices.Equal(before, after) {
		t.Fatalf("the plan changed the state store (%d -> %d entries)", len(before), len(after))
	}
	credits := map[string]planFollow{} // by shop number of the refunded order
	var deleted, changed []planFollow
	for _, op := range plan.Orders {
		switch op.Action {
		case "credit":
			if _, twice := credits[op.Of]; twice {
				t.Fatalf("two credit orders planned for order %s", op.Of)
			}
			credits[op.Of] = op
		case "delete":
			deleted = append(deleted, op)
		case "attention":
			changed = append(changed, op)
		}
	}
	if len(credits) != 2 || plan.Summary.Credit != 2 || plan.Summary.Delete != 1 || plan.Summary.Attention != 1 {
		t.Fatalf("planned credits %v, summary %+v\n%s", credits, plan.Summary, out)
	}
	if len(deleted) != 1 || deleted[0].Of != cancel.Number || deleted[0].LedgerNumber != int(sos[cancel.Number]) {
		t.Fatalf("planned deletes %+v, want sales order %d of order %s", deleted, sos[cancel.Number], cancel.Number)
	}
	if len(changed) != 1 || changed[0].Of != edit.Number || changed[0].TotalShop == changed[0].TotalLedger || changed[0].Reason == "" {
		t.Fatalf("planned attention items %+v, want the edit of order %s with both totals", changed, edit.Number)
	}
	sum := sdk.Money{}
	for num, amt := range refunded {
		op := credits[num]
		if op.TotalLedger != neg(amt) || op.TotalShop != neg(amt) || len(op.Lines) == 0 || !strings.HasPrefix(op.Number, num+"-R") ||
			op.LedgerNumber != int(sos[num]) {
			t.Fatalf("order %s: planned credit %+v, want total %s", num, op, neg(amt))
		}
		sum = sum.Add(sdk.MustMoney(op.TotalLedger))
	}
	if plan.Summary.TotalCredit != sum.StringFixed(2) {
		t.Fatalf("summary total of credits %s, want %s", plan.Summary.TotalCredit, sum.StringFixed(2))
	}
	code, human, _ := s.koppel(t.Context(), "plan", "winkel")
	if code != 0 || !strings.Contains(human, "wordt als creditorder geboekt") || !strings.Contains(human, "Na import: 2 creditorders") ||
		!strings.Contains(human, "wordt geboekt als creditorder bij verkooporder") || !strings.Contains(human, "na de import geannuleerd in de winkel: verkooporder") ||
		!strings.Contains(human, "na de import gewijzigd in de winkel: totaal nu") {
		t.Fatalf("plan (human): exit %d\n%s", code, human)
	}

	// The sync books what the plan said, and a second sync nothing more.
	s.syncOrders()
	r = s.syncOrders()
	for num, op := range credits {
		vs := r.new[op.Reference]
		if len(vs) != 1 || op.Reference != op.Number {
			t.Fatalf("credit order %s (reference %q) of order %s booked %d times", op.Number, op.Reference, num, len(vs))
		}
		r.totalIs(vs[0], op.TotalLedger)
		if len(vs[0].Regels) != len(op.Lines) {
			t.Fatalf("credit order %s: %d lines planned, %d booked", op.Number, len(op.Lines), len(vs[0].Regels))
		}
		for i, l := range op.Lines {
			if !vs[0].Regels[i].Aantal.Equal(sdk.MustMoney(l.Quantity)) {
				t.Fatalf("credit order %s line %d: planned quantity %s, booked %s", op.Number, i+1, l.Quantity, vs[0].Regels[i].Aantal)
			}
		}
	}
	for _, v := range s.ssState().Verkooporders {
		if v.Nummer == sos[cancel.Number] {
			t.Fatalf("the cancelled order's sales order %d was not deleted", v.Nummer)
		}
	}
	if items := s.attention(); len(items) != 1 || items[0].ShopNumber != edit.Number {
		t.Fatalf("attention items %+v", items)
	}
	// Nothing left to do: the plan now lists nothing after import.
	code, out, _ = s.koppel(t.Context(), "plan", "winkel", "--json")
	if code != 0 || strings.Contains(out, `"action": "credit"`) || strings.Contains(out, `"action": "delete"`) || strings.Contains(out, `"action": "attention"`) {
		t.Fatalf("plan after the sync: exit %d\n%s", code, out)
	}
}
