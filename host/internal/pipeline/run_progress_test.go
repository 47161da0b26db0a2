package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

func (e *env) runRecord(start time.Time) RunRecord {
	e.t.Helper()
	rec, ok, err := state.Get[RunRecord](e.t.(*testing.T).Context(), e.store, state.RunKey("shop1", start))
	if err != nil || !ok {
		e.t.Fatalf("run record of %s: %v, found %v", start, err, ok)
	}
	return rec
}

// A run is on record from its start, marked in progress; a run whose process was killed stays so
// and the next run closes it as aborted, with every order it booked counted (also those after its
// last progress write).
func TestKilledRunIsRecordedAsAborted(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"1", "2", "3"} {
		e.shop.put(plain(id))
	}
	start := e.now
	var during RunRecord
	e.ledger.createHook = func(n int, _ sdk.SalesOrder) (bool, error) {
		if n == 2 {
			during = e.runRecord(start)
		}
		return true, nil
	}
	first := e.run()
	if first.Imported != 3 {
		t.Fatalf("first run imported %d, want 3", first.Imported)
	}
	if !during.InProgress || !during.Unfinished() || !during.End.IsZero() || during.Task != TaskImportOrders {
		t.Fatalf("record during the run = %+v, want one in progress", during.RunResult)
	}
	if done := e.runRecord(start); done.InProgress || done.Interrupted() || done.Imported != 3 {
		t.Fatalf("finished record = in progress %v, imported %d", done.InProgress, done.Imported)
	}

	// What a SIGKILL after the first order's progress write leaves: the record in progress, of
	// another process, with one of its three orders.
	killed := e.runRecord(start)
	killed.InProgress, killed.Owner, killed.End = true, "elsewhere/1", time.Time{}
	killed.Orders, killed.Imported = killed.Orders[:1], 1
	if err := state.Put(t.Context(), e.store, state.RunKey("shop1", start), killed); err != nil {
		t.Fatal(err)
	}
	if !killed.Interrupted() {
		t.Fatal("an unfinished record of another process is not shown as interrupted")
	}

	e.now = e.now.Add(time.Minute)
	e.shop.put(plain("4"))
	if second := e.run(); second.Imported != 1 {
		t.Fatalf("second run imported %d, want 1", second.Imported)
	}
	aborted := e.runRecord(start)
	if !aborted.Aborted || aborted.InProgress || !aborted.Interrupted() || aborted.Imported != 3 || len(aborted.Orders) != 3 {
		t.Fatalf("aborted record: aborted %v, in progress %v, imported %d, outcomes %d; want aborted with 3 booked",
			aborted.Aborted, aborted.InProgress, aborted.Imported, len(aborted.Orders))
	}
	if next := e.runRecord(e.now); next.Interrupted() || next.Imported != 1 {
		t.Fatalf("the second run's record: interrupted %v, imported %d", next.Interrupted(), next.Imported)
	}
}

// announcingShop announces total (sdk.OrderItem.Total) on every listed order; 0 announces
// nothing, as a plugin built before the field existed.
type announcingShop struct {
	sdk.Shop
	total int
}

func (s announcingShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	return s.Shop.ListOrders(ctx, q, func(it sdk.OrderItem) error {
		it.Total = s.total
		return yield(it)
	})
}

// Progress carries the total the shop announced, grown to what was handled when the listing
// yields more; 0 when the shop announces none; a retry's total is the orders it names.
func TestProgressTotal(t *testing.T) {
	cases := []struct {
		name      string
		announced int
		want      []int // Total of each progress report
	}{
		{"announced", 4, []int{4, 4, 4, 4}},
		{"announced too few", 2, []int{2, 2, 3, 4}},
		{"not announced", 0, []int{0, 0, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			for _, id := range []string{"1", "2", "3", "4"} {
				e.shop.put(plain(id))
			}
			var got []int
			p := New(Options{Profile: e.prof, Shop: announcingShop{e.shop, c.announced}, Ledger: e.ledger, Store: e.store,
				Clock: func() time.Time { return e.now }, Progress: func(pr Progress) { got = append(got, pr.Total) }})
			if _, err := p.ImportOrders(t.Context()); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("totals reported %v, want %v", got, c.want)
			}
			got = nil
			if _, err := p.Retry(t.Context(), []string{"2", "3", "99"}); err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || got[0] != 3 {
				t.Fatalf("retry of 3 orders reported totals %v, want 3 each", got)
			}
		})
	}
}
