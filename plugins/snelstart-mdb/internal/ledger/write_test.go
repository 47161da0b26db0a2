package ledger

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/sqlstore"
	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
)

// faultStore wraps a real store and misbehaves on request.
type faultStore struct {
	tables.Store
	mu sync.Mutex
	// locked makes every read fail as a file locked by another program.
	locked bool
	// failInsert makes the n-th insert into table fail (1-based), inside the transaction.
	failTable string
	failAt    int
	inserts   int
	// commitThenFail commits the next write and then reports the commit as failed.
	commitThenFail bool
}

var errInjected = errors.New("injected failure")

func (f *faultStore) Scan(ctx context.Context, table string, conds []tables.Cond, fn func(tables.Row) error) error {
	f.mu.Lock()
	locked := f.locked
	f.mu.Unlock()
	if locked {
		return &sqlstore.Error{Class: sqlstore.ClassLocked, Err: errors.New("database is locked (5) (SQLITE_BUSY)")}
	}
	return f.Store.Scan(ctx, table, conds, fn)
}

func (f *faultStore) Write(ctx context.Context, fn func(tables.Tx) error) error {
	err := f.Store.Write(ctx, func(tx tables.Tx) error { return fn(&faultTx{Tx: tx, f: f}) })
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && f.commitThenFail {
		f.commitThenFail = false
		return &tables.CommitError{Err: errInjected}
	}
	return err
}

type faultTx struct {
	tables.Tx
	f *faultStore
}

func (t *faultTx) Insert(ctx context.Context, table string, row tables.Row) error {
	t.f.mu.Lock()
	if table == t.f.failTable {
		t.f.inserts++
		if t.f.inserts == t.f.failAt {
			t.f.mu.Unlock()
			return errInjected
		}
	}
	t.f.mu.Unlock()
	return t.Tx.Insert(ctx, table, row)
}

