package onetoshop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/sdk"
)

// Info returns the plugin's description for plugin.Serve and the conformance kit.
func Info(version string) sdk.PluginInfo {
	return sdk.PluginInfo{
		Name:         "onetoshop",
		Kind:         sdk.KindShop,
		Version:      version,
		Description:  "Onetoshop webshops: orders, products and stock (contract assumed, see API.md)",
		Schema:       Schema(),
		Capabilities: []string{sdk.CapStockWrite, sdk.CapProducts},
	}
}

// Shop is one configured Onetoshop shop. It implements sdk.Shop and is safe for concurrent use.
type Shop struct {
	api *api
	log hclog.Logger
}

var _ sdk.Shop = (*Shop)(nil)

// New checks cfg (KindConfig on a bad value) and returns a Shop; it makes no request.
func New(ctx context.Context, cfg sdk.Config, log hclog.Logger) (sdk.Shop, error) {
	return newShop(cfg, log, nil)
}

// newShop is New with a transport, for tests.
func newShop(cfg sdk.Config, log hclog.Logger, transport http.RoundTripper) (*Shop, error) {
	set, err := parseSettings(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	log.Debug("onetoshop shop configured", "settings", set.String())
	return &Shop{api: newAPI(set, log, transport), log: log}, nil
}

// Calls returns the number of HTTP requests this instance has sent.
func (s *Shop) Calls() int64 { return s.api.http.Calls() }

// Check asks the shop for GET /shop and reports its name. A redirect is KindUnreachable naming
// the target, a refused token KindAuth, a missing API (404, HTML) KindConfig.
func (s *Shop) Check(ctx context.Context) (sdk.CheckResult, error) {
	var res single[wireShop]
	err := s.api.call(ctx, http.MethodGet, "/shop", nil, nil, &res)
	if sdk.KindOf(err) == sdk.KindNotFound {
		return sdk.CheckResult{}, sdk.Errorf(sdk.KindConfig,
			"no Onetoshop API at %s (404): check url and base_path, and that the API is switched on for this shop", s.api.set.base.String())
	}
	if err != nil {
		return sdk.CheckResult{}, err
	}
	if res.Data == nil {
		return sdk.CheckResult{}, sdk.Errorf(sdk.KindConfig, "GET %s/shop answered without a data object: this is not the API koppel expects (API.md)", s.api.set.base.Path)
	}
	d := res.Data
	name := firstNonEmpty(d.Name, s.api.set.shopURL)
	sum := "Onetoshop shop " + name
	if d.APIVersion != "" {
		sum += " (API " + d.APIVersion + ")"
	}
	det := map[string]string{"url": s.api.set.shopURL, "api": s.api.set.base.String()}
	for k, v := range map[string]string{"name": d.Name, "platform": d.Platform, "api_version": d.APIVersion, "currency": d.Currency, "timezone": d.TimeZone} {
		if v != "" {
			det[k] = v
		}
	}
	if d.PricesIncludeVAT != nil {
		det["prices_include_vat"] = strconv.FormatBool(*d.PricesIncludeVAT)
	}
	return sdk.CheckResult{Summary: sum, Details: det}, nil
}

// statuses returns the status filter: the query's, else the profile's; nil for "any".
func (s *Shop) statuses(q []string) []string {
	st := cleanList(q)
	if len(st) == 0 {
		st = s.api.set.statuses
	}
	for _, v := range st {
		if strings.EqualFold(v, "any") {
			return nil
		}
	}
	return st
}

// ListOrders streams orders modified at or after q.Since (or from q.Cursor), oldest first,
// with the at-least-once contract of sdk.Shop, in the statuses q.Statuses or the configured
// ones, or in every status (no status filter) when q.AllStatuses is set. With q.IDs it fetches exactly those orders
// (GET /orders/{id}); unknown ids are left out.
func (s *Shop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	if len(q.IDs) > 0 {
		return s.ordersByID(ctx, q.IDs, yield)
	}
	var from *position
	if q.Cursor != "" {
		p, err := decodeCursor(q.Cursor)
		if err != nil {
			return err
		}
		from = &p
	}
	statuses := s.statuses(q.Statuses)
	if q.AllStatuses {
		statuses = nil // every status: the host decides which are imported
	}
	set := s.api.set
	total := 0
	return listing[sdk.Order]{
		since:   q.Since,
		from:    from,
		overlap: set.overlap,
		limit:   set.pageSize,
		fetch: func(ctx context.Context, since time.Time, page int) (fetched[sdk.Order], error) {
			v := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(set.pageSize)}, "sort": {"updated_at"}}
			if !since.IsZero() {
				v.Set("updated_since", formatTime(since))
			}
			if len(statuses) > 0 {
				v.Set("status", strings.Join(statuses, ","))
			}
			var env envelope[wireOrder]
			if err := s.api.call(ctx, http.MethodGet, "/orders", v, nil, &env); err != nil {
				return fetched[sdk.Order]{}, listError(err, "orders")
			}
			out := fetched[sdk.Order]{pages: env.Meta.Pages, total: env.Meta.Total, items: make([]sdk.Order, 0, len(env.Data))}
			for _, w := range env.Data {
				o, err := mapOrder(w)
				if err != nil {
					return out, &sdk.Error{Kind: sdk.KindPermanent, Err: err,
						Message: fmt.Sprintf("GET /orders page %d: %v: the shop's answer breaks the contract (API.md)", page, err)}
				}
				out.items = append(out.items, o)
			}
			return out, nil
		},
		key:     func(o sdk.Order) (string, time.Time) { return o.ID, o.ModifiedAt },
		yield:   func(o sdk.Order, c string) error { return yield(sdk.OrderItem{Order: o, Cursor: c, Total: total}) },
		onTotal: func(n int) { total = n },
	}.run(ctx)
}

