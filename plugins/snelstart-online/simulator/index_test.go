package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestIndexedFiltersAnswerAsAScan runs the filters koppel's connector sends (and a few it does
// not) after creates, updates and deletes; newSim compares every indexed answer with a full
// scan's, and the expected counts are checked here.
func TestIndexedFiltersAnswerAsAScan(t *testing.T) {
	c := newSim(t, Options{RatePerMinute: -1})
	var anna, piet Relatie
	c.call("POST", "/v2/relaties", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "Anna Bos",
		"email": "Anna@Example.nl;boekhouding@example.nl", "vestigingsAdres": map[string]any{"straat": "Laan 1", "postcode": "9876 ZZ", "plaats": "Utrecht", "land": map[string]any{"id": LandNL}}}, 201, &anna)
	c.call("POST", "/v2/relaties", map[string]any{"relatiesoort": []string{"Klant"}, "naam": "Piet",
		"email": "xanna@example.nl"}, 201, &piet)
	var o1, o2 Verkooporder
	body := orderBody(anna.ID, line(ArtikelShirt, "1", "10"))
	body["betalingskenmerk"], body["orderreferentie"] = "WC-1001", "1001"
	c.call("POST", "/v2/verkooporders", body, 201, &o1)
	body = orderBody(piet.ID, line(ArtikelShirt, "1", "10"))
	body["orderreferentie"] = "WC-1002"
	c.call("POST", "/v2/verkooporders", body, 201, &o2)

	count := func(path, filter string) int {
		t.Helper()
		var out []map[string]any
		c.call("GET", path+"?$filter="+url.QueryEscape(filter), nil, 200, &out)
		return len(out)
	}
	cases := []struct {
		path, filter string
		want         int
	}{
		{"/v2/verkooporders", "Betalingskenmerk eq 'WC-1001' or Orderreferentie eq 'WC-1001'", 1},
		{"/v2/verkooporders", "Betalingskenmerk eq 'wc-1001'", 0}, // case counts, the index only narrows
		{"/v2/verkooporders", "Orderreferentie eq 'WC-1002' or Betalingskenmerk eq 'WC-1002' or Orderreferentie eq '1001'", 2},
		{"/v2/verkooporders", "Relatie/Id eq guid'" + string(anna.ID) + "'", 1},
		{"/v2/verkooporders", "Relatie/Id eq guid'" + string(anna.ID) + "' and Orderreferentie eq 'WC-1002'", 0},
		{"/v2/verkooporders", "Relatie/Id eq guid'" + string(piet.ID) + "' and Nummer gt 0", 1},
		{"/v2/verkooporders", "Nummer gt 0", 2 + len(DefaultAdministration().Verkooporders)}, // scanned
		{"/v2/relaties", "substringof('anna@example.nl', tolower(Email)) eq true", 2},
		{"/v2/relaties", "substringof('anna@example.nl', Email)", 1},
		{"/v2/relaties", "substringof('boekhouding', tolower(Email)) eq true and tolower(Naam) eq 'anna bos'", 1},
		{"/v2/relaties", "tolower(Naam) eq 'Anna Bos'", 0},
		{"/v2/relaties", "Naam eq 'Anna Bos'", 1},
		{"/v2/relaties", "substringof('9876', VestigingsAdres/Postcode) eq true", 1},
		{"/v2/relaties", "substringof('ou', tolower(Email)) eq true", 1}, // too short for the index
		{"/v2/relaties", "Relatiecode eq " + itoa(int(anna.Relatiecode)), 1},
		{"/v2/relaties", "Relatiecode eq 1.5", 0},
		{"/v2/artikelen", "Artikelcode eq 'SHIRT-01'", 1},
		{"/v2/artikelen", "Artikelcode eq 'shirt-01'", 0},
	}
	for _, tc := range cases {
		if got := count(tc.path, tc.filter); got != tc.want {
			t.Errorf("%s $filter=%s: %d items, want %d", tc.path, tc.filter, got, tc.want)
		}
	}

	// Updates move entities between index keys; deletes shift positions.
	c.call("PUT", "/v2/relaties/"+string(anna.ID), map[string]any{"id": anna.ID, "relatiesoort": []string{"Klant"},
		"naam": "Anna de Bos", "email": "anna.bos@example.nl"}, 200, nil)
	body = orderBody(anna.ID, line(ArtikelShirt, "1", "10"))
	body["id"], body["orderreferentie"] = o1.ID, "WC-2001"
	c.call("PUT", "/v2/verkooporders/"+string(o1.ID), body, 200, nil)
	var first []Verkooporder
	c.call("GET", "/v2/verkooporders?$top=1", nil, 200, &first)
	if len(first) == 1 && first[0].ID != o1.ID && first[0].ID != o2.ID {
		c.call("DELETE", "/v2/verkooporders/"+string(first[0].ID), nil, 201, nil)
	}
	var o3 Verkooporder
	body = orderBody(piet.ID, line(ArtikelShirt, "2", "10"))
	body["orderreferentie"] = "WC-1003"
	c.call("POST", "/v2/verkooporders", body, 201, &o3)
	after := []struct {
		path, filter string
		want         int
	}{
		{"/v2/relaties", "substringof('anna@example.nl', tolower(Email)) eq true", 1},
		{"/v2/relaties", "substringof('anna.bos@example.nl', tolower(Email)) eq true", 1},
		{"/v2/relaties", "tolower(Naam) eq 'anna de bos'", 1},
		{"/v2/verkooporders", "Betalingskenmerk eq 'WC-1001' or Orderreferentie eq 'WC-1001'", 0},
		{"/v2/verkooporders", "Orderreferentie eq 'WC-2001'", 1},
		{"/v2/verkooporders", "Orderreferentie eq 'WC-1003' or Orderreferentie eq 'WC-1002'", 2},
		{"/v2/verkooporders", "Relatie/Id eq guid'" + string(piet.ID) + "'", 2},
	}
	for _, tc := range after {
		if got := count(tc.path, tc.filter); got != tc.want {
			t.Errorf("after updates: %s $filter=%s: %d items, want %d", tc.path, tc.filter, got, tc.want)
		}
	}
	var o Verkooporder
	c.call("GET", "/v2/verkooporders/"+string(o3.ID), nil, 200, &o)
	if o.Orderreferentie != "WC-1003" {
		t.Errorf("GET by id after a delete: %+v", o.Orderreferentie)
	}
}

