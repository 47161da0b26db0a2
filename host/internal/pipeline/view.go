package pipeline

import (
	"context"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"golang.org/x/sync/singleflight"
)

// ledgerView is the mapping.View of a run (and of a preview): the ledger's look-ups and the
// customers and articles the state store remembers, cached for the run. It never writes; what
// it read from the ledger is remembered in the store by apply (apply.go). In a preview
// (koppel plan) the creates a plan would make are remembered in memory only (simulate), so the
// next order of the preview sees them as the sync would.
type ledgerView struct {
	p *Pipeline
	// mu guards the caches below: the orders of a run are planned and applied by several
	// workers at once (import_orders_workers.go). A cached *mapping.Article is never changed
	// in place (a change replaces it), so a reader may keep using the pointer it got.
	mu sync.Mutex
	// lookups shares the article and shop product look-ups of orders planned at the same moment.
	lookups singleflight.Group
	// customers are the relaties settled in this run, by customer key, and codes their
	// relatiecodes by relatie id (bounded, caches.go).
	customers *simplelru.LRU[string, mapping.MappedCustomer]
	codes     *simplelru.LRU[string, int]
	// articles are the articles looked up in this run, by map key (nil: not in the ledger).
	articles *simplelru.LRU[string, *mapping.Article]
	// templates are the last templates of customers (reuse_last_template), by relatie id.
	templates *simplelru.LRU[string, string]
	// products are the shop's products looked up in this run, by code (nil: the shop has none).
	products *simplelru.LRU[string, *sdk.Product]
	// pending holds, by map key, the batched article look-ups under way (closed when done),
	// prefetched their answers (nil: not in the ledger) until an order takes them
	// (view_prefetch.go).
	pending    map[string]chan struct{}
	prefetched map[string]*mapping.Article
	// emails holds the batched customer look-ups by e-mail (view_prefetch_customers.go).
	emails *customerPrefetch
}

func newLedgerView(p *Pipeline) *ledgerView {
	return &ledgerView{p: p, customers: newLRU[string, mapping.MappedCustomer](CustomerCacheSize),
		codes: newLRU[string, int](CustomerCacheSize), articles: newLRU[string, *mapping.Article](ArticleCacheSize),
		templates: newLRU[string, string](TemplateCacheSize), products: newLRU[string, *sdk.Product](ArticleCacheSize),
		emails: newCustomerPrefetch()}
}

// settle remembers a customer settled in this run.
func (v *ledgerView) settle(key string, c mapping.MappedCustomer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.customers.Add(key, c)
	if c.ID != "" && !c.Planned {
		v.codes.Add(c.ID, c.Code)
	}
}

// forget drops a customer the run found gone.
func (v *ledgerView) forget(key string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.customers.Peek(key); ok && c.ID != "" {
		v.codes.Remove(c.ID)
	}
	v.customers.Remove(key)
}

// MappedCustomer implements mapping.View.
func (v *ledgerView) MappedCustomer(ctx context.Context, key string) (mapping.MappedCustomer, bool, error) {
	if c, ok := v.settled(key); ok {
		return c, true, nil
	}
	rec, ok, err := state.Get[CustomerMapRecord](ctx, v.p.store, state.MapKey(v.p.profile, state.MapCustomer, key))
	if err != nil {
		return mapping.MappedCustomer{}, false, stateError(err, "reason.step.read_customer_map")
	}
	if !ok {
		return mapping.MappedCustomer{}, false, nil
	}
	return mapping.MappedCustomer{ID: rec.RelatieID, Code: rec.Code, MatchedBy: rec.MatchedBy, DataHash: rec.DataHash}, true, nil
}

// settled returns the customer settled in this run under key.
func (v *ledgerView) settled(key string) (mapping.MappedCustomer, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.customers.Get(key)
}

// PendingCustomer implements mapping.View: the customer intent left by a create without answer.
func (v *ledgerView) PendingCustomer(ctx context.Context, key string) (mapping.PendingCustomer, bool, error) {
	in, ok, err := state.Get[CustomerIntentRecord](ctx, v.p.store, state.MapKey(v.p.profile, MapCustomerIntent, key))
	if err != nil {
		return mapping.PendingCustomer{}, false, abortState(err, "reason.step.read_customer_intent")
	}
	return pendingOf(in), ok, nil
}

func pendingOf(in CustomerIntentRecord) mapping.PendingCustomer {
	return mapping.PendingCustomer{Name: in.Name, Email: in.Email, Postcode: in.Postcode, Attempts: in.Attempts}
}

// FindRelaties implements mapping.View. A look-up by e-mail alone is answered from the batched
// look-up of its listed batch when there is a usable one (view_prefetch_customers.go).
func (v *ledgerView) FindRelaties(ctx context.Context, q sdk.RelatieQuery) ([]sdk.Relatie, error) {
	if emailOnly(q) {
		if rs, ok, err := v.emails.take(ctx, q.Email, v.p.now()); err != nil {
			return nil, err
		} else if ok {
			return rs, nil
		}
	}
	return v.p.ledger.FindRelaties(ctx, q)
}

