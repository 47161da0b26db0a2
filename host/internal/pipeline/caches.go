package pipeline

import (
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// A run's memory must not grow with the shop's history: a first sync may bring a year of
// orders. What a run remembers about customers, articles, templates and the orders it has seen
// is therefore kept in caches of a fixed size that let the least recently used entry go; an
// entry that fell out is read again from the state store (customers and articles koppel knows
// are remembered there) or asked of the ledger. Per-order outcomes go to the state store as
// they happen (OrderRecord, FailedRecord); the run keeps counts and at most MaxRunOrders
// outcomes. docs/operations.md states these sizes.
const (
	// CustomerCacheSize is how many customers (by customer key, and their relatiecodes by
	// relatie id) a run keeps settled in memory.
	CustomerCacheSize = 10_000
	// ArticleCacheSize is how many article look-ups (by article key) a run keeps in memory.
	ArticleCacheSize = 10_000
	// TemplateCacheSize is how many customers' last templates (reuse_last_template) a run keeps.
	TemplateCacheSize = 10_000
	// SeenCacheSize is how many order ids a run keeps to skip an order listed twice in one run
	// (an order changed while the run lists); one listed again after that is recognised by its
	// OrderRecord instead.
	SeenCacheSize = 20_000
)

// newLRU returns a least-recently-used cache of at most size entries.
func newLRU[K comparable, V any](size int) *simplelru.LRU[K, V] {
	c, err := simplelru.NewLRU[K, V](size, nil)
	if err != nil {
		panic("pipeline: cache size must be positive") // the sizes are constants above
	}
	return c
}
