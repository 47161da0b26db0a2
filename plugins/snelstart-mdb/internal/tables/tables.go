// Package tables holds the logical layout of a SnelStart 11 administration as koppel uses it:
// the tables and columns (named as in the assumed layout of the test fixtures), their kinds
// and lengths, the mapping of those logical names onto a real file's names, and the row and
// store interfaces the two drivers (mdbtools and database/sql) implement.
package tables

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is how a column's value is represented in a Row.
type Kind int

const (
	// Text values are string.
	Text Kind = iota
	// Int values are int64 (Access LONG and AUTONUMBER).
	Int
	// Money values are decimal.Decimal with at most 4 decimals (Access CURRENCY).
	Money
	// Float values are decimal.Decimal (Access DOUBLE: quantities, stock, percentages).
	Float
	// Bool values are bool (Access YES/NO, never NULL).
	Bool
	// Time values are time.Time in local wall-clock time (Access DATETIME has no zone).
	Time
)

// String names the kind for messages.
func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Int:
		return "long"
	case Money:
		return "currency"
	case Float:
		return "double"
	case Bool:
		return "yes/no"
	case Time:
		return "datetime"
	}
	return "unknown"
}

// Column is one logical column.
type Column struct {
	// Name is the logical name (the default physical name).
	Name string
	// Kind is the value's kind.
	Kind Kind
	// Size is the maximum length in characters of a Text column; 0 for other kinds.
	Size int
}

// Table is one logical table.
type Table struct {
	// Name is the logical name (the default physical name).
	Name string
	// Key is the surrogate key column (an AUTONUMBER), or the unique key for Instellingen.
	Key string
	// Columns are the columns koppel reads or writes, in the fixture's physical order.
	Columns []Column
}

