package ledger

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/internal/testtools"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/sqlstore"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/standin"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

const (
	demoFile  = "snelstart11-demo.mdb"
	emptyFile = "snelstart11-empty.mdb"
)

// sharedDir finds the shared directory: $KOPPEL_SHARED, or ../shared beside the repository root.
func sharedDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("KOPPEL_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(wd, "shared")
		}
	}
}

// fixtureCopy copies a fixture into a temporary directory (the fixtures are never opened in
// place) and returns the copy's path. It skips, naming the file, when the fixture is absent,
// and when the mdbtools programs the test needs are not installed.
func fixtureCopy(t testing.TB, name string) string {
	t.Helper()
	src := filepath.Join(sharedDir(t), "fixtures", "mdb", name)
	in, err := os.Open(src)
	if err != nil {
		t.Skipf("fixture %s is missing (set KOPPEL_SHARED to the shared directory)", src)
	}
	defer in.Close()
	testtools.Require(t, testtools.MDBTools)
	dst := filepath.Join(t.TempDir(), name)
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

func baseConfig(path string) sdk.Config {
	return sdk.Config{}.Set("path", path).Set("driver", DriverMdbtools).Set("password", "")
}

// newMdbtools returns a ledger reading a copy of the fixture through mdbtools.
func newMdbtools(t testing.TB, fixture string) *Ledger {
	t.Helper()
	l, err := New(context.Background(), baseConfig(fixtureCopy(t, fixture)), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// standIn builds the SQLite stand-in of the .mdb at path and returns an opener for it.
func standIn(t testing.TB, path string) (OpenFunc, *sql.DB) {
	t.Helper()
	db, err := standin.Open(filepath.Join(filepath.Dir(path), "standin.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := standin.Build(context.Background(), db, path); err != nil {
		t.Fatal(err)
	}
	open := func(ctx context.Context, _ string, layout *tables.Layout) (tables.Store, error) {
		return sqlstore.New(db, sqlstore.SQLite, layout, time.Local), nil
	}
	t.Cleanup(func() { db.Close() })
	return open, db
}

// fixedNow is the clock of the write tests.
var fixedNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.Local)

// newSQLite returns a ledger whose store is the SQLite stand-in of a copy of the fixture, and
// the stand-in's database for direct checks.
func newSQLite(t testing.TB, fixture string, cfg func(sdk.Config) sdk.Config) (*Ledger, *sql.DB, string) {
	t.Helper()
	path := fixtureCopy(t, fixture)
	open, db := standIn(t, path)
	c := baseConfig(path).Set("driver", DriverODBC)
	if cfg != nil {
		c = cfg(c)
	}
	l, err := NewWithOptions(context.Background(), c, hclog.NewNullLogger(), Options{Open: open, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return l, db, path
}

// backend is one way to open the demo file, for tests that must pass on both.
type backend struct {
	name string
	new  func(t testing.TB) *Ledger
}

var backends = []backend{
	{"mdbtools", func(t testing.TB) *Ledger { return newMdbtools(t, demoFile) }},
	{"sqlite", func(t testing.TB) *Ledger { l, _, _ := newSQLite(t, demoFile, nil); return l }},
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func writeFile(t testing.TB, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
