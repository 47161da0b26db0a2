package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// ArticleStatus is what import_articles did with one shop product.
type ArticleStatus string

// Article statuses.
const (
	// ArticleCreated: SnelStart had no article for the product; koppel created it.
	ArticleCreated ArticleStatus = "created"
	// ArticleUpdated: articles.mode = add_update and the description or price differed.
	ArticleUpdated ArticleStatus = "updated"
	// ArticleLinked: SnelStart already had the article; nothing to change.
	ArticleLinked ArticleStatus = "linked"
	// ArticleSkipped: nothing to do (no SKU, a variable parent, manual mode, inactive article).
	ArticleSkipped ArticleStatus = "skipped"
	// ArticleFailed: refused (by SnelStart or by a check of koppel); retried when the product
	// changes in the shop.
	ArticleFailed ArticleStatus = "failed"
	// ArticleRetrying: a transient failure; the next run tries it again.
	ArticleRetrying ArticleStatus = "retrying"
)

// ArticleOutcome is the result of one product in an import_articles run.
type ArticleOutcome struct {
	ProductID string        `json:"product_id"`
	SKU       string        `json:"sku"`
	Status    ArticleStatus `json:"status"`
	// ArticleID is the SnelStart article (created, updated or linked).
	ArticleID string `json:"article_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// ArticleSummary is what an import_articles run did.
type ArticleSummary struct {
	Listed   int `json:"listed"`
	Created  int `json:"created"`
	Updated  int `json:"updated"`
	Linked   int `json:"linked"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	Retrying int `json:"retrying"`
	// Items holds the outcome per product except linked ones, at most MaxRunOrders.
	Items     []ArticleOutcome `json:"items,omitempty"`
	Truncated bool             `json:"truncated,omitempty"`
}

// ImportArticles runs import_articles once: the shop's products changed since articles.since
// (or since the stored cursor, cursor/<profile>/import_articles) become SnelStart articles per
// articles.mode and code_field. A product is looked up first (by artikelcode or extra field),
// so nothing is created twice; add creates what is missing in the omzetgroep of
// articles.revenue_group_by_vat / revenue_group, add_update also brings description and price
// (excluding VAT) up to date, manual only links what exists. Variations are imported, their
// variable parent is not. The run takes the profile's import_articles lock and is recorded
// under run/<profile>/<start>; the error is for what stops the whole run.
func (p *Pipeline) ImportArticles(ctx context.Context) (RunResult, error) {
	tr, err := p.importArticles(ctx)
	return tr.RunResult, err
}

// articleRun is the state of one import_articles run.
type articleRun struct {
	p           *Pipeline
	rd          *mapping.Reference
	sum         ArticleSummary
	res         *RunResult
	seen        map[string]bool
	parents     map[string]bool
	clean       bool
	cursor      string
	cursorDirty bool
	transient   int
	// dry is set for a preview (koppel plan import_articles): nothing is created, updated or
	// remembered, and the cursor stays; the outcomes say what would be done.
	dry bool
}

func (p *Pipeline) importArticles(ctx context.Context) (TaskRun, error) {
	if err := p.validate(); err != nil {
		return TaskRun{}, err
	}
	release, err := p.holdLock(ctx, TaskImportArticles)
	if err != nil {
		return TaskRun{}, err
	}
	defer release()
	tc := p.startTask()
	tr := TaskRun{RunResult: RunResult{Task: TaskImportArticles}}
	p.markInProgress(ctx, tc.start, tr)
	r := &articleRun{p: p, res: &tr.RunResult, seen: map[string]bool{}, parents: map[string]bool{}, clean: true}
	defer func() { tr.Articles = &r.sum }()
	cur, _, err := state.Get[CursorRecord](ctx, p.store, state.CursorKey(p.profile, TaskImportArticles))
	if err != nil {
		tr.Articles = &r.sum
		return p.finishTask(ctx, tc, tr, stateError(err, "reason.step.read_cursor", TaskImportArticles))
	}
	r.cursor = cur.Cursor
	var yieldErr error
	err = p.shop.ListProducts(ctx, sdk.ProductQuery{Since: p.prof.Articles.Since, Cursor: cur.Cursor}, func(it sdk.ProductItem) error {
		yieldErr = r.handle(ctx, it)
		return yieldErr
	})
	err = listingError(err, yieldErr, "reason.step.list_products")
	if ferr := r.flush(ctx); ferr != nil && err == nil {
		err = ferr
	}
	tr.Articles = &r.sum
	return p.finishTask(ctx, tc, tr, err)
}

func (r *articleRun) handle(ctx context.Context, it sdk.ProductItem) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pr := it.Product
	if pr.ParentID != "" {
		r.parents[pr.ParentID] = true
	}
	key := pr.ID + "\x00" + pr.ParentID
	if r.seen[key] {
		r.advance(it.Cursor)
		return nil
	}
	r.seen[key] = true
	r.sum.Listed++
	out, terminal, err := r.process(ctx, pr)
	if err != nil {
		return err
	}
	r.add(out)
	if terminal {
		r.advance(it.Cursor)
		r.transient = 0
	} else {
		r.clean = false
		r.transient++
		if r.transient >= maxConsecutiveTransient {
			r.res.Stopped = fmt.Sprintf(text.Template("reason.run.transient_products"), r.transient, pr.SKU)
			return errStopRun
		}
	}
	if r.sum.Listed%100 == 0 {
		return r.flush(ctx)
	}
	return nil
}

