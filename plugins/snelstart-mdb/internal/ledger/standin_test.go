package ledger

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/standin"
	"github.com/koppel-nl/koppel/sdk"
)

// driver = "sqlite" opens a stand-in built with standin.BuildFile on its own (no test seam),
// reads it, writes to it (with a backup copy beside it) and says in Check what it is.
func TestDriverSQLite(t *testing.T) {
	mdb := fixtureCopy(t, demoFile)
	path := filepath.Join(filepath.Dir(mdb), "demo.sqlite")
	if err := standin.BuildFile(context.Background(), mdb, path); err != nil {
		t.Fatal(err)
	}
	l, err := New(context.Background(), sdk.Config{}.Set("path", path).Set("driver", DriverSQLite), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	res, err := l.Check(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Summary, "Demo Handel BV") || res.Details["mode"] != "read and write" ||
		!strings.Contains(res.Details["format"], "tests and trials only") || !strings.Contains(res.Details["driver"], "SQLite stand-in") {
		t.Errorf("check = %+v", res)
	}
	arts, err := l.FindArticles(ctx(t), sdk.ArticleQuery{ExtraField: "extra:Webshopcode", ExtraValue: "kookboek-NL"})
	if err != nil || len(arts) != 1 || arts[0].Code != "BOEK-KOOK" {
		t.Fatalf("find by Webshopcode: %+v (%v)", arts, err)
	}
	r, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "Stand-in Klant", Email: "standin@example.nl", Customer: true})
	if err != nil || r.Code != 10021 {
		t.Fatalf("create relatie: %+v (%v)", r, err)
	}
	l.Close()
	// The write went to the file: a new ledger on the same path finds it.
	l2, err := New(context.Background(), sdk.Config{}.Set("path", path).Set("driver", DriverSQLite), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	found, err := l2.FindRelaties(ctx(t), sdk.RelatieQuery{Email: "STANDIN@example.nl"})
	if err != nil || len(found) != 1 || found[0].Code != 10021 {
		t.Errorf("relatie after reopening: %+v (%v)", found, err)
	}
	copies, err := backups(path)
	if err != nil || len(copies) != 1 || filepath.Ext(copies[0]) != ".sqlite" {
		t.Errorf("backups = %v (%v), want one .sqlite copy", copies, err)
	}
}

// driver = "sqlite" never creates a database and refuses what is not a stand-in, naming the
// standin subcommand.
func TestDriverSQLiteRefusals(t *testing.T) {
	mdb := fixtureCopy(t, demoFile)
	dir := filepath.Dir(mdb)
	text := writeFile(t, filepath.Join(dir, "notes.sqlite"), "not a database at all")
	for name, path := range map[string]string{
		"missing":    filepath.Join(dir, "missing.sqlite"),
		"an .mdb":    mdb,
		"not sqlite": text,
	} {
		t.Run(name, func(t *testing.T) {
			l, err := New(context.Background(), sdk.Config{}.Set("path", path).Set("driver", DriverSQLite), hclog.NewNullLogger())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			_, err = l.Check(ctx(t))
			if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "koppel-plugin-snelstart-mdb standin") {
				t.Errorf("check: %v, want a config error naming the standin subcommand", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.sqlite")); !os.IsNotExist(err) {
		t.Errorf("driver sqlite created a database: %v", err)
	}
}
