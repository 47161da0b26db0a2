package simulator

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// entityRe matches an HTML entity such as &amp; or &#36;.
var entityRe = regexp.MustCompile(`&(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]+|#x[0-9a-fA-F]+);`)

// escapeName stores a product name as WordPress does: a bare "&" becomes "&amp;", existing
// entities stay (so "Boek & meer" is answered as "Boek &amp; meer").
func escapeName(n string) string {
	var b strings.Builder
	for i := 0; i < len(n); i++ {
		if n[i] == '&' {
			if loc := entityRe.FindStringIndex(n[i:]); loc != nil && loc[0] == 0 {
				b.WriteString(n[i : i+loc[1]])
				i += loc[1] - 1
				continue
			}
			b.WriteString("&amp;")
			continue
		}
		b.WriteByte(n[i])
	}
	return b.String()
}

// jPrice is a price field: a decimal string, "" meaning no price.
type jPrice struct {
	Set, Bad bool
	V        decimal.NullDecimal
}

// UnmarshalJSON accepts a decimal string or ""; anything else is bad.
func (j *jPrice) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	j.Set = true
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		j.Bad = true
		return nil
	}
	str = strings.TrimSpace(str)
	if str == "" {
		j.V = decimal.NullDecimal{}
		return nil
	}
	d, err := decimal.NewFromString(str)
	if err != nil || strings.ContainsAny(str, "eE") {
		j.Bad = true
		return nil
	}
	j.V = decimal.NullDecimal{Decimal: d, Valid: true}
	return nil
}

type attributeInput struct {
	ID        jInt      `json:"id"`
	Name      jString   `json:"name"`
	Position  jInt      `json:"position"`
	Visible   jBool     `json:"visible"`
	Variation jBool     `json:"variation"`
	Options   []jString `json:"options"`
	Option    jString   `json:"option"`
}

type productInput struct {
	ID               jInt             `json:"id"`
	Name             jString          `json:"name"`
	Slug             jString          `json:"slug"`
	Type             jString          `json:"type"`
	Status           jString          `json:"status"`
	SKU              jString          `json:"sku"`
	Description      jString          `json:"description"`
	ShortDescription jString          `json:"short_description"`
	RegularPrice     jPrice           `json:"regular_price"`
	SalePrice        jPrice           `json:"sale_price"`
	TaxStatus        jString          `json:"tax_status"`
	TaxClass         jString          `json:"tax_class"`
	ManageStock      json.RawMessage  `json:"manage_stock"`
	StockQuantity    jInt             `json:"stock_quantity"`
	StockStatus      jString          `json:"stock_status"`
	Backorders       jString          `json:"backorders"`
	Virtual          jBool            `json:"virtual"`
	Downloadable     jBool            `json:"downloadable"`
	Weight           jString          `json:"weight"`
	MenuOrder        jInt             `json:"menu_order"`
	Attributes       []attributeInput `json:"attributes"`
	MetaData         []metaInput      `json:"meta_data"`
	// Seed-only.
	DateCreatedGMT  jString `json:"date_created_gmt"`
	DateModifiedGMT jString `json:"date_modified_gmt"`
	TotalSales      jInt    `json:"total_sales"`
}

// manageStock decodes manage_stock: true/false, or "parent" on a variation.
func (in *productInput) manageStock() (set, val, parent, bad bool) {
	if len(in.ManageStock) == 0 || string(in.ManageStock) == "null" {
		return false, false, false, false
	}
	var str string
	if json.Unmarshal(in.ManageStock, &str) == nil && str == "parent" {
		return true, false, true, false
	}
	var b jBool
	_ = b.UnmarshalJSON(in.ManageStock)
	return true, b.V, false, b.Bad
}

