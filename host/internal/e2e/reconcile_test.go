package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
)

// reconcileOut is what `koppel reconcile --json` prints.
type reconcileOut struct {
	Compared int `json:"compared"`
	Findings []struct {
		Kind          string `json:"kind"`
		ShopNumber    string `json:"shop_number"`
		LedgerNumbers []int  `json:"ledger_numbers"`
		ItemID        string `json:"item_id"`
		New           bool   `json:"new"`
	} `json:"findings"`
	NewItems    int `json:"new_items"`
	LedgerCalls int `json:"ledger_calls"`
}

func (s *stage) reconcile() reconcileOut {
	s.t.Helper()
	code, out, errs := s.koppel(s.t.Context(), "reconcile", "winkel", "--since", "2d", "--json")
	var res reconcileOut
	if code != 1 || json.Unmarshal([]byte(out), &res) != nil {
		s.t.Fatalf("koppel reconcile --json: exit %d, want 1 (findings)\n%s\n%s", code, out, tail(errs))
	}
	return res
}

// TestReconcileWooCommerce is the scenario: after an import, a sales order is deleted
// in SnelStart, one is booked a second time by hand and one gets another total (a line's
// quantity changed in SnelStart); `koppel reconcile` finds exactly those three as attention
// items, and a second reconcile raises nothing new.
func TestReconcileWooCommerce(t *testing.T) {
	t.Parallel()
	s := newStage(t, nil)
	deleted := s.order(wooOrder{by: anouk, items: []item{mok}})
	twice := s.order(wooOrder{by: anouk, items: []item{shirt}})
	changed := s.order(wooOrder{by: anouk, items: []item{mok}})
	fine := s.order(wooOrder{by: anouk, items: []item{shirt, mok}})
	r := s.syncOrders()
	del, dup, chg := r.so(deleted), r.so(twice), r.so(changed)
	r.so(fine)

	s.ssAPI(http.MethodDelete, "/verkooporders/"+string(del.ID), nil, nil)
	s.addVerkooporder(dup.Relatie.ID, "", dup.Betalingskenmerk, dup.Orderreferentie)
	var v simulator.Verkooporder
	s.ssAPI(http.MethodGet, "/verkooporders/"+string(chg.ID), nil, &v)
	v.Regels[0].Aantal = simulator.D("2")
	s.ssAPI(http.MethodPut, "/verkooporders/"+string(chg.ID), v, nil)

	res := s.reconcile()
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Kind+":"+f.ShopNumber)
		if !f.New {
			t.Errorf("finding %+v not new on the first reconcile", f)
		}
	}
	want := []string{"missing:" + deleted.Number, "duplicate:" + twice.Number, "difference:" + changed.Number}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || res.NewItems != 3 || res.Compared != 4 {
		t.Fatalf("reconcile found %v (%d new, %d compared), want %v (3 new of 4)", got, res.NewItems, res.Compared, want)
	}
	if res.LedgerCalls != 1 {
		t.Errorf("reconcile of 4 orders made %d ledger calls, want 1 (one batched look-up)", res.LedgerCalls)
	}
	items := s.attention()
	var kinds []string
	for _, it := range items {
		kinds = append(kinds, it.Kind+":"+it.ShopNumber)
		if it.Action == "" {
			t.Errorf("attention item %+v says nothing to do", it)
		}
	}
	slices.Sort(kinds)
	if !slices.Equal(kinds, want) {
		t.Fatalf("attention items %v, want %v", kinds, want)
	}

	again := s.reconcile()
	if again.NewItems != 0 || len(again.Findings) != 3 {
		t.Fatalf("second reconcile: %d new items of %d findings, want 0 new of 3", again.NewItems, len(again.Findings))
	}
	if n := len(s.attention()); n != 3 {
		t.Fatalf("after the second reconcile %d attention items, want 3", n)
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"ontbreekt", "dubbel", "ander totaal", "al gemeld", "0 nieuwe aandachtspunten"}},
		{[]string{"--lang", "en"}, []string{"missing", "duplicated", "different total", "known", "0 new attention items"}},
		// The task, as the schedule runs it (the last 30 days).
		{[]string{"sync"}, []string{"ontbreekt", "dubbel", "ander totaal", "al gemeld"}},
	} {
		args := append([]string{"reconcile", "winkel", "--since", "2d"}, c.args...)
		if slices.Equal(c.args, []string{"sync"}) {
			args = []string{"sync", "winkel", "reconcile", "--no-progress"}
		}
		code, out, errs := s.koppel(t.Context(), args...)
		if code != 1 {
			t.Fatalf("koppel reconcile %v: exit %d, want 1\n%s\n%s", c.args, code, out, tail(errs))
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("koppel reconcile %v: no %q in\n%s", c.args, w, out)
			}
		}
	}
}
