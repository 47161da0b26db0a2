package snelstart

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

// This file checks what the connector assumes about the real SnelStart B2B API that the
// published documents do not confirm (docs/profiles.md, "Assumptions about SnelStart's API").
// Every check runs against the simulator in ordinary test runs, and against a real test
// administration in acceptance mode:
//
//	KOPPEL_ACC=1 KOPPEL_ACC_SNELSTART_ONLINE_CLIENT_KEY=... KOPPEL_ACC_SNELSTART_ONLINE_SUBSCRIPTION_KEY=...
//	go test ./plugins/snelstart-online/internal/snelstart -run TestAssumptions -v
//
// Checks that create something run live only with KOPPEL_ACC_WRITE=1 and the ids of a test
// customer and article: KOPPEL_ACC_SNELSTART_ONLINE_TEST_RELATIE, ..._TEST_ARTICLE (a Hoog
// article), and for ICP ..._TEST_ICP_RELATIE (a relatie in another EU country with a btwNummer).
// What they create is deleted again.

// assumptionEnv is the connector the checks run against, and the ids they use.
type assumptionEnv struct {
	c       *Connector
	live    bool
	relatie string
	article string
	icp     string
}

func newAssumptionEnv(t *testing.T) *assumptionEnv {
	t.Helper()
	if conformance.Acceptance() {
		cfg, err := conformance.AcceptanceConfig(PluginInfo("acceptance"))
		if err != nil {
			t.Fatal(err)
		}
		cfg = cfg.Set("order_lookup", LookupFilter)
		c, err := newConnector(cfg, hclog.NewNullLogger(), options{})
		if err != nil {
			t.Fatal(err)
		}
		env := func(n string) string { return os.Getenv(conformance.EnvName("snelstart-online", n)) }
		return &assumptionEnv{c: c, live: true, relatie: env("test_relatie"), article: env("test_article"), icp: env("test_icp_relatie")}
	}
	e := newSimEnv(t, simulator.Options{}, options{}, func(c sdk.Config) sdk.Config { return c.Set("order_lookup", LookupFilter) })
	icp, err := e.c.CreateRelatie(ctxBg, sdk.Relatie{Name: "Weiß GmbH", Customer: true, VATNumber: "DE123456789",
		Address: sdk.LedgerAddress{Street: "Straße des 17. Juni 100", Postcode: "10623", City: "Berlin", Country: "DE"}})
	if err != nil {
		t.Fatal(err)
	}
	return &assumptionEnv{c: e.c, relatie: string(simulator.RelatieJanDeVries), article: string(simulator.ArtikelShirt), icp: icp.ID}
}

// writes skips a check that creates objects unless it may (always on the simulator).
func (e *assumptionEnv) writes(t *testing.T, ids ...string) {
	t.Helper()
	if !e.live {
		return
	}
	if !conformance.AcceptanceWrites() {
		t.Skipf("creates a sales order or article: set %s=1", conformance.EnvAcceptanceWrite)
	}
	for _, id := range ids {
		if id == "" {
			t.Skipf("needs %s, %s (and %s for ICP)", conformance.EnvName("snelstart-online", "test_relatie"),
				conformance.EnvName("snelstart-online", "test_article"), conformance.EnvName("snelstart-online", "test_icp_relatie"))
		}
	}
}

func (e *assumptionEnv) order(t *testing.T, customer string, date time.Time, lines ...sdk.SalesOrderLine) sdk.SalesOrder {
	t.Helper()
	ref := fmt.Sprintf("koppel-acc-%d", time.Now().UnixNano()%1e9)
	so, err := e.c.CreateSalesOrder(ctxBg, sdk.SalesOrder{CustomerID: customer, Date: date, PaymentReference: ref, OrderReference: ref,
		Description: "koppel acceptance check (may be deleted)", Lines: lines})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() {
		if err := e.c.DeleteSalesOrder(context.Background(), so.ID); err != nil {
			t.Errorf("delete the check's sales order %d: %v", so.Number, err)
		}
	})
	return so
}

