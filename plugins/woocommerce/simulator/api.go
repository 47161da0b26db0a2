package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// This file holds the Go API other packages' tests use to set up and inspect the store
// without going through HTTP.

// AddOrder stores o as given (totals and taxes are not recomputed). A zero ID, Number,
// OrderKey, Status, Currency, Version, CreatedVia or DateCreated/DateModified is filled in
// (dates with the clock), and item ids of 0 are assigned. It fails when the id is taken.
func (s *Server) AddOrder(o Order) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := o.clone()
	if c.ID == 0 {
		s.nextPostID++
		c.ID = s.nextPostID
	} else if _, taken := s.orders[c.ID]; taken {
		return Order{}, fmt.Errorf("simulator: add order %d: id already exists", c.ID)
	} else if c.ID > s.nextPostID {
		s.nextPostID = c.ID
	}
	if c.Number == "" {
		c.Number = strconv.FormatInt(c.ID, 10)
	}
	if c.OrderKey == "" {
		c.OrderKey = s.newOrderKey()
	}
	if c.Status == "" {
		c.Status = "pending"
	}
	if c.Currency == "" {
		c.Currency = s.opts.Currency
	}
	if c.Version == "" {
		c.Version = s.opts.Version
	}
	if c.CreatedVia == "" {
		c.CreatedVia = "checkout"
	}
	now := s.now()
	if c.DateCreated.IsZero() {
		c.DateCreated = now
	}
	if c.DateModified.IsZero() {
		c.DateModified = c.DateCreated
	}
	c.DateCreated = c.DateCreated.Truncate(1e9)
	c.DateModified = c.DateModified.Truncate(1e9)
	assign := func(id *int64) {
		if *id == 0 {
			s.nextItemID++
			*id = s.nextItemID
		}
	}
	for i := range c.LineItems {
		assign(&c.LineItems[i].ID)
	}
	for i := range c.TaxLines {
		assign(&c.TaxLines[i].ID)
	}
	for i := range c.ShippingLines {
		assign(&c.ShippingLines[i].ID)
	}
	for i := range c.FeeLines {
		assign(&c.FeeLines[i].ID)
	}
	for i := range c.CouponLines {
		assign(&c.CouponLines[i].ID)
	}
	c.stockReduced = c.Status == "processing" || c.Status == "completed" || c.Status == "on-hold"
	s.orders[c.ID] = &c
	s.modIdx.put(&c)
	return c.clone(), nil
}

// CreateOrderJSON creates an order from a POST /orders body, exactly as the API does (taxes
// computed unless given), plus the seed-only fields (id, number, order_key, created_via,
// date_created_gmt, date_modified_gmt, date_paid_gmt, date_completed_gmt, refunds).
func (s *Server) CreateOrderJSON(body []byte) (Order, error) {
	var in orderInput
	if err := json.Unmarshal(body, &in); err != nil {
		return Order{}, fmt.Errorf("simulator: create order: decode: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, e := s.createOrderLocked(&in, true)
	if e != nil {
		return Order{}, fmt.Errorf("simulator: create order: %w", e)
	}
	return o.clone(), nil
}

// Orders returns a snapshot of all orders (trashed ones included), by ascending id.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, 0, len(s.orders))
	for _, id := range sortedKeys(s.orders) {
		out = append(out, s.orders[id].clone())
	}
	return out
}

// Order returns a snapshot of one order.
func (s *Server) Order(id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, false
	}
	return o.clone(), true
}

// TouchOrder marks an order as changed now (as an edit in wp-admin does): date_modified moves
// to the clock's time and, when status is not empty, the status changes (any status the REST
// API can set, or auto-draft).
func (s *Server) TouchOrder(id int64, status string) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return Order{}, fmt.Errorf("simulator: touch order %d: no such order", id)
	}
	if status != "" {
		// auto-draft is what wp-admin's "Add order" screen stores before it is saved; the REST
		// API cannot set it, wp-admin can.
		if !contains(writableOrderStatuses, status) && status != "auto-draft" {
			return Order{}, fmt.Errorf("simulator: touch order %d: unknown status %q", id, status)
		}
		o.Status = status
	}
	o.DateModified = s.now()
	s.modIdx.put(o)
	return o.clone(), nil
}

