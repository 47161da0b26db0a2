package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// articleKey is how an article is looked up: by artikelcode, or by the value of an extra field.
type articleKey struct {
	extraField string // "" = artikelcode
	value      string
}

func (k articleKey) mapKey() string {
	if k.extraField == "" {
		return "code:" + k.value
	}
	return "extra:" + k.extraField + ":" + k.value
}

func (k articleKey) String() string {
	if k.extraField == "" {
		return fmt.Sprintf("article code %q", k.value)
	}
	return fmt.Sprintf("%q in extra field %q", k.value, k.extraField)
}

// productKey is the look-up of a shop product code, following articles.code_field.
func (r *run) productKey(sku string) articleKey {
	if f, ok := r.p.prof.Articles.ExtraField(); ok {
		return articleKey{extraField: f, value: sku}
	}
	return articleKey{value: sku}
}

// findArticle returns the article for k, from the run's cache, the state store (when fetched
// within ArticleCacheAge) or the ledger; nil when SnelStart has no active article for it.
func (r *run) findArticle(ctx context.Context, k articleKey) (*ArticleMapRecord, error) {
	mk := k.mapKey()
	if a, ok := r.articles[mk]; ok {
		return a, nil
	}
	rec, ok, err := state.Get[ArticleMapRecord](ctx, r.p.store, state.MapKey(r.p.profile, state.MapArticle, mk))
	if err != nil {
		return nil, fmt.Errorf("read the article map: %w", err)
	}
	if ok && r.p.now().Sub(rec.FetchedAt) < ArticleCacheAge {
		r.articles[mk] = &rec
		return &rec, nil
	}
	q := sdk.ArticleQuery{Code: k.value}
	if k.extraField != "" {
		q = sdk.ArticleQuery{ExtraField: k.extraField, ExtraValue: k.value}
	}
	found, err := r.p.ledger.FindArticles(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("look up %s: %w", k, err)
	}
	var hit *sdk.Article
	for i := range found {
		a := &found[i]
		if a.ID == "" || a.Inactive {
			continue
		}
		if k.extraField == "" && a.Code != k.value {
			continue
		}
		hit = a
		break
	}
	if hit == nil {
		r.articles[mk] = nil
		return nil, nil
	}
	return r.remember(ctx, mk, *hit)
}

// remember stores an article read from or written to the ledger.
func (r *run) remember(ctx context.Context, mk string, a sdk.Article) (*ArticleMapRecord, error) {
	rec := &ArticleMapRecord{
		ArticleID: a.ID, Code: a.Code, Description: a.Description, RevenueGroupID: a.RevenueGroupID,
		SalesPrice: a.SalesPrice, Composite: a.Composite, Components: a.Components, Inactive: a.Inactive,
		FetchedAt: r.p.now(),
	}
	if err := r.p.putArticleMap(ctx, mk, rec); err != nil {
		return nil, fmt.Errorf("remember article %s: %w", a.Code, err)
	}
	r.articles[mk] = rec
	return rec, nil
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
		delete(r.articles, mk)
		if err := state.Delete(ctx, r.p.store, state.MapKey(r.p.profile, state.MapArticle, mk)); err != nil {
			r.p.log.Warn("could not forget a remembered article", "key", mk, "error", err)
		}
	}
}

// configuredArticle returns the article of a code from the profile (shipping_article,
// fallback_article...): it must exist in SnelStart, koppel never creates it.
func (r *run) configuredArticle(ctx context.Context, setting, code string) (*ArticleMapRecord, error) {
	a, err := r.findArticle(ctx, articleKey{value: code})
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, refusef("orders.%s = %q is not an active article in SnelStart; create it (or correct the setting), then retry", setting, code)
	}
	return a, nil
}

