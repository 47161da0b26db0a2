package snelstart

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// artikelenRoute serves n generated articles with $top/$skip and records the pages asked.
func artikelenRoute(f *fakeAPI, n int, pages *[]string) {
	f.handle("GET /v2/artikelen", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		top, _ := strconv.Atoi(q.Get("$top"))
		skip, _ := strconv.Atoi(q.Get("$skip"))
		*pages = append(*pages, fmt.Sprintf("top=%d skip=%d filter=%q", top, skip, q.Get("$filter")))
		var out []map[string]any
		for i := skip; i < n && i < skip+top; i++ {
			a := map[string]any{
				"id":            fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
				"uri":           fmt.Sprintf("/artikelen/00000000-0000-4000-8000-%012d", i),
				"artikelcode":   fmt.Sprintf("ART-%03d", i),
				"omschrijving":  fmt.Sprintf("Artikel %d", i),
				"verkoopprijs":  12.10,
				"vrijeVoorraad": i, "technischeVoorraad": 0.5, "voorraadControle": true,
				"extraVelden": []map[string]string{{"naam": "ean", "waarde": fmt.Sprintf("871%010d", i)}},
			}
			if i == 7 {
				a["isHoofdartikel"] = true
				a["subartikelen"] = []map[string]any{{"artikelcode": "ART-001", "aantal": 2, "id": "00000000-0000-4000-8000-000000000001"}}
			}
			out = append(out, a)
		}
		if out == nil {
			out = []map[string]any{}
		}
		writeJSONTest(w, http.StatusOK, out)
	})
}

func TestListStockPagesUntilShortPage(t *testing.T) {
	f := newFakeAPI(t)
	var pages []string
	artikelenRoute(f, 60, &pages)
	c, vt := f.connector(t, options{})
	var got []sdk.Article
	if err := c.ListStock(context.Background(), func(a sdk.Article) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{`top=25 skip=0 filter=""`, `top=25 skip=25 filter=""`, `top=25 skip=50 filter=""`}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Fatalf("pages %q, want %q", pages, want)
	}
	if len(got) != 60 {
		t.Fatalf("got %d articles", len(got))
	}
	a := got[7]
	if !a.Composite || len(a.Components) != 1 || a.Components[0].Code != "ART-001" || !a.Components[0].Quantity.Equal(sdk.MustMoney("2")) {
		t.Fatalf("composite not mapped: %+v", a)
	}
	if !got[42].FreeStock.Equal(sdk.MustMoney("42")) || !got[42].TechnicalStock.Equal(sdk.MustMoney("0.5")) ||
		got[42].SalesPrice.String() != "12.1" || !got[42].StockTracked || got[42].ExtraFields["ean"] != "8710000000042" {
		t.Fatalf("article not mapped: %+v", got[42])
	}
	if vt.count() != 3 {
		t.Fatalf("validated %d requests, want 3", vt.count())
	}
}

func TestListExactMultipleAsksOneEmptyPage(t *testing.T) {
	f := newFakeAPI(t)
	var pages []string
	artikelenRoute(f, 50, &pages)
	c, _ := f.connector(t, options{})
	n := 0
	if err := c.ListStock(context.Background(), func(sdk.Article) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 50 || len(pages) != 3 {
		t.Fatalf("got %d articles in %d pages, want 50 in 3 (the last one empty)", n, len(pages))
	}
}

func TestListStockStopsOnYieldError(t *testing.T) {
	f := newFakeAPI(t)
	var pages []string
	artikelenRoute(f, 60, &pages)
	c, _ := f.connector(t, options{})
	stop := fmt.Errorf("enough")
	err := c.ListStock(context.Background(), func(a sdk.Article) error {
		if a.Code == "ART-030" {
			return stop
		}
		return nil
	})
	if err != stop || len(pages) != 2 {
		t.Fatalf("err %v after %d pages", err, len(pages))
	}
}

func TestFindArticlesFilters(t *testing.T) {
	f := newFakeAPI(t)
	var pages []string
	artikelenRoute(f, 3, &pages) // the fake ignores the filter: the connector must match locally
	c, _ := f.connector(t, options{})
	ctx := context.Background()
	got, err := c.FindArticles(ctx, sdk.ArticleQuery{Code: "ART-002"})
	if err != nil || len(got) != 1 || got[0].Code != "ART-002" {
		t.Fatalf("by code: %v %+v", err, got)
	}
	got, err = c.FindArticles(ctx, sdk.ArticleQuery{ExtraField: "EAN", ExtraValue: "8710000000001"})
	if err != nil || len(got) != 1 || got[0].Code != "ART-001" {
		t.Fatalf("by extra field: %v %+v", err, got)
	}
	got, err = c.FindArticles(ctx, sdk.ArticleQuery{Codes: []string{"ART-002", "ART-001", "ART-009"}})
	if err != nil || len(got) != 2 || got[0].Code != "ART-001" || got[1].Code != "ART-002" {
		t.Fatalf("by codes: %v %+v", err, got)
	}
	want := []string{
		`top=25 skip=0 filter="Artikelcode eq 'ART-002'"`,
		`top=25 skip=0 filter="ExtraVelden/any(e:e/Waarde eq '8710000000001' and e/Naam eq 'EAN')"`,
		`top=25 skip=0 filter="Artikelcode eq 'ART-002' or Artikelcode eq 'ART-001' or Artikelcode eq 'ART-009'"`,
	}
	if fmt.Sprint(pages) != fmt.Sprint(want) {
		t.Fatalf("pages %q, want %q", pages, want)
	}
	if _, err := c.FindArticles(ctx, sdk.ArticleQuery{}); sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("empty query: %v", err)
	}
	if got, err := c.FindArticles(ctx, sdk.ArticleQuery{ID: "not-a-guid"}); err != nil || len(got) != 0 {
		t.Fatalf("malformed id: %v %+v", err, got)
	}
}

func TestLandenLoadedOnceUnderConcurrency(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /v2/relaties", func(w http.ResponseWriter, r *http.Request) {
		writeJSONTest(w, http.StatusOK, []map[string]any{{"id": "4e1a0000-0000-4000-8000-000000000002", "relatiecode": 7, "naam": "X",
			"relatiesoort": []string{"Klant"}, "vestigingsAdres": map[string]any{"straat": "A 1", "postcode": "1234 AB", "plaats": "B", "land": map[string]string{"id": landBE}}}})
	})
	c, _ := f.connector(t, options{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.FindRelaties(context.Background(), sdk.RelatieQuery{Code: 7})
			if err != nil || len(got) != 1 || got[0].Address.Country != "BE" {
				t.Errorf("FindRelaties: %v %+v", err, got)
			}
		}()
	}
	wg.Wait()
	if n := f.count("GET /v2/landen"); n != 1 {
		t.Fatalf("landen read %d times, want once", n)
	}
	if n := f.tokensIssued(); n != 1 {
		t.Fatalf("%d tokens fetched by concurrent callers, want 1", n)
	}
}
