package ledger

import (
	"errors"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// The expected values below are what schema.md says the demo administration holds.

func TestCheckDemo(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			res, err := b.new(t).Check(ctx(t))
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if !strings.HasPrefix(res.Summary, "Demo Handel BV (") {
				t.Errorf("Summary = %q, want the administration name first", res.Summary)
			}
			if res.Details["format"] != "Jet 4" || res.Details["next_order_number"] != "1043" {
				t.Errorf("Details = %v, want format Jet 4 and next order number 1043", res.Details)
			}
		})
	}
}

func TestReferenceDataDemo(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ref, err := b.new(t).ReferenceData(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if ref.Company.Name != "Demo Handel BV" || ref.Company.Extra["PrijsInvoerInclBtw"] != "0" || ref.Company.Extra["ArtikelcodeMaxLengte"] != "20" {
				t.Errorf("Company = %+v", ref.Company)
			}
			wantGroups := []sdk.RevenueGroup{{ID: "1", Number: 1, Description: "Omzet hoog", VATClass: sdk.VATHigh},
				{ID: "2", Number: 2, Description: "Omzet laag", VATClass: sdk.VATLow},
				{ID: "3", Number: 3, Description: "Omzet vrijgesteld", VATClass: sdk.VATNone},
				{ID: "4", Number: 4, Description: "Verzendkosten", VATClass: sdk.VATHigh}}
			if len(ref.RevenueGroups) != len(wantGroups) {
				t.Fatalf("%d revenue groups, want 4", len(ref.RevenueGroups))
			}
			for i, g := range wantGroups {
				if ref.RevenueGroups[i] != g {
					t.Errorf("revenue group %d = %+v, want %+v", i, ref.RevenueGroups[i], g)
				}
			}
			if len(ref.Templates) != 3 || ref.Templates[0].Description != "Standaard" || !ref.Templates[0].PricesExclVAT ||
				ref.Templates[1].PricesExclVAT || ref.Templates[2].Description != "Webshop Engels" {
				t.Errorf("Templates = %+v", ref.Templates)
			}
			if len(ref.CostCentres) != 2 || ref.CostCentres[1] != (sdk.CostCentre{ID: "2", Number: 2, Description: "Winkel"}) {
				t.Errorf("CostCentres = %+v", ref.CostCentres)
			}
			if len(ref.Countries) != 5 || ref.Countries[1] != (sdk.Country{ID: "2", Code: "BE", Name: "België"}) {
				t.Errorf("Countries = %+v", ref.Countries)
			}
			if len(ref.VATRates) != 4 {
				t.Fatalf("%d VAT rates, want 4", len(ref.VATRates))
			}
			low6 := ref.VATRates[1]
			if low6.Class != sdk.VATLow || low6.Percentage.String() != "6" || low6.Until == nil || low6.Until.Format("2006-01-02") != "2018-12-31" {
				t.Errorf("VAT rate 2 = %+v, want Laag 6 until 2018-12-31", low6)
			}
			if ref.VATRates[0].Until != nil || ref.VATRates[0].From.Format("2006-01-02") != "2012-10-01" {
				t.Errorf("VAT rate 1 = %+v, want Hoog from 2012-10-01, open-ended", ref.VATRates[0])
			}
		})
	}
}

