// Package ledger is koppel's connector for SnelStart 11 administrations kept in Microsoft Access
// (.mdb) files: it implements sdk.Ledger over a tables.Store, which is either the mdbtools
// reader (any OS, read-only) or database/sql with the Access ODBC driver (Windows, reads and
// writes), or, for tests and trials only, database/sql on a SQLite stand-in built from an .mdb
// (driver = "sqlite", same SQL as ODBC). Writes follow what SnelStart itself stores: a new
// relatie with the next relatiecode, a sales order with its lines, totals computed per VAT rate
// with half-up rounding, and the next order number taken from and written back to
// Instellingen, each in one transaction, after a copy of the file has been saved next to it.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/jetfile"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/mdbtools"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/sqlstore"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// Instellingen keys koppel reads and writes.
const (
	settingName       = "AdministratieNaam"
	settingNextOrder  = "VolgendOrdernummer"
	settingNextCode   = "VolgendRelatiecode"
	settingPricesIncl = "PrijsInvoerInclBtw"
)

// OpenFunc opens the store for a configuration; Options.Open replaces the driver's own opener
// in tests (the SQLite stand-in).
type OpenFunc func(ctx context.Context, path string, layout *tables.Layout) (tables.Store, error)

// Options are the seams of NewWithOptions.
type Options struct {
	// Open, when set, opens the store instead of the configured driver. The file header and
	// password are still checked against path.
	Open OpenFunc
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the time zone of the file's wall-clock datetimes; nil means time.Local.
	Location *time.Location
}

// Ledger is one configured administration. It implements sdk.Ledger and is safe for
// concurrent use.
type Ledger struct {
	cfg  settings
	log  hclog.Logger
	opts Options
	loc  *time.Location

	mu    sync.Mutex
	store tables.Store
	// backedUp is set once this instance has copied the file before its first write.
	backedUp bool
	wmu      sync.Mutex
}

var _ sdk.Ledger = (*Ledger)(nil)

// New returns the ledger for cfg. It checks the configuration but opens nothing: the file is
// opened on the first call. Errors are *sdk.Error of KindConfig.
func New(ctx context.Context, cfg sdk.Config, log hclog.Logger) (*Ledger, error) {
	return NewWithOptions(ctx, cfg, log, Options{})
}

// NewWithOptions is New with test seams.
func NewWithOptions(_ context.Context, cfg sdk.Config, log hclog.Logger, o Options) (*Ledger, error) {
	s, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	return &Ledger{cfg: s, log: log, opts: o, loc: loc}, nil
}

// Close releases the open file, if any.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.store == nil {
		return nil
	}
	err := l.store.Close()
	l.store = nil
	return err
}

// open returns the store, opening it on first use: the file must exist and be a Jet file,
// and, for mdbtools (which ignores passwords), the configured password must match the file's.
// With driver = "sqlite" (tests and trials only) it must be a SQLite stand-in instead; the
// password is then ignored.
func (l *Ledger) open(ctx context.Context) (tables.Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.store != nil {
		return l.store, nil
	}
	if l.cfg.driver == DriverSQLite && l.opts.Open == nil {
		st, err := openStandin(ctx, l.cfg.path, l.cfg.layout, l.loc)
		if err != nil {
			return nil, err
		}
		l.log.Warn("using a SQLite stand-in, for tests and trials only: SnelStart never sees what koppel writes here", "path", l.cfg.path)
		l.store = st
		return st, nil
	}
	fi, err := os.Stat(l.cfg.path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: err,
				Message: fmt.Sprintf("the administration file %s does not exist (is the path right and the share connected?)", l.cfg.path)}
		}
		return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: err,
			Message: fmt.Sprintf("cannot reach the administration file %s: %v", l.cfg.path, errors.Unwrap(err))}
	}
	if fi.IsDir() {
		return nil, sdk.Errorf(sdk.KindConfig, "path %s is a directory; set it to the administration's .mdb file", l.cfg.path)
	}
	h, err := jetfile.ReadFile(l.cfg.path)
	if err != nil {
		if errors.Is(err, jetfile.ErrNotJet) {
			return nil, sdk.Errorf(sdk.KindConfig, "%s is not a Microsoft Access (.mdb) database; SnelStart 12 and later keep administrations in SQL Server, not in .mdb files", l.cfg.path)
		}
		return nil, &sdk.Error{Kind: sdk.KindUnreachable, Err: err, Message: fmt.Sprintf("cannot read %s: %v", l.cfg.path, err)}
	}
	var st tables.Store
	switch {
	case l.opts.Open != nil:
		if err := h.CheckPassword(l.cfg.password); err != nil {
			return nil, passwordError(l.cfg.path)
		}
		st, err = l.opts.Open(ctx, l.cfg.path, l.cfg.layout)
	case l.cfg.driver == DriverMdbtools:
		if err := h.CheckPassword(l.cfg.password); err != nil {
			return nil, passwordError(l.cfg.path)
		}
		st, err = mdbtools.Open(mdbtools.Options{Path: l.cfg.path, Dir: l.cfg.mdbDir, Layout: l.cfg.layout, Location: l.loc})
	default:
		db, oerr := sqlstore.OpenODBC(ctx, sqlstore.ODBCOptions{Driver: l.cfg.odbcDriver, Path: l.cfg.path, Password: l.cfg.password})
		if oerr != nil {
			return nil, l.classify("open the administration", oerr)
		}
		st = sqlstore.New(db, sqlstore.Jet, l.cfg.layout, l.loc)
	}
	if err != nil {
		return nil, l.classify("open the administration", err)
	}
	l.store = st
	return st, nil
}

