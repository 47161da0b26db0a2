package mapping

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// abroad moves an order's customer to another country, with an e-mail SnelStart does not know.
func abroad(country, vat string) func(*sdk.Order) {
	return func(o *sdk.Order) {
		o.Billing.Country, o.Billing.Postcode = country, "10623"
		o.Customer.Email, o.Billing.Email = "kunde@example.de", "kunde@example.de"
		o.Customer.VATNumber = vat
	}
}

func TestPlanVATAbroad(t *testing.T) {
	from := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
	foreign := []sdk.ForeignVATRate{
		{Country: "DE", Class: sdk.VATHigh, RateCode: "SR", Percentage: d("19"), From: from},
		{Country: "DE", Class: sdk.VATLow, RateCode: "RRL", Percentage: d("7"), From: from},
		{Country: "BE", Class: sdk.VATHigh, RateCode: "SR", Percentage: d("21"), From: from},
	}
	for _, c := range []struct {
		name    string
		oss     bool
		order   sdk.Order
		scheme  VATScheme
		problem []string
		vat     string // the VAT number of the relatie to create
	}{
		{"a German consumer, OSS on: 19 %", true, mkOrder("1", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "")), SchemeOSS, nil, ""},
		{"a German consumer, OSS off: refused naming OSS", false, mkOrder("1", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "")), "",
			[]string{"19%", "OSS", "staat uit", "Duitsland"}, ""},
		{"a Belgian consumer at 21 %, OSS off: the Dutch rate", false, mkOrder("1", true, []ln{mug}, abroad("BE", "")), SchemeDomestic, nil, ""},
		{"a German consumer at a rate SnelStart lacks, OSS on: refused", true, mkOrder("1", true, []ln{{"MOK", "Mok", "1", "5.95", "16"}}, abroad("DE", "")), "",
			[]string{"16%", "OSS"}, ""},
		{"a German business with a VAT number, no VAT: ICP", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "de 123 456 789")), SchemeICP, nil, "DE123456789"},
		{"a German business charged VAT: a consumer sale, no VAT number on the relatie", true, mkOrder("1", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "DE123456789")), SchemeOSS, nil, ""},
		{"a VAT-free order with a VAT number of invalid form: refused naming it", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE12")), "",
			[]string{"DE12", "geen geldige vorm"}, ""},
		{"zero-rated goods only to a business: no ICP", false, mkOrder("1", false, []ln{{"VERSCHIL", "Cadeaubon", "1", "25.00", "0"}}, abroad("DE", "DE123456789")), SchemeDomestic, nil, ""},
		{"a delivery to the United States: export at 0 %", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("US", "")), SchemeExport, nil, ""},
		{"a USD order: refused naming both currencies", false, mkOrder("1", true, []ln{mug}, func(o *sdk.Order) { o.Currency = "USD" }), "",
			[]string{"USD", "EUR", "orders.currency"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			prof := testProfile()
			rd := testReferenceData()
			rd.Company.ForeignVAT = c.oss
			rd.ForeignVATRates = foreign
			rd.Countries = append(rd.Countries, sdk.Country{ID: "land-de", Code: "DE"}, sdk.Country{ID: "land-us", Code: "US"})
			ref, err := ResolveReference(prof, rd)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := NewPlanner(prof, ref, newMemView()).Plan(context.Background(), c.order)
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if c.problem != nil {
				mustAction(t, pl, ActionFail, c.problem...)
				return
			}
			mustAction(t, pl, ActionCreate)
			if pl.VATScheme != c.scheme {
				t.Fatalf("scheme %q, want %q", pl.VATScheme, c.scheme)
			}
			if !pl.Totals.Predicted || !pl.Totals.Ledger.Equal(c.order.Totals.Total) {
				t.Fatalf("SnelStart's expected total %s (predicted %v), shop %s", pl.Totals.Ledger, pl.Totals.Predicted, c.order.Totals.Total)
			}
			if r := pl.Customer.Relatie; r == nil || r.VATNumber != c.vat {
				t.Fatalf("relatie to create %+v, want VAT number %q", r, c.vat)
			}
			for _, w := range pl.Warnings {
				if strings.Contains(w, "VAT mismatch") {
					t.Fatalf("warning %q", w)
				}
			}
		})
	}
}
