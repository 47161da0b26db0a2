package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/shopspring/decimal"
)

var productFields = map[string]field[*Product]{
	"entity_id":  {kindNumber, func(p *Product) (string, bool) { return strconv.FormatInt(p.ID, 10), true }},
	"sku":        {kindString, func(p *Product) (string, bool) { return p.SKU, true }},
	"name":       {kindString, func(p *Product) (string, bool) { return p.Name, true }},
	"type_id":    {kindString, func(p *Product) (string, bool) { return p.TypeID, true }},
	"status":     {kindNumber, func(p *Product) (string, bool) { return strconv.Itoa(p.Status), true }},
	"price":      {kindNumber, func(p *Product) (string, bool) { return p.Price.String(), true }},
	"created_at": {kindDate, func(p *Product) (string, bool) { return fmtTime(p.CreatedAt), true }},
	"updated_at": {kindDate, func(p *Product) (string, bool) { return fmtTime(p.UpdatedAt), true }},
}

var sourceItemFields = map[string]field[*sourceItem]{
	"sku":         {kindString, func(x *sourceItem) (string, bool) { return x.SKU, true }},
	"source_code": {kindString, func(x *sourceItem) (string, bool) { return x.SourceCode, true }},
	"quantity":    {kindNumber, func(x *sourceItem) (string, bool) { return x.Quantity.d.String(), true }},
	"status":      {kindNumber, func(x *sourceItem) (string, bool) { return strconv.Itoa(x.Status), true }},
}

// stockQty is the legacy (single-source) quantity: the default source's; the caller holds s.mu.
func (s *Server) stockQty(sku string) (decimal.Decimal, bool) {
	si := s.sources[sku][s.opts.Sources[0]]
	if si == nil {
		return decimal.Zero, false
	}
	return si.Quantity.d, si.Status == 1
}

// renderStockItem is catalog-inventory-data-stock-item-interface; the caller holds s.mu.
func (s *Server) renderStockItem(p *Product) map[string]any {
	qty, inStock := s.stockQty(p.SKU)
	if p.TypeID != "simple" && p.TypeID != "virtual" {
		inStock = true
	}
	return map[string]any{
		"item_id": p.StockItemID, "product_id": p.ID, "stock_id": 1, "qty": mk(qty), "is_in_stock": inStock,
		"is_qty_decimal": false, "show_default_notification_message": false, "use_config_min_qty": true,
		"min_qty": 0, "use_config_min_sale_qty": 1, "min_sale_qty": 1, "use_config_max_sale_qty": true,
		"max_sale_qty": 10000, "use_config_backorders": true, "backorders": 0, "use_config_notify_stock_qty": true,
		"notify_stock_qty": 1, "use_config_qty_increments": true, "qty_increments": 0, "use_config_enable_qty_inc": true,
		"enable_qty_increments": false, "use_config_manage_stock": true, "manage_stock": p.ManageStock,
		"low_stock_date": nil, "is_decimal_divided": false, "stock_status_changed_auto": 0,
	}
}

// renderProduct is catalog-data-product-interface; the caller holds s.mu.
func (s *Server) renderProduct(p *Product) map[string]any {
	ext := map[string]any{"website_ids": []int{1}, "stock_item": s.renderStockItem(p)}
	if p.TypeID == "configurable" {
		var ids []int64
		for _, c := range p.Children {
			ids = append(ids, s.products[c].ID)
		}
		ext["configurable_product_links"] = ids
	}
	taxClass := "2"
	if p.TaxPercent.Equal(dec("9")) {
		taxClass = "5"
	}
	return map[string]any{
		"id": p.ID, "sku": p.SKU, "name": p.Name, "attribute_set_id": 4, "price": mk(p.Price), "status": p.Status,
		"visibility": 4, "type_id": p.TypeID, "created_at": fmtTime(p.CreatedAt), "updated_at": fmtTime(p.UpdatedAt),
		"weight": 0.5, "extension_attributes": ext, "product_links": []any{}, "options": []any{},
		"media_gallery_entries": []any{}, "tier_prices": []any{},
		"custom_attributes": []map[string]any{{"attribute_code": "tax_class_id", "value": taxClass}},
	}
}

// handleProducts is GET /V1/products?searchCriteria (searchCriteria optional here).
func (s *Server) handleProducts(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	c, e := parseCriteria(r.URL.Query(), false)
	if e == nil {
		e = validate(c, productFields)
	}
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	res := search(c, productFields, s.sortedProducts())
	items := make([]map[string]any, 0, len(res.items))
	for _, p := range res.items {
		items = append(items, s.renderProduct(p))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "search_criteria": c, "total_count": res.total})
}

