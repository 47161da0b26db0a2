package magento

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// mapProduct converts a catalog product.
func (s *Shop) mapProduct(p *wireProduct) (sdk.Product, error) {
	t, err := parseTime(p.UpdatedAt)
	if err != nil {
		return sdk.Product{}, sdk.Errorf(sdk.KindPermanent, "product %q: %v", p.SKU, err)
	}
	out := sdk.Product{ID: strconv.FormatInt(int64(p.ID), 10), SKU: p.SKU, Name: p.Name, Price: p.Price.Decimal,
		PriceIncludesTax: s.mapOpt.PricesIncludeTax, ModifiedAt: t}
	if p.ExtensionAttributes != nil && p.ExtensionAttributes.StockItem != nil {
		si := p.ExtensionAttributes.StockItem
		manage := si.ManageStock == nil || *si.ManageStock
		if manage && (p.TypeID == "simple" || p.TypeID == "virtual" || p.TypeID == "") {
			out.ManagesStock = true
			q := si.Qty.Decimal
			out.Stock = &q
		}
	}
	return out, nil
}

// ListProducts streams products by updated_at, with the same cursor contract as ListOrders.
func (s *Shop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	if err := ctx.Err(); err != nil {
		return ctxErr(err)
	}
	return scan(ctx, s.api, scanSpec[*wireProduct]{
		path: "/products", since: q.Since, cursor: q.Cursor, pageSize: s.pageSize, overlap: s.overlap, settle: s.settle,
		fetch: s.fetchProducts,
		key: func(p *wireProduct) (time.Time, int64, error) {
			t, err := parseTime(p.UpdatedAt)
			if err != nil {
				return t, 0, sdk.Errorf(sdk.KindPermanent, "product %q: %v", p.SKU, err)
			}
			return t, int64(p.ID), nil
		},
		yield: func(p *wireProduct, cursor string) error {
			m, err := s.mapProduct(p)
			if err != nil {
				return err
			}
			return yield(sdk.ProductItem{Product: m, Cursor: cursor})
		},
	})
}

func (s *Shop) fetchProducts(ctx context.Context, c *criteria) ([]*wireProduct, int, error) {
	var page productPage
	if err := s.api.get(ctx, "/products", c.values(), &page); err != nil {
		return nil, 0, err
	}
	out := make([]*wireProduct, len(page.Items))
	for i := range page.Items {
		out[i] = &page.Items[i]
	}
	return out, page.TotalCount, nil
}

// lookupSKUs finds products by SKU: `sku in` in chunks of 50, and one GET /V1/products/{sku}
// for a SKU containing a comma (which `in` would split). Unknown SKUs are absent.
func (s *Shop) lookupSKUs(ctx context.Context, skus []string) (map[string]*wireProduct, error) {
	found := map[string]*wireProduct{}
	var plain []string
	seen := map[string]bool{}
	for _, sku := range skus {
		if sku == "" || seen[sku] {
			continue
		}
		seen[sku] = true
		if strings.Contains(sku, ",") {
			var p wireProduct
			err := s.api.get(ctx, "/products/"+url.PathEscape(sku), nil, &p)
			if sdk.KindOf(err) == sdk.KindNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			found[p.SKU] = &p
			continue
		}
		plain = append(plain, sku)
	}
	for start := 0; start < len(plain); start += 50 {
		chunk := plain[start:min(start+50, len(plain))]
		c := (&criteria{pageSize: len(chunk)}).and(cond{"sku", strings.Join(chunk, ","), "in"})
		items, _, err := s.fetchProducts(ctx, c)
		if err != nil {
			return nil, err
		}
		for _, p := range items {
			found[p.SKU] = p
		}
	}
	return found, nil
}

// FindProducts looks products up by SKU; unknown SKUs are absent from the result.
func (s *Shop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	found, err := s.lookupSKUs(ctx, skus)
	if err != nil {
		return nil, err
	}
	var out []sdk.Product
	done := map[string]bool{}
	for _, sku := range skus {
		p := found[sku]
		if p == nil || done[sku] {
			continue
		}
		done[sku] = true
		m, err := s.mapProduct(p)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
