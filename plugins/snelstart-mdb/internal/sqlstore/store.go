// Package sqlstore reads and writes an administration through database/sql with plain,
// parameterised SQL that both the Microsoft Access ODBC driver (Jet) and SQLite accept: names
// in [brackets], ? parameters, one transaction per write. On Windows it opens the .mdb through
// github.com/alexbrainman/odbc (OpenODBC); the tests run the same code on a SQLite stand-in.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
)

// Store is an administration behind a *sql.DB. It is safe for concurrent use; writes are
// serialised.
type Store struct {
	db     *sql.DB
	d      Dialect
	layout *tables.Layout
	loc    *time.Location
	wmu    sync.Mutex
}

// New returns a Store over db. The store owns db: Close closes it.
func New(db *sql.DB, d Dialect, layout *tables.Layout, loc *time.Location) *Store {
	if loc == nil {
		loc = time.Local
	}
	return &Store{db: db, d: d, layout: layout, loc: loc}
}

// DB returns the underlying database, for tests.
func (s *Store) DB() *sql.DB { return s.db }

func quote(name string) string { return "[" + name + "]" }

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Scan implements tables.Reader. Rows are read into memory and the result set is closed
// before fn is called, so fn may run further queries on a single-connection database.
func (s *Store) Scan(ctx context.Context, table string, conds []tables.Cond, fn func(tables.Row) error) error {
	return s.scan(ctx, s.db, table, conds, fn)
}

// where builds the WHERE clause and its arguments for conds.
func (s *Store) where(t tables.Table, conds []tables.Cond) (string, []any, error) {
	if len(conds) == 0 {
		return "", nil, nil
	}
	parts := make([]string, 0, len(conds))
	args := make([]any, 0, len(conds))
	for _, c := range conds {
		col, ok := t.Column(c.Column)
		if !ok {
			return "", nil, fmt.Errorf("%s has no logical column %s", t.Name, c.Column)
		}
		v, err := tables.Normalize(col.Kind, c.Value, s.loc)
		if err != nil {
			return "", nil, fmt.Errorf("%s.%s: %w", t.Name, c.Column, err)
		}
		q := quote(s.layout.PhysColumn(t.Name, col.Name))
		if col.Kind == tables.Text {
			parts = append(parts, s.d.TextEq(q))
		} else {
			parts = append(parts, q+" = ?")
		}
		args = append(args, s.d.Arg(col.Kind, v))
	}
	return " WHERE " + strings.Join(parts, " AND "), args, nil
}

func (s *Store) scan(ctx context.Context, q queryer, table string, conds []tables.Cond, fn func(tables.Row) error) error {
	t := s.layout.Table(table)
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = quote(s.layout.PhysColumn(table, c.Name))
	}
	where, args, err := s.where(t, conds)
	if err != nil {
		return err
	}
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + quote(s.layout.PhysTable(table)) + where
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return s.fail(table, err)
	}
	var out []tables.Row
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return s.fail(table, err)
		}
		row := make(tables.Row, len(cols))
		for i, c := range t.Columns {
			v, err := tables.Normalize(c.Kind, vals[i], s.loc)
			if err != nil {
				rows.Close()
				return fmt.Errorf("%s.%s: %w", s.layout.PhysTable(table), s.layout.PhysColumn(table, c.Name), err)
			}
			if v != nil {
				row[c.Name] = v
			}
		}
		// The engine's NOCASE/Jet comparison already filtered; Match keeps the semantics
		// identical to the mdbtools reader (Unicode case folding).
		if tables.Match(t, row, conds) {
			out = append(out, row)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return s.fail(table, err)
	}
	if err := rows.Close(); err != nil {
		return s.fail(table, err)
	}
	for _, r := range out {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// fail classifies a driver error and names the table.
func (s *Store) fail(table string, err error) error {
	err = s.d.classify(err)
	return fmt.Errorf("%s: %w", s.layout.PhysTable(table), err)
}

// Write implements tables.Store: fn runs in one transaction; writes are serialised.
func (s *Store) Write(ctx context.Context, fn func(tables.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", s.d.classify(err))
	}
	if err := fn(&txn{s: s, tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return &tables.CommitError{Err: s.d.classify(err)}
	}
	return nil
}

// txn is a tables.Tx on a *sql.Tx.
type txn struct {
	s  *Store
	tx *sql.Tx
}

func (t *txn) Scan(ctx context.Context, table string, conds []tables.Cond, fn func(tables.Row) error) error {
	return t.s.scan(ctx, t.tx, table, conds, fn)
}

// columnsOf returns the logical columns of row in the table's order, checking each exists and
// that text fits its size.
func (s *Store) columnsOf(t tables.Table, row tables.Row) ([]tables.Column, []any, error) {
	names := make([]string, 0, len(row))
	for n := range row {
		if _, ok := t.Column(n); !ok {
			return nil, nil, fmt.Errorf("%s has no logical column %s", t.Name, n)
		}
		names = append(names, n)
	}
	order := map[string]int{}
	for i, c := range t.Columns {
		order[c.Name] = i
	}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	cols := make([]tables.Column, len(names))
	args := make([]any, len(names))
	for i, n := range names {
		c, _ := t.Column(n)
		v, err := tables.Normalize(c.Kind, row[n], s.loc)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", t.Name, n, err)
		}
		if str, ok := v.(string); ok && c.Size > 0 && len([]rune(str)) > c.Size {
			return nil, nil, fmt.Errorf("%s.%s holds at most %d characters, got %d", t.Name, n, c.Size, len([]rune(str)))
		}
		cols[i] = c
		args[i] = s.d.Arg(c.Kind, v)
	}
	return cols, args, nil
}

func (t *txn) Insert(ctx context.Context, table string, row tables.Row) error {
	tb := t.s.layout.Table(table)
	cols, args, err := t.s.columnsOf(tb, row)
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(t.s.layout.PhysColumn(table, c.Name))
		marks[i] = "?"
	}
	q := "INSERT INTO " + quote(t.s.layout.PhysTable(table)) + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	if _, err := t.tx.ExecContext(ctx, q, args...); err != nil {
		return t.s.fail(table, err)
	}
	return nil
}

