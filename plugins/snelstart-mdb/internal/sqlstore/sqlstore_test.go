package sqlstore

import (
	"errors"
	"testing"
)

func TestConnString(t *testing.T) {
	cases := []struct {
		o    ODBCOptions
		want string
	}{
		{ODBCOptions{Driver: DriverACE, Path: `C:\SnelStart\Demo.mdb`},
			`Driver={Microsoft Access Driver (*.mdb, *.accdb)};DBQ=C:\SnelStart\Demo.mdb;`},
		{ODBCOptions{Driver: "{" + DriverJet + "}", Path: `\\server\share\a;b.mdb`, Password: "ge}heim;"},
			`Driver={Microsoft Access Driver (*.mdb)};DBQ={\\server\share\a;b.mdb};PWD={ge}}heim;};`},
		{ODBCOptions{Driver: DriverJet, Path: "x.mdb", Password: " spatie"}, `Driver={Microsoft Access Driver (*.mdb)};DBQ=x.mdb;PWD={ spatie};`},
	}
	for _, c := range cases {
		if got := ConnString(c.o); got != c.want {
			t.Errorf("ConnString = %s, want %s", got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		d    Dialect
		msg  string
		want Class
	}{
		{Jet, "SQLDriverConnect: {HY000} [Microsoft][ODBC Microsoft Access Driver] Not a valid password.", ClassAuth},
		{Jet, "[Microsoft][ODBC Microsoft Access Driver] Could not use '(unknown)'; file already in use.", ClassLocked},
		{Jet, "[Microsoft][ODBC Microsoft Access Driver] Could not find file 'C:\\x.mdb'.", ClassNoFile},
		{Jet, "[Microsoft][ODBC Microsoft Access Driver] Too few parameters. Expected 1.", ClassMissing},
		{Jet, "[Microsoft][ODBC Microsoft Access Driver] Syntax error", ClassOther},
		{SQLite, "database is locked (5) (SQLITE_BUSY)", ClassLocked},
		{SQLite, "SQL logic error: no such table: Relaties (1)", ClassMissing},
	}
	for _, c := range cases {
		if got := ClassOf(c.d.classify(errors.New(c.msg))); got != c.want {
			t.Errorf("%s %q: class %d, want %d", c.d.Name, c.msg, got, c.want)
		}
	}
	if Jet.classify(nil) != nil {
		t.Errorf("nil classified")
	}
}