func TestFindRelatiesDemo(t *testing.T) {
	cases := []struct {
		name  string
		q     sdk.RelatieQuery
		codes []int
	}{
		{"code", sdk.RelatieQuery{Code: 10002}, []int{10002}},
		{"id", sdk.RelatieQuery{ID: "8"}, []int{10008}},
		{"shared e-mail", sdk.RelatieQuery{Email: "p.bakker@example.nl"}, []int{10004, 10005}},
		{"shared e-mail and postcode", sdk.RelatieQuery{Email: "p.bakker@example.nl", Postcode: "1016gv"}, []int{10005}},
		{"second of two e-mails", sdk.RelatieQuery{Email: "BOEKHOUDING@goudenleeuw.example"}, []int{10006}},
		{"mixed-case e-mail", sdk.RelatieQuery{Email: "anna.smit@example.nl"}, []int{10011}},
		{"postcode without space", sdk.RelatieQuery{Postcode: "2514 aa"}, []int{10011}},
		{"name with apostrophe, other case", sdk.RelatieQuery{Name: "brasserie 't hoekske bv"}, []int{10003}},
		{"non-ASCII name", sdk.RelatieQuery{Name: "Zoë van Dijk"}, []int{10017}},
		{"unknown e-mail", sdk.RelatieQuery{Email: "nobody@example.invalid"}, nil},
		{"unknown id", sdk.RelatieQuery{ID: "not-a-number"}, nil},
		{"code and other e-mail", sdk.RelatieQuery{Code: 10001, Email: "p.bakker@example.nl"}, nil},
		// Several addresses: every relatie an Email query of one of them finds, once.
		{"several e-mails", sdk.RelatieQuery{Emails: []string{"p.bakker@example.nl", " ANNA.SMIT@example.nl ", "nobody@example.invalid",
			"boekhouding@goudenleeuw.example", "P.Bakker@example.nl", ""}}, []int{10004, 10005, 10006, 10011}},
		{"several e-mails, none known", sdk.RelatieQuery{Emails: []string{"nobody@example.invalid", "bakker@example.nl"}}, nil},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			l := b.new(t)
			for _, c := range cases {
				got, err := l.FindRelaties(ctx(t), c.q)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				var codes []int
				for _, r := range got {
					codes = append(codes, r.Code)
				}
				if len(codes) != len(c.codes) {
					t.Errorf("%s: codes %v, want %v", c.name, codes, c.codes)
					continue
				}
				for i := range codes {
					if codes[i] != c.codes[i] {
						t.Errorf("%s: codes %v, want %v", c.name, codes, c.codes)
					}
				}
			}
			if _, err := l.FindRelaties(ctx(t), sdk.RelatieQuery{Emails: []string{"a@example.nl"}, Code: 10001}); err == nil {
				t.Errorf("Emails with a code: no error, want one (Emails takes no other criterion)")
			}
			all, err := l.FindRelaties(ctx(t), sdk.RelatieQuery{})
			if err != nil || len(all) != 20 {
				t.Fatalf("all relaties: %d (%v), want 20", len(all), err)
			}
			by := map[int]sdk.Relatie{}
			customers, inactive := 0, 0
			for _, r := range all {
				by[r.Code] = r
				if r.Customer {
					customers++
				}
				if r.Inactive {
					inactive++
				}
			}
			if customers != 19 || inactive != 1 || !by[10012].Inactive || by[10007].Customer {
				t.Errorf("%d customers and %d inactive, want 19 and 1 (10012); supplier 10007 customer=%v", customers, inactive, by[10007].Customer)
			}
			m := by[10008]
			if m.Name != "Müller Küchenbedarf GmbH" || m.Address.Contact != "Jürgen Müller" || m.Address.Street != "Friedrichstraße 120" ||
				m.Address.Country != "DE" || m.VATNumber != "DE123456789" || *m.PaymentTermDays != 30 {
				t.Errorf("10008 = %+v", m)
			}
			if s := by[10015]; s.Email != "" || s.EmailInvoices || *s.PaymentTermDays != 14 {
				t.Errorf("10015 = %+v, want no e-mail and term 14", s)
			}
			if by[10003].Address.Country != "BE" || by[10006].Address.City != "'s-Hertogenbosch" || by[10005].Phone != "" {
				t.Errorf("10003 country %q, 10006 city %q, 10005 phone %q", by[10003].Address.Country, by[10006].Address.City, by[10005].Phone)
			}
			if by[10004].EmailReminders || !by[10004].EmailInvoices {
				t.Errorf("10004 reminders %v invoices %v, want false/true", by[10004].EmailReminders, by[10004].EmailInvoices)
			}
		})
	}
}