// listError turns a 404 on a collection into a configuration error.
func listError(err error, what string) error {
	if sdk.KindOf(err) == sdk.KindNotFound {
		var e *sdk.Error
		errors.As(err, &e)
		return &sdk.Error{Kind: sdk.KindConfig, Code: e.Code, Err: err,
			Message: fmt.Sprintf("the shop has no %s endpoint (404): check base_path (%s)", what, e.Message)}
	}
	return err
}

// ordersByID fetches the orders one by one and yields them oldest first.
func (s *Shop) ordersByID(ctx context.Context, ids []string, yield func(sdk.OrderItem) error) error {
	var orders []sdk.Order
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		var res single[wireOrder]
		err := s.api.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(id), nil, nil, &res)
		if sdk.KindOf(err) == sdk.KindNotFound {
			continue
		}
		if err != nil {
			return err
		}
		if res.Data == nil {
			continue
		}
		o, err := mapOrder(*res.Data)
		if err != nil {
			return &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: fmt.Sprintf("GET /orders/%s: %v", id, err)}
		}
		orders = append(orders, o)
	}
	sort.SliceStable(orders, func(i, j int) bool { return orders[i].ModifiedAt.Before(orders[j].ModifiedAt) })
	for _, o := range orders {
		p := position{}
		p.moveTo(o.ModifiedAt.Unix())
		p.add(o.ID)
		if err := yield(sdk.OrderItem{Order: o, Cursor: p.encode()}); err != nil {
			return err
		}
	}
	return nil
}

// ListProducts streams products and variants modified at or after q.Since (or from q.Cursor),
// oldest first, at least once.
func (s *Shop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	var from *position
	if q.Cursor != "" {
		p, err := decodeCursor(q.Cursor)
		if err != nil {
			return err
		}
		from = &p
	}
	set := s.api.set
	return listing[sdk.Product]{
		since:   q.Since,
		from:    from,
		overlap: set.overlap,
		limit:   set.pageSize,
		fetch: func(ctx context.Context, since time.Time, page int) (fetched[sdk.Product], error) {
			v := url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(set.pageSize)}, "sort": {"updated_at"}}
			if !since.IsZero() {
				v.Set("updated_since", formatTime(since))
			}
			return s.productPage(ctx, v)
		},
		key:   func(p sdk.Product) (string, time.Time) { return p.ID, p.ModifiedAt },
		yield: func(p sdk.Product, c string) error { return yield(sdk.ProductItem{Product: p, Cursor: c}) },
	}.run(ctx)
}

// productPage fetches GET /products with v and maps the answer.
func (s *Shop) productPage(ctx context.Context, v url.Values) (fetched[sdk.Product], error) {
	var env envelope[wireProduct]
	if err := s.api.call(ctx, http.MethodGet, "/products", v, nil, &env); err != nil {
		return fetched[sdk.Product]{}, listError(err, "products")
	}
	out := fetched[sdk.Product]{pages: env.Meta.Pages, items: make([]sdk.Product, 0, len(env.Data))}
	for _, w := range env.Data {
		p, err := mapProduct(w)
		if err != nil {
			return out, &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: fmt.Sprintf("GET /products: %v", err)}
		}
		out.items = append(out.items, p)
	}
	return out, nil
}

