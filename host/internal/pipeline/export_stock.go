package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

// StockWriteChunk is how many stock levels one WriteStock call carries; the connector splits a
// call into its shop's own batches (WooCommerce: 100 per endpoint). The last written values are
// stored after every call, so a run that stops keeps what it wrote.
const StockWriteChunk = 500

// NotFoundRecheck is how long a product the shop did not know is left alone before koppel asks
// the shop again (sooner when its quantity changes).
const NotFoundRecheck = 24 * time.Hour

// maxStockItems caps the SKU lists of a StockSummary.
const maxStockItems = 1000

// StockRecord is stored under stock/<profile>/<sku>: the last quantity written to the shop for a
// product, and the shop's ids for it (so the next write needs no SKU look-up).
type StockRecord struct {
	SKU       string    `json:"sku"`
	Quantity  sdk.Money `json:"quantity"`
	ProductID string    `json:"product_id,omitempty"`
	ParentID  string    `json:"parent_id,omitempty"`
	WrittenAt time.Time `json:"written_at,omitempty"`
	// NotFound is set when the shop had no product with this SKU at CheckedAt; Quantity is
	// then the quantity that could not be written.
	NotFound  bool      `json:"not_found,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitempty"`
}

// StockFailure is a stock level the shop refused.
type StockFailure struct {
	SKU    string `json:"sku"`
	Reason string `json:"reason"`
}

// HeldProduct is a product whose stock was not exported because an order with it is waiting
// or failed (not yet in SnelStart, so SnelStart's stock is too high).
type HeldProduct struct {
	SKU string `json:"sku"`
	// Orders are the shop order numbers holding it back, each with why ("1042 waiting").
	Orders []string `json:"orders"`
}

// StockSummary is what a stock export did.
type StockSummary struct {
	// Articles is how many articles the ledger listed; Tracked how many of them have stock
	// (stock-tracked articles and composites).
	Articles int `json:"articles"`
	Tracked  int `json:"tracked"`
	// Written levels were accepted by the shop; Unchanged equalled the last written value.
	Written   int `json:"written"`
	Unchanged int `json:"unchanged"`
	// WriteCalls is the number of WriteStock calls (of at most StockWriteChunk levels).
	WriteCalls int `json:"write_calls"`
	// NotInShop lists products the shop does not know (reported, not fatal); NotInShopKnown
	// counts the ones skipped because they were not found within NotFoundRecheck.
	NotInShop      []string `json:"not_in_shop,omitempty"`
	NotInShopKnown int      `json:"not_in_shop_known,omitempty"`
	// Failed lists levels the shop refused; FailedTruncated counts those left out of the list.
	Failed          []StockFailure `json:"failed,omitempty"`
	FailedTruncated int            `json:"failed_truncated,omitempty"`
	// Skipped lists composites whose stock could not be computed, with the reason.
	Skipped []StockFailure `json:"skipped,omitempty"`
	// HeldBack lists products not exported because of waiting or failed orders.
	HeldBack []HeldProduct `json:"held_back,omitempty"`
	// Changed lists the SKUs written (at most 1000).
	Changed []string `json:"changed,omitempty"`
}

// ExportStock runs export_stock once: SnelStart's free or technical stock (stock.quantity) of
// every stock-tracked article, composites computed from their components (stock.composites),
// minus stock.buffer and never below zero, is written to the shop for the products whose
// quantity differs from the last value written (stock/<profile>/<sku>), in calls of at most
// StockWriteChunk levels. A product the shop does not know is reported in the summary, not
// fatal. Products on orders that are waiting or failed (see ImportOrdersExportStock) are held
// back. The run takes the profile's export_stock lock and is recorded like every run.
func (p *Pipeline) ExportStock(ctx context.Context) (RunResult, error) {
	tr, err := p.exportStockTask(ctx)
	return tr.RunResult, err
}

func (p *Pipeline) exportStockTask(ctx context.Context) (TaskRun, error) {
	if err := p.validate(); err != nil {
		return TaskRun{}, err
	}
	release, err := p.holdLock(ctx, TaskExportStock)
	if err != nil {
		return TaskRun{}, err
	}
	defer release()
	tc := p.startTask()
	tr := TaskRun{RunResult: RunResult{Task: TaskExportStock}}
	p.markInProgress(ctx, tc.start, tr)
	held, err := p.heldProducts(ctx)
	if err != nil {
		return p.finishTask(ctx, tc, tr, err)
	}
	sum, err := p.exportStock(ctx, held)
	tr.Stock = sum
	if err == nil && stopping(p.shop) {
		tr.Stopped = text.Template("reason.run.on_request")
	}
	return p.finishTask(ctx, tc, tr, err)
}

// stockItem is one article as the export needs it.
type stockItem struct {
	id, code, sku string
	qty           sdk.Money
	tracked       bool
	composite     bool
	comps         []sdk.Component
}

