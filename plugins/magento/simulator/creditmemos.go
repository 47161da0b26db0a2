package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Credit memos and cancellations (shared/reference: Adobe's Swagger document,
// sales-data-creditmemo-interface; POST /V1/order/{orderId}/refund, POST /V1/orders/{id}/cancel,
// GET /V1/creditmemos):
//
//   - POST /V1/order/{orderId}/refund {items:[{order_item_id, qty}], arguments:{shipping_amount,
//     adjustment_positive, adjustment_negative}} makes an offline credit memo and answers its
//     entity_id. Only an invoiced order (state processing or complete) can be refunded; a
//     quantity above what is left, or a total above what is left to refund, is refused with
//     Magento's message. Amounts per item are the item's price and its share of tax and
//     discount for the quantity; shipping_amount is excluding tax, its tax in proportion to the
//     order's shipping tax. grand_total = items + shipping + tax + adjustment_positive -
//     adjustment_negative - discount. The order's total_refunded grows; refunded in full it is
//     closed. Its updated_at moves.
//   - POST /V1/orders/{id}/cancel cancels an order that was not invoiced (answers true), else
//     answers false as Magento's canCancel does.
//   - GET /V1/creditmemos?searchCriteria... searches by entity_id, order_id, created_at,
//     updated_at, increment_id and state.

type creditmemoItem struct {
	BaseCost        num    `json:"base_cost"`
	BasePrice       num    `json:"base_price"`
	BaseRowTotal    num    `json:"base_row_total"`
	BaseTaxAmount   num    `json:"base_tax_amount"`
	DiscountAmount  num    `json:"discount_amount"`
	EntityID        int64  `json:"entity_id"`
	Name            string `json:"name"`
	OrderItemID     int64  `json:"order_item_id"`
	ParentID        int64  `json:"parent_id"`
	Price           num    `json:"price"`
	PriceInclTax    num    `json:"price_incl_tax"`
	ProductID       int64  `json:"product_id"`
	Qty             num    `json:"qty"`
	RowTotal        num    `json:"row_total"`
	RowTotalInclTax num    `json:"row_total_incl_tax"`
	SKU             string `json:"sku"`
	TaxAmount       num    `json:"tax_amount"`
}

// Creditmemo is sales-data-creditmemo-interface, the fields the simulator fills.
type Creditmemo struct {
	AdjustmentNegative num               `json:"adjustment_negative"`
	AdjustmentPositive num               `json:"adjustment_positive"`
	BaseCurrencyCode   string            `json:"base_currency_code"`
	BaseGrandTotal     num               `json:"base_grand_total"`
	CreatedAt          string            `json:"created_at"`
	CreditmemoStatus   int               `json:"creditmemo_status"`
	DiscountAmount     num               `json:"discount_amount"`
	EntityID           int64             `json:"entity_id"`
	GrandTotal         num               `json:"grand_total"`
	IncrementID        string            `json:"increment_id"`
	Items              []*creditmemoItem `json:"items"`
	OrderCurrencyCode  string            `json:"order_currency_code"`
	OrderID            int64             `json:"order_id"`
	ShippingAmount     num               `json:"shipping_amount"`
	ShippingInclTax    num               `json:"shipping_incl_tax"`
	ShippingTaxAmount  num               `json:"shipping_tax_amount"`
	State              int               `json:"state"`
	StoreID            int               `json:"store_id"`
	Subtotal           num               `json:"subtotal"`
	SubtotalInclTax    num               `json:"subtotal_incl_tax"`
	TaxAmount          num               `json:"tax_amount"`
	UpdatedAt          string            `json:"updated_at"`

	created time.Time
}

var creditmemoFields = map[string]field[*Creditmemo]{
	"entity_id":    {kindNumber, func(c *Creditmemo) (string, bool) { return strconv.FormatInt(c.EntityID, 10), true }},
	"order_id":     {kindNumber, func(c *Creditmemo) (string, bool) { return strconv.FormatInt(c.OrderID, 10), true }},
	"increment_id": {kindString, func(c *Creditmemo) (string, bool) { return c.IncrementID, true }},
	"state":        {kindNumber, func(c *Creditmemo) (string, bool) { return strconv.Itoa(c.State), true }},
	"created_at":   {kindDate, func(c *Creditmemo) (string, bool) { return c.CreatedAt, true }},
	"updated_at":   {kindDate, func(c *Creditmemo) (string, bool) { return c.UpdatedAt, true }},
}

// refundRequest is the body of POST /V1/order/{orderId}/refund.
type refundRequest struct {
	Items []struct {
		OrderItemID int64           `json:"order_item_id"`
		Qty         decimal.Decimal `json:"qty"`
	} `json:"items"`
	Notify    bool `json:"notify"`
	Arguments *struct {
		ShippingAmount     *decimal.Decimal `json:"shipping_amount"`
		AdjustmentPositive *decimal.Decimal `json:"adjustment_positive"`
		AdjustmentNegative *decimal.Decimal `json:"adjustment_negative"`
	} `json:"arguments"`
}

var two = decimal.NewFromInt(2)

// share is part/whole of amount, rounded to cents (whole = 0 gives 0).
func share(amount, part, whole decimal.Decimal) decimal.Decimal {
	if whole.IsZero() {
		return decimal.Zero
	}
	return amount.Mul(part).Div(whole).Round(2)
}

// Refund makes an offline credit memo of order id from a POST /V1/order/{orderId}/refund body;
// it returns the memo's entity_id, or the HTTP status and Magento's message.
func (s *Server) Refund(id int64, body []byte) (int64, int, string) {
	var in refundRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return 0, http.StatusBadRequest, "Decoding error: " + err.Error()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return 0, http.StatusNotFound, "The entity that was requested doesn't exist. Verify the entity and try again."
	}
	if o.State != "processing" && o.State != "complete" {
		return 0, http.StatusBadRequest, "The order does not allow a creditmemo to be created."
	}
	now := s.nowLocked()
	s.nextCreditmemo++
	cm := &Creditmemo{EntityID: s.nextCreditmemo, OrderID: id, BaseCurrencyCode: o.BaseCurrencyCode, OrderCurrencyCode: o.OrderCurrencyCode,
		StoreID: o.StoreID, State: 2, CreditmemoStatus: 2, CreatedAt: fmtTime(now), UpdatedAt: fmtTime(now), created: now,
		IncrementID: strconv.FormatInt(1000000000+s.nextCreditmemo, 10)}
	sub, tax, disc := decimal.Zero, decimal.Zero, decimal.Zero
	for _, ri := range in.Items {
		var it *item
		for _, x := range o.Items {
			if x.ItemID == ri.OrderItemID {
				it = x
			}
		}
		if it == nil || ri.Qty.IsZero() {
			continue
		}
		left := it.QtyOrdered.d.Sub(it.QtyRefunded.d).Sub(it.QtyCanceled.d)
		if ri.Qty.IsNegative() || ri.Qty.GreaterThan(left) {
			s.nextCreditmemo--
			return 0, http.StatusBadRequest, "The quantity to refund must not be greater than the unrefunded quantity."
		}
		row := it.Price.d.Mul(ri.Qty).Round(2)
		t := share(it.TaxAmount.d, ri.Qty, it.QtyOrdered.d)
		dsc := share(it.DiscountAmount.d, ri.Qty, it.QtyOrdered.d)
		cm.Items = append(cm.Items, &creditmemoItem{
			BasePrice: it.Price, BaseRowTotal: mk(row), BaseTaxAmount: mk(t), DiscountAmount: mk(dsc),
			EntityID: s.nextCreditmemo*100 + int64(len(cm.Items)+1), Name: it.Name, OrderItemID: it.ItemID, ParentID: cm.EntityID,
			Price: it.Price, PriceInclTax: it.PriceInclTax, ProductID: it.ProductID, Qty: mk(ri.Qty),
			RowTotal: mk(row), RowTotalInclTax: mk(row.Add(t)), SKU: it.SKU, TaxAmount: mk(t),
		})
		sub, tax, disc = sub.Add(row), tax.Add(t), disc.Add(dsc)
	}
	ship, adjPos, adjNeg := decimal.Zero, decimal.Zero, decimal.Zero
	if a := in.Arguments; a != nil {
		if a.ShippingAmount != nil {
			ship = a.ShippingAmount.Round(2)
		}
		if a.AdjustmentPositive != nil {
			adjPos = a.AdjustmentPositive.Round(2)
		}
		if a.AdjustmentNegative != nil {
			adjNeg = a.AdjustmentNegative.Round(2)
		}
	}
	shipTax := share(o.ShippingTaxAmount.d, ship, o.ShippingAmount.d)
	cm.Subtotal, cm.SubtotalInclTax, cm.DiscountAmount = mk(sub), mk(sub.Add(tax)), mk(disc.Neg())
	cm.ShippingAmount, cm.ShippingTaxAmount, cm.ShippingInclTax = mk(ship), mk(shipTax), mk(ship.Add(shipTax))
	cm.TaxAmount = mk(tax.Add(shipTax))
	cm.AdjustmentPositive, cm.AdjustmentNegative = mk(adjPos), mk(adjNeg)
	grand := sub.Add(tax).Sub(disc).Add(ship).Add(shipTax).Add(adjPos).Sub(adjNeg)
	cm.GrandTotal, cm.BaseGrandTotal = mk(grand), mk(grand)
	refunded := decimal.Zero
	if o.TotalRefunded != nil {
		refunded = o.TotalRefunded.d
	}
	left := o.GrandTotal.d.Sub(refunded)
	switch {
	case !grand.IsPositive():
		s.nextCreditmemo--
		return 0, http.StatusBadRequest, "The credit memo's total must be positive."
	case grand.GreaterThan(left):
		s.nextCreditmemo--
		return 0, http.StatusBadRequest, "The most money available to refund is " + left.StringFixed(2) + "."
	}
	for _, ci := range cm.Items {
		for _, x := range o.Items {
			if x.ItemID == ci.OrderItemID {
				x.QtyRefunded = mk(x.QtyRefunded.d.Add(ci.Qty.d))
				x.AmountRefunded = mk(x.AmountRefunded.d.Add(ci.RowTotal.d))
			}
		}
	}
	total := mk(refunded.Add(grand))
	o.TotalRefunded = &total
	if total.d.GreaterThanOrEqual(o.GrandTotal.d) {
		o.State, o.Status = "closed", "closed"
	}
	s.touchLocked(o)
	s.creditmemos = append(s.creditmemos, cm)
	return cm.EntityID, http.StatusOK, ""
}

