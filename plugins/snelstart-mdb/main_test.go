package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/internal/testtools"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/ledger"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

func TestDescribe(t *testing.T) {
	var out bytes.Buffer
	opts := serveOpts()
	opts.Args, opts.Stdout = []string{"describe"}, &out
	if err := plugin.Serve(opts); err != nil {
		t.Fatal(err)
	}
	var info sdk.PluginInfo
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != "snelstart-mdb" || info.Kind != sdk.KindLedger || !info.Has(sdk.CapCustomersWrite) {
		t.Errorf("describe = %+v", info)
	}
	for _, name := range []string{"path", "driver", "odbc_driver", "password", "tables", "read_only", "backups"} {
		if _, ok := info.Schema.Attribute(name); !ok {
			t.Errorf("schema lacks %s", name)
		}
	}
	if a, _ := info.Schema.Attribute("password"); !a.Sensitive {
		t.Errorf("password is not sensitive")
	}
	// The SQLite stand-in driver is offered, and labelled as what it is.
	if a, _ := info.Schema.Attribute("driver"); !strings.Contains(strings.Join(a.Enum, ","), "sqlite") ||
		!strings.Contains(a.Description, "NOT FOR A REAL ADMINISTRATION") || !strings.Contains(a.Description, "standin") {
		t.Errorf("driver attribute = %+v, want sqlite documented as for tests and trials only", a)
	}
}

// `standin FILE.mdb OUT.sqlite` builds a stand-in that driver = "sqlite" opens, refuses to
// overwrite it, and explains its usage on bad arguments.
func TestStandinCommand(t *testing.T) {
	src := fixturePath(t, "snelstart11-demo.mdb")
	out := filepath.Join(t.TempDir(), "demo.sqlite")
	var msg bytes.Buffer
	if err := buildStandin(context.Background(), &msg, []string{src, out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.String(), `driver = "sqlite"`) || !strings.Contains(msg.String(), "tests and trials") {
		t.Errorf("message: %s", msg.String())
	}
	l, err := ledger.New(context.Background(), sdk.Config{}.Set("path", out).Set("driver", ledger.DriverSQLite), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if res, err := l.Check(context.Background()); err != nil || !strings.Contains(res.Summary, "Demo Handel BV") {
		t.Errorf("check of the stand-in: %+v (%v)", res, err)
	}
	before, _ := os.ReadFile(out)
	if err := buildStandin(context.Background(), io.Discard, []string{src, out}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second build: %v, want a refusal to overwrite", err)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(before, after) {
		t.Errorf("a refused build changed the stand-in")
	}
	for _, args := range [][]string{nil, {src}, {src, out, "x"}} {
		if err := buildStandin(context.Background(), io.Discard, args); err == nil || !strings.Contains(err.Error(), "usage:") {
			t.Errorf("args %q: %v, want usage", args, err)
		}
	}
	missing := filepath.Join(t.TempDir(), "x.sqlite")
	if err := buildStandin(context.Background(), io.Discard, []string{filepath.Join(t.TempDir(), "nope.mdb"), missing}); err == nil {
		t.Errorf("a missing .mdb built a stand-in")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s behind", missing)
	}
}

// fixturePath returns a shared fixture's path ($KOPPEL_SHARED or ../shared beside the
// repository root), skipping, naming the file, when it or mdbtools is absent.
func fixturePath(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("KOPPEL_SHARED")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(filepath.Dir(d), "shared")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	p := filepath.Join(dir, "fixtures", "mdb", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture %s is missing (set KOPPEL_SHARED to the shared directory)", p)
	}
	testtools.Require(t, testtools.MDBTools)
	return p
}