func TestAssumptions(t *testing.T) {
	e := newAssumptionEnv(t)
	price := sdk.MustMoney("10.00")
	t.Run("$filter on Betalingskenmerk and Orderreferentie of verkooporders", func(t *testing.T) {
		if _, err := e.c.FindSalesOrders(ctxBg, sdk.SalesOrderQuery{Reference: "koppel-acc-none"}); err != nil {
			t.Fatalf("SnelStart refused the reference filter (set order_lookup = \"scan\"): %v", err)
		}
	})
	t.Run("tolower() and substringof() in $filter on relaties", func(t *testing.T) {
		for _, q := range []sdk.RelatieQuery{{Email: "koppel-acc@example.invalid"}, {Name: "Koppel Acceptatie"}, {Postcode: "9999 ZZ"}} {
			if _, err := e.c.FindRelaties(ctxBg, q); err != nil {
				t.Fatalf("SnelStart refused the filter of %+v: %v", q, err)
			}
		}
	})
	t.Run("vatrates: Hoog is rate code SR, Laag is RRL (else RRH)", func(t *testing.T) {
		rates, err := e.c.foreignVATRates(ctxBg)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		for _, w := range []struct {
			country string
			class   sdk.VATClass
			pct     string
		}{{"DE", sdk.VATHigh, "19"}, {"DE", sdk.VATLow, "7"}, {"BE", sdk.VATHigh, "21"}, {"BE", sdk.VATLow, "6"}} {
			var got *sdk.ForeignVATRate
			for i := range rates {
				r := &rates[i]
				if r.Country == w.country && r.Class == w.class && !r.From.After(now) && (got == nil || r.From.After(got.From)) {
					got = r
				}
			}
			if got == nil || !got.Percentage.Equal(sdk.MustMoney(w.pct)) {
				t.Errorf("%s %s: %+v, want %s%%", w.country, w.class, got, w.pct)
			}
		}
	})
	t.Run("datum without offset is the Dutch date (23:30 on 31 March stays in March)", func(t *testing.T) {
		e.writes(t, e.relatie, e.article)
		so := e.order(t, e.relatie, time.Date(2026, 3, 31, 21, 30, 0, 0, time.UTC),
			sdk.SalesOrderLine{ArticleID: e.article, Quantity: sdk.MustMoney("1"), UnitPrice: &price})
		if d := so.Date.Format("2006-01-02"); d != "2026-03-31" {
			t.Fatalf("stored datum %s, want 2026-03-31", so.Date.Format(time.RFC3339))
		}
	})
	t.Run("a text line without article and without amount is accepted", func(t *testing.T) {
		e.writes(t, e.relatie, e.article)
		zero := sdk.MustMoney("0")
		so := e.order(t, e.relatie, time.Now(),
			sdk.SalesOrderLine{ArticleID: e.article, Quantity: sdk.MustMoney("1"), UnitPrice: &price},
			sdk.SalesOrderLine{Description: "Inhoud: 1 liter", Quantity: zero, UnitPrice: &zero})
		if len(so.Lines) != 2 || so.Lines[1].ArticleID != "" {
			t.Fatalf("lines %+v", so.Lines)
		}
	})
	t.Run("an EU relatie abroad with a btwNummer is booked at 0 % (ICP)", func(t *testing.T) {
		e.writes(t, e.icp, e.article)
		so := e.order(t, e.icp, time.Now(), sdk.SalesOrderLine{ArticleID: e.article, Quantity: sdk.MustMoney("1"), UnitPrice: &price})
		if !so.TotalIncl.Equal(so.TotalExcl) {
			t.Fatalf("totals %s excl. / %s incl.: VAT was charged", so.TotalExcl, so.TotalIncl)
		}
	})
	t.Run("an article price with more decimals than aantalDecimalenArtikelprijzen", func(t *testing.T) {
		e.writes(t, e.article)
		rd, err := e.c.ReferenceData(ctxBg)
		if err != nil || len(rd.RevenueGroups) == 0 {
			t.Fatalf("reference data: %v", err)
		}
		code := fmt.Sprintf("KACC%d", time.Now().UnixNano()%1e6)
		a, err := e.c.CreateArticle(ctxBg, sdk.Article{Code: code, Description: "koppel acceptance check (may be deleted)",
			RevenueGroupID: rd.RevenueGroups[0].ID, SalesPrice: sdk.MustMoney("16.5289")})
		if err != nil {
			t.Fatalf("the connector's rounded price was refused: %v", err)
		}
		t.Cleanup(func() {
			_ = e.c.api.do(context.Background(), call{method: http.MethodDelete, path: "/artikelen/" + a.ID, what: "article " + code}, nil)
		})
		want := sdk.MustMoney("16.5289").Round(int32(max(rd.Company.PriceDecimals, 2)))
		if !a.SalesPrice.Equal(want) {
			t.Fatalf("stored verkoopprijs %s, want %s", a.SalesPrice, want)
		}
	})
}