// FindProducts looks SKUs up with GET /products?sku=, in parallel up to max_concurrent. The
// match is exact (case-sensitive, trimmed); unknown SKUs are absent from the result. The
// result follows the order of skus.
func (s *Shop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	uniq := cleanList(skus)
	found := make([][]sdk.Product, len(uniq))
	err := s.parallel(ctx, len(uniq), func(ctx context.Context, i int) error {
		ps, err := s.findSKU(ctx, uniq[i])
		found[i] = ps
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []sdk.Product
	for _, ps := range found {
		out = append(out, ps...)
	}
	return out, nil
}

// findSKU returns the products whose SKU is exactly sku.
func (s *Shop) findSKU(ctx context.Context, sku string) ([]sdk.Product, error) {
	pg, err := s.productPage(ctx, url.Values{"sku": {sku}, "limit": {strconv.Itoa(s.api.set.pageSize)}, "page": {"1"}})
	if err != nil {
		return nil, err
	}
	var out []sdk.Product
	for _, p := range pg.items {
		if p.SKU == sku {
			out = append(out, p)
		}
	}
	return out, nil
}

// stockBody is PUT /products/{id}/stock.
type stockBody struct {
	Stock int64 `json:"stock"`
}

// WriteStock sets each level's stock with PUT /products/{id}/stock, looking the product up by
// SKU first when the level carries no ProductID. Onetoshop keeps whole units (assumed): a
// fraction is rounded down and a negative quantity written as 0. Per-item problems (unknown
// SKU, stock not managed, a refusal) are in the results; the error is for the call as a whole
// (the context ended, the token was refused, the shop is throttling or down).
func (s *Shop) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	res := make([]sdk.StockResult, len(levels))
	err := s.parallel(ctx, len(levels), func(ctx context.Context, i int) error {
		r, err := s.writeOne(ctx, levels[i])
		res[i] = r
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// writeOne writes one level; the error is only for failures of the whole call.
func (s *Shop) writeOne(ctx context.Context, l sdk.StockLevel) (sdk.StockResult, error) {
	r := sdk.StockResult{SKU: l.SKU, ProductID: l.ProductID, ParentID: l.ParentID}
	if r.ProductID == "" {
		if strings.TrimSpace(l.SKU) == "" {
			r.Err, r.NotFound = "no SKU and no product id", true
			return r, nil
		}
		ps, err := s.findSKU(ctx, strings.TrimSpace(l.SKU))
		if err != nil {
			return r, err
		}
		switch len(ps) {
		case 0:
			r.Err, r.NotFound = fmt.Sprintf("no product with SKU %q in the shop", l.SKU), true
			return r, nil
		case 1:
		default:
			r.Err = fmt.Sprintf("%d products have SKU %q; stock not written", len(ps), l.SKU)
			return r, nil
		}
		r.ProductID, r.ParentID = ps[0].ID, ps[0].ParentID
		if !ps[0].ManagesStock {
			r.Err = fmt.Sprintf("the shop does not manage stock for SKU %q", l.SKU)
			return r, nil
		}
	}
	qty := wholeUnits(l.Quantity)
	err := s.api.call(ctx, http.MethodPut, "/products/"+url.PathEscape(r.ProductID)+"/stock", nil, stockBody{Stock: qty}, nil)
	switch k := sdk.KindOf(err); {
	case err == nil:
	case k == sdk.KindNotFound:
		r.Err, r.NotFound = fmt.Sprintf("product %s no longer exists in the shop", r.ProductID), true
	case k == sdk.KindPermanent:
		r.Err = err.Error()
	default:
		return r, err
	}
	return r, nil
}

// wholeUnits rounds a quantity down to whole units, never below zero.
func wholeUnits(q decimal.Decimal) int64 {
	if q.IsNegative() {
		return 0
	}
	return q.Floor().IntPart()
}

// parallel runs f(0..n-1) with at most max_concurrent at once; the first error cancels the rest
// and is returned.
func (s *Shop) parallel(ctx context.Context, n int, f func(context.Context, int) error) error {
	if n == 0 {
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := s.api.set.maxConcurrent
	if workers > n {
		workers = n
	}
	var (
		mu       sync.Mutex
		firstErr error
		next     int
		wg       sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || next >= n {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				if err := f(ctx, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}
