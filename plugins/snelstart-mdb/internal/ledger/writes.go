package ledger

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// errFound stops a scan at its first row.
var errFound = errors.New("found")

// nullable returns nil for an empty (or blank) string, so that empty text is stored as NULL:
// Access refuses zero-length strings in fields without "Allow zero length".
func nullable(s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return s
}

// checkSizes refuses text longer than its column holds, naming the field.
func checkSizes(table string, row tables.Row) *sdk.Error {
	var t tables.Table
	for _, d := range tables.Default {
		if d.Name == table {
			t = d
		}
	}
	for _, c := range t.Columns {
		s, ok := row[c.Name].(string)
		if !ok || c.Size == 0 {
			continue
		}
		if n := len([]rune(s)); n > c.Size {
			return permanent("too-long", "%s.%s holds at most %d characters; %q has %d", table, c.Name, c.Size, s, n)
		}
	}
	return nil
}

// exists reports whether a row satisfies cond.
func exists(ctx context.Context, r tables.Reader, table string, cond tables.Cond) (bool, error) {
	err := r.Scan(ctx, table, []tables.Cond{cond}, func(tables.Row) error { return errFound })
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}

// maxOf returns the largest value of an Int column (0 for an empty table).
func maxOf(ctx context.Context, r tables.Reader, table, col string) (int64, error) {
	var m int64
	err := r.Scan(ctx, table, nil, func(row tables.Row) error {
		if v := row.Int(col); v > m {
			m = v
		}
		return nil
	})
	return m, err
}

// nextNumber returns the next free number for col: the Instellingen setting when it holds a
// number that is not in use, otherwise one more than the largest in use.
func (l *Ledger) nextNumber(ctx context.Context, tx tables.Tx, setting, table, col string) (int64, error) {
	var raw string
	var found bool
	if err := tx.Scan(ctx, tables.Instellingen, []tables.Cond{tables.Eq("Naam", setting)}, func(row tables.Row) error {
		raw, found = row.Str("Waarde"), true
		return nil
	}); err != nil {
		return 0, err
	}
	if found {
		if n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil && n > 0 {
			taken, err := exists(ctx, tx, table, tables.Eq(col, n))
			if err != nil {
				return 0, err
			}
			if !taken {
				return n, nil
			}
			l.log.Warn("the next number in Instellingen is already in use; taking the highest in use plus one", "setting", setting, "value", n)
		}
	}
	m, err := maxOf(ctx, tx, table, col)
	if err != nil {
		return 0, err
	}
	return m + 1, nil
}

// setSetting writes an Instellingen value (as text, as SnelStart stores numbers there).
func setSetting(ctx context.Context, tx tables.Tx, name string, v int64) error {
	val := strconv.FormatInt(v, 10)
	n, err := tx.Update(ctx, tables.Instellingen, tables.Row{"Waarde": val}, []tables.Cond{tables.Eq("Naam", name)})
	if err != nil {
		return err
	}
	if n == 0 {
		return tx.Insert(ctx, tables.Instellingen, tables.Row{"Naam": name, "Waarde": val})
	}
	return nil
}

// nowWall is the current time as the file's wall clock, to the second.
func (l *Ledger) nowWall() time.Time {
	return l.opts.Now().In(l.loc).Truncate(time.Second)
}
