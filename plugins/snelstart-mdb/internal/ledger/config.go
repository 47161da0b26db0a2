package ledger

import (
	"encoding/json"
	"runtime"
	"strings"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/sqlstore"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// Drivers (attribute driver).
const (
	// DriverODBC reads and writes through the Microsoft Access ODBC driver (Windows only).
	DriverODBC = "odbc"
	// DriverMdbtools reads through the mdbtools programs (any OS); it cannot write.
	DriverMdbtools = "mdbtools"
	// DriverSQLite is for tests and for trying koppel without Windows, never for a real
	// administration: path is a SQLite stand-in built from an .mdb with
	// `koppel-plugin-snelstart-mdb standin FILE.mdb OUT.sqlite`, read and written through the
	// same SQL as the ODBC driver. SnelStart never sees what is written there.
	DriverSQLite = "sqlite"
)

// DefaultDriver is odbc on Windows and mdbtools elsewhere.
func DefaultDriver() string {
	if runtime.GOOS == "windows" {
		return DriverODBC
	}
	return DriverMdbtools
}

// DefaultODBCDriver is the 32-bit Jet driver that ships with Windows for a windows/386 build,
// and the Access Database Engine driver otherwise.
func DefaultODBCDriver() string {
	if runtime.GOARCH == "386" {
		return sqlstore.DriverJet
	}
	return sqlstore.DriverACE
}

// DefaultBackups is how many file copies taken before writes are kept.
const DefaultBackups = 3

// Schema returns the configuration the snelstart-mdb ledger block accepts.
func Schema() sdk.Schema {
	return sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "path", Type: sdk.TypeString, Required: true,
			Description: "Path of the administration's .mdb file (SnelStart 11), e.g. C:\\SnelStart\\Administraties\\Demo.mdb. With driver = \"sqlite\" (tests and trials only) the path of a SQLite stand-in database instead."},
		{Name: "driver", Type: sdk.TypeString, Default: sdk.MustDefault(DefaultDriver()), Enum: []string{DriverODBC, DriverMdbtools, DriverSQLite},
			Description: "How the file is opened: odbc (Windows, the Microsoft Access ODBC driver; reads and writes) or mdbtools (any OS with mdbtools installed; read-only). Default odbc on Windows, mdbtools elsewhere. " +
				"sqlite is FOR TESTS AND FOR TRYING KOPPEL WITHOUT WINDOWS ONLY, NOT FOR A REAL ADMINISTRATION: path is then a SQLite stand-in built from a copy of an .mdb with `koppel-plugin-snelstart-mdb standin FILE.mdb OUT.sqlite` (needs mdbtools); koppel reads and writes it with the same SQL as through ODBC, but SnelStart never sees what is written there."},
		{Name: "odbc_driver", Type: sdk.TypeString, Default: sdk.MustDefault(DefaultODBCDriver()),
			Description: "ODBC driver name: \"" + sqlstore.DriverJet + "\" (ships with Windows, 32-bit builds only) or \"" + sqlstore.DriverACE + "\" (Access Database Engine redistributable, 64-bit)."},
		{Name: "password", Type: sdk.TypeString, Sensitive: true,
			Description: "Database password, when the .mdb has one."},
		{Name: "tables", Type: sdk.TypeStringMap,
			Description: "Maps koppel's table and column names to the file's, when the administration differs from the assumed SnelStart 11 layout: keys are a table (\"Relaties\") or \"Table.Column\" (\"Relaties.Email\"), values the names in the file."},
		{Name: "mdbtools_dir", Type: sdk.TypeString,
			Description: "Directory holding mdb-json, mdb-export and mdb-tables; empty means they are found on the PATH."},
		{Name: "read_only", Type: sdk.TypeBool, Default: sdk.MustDefault(false),
			Description: "Only read (check, look-ups, stock export); never write, whatever the driver."},
		{Name: "backups", Type: sdk.TypeNumber, Default: sdk.MustDefault(DefaultBackups),
			Description: "Before the first write of each run a copy of the .mdb is saved next to it; this many copies are kept (0 switches the copies off)."},
	}}
}

// PluginInfo describes the plugin built at version.
func PluginInfo(version string) sdk.PluginInfo {
	return sdk.PluginInfo{
		Name:         "snelstart-mdb",
		Kind:         sdk.KindLedger,
		Version:      version,
		Description:  "SnelStart 11 administrations in Access (.mdb) files: read through mdbtools anywhere, read and write through the Access ODBC driver on Windows",
		Schema:       Schema(),
		Capabilities: []string{sdk.CapExtraFields, sdk.CapComposites, sdk.CapCustomersWrite, sdk.CapArticleCodes, sdk.CapRelatieEmails},
	}
}

// settings is a decoded configuration.
type settings struct {
	path       string
	driver     string
	odbcDriver string
	password   string
	layout     *tables.Layout
	mdbDir     string
	readOnly   bool
	backups    int
}

// parseConfig decodes cfg, applying the schema's defaults. Errors are KindConfig and never
// contain the password.
func parseConfig(cfg sdk.Config) (settings, error) {
	str := func(name string) string {
		if _, ok := cfg[name]; ok {
			return strings.TrimSpace(cfg.String(name))
		}
		if a, ok := Schema().Attribute(name); ok && a.Default != nil {
			var v string
			_ = json.Unmarshal(a.Default, &v)
			return v
		}
		return ""
	}
	s := settings{
		path:       str("path"),
		driver:     strings.ToLower(str("driver")),
		odbcDriver: str("odbc_driver"),
		password:   cfg.String("password"),
		mdbDir:     str("mdbtools_dir"),
		readOnly:   cfg.Bool("read_only"),
		backups:    DefaultBackups,
	}
	if s.path == "" {
		return s, sdk.Errorf(sdk.KindConfig, "path is empty: set it to the administration's .mdb file")
	}
	switch s.driver {
	case DriverODBC, DriverMdbtools, DriverSQLite:
	default:
		return s, sdk.Errorf(sdk.KindConfig, "driver must be %q or %q (or %q, for tests and trials only)", DriverODBC, DriverMdbtools, DriverSQLite)
	}
	if s.odbcDriver == "" {
		s.odbcDriver = DefaultODBCDriver()
	}
	if raw, ok := cfg["backups"]; ok && raw != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return s, sdk.Errorf(sdk.KindConfig, "backups must be a number")
		}
		v, err := n.Int64()
		if err != nil || v < 0 || v > 1000 {
			return s, sdk.Errorf(sdk.KindConfig, "backups must be a whole number from 0 to 1000")
		}
		s.backups = int(v)
	}
	layout, err := tables.NewLayout(cfg.StringMap("tables"))
	if err != nil {
		return s, &sdk.Error{Kind: sdk.KindConfig, Message: err.Error(), Err: err}
	}
	s.layout = layout
	return s, nil
}