func TestFindArticlesDemo(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			l := b.new(t)
			got, err := l.FindArticles(ctx(t), sdk.ArticleQuery{Code: "mok-002"})
			if err != nil || len(got) != 1 {
				t.Fatalf("FindArticles{mok-002}: %d (%v)", len(got), err)
			}
			a := got[0]
			if a.ID != "2" || a.Code != "MOK-002" || a.Description != "Koffiemok ‘Café’ zwart 300 ml" || a.SalesPrice.String() != "7.438" ||
				a.RevenueGroupID != "1" || a.Unit != "stuk" || !a.StockTracked || a.TechnicalStock.String() != "48" || a.FreeStock.String() != "46" ||
				a.ExtraFields[ExtraWebshopcode] != "MOK-ZW-300" {
				t.Errorf("MOK-002 = %+v", a)
			}
			// Webshopcode MOK-001 is on the active MOK-001 and the inactive MOK-OUD: active first.
			got, err = l.FindArticles(ctx(t), sdk.ArticleQuery{Codes: []string{"MOK-002", "GEEN-ARTIKEL", "BOEK-KOOK", "mok-002"}})
			if err != nil || len(got) != 2 || got[0].Code != "MOK-002" || got[1].Code != "BOEK-KOOK" {
				t.Errorf("Codes: %v (%v), want MOK-002 and BOEK-KOOK once each", codesOfArticles(got), err)
			}
			got, err = l.FindArticles(ctx(t), sdk.ArticleQuery{ExtraField: "Webshopcode", ExtraValue: "MOK-001"})
			if err != nil || len(got) != 2 || got[0].Code != "MOK-001" || got[1].Code != "MOK-OUD" || !got[1].Inactive {
				t.Errorf("Webshopcode MOK-001: %v (%v), want MOK-001 then inactive MOK-OUD", codesOfArticles(got), err)
			}
			got, err = l.FindArticles(ctx(t), sdk.ArticleQuery{ExtraField: "extra:webshopcode", ExtraValue: "KOOKBOEK-NL"})
			if err != nil || len(got) != 1 || got[0].Code != "BOEK-KOOK" || got[0].Description != "Kookboek „Het Hollandse keukenboek”" {
				t.Errorf("Webshopcode KOOKBOEK-NL: %v (%v), want BOEK-KOOK", codesOfArticles(got), err)
			}
			got, err = l.FindArticles(ctx(t), sdk.ArticleQuery{ID: "31"})
			if err != nil || len(got) != 1 {
				t.Fatalf("article 31: %d (%v)", len(got), err)
			}
			k := got[0]
			if !k.Composite || k.StockTracked || len(k.Components) != 3 || k.Components[0].Code != "KOF-1KG" || k.Components[1].Code != "CHOC-PUUR" ||
				k.Components[1].Quantity.String() != "2" || k.Components[2].ArticleID != "1" || k.Description != "Kerstpakket „Gezellig”" {
				t.Errorf("PAKKET-KERST = %+v", k)
			}
			got, _ = l.FindArticles(ctx(t), sdk.ArticleQuery{Code: "TAFELKLEED-LIN-14025"})
			if len(got) != 1 || len(got[0].Code) != 20 {
				t.Errorf("longest code: %v", codesOfArticles(got))
			}
			got, _ = l.FindArticles(ctx(t), sdk.ArticleQuery{Code: "BON-25"})
			if len(got) != 1 || got[0].Description != "Cadeaubon € 25" || got[0].SalesPrice.StringFixed(2) != "25.00" || got[0].RevenueGroupID != "3" {
				t.Errorf("BON-25 = %+v", got)
			}
			_, err = l.FindArticles(ctx(t), sdk.ArticleQuery{ExtraField: "Kleur", ExtraValue: "rood"})
			if sdk.KindOf(err) != sdk.KindConfig {
				t.Errorf("unknown extra field: %v, want a config error", err)
			}
		})
	}
}

func codesOfArticles(as []sdk.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Code)
	}
	return out
}

func TestListStockDemo(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			l := b.new(t)
			by := map[string]sdk.Article{}
			tracked, differs, inactive, composites := 0, 0, 0, 0
			err := l.ListStock(ctx(t), func(a sdk.Article) error {
				by[a.Code] = a
				if a.StockTracked {
					tracked++
					if !a.FreeStock.Equal(a.TechnicalStock) {
						differs++
					}
				}
				if a.Inactive {
					inactive++
				}
				if a.Composite {
					composites++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(by) != 40 || tracked != 31 || differs != 13 || inactive != 3 || composites != 2 {
				t.Errorf("%d articles, %d tracked, %d with free != technical, %d inactive, %d composites; want 40, 31, 13, 3, 2",
					len(by), tracked, differs, inactive, composites)
			}
			if a := by["PAN-24"]; a.FreeStock.String() != "-2" || a.TechnicalStock.String() != "1" {
				t.Errorf("PAN-24 stock %s/%s, want free -2, technical 1", a.FreeStock, a.TechnicalStock)
			}
			if a := by["KAAS-GOUDA"]; a.TechnicalStock.String() != "12.375" || a.FreeStock.String() != "11.125" || a.Unit != "kg" {
				t.Errorf("KAAS-GOUDA = %s/%s %s", a.TechnicalStock, a.FreeStock, a.Unit)
			}
			if a := by["PAKKET-THEE"]; len(a.Components) != 3 || a.Components[1].Code != "THEE-EARL" || a.ExtraFields[ExtraWebshopcode] != "gift-tea-deluxe" {
				t.Errorf("PAKKET-THEE = %+v", a)
			}
			if a := by["KAARS-WIT"]; a.ExtraFields != nil {
				t.Errorf("KAARS-WIT has extra fields %v, want none (NULL Webshopcode)", a.ExtraFields)
			}
			stop := errors.New("stop")
			n := 0
			err = l.ListStock(ctx(t), func(sdk.Article) error { n++; return stop })
			if err != stop || n != 1 {
				t.Errorf("ListStock returned %v after %d yields, want the yield's error after 1", err, n)
			}
		})
	}
}