// TestEmailOrFilter answers the batched customer look-up the connector sends (the e-mail
// search of each address, or-ed): a relatie matching several terms comes once, a quote is
// doubled, a term too short for the index makes the whole filter a scan, and newSim checks every
// indexed answer against a full scan. The property name stays case-sensitive.
func TestEmailOrFilter(t *testing.T) {
	c := newSim(t, Options{RatePerMinute: -1})
	for _, r := range []struct{ naam, email string }{
		{"Anna Bos", "Anna@Example.nl;boekhouding@example.nl"},
		{"Piet", "xanna@example.nl"},
		{"Sean O'Brien", "O'Brien@Example.nl"},
		{"Kees", "kees@example.nl"},
	} {
		c.call("POST", "/v2/relaties", map[string]any{"relatiesoort": []string{"Klant"}, "naam": r.naam, "email": r.email}, 201, nil)
	}
	names := func(filter string) string {
		t.Helper()
		var out []Relatie
		c.call("GET", "/v2/relaties?$filter="+url.QueryEscape(filter)+"&$top=500&$skip=0", nil, 200, &out)
		var ns []string
		for _, r := range out {
			ns = append(ns, r.Naam)
		}
		return strings.Join(ns, "|")
	}
	term := func(e string) string {
		return "substringof('" + strings.ReplaceAll(e, "'", "''") + "', tolower(Email)) eq true"
	}
	cases := []struct {
		filter, want string
	}{
		{term("anna@example.nl") + " or " + term("boekhouding@example.nl"), "Anna Bos|Piet"},
		{term("o'brien@example.nl") + " or " + term("nobody@example.nl") + " or " + term("kees@example.nl"), "Sean O'Brien|Kees"},
		{term("nobody@example.nl") + " or " + term("niemand@example.nl"), ""},
		{term("ou") + " or " + term("kees@example.nl"), "Anna Bos|Kees"}, // "ou": scanned
		// Without tolower the stored capitals count.
		{"substringof('anna@example.nl', Email) eq true or substringof('o''brien@example.nl', Email) eq true", "Piet"},
	}
	for _, tc := range cases {
		if got := names(tc.filter); got != tc.want {
			t.Errorf("$filter=%s: %q, want %q", tc.filter, got, tc.want)
		}
	}
	st, body := c.invalid("GET", "/v2/relaties?$filter="+url.QueryEscape(term("kees@example.nl")+" or substringof('a@b.nl', tolower(email)) eq true"), nil)
	wantCode(t, st, body, "ALG-0104")
}

