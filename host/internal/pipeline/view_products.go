package pipeline

import (
	"context"
	"fmt"

	"github.com/koppel-nl/koppel/sdk"
)

// ShopProduct implements mapping.ProductView: the shop's product with code sku (nil when the shop
// has none), asked once per run and code (FindProducts).
func (v *ledgerView) ShopProduct(ctx context.Context, sku string) (*sdk.Product, error) {
	if v.products == nil {
		v.products = map[string]*sdk.Product{}
	}
	if pr, ok := v.products[sku]; ok {
		return pr, nil
	}
	found, err := v.p.shop.FindProducts(ctx, []string{sku})
	if err != nil {
		return nil, fmt.Errorf("look up product %s in the shop: %w", sku, err)
	}
	var pr *sdk.Product
	for i := range found {
		if found[i].SKU == sku {
			pr = &found[i]
			break
		}
	}
	v.products[sku] = pr
	return pr, nil
}