func (in *productInput) validate(variation bool) *wpError {
	var p problems
	p.str("name", "name", in.Name)
	p.str("slug", "slug", in.Slug)
	p.str("sku", "sku", in.SKU)
	p.str("description", "description", in.Description)
	p.str("short_description", "short_description", in.ShortDescription)
	p.str("weight", "weight", in.Weight)
	p.str("tax_class", "tax_class", in.TaxClass)
	p.integer("stock_quantity", "stock_quantity", in.StockQuantity)
	p.integer("menu_order", "menu_order", in.MenuOrder)
	p.boolean("virtual", "virtual", in.Virtual)
	p.boolean("downloadable", "downloadable", in.Downloadable)
	if in.RegularPrice.Bad {
		p.add("regular_price", "regular_price", "string")
	}
	if in.SalePrice.Bad {
		p.add("sale_price", "sale_price", "string")
	}
	if _, _, parent, bad := in.manageStock(); bad || (parent && !variation) {
		p.add("manage_stock", "manage_stock", "boolean")
	}
	enum := func(name string, v jString, allowed []string) {
		p.str(name, name, v)
		if v.Set && !v.Bad && !contains(allowed, v.V) {
			p.list = append(p.list, enumProblem(name, allowed))
		}
	}
	if !variation {
		enum("type", in.Type, []string{"simple", "grouped", "external", "variable"})
	}
	enum("status", in.Status, []string{"draft", "pending", "private", "publish", "future"})
	enum("stock_status", in.StockStatus, []string{"instock", "outofstock", "onbackorder"})
	enum("backorders", in.Backorders, []string{"no", "notify", "yes"})
	enum("tax_status", in.TaxStatus, []string{"taxable", "shipping", "none"})
	for i, a := range in.Attributes {
		b := idx("attributes", i)
		p.integer("attributes", b+"[id]", a.ID)
		p.str("attributes", b+"[name]", a.Name)
		p.str("attributes", b+"[option]", a.Option)
		for j, o := range a.Options {
			p.str("attributes", b+"[options]["+strconv.Itoa(j)+"]", o)
		}
	}
	checkMeta(&p, "meta_data", in.MetaData)
	return p.err()
}