// Column returns the logical column with that name (case-sensitive), or false.
func (t Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Logical table names.
const (
	Instellingen         = "Instellingen"
	BtwTarieven          = "BtwTarieven"
	Omzetgroepen         = "Omzetgroepen"
	Landen               = "Landen"
	Kostenplaatsen       = "Kostenplaatsen"
	Sjablonen            = "Sjablonen"
	Artikelen            = "Artikelen"
	ArtikelSamenstelling = "ArtikelSamenstelling"
	Relaties             = "Relaties"
	Verkooporders        = "Verkooporders"
	VerkooporderRegels   = "VerkooporderRegels"
)

func txt(name string, size int) Column { return Column{Name: name, Kind: Text, Size: size} }
func col(name string, k Kind) Column   { return Column{Name: name, Kind: k} }

// Default is the assumed SnelStart 11 layout (the fixtures' schema.md): every table and
// column koppel reads or writes.
var Default = []Table{
	{Name: Instellingen, Key: "Naam", Columns: []Column{txt("Naam", 50), txt("Waarde", 255)}},
	{Name: BtwTarieven, Key: "BtwTariefID", Columns: []Column{col("BtwTariefID", Int), txt("BtwSoort", 10),
		col("Percentage", Float), col("DatumVanaf", Time), col("DatumTotEnMet", Time)}},
	{Name: Omzetgroepen, Key: "OmzetgroepID", Columns: []Column{col("OmzetgroepID", Int), col("Nummer", Int),
		txt("Omschrijving", 50), txt("BtwSoort", 10)}},
	{Name: Landen, Key: "LandID", Columns: []Column{col("LandID", Int), txt("Naam", 50), txt("LandcodeISO", 2)}},
	{Name: Kostenplaatsen, Key: "KostenplaatsID", Columns: []Column{col("KostenplaatsID", Int), col("Nummer", Int),
		txt("Omschrijving", 50)}},
	{Name: Sjablonen, Key: "SjabloonID", Columns: []Column{col("SjabloonID", Int), txt("Omschrijving", 50),
		col("NonActief", Bool), col("PrijsInclBtw", Bool)}},
	{Name: Artikelen, Key: "ArtikelID", Columns: []Column{col("ArtikelID", Int), txt("Artikelcode", 20),
		txt("Omschrijving", 250), col("OmzetgroepID", Int), col("Verkoopprijs", Money), col("Inkoopprijs", Money),
		txt("Eenheid", 20), col("VoorraadControle", Bool), col("TechnischeVoorraad", Float),
		col("VrijeVoorraad", Float), col("NonActief", Bool), col("IsHoofdartikel", Bool), txt("Webshopcode", 50),
		col("Gewijzigd", Time)}},
	{Name: ArtikelSamenstelling, Key: "SamenstellingID", Columns: []Column{col("SamenstellingID", Int),
		col("HoofdArtikelID", Int), col("SubArtikelID", Int), col("Aantal", Float)}},
	{Name: Relaties, Key: "RelatieID", Columns: []Column{col("RelatieID", Int), col("Relatiecode", Int),
		txt("Naam", 50), txt("Contactpersoon", 50), txt("Straat", 50), txt("Postcode", 25), txt("Plaats", 50),
		col("LandID", Int), txt("Email", 250), txt("Telefoon", 25), txt("BtwNummer", 50), col("Krediettermijn", Int),
		col("FactuurEmailen", Bool), col("AanmaningEmailen", Bool), col("IsKlant", Bool), col("IsLeverancier", Bool),
		col("NonActief", Bool), col("Gewijzigd", Time)}},
	{Name: Verkooporders, Key: "OrderID", Columns: []Column{col("OrderID", Int), col("Ordernummer", Int),
		col("RelatieID", Int), col("Datum", Time), txt("Omschrijving", 255), txt("Betalingskenmerk", 50),
		txt("Orderreferentie", 50), col("SjabloonID", Int), col("KostenplaatsID", Int), txt("ProcesStatus", 20),
		col("PrijsInclBtw", Bool), col("Krediettermijn", Int), txt("FactuurNaam", 50), txt("FactuurStraat", 50),
		txt("FactuurPostcode", 25), txt("FactuurPlaats", 50), col("FactuurLandID", Int), txt("AfleverNaam", 50),
		txt("AfleverStraat", 50), txt("AfleverPostcode", 25), txt("AfleverPlaats", 50), col("AfleverLandID", Int),
		col("TotaalExclBtw", Money), col("TotaalInclBtw", Money), col("Gewijzigd", Time)}},
	{Name: VerkooporderRegels, Key: "RegelID", Columns: []Column{col("RegelID", Int), col("OrderID", Int),
		col("Regelnummer", Int), col("ArtikelID", Int), txt("Omschrijving", 250), col("Aantal", Float),
		col("Stuksprijs", Money), col("KortingsPercentage", Float), col("Totaal", Money)}},
}

// Layout maps the logical tables and columns onto a file's real names. The zero value is not
// usable; build one with NewLayout.
type Layout struct {
	tables map[string]Table
	phys   map[string]string // "Table" and "Table.Column" → physical name
}

// NewLayout returns the Default layout with the given overrides applied. Keys are a logical
// table name ("Relaties") or "Table.Column" ("Relaties.Email"); values are the names in the
// file. It fails, listing what is known, on an unknown key or an empty value.
func NewLayout(overrides map[string]string) (*Layout, error) {
	l := &Layout{tables: map[string]Table{}, phys: map[string]string{}}
	for _, t := range Default {
		l.tables[t.Name] = t
		l.phys[t.Name] = t.Name
		for _, c := range t.Columns {
			l.phys[t.Name+"."+c.Name] = c.Name
		}
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(overrides[k])
		if _, ok := l.phys[k]; !ok {
			return nil, fmt.Errorf("tables: unknown key %q; use a table name such as %q or \"Table.Column\" such as %q (tables: %s)",
				k, Relaties, "Relaties.Email", strings.Join(l.TableNames(), ", "))
		}
		if v == "" || strings.ContainsAny(v, "[]`\"\x00") {
			return nil, fmt.Errorf("tables: %q must name a table or column of the file (no brackets or quotes)", k)
		}
		l.phys[k] = v
	}
	return l, nil
}

// TableNames returns the logical table names in the Default order.
func (l *Layout) TableNames() []string {
	out := make([]string, 0, len(Default))
	for _, t := range Default {
		out = append(out, t.Name)
	}
	return out
}

// Table returns the logical table definition; it panics on a name not in Default, which is a
// programming error.
func (l *Layout) Table(name string) Table {
	t, ok := l.tables[name]
	if !ok {
		panic("tables: unknown logical table " + name)
	}
	return t
}

// PhysTable returns the file's name of a logical table.
func (l *Layout) PhysTable(table string) string { return l.phys[table] }

// PhysColumn returns the file's name of a logical column.
func (l *Layout) PhysColumn(table, column string) string { return l.phys[table+"."+column] }

// Mapped reports whether any name differs from the Default layout.
func (l *Layout) Mapped() bool {
	for k, v := range l.phys {
		i := strings.LastIndexByte(k, '.')
		if v != k[i+1:] {
			return true
		}
	}
	return false
}