func passwordError(path string) error {
	return &sdk.Error{Kind: sdk.KindAuth, Code: "password",
		Message: fmt.Sprintf("the configured password does not match the database password of %s (set password to the one SnelStart asks for, or remove it when the file has none)", filepath.Base(path))}
}

// Check opens the file, checks every mapped table and column exists and reports the
// administration's name.
func (l *Ledger) Check(ctx context.Context) (sdk.CheckResult, error) {
	st, err := l.open(ctx)
	if err != nil {
		return sdk.CheckResult{}, err
	}
	if err := st.Columns(ctx); err != nil {
		return sdk.CheckResult{}, l.classify("check the tables", err)
	}
	set, err := l.settings(ctx, st)
	if err != nil {
		return sdk.CheckResult{}, err
	}
	name := set[settingName]
	if name == "" {
		name = "(no " + settingName + " in Instellingen)"
	}
	mode := "read and write"
	if l.cfg.readOnly || (l.cfg.driver == DriverMdbtools && l.opts.Open == nil) {
		mode = "read-only"
	}
	format := "SQLite stand-in (tests and trials only, not a SnelStart administration)"
	if l.cfg.driver != DriverSQLite || l.opts.Open != nil {
		h, _ := jetfile.ReadFile(l.cfg.path)
		format = string(h.Format)
	}
	res := sdk.CheckResult{
		Summary: fmt.Sprintf("%s (%s, %s via %s)", name, filepath.Base(l.cfg.path), mode, l.driverName()),
		Details: map[string]string{
			"file":   l.cfg.path,
			"driver": l.driverName(),
			"format": format,
			"mode":   mode,
		},
	}
	if v := set[settingNextOrder]; v != "" {
		res.Details["next_order_number"] = v
	}
	if l.cfg.layout.Mapped() {
		res.Details["tables"] = "mapped by configuration"
	}
	return res, nil
}

func (l *Ledger) driverName() string {
	if l.opts.Open != nil {
		return "test store"
	}
	if l.cfg.driver == DriverODBC {
		return "ODBC " + l.cfg.odbcDriver
	}
	if l.cfg.driver == DriverSQLite {
		return "SQLite stand-in (tests and trials only)"
	}
	return "mdbtools"
}

// settings reads Instellingen as name → value.
func (l *Ledger) settings(ctx context.Context, r tables.Reader) (map[string]string, error) {
	out := map[string]string{}
	err := r.Scan(ctx, tables.Instellingen, nil, func(row tables.Row) error {
		out[row.Str("Naam")] = row.Str("Waarde")
		return nil
	})
	if err != nil {
		return nil, l.classify("read Instellingen", err)
	}
	return out, nil
}

