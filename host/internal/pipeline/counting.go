package pipeline

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/koppel-nl/koppel/sdk"
)

// countingLedger is an sdk.Ledger that counts the calls made through it, in total and per
// method, and passes every call on unchanged.
type countingLedger struct {
	next  sdk.Ledger
	total atomic.Int64
	mu    sync.Mutex
	by    map[string]int64
}

var _ sdk.Ledger = (*countingLedger)(nil)

func newCountingLedger(next sdk.Ledger) *countingLedger {
	return &countingLedger{next: next, by: map[string]int64{}}
}

func (c *countingLedger) count(method string) {
	c.total.Add(1)
	c.mu.Lock()
	c.by[method]++
	c.mu.Unlock()
}

// Calls returns the number of calls made so far.
func (c *countingLedger) Calls() int64 { return c.total.Load() }

// snapshot returns a copy of the per-method counts.
func (c *countingLedger) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.by))
	for k, v := range c.by {
		out[k] = v
	}
	return out
}

// callsSince returns the per-method counts added since an earlier snapshot.
func callsSince(now, before map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range now {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

func (c *countingLedger) Check(ctx context.Context) (sdk.CheckResult, error) {
	c.count("Check")
	return c.next.Check(ctx)
}

func (c *countingLedger) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	c.count("FindRelaties")
	return c.next.FindRelaties(ctx, q)
}

func (c *countingLedger) CreateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	c.count("CreateRelatie")
	return c.next.CreateRelatie(ctx, r)
}

func (c *countingLedger) UpdateRelatie(ctx context.Context, r sdk.Relatie) (sdk.Relatie, error) {
	c.count("UpdateRelatie")
	return c.next.UpdateRelatie(ctx, r)
}

func (c *countingLedger) FindArticles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	c.count("FindArticles")
	return c.next.FindArticles(ctx, q)
}

func (c *countingLedger) CreateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	c.count("CreateArticle")
	return c.next.CreateArticle(ctx, a)
}

func (c *countingLedger) UpdateArticle(ctx context.Context, a sdk.Article) (sdk.Article, error) {
	c.count("UpdateArticle")
	return c.next.UpdateArticle(ctx, a)
}

func (c *countingLedger) ListStock(ctx context.Context, yield func(sdk.Article) error) error {
	c.count("ListStock")
	return c.next.ListStock(ctx, yield)
}

func (c *countingLedger) ReferenceData(ctx context.Context) (sdk.ReferenceData, error) {
	c.count("ReferenceData")
	return c.next.ReferenceData(ctx)
}

func (c *countingLedger) CreateSalesOrder(ctx context.Context, o sdk.SalesOrder) (sdk.SalesOrder, error) {
	c.count("CreateSalesOrder")
	return c.next.CreateSalesOrder(ctx, o)
}

func (c *countingLedger) FindSalesOrders(ctx context.Context, q sdk.SalesOrderQuery) ([]sdk.SalesOrder, error) {
	c.count("FindSalesOrders")
	return c.next.FindSalesOrders(ctx, q)
}

func (c *countingLedger) DeleteSalesOrder(ctx context.Context, id string) error {
	c.count("DeleteSalesOrder")
	return c.next.DeleteSalesOrder(ctx, id)
}
