package sqlstore

import (
	"errors"
	"strings"
)

// Names of the Microsoft Access ODBC drivers.
const (
	// DriverJet is the driver that ships with Windows; it is 32-bit only (a windows/386 build).
	DriverJet = "Microsoft Access Driver (*.mdb)"
	// DriverACE is the Access Database Engine redistributable's driver, 32- or 64-bit.
	DriverACE = "Microsoft Access Driver (*.mdb, *.accdb)"
)

// ErrWindowsOnly is returned by OpenODBC on other systems.
var ErrWindowsOnly = errors.New("the Access ODBC driver exists only on Windows; on this system use driver = \"mdbtools\" (read-only)")

// ODBCOptions say how to open an .mdb through the Access ODBC driver.
type ODBCOptions struct {
	// Driver is the ODBC driver name, with or without braces.
	Driver string
	// Path is the .mdb file.
	Path string
	// Password is the database password, or empty.
	Password string
}

// ConnString builds the ODBC connection string. Values that contain ';', '{' or '}' or
// surrounding spaces are braced, with '}' doubled, as ODBC requires.
func ConnString(o ODBCOptions) string {
	drv := strings.TrimSpace(o.Driver)
	drv = strings.TrimSuffix(strings.TrimPrefix(drv, "{"), "}")
	var b strings.Builder
	b.WriteString("Driver={" + strings.ReplaceAll(drv, "}", "}}") + "};")
	b.WriteString("DBQ=" + odbcValue(o.Path) + ";")
	if o.Password != "" {
		b.WriteString("PWD=" + odbcValue(o.Password) + ";")
	}
	return b.String()
}

func odbcValue(v string) string {
	if strings.ContainsAny(v, ";{}") || strings.TrimSpace(v) != v {
		return "{" + strings.ReplaceAll(v, "}", "}}") + "}"
	}
	return v
}
