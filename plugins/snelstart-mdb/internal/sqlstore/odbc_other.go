//go:build !windows

package sqlstore

import (
	"context"
	"database/sql"
)

// OpenODBC fails with ErrWindowsOnly: the Access ODBC driver exists only on Windows, and the
// unixODBC + mdbtools driver cannot run parameterised queries.
func OpenODBC(context.Context, ODBCOptions) (*sql.DB, error) { return nil, ErrWindowsOnly }