// productNotFound is ProductRepository's NoSuchEntityException.
func productNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "The product that was requested doesn't exist. Verify the product and try again.", nil)
}

// handleProduct is GET /V1/products/{sku}.
func (s *Server) handleProduct(w http.ResponseWriter, _ *http.Request, p map[string]string, _ principal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.products[p["sku"]]
	if pr == nil {
		productNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.renderProduct(pr))
}

// handleStockItem is GET /V1/stockItems/{sku}.
func (s *Server) handleStockItem(w http.ResponseWriter, _ *http.Request, p map[string]string, _ principal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.products[p["sku"]]
	if pr == nil {
		productNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, s.renderStockItem(pr))
}

// stockItemKeys are the properties a stockItem body may carry.
var stockItemKeys = map[string]bool{"item_id": true, "product_id": true, "stock_id": true, "qty": true, "is_in_stock": true,
	"is_qty_decimal": true, "show_default_notification_message": true, "use_config_min_qty": true, "min_qty": true,
	"use_config_min_sale_qty": true, "min_sale_qty": true, "use_config_max_sale_qty": true, "max_sale_qty": true,
	"use_config_backorders": true, "backorders": true, "use_config_notify_stock_qty": true, "notify_stock_qty": true,
	"use_config_qty_increments": true, "qty_increments": true, "use_config_enable_qty_inc": true,
	"enable_qty_increments": true, "use_config_manage_stock": true, "manage_stock": true, "low_stock_date": true,
	"is_decimal_divided": true, "stock_status_changed_auto": true, "extension_attributes": true}

// decodeObject reads a JSON object body keeping numbers exact.
func decodeObject(r *http.Request) (map[string]any, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		return nil, fmt.Errorf("Decoding error: the body is not a JSON object")
	}
	return m, nil
}

// number reads a JSON number or numeric string.
func number(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case json.Number:
		d, err := decimal.NewFromString(x.String())
		return d, err == nil
	case string:
		d, err := decimal.NewFromString(x)
		return d, err == nil
	}
	return decimal.Zero, false
}

// handlePutStockItem is PUT /V1/products/{sku}/stockItems/{itemId}: {"stockItem":{...}} →
// the stock item id as a bare integer. Without is_in_stock a product that was out of stock
// stays out of stock even when qty rises (inferred, webshop-apis.md B.8).
func (s *Server) handlePutStockItem(w http.ResponseWriter, r *http.Request, p map[string]string, _ principal) {
	if _, err := strconv.ParseInt(p["itemId"], 10, 64); err != nil {
		typeInvalid(w, p["itemId"], "int")
		return
	}
	body, err := decodeObject(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%1", []string{err.Error()})
		return
	}
	for k := range body {
		if k != "stockItem" {
			fieldNotSupported(w, k)
			return
		}
	}
	si, ok := body["stockItem"].(map[string]any)
	if !ok {
		fieldRequired(w, "stockItem")
		return
	}
	for k := range si {
		if !stockItemKeys[k] {
			fieldNotSupported(w, k)
			return
		}
	}
	var qty decimal.Decimal
	hasQty := false
	if v, ok := si["qty"]; ok {
		if qty, hasQty = number(v); !hasQty {
			typeInvalid(w, fmt.Sprint(v), "float")
			return
		}
	}
	var inStock *bool
	if v, ok := si["is_in_stock"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			typeInvalid(w, fmt.Sprint(v), "bool")
			return
		}
		inStock = &b
	}
	s.mu.Lock()
	pr := s.products[p["sku"]]
	if pr == nil {
		s.mu.Unlock()
		productNotFound(w)
		return
	}
	if pr.TypeID != "simple" && pr.TypeID != "virtual" {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "The stock item for Product is not valid. Product type \"%1\" does not keep stock.", []string{pr.TypeID})
		return
	}
	item := s.sources[pr.SKU][s.opts.Sources[0]]
	if item == nil {
		item = &sourceItem{SKU: pr.SKU, SourceCode: s.opts.Sources[0]}
		s.sources[pr.SKU] = map[string]*sourceItem{s.opts.Sources[0]: item}
	}
	if hasQty {
		item.Quantity = mk(qty)
		if !qty.IsPositive() {
			item.Status = 0
		}
	}
	if inStock != nil {
		item.Status = 0
		if *inStock {
			item.Status = 1
		}
	}
	pr.UpdatedAt = s.nowLocked()
	s.version++
	id := pr.StockItemID
	s.mu.Unlock()
	if s.takeCommitFault() {
		writeError(w, http.StatusInternalServerError, "Internal Error. Details are available in Magento log file. Report ID: %1", []string{"webapi-sim"})
		return
	}
	writeJSON(w, http.StatusOK, id)
}

