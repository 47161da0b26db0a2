package sqlstore

import (
	"errors"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
)

// Class says what kind of database failure an error is.
type Class int

const (
	// ClassOther is any failure not recognised below.
	ClassOther Class = iota
	// ClassLocked means the file or a record is locked by another program (SnelStart itself);
	// trying again later may work.
	ClassLocked
	// ClassAuth means the database password was refused.
	ClassAuth
	// ClassMissing means a table or column was not found.
	ClassMissing
	// ClassNoFile means the database file was not found or could not be opened.
	ClassNoFile
)

// Error is a database failure with its class. Its text is the driver's message, which never
// holds the password (drivers do not echo the connection string).
type Error struct {
	Class Class
	Err   error
}

// Error implements error.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the driver's error.
func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err, ClassOther when it is not an *Error.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassOther
}

// Dialect is what differs between the SQL engines the store runs on. Everything else (the
// statements, their ? parameters, [bracketed] names, transactions) is the same for both.
type Dialect struct {
	// Name is "jet" or "sqlite".
	Name string
	// TextEq returns the condition "quoted column equals ? ignoring case".
	TextEq func(quoted string) string
	// Arg converts a normalised value of a column kind to a driver argument.
	Arg func(k tables.Kind, v any) any
	// patterns classify driver messages (lower case substrings).
	patterns map[Class][]string
}

// classify wraps a driver error in *Error with the class its message shows.
func (d Dialect) classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	msg := strings.ToLower(err.Error())
	for _, c := range []Class{ClassAuth, ClassNoFile, ClassLocked, ClassMissing} {
		for _, p := range d.patterns[c] {
			if strings.Contains(msg, p) {
				return &Error{Class: c, Err: err}
			}
		}
	}
	return &Error{Class: ClassOther, Err: err}
}

// commonArg converts the kinds both engines take the same way. Amounts go to the driver as
// float64 because neither the Access ODBC driver nor SQLite binds a decimal: the value is first
// rounded to the column's scale (4 decimals for CURRENCY), and a float64 holds every such value
// closely enough that the engine's own rounding to 4 decimals restores it exactly.
func commonArg(k tables.Kind, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case decimal.Decimal:
		if k == tables.Money {
			x = x.Round(4)
		}
		return x.InexactFloat64()
	case time.Time:
		return time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), 0, time.Local)
	}
	return v
}

// Jet is the Microsoft Access engine through its ODBC driver: "=" on text is already
// case-insensitive and uses the index; datetimes and booleans bind natively.
var Jet = Dialect{
	Name:   "jet",
	TextEq: func(q string) string { return q + " = ?" },
	Arg:    commonArg,
	patterns: map[Class][]string{
		ClassAuth:    {"not a valid password", "28000", "-1905"},
		ClassLocked:  {"already in use", "locked", "-1032", "-1033", "could not lock", "could not update; currently locked"},
		ClassNoFile:  {"could not find file", "-1811", "-1023", "-1044", "not a valid path", "disk or network error"},
		ClassMissing: {"-1305", "cannot find the input table", "could not find output table", "too few parameters", "-3010"},
	},
}

// SQLite is the stand-in used by the tests (a database built from the .mdb with mdb-schema
// and mdb-export): text compares with NOCASE as Jet would; datetimes are stored as the text
// mdb-export writes; booleans as 0/1.
var SQLite = Dialect{
	Name:   "sqlite",
	TextEq: func(q string) string { return q + " = ? COLLATE NOCASE" },
	Arg: func(k tables.Kind, v any) any {
		switch x := v.(type) {
		case time.Time:
			return x.Format("2006-01-02 15:04:05")
		case bool:
			if x {
				return int64(1)
			}
			return int64(0)
		}
		return commonArg(k, v)
	},
	patterns: map[Class][]string{
		ClassAuth:    {"file is not a database"},
		ClassLocked:  {"database is locked", "sqlite_busy", "sqlite_locked", "database table is locked"},
		ClassNoFile:  {"unable to open database"},
		ClassMissing: {"no such table", "no such column"},
	},
}
