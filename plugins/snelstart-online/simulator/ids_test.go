package simulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// A new article never gets the id of an existing entity: not when the simulator starts from a
// dump of another simulator that drew its ids from the same fixed source (the reported case:
// the second simulator repeats the first one's draws), and not among many creates. Simulators
// without a fixed source draw different ids.
func TestNewArticleNeverReusesAnID(t *testing.T) {
	body := func(code string) map[string]any {
		return map[string]any{"artikelcode": code, "omschrijving": "Artikel " + code,
			"artikelOmzetgroep": map[string]any{"id": OmzetgroepHoog}, "verkoopprijs": 10}
	}
	first := newSim(t, Options{Rand: rand.NewPCG(7, 7)})
	var a1 Artikel
	first.call("POST", "/v2/artikelen", body("ID-1"), 201, &a1)
	dump := first.srv.Dump()
	raw, err := json.Marshal(dump)
	if err != nil {
		t.Fatal(err)
	}
	existing := map[GUID]bool{}
	for _, m := range guidPattern.FindAll(raw, -1) {
		existing[GUID(strings.ToLower(string(m)))] = true
	}
	if !existing[a1.ID] {
		t.Fatalf("the dump lacks the first article %s", a1.ID)
	}

	second := newSim(t, Options{Rand: rand.NewPCG(7, 7), Seed: &dump})
	seen := map[GUID]bool{}
	for i := 0; i < 50; i++ {
		var a Artikel
		second.call("POST", "/v2/artikelen", body(fmt.Sprintf("ID-2-%d", i)), 201, &a)
		if existing[a.ID] {
			t.Fatalf("new article %d got id %s, which an existing entity has", i, a.ID)
		}
		if seen[a.ID] {
			t.Fatalf("new article %d got id %s twice", i, a.ID)
		}
		seen[a.ID] = true
	}

	x, y := newSim(t, Options{}), newSim(t, Options{})
	var ax, ay Artikel
	x.call("POST", "/v2/artikelen", body("X"), 201, &ax)
	y.call("POST", "/v2/artikelen", body("X"), 201, &ay)
	if ax.ID == ay.ID {
		t.Fatalf("two simulators without a fixed source drew the same id %s", ax.ID)
	}
}
