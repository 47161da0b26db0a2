package sdk

import (
	"errors"
	"time"
)

// CheckOrderTime returns an error when t cannot stand as an order's time: Go's zero time
// (0001-01-01T00:00:00Z, which stands for no time at all) or a time outside the years 1 to
// 9999 in UTC (orders cross the plugin protocol as JSON, whose RFC 3339 times end at those
// years). A shop plugin checks every time it reads from a shop with it and refuses the order
// like one with a malformed date. The error reads "is not a date between the years 1 and 9999
// (in UTC)", to follow the offending text: fmt.Errorf("date %q %v", s, err).
func CheckOrderTime(t time.Time) error {
	if u := t.UTC(); u.IsZero() || u.Year() < 1 || u.Year() > 9999 {
		return errors.New("is not a date between the years 1 and 9999 (in UTC)")
	}
	return nil
}
