package orderfiles

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// parseOrdersJSON reads a JSON export: one order object or an array of them, in the JSON form of
// sdk.Order (the form the plugin protocol uses; amounts as strings or numbers). Missing times
// default to the file's modification time, a missing currency to the configured one, and
// all-zero totals are computed from the lines and charges.
func parseOrdersJSON(file string, data []byte, mod time.Time, s parseSettings) ([]sdk.Order, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return nil, nil
	}
	var orders []sdk.Order
	if data[0] == '[' {
		if err := json.Unmarshal(data, &orders); err != nil {
			return nil, fileError(file, 0, "not a JSON array of orders: %v", err)
		}
	} else {
		var o sdk.Order
		if err := json.Unmarshal(data, &o); err != nil {
			return nil, fileError(file, 0, "not a JSON order: %v", err)
		}
		orders = []sdk.Order{o}
	}
	for i := range orders {
		o := &orders[i]
		if strings.TrimSpace(o.ID) == "" {
			return nil, fileError(file, 0, "order %d of the file has no id", i+1)
		}
		if o.Number == "" {
			o.Number = o.ID
		}
		if o.Currency == "" {
			o.Currency = s.currency
		}
		o.Currency = strings.ToUpper(o.Currency)
		if o.ModifiedAt.IsZero() {
			o.ModifiedAt = mod
		}
		if o.CreatedAt.IsZero() {
			o.CreatedAt = o.ModifiedAt
		}
		for _, tm := range []struct {
			name string
			t    time.Time
		}{{"modified_at", o.ModifiedAt}, {"created_at", o.CreatedAt}} {
			if err := sdk.CheckOrderTime(tm.t); err != nil {
				return nil, fileError(file, 0, "order %s: %s %s %v", o.ID, tm.name, tm.t.Format(time.RFC3339), err)
			}
		}
		o.ModifiedAt, o.CreatedAt = o.ModifiedAt.UTC(), o.CreatedAt.UTC()
		for j, l := range o.Lines {
			if !l.TotalExcl.Add(l.Tax).Equal(l.TotalIncl) {
				return nil, fileError(file, 0, "order %s line %d: total_excl %s + tax %s is not total_incl %s",
					o.ID, j+1, l.TotalExcl, l.Tax, l.TotalIncl)
			}
		}
		if o.Totals.Total.IsZero() && o.Totals.TotalExcl.IsZero() && o.Totals.Tax.IsZero() {
			o.Totals = computeTotals(*o)
		}
		if !o.Totals.TotalExcl.Add(o.Totals.Tax).Equal(o.Totals.Total) {
			return nil, fileError(file, 0, "order %s: totals.total_excl %s + totals.tax %s is not totals.total %s",
				o.ID, o.Totals.TotalExcl, o.Totals.Tax, o.Totals.Total)
		}
	}
	return orders, nil
}