// Article implements mapping.View: from the run's cache, the state store (when fetched within
// ArticleCacheAge) or the ledger.
func (v *ledgerView) Article(ctx context.Context, k mapping.ArticleKey) (*mapping.Article, bool, error) {
	mk := k.MapKey()
	if a, ok := v.article(mk); ok {
		return a, false, nil
	}
	rec, ok, err := state.Get[ArticleMapRecord](ctx, v.p.store, state.MapKey(v.p.profile, state.MapArticle, mk))
	if err != nil {
		return nil, false, stateError(err, "reason.step.read_article_map")
	}
	if ok && v.p.now().Sub(rec.FetchedAt) < ArticleCacheAge {
		a := rec.article()
		v.addArticle(mk, &a)
		return &a, false, nil
	}
	// Orders planned at the same moment that need the same article share one look-up.
	res, err, _ := v.lookups.Do(mk, func() (any, error) {
		if a, ok := v.article(mk); ok {
			return a, nil
		}
		// An article of a listed batch looked up with others (prefetchArticles).
		if a, ok, err := v.takePrefetched(ctx, mk); err != nil {
			return nil, err
		} else if ok {
			v.addArticle(mk, a)
			return a, nil
		}
		found, err := v.p.ledger.FindArticles(ctx, k.Query())
		if err != nil {
			return nil, text.Errorf("reason.lookup", k, err)
		}
		hit, _ := mapping.PickActiveArticle(k, found)
		if hit == nil {
			v.addArticle(mk, nil)
			return (*mapping.Article)(nil), nil
		}
		a := mapping.ArticleFrom(*hit)
		v.addArticle(mk, &a)
		return &a, nil
	})
	if err != nil {
		return nil, false, err
	}
	a := res.(*mapping.Article)
	return a, a != nil, nil
}

// cachedArticle returns the article this run has for map key mk (nil when none, or not in the
// ledger).
func (v *ledgerView) cachedArticle(mk string) *mapping.Article {
	a, _ := v.article(mk)
	return a
}

// article returns the run's entry for map key mk (a nil article: not in the ledger).
func (v *ledgerView) article(mk string) (*mapping.Article, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.articles.Get(mk)
}

// addArticle sets the run's entry for map key mk (nil: not in the ledger).
func (v *ledgerView) addArticle(mk string, a *mapping.Article) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.articles.Add(mk, a)
	delete(v.prefetched, mk)
}

// removeArticle drops the run's entry for map key mk, so it is asked again.
func (v *ledgerView) removeArticle(mk string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.articles.Remove(mk)
	delete(v.prefetched, mk)
}

// markUpToDate records that the article of map key mk was brought up to date in this run
// (articles.mode = add_update), replacing the cached article by a marked copy.
func (v *ledgerView) markUpToDate(mk string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if a, ok := v.articles.Get(mk); ok && a != nil && !a.UpToDate {
		c := *a
		c.UpToDate = true
		v.articles.Add(mk, &c)
	}
}

// addTemplate remembers the last template of a relatie (reuse_last_template).
func (v *ledgerView) addTemplate(customerID, templateID string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.templates.Add(customerID, templateID)
}

// LastTemplate implements mapping.View (one look-up per customer per run).
func (v *ledgerView) LastTemplate(ctx context.Context, customerID string) (string, error) {
	v.mu.Lock()
	t, ok := v.templates.Get(customerID)
	v.mu.Unlock()
	if ok {
		return t, nil
	}
	found, err := v.p.ledger.FindSalesOrders(ctx, sdk.SalesOrderQuery{CustomerID: customerID, Limit: 1})
	if err != nil {
		return "", text.Errorf("reason.lookup_last_order", err)
	}
	t = ""
	if len(found) > 0 {
		t = found[0].TemplateID
	}
	v.addTemplate(customerID, t)
	return t, nil
}

// codeOf returns the relatiecode of a relatie this run has settled.
func (v *ledgerView) codeOf(id string) (int, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.codes.Get(id)
}

// simulate makes the view show what applying plan would leave behind, in memory only: the
// customer and articles it creates or updates. A preview calls it after each plan, so the next
// order is planned as the sync would plan it.
func (v *ledgerView) simulate(plan *mapping.Plan) {
	if plan.Action != mapping.ActionCreate {
		return
	}
	d := plan.Customer
	switch d.Action {
	case mapping.CustomerCreate:
		v.settle(d.Key, mapping.MappedCustomer{Name: d.Name, Planned: true, Settled: true})
	case mapping.CustomerExisting, mapping.CustomerUpdate:
		v.mu.Lock()
		c, ok := v.customers.Peek(d.Key)
		v.mu.Unlock()
		if !ok || !c.Planned {
			v.settle(d.Key, mapping.MappedCustomer{ID: d.ID, Code: d.Code, Name: d.Name, MatchedBy: d.MatchedBy, Settled: true})
		}
	}
	for _, a := range plan.Articles {
		art := a.Article
		art.UpToDate = true
		v.addArticle(a.Lookup.MapKey(), &art)
	}
}

// article converts a remembered article for the planner.
func (rec ArticleMapRecord) article() mapping.Article {
	return mapping.Article{ID: rec.ArticleID, Code: rec.Code, Description: rec.Description, RevenueGroupID: rec.RevenueGroupID,
		SalesPrice: rec.SalesPrice, Composite: rec.Composite, Components: rec.Components}
}
