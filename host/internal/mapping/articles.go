package mapping

import (
	"context"
	"fmt"
	"strings"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// ProductKey is the look-up of a shop product code, following articles.code_field.
func (p *Planner) ProductKey(sku string) ArticleKey {
	if f, ok := p.prof.Articles.ExtraField(); ok {
		return ArticleKey{ExtraField: f, Value: sku}
	}
	return ArticleKey{Value: sku}
}

// addArticle adds a decision and returns its index.
func (op *orderPlan) addArticle(d ArticleDecision) int {
	op.plan.Articles = append(op.plan.Articles, d)
	i := len(op.plan.Articles) - 1
	op.arts[d.Lookup.MapKey()] = i
	return i
}

// article returns (a copy of) the article of decision i.
func (op *orderPlan) article(i int) *Article {
	a := op.plan.Articles[i].Article
	return &a
}

// find returns the article for k, from this plan's decisions or the view, with its decision's
// index; nil when SnelStart has no active article for it and none is planned.
func (op *orderPlan) find(ctx context.Context, k ArticleKey, setting string) (*Article, int, error) {
	if i, ok := op.arts[k.MapKey()]; ok {
		return op.article(i), i, nil
	}
	a, fromLedger, err := op.p.view.Article(ctx, k)
	if err != nil || a == nil {
		return nil, -1, err
	}
	i := op.addArticle(ArticleDecision{Action: ArticleFound, Lookup: k, Article: *a, Remember: fromLedger, Setting: setting})
	return op.article(i), i, nil
}

// configuredArticle returns the article of a code from the profile (shipping_article,
// fallback_article...): it must exist in SnelStart, koppel never creates it.
func (op *orderPlan) configuredArticle(ctx context.Context, setting, code string) (*Article, int, error) {
	a, i, err := op.find(ctx, ArticleKey{Value: code}, setting)
	if err != nil {
		return nil, -1, err
	}
	if a == nil {
		return nil, -1, Refusef(text.Template("reason.setting_article_inactive"), setting, code)
	}
	return a, i, nil
}

// lineArticle decides the article for a product line: found by articles.code_field, created
// (mode add / add_update) or replaced by orders.fallback_article. fallback reports that the
// fallback article is used.
func (op *orderPlan) lineArticle(ctx context.Context, n int, l sdk.OrderLine) (a *Article, idx int, fallback bool, err error) {
	ap := op.p.prof.Articles
	o := op.p.prof.Orders
	w := &op.w
	sku := strings.TrimSpace(l.SKU)
	useFallback := func(why string) (*Article, int, bool, error) {
		if o.FallbackArticle == "" {
			return nil, -1, false, Refusef(text.Template("reason.line_no_article"), lineLabel(n, l), why)
		}
		fa, i, err := op.configuredArticle(ctx, "fallback_article", o.FallbackArticle)
		if err != nil {
			return nil, -1, false, err
		}
		w.Add(text.Template("reason.fallback_used"), lineLabel(n, l), why, o.FallbackArticle)
		return fa, i, true, nil
	}
	if sku == "" {
		return useFallback(text.Template("reason.no_sku"))
	}
	k := op.p.ProductKey(sku)
	a, idx, err = op.find(ctx, k, "")
	if err != nil {
		return nil, -1, false, err
	}
	if a != nil {
		if ap.Mode == config.ModeAddUpdate && op.plan.Articles[idx].Action != ArticleCreate {
			if err := op.updateArticle(ctx, idx, l); err != nil {
				return nil, -1, false, err
			}
			a = op.article(idx)
		}
		return a, idx, false, nil
	}
	if ap.Mode == config.ModeManual {
		return useFallback(fmt.Sprintf(text.Template("reason.article_manual"), k))
	}
	group, ok := op.p.ref.GroupForRate(l.TaxRate)
	if !ok {
		if o.FallbackArticle != "" {
			return useFallback(fmt.Sprintf(text.Template("reason.article_no_group_fallback"), k, l.TaxRate))
		}
		return nil, -1, false, Refusef(text.Template("reason.article_no_group"),
			lineLabel(n, l), k, l.TaxRate)
	}
	price := ArticlePrice(listPriceExcl(l), false, l.TaxRate)
	na := sdk.Article{
		Code:           sku,
		Description:    w.Cut(FirstNonEmpty(l.Name, sku), MaxLineText, fmt.Sprintf(text.Template("reason.field.new_article"), sku)),
		RevenueGroupID: group,
		SalesPrice:     op.p.ref.StoredPrice(price),
		Price:          &price,
	}
	if k.ExtraField != "" {
		na.ExtraFields = map[string]string{k.ExtraField: sku}
	}
	idx = op.addArticle(ArticleDecision{Action: ArticleCreate, Lookup: k, Article: ArticleFrom(na), Create: &na})
	return op.article(idx), idx, false, nil
}

// updateArticle applies articles.mode = add_update to decision i: the description of the
// article is brought up to date from the order line when it differs, and its price from the
// shop product's regular price when the view can look the product up (ProductView). The price
// never comes from the order line, which carries the price paid (a sale price, a coupon).
func (op *orderPlan) updateArticle(ctx context.Context, i int, l sdk.OrderLine) error {
	d := &op.plan.Articles[i]
	if d.Article.UpToDate {
		return nil
	}
	desc := strings.TrimSpace(l.Name)
	if UTFLen(desc) > MaxLineText || desc == "" {
		desc = d.Article.Description
	}
	price, havePrice, err := op.regularPrice(ctx, l.SKU, d.Article.RevenueGroupID)
	if err != nil {
		return text.Errorf("reason.lookup_product_price", l.SKU, err)
	}
	if desc == d.Article.Description && (!havePrice || price.Equal(d.Article.SalesPrice)) {
		return nil
	}
	d.Action = ArticleUpdate
	d.Article.Description = desc
	if havePrice {
		d.Article.SalesPrice = price
	}
	return nil
}

// componentArticle resolves a component of a composite article to its article id and decision
// (-1 when the component names its id).
func (op *orderPlan) componentArticle(ctx context.Context, c sdk.Component) (string, int, error) {
	if c.ArticleID != "" {
		return c.ArticleID, -1, nil
	}
	a, i, err := op.find(ctx, ArticleKey{Value: c.Code}, "")
	if err != nil {
		return "", -1, err
	}
	if a == nil {
		return "", -1, Refusef(text.Template("reason.component_inactive"), c.Code)
	}
	return a.ID, i, nil
}

// listPriceExcl is the product's price excluding VAT before line discounts, for new articles.
func listPriceExcl(l sdk.OrderLine) sdk.Money {
	if l.Quantity.IsZero() {
		return l.UnitPriceExcl.Round(4)
	}
	return l.TotalExcl.Add(l.Discount).Div(l.Quantity).Round(4)
}

// lineLabel names an order line in messages: its position, code and product name.
func lineLabel(n int, l sdk.OrderLine) string {
	return fmt.Sprintf(text.Template("reason.line"), n, l.SKU, l.Name)
}
