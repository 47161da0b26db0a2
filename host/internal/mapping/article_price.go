package mapping

import "github.com/koppel-nl/koppel/sdk"

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