// classify turns an error from a store into an *sdk.Error with a message a bookkeeper can act on.
func (l *Ledger) classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *sdk.Error
	if errors.As(err, &se) {
		return err
	}
	var missing *tables.MissingError
	var commit *tables.CommitError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &sdk.Error{Kind: sdk.KindRetryable, Message: op + ": timed out", Err: err}
	case errors.Is(err, context.Canceled):
		return &sdk.Error{Kind: sdk.KindRetryable, Message: op + ": cancelled", Err: err}
	case errors.Is(err, mdbtools.ErrNotInstalled):
		return &sdk.Error{Kind: sdk.KindConfig, Message: err.Error(), Err: err}
	case errors.Is(err, mdbtools.ErrReadOnly):
		return &sdk.Error{Kind: sdk.KindPermanent, Code: "read-only", Err: err,
			Message: "this administration is opened read-only through mdbtools, which cannot write .mdb files: to import orders and customers, run koppel on the Windows machine with SnelStart and set driver = \"odbc\" (the Microsoft Access ODBC driver)"}
	case errors.Is(err, sqlstore.ErrWindowsOnly):
		return &sdk.Error{Kind: sdk.KindConfig, Message: err.Error(), Err: err}
	case errors.As(err, &missing):
		return &sdk.Error{Kind: sdk.KindConfig, Code: "layout", Message: missing.Error(), Err: err}
	case errors.As(err, &commit):
		return &sdk.Error{Kind: sdk.KindOutcomeUnknown, Err: err,
			Message: op + ": the database did not confirm the commit (" + commit.Err.Error() + "); look the object up before writing it again"}
	}
	switch sqlstore.ClassOf(err) {
	case sqlstore.ClassLocked:
		return &sdk.Error{Kind: sdk.KindRetryable, RetryAfter: time.Minute, Err: err,
			Message: op + ": the administration is locked by another program (SnelStart?): " + err.Error()}
	case sqlstore.ClassAuth:
		return &sdk.Error{Kind: sdk.KindAuth, Code: "password", Err: err, Message: op + ": the database password was refused"}
	case sqlstore.ClassNoFile:
		return &sdk.Error{Kind: sdk.KindUnreachable, Err: err, Message: op + ": " + err.Error()}
	case sqlstore.ClassMissing:
		return &sdk.Error{Kind: sdk.KindConfig, Code: "layout", Err: err,
			Message: op + ": " + err.Error() + " (map the file's names in the tables block)"}
	}
	return &sdk.Error{Kind: sdk.KindPermanent, Err: err, Message: op + ": " + err.Error()}
}

// read runs fn with the open store, classifying its error.
func (l *Ledger) read(ctx context.Context, op string, fn func(tables.Reader) error) error {
	st, err := l.open(ctx)
	if err != nil {
		return err
	}
	if err := fn(st); err != nil {
		return l.classify(op, err)
	}
	return nil
}

// write runs fn in one transaction, after taking the run's backup copy.
func (l *Ledger) write(ctx context.Context, op string, fn func(tables.Tx) error) error {
	if l.cfg.readOnly {
		return &sdk.Error{Kind: sdk.KindPermanent, Code: "read-only",
			Message: op + ": the ledger is configured with read_only = true"}
	}
	st, err := l.open(ctx)
	if err != nil {
		return err
	}
	if _, ok := st.(*mdbtools.Store); ok {
		return l.classify(op, mdbtools.ErrReadOnly)
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if !l.backedUp && l.cfg.backups > 0 {
		path, err := backup(l.cfg.path, l.opts.Now(), l.cfg.backups)
		if err != nil {
			return &sdk.Error{Kind: sdk.KindPermanent, Code: "backup", Err: err,
				Message: op + ": could not save a copy of the administration before writing: " + err.Error()}
		}
		l.log.Info("saved a copy of the administration before the first write", "copy", path)
	}
	l.backedUp = true
	if err := st.Write(ctx, fn); err != nil {
		return l.classify(op, err)
	}
	return nil
}

// id renders a surrogate key as the ledger id.
func id(n int64) string { return strconv.FormatInt(n, 10) }

// parseID reads a ledger id; ok is false for anything that is not a positive whole number.
func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// permanent builds a KindPermanent error with a code.
func permanent(code, format string, args ...any) *sdk.Error {
	return &sdk.Error{Kind: sdk.KindPermanent, Code: code, Message: fmt.Sprintf(format, args...)}
}
