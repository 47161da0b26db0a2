package tables

import "context"

// Reader reads logical tables. Implementations map logical names through a Layout.
type Reader interface {
	// Scan calls fn for every row of the logical table that satisfies all conds (text
	// compared case-insensitively), in the file's order, until fn returns an error, which Scan
	// returns unchanged. Only the table's logical columns are read.
	Scan(ctx context.Context, table string, conds []Cond, fn func(Row) error) error
}

// Tx is one write transaction. Nothing it did is visible to others until the function given to
// Store.Update returns nil and the transaction commits.
type Tx interface {
	Reader
	// Insert adds a row; columns absent from row are left to the database (NULL or the
	// autonumber).
	Insert(ctx context.Context, table string, row Row) error
	// Update sets the columns in set on every row that satisfies conds and returns how many
	// rows it changed.
	Update(ctx context.Context, table string, set Row, conds []Cond) (int64, error)
	// Delete removes every row that satisfies conds (at least one condition is required) and
	// returns how many rows it removed.
	Delete(ctx context.Context, table string, conds []Cond) (int64, error)
}

// Store is one open administration.
type Store interface {
	Reader
	// Write runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
	// A store that cannot write returns an error without calling fn. An error from the commit
	// itself is returned wrapped in *CommitError, because the outcome is then unknown.
	Write(ctx context.Context, fn func(Tx) error) error
	// Columns checks that every mapped table and column exists in the file, and returns an
	// error naming the first that does not.
	Columns(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// CommitError reports a failed commit: the transaction may or may not have been applied.
type CommitError struct{ Err error }

// Error implements error.
func (e *CommitError) Error() string { return "commit: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *CommitError) Unwrap() error { return e.Err }

// MissingError reports a mapped table or column the file does not have.
type MissingError struct {
	// Table and Column are the logical names; Column is empty for a missing table.
	Table, Column string
	// Phys is the name looked for in the file.
	Phys string
}

// Error implements error.
func (e *MissingError) Error() string {
	if e.Column == "" {
		return "the file has no table " + e.Phys + " (koppel's " + e.Table + "; map it with tables = { \"" + e.Table + "\" = \"...\" })"
	}
	return "table " + e.Table + " has no column " + e.Phys + " (koppel's " + e.Table + "." + e.Column +
		"; map it with tables = { \"" + e.Table + "." + e.Column + "\" = \"...\" })"
}
