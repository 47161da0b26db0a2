package magento

import (
	"context"
	"html"
	"sort"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// wireCreditmemo is the part of sales-data-creditmemo-interface the connector reads.
type wireCreditmemo struct {
	EntityID          flexInt              `json:"entity_id"`
	OrderID           flexInt              `json:"order_id"`
	CreatedAt         string               `json:"created_at"`
	GrandTotal        amount               `json:"grand_total"`
	ShippingAmount    amount               `json:"shipping_amount"`
	ShippingTaxAmount amount               `json:"shipping_tax_amount"`
	ShippingInclTax   amount               `json:"shipping_incl_tax"`
	Items             []wireCreditmemoItem `json:"items"`
}

type wireCreditmemoItem struct {
	OrderItemID    flexInt `json:"order_item_id"`
	SKU            string  `json:"sku"`
	Name           string  `json:"name"`
	Qty            amount  `json:"qty"`
	RowTotal       amount  `json:"row_total"`
	TaxAmount      amount  `json:"tax_amount"`
	DiscountAmount amount  `json:"discount_amount"`
}

type creditmemoPage struct {
	Items      []wireCreditmemo `json:"items"`
	TotalCount int              `json:"total_count"`
}

// fillRefunds reads the credit memos of an order that has refunds (total_refunded > 0) with
// GET /V1/creditmemos filtered on order_id, and sets m.Refunds, oldest first. Magento credits
// a canceled or closed order the same way; an order without refunds costs no call. A bundle or
// configurable child row (no amounts of its own) is left out; an adjustment refund
// (adjustment_positive) is the refund's rest, an adjustment fee (adjustment_negative) lowers it.
func (s *Shop) fillRefunds(ctx context.Context, w *wireOrder, m *sdk.Order) error {
	if !w.TotalRefunded.IsPositive() {
		return nil
	}
	var memos []wireCreditmemo
	for page := 1; ; page++ {
		c := (&criteria{pageSize: 100, page: page}).and(cond{"order_id", m.ID, "eq"}).sortBy("entity_id", "ASC")
		var pg creditmemoPage
		if err := s.api.get(ctx, "/creditmemos", c.values(), &pg); err != nil {
			return err
		}
		memos = append(memos, pg.Items...)
		if len(pg.Items) < 100 || len(memos) >= pg.TotalCount {
			break
		}
	}
	rates := map[string]decimal.Decimal{}
	for _, l := range m.Lines {
		rates[l.ID] = l.TaxRate
	}
	m.Refunds = make([]sdk.Refund, 0, len(memos))
	for _, cm := range memos {
		r := sdk.Refund{ID: strconv.FormatInt(int64(cm.EntityID), 10), Amount: cm.GrandTotal.Decimal}
		if t, err := parseTime(cm.CreatedAt); err == nil {
			r.CreatedAt = t
		}
		for _, it := range cm.Items {
			id := strconv.FormatInt(int64(it.OrderItemID), 10)
			if it.Qty.IsZero() || (it.RowTotal.IsZero() && it.TaxAmount.IsZero()) {
				continue
			}
			excl := it.RowTotal.Sub(it.DiscountAmount.Abs())
			r.Lines = append(r.Lines, sdk.RefundLine{LineID: id, SKU: it.SKU, Name: html.UnescapeString(it.Name), Quantity: it.Qty.Decimal,
				TotalExcl: excl, Tax: it.TaxAmount.Decimal, TotalIncl: excl.Add(it.TaxAmount.Decimal), TaxRate: rates[id]})
		}
		if cm.ShippingAmount.IsPositive() {
			ch := sdk.Charge{Code: "shipping", Name: "Verzending", TotalExcl: cm.ShippingAmount.Decimal, Tax: cm.ShippingTaxAmount.Decimal,
				TotalIncl: cm.ShippingAmount.Add(cm.ShippingTaxAmount.Decimal)}
			if len(m.ShippingLines) == 1 {
				ch.Code, ch.Name, ch.TaxRate = m.ShippingLines[0].Code, m.ShippingLines[0].Name, m.ShippingLines[0].TaxRate
			}
			r.Shipping = append(r.Shipping, ch)
		}
		m.Refunds = append(m.Refunds, r)
	}
	sort.SliceStable(m.Refunds, func(i, j int) bool { return m.Refunds[i].CreatedAt.Before(m.Refunds[j].CreatedAt) })
	return nil
}
