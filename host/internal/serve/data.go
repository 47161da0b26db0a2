package serve

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// profiles returns the current profiles, never nil entries.
func (s *server) profiles() []*config.Profile {
	var out []*config.Profile
	for _, p := range s.opts.Profiles() {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// profile returns the profile named name, or nil.
func (s *server) profile(name string) *config.Profile {
	for _, p := range s.profiles() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// selectProfiles returns the profiles named by a ?profile= value ("" = all), or an error
// wrapping ErrNotFound.
func (s *server) selectProfiles(name string) ([]*config.Profile, error) {
	if name == "" {
		return s.profiles(), nil
	}
	if p := s.profile(name); p != nil {
		return []*config.Profile{p}, nil
	}
	return nil, fmt.Errorf("profile %q: %w", name, ErrNotFound)
}

// status returns the scheduler's task statuses of profile (none without a scheduler).
func (s *server) status(profile string) []TaskStatus {
	if s.opts.Scheduler == nil {
		return nil
	}
	return s.opts.Scheduler.Status(profile)
}

// recordResult classifies a stored run like ResultOf classifies a fresh one.
func recordResult(r pipeline.TaskRunRecord) string {
	switch {
	case r.Interrupted():
		return ResultAborted
	case r.InProgress:
		return ResultRunning
	case r.Error != "":
		return ResultError
	case r.Failed+r.Retrying > 0:
		return ResultFailedItems
	case r.Stock != nil && len(r.Stock.Failed)+r.Stock.FailedTruncated > 0:
		return ResultFailedItems
	}
	return ResultOK
}

// recentRuns returns the newest runs of profiles (of task, when not ""), newest first, at most
// limit.
func (s *server) recentRuns(ctx context.Context, profiles []*config.Profile, task string, limit int) ([]pipeline.TaskRunRecord, error) {
	var out []pipeline.TaskRunRecord
	for _, p := range profiles {
		n := 0
		listLimit := limit
		if task != "" {
			listLimit = 0 // filtered below; stop after limit matches
		}
		err := pipeline.ListTaskRuns(ctx, s.opts.Store, p.Name, listLimit, func(r pipeline.TaskRunRecord) error {
			if task != "" && r.Task != task {
				return nil
			}
			if r.Profile == "" {
				r.Profile = p.Name
			}
			out = append(out, r)
			n++
			if n >= limit {
				return state.ErrStop
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Order statuses of the API beside pipeline's imported, adopted and already_present: a failed
// order is "failed" when it is parked (waits for the user) and "retrying" when the next run
// tries it again.
const (
	orderFailed   = string(pipeline.StatusFailed)
	orderRetrying = string(pipeline.StatusRetrying)
)

// orderFilter is a parsed ?status= of /api/orders.
type orderFilter struct {
	imported bool   // read OrderRecords
	failed   bool   // read FailedRecords
	only     string // keep only this status ("" = every status read)
}

// parseOrderStatus parses ?status=: "" or "all", "imported" (every order recorded as done:
// imported, adopted or already present), "adopted", "already_present", "failed" (every failed
// order), "parked" (failed and waiting for the user) or "retrying".
func parseOrderStatus(v string) (orderFilter, error) {
	switch v {
	case "", "all":
		return orderFilter{imported: true, failed: true}, nil
	case "imported":
		return orderFilter{imported: true}, nil
	case string(pipeline.StatusAdopted), string(pipeline.StatusAlreadyPresent):
		return orderFilter{imported: true, only: v}, nil
	case "failed":
		return orderFilter{failed: true}, nil
	case "parked":
		return orderFilter{failed: true, only: orderFailed}, nil
	case "retrying":
		return orderFilter{failed: true, only: orderRetrying}, nil
	}
	return orderFilter{}, fmt.Errorf("unknown status %q (all, imported, adopted, already_present, failed, parked, retrying)", v)
}

// OrderJSON is one order in GET /api/orders: an imported order (from its OrderRecord) or a
// failed one (from its FailedRecord, without the shop payload). Amounts are decimal strings
// with two places.
type OrderJSON struct {
	Profile    string `json:"profile"`
	ShopID     string `json:"shop_id"`
	ShopNumber string `json:"shop_number"`
	// Status is imported, adopted, already_present, failed (parked) or retrying.
	Status string `json:"status"`
	// At is when the order was recorded as done, or when it last failed.
	At time.Time `json:"at"`
	// CustomerName is, for an imported order, the name its record keeps: a business
	// customer's only (absent for a private person); for a failed order, the name in the shop
	// data it keeps until it is resolved.
	CustomerName string `json:"customer_name,omitempty"`
	// Imported orders:
	Reference     string `json:"reference,omitempty"`
	LedgerOrderID string `json:"ledger_order_id,omitempty"`
	LedgerNumber  int    `json:"ledger_number,omitempty"`
	// InvoiceNumber is the factuurnummer of an order booked as a sales invoice
	// (orders.book_as = "invoice"), which has no ledger_number.
	InvoiceNumber string   `json:"invoice_number,omitempty"`
	CustomerCode  int      `json:"customer_code,omitempty"`
	TotalExcl     string   `json:"total_excl,omitempty"`
	TotalIncl     string   `json:"total_incl,omitempty"`
	ShopTotal     string   `json:"shop_total,omitempty"`
	Warnings      []string `json:"warnings,omitempty"`
	// Failed orders:
	Reason   string `json:"reason,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Code     string `json:"code,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
}

func moneyString(m sdk.Money) string { return m.StringFixed(2) }

func orderFromRecord(profile string, r pipeline.OrderRecord) OrderJSON {
	return OrderJSON{
		Profile: profile, ShopID: r.ShopID, ShopNumber: r.ShopNumber, Status: string(r.Status), At: r.DoneAt,
		Reference: r.Reference, LedgerOrderID: r.LedgerOrderID, LedgerNumber: r.LedgerNumber, InvoiceNumber: r.InvoiceNumber(), CustomerCode: r.CustomerCode,
		CustomerName: r.CustomerName, TotalExcl: moneyString(r.TotalExcl), TotalIncl: moneyString(r.TotalIncl), ShopTotal: moneyString(r.ShopTotal),
		Warnings: r.Warnings,
	}
}

func orderFromFailed(profile string, r pipeline.FailedRecord) OrderJSON {
	st := orderRetrying
	if r.Parked {
		st = orderFailed
	}
	return OrderJSON{
		Profile: profile, ShopID: r.ShopID, ShopNumber: r.ShopNumber, Status: st, At: r.LastFailedAt,
		CustomerName: pipeline.ShopCustomerName(r.Order), Reason: r.Reason, Kind: r.Kind, Code: r.Code, Attempts: r.Attempts,
	}
}

// newest keeps the limit newest orders seen, cheaply: it sorts and cuts whenever it holds twice
// the limit, so memory stays O(limit) however many records are read.
type newest struct {
	limit int
	items []OrderJSON
}

func (n *newest) add(o OrderJSON) {
	n.items = append(n.items, o)
	if len(n.items) >= 2*n.limit {
		n.cut()
	}
}

func (n *newest) cut() {
	sort.SliceStable(n.items, func(i, j int) bool {
		if !n.items[i].At.Equal(n.items[j].At) {
			return n.items[i].At.After(n.items[j].At)
		}
		return n.items[i].ShopID < n.items[j].ShopID
	})
	if len(n.items) > n.limit {
		n.items = n.items[:n.limit]
	}
}

// listOrders reads the orders of profiles that f selects, newest first, at most limit.
func (s *server) listOrders(ctx context.Context, profiles []*config.Profile, f orderFilter, limit int) ([]OrderJSON, error) {
	keep := &newest{limit: limit}
	for _, p := range profiles {
		if f.imported {
			err := pipeline.ListOrderRecords(ctx, s.opts.Store, p.Name, func(r pipeline.OrderRecord) error {
				if f.only == "" || string(r.Status) == f.only {
					keep.add(orderFromRecord(p.Name, r))
				}
				return ctx.Err()
			})
			if err != nil {
				return nil, err
			}
		}
		if f.failed {
			err := pipeline.ListFailedRecords(ctx, s.opts.Store, p.Name, func(r pipeline.FailedRecord) error {
				o := orderFromFailed(p.Name, r)
				if f.only == "" || o.Status == f.only {
					keep.add(o)
				}
				return ctx.Err()
			})
			if err != nil {
				return nil, err
			}
		}
	}
	keep.cut()
	if keep.items == nil {
		return []OrderJSON{}, nil
	}
	return keep.items, nil
}

// findFailed returns the failed record of profile whose shop id, or else whose shop order
// number, is id.
func (s *server) findFailed(ctx context.Context, profile, id string) (pipeline.FailedRecord, error) {
	r, ok, err := pipeline.GetFailedRecord(ctx, s.opts.Store, profile, id)
	if err != nil {
		return pipeline.FailedRecord{}, fmt.Errorf("read failed order %q: %w", id, err)
	}
	if ok {
		return r, nil
	}
	var found *pipeline.FailedRecord
	err = pipeline.ListFailedRecords(ctx, s.opts.Store, profile, func(f pipeline.FailedRecord) error {
		if f.ShopNumber == id {
			found = &f
			return state.ErrStop
		}
		return nil
	})
	if err != nil {
		return pipeline.FailedRecord{}, err
	}
	if found == nil {
		return pipeline.FailedRecord{}, fmt.Errorf("no failed order %q in profile %q: %w", id, profile, ErrNotFound)
	}
	return *found, nil
}

// isNotFound reports whether err means "unknown profile, task or order".
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
