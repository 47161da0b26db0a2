package pipeline

import (
	"fmt"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/mapping"
)

// TestRunKeepsCountsNotEveryOutcome: past MaxRunOrders a run counts outcomes without keeping
// them, and its record says the list was cut.
func TestRunKeepsCountsNotEveryOutcome(t *testing.T) {
	r := &run{p: &Pipeline{}}
	const extra = 25
	for i := 0; i < MaxRunOrders+extra; i++ {
		st := StatusImported
		if i%10 == 0 {
			st = StatusFailed
		}
		r.add(OrderOutcome{ShopID: fmt.Sprint(i), Status: st}, "")
	}
	if got := len(r.res.Orders); got != MaxRunOrders {
		t.Errorf("kept %d outcomes, want %d", got, MaxRunOrders)
	}
	if r.res.Unlisted != extra {
		t.Errorf("unlisted %d, want %d", r.res.Unlisted, extra)
	}
	if got, want := r.res.Seen(), MaxRunOrders+extra; got != want {
		t.Errorf("counted %d orders, want %d", got, want)
	}
	if got, want := r.res.Failed, (MaxRunOrders+extra+9)/10; got != want {
		t.Errorf("failed %d, want %d", got, want)
	}
	stored, cut := storedOutcomes(r.res)
	if len(stored) != MaxRunOrders || !cut {
		t.Errorf("stored %d outcomes, cut %v; want %d and cut", len(stored), cut, MaxRunOrders)
	}
	small := RunResult{Orders: []OrderOutcome{{ShopID: "1", CustomerName: "Jan"}}}
	if stored, cut := storedOutcomes(small); cut || len(stored) != 1 || stored[0].CustomerName != "" {
		t.Errorf("a short run: stored %+v, cut %v; want its outcome without the name", stored, cut)
	}
}

// TestLedgerViewCachesAreBounded: the view's caches keep at most their size, and the
// relatiecode by relatie id follows the customers settled and forgotten.
func TestLedgerViewCachesAreBounded(t *testing.T) {
	v := newLedgerView(nil)
	for i := 0; i < CustomerCacheSize+100; i++ {
		v.settle(fmt.Sprintf("guest:%d", i), mapping.MappedCustomer{ID: fmt.Sprintf("r%d", i), Code: i + 1, Settled: true})
		v.articles.Add(fmt.Sprintf("code:%d", i), nil)
	}
	if v.customers.Len() != CustomerCacheSize || v.codes.Len() != CustomerCacheSize || v.articles.Len() > ArticleCacheSize {
		t.Errorf("cache sizes %d customers, %d codes, %d articles; want at most %d, %d, %d",
			v.customers.Len(), v.codes.Len(), v.articles.Len(), CustomerCacheSize, CustomerCacheSize, ArticleCacheSize)
	}
	if _, ok := v.codeOf("r0"); ok {
		t.Error("the least recently used customer is still cached")
	}
	last := CustomerCacheSize + 99
	if c, ok := v.codeOf(fmt.Sprintf("r%d", last)); !ok || c != last+1 {
		t.Errorf("codeOf the last customer = %d, %v; want %d", c, ok, last+1)
	}
	v.forget(fmt.Sprintf("guest:%d", last))
	if _, ok := v.codeOf(fmt.Sprintf("r%d", last)); ok {
		t.Error("a forgotten customer's code is still known")
	}
	v.settle("planned", mapping.MappedCustomer{Name: "Nieuw", Planned: true, Settled: true})
	if _, ok := v.codeOf(""); ok {
		t.Error("a planned customer (no relatie yet) has a code")
	}
}
