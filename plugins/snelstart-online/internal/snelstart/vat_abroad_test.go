package snelstart

import (
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

func TestSimCompanySettingsAndForeignRates(t *testing.T) {
	seed := simulator.DefaultAdministration()
	seed.CompanyInfo.FactureerBuitenlandsBtw = true
	seed.CompanyInfo.VerkoopprijsArtikelbestandExclusiefBtw = false
	seed.CompanyInfo.AantalDecimalenArtikelprijzen = 3
	e := newSimEnv(t, simulator.Options{Seed: seed}, options{}, nil)
	rd, err := e.c.ReferenceData(ctxBg)
	if err != nil {
		t.Fatal(err)
	}
	if !rd.Company.ForeignVAT || !rd.Company.ArticlePricesInclVAT || rd.Company.PriceDecimals != 3 {
		t.Fatalf("company %+v", rd.Company)
	}
	got := map[string]string{}
	for _, r := range rd.ForeignVATRates {
		got[r.Country+"/"+string(r.Class)] = r.Percentage.String()
		if r.Country == "NL" {
			t.Errorf("the Dutch rates are not foreign: %+v", r)
		}
	}
	want := map[string]string{"BE/Hoog": "21", "BE/Laag": "6", "DE/Hoog": "19", "DE/Laag": "7", "FR/Hoog": "20", "FR/Laag": "5.5"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %s (all: %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rates %v, want %v", got, want)
	}

	// OSS off: no /vatrates call, no foreign rates.
	e2 := newSimEnv(t, simulator.Options{}, options{}, nil)
	rd, err = e2.c.ReferenceData(ctxBg)
	if err != nil || rd.Company.ForeignVAT || rd.Company.ArticlePricesInclVAT || rd.Company.PriceDecimals != 2 || len(rd.ForeignVATRates) != 0 {
		t.Fatalf("OSS off: %v %+v %d rates", err, rd.Company, len(rd.ForeignVATRates))
	}
}

// TestSimArticlePriceBasis creates and updates articles in an administration that keeps prices
// incl. VAT with 2 decimals: the incl. figure is written, rounded to cents.
func TestSimArticlePriceBasis(t *testing.T) {
	for _, incl := range []bool{false, true} {
		seed := simulator.DefaultAdministration()
		seed.CompanyInfo.VerkoopprijsArtikelbestandExclusiefBtw = !incl
		e := newSimEnv(t, simulator.Options{Seed: seed}, options{}, nil)
		price := &sdk.ArticlePrice{Excl: sdk.MustMoney("10"), Incl: sdk.MustMoney("12.1")}
		a, err := e.c.CreateArticle(ctxBg, sdk.Article{Code: "PB-1", Description: "Prijsbasis", RevenueGroupID: string(simulator.OmzetgroepHoog),
			SalesPrice: sdk.MustMoney("99"), Price: price})
		if err != nil {
			t.Fatal(err)
		}
		want := "10"
		if incl {
			want = "12.1"
		}
		if a.SalesPrice.String() != want {
			t.Errorf("incl=%v: created with %s, want %s", incl, a.SalesPrice, want)
		}
		a.Price = &sdk.ArticlePrice{Excl: sdk.MustMoney("8.2644628"), Incl: sdk.MustMoney("9.999999")}
		u, err := e.c.UpdateArticle(ctxBg, a)
		if err != nil {
			t.Fatal(err)
		}
		want = "8.26"
		if incl {
			want = "10"
		}
		if u.SalesPrice.String() != want {
			t.Errorf("incl=%v: updated to %s, want %s", incl, u.SalesPrice, want)
		}
		// Without Price, SalesPrice is written, rounded to the administration's decimals.
		b, err := e.c.CreateArticle(ctxBg, sdk.Article{Code: "PB-2", Description: "Vier decimalen", RevenueGroupID: string(simulator.OmzetgroepHoog),
			SalesPrice: sdk.MustMoney("16.5289")})
		if err != nil || b.SalesPrice.String() != "16.53" {
			t.Errorf("incl=%v: %v %s, want 16.53", incl, err, b.SalesPrice)
		}
	}
}

// TestSimOrderDateWithoutOffset sends an order placed at 23:30 on 31 March in the Netherlands
// (21:30 UTC): SnelStart gets "2026-03-31T23:30:00", so it stays in March and in Q1.
func TestSimOrderDateWithoutOffset(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	o := orderFor("WS-Q1")
	o.Date = time.Date(2026, 3, 31, 21, 30, 0, 0, time.UTC)
	got, err := e.c.CreateSalesOrder(ctxBg, o)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Date.Format("2006-01-02T15:04:05"); d != "2026-03-31T23:30:00" {
		t.Errorf("stored datum %s, want 2026-03-31T23:30:00", d)
	}
	b, err := ssTime{o.Date}.MarshalJSON()
	if err != nil || string(b) != `"2026-03-31T23:30:00"` {
		t.Errorf("wire form %s %v", b, err)
	}
}

// TestSimCustomerGone: an order for an inactive or deleted relatie is CodeCustomerGone; an
// order with an inactive article (also ALG-0105) is not.
func TestSimCustomerGone(t *testing.T) {
	e := newSimEnv(t, simulator.Options{}, options{}, nil)
	rel, err := e.c.FindRelaties(ctxBg, sdk.RelatieQuery{ID: string(simulator.RelatieJanDeVries)})
	if err != nil || len(rel) != 1 {
		t.Fatal(err, rel)
	}
	r := rel[0]
	r.Inactive = true
	if _, err := e.c.UpdateRelatie(ctxBg, r); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.CreateSalesOrder(ctxBg, orderFor("WS-GONE-1"))
	if !sdk.IsCustomerGone(err) || sdk.KindOf(err) != sdk.KindPermanent {
		t.Fatalf("inactive customer: %v", err)
	}

	o := orderFor("WS-GONE-2")
	o.CustomerID = "4e1a0000-0000-4000-8000-0000000000ff"
	if _, err = e.c.CreateSalesOrder(ctxBg, o); !sdk.IsCustomerGone(err) {
		t.Fatalf("unknown customer: %v", err)
	}

	o = orderFor("WS-GONE-3")
	o.CustomerID = string(simulator.RelatieBakkerijSmit)
	o.Lines[0].ArticleID = string(simulator.ArtikelOud)
	if _, err = e.c.CreateSalesOrder(ctxBg, o); err == nil || sdk.IsCustomerGone(err) {
		t.Fatalf("inactive article must not blame the customer: %v", err)
	}
}
