package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"
)

// This file serves the order refunds of the REST API (shared/reference WooCommerce docs,
// order-refunds.md): POST /orders/{id}/refunds, GET /orders/{id}/refunds and
// GET /orders/{id}/refunds/{refund_id}, as wc_create_refund does it:
//
//   - line_items name order items by id (product lines, shipping lines and fees alike) with a
//     quantity, refund_total (excluding tax) and refund_tax [{id, refund_total}] per tax rate;
//     items of other orders are ignored.
//   - amount, when given, takes precedence over the line items' totals; without it the refund is
//     the sum of the items' refund_total and refund_tax. A negative amount is 400
//     woocommerce_rest_invalid_order_refund; more than what is left to refund is 500
//     woocommerce_rest_cannot_create_order_refund "Invalid refund amount.".
//   - api_refund (default true) asks the payment gateway to pay the money back; gateways that
//     cannot (bacs, cheque, cod) make the request fail with 500 "The payment gateway for this
//     order does not support automatic refunds." and no refund is kept.
//   - api_restock (default true) puts refunded quantities back into stock.
//   - the order gets the refund in refunds[] (total negative), date_modified moves, and an order
//     refunded in full becomes "refunded".
//
// The refund answer has line_items, shipping_lines and fee_lines (WooCommerce 9 and later list
// refunded shipping and fees beside the product lines), each with negative quantities and
// amounts and the meta _refunded_item_id naming the order item.

type refundTaxInput struct {
	ID          jInt    `json:"id"`
	RefundTotal jNumber `json:"refund_total"`
}

type refundLineInput struct {
	ID          jInt             `json:"id"`
	Quantity    jInt             `json:"quantity"`
	Qty         jInt             `json:"qty"`
	RefundTotal jNumber          `json:"refund_total"`
	RefundTax   []refundTaxInput `json:"refund_tax"`
}

type refundCreateInput struct {
	Amount     jMoney            `json:"amount"`
	Reason     jString           `json:"reason"`
	RefundedBy jInt              `json:"refunded_by"`
	LineItems  []refundLineInput `json:"line_items"`
	APIRefund  jBool             `json:"api_refund"`
	APIRestock jBool             `json:"api_restock"`
}

// gatewaysWithoutRefunds are the payment methods whose gateway cannot refund through its API.
var gatewaysWithoutRefunds = map[string]bool{"bacs": true, "cheque": true, "cod": true, "": true}

// refundedSoFar is the total of o's refunds (positive).
func refundedSoFar(o *Order) decimal.Decimal {
	sum := decimal.Zero
	for _, r := range o.Refunds {
		sum = sum.Add(r.Total.Abs())
	}
	return sum
}

