package tables

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestNormalize(t *testing.T) {
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	if ams == nil {
		ams = time.UTC
	}
	cases := []struct {
		kind Kind
		in   any
		want string
	}{
		{Text, "Café", "Café"},
		{Text, []byte("Müller"), "Müller"},
		{Int, json.Number("10021"), "10021"},
		{Int, int32(-7), "-7"},
		{Int, float64(12), "12"},
		{Money, json.Number("6.1983"), "6.1983"},
		{Money, 192.34, "192.34"},
		{Money, "7.43800", "7.438"},
		{Money, 0.1 + 0.2, "0.3"},
		{Float, json.Number("-2"), "-2"},
		{Float, 148.25, "148.25"},
		{Bool, json.Number("1"), "true"},
		{Bool, int64(-1), "true"},
		{Bool, int64(0), "false"},
		{Bool, "0", "false"},
		{Time, "2024-11-04T00:00:00", "2024-11-04 00:00:00"},
		{Time, "2024-11-06 16:02:11", "2024-11-06 16:02:11"},
		{Time, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02 03:04:05"},
	}
	for _, c := range cases {
		v, err := Normalize(c.kind, c.in, ams)
		if err != nil {
			t.Errorf("Normalize(%s, %v): %v", c.kind, c.in, err)
			continue
		}
		var got string
		switch x := v.(type) {
		case decimal.Decimal:
			got = x.String()
		case time.Time:
			got = x.Format("2006-01-02 15:04:05")
			if x.Location() != ams {
				t.Errorf("Normalize(%v) in %v, want the file's zone", c.in, x.Location())
			}
		default:
			got = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtAny(x), "\n", ""), " ", " "))
		}
		if got != c.want {
			t.Errorf("Normalize(%s, %#v) = %s, want %s", c.kind, c.in, got, c.want)
		}
	}
	if v, err := Normalize(Money, nil, ams); v != nil || err != nil {
		t.Errorf("NULL: %v %v", v, err)
	}
	for _, bad := range []struct {
		k Kind
		v any
	}{{Int, "x"}, {Int, 1.5}, {Money, "abc"}, {Time, "yesterday"}, {Bool, "maybe"}, {Money, struct{}{}}} {
		if _, err := Normalize(bad.k, bad.v, ams); err == nil {
			t.Errorf("Normalize(%s, %v) accepted", bad.k, bad.v)
		}
	}
}

func fmtAny(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

func TestMatchIsCaseInsensitiveForText(t *testing.T) {
	tb := Default[6] // Artikelen
	row := Row{"Artikelcode": "MOK-001", "ArtikelID": int64(1), "Webshopcode": nil}
	if !Match(tb, row, []Cond{Eq("Artikelcode", "mok-001"), Eq("ArtikelID", 1)}) {
		t.Errorf("mok-001 / 1 did not match")
	}
	if Match(tb, row, []Cond{Eq("ArtikelID", 2)}) || Match(tb, row, []Cond{Eq("Webshopcode", "")}) || Match(tb, row, []Cond{Eq("Nope", "x")}) {
		t.Errorf("matched what it should not")
	}
}

func TestLayout(t *testing.T) {
	l, err := NewLayout(map[string]string{"Relaties": "tblKlanten", "Relaties.Email": "EmailAdres"})
	if err != nil {
		t.Fatal(err)
	}
	if l.PhysTable(Relaties) != "tblKlanten" || l.PhysColumn(Relaties, "Email") != "EmailAdres" || l.PhysColumn(Relaties, "Naam") != "Naam" || !l.Mapped() {
		t.Errorf("mapping not applied")
	}
	def, _ := NewLayout(nil)
	if def.Mapped() {
		t.Errorf("default layout reports a mapping")
	}
	for _, bad := range []map[string]string{{"Klanten": "x"}, {"Relaties.Fax": "x"}, {"Relaties": ""}, {"Relaties": "a]b"}} {
		if _, err := NewLayout(bad); err == nil {
			t.Errorf("NewLayout(%v) accepted", bad)
		}
	}
	if e := (&MissingError{Table: Relaties, Column: "Email", Phys: "Mail"}).Error(); !strings.Contains(e, `"Relaties.Email"`) {
		t.Errorf("MissingError does not say how to map: %s", e)
	}
}