// AddProduct stores a product or variation as given. A zero ID, dates, Status ("publish"),
// Type ("simple"), TaxStatus ("taxable"), Backorders ("no") or Slug are filled in, and a
// variation's empty TaxClass becomes "parent" ("Same as parent"; TaxClass "standard" is stored
// as "", the standard class, as WooCommerce does); stock status follows the quantity when stock
// is managed. It fails on a taken id or SKU, or a
// variation whose parent is missing.
func (s *Server) AddProduct(p Product) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := p.clone()
	if c.ID != 0 {
		if _, taken := s.products[c.ID]; taken {
			return Product{}, fmt.Errorf("simulator: add product %d: id already exists", c.ID)
		}
	}
	if owner := s.skuOwner(c.SKU, c.ID); owner != 0 {
		return Product{}, fmt.Errorf("simulator: add product: sku %q already used by %d", c.SKU, owner)
	}
	if c.Type == "" {
		c.Type = "simple"
		if c.ParentID != 0 {
			c.Type = "variation"
		}
	}
	if c.Type == "variation" {
		if pp, ok := s.products[c.ParentID]; !ok || pp.Type != "variable" {
			return Product{}, fmt.Errorf("simulator: add variation: parent %d is not a variable product", c.ParentID)
		}
	}
	if c.ID == 0 {
		s.nextPostID++
		c.ID = s.nextPostID
	} else if c.ID > s.nextPostID {
		s.nextPostID = c.ID
	}
	if c.Status == "" {
		c.Status = "publish"
	}
	if c.TaxStatus == "" {
		c.TaxStatus = "taxable"
	}
	switch {
	case c.TaxClass == "standard":
		c.TaxClass = ""
	case c.TaxClass == "" && c.Type == "variation":
		c.TaxClass = "parent"
	}
	if c.Backorders == "" {
		c.Backorders = "no"
	}
	c.Name = escapeName(c.Name)
	if c.Type == "variation" {
		c.Name = s.lineName(&c)
	} else if c.Slug == "" {
		c.Slug = s.uniqueSlug(sanitizeTitle(c.Name), c.ID)
	}
	now := s.now()
	if c.DateCreated.IsZero() {
		c.DateCreated = now
	}
	if c.DateModified.IsZero() {
		c.DateModified = c.DateCreated
	}
	if c.ManageStock && c.StockQuantity == nil {
		q := int64(0)
		c.StockQuantity = &q
	}
	c.StockStatus = stockStatusFor(&c)
	s.products[c.ID] = &c
	return c.clone(), nil
}

// Products returns a snapshot of all products and variations, by ascending id.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Product, 0, len(s.products))
	for _, id := range sortedKeys(s.products) {
		out = append(out, s.products[id].clone())
	}
	return out
}

// Product returns a snapshot of one product or variation.
func (s *Server) Product(id int64) (Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return Product{}, false
	}
	return p.clone(), true
}

// AddCoupon makes a coupon code known (codes are lower case in WooCommerce).
func (s *Server) AddCoupon(c Coupon) error {
	code := strings.ToLower(strings.TrimSpace(c.Code))
	if code == "" {
		return fmt.Errorf("simulator: add coupon: empty code")
	}
	if c.DiscountType != "percent" && c.DiscountType != "fixed_cart" {
		return fmt.Errorf("simulator: add coupon %s: discount type %q: want percent or fixed_cart", code, c.DiscountType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Code = code
	if c.ID == 0 {
		s.nextPostID++
		c.ID = s.nextPostID
	}
	s.coupons[code] = &c
	return nil
}

// SetTaxRates replaces the tax table.
func (s *Server) SetTaxRates(rates []TaxRate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taxes = append([]TaxRate(nil), rates...)
}

// TaxRates returns the tax table.
func (s *Server) TaxRates() []TaxRate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TaxRate(nil), s.taxes...)
}

