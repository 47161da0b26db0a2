package orderfiles

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/httpclient"
)

// fileSlack is how much older than the listing's lower bound a file may be and still be read:
// a file cannot hold orders modified after it was written, but clocks of the machine that
// writes the exports and this one may differ.
const fileSlack = time.Hour

// Shop is the orderfiles connector: one configured export folder. It is safe for concurrent use.
type Shop struct {
	src      source
	set      parseSettings
	patterns []string
	stock    string
	products string
	skipBad  bool
	log      hclog.Logger

	writeMu sync.Mutex // serialises read-modify-write of the stock file
}

var _ sdk.Shop = (*Shop)(nil)

// New builds a Shop from a configuration the host has checked against Schema (defaults filled
// in). It does not touch the folder; Check does.
func New(_ context.Context, cfg sdk.Config, log hclog.Logger) (*Shop, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	location := strings.TrimSpace(cfg.String("location"))
	if location == "" {
		return nil, sdk.Errorf(sdk.KindConfig, "location is empty")
	}
	delim := cfg.String("csv_delimiter")
	if delim == "" {
		delim = ";"
	}
	var comma rune
	switch delim {
	case "tab", "\t":
		comma = '\t'
	case ";", ",", "|":
		comma = rune(delim[0])
	default:
		return nil, sdk.Errorf(sdk.KindConfig, "csv_delimiter %q: use \";\", \",\", \"tab\" or \"|\"", delim)
	}
	tz := cfg.String("timezone")
	if tz == "" {
		tz = "Europe/Amsterdam"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, sdk.Errorf(sdk.KindConfig, "timezone %q is not a known time zone (use e.g. Europe/Amsterdam)", tz)
	}
	columns := map[string]string{}
	known := map[string]bool{}
	for _, c := range OrderColumns {
		known[c] = true
	}
	for k, v := range cfg.StringMap("csv_columns") {
		if !known[k] {
			return nil, sdk.Errorf(sdk.KindConfig, "csv_columns: %q is not one of koppel's columns (%s)", k, strings.Join(OrderColumns, ", "))
		}
		columns[k] = strings.ToLower(strings.TrimSpace(v))
	}
	_, hasInclusive := cfg["prices_include_tax"]
	s := &Shop{
		set: parseSettings{
			delimiter:        comma,
			columns:          columns,
			pricesIncludeTax: cfg.Bool("prices_include_tax") || !hasInclusive,
			loc:              loc,
			currency:         strings.ToUpper(nonEmpty(cfg.String("currency"), "EUR")),
		},
		patterns: cfg.StringList("patterns"),
		stock:    nonEmpty(cfg.String("stock_file"), "stock.csv"),
		products: nonEmpty(cfg.String("products_file"), "products.csv"),
		skipBad:  cfg.String("bad_files") == "skip",
		log:      log,
	}
	if len(s.patterns) == 0 {
		s.patterns = []string{"*.csv", "*.json"}
	}
	for _, p := range s.patterns {
		if _, err := path.Match(strings.ToLower(p), "x"); err != nil {
			return nil, sdk.Errorf(sdk.KindConfig, "patterns: %q is not a valid pattern", p)
		}
	}
	for _, f := range []string{s.stock, s.products} {
		if strings.ContainsAny(f, `/\`) || f == "." || f == ".." {
			return nil, sdk.Errorf(sdk.KindConfig, "%q must be a file name in location, not a path", f)
		}
	}
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		timeout := cfg.Duration("timeout")
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		s.src, err = newWebDAVSource(location, cfg.String("username"), cfg.String("password"),
			httpclient.Options{Timeout: timeout, MaxConcurrent: 4, Logger: log, UserAgent: "koppel-plugin-orderfiles/" + Version})
		if err != nil {
			return nil, err
		}
	} else {
		s.src = localSource{dir: location}
	}
	return s, nil
}

// isOrderFile reports whether name is an order export file.
func (s *Shop) isOrderFile(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(name, ".") || strings.EqualFold(name, s.stock) || strings.EqualFold(name, s.products) {
		return false
	}
	for _, p := range s.patterns {
		if ok, _ := path.Match(strings.ToLower(p), lower); ok {
			return true
		}
	}
	return false
}

// parse reads one order file by its extension (.json is JSON, everything else CSV).
func (s *Shop) parse(ctx context.Context, f fileInfo) ([]sdk.Order, error) {
	data, err := s.src.Read(ctx, f.Name)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(strings.ToLower(f.Name), ".json") {
		return parseOrdersJSON(f.Name, data, f.ModTime, s.set)
	}
	return parseOrdersCSV(f.Name, data, f.ModTime, s.set)
}

// version is one order as found in one file.
type version struct {
	order   sdk.Order
	file    string
	fileMod time.Time
}

// load reads every order file modified at or after notBefore (zero: all) and returns the newest
// version of each order, sorted by (ModifiedAt, ID). It also returns how many files it read.
func (s *Shop) load(ctx context.Context, notBefore time.Time) ([]version, int, error) {
	files, err := s.src.List(ctx)
	if err != nil {
		return nil, 0, err
	}
	newest := map[string]version{}
	read := 0
	for _, f := range files {
		if !s.isOrderFile(f.Name) {
			continue
		}
		if !notBefore.IsZero() && !f.ModTime.IsZero() && f.ModTime.Before(notBefore.Add(-fileSlack)) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, read, err
		}
		orders, err := s.parse(ctx, f)
		if err != nil {
			if s.skipBad && sdk.KindOf(err) == sdk.KindPermanent {
				s.log.Warn("skipping an order file that cannot be read", "file", f.Name, "error", err.Error())
				continue
			}
			return nil, read, err
		}
		read++
		for _, o := range orders {
			v := version{order: o, file: f.Name, fileMod: f.ModTime}
			old, seen := newest[o.ID]
			if !seen || newer(v, old) {
				newest[o.ID] = v
			}
		}
	}
	out := make([]version, 0, len(newest))
	for _, v := range newest {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return before(out[i].order, out[j].order) })
	return out, read, nil
}

// newer reports whether a is a later version of an order than b: a later ModifiedAt, or on a
// tie the later file (by modification time, then name).
func newer(a, b version) bool {
	if !a.order.ModifiedAt.Equal(b.order.ModifiedAt) {
		return a.order.ModifiedAt.After(b.order.ModifiedAt)
	}
	if !a.fileMod.Equal(b.fileMod) {
		return a.fileMod.After(b.fileMod)
	}
	return a.file > b.file
}

// before is the listing order: oldest modification first, then by id.
func before(a, b sdk.Order) bool {
	if !a.ModifiedAt.Equal(b.ModifiedAt) {
		return a.ModifiedAt.Before(b.ModifiedAt)
	}
	return a.ID < b.ID
}

// cursor is a position in the listing order: after the order (ModifiedAt, ID).
type cursor struct {
	mod time.Time
	id  string
}

func (c cursor) String() string { return "v1:" + strconv.FormatInt(c.mod.UnixNano(), 10) + ":" + c.id }

func parseCursor(s string) (cursor, error) {
	rest, ok := strings.CutPrefix(s, "v1:")
	if !ok {
		return cursor{}, sdk.Errorf(sdk.KindPermanent, "cursor %q was not made by this plugin", s)
	}
	ns, id, ok := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil {
		return cursor{}, sdk.Errorf(sdk.KindPermanent, "cursor %q is malformed", s)
	}
	return cursor{mod: time.Unix(0, n).UTC(), id: id}, nil
}

// after reports whether o comes after the cursor in the listing order.
func (c cursor) after(o sdk.Order) bool {
	if !o.ModifiedAt.Equal(c.mod) {
		return o.ModifiedAt.After(c.mod)
	}
	return o.ID > c.id
}

// Check lists the folder and reads every order file in it, so a file the plugin cannot read is
// reported now rather than at the first import.
func (s *Shop) Check(ctx context.Context) (sdk.CheckResult, error) {
	versions, files, err := s.load(ctx, time.Time{})
	if err != nil {
		return sdk.CheckResult{}, err
	}
	res := sdk.CheckResult{
		Summary: fmt.Sprintf("order files in %s: %d file(s), %d order(s)", s.src.Describe(), files, len(versions)),
		Details: map[string]string{"location": s.src.Describe(), "stock_file": s.stock, "order_files": strconv.Itoa(files)},
	}
	if len(versions) > 0 {
		res.Details["newest_order"] = versions[len(versions)-1].order.ModifiedAt.Format(time.RFC3339)
	}
	return res, nil
}

// ListOrders streams the orders in the files, oldest modification first. An order that appears
// in several files is listed in its newest version only. Each item carries the number of orders
// the listing yields (sdk.OrderItem.Total).
func (s *Shop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	var c cursor
	hasCursor := q.Cursor != "" && len(q.IDs) == 0
	if hasCursor {
		var err error
		if c, err = parseCursor(q.Cursor); err != nil {
			return err
		}
	}
	notBefore := q.Since
	if hasCursor && c.mod.After(notBefore) {
		notBefore = c.mod
	}
	if len(q.IDs) > 0 {
		notBefore = time.Time{}
	}
	versions, _, err := s.load(ctx, notBefore)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, id := range q.IDs {
		ids[id] = true
	}
	statuses := map[string]bool{}
	for _, st := range q.Statuses {
		statuses[strings.ToLower(st)] = true
	}
	// Every file is read before the first order is handed out, so the total is exact.
	selected := make([]sdk.Order, 0, len(versions))
	for _, v := range versions {
		o := v.order
		if len(ids) > 0 {
			if !ids[o.ID] {
				continue
			}
		} else {
			if o.ModifiedAt.Before(q.Since) || (hasCursor && !c.after(o)) {
				continue
			}
			if len(statuses) > 0 && !statuses[strings.ToLower(o.Status)] {
				continue
			}
		}
		selected = append(selected, o)
	}
	for _, o := range selected {
		if err := ctx.Err(); err != nil {
			return err
		}
		it := sdk.OrderItem{Order: o, Cursor: cursor{mod: o.ModifiedAt, id: o.ID}.String(), Total: len(selected)}
		if err := yield(it); err != nil {
			return err
		}
	}
	return nil
}

// readProducts returns the products file's products, or nil when there is no products file.
func (s *Shop) readProducts(ctx context.Context) ([]sdk.Product, time.Time, error) {
	files, err := s.src.List(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	for _, f := range files {
		if !strings.EqualFold(f.Name, s.products) {
			continue
		}
		data, err := s.src.Read(ctx, f.Name)
		if err != nil {
			return nil, time.Time{}, err
		}
		ps, err := parseProductsCSV(f.Name, data, f.ModTime, s.set)
		return ps, f.ModTime, err
	}
	return nil, time.Time{}, nil
}

// ListProducts streams the products file, by SKU; every product carries the file's time.
func (s *Shop) ListProducts(ctx context.Context, q sdk.ProductQuery, yield func(sdk.ProductItem) error) error {
	ps, _, err := s.readProducts(ctx)
	if err != nil {
		return err
	}
	var c cursor
	if q.Cursor != "" {
		if c, err = parseCursor(q.Cursor); err != nil {
			return err
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].SKU < ps[j].SKU })
	for _, p := range ps {
		if p.ModifiedAt.Before(q.Since) {
			continue
		}
		if q.Cursor != "" && !(p.ModifiedAt.After(c.mod) || (p.ModifiedAt.Equal(c.mod) && p.SKU > c.id)) {
			continue
		}
		if err := yield(sdk.ProductItem{Product: p, Cursor: cursor{mod: p.ModifiedAt, id: p.SKU}.String()}); err != nil {
			return err
		}
	}
	return nil
}

// FindProducts looks SKUs up in the products file (exact match, then case-insensitive).
func (s *Shop) FindProducts(ctx context.Context, skus []string) ([]sdk.Product, error) {
	ps, _, err := s.readProducts(ctx)
	if err != nil {
		return nil, err
	}
	bySKU := map[string]sdk.Product{}
	for _, p := range ps {
		bySKU[strings.ToLower(p.SKU)] = p
	}
	var out []sdk.Product
	for _, sku := range skus {
		if p, ok := bySKU[strings.ToLower(sku)]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// WriteStock merges the levels into the stock file and writes it back in one go. With a
// products file, SKUs it does not list are reported NotFound and not written.
func (s *Shop) WriteStock(ctx context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	ps, _, err := s.readProducts(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]sdk.Product{}
	for _, p := range ps {
		known[strings.ToLower(p.SKU)] = p
	}
	rows := map[string]stockRow{}
	data, err := s.src.Read(ctx, s.stock)
	switch {
	case err == nil:
		if rows, err = parseStockCSV(s.stock, data, s.set); err != nil {
			return nil, err
		}
	case sdk.KindOf(err) == sdk.KindNotFound:
	default:
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	out := make([]sdk.StockResult, len(levels))
	for i, l := range levels {
		out[i] = sdk.StockResult{SKU: l.SKU, ProductID: l.ProductID, ParentID: l.ParentID}
		sku := strings.TrimSpace(l.SKU)
		if sku == "" {
			out[i].Err = "empty SKU"
			continue
		}
		if ps != nil {
			p, ok := known[strings.ToLower(sku)]
			if !ok {
				out[i].NotFound, out[i].Err = true, fmt.Sprintf("%s is not in %s", sku, s.products)
				continue
			}
			out[i].ProductID, out[i].ParentID, sku = p.ID, p.ParentID, p.SKU
		}
		rows[sku] = stockRow{SKU: sku, Quantity: l.Quantity, Updated: now}
	}
	b, err := formatStockCSV(rows, s.set)
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", s.stock, err)
	}
	if err := s.src.Write(ctx, s.stock, b); err != nil {
		return nil, err
	}
	return out, nil
}
