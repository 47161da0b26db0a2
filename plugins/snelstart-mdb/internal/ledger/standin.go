package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/jetfile"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/sqlstore"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/standin"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// sqliteMagic is the first 16 bytes of every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// standinHint tells how a stand-in is made.
const standinHint = "build one from a copy of an .mdb with `koppel-plugin-snelstart-mdb standin FILE.mdb OUT.sqlite`"

// openStandin opens the SQLite stand-in at path (driver = "sqlite", tests and trials only)
// as a store that runs the same SQL as the ODBC driver. It never creates the file: a missing
// file, an .mdb or anything else that is not a SQLite database is a KindConfig error naming
// the standin subcommand.
func openStandin(ctx context.Context, path string, layout *tables.Layout, loc *time.Location) (tables.Store, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, sdk.Errorf(sdk.KindConfig, "the SQLite stand-in %s does not exist: %s", path, standinHint)
		}
		return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: err, Message: fmt.Sprintf("cannot open the SQLite stand-in %s: %v", path, errors.Unwrap(err))}
	}
	head := make([]byte, len(sqliteMagic))
	_, rerr := io.ReadFull(f, head)
	f.Close()
	if rerr != nil || !bytes.Equal(head, sqliteMagic) {
		if _, jerr := jetfile.ReadFile(path); jerr == nil {
			return nil, sdk.Errorf(sdk.KindConfig, "%s is an Access (.mdb) file, not a SQLite stand-in: use driver = \"odbc\" or \"mdbtools\" for it, or %s", path, standinHint)
		}
		return nil, sdk.Errorf(sdk.KindConfig, "%s is not a SQLite database: driver = \"sqlite\" needs a stand-in; %s", path, standinHint)
	}
	db, err := standin.Open(path)
	if err != nil {
		return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: err, Message: fmt.Sprintf("open the SQLite stand-in %s: %v", path, err)}
	}
	st := sqlstore.New(db, sqlstore.SQLite, layout, loc)
	if err := st.Ping(ctx); err != nil {
		st.Close()
		return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: err, Message: fmt.Sprintf("open the SQLite stand-in %s: %v", path, err)}
	}
	return st, nil
}