// handleSourceItems is GET /V1/inventory/source-items?searchCriteria.
func (s *Server) handleSourceItems(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	c, e := parseCriteria(r.URL.Query(), true)
	if e == nil {
		e = validate(c, sourceItemFields)
	}
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	all := s.allSourceItems()
	res := search(c, sourceItemFields, all)
	items := make([]sourceItem, 0, len(res.items))
	for _, x := range res.items {
		items = append(items, *x)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "search_criteria": c, "total_count": res.total})
}

// allSourceItems lists every source item in product id order; the caller holds s.mu.
func (s *Server) allSourceItems() []*sourceItem {
	var all []*sourceItem
	for _, p := range s.sortedProducts() {
		for _, code := range s.opts.Sources {
			if x := s.sources[p.SKU][code]; x != nil {
				all = append(all, x)
			}
		}
	}
	return all
}

var sourceItemKeys = map[string]bool{"sku": true, "source_code": true, "quantity": true, "status": true, "extension_attributes": true}

// handleSaveSourceItems is POST /V1/inventory/source-items: {"sourceItems":[...]} → [] on
// success. The batch is validated as a whole: one invalid item refuses the batch with 400
// "Validation Failed" and an errors list (inferred, webshop-apis.md B.10).
func (s *Server) handleSaveSourceItems(w http.ResponseWriter, r *http.Request, _ map[string]string, _ principal) {
	body, err := decodeObject(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%1", []string{err.Error()})
		return
	}
	for k := range body {
		if k != "sourceItems" {
			fieldNotSupported(w, k)
			return
		}
	}
	list, ok := body["sourceItems"].([]any)
	if !ok {
		fieldRequired(w, "sourceItems")
		return
	}
	type upd struct {
		sku, source string
		qty         decimal.Decimal
		status      int
	}
	var ups []upd
	var errs []errorBody
	s.mu.Lock()
	for _, raw := range list {
		m, ok := raw.(map[string]any)
		if !ok {
			s.mu.Unlock()
			typeInvalid(w, fmt.Sprint(raw), "object")
			return
		}
		for k := range m {
			if !sourceItemKeys[k] {
				s.mu.Unlock()
				fieldNotSupported(w, k)
				return
			}
		}
		sku, _ := m["sku"].(string)
		code, _ := m["source_code"].(string)
		qty, qok := number(m["quantity"])
		st, sok := number(m["status"])
		switch {
		case sku == "":
			errs = append(errs, errorBody{Message: "\"%field\" can not be empty.", Parameters: map[string]string{"field": "sku"}})
		case s.products[sku] == nil:
			errs = append(errs, errorBody{Message: "Product with SKU \"%sku\" does not exist.", Parameters: map[string]string{"sku": sku}})
		case code == "" || !contains(s.opts.Sources, code):
			errs = append(errs, errorBody{Message: "Source with code \"%code\" does not exist.", Parameters: map[string]string{"code": code}})
		case !qok:
			errs = append(errs, errorBody{Message: "\"%field\" should be numeric.", Parameters: map[string]string{"field": "quantity"}})
		case !sok || !(st.Equal(decimal.Zero) || st.Equal(one)):
			errs = append(errs, errorBody{Message: "\"%field\" should specify a valid status.", Parameters: map[string]string{"field": "status"}})
		default:
			ups = append(ups, upd{sku, code, qty, int(st.IntPart())})
		}
	}
	if len(errs) > 0 {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, errorBody{Message: "Validation Failed", Errors: errs})
		return
	}
	now := s.nowLocked()
	for _, u := range ups {
		if s.sources[u.sku] == nil {
			s.sources[u.sku] = map[string]*sourceItem{}
		}
		s.sources[u.sku][u.source] = &sourceItem{SKU: u.sku, SourceCode: u.source, Quantity: mk(u.qty), Status: u.status}
		s.products[u.sku].UpdatedAt = now
	}
	s.version++
	s.mu.Unlock()
	if s.takeCommitFault() {
		writeError(w, http.StatusInternalServerError, "Internal Error. Details are available in Magento log file. Report ID: %1", []string{"webapi-sim"})
		return
	}
	writeJSON(w, http.StatusOK, []any{})
}

// SourceItems returns every source item as {sku, source_code, quantity, status} (quantity as a
// decimal string), for tests and /_sim/stock.
func (s *Server) SourceItems() []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for _, x := range s.allSourceItems() {
		out = append(out, map[string]string{"sku": x.SKU, "source_code": x.SourceCode, "quantity": x.Quantity.d.String(), "status": strconv.Itoa(x.Status)})
	}
	return out
}

const maxBody = 16 << 20

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("request body over %d bytes", maxBody)
	}
	return b, nil
}
