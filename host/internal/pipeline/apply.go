package pipeline

// Applying a plan. The mapping package decides (mapping.Plan); the code here is the only code of
// import_orders that writes: to the ledger (customers, articles, the sales order) and to the
// state store (customer and article maps, intents, outcomes). See create_once.go for how
// customer and article creates happen at most once, and import_orders.go for the sales order.

import (
	"context"
	"fmt"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// customerRef is the relatie an order is booked on.
type customerRef struct {
	ID   string
	Code int
	// Name is the relatie's name, for the run summary; the order record keeps it only for a
	// business customer (BusinessName).
	Name string
	// Fixed is set for the profile's fixed customer (customers.fixed_customer).
	Fixed bool
}

// applyCustomer carries out the plan's customer decision: it forgets a relatie that is gone,
// updates or creates the relatie, and remembers it in the customer map.
func (r *run) applyCustomer(ctx context.Context, plan *mapping.Plan) (customerRef, error) {
	p := r.p
	d := plan.Customer
	key := d.Key
	mk := state.MapKey(p.profile, state.MapCustomer, key)
	if d.Forget {
		if err := state.Delete(ctx, p.store, mk); err != nil {
			return customerRef{}, text.Errorf("reason.forget_customer", err)
		}
		r.view.forget(key)
	}
	ref := customerRef{ID: d.ID, Code: d.Code, Name: d.Name, Fixed: d.MatchedBy == "fixed"}
	how := d.MatchedBy
	hasIntent := d.HadIntent
	var err error
	switch d.Action {
	case mapping.CustomerExisting:
	case mapping.CustomerUpdate:
		if ref, err = r.updateRelatie(ctx, *d.Relatie, d.Code); err != nil {
			return customerRef{}, err
		}
	case mapping.CustomerCreate:
		if ref, how, err = r.createCustomerShared(ctx, key, *d.Relatie); err != nil {
			return customerRef{}, err
		}
		hasIntent = how != "settled"
	default:
		return customerRef{}, fmt.Errorf("apply customer decision %q: not a decision to apply", d.Action)
	}
	if how == "adopted" && d.Action != mapping.CustomerCreate {
		p.log.Info("adopted a customer whose create had no answer", "code", ref.Code)
	}
	if (d.Remember || d.Action == mapping.CustomerCreate) && how != "settled" {
		rec := CustomerMapRecord{RelatieID: ref.ID, Code: ref.Code, MatchedBy: how, At: p.now(), DataHash: d.DataHash}
		err = p.store.Update(ctx, func(tx *state.Tx) error {
			if err := tx.Put(mk, rec); err != nil {
				return err
			}
			if hasIntent {
				return tx.Delete(r.customerIntentKey(key))
			}
			return nil
		})
		if err != nil {
			// A created relatie keeps its intent, so the next attempt finds and adopts it.
			return customerRef{}, fmt.Errorf("remember customer %d: %w", ref.Code, err)
		}
		r.setUnsettled(unsettledKey("customer", key), false)
	}
	r.view.settle(key, mapping.MappedCustomer{ID: ref.ID, Code: ref.Code, Name: ref.Name, Settled: true})
	return ref, nil
}

// createdCustomer is what createCustomerShared hands the orders waiting for the same create.
type createdCustomer struct {
	ref customerRef
	how string
}

// createCustomerShared creates the relatie of customer key once for all the run's workers: an
// order whose plan was made before another order of the run created this customer uses that
// relatie (how = "settled"); two orders asking at the same moment share one create (the second
// waits for the first's answer). Orders of one customer are also handled in sequence
// (import_orders_workers.go), so this is the second line of defence.
func (r *run) createCustomerShared(ctx context.Context, key string, want sdk.Relatie) (customerRef, string, error) {
	if c, ok := r.view.settled(key); ok && c.ID != "" && !c.Planned {
		return customerRef{ID: c.ID, Code: c.Code, Name: c.Name}, "settled", nil
	}
	v, err, _ := r.creates.Do("customer\x00"+key, func() (any, error) {
		if c, ok := r.view.settled(key); ok && c.ID != "" && !c.Planned {
			return createdCustomer{customerRef{ID: c.ID, Code: c.Code, Name: c.Name}, "settled"}, nil
		}
		if r.isUnsettled(unsettledKey("customer", key)) {
			return nil, notYetVisible(fmt.Sprintf(text.Template("reason.what_customer"), want.Name))
		}
		intent, _, err := r.customerIntent(ctx, key)
		if err != nil {
			return nil, err
		}
		ref, how, err := r.createRelatieOnce(ctx, key, want, intent)
		if err != nil {
			return nil, err
		}
		return createdCustomer{ref, how}, nil
	})
	if err != nil {
		return customerRef{}, "", err
	}
	c := v.(createdCustomer)
	return c.ref, c.how, nil
}

// updateRelatie writes the relatie as the plan wants it (customers.mode = add_update).
func (r *run) updateRelatie(ctx context.Context, next sdk.Relatie, code int) (customerRef, error) {
	returned := r.view.emails.wrote(next, r.p.now()) // a batched look-up's answer may show it as it was
	upd, err := r.p.ledger.UpdateRelatie(ctx, next)
	returned(r.p.now())
	if err != nil {
		return customerRef{}, text.Errorf("reason.update_customer", code, err)
	}
	if upd.ID == "" {
		upd = next
	}
	return customerRef{ID: upd.ID, Code: upd.Code, Name: upd.Name}, nil
}

// rememberFound writes the articles the plan read from the ledger to the article map (so a
// known article costs no call on later runs), also for a plan that fails.
func (r *run) rememberFound(ctx context.Context, plan *mapping.Plan) error {
	for _, d := range plan.Articles {
		if d.Remember && d.Action == mapping.ArticleFound && d.Article.ID != "" {
			if _, err := r.remember(ctx, d.Lookup.MapKey(), d.Article); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyArticles carries out the plan's article decisions (creates and add_update updates) and
// returns the ledger id of every decision's article.
func (r *run) applyArticles(ctx context.Context, plan *mapping.Plan) ([]string, error) {
	ids := make([]string, len(plan.Articles))
	addUpdate := r.p.prof.Articles.Mode == config.ModeAddUpdate
	for i, d := range plan.Articles {
		mk := d.Lookup.MapKey()
		switch d.Action {
		case mapping.ArticleFound:
			ids[i] = d.Article.ID
		case mapping.ArticleUpdate:
			a, err := r.updateArticle(ctx, mk, d.Article)
			if err != nil {
				return nil, err
			}
			ids[i] = a.ID
		case mapping.ArticleCreate:
			a, err := r.createArticleShared(ctx, d)
			if err != nil {
				return nil, err
			}
			ids[i] = a.ID
		}
		if addUpdate {
			r.view.markUpToDate(mk)
		}
	}
	return ids, nil
}

// createArticleShared creates the article of decision d once for all the run's workers: when
// another order of the run created it after this order was planned, that article is used; two
// orders asking at the same moment share one create (the second waits for the first's answer,
// and shares its error).
func (r *run) createArticleShared(ctx context.Context, d mapping.ArticleDecision) (mapping.Article, error) {
	mk := d.Lookup.MapKey()
	if a := r.view.cachedArticle(mk); a != nil && a.ID != "" {
		return *a, nil
	}
	v, err, _ := r.creates.Do("article\x00"+mk, func() (any, error) {
		if a := r.view.cachedArticle(mk); a != nil && a.ID != "" {
			return *a, nil
		}
		if r.isUnsettled(unsettledKey("article", mk)) {
			return nil, notYetVisible(fmt.Sprintf(text.Template("reason.what_article"), d.Create.Code))
		}
		cr, err := r.p.createArticleOnce(ctx, d.Lookup, *d.Create)
		if cr.Unsettled {
			r.setUnsettled(unsettledKey("article", mk), true)
		}
		if err != nil {
			r.view.removeArticle(mk) // asked again, not taken from this run's "not found"
			return nil, text.Errorf("reason.create_article", d.Create.Code, err)
		}
		return r.remember(ctx, mk, mapping.ArticleFrom(cr.Article))
	})
	if err != nil {
		return mapping.Article{}, err
	}
	return v.(mapping.Article), nil
}

// updateArticle applies articles.mode = add_update: the description and price the plan wants
// (at most once per article per run).
func (r *run) updateArticle(ctx context.Context, mk string, want mapping.Article) (mapping.Article, error) {
	if a := r.view.cachedArticle(mk); a != nil && a.UpToDate {
		return *a, nil
	}
	cur, err := r.p.ledger.FindArticles(ctx, sdk.ArticleQuery{ID: want.ID})
	if err != nil {
		return mapping.Article{}, text.Errorf("reason.read_article_update", want.Code, err)
	}
	if len(cur) == 0 {
		return want, nil
	}
	next := cur[0]
	next.Description = want.Description
	next.SalesPrice = want.SalesPrice
	upd, err := r.p.ledger.UpdateArticle(ctx, next)
	if err != nil {
		return mapping.Article{}, text.Errorf("reason.update_article", want.Code, err)
	}
	if upd.ID == "" {
		upd = next
	}
	return r.remember(ctx, mk, mapping.ArticleFrom(upd))
}

// remember stores an article read from or written to the ledger, in the store and the run's
// view.
func (r *run) remember(ctx context.Context, mk string, a mapping.Article) (mapping.Article, error) {
	rec := &ArticleMapRecord{
		ArticleID: a.ID, Code: a.Code, Description: a.Description, RevenueGroupID: a.RevenueGroupID,
		SalesPrice: a.SalesPrice, Composite: a.Composite, Components: a.Components,
		FetchedAt: r.p.now(),
	}
	if err := r.p.putArticleMap(ctx, mk, rec); err != nil {
		return mapping.Article{}, fmt.Errorf("remember article %s: %w", a.Code, err)
	}
	if prev := r.view.cachedArticle(mk); prev != nil {
		a.UpToDate = prev.UpToDate
	}
	r.view.addArticle(mk, &a)
	return a, nil
}

// putArticleMap writes an article map record and, in the same transaction, deletes the
// article's intent if one is left (the article is known now, so a create's outcome is settled).
func (p *Pipeline) putArticleMap(ctx context.Context, mk string, rec *ArticleMapRecord) error {
	ik := state.MapKey(p.profile, MapArticleIntent, mk)
	return p.store.Update(ctx, func(tx *state.Tx) error {
		if err := tx.Put(state.MapKey(p.profile, state.MapArticle, mk), rec); err != nil {
			return err
		}
		if _, ok, err := state.Get[ArticleIntentRecord](ctx, tx, ik); err != nil || !ok {
			return err
		}
		return tx.Delete(ik)
	})
}

// forgetArticles drops the remembered articles of a refused order, so a retry reads them again
// (an article may have been deleted or changed in SnelStart).
func (r *run) forgetArticles(ctx context.Context, keys []string) {
	for _, mk := range keys {
		r.view.removeArticle(mk)
		if err := state.Delete(ctx, r.p.store, state.MapKey(r.p.profile, state.MapArticle, mk)); err != nil {
			r.p.log.Warn("could not forget a remembered article", "key", mk, "error", err)
		}
	}
}

// lineArticleKeys are the map keys of the articles of a plan's product and charge lines.
func lineArticleKeys(plan *mapping.Plan) []string {
	var keys []string
	for _, l := range plan.Lines {
		if l.Article >= 0 && (l.Kind == mapping.LineProduct || l.Kind == mapping.LineCharge) {
			keys = append(keys, plan.Articles[l.Article].Lookup.MapKey())
		}
	}
	return keys
}

// loadReference fetches the reference data (one ledger call) and resolves the profile's
// settings against it. A setting naming something the administration lacks stops the run.
func (p *Pipeline) loadReference(ctx context.Context) (*mapping.Reference, error) {
	ref, err := p.ledger.ReferenceData(ctx)
	if err != nil {
		return nil, serviceError(sideLedger, err, "reason.step.reference_data")
	}
	rd, err := mapping.ResolveReference(p.prof, ref)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errAbort, err.Error())
	}
	return rd, nil
}