func (r *articleRun) add(out ArticleOutcome) {
	switch out.Status {
	case ArticleCreated:
		r.sum.Created++
		r.res.Imported++
	case ArticleUpdated:
		r.sum.Updated++
		r.res.Imported++
	case ArticleLinked:
		r.sum.Linked++
		r.res.AlreadyPresent++
		return // linked products are the bulk of a run: counted, not listed
	case ArticleFailed:
		r.sum.Failed++
		r.res.Failed++
	case ArticleRetrying:
		r.sum.Retrying++
		r.res.Retrying++
	default:
		r.sum.Skipped++
		r.res.Skipped++
	}
	if len(r.sum.Items) >= MaxRunOrders {
		r.sum.Truncated = true
		return
	}
	r.sum.Items = append(r.sum.Items, out)
}

func (r *articleRun) advance(cursor string) {
	if !r.clean || cursor == "" || cursor == r.cursor {
		return
	}
	r.cursor, r.cursorDirty = cursor, true
}

func (r *articleRun) flush(ctx context.Context) error {
	if !r.cursorDirty || r.dry {
		return nil
	}
	if err := state.Put(ctx, r.p.store, state.CursorKey(r.p.profile, TaskImportArticles), CursorRecord{Cursor: r.cursor, UpdatedAt: r.p.now()}); err != nil {
		return abortState(err, "reason.step.store_cursor", TaskImportArticles)
	}
	r.cursorDirty = false
	return nil
}

// process handles one product and says whether the cursor may move past it. An error stops
// the run.
func (r *articleRun) process(ctx context.Context, pr sdk.Product) (ArticleOutcome, bool, error) {
	p := r.p
	sku := strings.TrimSpace(pr.SKU)
	out := ArticleOutcome{ProductID: pr.ID, SKU: sku}
	switch {
	case r.parents[pr.ID] && pr.ParentID == "":
		out.Status, out.Reason = ArticleSkipped, text.Template("reason.variations")
		return out, true, nil
	case sku == "":
		out.Status, out.Reason = ArticleSkipped, fmt.Sprintf(text.Template("reason.product_no_sku"), pr.Name)
		return out, true, nil
	}
	k := mapping.ArticleKey{Value: sku}
	if f, ok := p.prof.Articles.ExtraField(); ok {
		k = mapping.ArticleKey{ExtraField: f, Value: sku}
	}
	a, inactive, err := r.lookup(ctx, k)
	if err == nil {
		switch {
		case a != nil && p.prof.Articles.Mode == config.ModeAddUpdate:
			out, err = r.update(ctx, k, a, pr, out)
		case a != nil:
			out.Status, out.ArticleID = ArticleLinked, a.ID
		case inactive:
			out.Status, out.Reason = ArticleSkipped, fmt.Sprintf(text.Template("reason.article_inactive"), k)
		case p.prof.Articles.Mode == config.ModeManual:
			out.Status, out.Reason = ArticleSkipped, fmt.Sprintf(text.Template("reason.article_manual"), k)
		default:
			out, err = r.create(ctx, k, pr, out)
		}
	}
	if err == nil {
		return out, true, nil
	}
	switch classify(err) {
	case classAbort:
		return out, false, err
	case classTransient:
		if ctx.Err() != nil {
			return out, false, ctx.Err()
		}
		out.Status, out.Reason = ArticleRetrying, reasonOf(err)
		p.log.Warn("article import failed, retried on the next run", "sku", sku, "reason", out.Reason)
		return out, false, nil
	default:
		out.Status, out.Reason = ArticleFailed, reasonOf(err)
		p.log.Warn("article import refused", "sku", sku, "reason", out.Reason)
		return out, true, nil
	}
}

// lookup finds the active article for k in the ledger (always asked: the map may be stale and
// a create must never be repeated). inactive reports an inactive article with that code.
func (r *articleRun) lookup(ctx context.Context, k mapping.ArticleKey) (a *sdk.Article, inactive bool, err error) {
	a, inactive, err = r.p.findActiveArticle(ctx, k)
	if err != nil || a == nil {
		return nil, inactive, err
	}
	return a, false, r.remember(ctx, k, *a)
}

// remember writes the article to map/<profile>/article/<key>, the map import_orders reads.
func (r *articleRun) remember(ctx context.Context, k mapping.ArticleKey, a sdk.Article) error {
	if r.dry {
		return nil
	}
	rec := ArticleMapRecord{
		ArticleID: a.ID, Code: a.Code, Description: a.Description, RevenueGroupID: a.RevenueGroupID,
		SalesPrice: a.SalesPrice, Composite: a.Composite, Components: a.Components, Inactive: a.Inactive,
		FetchedAt: r.p.now(),
	}
	if err := r.p.putArticleMap(ctx, k.MapKey(), &rec); err != nil {
		return abortState(err, "reason.step.remember_article", a.Code)
	}
	return nil
}