func (t *txn) Update(ctx context.Context, table string, set tables.Row, conds []tables.Cond) (int64, error) {
	tb := t.s.layout.Table(table)
	cols, args, err := t.s.columnsOf(tb, set)
	if err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		return 0, nil
	}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = quote(t.s.layout.PhysColumn(table, c.Name)) + " = ?"
	}
	where, wargs, err := t.s.where(tb, conds)
	if err != nil {
		return 0, err
	}
	q := "UPDATE " + quote(t.s.layout.PhysTable(table)) + " SET " + strings.Join(sets, ", ") + where
	res, err := t.tx.ExecContext(ctx, q, append(args, wargs...)...)
	if err != nil {
		return 0, t.s.fail(table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.s.fail(table, err)
	}
	return n, nil
}

func (t *txn) Delete(ctx context.Context, table string, conds []tables.Cond) (int64, error) {
	if len(conds) == 0 {
		return 0, fmt.Errorf("delete from %s without a condition refused", table)
	}
	tb := t.s.layout.Table(table)
	where, wargs, err := t.s.where(tb, conds)
	if err != nil {
		return 0, err
	}
	res, err := t.tx.ExecContext(ctx, "DELETE FROM "+quote(t.s.layout.PhysTable(table))+where, wargs...)
	if err != nil {
		return 0, t.s.fail(table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.s.fail(table, err)
	}
	return n, nil
}

// Columns implements tables.Store: it selects every mapped column of every mapped table with a
// condition that matches no row.
func (s *Store) Columns(ctx context.Context) error {
	for _, name := range s.layout.TableNames() {
		phys := s.layout.PhysTable(name)
		rows, err := s.db.QueryContext(ctx, "SELECT * FROM "+quote(phys)+" WHERE 1 = 0")
		if err != nil {
			err = s.d.classify(err)
			if c := ClassOf(err); c == ClassLocked || c == ClassAuth {
				return fmt.Errorf("%s: %w", phys, err)
			}
			return &tables.MissingError{Table: name, Phys: phys}
		}
		have, err := rows.Columns()
		rows.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", phys, s.d.classify(err))
		}
		present := map[string]bool{}
		for _, c := range have {
			present[strings.ToLower(c)] = true
		}
		for _, c := range s.layout.Table(name).Columns {
			p := s.layout.PhysColumn(name, c.Name)
			if !present[strings.ToLower(p)] {
				return &tables.MissingError{Table: name, Column: c.Name, Phys: p}
			}
		}
	}
	return nil
}

// Ping checks the database answers, classifying the failure.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return s.d.classify(err)
	}
	return nil
}

// Close implements tables.Store.
func (s *Store) Close() error { return s.db.Close() }
