package ledger

import (
	"fmt"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/mdbtools"
	"github.com/koppel-nl/koppel/sdk"
)

// BenchmarkCreateSalesOrderSQLite measures one six-line order written through the database/sql
// write path (SQLite stand-in): reads of customer, countries, groups, rates and articles, the
// header, the lines and the order number in one transaction.
func BenchmarkCreateSalesOrderSQLite(b *testing.B) {
	l, _, _ := newSQLite(b, demoFile, func(c sdk.Config) sdk.Config { return c.Set("backups", 0) })
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := l.CreateSalesOrder(ctx(b), order1041("1", fmt.Sprintf("WEB-B%d", i))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
}

// BenchmarkFindArticleMdbtools measures a look-up by code through mdb-json (one process per
// scan) and reports the processes started per look-up.
func BenchmarkFindArticleMdbtools(b *testing.B) {
	l := newMdbtools(b, demoFile)
	if _, err := l.Check(ctx(b)); err != nil {
		b.Fatal(err)
	}
	st, _ := l.open(ctx(b))
	before := st.(*mdbtools.Store).Calls()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := l.FindArticles(ctx(b), sdk.ArticleQuery{Code: "PAKKET-KERST"}); err != nil || len(got) != 1 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.(*mdbtools.Store).Calls()-before)/float64(b.N), "processes/lookup")
}

// BenchmarkListStockMdbtools measures streaming the 40 demo articles with their stock.
func BenchmarkListStockMdbtools(b *testing.B) {
	l := newMdbtools(b, demoFile)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if err := l.ListStock(ctx(b), func(sdk.Article) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "articles/op")
}