func (r *articleRun) runData(ctx context.Context) (*mapping.Reference, error) {
	if r.rd != nil {
		return r.rd, nil
	}
	rd, err := r.p.loadReference(ctx)
	if err != nil {
		if classify(err) == classAbort {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errAbort, err)
	}
	r.rd = rd
	return rd, nil
}

// create makes the SnelStart article for a product SnelStart lacks.
func (r *articleRun) create(ctx context.Context, k mapping.ArticleKey, pr sdk.Product, out ArticleOutcome) (ArticleOutcome, error) {
	rd, err := r.runData(ctx)
	if err != nil {
		return out, err
	}
	var rate sdk.Money
	if pr.TaxRate != nil {
		rate = *pr.TaxRate
	}
	group, ok := rd.GroupForRate(rate)
	if pr.TaxRate == nil {
		group, ok = rd.GroupDefault, rd.GroupDefault != ""
	}
	if !ok {
		what := text.Template("reason.no_tax_rate")
		if pr.TaxRate != nil {
			what = fmt.Sprintf(text.Template("reason.no_group_for_rate"), rate)
		}
		return out, refusef(text.Template("reason.article_cannot_create"), k, what)
	}
	var w mapping.Warnings
	na := sdk.Article{
		Code:           k.Value,
		Description:    w.Cut(mapping.FirstNonEmpty(pr.Name, k.Value), mapping.MaxLineText, fmt.Sprintf(text.Template("reason.field.new_article"), k.Value)),
		RevenueGroupID: group,
	}
	both := r.price(rd, pr, group)
	na.Price, na.SalesPrice = &both, rd.StoredPrice(both)
	if k.ExtraField != "" {
		na.ExtraFields = map[string]string{k.ExtraField: k.Value}
	}
	if r.dry {
		g := rd.Groups[group]
		w.Add(text.Template("reason.article_would_create"), na.Description, g.Number, g.Description, mapping.Money(na.SalesPrice))
		out.Status, out.Reason = ArticleCreated, strings.Join(w, "; ")
		return out, nil
	}
	cr, err := r.p.createArticleOnce(ctx, k, na)
	if err != nil {
		return out, text.Errorf("reason.create_article", k.Value, err)
	}
	created := cr.Article
	if err := r.remember(ctx, k, created); err != nil {
		return out, err
	}
	if cr.Adopted {
		w.Add("%s", text.Template("reason.article_adopted"))
	}
	out.Status, out.ArticleID = ArticleCreated, created.ID
	out.Reason = strings.Join(w, "; ")
	return out, nil
}

// update applies add_update: description and price from the shop when they differ.
func (r *articleRun) update(ctx context.Context, k mapping.ArticleKey, a *sdk.Article, pr sdk.Product, out ArticleOutcome) (ArticleOutcome, error) {
	out.ArticleID = a.ID
	desc := strings.TrimSpace(pr.Name)
	var price sdk.Money
	var both sdk.ArticlePrice
	havePrice := !pr.Price.IsZero()
	if havePrice {
		rd, err := r.runData(ctx)
		if err != nil {
			return out, err
		}
		both = r.price(rd, pr, a.RevenueGroupID)
		price = rd.StoredPrice(both)
	}
	if desc == "" || mapping.UTFLen(desc) > mapping.MaxLineText {
		desc = a.Description
	}
	if desc == a.Description && (!havePrice || price.Equal(a.SalesPrice)) {
		out.Status = ArticleLinked
		return out, nil
	}
	next := *a
	next.Description = desc
	if havePrice {
		next.SalesPrice, next.Price = price, &both
	}
	if r.dry {
		out.Status = ArticleUpdated
		out.Reason = fmt.Sprintf(text.Template("reason.article_would_update"), next.Description, mapping.Money(next.SalesPrice), a.Description, mapping.Money(a.SalesPrice))
		return out, nil
	}
	upd, err := r.p.ledger.UpdateArticle(ctx, next)
	if err != nil {
		return out, text.Errorf("reason.update_article", a.Code, err)
	}
	if upd.ID == "" {
		upd = next
	}
	if err := r.remember(ctx, k, upd); err != nil {
		return out, err
	}
	out.Status = ArticleUpdated
	return out, nil
}

// price is the product's regular price on both bases (the connector writes the one the
// administration keeps, rounded to its price decimals), at the shop's VAT rate, or else the
// rate of the article's omzetgroep today.
func (r *articleRun) price(rd *mapping.Reference, pr sdk.Product, group string) sdk.ArticlePrice {
	var rate sdk.Money
	switch {
	case pr.TaxRate != nil:
		rate = *pr.TaxRate
	default:
		if _, pct, ok := rd.VATOf(group, r.p.now()); ok {
			rate = pct
		}
	}
	return mapping.ArticlePrice(pr.Price, pr.PriceIncludesTax, rate)
}
