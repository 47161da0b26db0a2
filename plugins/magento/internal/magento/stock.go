package magento

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/koppel-nl/koppel/sdk"
)

// sourceItemIn is one element of POST /V1/inventory/source-items.
type sourceItemIn struct {
	SKU        string      `json:"sku"`
	SourceCode string      `json:"source_code"`
	Quantity   json.Number `json:"quantity"`
	Status     int         `json:"status"`
}

// WriteStock sets on-hand quantities (see sdk.Shop). SKUs are looked up first: unknown ones
// are NotFound results, composite products (configurable, bundle) keep no stock. In msi mode
// the quantities go to the configured source in batches; a batch Magento refuses (400) is
// split in halves until the bad items are alone, so one bad SKU does not block the rest. In
// legacy mode each SKU's stock item is written. Both are absolute, so a retry is safe: a write
// whose outcome is unknown is reported as retryable.
func (s *Shop) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	results := make([]sdk.StockResult, len(levels))
	skus := make([]string, len(levels))
	for i, l := range levels {
		results[i] = sdk.StockResult{SKU: l.SKU, ProductID: l.ProductID, ParentID: l.ParentID}
		skus[i] = l.SKU
	}
	found, err := s.lookupSKUs(ctx, skus)
	if err != nil {
		return nil, err
	}
	var todo []int
	for i, l := range levels {
		p := found[l.SKU]
		switch {
		case l.SKU == "":
			results[i].Err = "empty SKU"
		case p == nil:
			results[i].NotFound, results[i].Err = true, "Magento has no product with this SKU"
		case p.TypeID != "" && p.TypeID != "simple" && p.TypeID != "virtual":
			results[i].ProductID = strconv.FormatInt(int64(p.ID), 10)
			results[i].Err = "a " + p.TypeID + " product keeps no stock of its own in Magento"
		default:
			results[i].ProductID = strconv.FormatInt(int64(p.ID), 10)
			todo = append(todo, i)
		}
	}
	if s.stockMode == stockLegacy {
		for _, i := range todo {
			if err := s.writeStockItem(ctx, found[levels[i].SKU], levels[i], &results[i]); err != nil {
				return nil, err
			}
		}
		return results, nil
	}
	for start := 0; start < len(todo); start += s.batch {
		if err := s.writeSourceItems(ctx, levels, todo[start:min(start+s.batch, len(todo))], results); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// writeSourceItems posts one batch, splitting it when Magento refuses it.
func (s *Shop) writeSourceItems(ctx context.Context, levels []sdk.StockLevel, idx []int, results []sdk.StockResult) error {
	items := make([]sourceItemIn, len(idx))
	for k, i := range idx {
		st := 0
		if levels[i].Quantity.IsPositive() {
			st = 1
		}
		items[k] = sourceItemIn{SKU: levels[i].SKU, SourceCode: s.source, Quantity: json.Number(levels[i].Quantity.String()), Status: st}
	}
	err := s.api.call(ctx, http.MethodPost, "/inventory/source-items", nil, map[string]any{"sourceItems": items}, nil)
	switch k := sdk.KindOf(err); {
	case err == nil:
		return nil
	case k == sdk.KindPermanent || k == sdk.KindNotFound:
		if len(idx) == 1 {
			results[idx[0]].Err = messageOf(err)
			return nil
		}
		half := len(idx) / 2
		if err := s.writeSourceItems(ctx, levels, idx[:half], results); err != nil {
			return err
		}
		return s.writeSourceItems(ctx, levels, idx[half:], results)
	case k == sdk.KindOutcomeUnknown:
		return &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: messageOf(err) + " (stock writes are absolute; retrying is safe)"}
	default:
		return err
	}
}

// writeStockItem writes one legacy stock item; the answer is the stock item id.
func (s *Shop) writeStockItem(ctx context.Context, p *wireProduct, l sdk.StockLevel, res *sdk.StockResult) error {
	itemID := int64(1)
	if p.ExtensionAttributes != nil && p.ExtensionAttributes.StockItem != nil && p.ExtensionAttributes.StockItem.ItemID > 0 {
		itemID = int64(p.ExtensionAttributes.StockItem.ItemID)
	}
	body := map[string]any{"stockItem": map[string]any{
		"qty": json.Number(l.Quantity.String()), "is_in_stock": l.Quantity.IsPositive()}}
	var id json.Number
	path := "/products/" + url.PathEscape(p.SKU) + "/stockItems/" + strconv.FormatInt(itemID, 10)
	err := s.api.call(ctx, http.MethodPut, path, nil, body, &id)
	switch k := sdk.KindOf(err); {
	case err == nil:
		return nil
	case k == sdk.KindNotFound:
		res.NotFound, res.Err = true, messageOf(err)
		return nil
	case k == sdk.KindPermanent:
		res.Err = messageOf(err)
		return nil
	default:
		return err
	}
}
