package standin

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/koppel-nl/koppel/internal/testtools"
)

// fixture returns the path of a fixture file in the shared directory, skipping the test
// (naming the file) when the shared directory is not there.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("KOPPEL_SHARED")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
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
		t.Skipf("fixture %s is missing (set KOPPEL_SHARED)", p)
	}
	testtools.Require(t, testtools.MDBTools)
	return p
}

func TestBuild(t *testing.T) {
	src := fixture(t, "snelstart11-demo.mdb")
	db, err := Open(filepath.Join(t.TempDir(), "demo.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := Build(ctx, db, src); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{"Instellingen": 5, "BtwTarieven": 4, "Omzetgroepen": 4, "Landen": 5, "Kostenplaatsen": 2,
		"Sjablonen": 3, "Artikelen": 40, "ArtikelSamenstelling": 6, "Relaties": 20, "Verkooporders": 3, "VerkooporderRegels": 14}
	for table, want := range counts {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM ["+table+"]").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	// The autonumber continues after the highest id, as Jet's counter does.
	if _, err := db.ExecContext(ctx, "INSERT INTO [Landen] ([Naam], [LandcodeISO]) VALUES ('Spanje', 'ES')"); err != nil {
		t.Fatal(err)
	}
	var id int
	if err := db.QueryRowContext(ctx, "SELECT [LandID] FROM [Landen] WHERE [LandcodeISO] = 'ES'").Scan(&id); err != nil || id != 6 {
		t.Errorf("new LandID = %d (%v), want 6", id, err)
	}
	// Unique indexes are case-insensitive, as in Jet.
	if _, err := db.ExecContext(ctx, "INSERT INTO [Artikelen] ([Artikelcode]) VALUES ('mok-001')"); err == nil {
		t.Errorf("a second article mok-001 was accepted; the unique index on Artikelcode must ignore case")
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT [Naam] FROM [Landen] WHERE [LandID] = 2").Scan(&name); err != nil || name != "België" {
		t.Errorf("Landen 2 = %q (%v), want België", name, err)
	}
}
