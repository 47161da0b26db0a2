package mdbtools

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/koppel-nl/koppel/internal/testtools"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
)

func demo(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KOPPEL_SHARED")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(filepath.Dir(d), "shared")
				break
			}
		}
	}
	src := filepath.Join(dir, "fixtures", "mdb", "snelstart11-demo.mdb")
	in, err := os.Open(src)
	if err != nil {
		t.Skipf("fixture %s is missing (set KOPPEL_SHARED)", src)
	}
	defer in.Close()
	testtools.Require(t, testtools.MDBTools)
	dst := filepath.Join(t.TempDir(), "demo.mdb")
	out, _ := os.Create(dst)
	io.Copy(out, in)
	out.Close()
	return dst
}

func TestScan(t *testing.T) {
	s, err := Open(Options{Path: demo(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var rows []tables.Row
	err = s.Scan(ctx, tables.Relaties, []tables.Cond{tables.Eq("Naam", "müller küchenbedarf gmbh")}, func(r tables.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil || len(rows) != 1 || rows[0].Int("Relatiecode") != 10008 || rows[0].IsNull("Telefoon") || !rows[0].Bool("IsKlant") {
		t.Fatalf("Scan: %v (%v)", rows, err)
	}
	n := 0
	stop := errors.New("stop")
	if err := s.Scan(ctx, tables.Artikelen, nil, func(tables.Row) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Scan returned %v after %d rows, want the callback's error after 1", err, n)
	}
	if err := s.Write(ctx, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Write: %v", err)
	}
	if err := s.Columns(ctx); err != nil {
		t.Errorf("Columns: %v", err)
	}
	l, _ := tables.NewLayout(map[string]string{"Landen": "Countries"})
	s2, _ := Open(Options{Path: s.path, Layout: l})
	var missing *tables.MissingError
	if err := s2.Scan(ctx, tables.Landen, nil, func(tables.Row) error { return nil }); !errors.As(err, &missing) || missing.Phys != "Countries" {
		t.Errorf("Scan of a missing table: %v", err)
	}
	if _, err := Open(Options{Path: s.path, Dir: t.TempDir()}); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Open without mdbtools: %v", err)
	}
}