// newFaulty returns a ledger on the SQLite stand-in of fixture with a faultStore in between.
func newFaulty(t testing.TB, fixture string) (*Ledger, *faultStore, *sql.DB) {
	t.Helper()
	path := fixtureCopy(t, fixture)
	open, db := standIn(t, path)
	fs := &faultStore{}
	wrapped := func(ctx context.Context, p string, layout *tables.Layout) (tables.Store, error) {
		st, err := open(ctx, p, layout)
		fs.Store = st
		return fs, err
	}
	l, err := NewWithOptions(context.Background(), baseConfig(path).Set("driver", DriverODBC), hclog.NewNullLogger(),
		Options{Open: wrapped, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return l, fs, db
}

func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func setting(t testing.TB, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("SELECT [Waarde] FROM [Instellingen] WHERE [Naam] = ?", name).Scan(&v); err != nil {
		t.Fatalf("setting %s: %v", name, err)
	}
	return v
}

func money(s string) *sdk.Money { m := sdk.MustMoney(s); return &m }

func TestCreateRelatie(t *testing.T) {
	l, db, _ := newSQLite(t, demoFile, nil)
	term := 30
	created, err := l.CreateRelatie(ctx(t), sdk.Relatie{
		Name: "Ça Va Café B.V.", Email: "Info@CaVa.example", Customer: true, VATNumber: "NL999999999B01", PaymentTermDays: &term,
		Address: sdk.LedgerAddress{Contact: "Zoë", Street: "Grote Markt 1", Postcode: "9711 LV", City: "Groningen", Country: "nl"},
		Mobile:  "06-12345678", EmailInvoices: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.Code != 10021 || created.ID != "21" || created.Address.Country != "NL" || created.Phone != "06-12345678" || !created.Customer ||
		*created.PaymentTermDays != 30 || created.ModifiedAt.IsZero() {
		t.Errorf("created = %+v, want code 10021, id 21", created)
	}
	if got := setting(t, db, "VolgendRelatiecode"); got != "10022" {
		t.Errorf("VolgendRelatiecode = %s, want 10022", got)
	}
	found, err := l.FindRelaties(ctx(t), sdk.RelatieQuery{Email: "info@cava.example"})
	if err != nil || len(found) != 1 || found[0].Name != "Ça Va Café B.V." {
		t.Errorf("find by e-mail: %+v (%v)", found, err)
	}
	// Empty text is stored as NULL (Access refuses zero-length strings).
	if n := count(t, db, "SELECT COUNT(*) FROM [Relaties] WHERE [RelatieID] = 21 AND [Contactpersoon] = 'Zoë' AND [IsKlant] = 1 AND [IsLeverancier] = 0"); n != 1 {
		t.Errorf("stored row does not hold what was written")
	}
	// A given code is used when free and refused when taken.
	c2, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "Met code", Code: 20000, Customer: true})
	if err != nil || c2.Code != 20000 {
		t.Fatalf("create with code 20000: %+v (%v)", c2, err)
	}
	if got := setting(t, db, "VolgendRelatiecode"); got != "20001" {
		t.Errorf("VolgendRelatiecode after code 20000 = %s, want 20001", got)
	}
	_, err = l.CreateRelatie(ctx(t), sdk.Relatie{Name: "Dubbel", Code: 10001, Customer: true})
	if sdk.KindOf(err) != sdk.KindPermanent || !strings.Contains(err.Error(), "10001") {
		t.Errorf("taken code: %v, want permanent naming 10001", err)
	}
	for name, r := range map[string]sdk.Relatie{
		"unknown country": {Name: "X", Address: sdk.LedgerAddress{Country: "ES"}},
		"name too long":   {Name: strings.Repeat("n", 51)},
		"no name":         {Name: " "},
	} {
		if _, err := l.CreateRelatie(ctx(t), r); sdk.KindOf(err) != sdk.KindPermanent {
			t.Errorf("%s: %v, want permanent", name, err)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [Relaties]"); n != 22 {
		t.Errorf("%d relaties, want 22 (20 + 2 created)", n)
	}
	// Update is a full replace of the managed fields.
	created.Name = "Ça Va Café"
	created.Address.City = "Haren"
	upd, err := l.UpdateRelatie(ctx(t), created)
	if err != nil || upd.Name != "Ça Va Café" || upd.Address.City != "Haren" || upd.Code != 10021 {
		t.Errorf("update: %+v (%v)", upd, err)
	}
	if _, err := l.UpdateRelatie(ctx(t), sdk.Relatie{ID: "999", Name: "x"}); sdk.KindOf(err) != sdk.KindNotFound {
		t.Errorf("update unknown: %v, want not_found", err)
	}
}

func TestCreateRelatieOnEmptyFile(t *testing.T) {
	l, db, _ := newSQLite(t, emptyFile, nil)
	r, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "Eerste klant", Customer: true})
	if err != nil || r.ID != "1" || r.Code != 10021 {
		t.Fatalf("first relatie: %+v (%v), want id 1 code 10021", r, err)
	}
	if got := setting(t, db, "VolgendRelatiecode"); got != "10022" {
		t.Errorf("VolgendRelatiecode = %s", got)
	}
}

// order1041 is the demo's webshop order 1041 re-entered: prices including VAT.
func order1041(customer, ref string) sdk.SalesOrder {
	return sdk.SalesOrder{
		CustomerID: customer, Date: time.Date(2024, 11, 12, 0, 0, 0, 0, time.UTC), PaymentReference: ref, OrderReference: "1001",
		PricesIncludeVAT: true, PaymentTermDays: new(int), CostCentreID: "1",
		Lines: []sdk.SalesOrderLine{
			{Description: "Webshop bestelling #1001"},
			{ArticleID: "2", Quantity: sdk.MustMoney("2"), UnitPrice: money("9.00")},
			{ArticleID: "21", Quantity: sdk.MustMoney("1"), UnitPrice: money("24.95")},
			{ArticleID: "31", Quantity: sdk.MustMoney("1"), UnitPrice: money("39.95")},
			{ArticleID: "36", Quantity: sdk.MustMoney("1"), UnitPrice: money("4.95")},
			{ArticleID: "37", Quantity: sdk.MustMoney("1"), UnitPrice: money("-5.00"), Description: "Korting (kortingscode WELKOM5)"},
		},
	}
}

func TestCreateSalesOrder(t *testing.T) {
	l, db, _ := newSQLite(t, demoFile, nil)
	o, err := l.CreateSalesOrder(ctx(t), order1041("1", "WEB-2001"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != 1043 || o.ID != "4" || o.TotalExcl.StringFixed(2) != "70.74" || o.TotalIncl.StringFixed(2) != "82.85" || o.TemplateID != "2" ||
		o.ProcessStatus != "Order" || o.Date.Format("2006-01-02") != "2024-11-12" || len(o.Lines) != 6 || o.Lines[5].Total.StringFixed(2) != "-5.00" ||
		o.Lines[1].Description != "Koffiemok ‘Café’ zwart 300 ml" || o.InvoiceAddress.Contact != "Jan de Vries" || o.CostCentreID != "1" {
		t.Fatalf("created = %+v", o)
	}
	if got := setting(t, db, "VolgendOrdernummer"); got != "1044" {
		t.Errorf("VolgendOrdernummer = %s, want 1044", got)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels] WHERE [OrderID] = 4"); n != 6 {
		t.Errorf("%d lines stored, want 6", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels] WHERE [OrderID] = 4 AND [Regelnummer] = 1 AND [ArtikelID] IS NULL AND [Totaal] = 0"); n != 1 {
		t.Errorf("text line not stored as ArtikelID NULL with total 0")
	}
	found, err := l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{Reference: "WEB-2001"})
	if err != nil || len(found) != 1 || found[0].ID != o.ID {
		t.Errorf("find by reference: %d (%v)", len(found), err)
	}
	last, err := l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{CustomerID: "1", Limit: 1})
	if err != nil || len(last) != 1 || last[0].Number != 1043 {
		t.Errorf("last order of relatie 1: %+v (%v)", last, err)
	}

	// Prices excluding VAT, from the article file, with a discount, on the default template.
	o2, err := l.CreateSalesOrder(ctx(t), sdk.SalesOrder{
		CustomerID: "2", Date: time.Date(2024, 11, 4, 0, 0, 0, 0, time.UTC), OrderReference: "INK-2", ProcessStatus: "factuur",
		DeliveryAddress: &sdk.LedgerAddress{Contact: "Magazijn", Street: "Havenweg 1", Postcode: "3542 AA", City: "Utrecht", Country: "NL"},
		Lines: []sdk.SalesOrderLine{
			{ArticleID: "1", Quantity: sdk.MustMoney("24"), DiscountPercent: sdk.MustMoney("10")},
			{ArticleID: "10", Quantity: sdk.MustMoney("5")},
			{Description: "Levering via de achteringang, graag vóór 10:00 uur"},
			{ArticleID: "23", Quantity: sdk.MustMoney("3")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o2.Number != 1044 || o2.TotalExcl.StringFixed(2) != "192.34" || o2.TotalIncl.StringFixed(2) != "227.44" || o2.TemplateID != "1" ||
		o2.ProcessStatus != "Factuur" || o2.Lines[0].UnitPrice.String() != "6.1983" || o2.Lines[0].Total.StringFixed(2) != "133.88" ||
		o2.DeliveryAddress.Contact != "Magazijn" || o2.InvoiceAddress.Street != "Industrieweg 45" || *o2.PaymentTermDays != 30 {
		t.Errorf("order like 1040 = %+v", o2)
	}
	// An article price excluding VAT converted for an order including VAT: 6.1983 × 1.21 = 7.4999 (4 decimals).
	o3, err := l.CreateSalesOrder(ctx(t), sdk.SalesOrder{CustomerID: "1", PricesIncludeVAT: true,
		Lines: []sdk.SalesOrderLine{{ArticleID: "1", Quantity: sdk.MustMoney("2")}}})
	if err != nil || o3.Lines[0].UnitPrice.String() != "7.4999" || o3.TotalIncl.StringFixed(2) != "15.00" ||
		o3.Date.Format("2006-01-02") != fixedNow.Format("2006-01-02") {
		t.Errorf("price from article: %+v (%v)", o3, err)
	}
}

func TestCreateSalesOrderRefusals(t *testing.T) {
	l, db, _ := newSQLite(t, demoFile, nil)
	line := []sdk.SalesOrderLine{{ArticleID: "1", Quantity: sdk.MustMoney("1")}}
	cases := map[string]sdk.SalesOrder{
		"unknown customer":         {CustomerID: "999", Lines: line},
		"customer id not a number": {CustomerID: "00000000-0000-4000-8000-00000000dead", Lines: line},
		"supplier":                 {CustomerID: "7", Lines: line},
		"unknown article":          {CustomerID: "1", Lines: []sdk.SalesOrderLine{{ArticleID: "999", Quantity: sdk.MustMoney("1")}}},
		"no lines":                 {CustomerID: "1"},
		"no VAT rate on date":      {CustomerID: "1", Date: time.Date(2011, 5, 1, 0, 0, 0, 0, time.UTC), Lines: line},
		"unknown template":         {CustomerID: "1", TemplateID: "9", Lines: line},
		"unknown cost centre":      {CustomerID: "1", CostCentreID: "9", Lines: line},
		"bad process status":       {CustomerID: "1", ProcessStatus: "Verzonden", Lines: line},
		"reference too long":       {CustomerID: "1", OrderReference: strings.Repeat("r", 51), Lines: line},
		"unknown country":          {CustomerID: "1", DeliveryAddress: &sdk.LedgerAddress{Country: "ES"}, Lines: line},
		"discount over 100":        {CustomerID: "1", Lines: []sdk.SalesOrderLine{{ArticleID: "1", Quantity: sdk.MustMoney("1"), DiscountPercent: sdk.MustMoney("101")}}},
		"line without anything":    {CustomerID: "1", Lines: []sdk.SalesOrderLine{{}}},
	}
	for name, o := range cases {
		_, err := l.CreateSalesOrder(ctx(t), o)
		var e *sdk.Error
		if !errors.As(err, &e) || e.Kind != sdk.KindPermanent || strings.TrimSpace(e.Message) == "" {
			t.Errorf("%s: %v, want a permanent error with a message", name, err)
		}
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [Verkooporders]"); n != 3 {
		t.Errorf("%d orders after refusals, want the demo's 3", n)
	}
	if got := setting(t, db, "VolgendOrdernummer"); got != "1043" {
		t.Errorf("VolgendOrdernummer = %s after refusals, want 1043", got)
	}
}

func TestCreateSalesOrderRollsBack(t *testing.T) {
	l, fs, db := newFaulty(t, demoFile)
	fs.failTable, fs.failAt = tables.VerkooporderRegels, 3
	_, err := l.CreateSalesOrder(ctx(t), order1041("1", "WEB-ROLLBACK"))
	if !errors.Is(err, errInjected) || sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("CreateSalesOrder with a failing third line: %v", err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [Verkooporders]"); n != 3 {
		t.Errorf("%d orders after a failed transaction, want 3", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM [VerkooporderRegels]"); n != 14 {
		t.Errorf("%d order lines after a failed transaction, want 14", n)
	}
	if got := setting(t, db, "VolgendOrdernummer"); got != "1043" {
		t.Errorf("VolgendOrdernummer = %s after a failed transaction, want 1043", got)
	}
	// The next attempt succeeds with the same number.
	fs.failTable = ""
	o, err := l.CreateSalesOrder(ctx(t), order1041("1", "WEB-ROLLBACK"))
	if err != nil || o.Number != 1043 {
		t.Fatalf("retry: %+v (%v)", o, err)
	}
}

func TestCommitFailureIsOutcomeUnknown(t *testing.T) {
	l, fs, _ := newFaulty(t, demoFile)
	fs.commitThenFail = true
	_, err := l.CreateSalesOrder(ctx(t), order1041("1", "WEB-LOST"))
	if sdk.KindOf(err) != sdk.KindOutcomeUnknown {
		t.Fatalf("commit failure: %v (%s), want outcome_unknown", err, sdk.KindOf(err))
	}
	found, err := l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{Reference: "WEB-LOST"})
	if err != nil || len(found) != 1 {
		t.Errorf("after an unknown outcome the order is found %d times (%v), want once", len(found), err)
	}
	fs.locked = true
	_, err = l.FindArticles(ctx(t), sdk.ArticleQuery{Code: "MOK-001"})
	if sdk.KindOf(err) != sdk.KindRetryable || sdk.RetryAfterOf(err) <= 0 {
		t.Errorf("locked file: %v, want retryable with RetryAfter", err)
	}
}

func TestBackupsBeforeFirstWrite(t *testing.T) {
	path := fixtureCopy(t, demoFile)
	open, _ := standIn(t, path)
	for i := 0; i < 3; i++ {
		now := fixedNow.Add(time.Duration(i) * time.Hour)
		l, err := NewWithOptions(context.Background(), baseConfig(path).Set("driver", DriverODBC).Set("backups", 2), hclog.NewNullLogger(),
			Options{Open: open, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 2; j++ { // two writes in one run: one copy
			if _, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "Backup test", Customer: true}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := backups(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(i+1, 2); len(list) != want {
			t.Fatalf("run %d: %d copies (%v), want %d", i+1, len(list), list, want)
		}
	}
	list, _ := backups(path)
	if !strings.Contains(list[0], "20250314-103000") || !strings.Contains(list[1], "20250314-113000") {
		t.Errorf("kept copies %v, want the two newest", list)
	}
	orig, _ := os.ReadFile(path)
	cp, _ := os.ReadFile(list[1])
	if len(orig) == 0 || string(orig) != string(cp) {
		t.Errorf("the copy differs from the file")
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	l, _, _ := newSQLite(t, demoFile, func(c sdk.Config) sdk.Config { return c.Set("read_only", true) })
	_, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "X", Customer: true})
	if sdk.KindOf(err) != sdk.KindPermanent || !strings.Contains(err.Error(), "read_only") {
		t.Errorf("read_only: %v", err)
	}
	if _, err := l.CreateArticle(ctx(t), sdk.Article{Code: "X"}); sdk.KindOf(err) != sdk.KindPermanent {
		t.Errorf("CreateArticle: %v, want permanent", err)
	}
}
