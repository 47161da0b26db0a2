//go:build windows

package sqlstore

import (
	"context"
	"database/sql"

	_ "github.com/alexbrainman/odbc" // registers the "odbc" database/sql driver
)

// OpenODBC opens the .mdb through the Access ODBC driver and checks the connection. The
// pool holds one connection: Jet serialises work on a file anyway, and one connection keeps
// its transactions simple.
func OpenODBC(ctx context.Context, o ODBCOptions) (*sql.DB, error) {
	db, err := sql.Open("odbc", ConnString(o))
	if err != nil {
		return nil, Jet.classify(err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, Jet.classify(err)
	}
	return db, nil
}
