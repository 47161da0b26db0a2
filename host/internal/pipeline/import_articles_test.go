package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

func TestImportArticles(t *testing.T) {
	nine, zero := d("9"), d("0")
	products := []sdk.Product{
		{ID: "1", SKU: "KOFFIE", Name: "Koffie 1kg", Price: d("10.00"), TaxRate: &nine, ModifiedAt: day},
		{ID: "2", SKU: "NIEUW-9", Name: "Nieuw laag", Price: d("10.90"), PriceIncludesTax: true, TaxRate: &nine, ModifiedAt: day},
		{ID: "11", ParentID: "10", SKU: "TS-M", Name: "T-shirt - M", Price: d("20.00"), TaxRate: &zero, ModifiedAt: day},
		{ID: "10", SKU: "TS", Name: "T-shirt", ModifiedAt: day},
		{ID: "3", SKU: "", Name: "Zonder code", ModifiedAt: day},
		{ID: "4", SKU: "ZONDER-BTW", Name: "Onbekend tarief", Price: d("5"), ModifiedAt: day},
	}
	cases := []struct {
		name    string
		mode    config.ArticleMode
		created []string
		want    map[string]ArticleStatus
	}{
		{"add", config.ModeAdd, []string{"NIEUW-9", "TS-M"}, map[string]ArticleStatus{
			"KOFFIE": ArticleLinked, "NIEUW-9": ArticleCreated, "TS-M": ArticleCreated, "TS": ArticleSkipped, "": ArticleSkipped, "ZONDER-BTW": ArticleFailed}},
		{"add_update", config.ModeAddUpdate, []string{"NIEUW-9", "TS-M"}, map[string]ArticleStatus{
			"KOFFIE": ArticleUpdated, "NIEUW-9": ArticleCreated, "TS-M": ArticleCreated}},
		{"manual", config.ModeManual, nil, map[string]ArticleStatus{
			"KOFFIE": ArticleLinked, "NIEUW-9": ArticleSkipped, "TS-M": ArticleSkipped}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newStockEnv(t, func(p *config.Profile) { p.Articles.Mode = tc.mode })
			e.shop.listed = products
			before := len(e.ledger.articles)
			tr, err := e.p.RunTask(context.Background(), TaskImportArticles)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]ArticleStatus{}
			for _, it := range tr.Articles.Items {
				got[it.SKU] = it.Status
			}
			for sku, want := range tc.want {
				if want == ArticleLinked {
					continue // linked products are counted, not listed
				}
				if got[sku] != want {
					t.Errorf("%q: %s, want %s (%+v)", sku, got[sku], want, tr.Articles.Items)
				}
			}
			if n := len(e.ledger.articles) - before; n != len(tc.created) {
				t.Fatalf("created %d articles, want %d", n, len(tc.created))
			}
			for _, code := range tc.created {
				if e.ledger.article(code).ID == "" {
					t.Fatalf("article %s not created", code)
				}
			}
			if tc.mode == config.ModeAdd {
				// 10.90 incl. 9% = 10.00 excl., in the 9% omzetgroep.
				a := e.ledger.article("NIEUW-9")
				if a.SalesPrice.String() != "10" || a.RevenueGroupID != "g-laag" {
					t.Fatalf("new article: %+v", a)
				}
				// The article map is filled for import_orders.
				if _, ok, _ := state.Get[ArticleMapRecord](context.Background(), e.store, state.MapKey("shop1", state.MapArticle, "code:NIEUW-9")); !ok {
					t.Fatal("no article map record")
				}
				if tr.Imported != 2 || tr.Failed != 1 || tr.AlreadyPresent != 1 {
					t.Fatalf("counts: %+v", tr.RunResult)
				}
			}
			if tc.mode == config.ModeAddUpdate && e.ledger.article("KOFFIE").Description != "Koffie 1kg" {
				t.Fatalf("KOFFIE not updated: %+v", e.ledger.article("KOFFIE"))
			}
			// A second run lists nothing new (cursor) and never creates twice, even from scratch.
			n := len(e.ledger.articles)
			tr, err = e.p.RunTask(context.Background(), TaskImportArticles)
			if err != nil || tr.Articles.Listed != 0 {
				t.Fatalf("second run: %v listed %d", err, tr.Articles.Listed)
			}
			if err := state.Delete(context.Background(), e.store, state.CursorKey("shop1", TaskImportArticles)); err != nil {
				t.Fatal(err)
			}
			e.now = e.now.Add(time.Hour)
			if _, err := e.p.RunTask(context.Background(), TaskImportArticles); err != nil || len(e.ledger.articles) != n {
				t.Fatalf("rerun without cursor created articles again: %v %d -> %d", err, n, len(e.ledger.articles))
			}
		})
	}
}