func invalidProductID(status int, variation bool) *wpError {
	if variation {
		return newErr(status, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
	}
	return newErr(status, "woocommerce_rest_product_invalid_id", "Invalid ID.")
}

// skuOwner returns the id of another product or variation with this SKU, or 0.
func (s *Server) skuOwner(sku string, self int64) int64 {
	if sku == "" {
		return 0
	}
	for _, k := range sortedKeys(s.products) {
		if p := s.products[k]; k != self && p.SKU == sku && p.Status != "trash" {
			return k
		}
	}
	return 0
}

func (s *Server) uniqueSKU(sku string, self int64) string {
	for i := 1; ; i++ {
		c := sku + "-" + strconv.Itoa(i)
		if s.skuOwner(c, self) == 0 {
			return c
		}
	}
}

// applyProduct applies a create/update request to p; the caller holds mu.
func (s *Server) applyProduct(p *Product, in *productInput, creating bool) *wpError {
	str := func(dst *string, v jString) {
		if v.Set && !v.Bad {
			*dst = v.V
		}
	}
	if in.SKU.Set && !in.SKU.Bad {
		sku := strings.TrimSpace(in.SKU.V)
		if owner := s.skuOwner(sku, p.ID); owner != 0 {
			return &wpError{Status: http.StatusBadRequest, Code: "product_invalid_sku", Message: "Invalid or duplicated SKU.",
				Extra: []kv{{"resource_id", owner}, {"unique_sku", s.uniqueSKU(sku, p.ID)}}}
		}
		p.SKU = sku
	}
	if in.Name.Set && !in.Name.Bad {
		p.Name = escapeName(in.Name.V)
	}
	if p.Type != "variation" {
		str(&p.Type, in.Type)
	}
	str(&p.Slug, in.Slug)
	if p.Slug == "" && p.Type != "variation" {
		p.Slug = s.uniqueSlug(sanitizeTitle(p.Name), p.ID)
	}
	str(&p.Status, in.Status)
	str(&p.Description, in.Description)
	str(&p.ShortDescription, in.ShortDescription)
	if in.RegularPrice.Set {
		p.RegularPrice = in.RegularPrice.V
	}
	if in.SalePrice.Set {
		p.SalePrice = in.SalePrice.V
	}
	str(&p.TaxStatus, in.TaxStatus)
	if in.TaxClass.Set && !in.TaxClass.Bad {
		p.TaxClass = in.TaxClass.V
		if p.TaxClass == "standard" {
			p.TaxClass = ""
		}
	}
	str(&p.Backorders, in.Backorders)
	str(&p.Weight, in.Weight)
	if in.Virtual.Set {
		p.Virtual = in.Virtual.V
	}
	if in.Downloadable.Set {
		p.Downloadable = in.Downloadable.V
	}
	if in.MenuOrder.Set {
		p.MenuOrder = in.MenuOrder.V
	}
	if set, val, parent, _ := in.manageStock(); set {
		p.ManageStock = val || parent
		p.ManageStockParent = parent
		if parent {
			p.ManageStock = false
		}
	}
	if in.StockQuantity.Set && p.ManageStock {
		q := in.StockQuantity.V
		p.StockQuantity = &q
	}
	if !p.ManageStock {
		p.StockQuantity = nil
		str(&p.StockStatus, in.StockStatus)
	} else if p.StockQuantity == nil {
		q := int64(0)
		p.StockQuantity = &q
	}
	p.StockStatus = stockStatusFor(p)
	if in.Attributes != nil {
		p.Attributes = nil
		for i, a := range in.Attributes {
			attr := Attribute{ID: a.ID.V, Name: a.Name.V, Position: i, Visible: true, Option: a.Option.V}
			if a.Position.Set {
				attr.Position = int(a.Position.V)
			}
			if a.Visible.Set {
				attr.Visible = a.Visible.V
			}
			attr.Variation = a.Variation.V
			for _, o := range a.Options {
				attr.Options = append(attr.Options, o.V)
			}
			p.Attributes = append(p.Attributes, attr)
		}
	}
	if in.MetaData != nil {
		p.MetaData = s.mergeMeta(p.MetaData, in.MetaData)
	}
	return nil
}

func (s *Server) uniqueSlug(base string, self int64) string {
	if base == "" {
		base = "product"
	}
	slug := base
	for i := 2; ; i++ {
		taken := false
		for id, p := range s.products {
			if id != self && p.Slug == slug && p.Type != "variation" {
				taken = true
				break
			}
		}
		if !taken {
			return slug
		}
		slug = base + "-" + strconv.Itoa(i)
	}
}

// createProductLocked creates a product, or a variation of parent when parent != 0.
func (s *Server) createProductLocked(in *productInput, parent int64, seed bool) (*Product, *wpError) {
	if e := in.validate(parent != 0); e != nil {
		return nil, e
	}
	now := s.now()
	p := &Product{Type: "simple", Status: "publish", TaxStatus: "taxable", Backorders: "no", StockStatus: "instock",
		DateCreated: now, DateModified: now}
	if parent != 0 {
		pp, ok := s.products[parent]
		if !ok || pp.Type == "variation" {
			return nil, invalidProductID(http.StatusNotFound, false)
		}
		p.Type = "variation"
		p.ParentID = parent
		p.TaxClass = "parent"
	}
	if seed && in.ID.Set && in.ID.V > 0 {
		if _, taken := s.products[in.ID.V]; taken {
			return nil, newErr(http.StatusBadRequest, "woocommerce_rest_product_exists", "Cannot create existing product.")
		}
		p.ID = in.ID.V
	}
	if !in.Name.Set && parent == 0 {
		p.Name = "Product"
	}
	saved := s.nextMetaID
	if e := s.applyProduct(p, in, true); e != nil {
		s.nextMetaID = saved
		return nil, e
	}
	if p.ID == 0 {
		s.nextPostID++
		p.ID = s.nextPostID
	} else if p.ID > s.nextPostID {
		s.nextPostID = p.ID
	}
	if seed {
		if t, ok := seedTime(in.DateCreatedGMT); ok {
			p.DateCreated, p.DateModified = t, t
		}
		if t, ok := seedTime(in.DateModifiedGMT); ok {
			p.DateModified = t
		}
		if in.TotalSales.Set {
			p.TotalSales = in.TotalSales.V
		}
	}
	if p.Type == "variation" {
		p.Name = s.lineName(p)
	}
	s.products[p.ID] = p
	return p, nil
}

// lookupProduct finds a product (parent == 0) or a variation of parent.
func (s *Server) lookupProduct(id, parent int64) (*Product, bool) {
	p, ok := s.products[id]
	if !ok {
		return nil, false
	}
	if parent != 0 {
		return p, p.Type == "variation" && p.ParentID == parent
	}
	return p, true
}

func (s *Server) updateProductLocked(id, parent int64, in *productInput) (*Product, *wpError) {
	cur, ok := s.lookupProduct(id, parent)
	if !ok {
		return nil, invalidProductID(http.StatusBadRequest, parent != 0)
	}
	if e := in.validate(cur.Type == "variation"); e != nil {
		return nil, e
	}
	c := cur.clone()
	saved := s.nextMetaID
	if e := s.applyProduct(&c, in, false); e != nil {
		s.nextMetaID = saved
		return nil, e
	}
	if c.Type == "variation" {
		c.Name = s.lineName(&c)
	}
	c.DateModified = s.now()
	*cur = c
	return cur, nil
}

func (s *Server) renderAny(p *Product, home string, asVariation bool) orderedMap {
	if asVariation {
		return s.renderVariation(p, home)
	}
	return s.renderProduct(p, home)
}

func (s *Server) listProducts(w http.ResponseWriter, req *request) {
	lp, e := s.parseList(req.query, productsCollection)
	if e == nil {
		e = cannotList(req)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.recordPerPage(lp.PerPage)
	s.mu.Lock()
	defer s.mu.Unlock()
	var skus []string
	if lp.SKU != "" {
		skus = strings.Split(lp.SKU, ",")
		skus = append(skus, lp.SKU)
	}
	var recs []sortable
	for _, id := range sortedKeys(s.products) {
		p := s.products[id]
		if p.Type == "variation" && (len(skus) == 0 || s.opts.HideVariationsInSKUSearch) {
			continue
		}
		if len(skus) > 0 && !contains(skus, p.SKU) {
			continue
		}
		if !s.productMatches(p, lp) {
			continue
		}
		recs = append(recs, sortable{id: id, created: p.DateCreated, modified: p.DateModified, title: p.Name,
			price: currentPrice(p).Decimal, sales: p.TotalSales, menu: p.MenuOrder})
	}
	s.writeProductPage(w, req, lp, recs, false)
}

func (s *Server) productMatches(p *Product, lp *listParams) bool {
	if !idFilter(lp, p.ID, p.ParentID) {
		return false
	}
	if lp.Type != "" && p.Type != lp.Type {
		return false
	}
	if lp.StockStatus != "" && s.effectiveStockStatus(p) != lp.StockStatus {
		return false
	}
	if len(lp.Status) > 0 && lp.Status[0] != "any" {
		if p.Status != lp.Status[0] {
			return false
		}
	} else if p.Status == "trash" {
		return false
	}
	if lp.Search != "" && !strings.Contains(strings.ToLower(p.Name), strings.ToLower(lp.Search)) {
		return false
	}
	return s.dateFilter(lp, p.DateCreated, p.DateModified)
}

// writeProductPage sorts, pages and writes products or variations. Products are WP_Query
// based: a page past the end is re-counted, so the totals stay right.
func (s *Server) writeProductPage(w http.ResponseWriter, req *request, lp *listParams, recs []sortable, variations bool) {
	sortRecords(recs, lp)
	from, to, pages := pageBounds(lp, len(recs))
	home := s.homeURL(req)
	out := make([]any, 0, to-from)
	for _, r := range recs[from:to] {
		out = append(out, s.renderAny(s.products[r.id], home, variations))
	}
	w.Header().Set("Allow", "GET, POST")
	s.setPaging(w, req, lp, len(recs), pages, []qp{{"context", "view"}})
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listVariations(w http.ResponseWriter, req *request, parent int64) {
	lp, e := s.parseList(req.query, variationsCollection)
	if e == nil {
		e = cannotList(req)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.recordPerPage(lp.PerPage)
	s.mu.Lock()
	defer s.mu.Unlock()
	if pp, ok := s.products[parent]; !ok || pp.Type == "variation" {
		writeError(w, invalidProductID(http.StatusNotFound, false))
		return
	}
	var recs []sortable
	for _, id := range s.childrenOf(parent) {
		p := s.products[id]
		if lp.SKU != "" && p.SKU != lp.SKU {
			continue
		}
		if !s.productMatches(p, lp) {
			continue
		}
		recs = append(recs, sortable{id: id, created: p.DateCreated, modified: p.DateModified, title: p.Name,
			price: currentPrice(p).Decimal, menu: p.MenuOrder})
	}
	s.writeProductPage(w, req, lp, recs, true)
}

func (s *Server) getProduct(w http.ResponseWriter, req *request, id, parent int64) {
	if e := cannotView(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.lookupProduct(id, parent)
	if !ok {
		writeError(w, invalidProductID(http.StatusNotFound, parent != 0))
		return
	}
	writeJSON(w, http.StatusOK, s.renderAny(p, s.homeURL(req), parent != 0))
}

func (s *Server) createProduct(w http.ResponseWriter, req *request, parent int64) {
	var in productInput
	if e := decodeCreate(req, &in); e != nil {
		writeError(w, e)
		return
	}
	if in.ID.Set && in.ID.V != 0 {
		writeError(w, newErr(http.StatusBadRequest, "woocommerce_rest_product_exists", "Cannot create existing product."))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.createProductLocked(&in, parent, false)
	if e != nil {
		writeError(w, e)
		return
	}
	home := s.homeURL(req)
	loc := home + "/wp-json/wc/v3/products/" + strconv.FormatInt(p.ID, 10)
	if parent != 0 {
		loc = home + "/wp-json/wc/v3/products/" + strconv.FormatInt(parent, 10) + "/variations/" + strconv.FormatInt(p.ID, 10)
	}
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusCreated, s.renderAny(p, home, parent != 0))
}

func (s *Server) updateProduct(w http.ResponseWriter, req *request, id, parent int64) {
	var in productInput
	if e := decodeBody(req.r, &in); e != nil {
		writeError(w, e)
		return
	}
	if e := cannotEdit(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, e := s.updateProductLocked(id, parent, &in)
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, s.renderAny(p, s.homeURL(req), parent != 0))
}

// deleteProductLocked trashes or deletes a product; variations cannot be trashed.
func (s *Server) deleteProductLocked(id, parent int64, force bool, home string) (orderedMap, *wpError) {
	p, ok := s.lookupProduct(id, parent)
	if !ok {
		return nil, invalidProductID(http.StatusNotFound, parent != 0)
	}
	if !force {
		if p.Type == "variation" {
			return nil, newErr(http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "The product variation does not support trashing.")
		}
		if p.Status == "trash" {
			return nil, newErr(http.StatusGone, "woocommerce_rest_already_trashed", "The product has already been deleted.")
		}
		p.Status = "trash"
		p.DateModified = s.now()
		return s.renderAny(p, home, false), nil
	}
	out := s.renderAny(p, home, parent != 0)
	if p.Type == "variable" {
		for _, c := range s.childrenOf(p.ID) {
			delete(s.products, c)
		}
	}
	delete(s.products, id)
	return out, nil
}

func (s *Server) deleteProduct(w http.ResponseWriter, req *request, id, parent int64) {
	force := false
	if v, ok := req.query.lookup("force"); ok {
		b, valid := parseBool(v)
		if !valid {
			writeError(w, invalidParams(typeProblem("force", "boolean")))
			return
		}
		force = b
	}
	if e := cannotDelete(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out, e := s.deleteProductLocked(id, parent, force, s.homeURL(req))
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) batchProducts(w http.ResponseWriter, req *request, parent int64) {
	in, ok := s.readBatch(w, req)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if parent != 0 {
		if pp, ok := s.products[parent]; !ok || pp.Type == "variation" {
			writeError(w, invalidProductID(http.StatusNotFound, false))
			return
		}
	}
	home := s.homeURL(req)
	asVar := parent != 0
	out := orderedMap{}
	if len(in.Create) > 0 {
		res := make([]any, 0, len(in.Create))
		for _, raw := range in.Create {
			var pi productInput
			if err := json.Unmarshal(raw, &pi); err != nil {
				res = append(res, itemError(0, newErr(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")))
				continue
			}
			p, e := s.createProductLocked(&pi, parent, false)
			if e != nil {
				res = append(res, itemError(0, e))
				continue
			}
			res = append(res, s.renderAny(p, home, asVar))
		}
		out = append(out, kv{"create", res})
	}
	if len(in.Update) > 0 {
		res := make([]any, 0, len(in.Update))
		for _, raw := range in.Update {
			var pi productInput
			if err := json.Unmarshal(raw, &pi); err != nil {
				res = append(res, itemError(0, newErr(http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")))
				continue
			}
			p, e := s.updateProductLocked(pi.ID.V, parent, &pi)
			if e != nil {
				res = append(res, itemError(pi.ID.V, e))
				continue
			}
			res = append(res, s.renderAny(p, home, asVar))
		}
		out = append(out, kv{"update", res})
	}
	if len(in.Delete) > 0 {
		res := make([]any, 0, len(in.Delete))
		for _, raw := range in.Delete {
			id := batchID(raw)
			r, e := s.deleteProductLocked(id, parent, true, home)
			if e != nil {
				res = append(res, itemError(id, e))
				continue
			}
			res = append(res, r)
		}
		out = append(out, kv{"delete", res})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listTaxes(w http.ResponseWriter, req *request) {
	lp, e := s.parseList(req.query, taxesCollection)
	if e == nil {
		e = cannotList(req)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.recordPerPage(lp.PerPage)
	s.mu.Lock()
	defer s.mu.Unlock()
	class := req.query.last("class")
	var rows []TaxRate
	for _, t := range s.taxes {
		if class == "" || t.Class == class {
			rows = append(rows, t)
		}
	}
	if lp.Order == "desc" {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	from, to, pages := pageBounds(lp, len(rows))
	home := s.homeURL(req)
	out := make([]any, 0, to-from)
	for _, t := range rows[from:to] {
		out = append(out, renderTax(t, home))
	}
	w.Header().Set("Allow", "GET, POST")
	s.setPaging(w, req, lp, len(rows), pages, []qp{{"context", "view"}})
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTax(w http.ResponseWriter, req *request, id int64) {
	if e := cannotView(req); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.taxes {
		if t.ID == id {
			writeJSON(w, http.StatusOK, renderTax(t, s.homeURL(req)))
			return
		}
	}
	writeError(w, newErr(http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid resource ID."))
}