// seedFile is the --seed and /_sim/seed format: request bodies as POST /products and POST
// /orders take them (GET responses and /_sim/dump output are accepted too). Products come
// first; a variation names its parent with parent_id.
type seedFile struct {
	Products []json.RawMessage `json:"products"`
	Orders   []json.RawMessage `json:"orders"`
	// Customers are POST /customers bodies (or GET /customers/{id} answers), ids kept.
	Customers []json.RawMessage `json:"customers"`
	Coupons   []struct {
		Code         string          `json:"code"`
		DiscountType string          `json:"discount_type"`
		Amount       decimal.Decimal `json:"amount"`
		FreeShipping bool            `json:"free_shipping"`
	} `json:"coupons"`
}

// LoadSeed reads a seed document ({"products":[...],"orders":[...],"customers":[...],
// "coupons":[...]}) and creates everything in it, coupons, customers and products before orders. Products and orders keep the ids, dates and
// totals the document gives. It stops at the first item it cannot create.
func (s *Server) LoadSeed(r io.Reader) (products, orders int, err error) {
	b, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return 0, 0, fmt.Errorf("simulator: read seed: %w", err)
	}
	var f seedFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		return 0, 0, fmt.Errorf("simulator: decode seed: %w", err)
	}
	for _, c := range f.Coupons {
		if err := s.AddCoupon(Coupon{Code: c.Code, DiscountType: c.DiscountType, Amount: c.Amount, FreeShipping: c.FreeShipping}); err != nil {
			return products, orders, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, raw := range f.Customers {
		var in customerInput
		if err := json.Unmarshal(raw, &in); err != nil {
			return products, orders, fmt.Errorf("simulator: seed customer %d: %w", i, err)
		}
		if _, e := s.createCustomerLocked(&in, true); e != nil {
			return products, orders, fmt.Errorf("simulator: seed customer %d: %w", i, e)
		}
	}
	s.modIdx.markStale() // many orders with their own dates: rebuild once when next listed
	for i, raw := range f.Products {
		var in productInput
		if err := json.Unmarshal(raw, &in); err != nil {
			return products, orders, fmt.Errorf("simulator: seed product %d: %w", i, err)
		}
		var parent struct {
			ParentID int64  `json:"parent_id"`
			Type     string `json:"type"`
		}
		_ = json.Unmarshal(raw, &parent)
		pid := int64(0)
		if parent.ParentID != 0 || parent.Type == "variation" {
			pid = parent.ParentID
		}
		if _, e := s.createProductLocked(&in, pid, true); e != nil {
			return products, orders, fmt.Errorf("simulator: seed product %d: %w", i, e)
		}
		products++
	}
	for i, raw := range f.Orders {
		var in orderInput
		if err := json.Unmarshal(raw, &in); err != nil {
			return products, orders, fmt.Errorf("simulator: seed order %d: %w", i, err)
		}
		if _, e := s.createOrderLocked(&in, true); e != nil {
			return products, orders, fmt.Errorf("simulator: seed order %d: %w", i, e)
		}
		orders++
	}
	return products, orders, nil
}

// Dump renders every product (variations after their parent), order and registered customer
// (when there are any) as the API answers them, under home as the site URL, in the seed format
// LoadSeed reads.
func (s *Server) Dump(home string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	home = strings.TrimRight(home, "/")
	var products []any
	for _, id := range sortedKeys(s.products) {
		p := s.products[id]
		if p.Type == "variation" {
			continue
		}
		products = append(products, s.renderProduct(p, home))
		for _, c := range s.childrenOf(id) {
			products = append(products, s.renderVariation(s.products[c], home))
		}
	}
	var orders []any
	for _, id := range sortedKeys(s.orders) {
		orders = append(orders, s.renderOrder(s.orders[id], home, 2))
	}
	if products == nil {
		products = []any{}
	}
	if orders == nil {
		orders = []any{}
	}
	doc := orderedMap{{"products", products}, {"orders", orders}}
	if len(s.customers) > 0 {
		var customers []any
		for _, id := range sortedKeys(s.customers) {
			customers = append(customers, s.renderCustomer(s.customers[id], home))
		}
		doc = append(doc, kv{"customers", customers})
	}
	return phpJSON(doc)
}
