package mdbtools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
)

// fuzzInputEnv names the file the stand-in mdb-json prints.
const fuzzInputEnv = "KOPPEL_MDBJSON_FUZZ_INPUT"

// FuzzScanJSON feeds any output of mdb-json (one JSON object per line, as mdb-json prints a
// table) to Scan, through a stand-in mdb-json that prints the fuzz input, for the articles and
// relations tables, with and without a condition. Beyond not panicking or hanging: Scan either
// fails or hands out rows whose values have the Go type of their column's kind, and every row it
// hands out satisfies the conditions.
func FuzzScanJSON(f *testing.F) {
	if runtime.GOOS == "windows" {
		f.Skip("the stand-in mdb-json is a shell script")
	}
	dir := f.TempDir()
	input := filepath.Join(dir, "input.json")
	script := "#!/bin/sh\nexec cat \"$" + fuzzInputEnv + "\"\n"
	if err := os.WriteFile(filepath.Join(dir, "mdb-json"), []byte(script), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Setenv(fuzzInputEnv, input)

	// Seeds: what the real mdb-json prints for the demo file, when both are here.
	if src := demoPath(); src != "" {
		if _, err := exec.LookPath("mdb-json"); err == nil {
			for i, table := range []string{tables.Artikelen, tables.Relaties} {
				out, err := exec.Command("mdb-json", "-T", dateFormat, "-D", dateFormat, src, table).Output()
				if err == nil {
					lines := bytes.SplitAfter(out, []byte("\n"))
					f.Add(uint8(i), "", bytes.Join(lines[:min(len(lines), 6)], nil))
					f.Add(uint8(i), "mok-001", bytes.Join(lines[:min(len(lines), 3)], nil))
				}
			}
		}
	}
	f.Add(uint8(0), "MOK-001", []byte(`{"ArtikelID":1,"Artikelcode":"MOK-001","Verkoopprijs":6.1983,"Inkoopprijs":2.1000,"VoorraadControle":1,"TechnischeVoorraad":120,"VrijeVoorraad":96.5,"NonActief":0,"Gewijzigd":"2024-09-02T10:15:00"}
{"ArtikelID":"2","artikelcode":"mok-001","Verkoopprijs":"1e3","IsHoofdartikel":"ja","Gewijzigd":null,"Onbekend":[1,{"x":2}]}
`))
	f.Add(uint8(1), "", []byte(`{"RelatieID":1,"Relatiecode":10001,"Naam":"Jan de Vries","LandID":1,"Krediettermijn":14,"FactuurEmailen":1,"IsKlant":1,"Gewijzigd":"2024-11-12T14:23:05"}
{"RelatieID":1.5}`))
	f.Add(uint8(1), "x", []byte(`{"Naam":"x","IsKlant":"maybe"}`))
	f.Add(uint8(0), "", []byte(`[1,2]`))
	f.Add(uint8(0), "", []byte(`{"ArtikelID":99999999999999999999}`))

	ctx := context.Background()
	s, err := Open(Options{Path: filepath.Join(dir, "any.mdb"), Dir: dir, Location: time.UTC})
	if err != nil {
		f.Fatal(err)
	}
	layout, _ := tables.NewLayout(nil)
	f.Fuzz(func(t *testing.T, table uint8, cond string, data []byte) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input took longer than 10s: %q", data)) })
		defer tm.Stop()
		if err := os.WriteFile(input, data, 0o600); err != nil {
			t.Fatal(err)
		}
		name, textCol := tables.Artikelen, "Artikelcode"
		if table%2 == 1 {
			name, textCol = tables.Relaties, "Naam"
		}
		var conds []tables.Cond
		if cond != "" {
			conds = append(conds, tables.Eq(textCol, cond))
		}
		def := layout.Table(name)
		rows := 0
		err := s.Scan(ctx, name, conds, func(r tables.Row) error {
			rows++
			if cond != "" && !strings.EqualFold(r.Str(textCol), cond) {
				t.Fatalf("row %v does not satisfy %s = %q", r, textCol, cond)
			}
			for col, v := range r {
				c, ok := def.Column(col)
				if !ok {
					t.Fatalf("row has unknown column %q", col)
				}
				if v != nil && !kindHolds(c.Kind, v) {
					t.Fatalf("column %s (%s) holds %T %v", col, c.Kind, v, v)
				}
			}
			return nil
		})
		if err == nil && cond == "" {
			// Without a condition every object mdb-json printed is a row.
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			n := 0
			for {
				var v any
				if dec.Decode(&v) != nil {
					break
				}
				n++
			}
			if n != rows {
				t.Fatalf("%d objects printed, %d rows handed out", n, rows)
			}
		}
	})
}

// kindHolds reports whether v has the Go type Normalize gives values of kind k.
func kindHolds(k tables.Kind, v any) bool {
	switch k {
	case tables.Text:
		_, ok := v.(string)
		return ok
	case tables.Int:
		_, ok := v.(int64)
		return ok
	case tables.Money, tables.Float:
		_, ok := v.(decimal.Decimal)
		return ok
	case tables.Bool:
		_, ok := v.(bool)
		return ok
	case tables.Time:
		_, ok := v.(time.Time)
		return ok
	}
	return false
}

// demoPath is the shared demo .mdb, or "" when the shared directory is absent.
func demoPath() string {
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
	p := filepath.Join(dir, "fixtures", "mdb", "snelstart11-demo.mdb")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