// TestIndexSurvivesUntoldChanges appends and deletes behind the index's back (as code that
// forgets to tell it would) and checks that look-ups still find what is stored.
func TestIndexSurvivesUntoldChanges(t *testing.T) {
	srv, err := New(Options{RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	rels := srv.st.Relaties
	if len(rels) < 2 {
		t.Fatalf("the default administration has %d relaties, the test needs 2", len(rels))
	}
	first := rels[0]
	if srv.findRelatie(first.ID) != 0 {
		t.Fatal("first relatie not found")
	}
	// Delete the first and append a copy under a new id: same length, shifted positions.
	extra := rels[1]
	extra.ID = "0000aaaa-0000-4000-8000-000000000001"
	srv.st.Relaties = append(append([]Relatie(nil), rels[1:]...), extra)
	if i := srv.findRelatie(extra.ID); i != len(rels)-1 {
		t.Errorf("appended relatie at %d, want %d", i, len(rels)-1)
	}
	if i := srv.findRelatie(first.ID); i != -1 {
		t.Errorf("deleted relatie still found at %d", i)
	}
	if i := srv.findRelatie(rels[1].ID); i != 0 {
		t.Errorf("shifted relatie at %d, want 0", i)
	}
}

// BenchmarkLookupFlat measures the connector's look-ups (a batch of references, a customer by
// e-mail, an article by code, an order by id) with 1,000 to 100,000 orders and relaties
// stored. The ns/lookup figure stays the same across sizes because every one of them is
// answered from an index.
func BenchmarkLookupFlat(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		// The administration is filled once per size, not for every b.N the framework tries.
		srv, err := New(Options{RatePerMinute: -1})
		if err != nil {
			b.Fatal(err)
		}
		fillForBench(srv, n)
		h := srv.Handler()
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			tok := benchToken(b, h)
			get := func(path string) {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Ocp-Apim-Subscription-Key", DefaultSubscriptionKey)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || !strings.Contains(rec.Body.String()[:min(2, rec.Body.Len())], "{") {
					b.Fatalf("GET %s: %d %.200s", path, rec.Code, rec.Body.String())
				}
			}
			var refs []string
			for k := 0; k < 10; k++ {
				r := fmt.Sprintf("WC-%d", n/2+k)
				refs = append(refs, "Betalingskenmerk eq '"+r+"' or Orderreferentie eq '"+r+"'")
			}
			orders := "/v2/verkooporders?$filter=" + url.QueryEscape(strings.Join(refs, " or "))
			relatie := "/v2/relaties?$filter=" + url.QueryEscape(fmt.Sprintf("substringof('klant%d@example.nl', tolower(Email)) eq true", n/3))
			artikel := "/v2/artikelen?$filter=" + url.QueryEscape("Artikelcode eq 'SHIRT-01'")
			srv.mu.Lock()
			byID := "/v2/verkooporders/" + string(srv.st.Verkooporders[len(srv.st.Verkooporders)/2].ID)
			srv.mu.Unlock()
			get(orders) // the first look-ups build the indexes
			get(relatie)
			get(artikel)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				get(orders)
				get(relatie)
				get(artikel)
				get(byID)
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(4*b.N), "ns/lookup")
		})
	}
}

// fillForBench stores n relaties and n orders (one line each) directly, as if created.
func fillForBench(srv *Server, n int) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	tenEuro := D("10")
	for i := 0; i < n; i++ {
		r := Relatie{ID: srv.newGUID(), Relatiesoort: []string{"Klant"}, Relatiecode: int32(10_000 + i),
			Naam: fmt.Sprintf("Klant %d", i), Email: fmt.Sprintf("klant%d@example.nl", i)}
		normRelatie(&r)
		srv.st.Relaties = append(srv.st.Relaties, r)
		o := Verkooporder{ID: srv.newGUID(), Nummer: int32(100_000 + i), Relatie: ref("relaties", r.ID),
			Datum: day(2026, 3, 10), ProcesStatus: "Order", VerkoopOrderStatus: "InBehandeling",
			Betalingskenmerk: fmt.Sprintf("WC-%d", i), Orderreferentie: fmt.Sprintf("#%d", i),
			Regels: []Regel{{Artikel: ref("artikelen", ArtikelShirt), Omschrijving: "Shirt", Aantal: D("1"), Stuksprijs: &tenEuro}}}
		normOrder(&o)
		srv.st.Verkooporders = append(srv.st.Verkooporders, o)
	}
}

// benchToken fetches a bearer token through the handler.
func benchToken(b *testing.B, h http.Handler) string {
	req := httptest.NewRequest("POST", "/b2b/token", strings.NewReader("grant_type=clientkey&clientkey="+DefaultClientKey))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	tok, _, _ := strings.Cut(strings.TrimPrefix(rec.Body.String(), `{"access_token":"`), `"`)
	if rec.Code != 200 || tok == "" {
		b.Fatalf("token: %d %s", rec.Code, rec.Body.String())
	}
	return tok
}
