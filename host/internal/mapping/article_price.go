package mapping

import (
	"context"

	"github.com/koppel-nl/koppel/sdk"
)

// ProductView is implemented by a View that can look a product up in the shop. With
// articles.mode = "add_update" the planner then keeps an existing article's price equal to the
// shop product's regular price (never an order line's price, which may be a sale price or carry
// a coupon).
type ProductView interface {
	// ShopProduct returns the shop's product with code sku (nil when the shop has none).
	ShopProduct(ctx context.Context, sku string) (*sdk.Product, error)
}

// regularPrice returns the stored price SnelStart should have for the shop product sku (its
// regular price on the administration's basis and decimals), when the view can tell.
func (op *orderPlan) regularPrice(ctx context.Context, sku string, groupID string) (sdk.Money, bool, error) {
	pv, ok := op.p.view.(ProductView)
	if !ok || sku == "" {
		return sdk.Money{}, false, nil
	}
	pr, err := pv.ShopProduct(ctx, sku)
	if err != nil || pr == nil || pr.Price.IsZero() {
		return sdk.Money{}, false, err
	}
	var rate sdk.Money
	if pr.TaxRate != nil {
		rate = *pr.TaxRate
	} else if _, pct, ok := op.p.home().ref.VATOf(groupID, op.o.CreatedAt); ok {
		rate = pct
	}
	return op.p.ref.StoredPrice(ArticlePrice(pr.Price, pr.PriceIncludesTax, rate)), true, nil
}

// ArticlePrice returns a shop price on both bases: price is including VAT when inclVAT, at the
// VAT percentage rate. The connector writes the basis the administration keeps.
func ArticlePrice(price sdk.Money, inclVAT bool, rate sdk.Money) sdk.ArticlePrice {
	factor := one.Add(rate.Div(hundred))
	if inclVAT {
		return sdk.ArticlePrice{Excl: price.DivRound(factor, 6), Incl: price}
	}
	return sdk.ArticlePrice{Excl: price, Incl: price.Mul(factor).Round(6)}
}

// StoredPrice is the verkoopprijs SnelStart keeps for p: the price including VAT when the
// article file holds prices including VAT (companyInfo verkoopprijsArtikelbestandExclusiefBtw
// false), else excluding, rounded to the administration's price decimals (2 when unknown).
func (rd *Reference) StoredPrice(p sdk.ArticlePrice) sdk.Money {
	n := rd.Data.Company.PriceDecimals
	if n <= 0 {
		n = 2
	}
	if rd.Data.Company.ArticlePricesInclVAT {
		return p.Incl.Round(int32(n))
	}
	return p.Excl.Round(int32(n))
}
