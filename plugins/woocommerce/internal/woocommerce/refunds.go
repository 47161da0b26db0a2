package woocommerce

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// fillRefunds reads the refunds of an order that has any (its refunds[] summary is not empty)
// with GET /orders/{id}/refunds, 100 a page, and sets ord.Refunds, oldest first. An order without
// refunds costs no call.
func (s *Shop) fillRefunds(ctx context.Context, o *wcOrder, ord *sdk.Order) error {
	if len(o.Refunds) == 0 {
		return nil
	}
	rates := map[string]decimal.Decimal{}
	for _, tl := range o.TaxLines {
		if tl.RatePercent.Valid && tl.RateID != "" {
			rates[string(tl.RateID)] = tl.RatePercent.D
		}
	}
	path := "/orders/" + ord.ID + "/refunds"
	var docs []wcRefundDoc
	for page := 1; ; page++ {
		r, err := s.api.get(ctx, path, url.Values{"per_page": {"100"}, "page": {strconv.Itoa(page)}})
		if err != nil {
			return err
		}
		var pg []wcRefundDoc
		if err := decodeJSON("GET "+path, r.Body, &pg); err != nil {
			return err
		}
		docs = append(docs, pg...)
		if tp := totalPages(r.Header); len(pg) < 100 || tp < 0 || page >= tp {
			break
		}
	}
	ord.Refunds = make([]sdk.Refund, 0, len(docs))
	for _, d := range docs {
		ord.Refunds = append(ord.Refunds, mapRefund(d, rates))
	}
	sort.SliceStable(ord.Refunds, func(i, j int) bool {
		a, b := ord.Refunds[i], ord.Refunds[j]
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		ai, _ := strconv.ParseInt(a.ID, 10, 64)
		bi, _ := strconv.ParseInt(b.ID, 10, 64)
		return ai < bi
	})
	return nil
}

// refundedItemID reads the meta _refunded_item_id of a refund item.
func refundedItemID(meta []wcMeta) string {
	return strings.Trim(metaText(meta, "_refunded_item_id"), `"`)
}

// mapRefund maps one refund. WooCommerce stores refund items with negative quantities and
// amounts; the sdk wants what was paid back, positive.
func mapRefund(d wcRefundDoc, rates map[string]decimal.Decimal) sdk.Refund {
	r := sdk.Refund{ID: d.ID.String(), CreatedAt: gmtOr(d.DateCreatedGMT, d.DateCreated).T, Amount: d.Amount.D.Abs(),
		Reason: cleanText(string(d.Reason))}
	for _, li := range d.LineItems {
		excl, tax := li.Total.D.Abs(), li.TotalTax.D.Abs()
		r.Lines = append(r.Lines, sdk.RefundLine{
			LineID: refundedItemID(li.MetaData), SKU: strings.TrimSpace(string(li.SKU)), Name: cleanText(string(li.Name)),
			Quantity: li.Quantity.D.Abs(), TotalExcl: excl, Tax: tax, TotalIncl: excl.Add(tax),
			TaxRate: lineRate(li.Taxes, rates, excl, tax),
		})
	}
	positive := func(c wcCharge) wcCharge {
		c.Total.D, c.TotalTax.D = c.Total.D.Abs(), c.TotalTax.D.Abs()
		taxes := make([]wcTax, len(c.Taxes))
		for i, t := range c.Taxes {
			t.Total.D = t.Total.D.Abs()
			taxes[i] = t
		}
		c.Taxes = taxes
		return c
	}
	for _, sl := range d.ShippingLines {
		r.Shipping = append(r.Shipping, mapCharge(string(sl.MethodID), cleanText(string(sl.MethodTitle)), positive(sl), rates))
	}
	for _, fl := range d.FeeLines {
		name := cleanText(string(fl.Name))
		r.Fees = append(r.Fees, mapCharge(name, name, positive(fl), rates))
	}
	return r
}
