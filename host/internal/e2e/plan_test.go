package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// planReport is the part of `koppel plan --json` the test reads.
type planReport struct {
	Orders []struct {
		Number      string   `json:"number"`
		Action      string   `json:"action"`
		TotalShop   string   `json:"total_shop"`
		TotalLedger string   `json:"total_ledger"`
		Problems    []string `json:"problems"`
		Customer    *struct {
			Action    string `json:"action"`
			Code      int    `json:"code"`
			Name      string `json:"name"`
			MatchedBy string `json:"matched_by"`
		} `json:"customer"`
		Lines []struct {
			ArticleCode string `json:"article_code"`
			Quantity    string `json:"quantity"`
			UnitPrice   string `json:"unit_price"`
			Description string `json:"description"`
			VATClass    string `json:"vat_class"`
		} `json:"lines"`
	} `json:"orders"`
	Summary struct {
		Create int  `json:"create"`
		Fail   int  `json:"fail"`
		Skip   int  `json:"skip"`
		More   bool `json:"more"`
	} `json:"summary"`
}

// backupState writes `koppel state backup` to a file and returns its bytes.
func (r *rig) backupState(name string) []byte {
	r.t.Helper()
	file := filepath.Join(r.t.TempDir(), name)
	if code, out, errs := r.koppel(r.t.Context(), "state", "backup", file); code != 0 {
		r.t.Fatalf("state backup: exit %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// Issue 15: `koppel plan` then `koppel sync` on the same orders, through the real plugins and
// simulators. The plan writes nothing (SnelStart's administration and create counters, and the
// state store, are as they were), and says order by order what the sync then books: the same
// customer (existing relatie, or the one created), the same lines (article code, quantity,
// unit price, description) and the same total.
func TestPlanThenSyncBooksWhatWasPlanned(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{Orders: 25, AllImportable: true, WooArgs: []string{"--rand-seed", "15"}})
	want := r.importable()
	// A first sync of nothing yet would move no cursor; take the state as it is before the plan.
	stateBefore := r.backupState("before")
	adminBefore, statsBefore := r.ssState(), r.ssStats()

	code, out, errs := r.koppel(t.Context(), "plan", "winkel", "--json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, tail(errs))
	}
	var plan planReport
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan output is not JSON: %v\n%s", err, out)
	}
	if len(plan.Orders) != len(want) || plan.Summary.Create+plan.Summary.Fail+plan.Summary.Skip != len(want) || plan.Summary.Create == 0 {
		t.Fatalf("planned %d orders (summary %+v), the shop has %d to import", len(plan.Orders), plan.Summary, len(want))
	}
	if adminAfter := r.ssState(); !reflect.DeepEqual(adminBefore, adminAfter) {
		t.Fatalf("the plan changed SnelStart's administration")
	}
	if statsAfter := r.ssStats(); !reflect.DeepEqual(statsBefore.Creates, statsAfter.Creates) {
		t.Fatalf("the plan created in SnelStart: %v -> %v", statsBefore.Creates, statsAfter.Creates)
	}
	if before, after := stateEntries(t, stateBefore), stateEntries(t, r.backupState("after")); !slices.Equal(before, after) {
		t.Fatalf("the plan changed the state store (%d -> %d entries)", len(before), len(after))
	}
	// The human report says the same in Dutch.
	code, human, _ := r.koppel(t.Context(), "plan", "winkel", "--limit", "3")
	if code != 0 || !strings.Contains(human, "Voorbeeld van import_orders") || !strings.Contains(human, "Samenvatting:") ||
		!strings.Contains(human, "Verwacht in SnelStart") {
		t.Fatalf("plan (human): exit %d\n%s", code, human)
	}

	code, res, errs := r.sync()
	if code != 0 || res.Imported != plan.Summary.Create || res.Failed != plan.Summary.Fail {
		t.Fatalf("sync: exit %d, imported %d failed %d; the plan said %+v\n%s", code, res.Imported, res.Failed, plan.Summary, tail(errs))
	}
	admin := r.ssState()
	articleCode := map[simulator.GUID]string{}
	for _, a := range admin.Artikelen {
		articleCode[a.ID] = a.Artikelcode
	}
	relatieCode := map[simulator.GUID]simulator.Relatie{}
	for _, rel := range admin.Relaties {
		relatieCode[rel.ID] = rel
	}
	booked := r.newOrders()
	created := map[string]int32{} // name of a relatie the plan creates -> its relatiecode
	checked := 0
	for _, op := range plan.Orders {
		if op.Action != "create" {
			continue
		}
		vs := booked[op.Number]
		if len(vs) != 1 {
			t.Fatalf("order %s: planned, booked %d times", op.Number, len(vs))
		}
		so := vs[0]
		if !so.TotaalInclusiefBtw.Equal(sdk.MustMoney(op.TotalLedger)) || op.TotalLedger != op.TotalShop {
			t.Fatalf("order %s: planned total %s (shop %s), booked %s", op.Number, op.TotalLedger, op.TotalShop, so.TotaalInclusiefBtw.StringFixed(2))
		}
		rel := relatieCode[so.Relatie.ID]
		switch c := op.Customer; {
		case c == nil:
			t.Fatalf("order %s: no customer decision", op.Number)
		case c.Action == "create":
			if rel.Naam != c.Name || created[c.Name] != 0 {
				t.Fatalf("order %s: planned to create %q, booked on %d %q", op.Number, c.Name, rel.Relatiecode, rel.Naam)
			}
			created[c.Name] = rel.Relatiecode
		case c.MatchedBy == "planned":
			if created[c.Name] != rel.Relatiecode {
				t.Fatalf("order %s: planned on the relatie an earlier order creates (%q), booked on %d", op.Number, c.Name, rel.Relatiecode)
			}
		default:
			if int32(c.Code) != rel.Relatiecode {
				t.Fatalf("order %s: planned on relatie %d, booked on %d", op.Number, c.Code, rel.Relatiecode)
			}
		}
		if len(op.Lines) != len(so.Regels) {
			t.Fatalf("order %s: %d lines planned, %d booked", op.Number, len(op.Lines), len(so.Regels))
		}
		for i, l := range op.Lines {
			g := so.Regels[i]
			code := ""
			if g.Artikel != nil {
				code = articleCode[g.Artikel.ID]
			}
			if code != l.ArticleCode || !g.Aantal.Equal(sdk.MustMoney(l.Quantity)) ||
				(l.UnitPrice != "" && (g.Stuksprijs == nil || !g.Stuksprijs.Equal(sdk.MustMoney(l.UnitPrice)))) ||
				(l.Description != "" && g.Omschrijving != l.Description) {
				t.Fatalf("order %s line %d: planned %+v, booked %s %+v", op.Number, i+1, l, code, g)
			}
		}
		checked++
	}
	if checked != plan.Summary.Create || len(created) == 0 {
		t.Fatalf("checked %d of %d planned orders, %d planned creates of relaties", checked, plan.Summary.Create, len(created))
	}
}