// touchLocked moves an order's updated_at to now (at least a second later) and bumps the data
// version; the caller holds mu.
func (s *Server) touchLocked(o *Order) {
	t := s.nowLocked()
	if !t.After(o.updated) {
		t = o.updated.Add(time.Second)
	}
	s.byUpdated.take(o)
	o.updated, o.UpdatedAt = t, fmtTime(t)
	s.byUpdated.put(o)
	s.version++
}

// handleRefund is POST /V1/order/{orderId}/refund.
func (s *Server) handleRefund(w http.ResponseWriter, r *http.Request, p map[string]string, _ principal) {
	id, ok := pathID(w, p, "orderId")
	if !ok {
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Decoding error.", nil)
		return
	}
	cmID, status, msg := s.Refund(id, body)
	if status != http.StatusOK {
		writeError(w, status, msg, nil)
		return
	}
	writeJSON(w, http.StatusOK, cmID)
}

// Cancel cancels order id as POST /V1/orders/{id}/cancel does: false for an order that was
// invoiced or is already final.
func (s *Server) Cancel(id int64) (bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return false, false
	}
	switch o.State {
	case "canceled", "complete", "closed", "holded":
		return false, true
	}
	if o.TotalPaid != nil && o.TotalPaid.d.IsPositive() {
		return false, true
	}
	for _, it := range o.Items {
		it.QtyCanceled = mk(it.QtyOrdered.d.Sub(it.QtyInvoiced.d))
	}
	o.State, o.Status = "canceled", "canceled"
	s.touchLocked(o)
	return true, true
}

