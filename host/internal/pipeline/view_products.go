package pipeline

import (
	"context"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// ShopProduct implements mapping.ProductView: the shop's product with code sku (nil when the shop
// has none), asked once per run and code (FindProducts). Orders planned at the same moment that
// need the same product share one look-up.
func (v *ledgerView) ShopProduct(ctx context.Context, sku string) (*sdk.Product, error) {
	if pr, ok := v.product(sku); ok {
		return pr, nil
	}
	res, err, _ := v.lookups.Do("product\x00"+sku, func() (any, error) {
		if pr, ok := v.product(sku); ok {
			return pr, nil
		}
		found, err := v.p.shop.FindProducts(ctx, []string{sku})
		if err != nil {
			return nil, text.Errorf("reason.lookup_product", sku, err)
		}
		var pr *sdk.Product
		for i := range found {
			if found[i].SKU == sku {
				pr = &found[i]
				break
			}
		}
		v.mu.Lock()
		defer v.mu.Unlock()
		v.products.Add(sku, pr)
		return pr, nil
	})
	if err != nil {
		return nil, err
	}
	return res.(*sdk.Product), nil
}

// product returns the run's entry for the shop product sku (nil: the shop has none).
func (v *ledgerView) product(sku string) (*sdk.Product, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.products.Get(sku)
}