// exportStock does the work of a stock export; held maps SKUs to the orders holding them.
func (p *Pipeline) exportStock(ctx context.Context, held map[string][]string) (*StockSummary, error) {
	sum, levels, _, err := p.stockLevels(ctx, held)
	if err != nil {
		return sum, err
	}
	for start := 0; start < len(levels); start += StockWriteChunk {
		if stopping(p.shop) {
			break
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		chunk := levels[start:min(start+StockWriteChunk, len(levels))]
		if err := p.writeStockChunk(ctx, chunk, sum); err != nil {
			return sum, err
		}
	}
	if n := len(sum.NotInShop); n > 0 {
		p.log.Warn("products the shop does not know; their stock is not written", "count", n, "first", sum.NotInShop[0])
	}
	return sum, nil
}

// stockLevels reads SnelStart's stock and the last written levels and returns the levels an
// export would write (with the last written ones, by SKU), counting in sum what it leaves out.
// It writes nothing.
func (p *Pipeline) stockLevels(ctx context.Context, held map[string][]string) (*StockSummary, []sdk.StockLevel, map[string]StockRecord, error) {
	sum := &StockSummary{}
	last := map[string]StockRecord{}
	err := state.List(ctx, p.store, state.NSStock.ProfilePrefix(p.profile), func(_ state.Key, r StockRecord) error {
		last[r.SKU] = r
		return nil
	})
	if err != nil {
		return sum, nil, nil, fmt.Errorf("read the last written stock: %w", err)
	}
	st := p.prof.Stock
	extra, byExtra := p.prof.Articles.ExtraField()
	var items []stockItem
	byID := map[string]int{}
	byCode := map[string]int{}
	err = p.ledger.ListStock(ctx, func(a sdk.Article) error {
		sum.Articles++
		if a.Inactive {
			return nil
		}
		q := a.FreeStock
		if st.Quantity == config.QuantityTechnical {
			q = a.TechnicalStock
		}
		it := stockItem{id: a.ID, code: a.Code, sku: a.Code, qty: q, tracked: a.StockTracked,
			composite: a.Composite || len(a.Components) > 0, comps: a.Components}
		if byExtra {
			it.sku = strings.TrimSpace(a.ExtraFields[extra])
		}
		if a.ID != "" {
			byID[a.ID] = len(items)
		}
		byCode[a.Code] = len(items)
		items = append(items, it)
		return nil
	})
	if err != nil {
		return sum, nil, nil, serviceError(sideLedger, err, "reason.step.read_ledger_stock")
	}
	buffer := decimal.NewFromInt(int64(st.Buffer))
	now := p.now()
	var levels []sdk.StockLevel
	for _, it := range items {
		if !it.tracked && !(it.composite && st.Composites) {
			continue
		}
		if it.sku == "" {
			continue
		}
		sum.Tracked++
		q := it.qty
		if it.composite && st.Composites && len(it.comps) > 0 {
			cq, why := compositeStock(it, items, byID, byCode, st.Quantity)
			if why != "" {
				sum.Skipped = append(sum.Skipped, StockFailure{SKU: it.sku, Reason: why})
				continue
			}
			q = cq
		}
		q = q.Sub(buffer)
		if q.IsNegative() {
			q = decimal.Zero
		}
		if orders, ok := held[it.sku]; ok {
			sum.HeldBack = append(sum.HeldBack, HeldProduct{SKU: it.sku, Orders: orders})
			continue
		}
		rec, ok := last[it.sku]
		switch {
		case ok && rec.NotFound && rec.Quantity.Equal(q) && now.Sub(rec.CheckedAt) < NotFoundRecheck:
			sum.NotInShopKnown++
			continue
		case ok && !rec.NotFound && rec.Quantity.Equal(q):
			sum.Unchanged++
			continue
		}
		l := sdk.StockLevel{SKU: it.sku, Quantity: q}
		if ok && !rec.NotFound {
			l.ProductID, l.ParentID = rec.ProductID, rec.ParentID
		}
		levels = append(levels, l)
	}
	sort.Slice(sum.HeldBack, func(i, j int) bool { return sum.HeldBack[i].SKU < sum.HeldBack[j].SKU })
	return sum, levels, last, nil
}

// compositeStock is how many of a composite can be built from its components' stock: the
// minimum over components of floor(stock / quantity per composite). Components that do not
// keep stock (services) do not limit it.
func compositeStock(it stockItem, items []stockItem, byID, byCode map[string]int, _ config.StockQuantity) (sdk.Money, string) {
	var best *sdk.Money
	for _, c := range it.comps {
		idx, ok := byID[c.ArticleID]
		if !ok || c.ArticleID == "" {
			idx, ok = byCode[c.Code]
		}
		if !ok {
			return sdk.Money{}, fmt.Sprintf(text.Template("reason.component_inactive_stock"), c.Code, it.code)
		}
		comp := items[idx]
		if !comp.tracked || !c.Quantity.IsPositive() {
			continue
		}
		n := comp.qty.Div(c.Quantity).Floor()
		if n.IsNegative() {
			n = decimal.Zero
		}
		if best == nil || n.LessThan(*best) {
			best = &n
		}
	}
	if best == nil {
		return it.qty, ""
	}
	return *best, ""
}

// writeStockChunk writes one chunk and records the outcome of every level.
func (p *Pipeline) writeStockChunk(ctx context.Context, chunk []sdk.StockLevel, sum *StockSummary) error {
	sum.WriteCalls++
	res, err := p.shop.WriteStock(ctx, chunk)
	if err != nil {
		return fmt.Errorf("write stock to the shop: %w", err)
	}
	if len(res) != len(chunk) {
		return fmt.Errorf("write stock to the shop: %d results for %d levels", len(res), len(chunk))
	}
	now := p.now()
	err = p.store.Update(ctx, func(tx *state.Tx) error {
		for i, l := range chunk {
			r := res[i]
			key := state.StockKey(p.profile, l.SKU)
			switch {
			case r.Err == "" && !r.NotFound:
				rec := StockRecord{SKU: l.SKU, Quantity: l.Quantity, ProductID: mapping.FirstNonEmpty(r.ProductID, l.ProductID),
					ParentID: mapping.FirstNonEmpty(r.ParentID, l.ParentID), WrittenAt: now}
				if err := tx.Put(key, rec); err != nil {
					return err
				}
			case r.NotFound:
				if err := tx.Put(key, StockRecord{SKU: l.SKU, Quantity: l.Quantity, NotFound: true, CheckedAt: now}); err != nil {
					return err
				}
			default:
				// Refused: nothing is recorded; the next run writes it again.
			}
		}
		return nil
	})
	if err != nil {
		return abortState(err, "reason.step.store_stock")
	}
	for i, l := range chunk {
		r := res[i]
		switch {
		case r.Err == "" && !r.NotFound:
			sum.Written++
			capList(&sum.Changed, l.SKU, maxStockItems)
		case r.NotFound:
			capList(&sum.NotInShop, l.SKU, maxStockItems)
		default:
			if len(sum.Failed) >= maxStockItems {
				sum.FailedTruncated++
			} else {
				sum.Failed = append(sum.Failed, StockFailure{SKU: l.SKU, Reason: r.Err})
			}
			p.log.Warn("the shop refused a stock level", "sku", l.SKU, "reason", r.Err)
		}
	}
	return nil
}

// GetStockRecord returns the last stock written for sku, or false.
func GetStockRecord(ctx context.Context, s *state.Store, profile, sku string) (StockRecord, bool, error) {
	return state.Get[StockRecord](ctx, s, state.StockKey(profile, sku))
}

// HoldRecord is stored under map/<profile>/stock-hold/<shop-id> for an order that an order run
// (import_orders, import_orders_export_stock or retry) found waiting in a status that may still
// become importable (see waiting.go): its products are not exported until the order is imported,
// failed (then its FailedRecord holds them) or moved to a status that holds nothing (cancelled),
// or for at most HoldMaxAge.
type HoldRecord struct {
	ShopID     string    `json:"shop_id"`
	ShopNumber string    `json:"shop_number"`
	Status     string    `json:"status"`
	SKUs       []string  `json:"skus"`
	Since      time.Time `json:"since"`
}

// MapStockHold is the map kind of HoldRecord.
const MapStockHold state.MapKind = "stock-hold"

// HoldMaxAge bounds how long a waiting order holds its products back.
const HoldMaxAge = 30 * 24 * time.Hour

// heldProducts returns the SKUs on orders that are waiting (HoldRecord) or failed
// (FailedRecord), each with the order numbers holding it.
func (p *Pipeline) heldProducts(ctx context.Context) (map[string][]string, error) {
	held := map[string][]string{}
	add := func(sku, why string) {
		sku = strings.TrimSpace(sku)
		if sku == "" {
			return
		}
		for _, w := range held[sku] {
			if w == why {
				return
			}
		}
		held[sku] = append(held[sku], why)
	}
	now := p.now()
	err := state.List(ctx, p.store, state.MapPrefix(p.profile, MapStockHold), func(_ state.Key, h HoldRecord) error {
		if now.Sub(h.Since) > HoldMaxAge {
			return nil
		}
		for _, s := range h.SKUs {
			add(s, h.ShopNumber+" waiting")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the waiting orders: %w", err)
	}
	err = state.List(ctx, p.store, state.NSFailed.ProfilePrefix(p.profile), func(_ state.Key, raw json.RawMessage) error {
		var f FailedRecord
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil // not ours to judge; the order pipeline reports it
		}
		for _, l := range f.Order.Lines {
			add(l.SKU, f.ShopNumber+" failed")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the failed orders: %w", err)
	}
	return held, nil
}
