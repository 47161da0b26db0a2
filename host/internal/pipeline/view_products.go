package pipeline

import (
	"context"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// ShopProduct implements mapping.ProductView: the shop's product with code sku (nil when the shop
// has none), asked once per run and code (FindProducts).
func (v *ledgerView) ShopProduct(ctx context.Context, sku string) (*sdk.Product, error) {
	v.mu.Lock()
	pr, ok := v.products[sku]
	v.mu.Unlock()
	if ok {
		return pr, nil
	}
	found, err := v.p.shop.FindProducts(ctx, []string{sku})
	if err != nil {
		return nil, text.Errorf("reason.lookup_product", sku, err)
	}
	pr = nil
	for i := range found {
		if found[i].SKU == sku {
			pr = &found[i]
			break
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.products == nil {
		v.products = map[string]*sdk.Product{}
	}
	v.products[sku] = pr
	return pr, nil
}