// createRefundLocked adds a refund to order id; the caller holds mu.
func (s *Server) createRefundLocked(id int64, in *refundCreateInput) (*Order, *Refund, *wpError) {
	o, ok := s.orders[id]
	if !ok {
		return nil, nil, invalidOrderID(http.StatusNotFound)
	}
	if in.Amount.Bad {
		return nil, nil, invalidParams(typeProblem("amount", "string"))
	}
	if in.Amount.Set && in.Amount.V.IsNegative() {
		return nil, nil, newErr(http.StatusBadRequest, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.")
	}
	r := Refund{Reason: in.Reason.V, RefundedBy: in.RefundedBy.V, DateCreated: s.now()}
	if !in.RefundedBy.Set {
		r.RefundedBy = 1
	}
	itemsTotal := decimal.Zero
	saved := [2]int64{s.nextItemID, s.nextMetaID}
	var bad []paramProblem
	for _, li := range in.LineItems {
		if li.RefundTotal.Bad {
			bad = append(bad, typeProblem("line_items[0][refund_total]", "number"))
		}
		for _, t := range li.RefundTax {
			if t.RefundTotal.Bad {
				bad = append(bad, typeProblem("line_items[0][refund_tax][0][refund_total]", "number"))
			}
		}
	}
	if len(bad) > 0 {
		return nil, nil, invalidParams(bad[0])
	}
	for _, li := range in.LineItems {
		qty := li.Quantity.V
		if !li.Quantity.Set {
			qty = li.Qty.V
		}
		item, ok := s.refundItemFor(o, li.ID.V, qty, li.RefundTotal.V, li.RefundTax)
		if !ok {
			continue // wc_create_refund skips ids that are not items of the order
		}
		itemsTotal = itemsTotal.Add(item.Total.Neg()).Add(item.TotalTax.Neg())
		r.Items = append(r.Items, item)
	}
	r.Amount = itemsTotal
	if in.Amount.Set {
		r.Amount = in.Amount.V
	}
	r.Amount = r.Amount.Round(2)
	left := o.Total.Sub(refundedSoFar(o))
	if r.Amount.GreaterThan(left) || r.Amount.IsNegative() {
		s.nextItemID, s.nextMetaID = saved[0], saved[1]
		return nil, nil, newErr(http.StatusInternalServerError, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.")
	}
	apiRefund := !in.APIRefund.Set || in.APIRefund.V
	if apiRefund && r.Amount.IsPositive() {
		if gatewaysWithoutRefunds[o.PaymentMethod] {
			s.nextItemID, s.nextMetaID = saved[0], saved[1]
			return nil, nil, newErr(http.StatusInternalServerError, "woocommerce_rest_cannot_create_order_refund",
				"The payment gateway for this order does not support automatic refunds.")
		}
		r.RefundedPayment = true
	}
	if !in.APIRestock.Set || in.APIRestock.V {
		s.restockRefunded(o, r.Items)
	}
	s.nextPostID++
	r.ID = s.nextPostID
	r.Total = r.Amount.Neg()
	o.Refunds = append([]Refund{r}, o.Refunds...) // newest first, as WooCommerce lists them
	if !o.Total.Sub(refundedSoFar(o)).IsPositive() && o.Total.IsPositive() {
		o.Status = "refunded"
	}
	o.DateModified = s.now()
	s.modIdx.put(o)
	return o, &o.Refunds[0], nil
}

// refundItemFor builds the refund item of order item itemID (a product line, shipping line or
// fee of o), or false when o has no such item.
func (s *Server) refundItemFor(o *Order, itemID, qty int64, total decimal.Decimal, taxIn []refundTaxInput) (RefundItem, bool) {
	it := RefundItem{RefundedItemID: itemID, Quantity: -abs64(qty), Total: total.Abs().Neg()}
	found := false
	for _, li := range o.LineItems {
		if li.ID == itemID {
			it.Type, it.Name, it.ProductID, it.VariationID, it.TaxClass = "line_item", li.Name, li.ProductID, li.VariationID, li.TaxClass
			found = true
		}
	}
	for _, sl := range o.ShippingLines {
		if sl.ID == itemID {
			it.Type, it.Name, it.MethodID = "shipping", sl.MethodTitle, sl.MethodID
			found = true
		}
	}
	for _, f := range o.FeeLines {
		if f.ID == itemID {
			it.Type, it.Name, it.TaxClass = "fee", f.Name, f.TaxClass
			found = true
		}
	}
	if !found {
		return RefundItem{}, false
	}
	tax := decimal.Zero
	for _, t := range taxIn {
		v := t.RefundTotal.V.Abs().Neg()
		it.Taxes = append(it.Taxes, ItemTax{RateID: t.ID.V, Total: v, Subtotal: decimal.NullDecimal{Decimal: v, Valid: it.Type == "line_item"}})
		tax = tax.Add(v)
	}
	it.TotalTax = tax
	s.nextItemID++
	it.ID = s.nextItemID
	s.nextMetaID++
	it.MetaID = s.nextMetaID
	return it, true
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// restockRefunded puts the refunded quantities of product lines back into managed stock.
func (s *Server) restockRefunded(o *Order, items []RefundItem) {
	if !o.stockReduced {
		return
	}
	for _, it := range items {
		if it.Type != "line_item" || it.Quantity == 0 {
			continue
		}
		id := it.ProductID
		if it.VariationID != 0 {
			id = it.VariationID
		}
		p, ok := s.products[id]
		if !ok {
			continue
		}
		if p.Type == "variation" && p.ManageStockParent {
			if parent, ok := s.products[p.ParentID]; ok {
				p = parent
			}
		}
		if p.ManageStock && p.StockQuantity != nil {
			q := *p.StockQuantity - it.Quantity // Quantity is negative
			p.StockQuantity = &q
			p.StockStatus = stockStatusFor(p)
		}
	}
}

// renderRefund renders a refund as GET /orders/{id}/refunds/{refund_id} does.
func (s *Server) renderRefund(o *Order, r *Refund, home string, dp int) orderedMap {
	api := home + "/wp-json/wc/v3/orders/" + strconv.FormatInt(o.ID, 10)
	lines, ship, fees := []any{}, []any{}, []any{}
	for _, it := range r.Items {
		meta := []any{orderedMap{{"id", it.MetaID}, {"key", "_refunded_item_id"}, {"value", strconv.FormatInt(it.RefundedItemID, 10)},
			{"display_key", "_refunded_item_id"}, {"display_value", strconv.FormatInt(it.RefundedItemID, 10)}}}
		switch it.Type {
		case "line_item":
			var sku any = ""
			pid := it.ProductID
			if it.VariationID != 0 {
				pid = it.VariationID
			}
			if p, ok := s.products[pid]; ok {
				sku = p.SKU
			}
			price := decimal.Zero
			if it.Quantity != 0 {
				price = it.Total.DivRound(decimal.NewFromInt(abs64(it.Quantity)), 14)
			}
			lines = append(lines, orderedMap{
				{"id", it.ID}, {"name", it.Name}, {"product_id", it.ProductID}, {"variation_id", it.VariationID},
				{"quantity", it.Quantity}, {"tax_class", it.TaxClass},
				{"subtotal", money(it.Total, dp)}, {"subtotal_tax", money(it.TotalTax, dp)},
				{"total", money(it.Total, dp)}, {"total_tax", money(it.TotalTax, dp)},
				{"taxes", renderTaxes(it.Taxes, dp)}, {"meta_data", meta}, {"sku", sku}, {"price", number(price)},
			})
		case "shipping":
			ship = append(ship, orderedMap{
				{"id", it.ID}, {"method_title", it.Name}, {"method_id", it.MethodID}, {"instance_id", ""},
				{"total", money(it.Total, dp)}, {"total_tax", money(it.TotalTax, dp)}, {"taxes", renderTaxes(it.Taxes, dp)},
				{"tax_status", "taxable"}, {"meta_data", meta},
			})
		case "fee":
			fees = append(fees, orderedMap{
				{"id", it.ID}, {"name", it.Name}, {"tax_class", it.TaxClass}, {"tax_status", "taxable"}, {"amount", ""},
				{"total", money(it.Total, dp)}, {"total_tax", money(it.TotalTax, dp)}, {"taxes", renderTaxes(it.Taxes, dp)},
				{"meta_data", meta},
			})
		}
	}
	self := api + "/refunds/" + strconv.FormatInt(r.ID, 10)
	return orderedMap{
		{"id", r.ID}, {"date_created", s.localDate(r.DateCreated)}, {"date_created_gmt", gmtDate(r.DateCreated)},
		{"amount", money(r.Amount, dp)}, {"reason", r.Reason}, {"refunded_by", r.RefundedBy},
		{"refunded_payment", r.RefundedPayment}, {"meta_data", []any{}},
		{"line_items", lines}, {"shipping_lines", ship}, {"fee_lines", fees},
		{"_links", orderedMap{
			{"self", []any{orderedMap{{"href", self}}}},
			{"collection", []any{orderedMap{{"href", api + "/refunds"}}}},
			{"up", []any{orderedMap{{"href", api}}}},
		}},
	}
}

// createRefund answers POST /orders/{id}/refunds (201 with the refund).
func (s *Server) createRefund(w http.ResponseWriter, req *request, id int64) {
	var in refundCreateInput
	if e := decodeCreate(req, &in); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, r, e := s.createRefundLocked(id, &in)
	if e != nil {
		writeError(w, e)
		return
	}
	home := s.homeURL(req)
	w.Header().Set("Location", home+"/wp-json/wc/v3/orders/"+strconv.FormatInt(id, 10)+"/refunds/"+strconv.FormatInt(r.ID, 10))
	writeJSON(w, http.StatusCreated, s.renderRefund(o, r, home, dpOf(req)))
}

// listRefunds answers GET /orders/{id}/refunds (page, per_page 1..100, default 10; newest
// first) with X-WP-Total and X-WP-TotalPages.
func (s *Server) listRefunds(w http.ResponseWriter, req *request, id int64) {
	page, perPage, e := listPage(req)
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		writeError(w, invalidOrderID(http.StatusNotFound))
		return
	}
	total := int64(len(o.Refunds))
	pages := (total + perPage - 1) / perPage
	out := []any{}
	home, dp := s.homeURL(req), dpOf(req)
	for i := (page - 1) * perPage; i < total && i < page*perPage; i++ {
		out = append(out, s.renderRefund(o, &o.Refunds[i], home, dp))
	}
	w.Header().Set("X-WP-Total", strconv.FormatInt(total, 10))
	w.Header().Set("X-WP-TotalPages", strconv.FormatInt(pages, 10))
	writeJSON(w, http.StatusOK, out)
}

// getRefund answers GET /orders/{id}/refunds/{refund_id}.
func (s *Server) getRefund(w http.ResponseWriter, req *request, id, refundID int64) {
	if e := cannotView(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		writeError(w, invalidOrderID(http.StatusNotFound))
		return
	}
	for i := range o.Refunds {
		if o.Refunds[i].ID == refundID {
			writeJSON(w, http.StatusOK, s.renderRefund(o, &o.Refunds[i], s.homeURL(req), dpOf(req)))
			return
		}
	}
	writeError(w, newErr(http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid ID."))
}

// CreateRefundJSON adds a refund to order id from a POST /orders/{id}/refunds body, exactly as
// the API does (tests use it to refund in the shop).
func (s *Server) CreateRefundJSON(id int64, body []byte) (Refund, error) {
	var in refundCreateInput
	if err := json.Unmarshal(body, &in); err != nil {
		return Refund{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r, e := s.createRefundLocked(id, &in)
	if e != nil {
		return Refund{}, e
	}
	c := *r
	c.Items = append([]RefundItem(nil), r.Items...)
	return c, nil
}
