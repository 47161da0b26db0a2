package ledger

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
)

func TestParseConfig(t *testing.T) {
	if err := Schema().Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := parseConfig(sdk.Config{}.Set("path", "/x/demo.mdb"))
	if err != nil || s.driver != DefaultDriver() || s.odbcDriver != DefaultODBCDriver() || s.backups != DefaultBackups {
		t.Errorf("defaults: %+v (%v)", s, err)
	}
	bad := map[string]sdk.Config{
		"no path":        {},
		"unknown driver": sdk.Config{}.Set("path", "x").Set("driver", "jackcess"),
		"bad backups":    sdk.Config{}.Set("path", "x").Set("backups", -1),
		"bad tables":     sdk.Config{}.Set("path", "x").Set("tables", map[string]string{"Klanten": "tblKlanten"}),
	}
	for name, c := range bad {
		if _, err := parseConfig(c); sdk.KindOf(err) != sdk.KindConfig {
			t.Errorf("%s: %v, want a config error", name, err)
		}
	}
	_, err = parseConfig(sdk.Config{}.Set("password", "s3cret-value").Set("driver", "nope").Set("path", "x"))
	if err == nil || strings.Contains(err.Error(), "s3cret-value") {
		t.Errorf("config error %v must not show the password", err)
	}
}

func TestTablesMapping(t *testing.T) {
	path := fixtureCopy(t, demoFile)
	open, db := standIn(t, path)
	for _, stmt := range []string{"ALTER TABLE [Relaties] RENAME TO [tblKlanten]", "ALTER TABLE [tblKlanten] RENAME COLUMN [Email] TO [EmailAdres]"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	unmapped, err := NewWithOptions(context.Background(), baseConfig(path), hclog.NewNullLogger(), Options{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	_, err = unmapped.Check(ctx(t))
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "Relaties") {
		t.Errorf("Check on a renamed table: %v, want a config error naming Relaties", err)
	}
	cfg := baseConfig(path).Set("tables", map[string]string{"Relaties": "tblKlanten", "Relaties.Email": "EmailAdres"})
	l, err := NewWithOptions(context.Background(), cfg, hclog.NewNullLogger(), Options{Open: open})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Check(ctx(t))
	if err != nil || res.Details["tables"] == "" {
		t.Fatalf("Check with the mapping: %+v (%v)", res, err)
	}
	got, err := l.FindRelaties(ctx(t), sdk.RelatieQuery{Email: "anna.smit@example.nl"})
	if err != nil || len(got) != 1 || got[0].Code != 10011 {
		t.Errorf("FindRelaties through the mapping: %+v (%v)", got, err)
	}
	r, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "Gemapt", Email: "gemapt@example.nl", Customer: true})
	if err != nil || r.Email != "gemapt@example.nl" {
		t.Errorf("CreateRelatie through the mapping: %+v (%v)", r, err)
	}
}

func TestMdbtoolsMissingColumn(t *testing.T) {
	cfg := baseConfig(fixtureCopy(t, demoFile)).Set("tables", map[string]string{"Artikelen.Webshopcode": "SKU"})
	l, err := New(context.Background(), cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Check(ctx(t))
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "SKU") || !strings.Contains(err.Error(), "Artikelen.Webshopcode") {
		t.Errorf("Check with a wrong column: %v, want a config error naming SKU and Artikelen.Webshopcode", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		path string
		kind sdk.ErrorKind
	}{
		"absent file":   {dir + "/none.mdb", sdk.KindUnreachable},
		"directory":     {dir, sdk.KindConfig},
		"not an access": {writeFile(t, dir+"/x.mdb", "SQLite format 3\x00"+strings.Repeat("\x00", 300)), sdk.KindConfig},
	}
	for name, c := range cases {
		l, err := New(context.Background(), baseConfig(c.path), hclog.NewNullLogger())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Check(ctx(t)); sdk.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", name, err, c.kind)
		}
	}
}

func TestODBCOnlyOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("this test is about systems without the Access ODBC driver")
	}
	l, err := New(context.Background(), baseConfig(fixtureCopy(t, demoFile)).Set("driver", DriverODBC), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Check(ctx(t))
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "mdbtools") {
		t.Errorf("driver odbc on %s: %v, want a config error pointing to mdbtools", runtime.GOOS, err)
	}
}