// handleCancel is POST /V1/orders/{id}/cancel.
func (s *Server) handleCancel(w http.ResponseWriter, _ *http.Request, p map[string]string, _ principal) {
	id, ok := pathID(w, p, "id")
	if !ok {
		return
	}
	done, found := s.Cancel(id)
	if !found {
		notFoundEntity(w)
		return
	}
	writeJSON(w, http.StatusOK, done)
}

// creditmemoSearchResult is sales-data-creditmemo-search-result-interface.
type creditmemoSearchResult struct {
	Items          []*Creditmemo `json:"items"`
	SearchCriteria *criteria     `json:"search_criteria"`
	TotalCount     int           `json:"total_count"`
}

// handleCreditmemos is GET /V1/creditmemos?searchCriteria...
func (s *Server) handleCreditmemos(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	c, e := parseCriteria(r.URL.Query(), true)
	if e == nil {
		e = validate(c, creditmemoFields)
	}
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	var list []*Creditmemo
	for _, cm := range s.creditmemos {
		if matches(c, creditmemoFields, cm) {
			list = append(list, cm)
		}
	}
	sortItems(c, creditmemoFields, list)
	res := pageOf(c, list)
	out := creditmemoSearchResult{Items: res.items, SearchCriteria: c, TotalCount: res.total}
	if out.Items == nil {
		out.Items = []*Creditmemo{}
	}
	b, err := json.Marshal(out)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Internal Error.", nil)
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(b))
}