// lineArticle returns the article for a product line: found by articles.code_field, created
// (mode add / add_update) or replaced by orders.fallback_article. fallback reports that the
// fallback article is used.
func (r *run) lineArticle(ctx context.Context, rd *runData, n int, l sdk.OrderLine, w *warnings) (a *ArticleMapRecord, fallback bool, err error) {
	ap := r.p.prof.Articles
	op := r.p.prof.Orders
	sku := strings.TrimSpace(l.SKU)
	useFallback := func(why string) (*ArticleMapRecord, bool, error) {
		if op.FallbackArticle == "" {
			return nil, false, refusef("%s: %s, and orders.fallback_article is not set; give the product a code that exists in SnelStart (or set fallback_article), then retry", lineLabel(n, l), why)
		}
		fa, err := r.configuredArticle(ctx, "fallback_article", op.FallbackArticle)
		if err != nil {
			return nil, false, err
		}
		w.add("%s: %s; booked on fallback article %s", lineLabel(n, l), why, op.FallbackArticle)
		return fa, true, nil
	}
	if sku == "" {
		return useFallback("the product has no code (SKU)")
	}
	k := r.productKey(sku)
	a, err = r.findArticle(ctx, k)
	if err != nil {
		return nil, false, err
	}
	if a != nil {
		if ap.Mode == config.ModeAddUpdate {
			if a, err = r.updateArticle(ctx, k, a, l); err != nil {
				return nil, false, err
			}
		}
		return a, false, nil
	}
	if ap.Mode == config.ModeManual {
		return useFallback(fmt.Sprintf("SnelStart has no article with %s and articles.mode is \"manual\"", k))
	}
	group, ok := rd.groupForRate(l.TaxRate)
	if !ok {
		if op.FallbackArticle != "" {
			return useFallback(fmt.Sprintf("SnelStart has no article with %s and no omzetgroep is set for %s%% VAT to create it", k, l.TaxRate))
		}
		return nil, false, refusef("%s: SnelStart has no article with %s, and koppel cannot create it: articles.revenue_group (or revenue_group_by_vat for %s%%) is not set; set it, or create the article in SnelStart, then retry",
			lineLabel(n, l), k, l.TaxRate)
	}
	na := sdk.Article{
		Code:           sku,
		Description:    w.cut(firstNonEmpty(l.Name, sku), maxLineText, fmt.Sprintf("the description of new article %s", sku)),
		RevenueGroupID: group,
		SalesPrice:     listPriceExcl(l),
	}
	if k.extraField != "" {
		na.ExtraFields = map[string]string{k.extraField: sku}
	}
	mk := k.mapKey()
	if r.unsettled[unsettledKey("article", mk)] {
		return nil, false, notYetVisible(fmt.Sprintf("article %s", sku))
	}
	cr, err := r.p.createArticleOnce(ctx, k, na)
	if cr.Unsettled {
		r.unsettled[unsettledKey("article", mk)] = true
	}
	if err != nil {
		delete(r.articles, mk) // asked again, not taken from this run's "not found"
		return nil, false, fmt.Errorf("create article %s: %w", sku, err)
	}
	rec, err := r.remember(ctx, mk, cr.Article)
	return rec, false, err
}

// updateArticle applies articles.mode = add_update: the description and price of the article are
// kept up to date from the shop (at most once per article per run).
func (r *run) updateArticle(ctx context.Context, k articleKey, a *ArticleMapRecord, l sdk.OrderLine) (*ArticleMapRecord, error) {
	if r.updatedArticles[a.ArticleID] {
		return a, nil
	}
	r.updatedArticles[a.ArticleID] = true
	desc := strings.TrimSpace(l.Name)
	if utfLen(desc) > maxLineText || desc == "" {
		return a, nil
	}
	price := listPriceExcl(l)
	if desc == a.Description && price.Equal(a.SalesPrice) {
		return a, nil
	}
	cur, err := r.p.ledger.FindArticles(ctx, sdk.ArticleQuery{ID: a.ArticleID})
	if err != nil {
		return nil, fmt.Errorf("read article %s to update it: %w", a.Code, err)
	}
	if len(cur) == 0 {
		return a, nil
	}
	next := cur[0]
	next.Description = desc
	next.SalesPrice = price
	upd, err := r.p.ledger.UpdateArticle(ctx, next)
	if err != nil {
		return nil, fmt.Errorf("update article %s: %w", a.Code, err)
	}
	if upd.ID == "" {
		upd = next
	}
	return r.remember(ctx, k.mapKey(), upd)
}

// componentArticle resolves a component of a composite article to its article id.
func (r *run) componentArticle(ctx context.Context, c sdk.Component) (string, error) {
	if c.ArticleID != "" {
		return c.ArticleID, nil
	}
	a, err := r.findArticle(ctx, articleKey{value: c.Code})
	if err != nil {
		return "", err
	}
	if a == nil {
		return "", refusef("component %s of a composite article (recipe) is not an active article in SnelStart", c.Code)
	}
	return a.ArticleID, nil
}

// listPriceExcl is the product's price excluding VAT before line discounts, for new articles.
func listPriceExcl(l sdk.OrderLine) sdk.Money {
	if l.Quantity.IsZero() {
		return l.UnitPriceExcl.Round(4)
	}
	return l.TotalExcl.Add(l.Discount).Div(l.Quantity).Round(4)
}

func utfLen(s string) int { return len([]rune(s)) }

// lineLabel names an order line in messages: its position, code and product name.
func lineLabel(n int, l sdk.OrderLine) string {
	return fmt.Sprintf("line %d (code %q, %q)", n, l.SKU, l.Name)
}
