package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// batchLimit is WooCommerce's default maximum of objects per batch request
// (woocommerce_rest_batch_items_limit); more gives 413.
const batchLimit = 100

// skuChunk is how many SKUs one look-up request carries (a comma list in the query).
const skuChunk = 50

// productKey is the scan key of a product.
func productKey(p *wcProduct) (int64, time.Time) {
	return p.ID.Int(), gmtOr(p.DateModifiedGMT, p.DateModified).T
}

// ListProducts streams products modified after q.Since / from q.Cursor with the same
// guarantees as ListOrders. A variable product is followed by its variations (each with
// ParentID set and the parent's name in front of its own); the variations carry the cursor
// from before their parent, so a resume repeats the family rather than losing part of it.
// Variations are listed when their parent product is modified. Each product carries
// PriceIncludesTax (the store setting) and TaxRate: the rate of its tax class in the store's
// base country (a variation with class "parent" takes its parent's), 0 for tax status "none" or
// "shipping", nil when the store's tax table does not tell (see taxTable.rateFor). The tax
// table is read once per listing (and reused by the Shop for taxTTL); a transient failure to
// read it fails the listing.
func (s *Shop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	taxes := s.lazyTaxInfo()
	spec := scanSpec[*wcProduct]{
		Since:   q.Since,
		Overlap: s.overlap,
		PerPage: s.perPage,
		Key:     productKey,
	}
	if q.Cursor != "" {
		p, err := decodeCursor(q.Cursor, int64(s.overlap/time.Second))
		if err != nil {
			return err
		}
		spec.From, spec.HasFrom = p, true
	}
	spec.Fetch = func(ctx context.Context, after time.Time, page int) (scanPage[*wcProduct], error) {
		v := url.Values{
			"per_page": {strconv.Itoa(s.perPage)},
			"page":     {strconv.Itoa(page)},
			"orderby":  {"modified"},
			"order":    {"asc"},
		}
		if !after.IsZero() {
			v.Set("modified_after", formatWCTime(after))
			v.Set("dates_are_gmt", "true")
		}
		ps, tp, err := s.fetchProducts(ctx, "/products", v)
		return scanPage[*wcProduct]{Items: ps, TotalPages: tp}, err
	}
	spec.Yield = func(p *wcProduct, after, before string) error {
		tax, err := taxes(ctx)
		if err != nil {
			return err
		}
		if string(p.Type) == "variable" {
			err := s.eachPage(ctx, "/products/"+p.ID.String()+"/variations", url.Values{}, func(vs []*wcProduct) error {
				for _, v := range vs {
					if v.ParentID.String() == "" {
						v.ParentID = p.ID
					}
					prod, err := mapProduct(v, p, tax)
					if err != nil {
						return sdk.Errorf(sdk.KindPermanent, "WooCommerce variation of product %s: %v", p.ID.String(), err)
					}
					if err := yield(sdk.ProductItem{Product: prod, Cursor: before}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		prod, err := mapProduct(p, nil, tax)
		if err != nil {
			return sdk.Errorf(sdk.KindPermanent, "WooCommerce product: %v", err)
		}
		return yield(sdk.ProductItem{Product: prod, Cursor: after})
	}
	return wrapCtx(scan(ctx, spec))
}

// lazyTaxInfo returns a function that reads the store's tax table (Shop.taxInfo) on its first
// call and returns the same table afterwards: one read per listing, none for a listing that
// finds nothing.
func (s *Shop) lazyTaxInfo() func(context.Context) (*taxTable, error) {
	var t *taxTable
	return func(ctx context.Context) (*taxTable, error) {
		if t != nil {
			return t, nil
		}
		v, err := s.taxInfo(ctx)
		if err != nil {
			return nil, err
		}
		t = v
		return t, nil
	}
}

// fetchProducts gets one page of a product or variation collection.
func (s *Shop) fetchProducts(ctx context.Context, path string, v url.Values) ([]*wcProduct, int, error) {
	r, err := s.api.get(ctx, path, v)
	if err != nil {
		return nil, 0, err
	}
	var ps []*wcProduct
	if err := decodeJSON("GET "+path, r.Body, &ps); err != nil {
		return nil, 0, err
	}
	return ps, totalPages(r.Header), nil
}

// eachPage walks all pages (100 per page) of a collection by the first page's X-WP-TotalPages.
func (s *Shop) eachPage(ctx context.Context, path string, v url.Values, fn func([]*wcProduct) error) error {
	total := -1
	for page := 1; ; page++ {
		q := url.Values{}
		for k, vs := range v {
			q[k] = vs
		}
		q.Set("per_page", "100")
		q.Set("page", strconv.Itoa(page))
		ps, tp, err := s.fetchProducts(ctx, path, q)
		if err != nil {
			return err
		}
		if page == 1 {
			total = tp
		}
		if err := fn(ps); err != nil {
			return err
		}
		if len(ps) < 100 || (total >= 0 && page >= total) {
			return nil
		}
	}
}

// FindProducts looks products and variations up by exact SKU: first through /products?sku=
// (newer WooCommerce returns variations there too), then, for SKUs still missing, through
// /products/{id}/variations?sku= of every variable product. Unknown SKUs are absent from the
// result. The result follows the order of skus, one product per SKU. Products carry
// PriceIncludesTax and TaxRate as in ListProducts; a variation found through /products?sku=
// has its parent read (one request per 100 parents) for the parent's name and tax class. The
// tax table is read once per call, and only when something was found.
func (s *Shop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	return s.findProducts(ctx, skus, true)
}

// foundProduct is a product found by SKU, with its parent when it is a variation whose parent
// is known.
type foundProduct struct {
	p, parent *wcProduct
}

// findProducts is FindProducts; with full false (the SKU look-up of WriteStock, which needs only
// the ids) it reads neither parents nor the tax table, so products have no TaxRate.
func (s *Shop) findProducts(ctx context.Context, skus []string, full bool) ([]sdk.Product, error) {
	want := map[string]bool{}
	var order []string
	for _, sku := range skus {
		sku = strings.TrimSpace(sku)
		if sku != "" && !want[sku] {
			want[sku] = true
			order = append(order, sku)
		}
	}
	found := map[string]foundProduct{}
	take := func(ps []*wcProduct, parent *wcProduct) {
		for _, p := range ps {
			sku := strings.TrimSpace(string(p.SKU))
			if !want[sku] {
				continue
			}
			if _, dup := found[sku]; dup {
				continue
			}
			found[sku] = foundProduct{p: p, parent: parent}
		}
	}
	for i := 0; i < len(order); i += skuChunk {
		chunk := order[i:min(i+skuChunk, len(order))]
		if err := s.eachPage(ctx, "/products", url.Values{"sku": {strings.Join(chunk, ",")}}, func(ps []*wcProduct) error {
			take(ps, nil)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	missing := func() []string {
		var m []string
		for _, sku := range order {
			if _, ok := found[sku]; !ok {
				m = append(m, sku)
			}
		}
		return m
	}
	if len(missing()) > 0 {
		errStop := fmt.Errorf("all found")
		err := s.eachPage(ctx, "/products", url.Values{"type": {"variable"}}, func(parents []*wcProduct) error {
			for _, parent := range parents {
				m := missing()
				if len(m) == 0 {
					return errStop
				}
				for i := 0; i < len(m); i += skuChunk {
					chunk := m[i:min(i+skuChunk, len(m))]
					err := s.eachPage(ctx, "/products/"+parent.ID.String()+"/variations", url.Values{"sku": {strings.Join(chunk, ",")}}, func(vs []*wcProduct) error {
						for _, v := range vs {
							if v.ParentID.String() == "" {
								v.ParentID = parent.ID
							}
						}
						take(vs, parent)
						return nil
					})
					if err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil && err != errStop {
			return nil, err
		}
	}
	var tax *taxTable
	if full && len(found) > 0 {
		if err := s.attachParents(ctx, found); err != nil {
			return nil, err
		}
		t, err := s.taxInfo(ctx)
		if err != nil {
			return nil, err
		}
		tax = t
	}
	out := make([]sdk.Product, 0, len(found))
	for _, sku := range order {
		f, ok := found[sku]
		if !ok {
			continue
		}
		prod, err := mapProduct(f.p, f.parent, tax)
		if err != nil {
			return nil, sdk.Errorf(sdk.KindPermanent, "WooCommerce product with SKU %q: %v", sku, err)
		}
		out = append(out, prod)
	}
	return out, nil
}

// attachParents reads the parents of found variations that came without one, through
// GET /products?include=, 100 ids per request. A parent the store does not return leaves the
// variation without parent (its name unprefixed, a "parent" tax class unresolved).
func (s *Shop) attachParents(ctx context.Context, found map[string]foundProduct) error {
	need := map[string]bool{}
	var ids []string
	for _, f := range found {
		if f.parent != nil {
			continue
		}
		if id := f.p.ParentID.String(); id != "" && !need[id] {
			need[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids)
	parents := map[string]*wcProduct{}
	for i := 0; i < len(ids); i += 100 {
		chunk := ids[i:min(i+100, len(ids))]
		err := s.eachPage(ctx, "/products", url.Values{"include": {strings.Join(chunk, ",")}}, func(ps []*wcProduct) error {
			for _, p := range ps {
				parents[p.ID.String()] = p
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for sku, f := range found {
		if f.parent == nil {
			if p, ok := parents[f.p.ParentID.String()]; ok {
				f.parent = p
				found[sku] = f
			}
		}
	}
	return nil
}

// stockUpdate is one element of a batch "update" list.
type stockUpdate struct {
	ID            int64       `json:"id"`
	StockQuantity json.Number `json:"stock_quantity"`
}

// WriteStock sets stock_quantity through POST /products/batch and, for variations,
// POST /products/{parent}/variations/batch, at most 100 items per request. Levels without
// ProductID are looked up by SKU first. Every element of a batch answer is checked: an item
// refused inside the 200 answer, an unknown SKU or a product that does not manage stock is
// reported in its StockResult. Quantities are written as whole numbers (WooCommerce stores
// integers), truncated toward zero. The error is for the call as a whole (keys, network).
func (s *Shop) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	res := make([]sdk.StockResult, len(levels))
	var lookup []string
	for i, l := range levels {
		res[i] = sdk.StockResult{SKU: l.SKU, ProductID: l.ProductID, ParentID: normID(l.ParentID)}
		if normID(l.ProductID) == "" {
			lookup = append(lookup, l.SKU)
		}
	}
	if len(lookup) > 0 {
		ps, err := s.findProducts(ctx, lookup, false)
		if err != nil {
			return nil, err
		}
		bySKU := map[string]sdk.Product{}
		for _, p := range ps {
			bySKU[p.SKU] = p
		}
		for i, l := range levels {
			if normID(l.ProductID) != "" {
				continue
			}
			p, ok := bySKU[strings.TrimSpace(l.SKU)]
			if !ok {
				res[i].NotFound = true
				res[i].Err = fmt.Sprintf("no product or variation with SKU %q in WooCommerce", l.SKU)
				continue
			}
			res[i].ProductID, res[i].ParentID = p.ID, normID(p.ParentID)
		}
	}

	// Group by endpoint, keeping the order of the levels.
	type group struct {
		path string
		idx  []int
	}
	var groups []*group
	byPath := map[string]*group{}
	for i := range levels {
		if res[i].Err != "" {
			continue
		}
		if _, err := strconv.ParseInt(res[i].ProductID, 10, 64); err != nil {
			res[i].Err = fmt.Sprintf("product id %q is not a WooCommerce id", res[i].ProductID)
			continue
		}
		path := "/products/batch"
		if res[i].ParentID != "" {
			path = "/products/" + url.PathEscape(res[i].ParentID) + "/variations/batch"
		}
		g := byPath[path]
		if g == nil {
			g = &group{path: path}
			byPath[path] = g
			groups = append(groups, g)
		}
		g.idx = append(g.idx, i)
	}
	for _, g := range groups {
		for start := 0; start < len(g.idx); start += batchLimit {
			chunk := g.idx[start:min(start+batchLimit, len(g.idx))]
			if err := s.writeChunk(ctx, g.path, levels, res, chunk); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// writeChunk sends one batch request and records each item's outcome in res.
func (s *Shop) writeChunk(ctx context.Context, path string, levels []sdk.StockLevel, res []sdk.StockResult, chunk []int) error {
	upd := make([]stockUpdate, len(chunk))
	pos := map[int64]int{}
	for j, i := range chunk {
		id, _ := strconv.ParseInt(res[i].ProductID, 10, 64)
		upd[j] = stockUpdate{ID: id, StockQuantity: json.Number(levels[i].Quantity.Truncate(0).String())}
		pos[id] = i
	}
	r, err := s.api.post(ctx, path, map[string]any{"update": upd})
	if err != nil {
		switch sdk.KindOf(err) {
		case sdk.KindPermanent, sdk.KindNotFound:
			for _, i := range chunk {
				res[i].Err = err.Error()
			}
			return nil
		}
		return err
	}
	var reply batchReply
	if err := decodeJSON("POST "+path, r.Body, &reply); err != nil {
		return err
	}
	done := map[int]bool{}
	for j, item := range reply.Update {
		i, ok := pos[item.ID.Int()]
		if !ok && j < len(chunk) {
			i, ok = chunk[j], true
		}
		if !ok || done[i] {
			continue
		}
		done[i] = true
		switch {
		case item.Error != nil:
			res[i].Err = strings.TrimPrefix(fmt.Sprintf("%s: %s", item.Error.Code, s.api.hc.Redact(item.Error.Message)), ": ")
			if strings.HasSuffix(item.Error.Code, "_invalid_id") {
				res[i].NotFound = true
			}
		case strings.TrimSpace(string(item.ManageStock)) == "false":
			res[i].Err = "WooCommerce does not manage stock for this product (turn on \"Manage stock\" for it); quantity not written"
		}
	}
	for _, i := range chunk {
		if !done[i] {
			res[i].Err = "WooCommerce's batch answer did not mention this product; the write is unconfirmed"
		}
	}
	return nil
}

// normID returns "" for an empty or zero id.
func normID(id string) string {
	id = strings.TrimSpace(id)
	if id == "0" {
		return ""
	}
	return id
}