func TestFindSalesOrdersDemo(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			l := b.new(t)
			got, err := l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{Reference: "web-1001"})
			if err != nil || len(got) != 1 {
				t.Fatalf("WEB-1001: %d (%v)", len(got), err)
			}
			o := got[0]
			if o.Number != 1041 || o.CustomerID != "1" || o.TotalExcl.StringFixed(2) != "70.74" || o.TotalIncl.StringFixed(2) != "82.85" ||
				!o.PricesIncludeVAT || o.ProcessStatus != "Order" || o.TemplateID != "2" || o.CostCentreID != "1" || *o.PaymentTermDays != 0 ||
				o.Date.Format("2006-01-02") != "2024-11-12" || len(o.Lines) != 6 {
				t.Fatalf("order 1041 = %+v", o)
			}
			if o.Lines[0].ArticleID != "" || o.Lines[0].Description != "Webshop bestelling #1001" {
				t.Errorf("line 1 = %+v, want the text line", o.Lines[0])
			}
			if k := o.Lines[5]; k.ArticleID != "37" || k.Description != "Korting (kortingscode WELKOM5)" || k.UnitPrice.StringFixed(2) != "-5.00" || k.Total.StringFixed(2) != "-5.00" {
				t.Errorf("line 6 = %+v, want KORTING -5.00", k)
			}
			byOrderRef, err := l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{Reference: "1001"})
			if err != nil || len(byOrderRef) != 1 || byOrderRef[0].ID != o.ID {
				t.Errorf("orderreferentie 1001: %d (%v), want order 1041", len(byOrderRef), err)
			}
			got, err = l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{Reference: "INK-2024-0117"})
			if err != nil || len(got) != 1 || got[0].Number != 1040 || got[0].Lines[0].DiscountPercent.String() != "10" ||
				got[0].Lines[0].Total.StringFixed(2) != "133.88" || got[0].Lines[2].ArticleID != "" || !strings.Contains(got[0].Lines[2].Description, "vóór") ||
				got[0].PaymentReference != "" || got[0].TotalIncl.StringFixed(2) != "227.44" {
				t.Errorf("INK-2024-0117: %+v (%v)", got, err)
			}
			got, err = l.FindSalesOrders(ctx(t), sdk.SalesOrderQuery{CustomerID: "4", Limit: 1})
			if err != nil || len(got) != 1 {
				t.Fatalf("last order of relatie 4: %d (%v)", len(got), err)
			}
			p := got[0]
			if p.Number != 1042 || p.CostCentreID != "" || p.DeliveryAddress.Contact != "Mevr. A. Bakker-Kok" || p.DeliveryAddress.City != "Diepenveen" ||
				p.InvoiceAddress.City != "Utrecht" || p.Lines[0].Quantity.String() != "2.5" || p.Lines[0].Total.StringFixed(2) != "4.11" || p.TotalExcl.StringFixed(2) != "103.61" {
				t.Errorf("order 1042 = %+v", p)
			}
			for _, q := range []sdk.SalesOrderQuery{{Reference: "nosuch"}, {CustomerID: "5"}, {CustomerID: "x"}} {
				if got, err := l.FindSalesOrders(ctx(t), q); err != nil || len(got) != 0 {
					t.Errorf("FindSalesOrders(%+v) = %d (%v), want none", q, len(got), err)
				}
			}
		})
	}
}

func TestMdbtoolsRefusesWrites(t *testing.T) {
	l := newMdbtools(t, demoFile)
	_, err := l.CreateRelatie(ctx(t), sdk.Relatie{Name: "X", Customer: true})
	var e *sdk.Error
	if !errors.As(err, &e) || e.Kind != sdk.KindPermanent || !strings.Contains(e.Message, "ODBC") || !strings.Contains(e.Message, "odbc") {
		t.Errorf("CreateRelatie through mdbtools: %v, want a permanent error naming the Access ODBC driver", err)
	}
	_, err = l.CreateSalesOrder(ctx(t), sdk.SalesOrder{CustomerID: "1", Lines: []sdk.SalesOrderLine{{Description: "x"}}})
	if !errors.As(err, &e) || !strings.Contains(e.Message, "driver = \"odbc\"") {
		t.Errorf("CreateSalesOrder through mdbtools: %v", err)
	}
}
