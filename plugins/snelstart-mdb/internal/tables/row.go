package tables

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Row is one record keyed by logical column name. Values are normalised (see Normalize): nil
// (NULL), string, int64, decimal.Decimal, bool or time.Time. A column missing from the map is
// NULL.
type Row map[string]any

// Str returns a Text column, or "" for NULL.
func (r Row) Str(col string) string {
	s, _ := r[col].(string)
	return s
}

// Int returns an Int column, or 0 for NULL.
func (r Row) Int(col string) int64 {
	n, _ := r[col].(int64)
	return n
}

// IsNull reports whether the column is NULL.
func (r Row) IsNull(col string) bool { return r[col] == nil }

// Dec returns a Money or Float column, or zero for NULL.
func (r Row) Dec(col string) decimal.Decimal {
	d, _ := r[col].(decimal.Decimal)
	return d
}

// Bool returns a Bool column (false for NULL).
func (r Row) Bool(col string) bool {
	b, _ := r[col].(bool)
	return b
}

// Time returns a Time column, or the zero time for NULL.
func (r Row) Time(col string) time.Time {
	t, _ := r[col].(time.Time)
	return t
}

// Cond is an equality condition on a logical column. Text compares case-insensitively, as the
// Jet engine does; other kinds compare by value.
type Cond struct {
	Column string
	Value  any
}

// Eq builds a Cond.
func Eq(column string, value any) Cond { return Cond{Column: column, Value: value} }

// Match reports whether row satisfies every condition (after Normalize of the condition's
// value to the column's kind).
func Match(t Table, row Row, conds []Cond) bool {
	for _, c := range conds {
		col, ok := t.Column(c.Column)
		if !ok {
			return false
		}
		want, err := Normalize(col.Kind, c.Value, time.Local)
		if err != nil {
			return false
		}
		if !Equal(col.Kind, row[c.Column], want) {
			return false
		}
	}
	return true
}

// Equal compares two normalised values of one kind; NULL equals nothing.
func Equal(k Kind, a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	switch k {
	case Text:
		as, _ := a.(string)
		bs, _ := b.(string)
		return strings.EqualFold(as, bs)
	case Money, Float:
		ad, _ := a.(decimal.Decimal)
		bd, _ := b.(decimal.Decimal)
		return ad.Equal(bd)
	case Time:
		at, _ := a.(time.Time)
		bt, _ := b.(time.Time)
		return at.Equal(bt)
	}
	return a == b
}

// timeLayouts are the text forms of datetimes the drivers produce: mdb-json with -T, mdb-export
// -I sqlite, and what database/sql drivers give for a DATETIME stored as text.
var timeLayouts = []string{
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02",
}

// ParseTime parses a datetime text in any of the drivers' forms as wall-clock time in loc.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date/time: %q", s)
}

// Normalize converts a value as a driver produced it (string, []byte, json.Number, any integer
// or float type, bool, time.Time, decimal.Decimal) into the Row representation of kind k. Text
// datetimes are read as wall-clock time in loc. Floats from DOUBLE and REAL columns are turned
// into decimals by their shortest representation, so 6.1983 stays 6.1983; CURRENCY values are
// rounded to its 4 decimals.
func Normalize(k Kind, v any, loc *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch k {
	case Text:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return decimal.NewFromFloat(x).String(), nil
		case time.Time:
			return x.Format("2006-01-02 15:04:05"), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		case int32:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int8:
			return int64(x), nil
		case uint8:
			return int64(x), nil
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, fmt.Errorf("not a whole number: %v", x)
			}
			return int64(x), nil
		case json.Number:
			return strconv.ParseInt(x.String(), 10, 64)
		case string:
			return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case Money, Float:
		var d decimal.Decimal
		var err error
		switch x := v.(type) {
		case decimal.Decimal:
			d = x
		case json.Number:
			d, err = decimal.NewFromString(x.String())
		case string:
			d, err = decimal.NewFromString(strings.TrimSpace(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("not a finite number")
			}
			d = decimal.NewFromFloat(x)
		case float32:
			d = decimal.NewFromFloat32(x)
		case int64:
			d = decimal.NewFromInt(x)
		case int:
			d = decimal.NewFromInt(int64(x))
		case int32:
			d = decimal.NewFromInt(int64(x))
		default:
			return nil, fmt.Errorf("cannot read %T as %s", v, k)
		}
		if err != nil {
			return nil, fmt.Errorf("not a number: %w", err)
		}
		if k == Money {
			d = d.Round(4)
		}
		return d, nil
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case int:
			return x != 0, nil
		case int32:
			return x != 0, nil
		case int16:
			return x != 0, nil
		case uint8:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case json.Number:
			return x.String() != "0", nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "1", "-1", "true", "yes", "ja":
				return true, nil
			case "0", "false", "no", "nee", "":
				return false, nil
			}
		}
	case Time:
		switch x := v.(type) {
		case time.Time:
			return time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), loc), nil
		case string:
			t, err := ParseTime(x, loc)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	}
	return nil, fmt.Errorf("cannot read %T as %s", v, k)
}
