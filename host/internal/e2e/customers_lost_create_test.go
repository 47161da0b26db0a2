package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
)

// Issue 6, customers and articles: the SnelStart simulator's --lose-create-rate drops the answer
// of every kind of create it commits (relaties, artikelen and verkooporders alike). With half of
// the answers lost, importing orders from customers SnelStart does not know yet must create each
// relatie and each article once and book every order on it, also with customers.match = "code",
// where the match itself never finds a relatie koppel created (only the intent's look-up by name,
// e-mail and postcode does), and with "smart", where a guest is matched by e-mail.
func TestLostCustomerCreates(t *testing.T) {
	t.Parallel()
	for _, match := range []string{"code", "smart"} {
		t.Run(match, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{Orders: 40, AllImportable: true, WooArgs: []string{"--rand-seed", "5"},
				SSArgs:   []string{"--lose-create-rate", "0.5"},
				Settings: map[string]string{"customers.match": fmt.Sprintf("%q", match)}})
			before := r.ssState()
			want := r.importable()
			runs, adoptedCustomers, adoptedArticles := r.syncLoggingAdoptions(30)
			r.assertExactlyOnce("", want)
			after := r.ssState()
			newRel := newRelaties(before, after)
			r.assertNoDuplicateRelaties(newRel)
			r.assertNoDuplicateArtikelen(before, after)
			st := r.ssStats()
			if int(st.Creates["relaties"]) != len(newRel) {
				t.Fatalf("the simulator committed %d relatie creates for %d new relaties", st.Creates["relaties"], len(newRel))
			}
			known := map[simulator.GUID]bool{}
			for _, rel := range after.Relaties {
				known[rel.ID] = true
			}
			for ref, vs := range r.newOrders() {
				for _, v := range vs {
					if v.Relatie == nil || !known[v.Relatie.ID] {
						t.Fatalf("sales order %q is not booked on a relatie SnelStart holds: %+v", ref, v.Relatie)
					}
				}
			}
			if len(newRel) == 0 || adoptedCustomers == 0 {
				t.Fatalf("%d new relaties, %d relatie creates lost their answer: the test proved nothing", len(newRel), adoptedCustomers)
			}
			t.Logf("match %s: %d runs, %d new relaties (%d adopted after a lost answer), %d articles adopted after a lost answer, %d answers lost in all",
				match, runs, len(newRel), adoptedCustomers, adoptedArticles, st.LostResponses)
		})
	}
}

// syncLoggingAdoptions runs `koppel sync` (log level info) until a run has nothing left to retry,
// at most max runs, and counts the customers and articles adopted after a lost create answer.
func (r *rig) syncLoggingAdoptions(max int) (runs, customers, articles int) {
	r.t.Helper()
	for runs < max {
		code, out, errs := r.koppel(context.Background(), "sync", "winkel", "import_orders", "--json", "--log-level", "info")
		runs++
		customers += strings.Count(errs, "adopted a customer whose create had no answer")
		articles += strings.Count(errs, "the article exists in SnelStart (a create's answer was lost)")
		var res syncResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			r.t.Fatalf("sync output is not JSON (exit %d): %v\n%s\n%s", code, err, out, tail(errs))
		}
		for _, o := range res.Orders {
			if o.Status == "failed" {
				r.t.Fatalf("run %d: order %s parked: %s", runs, o.ShopNumber, o.Reason)
			}
		}
		if res.Retrying == 0 && res.Error == "" && res.Stopped == "" && code == 0 {
			return runs, customers, articles
		}
	}
	r.t.Fatalf("orders still pending after %d runs", max)
	return runs, customers, articles
}

// newRelaties returns the relaties of after that before did not hold.
func newRelaties(before, after simulator.Administration) []simulator.Relatie {
	old := map[simulator.GUID]bool{}
	for _, rel := range before.Relaties {
		old[rel.ID] = true
	}
	var out []simulator.Relatie
	for _, rel := range after.Relaties {
		if !old[rel.ID] {
			out = append(out, rel)
		}
	}
	return out
}

// assertNoDuplicateRelaties fails when two of rels are the same customer: the same name, e-mail
// address and vestigingsadres postcode (ignoring case and spaces).
func (r *rig) assertNoDuplicateRelaties(rels []simulator.Relatie) {
	r.t.Helper()
	byKey := map[string][]int32{}
	for _, rel := range rels {
		pc := ""
		if rel.VestigingsAdres != nil {
			pc = strings.ToUpper(strings.Join(strings.Fields(rel.VestigingsAdres.Postcode), ""))
		}
		k := strings.ToLower(strings.TrimSpace(rel.Naam)) + "|" + strings.ToLower(strings.TrimSpace(rel.Email)) + "|" + pc
		byKey[k] = append(byKey[k], rel.Relatiecode)
	}
	var dups []string
	for k, codes := range byKey {
		if len(codes) > 1 {
			dups = append(dups, fmt.Sprintf("%s: relatiecodes %v", k, codes))
		}
	}
	if len(dups) > 0 {
		sort.Strings(dups)
		r.t.Fatalf("SnelStart holds customers twice:\n  %s", strings.Join(dups, "\n  "))
	}
}

// assertNoDuplicateArtikelen fails when an article created since before has the artikelcode of
// another article.
func (r *rig) assertNoDuplicateArtikelen(before, after simulator.Administration) {
	r.t.Helper()
	old := map[simulator.GUID]bool{}
	count := map[string]int{}
	for _, a := range before.Artikelen {
		old[a.ID] = true
	}
	for _, a := range after.Artikelen {
		count[strings.TrimSpace(a.Artikelcode)]++
	}
	for _, a := range after.Artikelen {
		if code := strings.TrimSpace(a.Artikelcode); !old[a.ID] && count[code] > 1 {
			r.t.Fatalf("article %s is held %d times", code, count[code])
		}
	}
}
