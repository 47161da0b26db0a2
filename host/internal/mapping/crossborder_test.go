package mapping

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/text"
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

// planAbroad plans o under prof with SnelStart's foreign rates for Germany (19 %, 7 %) and
// Belgium (21 %), OSS on or off, and (known) an existing German relatie without VAT number.
func planAbroad(t *testing.T, prof *config.Profile, oss, known bool, o sdk.Order) *Plan {
	t.Helper()
	from := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
	rd := testReferenceData()
	rd.Company.ForeignVAT = oss
	rd.ForeignVATRates = []sdk.ForeignVATRate{
		{Country: "DE", Class: sdk.VATHigh, RateCode: "SR", Percentage: d("19"), From: from},
		{Country: "DE", Class: sdk.VATLow, RateCode: "RRL", Percentage: d("7"), From: from},
		{Country: "BE", Class: sdk.VATHigh, RateCode: "SR", Percentage: d("21"), From: from},
	}
	rd.Countries = append(rd.Countries, sdk.Country{ID: "land-de", Code: "DE"}, sdk.Country{ID: "land-us", Code: "US"})
	ref, err := ResolveReference(prof, rd)
	if err != nil {
		t.Fatal(err)
	}
	v := newMemView()
	if known {
		v.relaties = append(v.relaties, sdk.Relatie{ID: "rel-2001", Code: 2001, Name: "Kunde GmbH", Customer: true, Email: "kunde@example.de",
			Address: sdk.LedgerAddress{Street: "Weg 1", Postcode: "10623", City: "Berlin", Country: "DE"}})
	}
	pl, err := NewPlanner(prof, ref, v).Plan(context.Background(), o)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return pl
}

func TestPlanVATAbroad(t *testing.T) {
	for _, c := range []struct {
		name    string
		oss     bool
		order   sdk.Order
		scheme  VATScheme
		problem []string
		vat     string // the VAT number of the relatie to create (or update)
		known   bool   // the customer is an existing relatie without VAT number
	}{
		{"a German consumer, OSS on: 19 %", true, mkOrder("1", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "")), SchemeOSS, nil, "", false},
		{"a German consumer, OSS off: refused naming OSS", false, mkOrder("1", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "")), "",
			[]string{"19%", "OSS", "is off", "Germany"}, "", false},
		{"a Belgian consumer at 21 %, OSS off: the Dutch rate", false, mkOrder("1", true, []ln{mug}, abroad("BE", "")), SchemeDomestic, nil, "", false},
		{"a German consumer at a rate SnelStart lacks, OSS on: refused", true, mkOrder("1", true, []ln{{"MOK", "Mok", "1", "5.95", "16"}}, abroad("DE", "")), "",
			[]string{"16%", "OSS"}, "", false},
		{"a German business with a VAT number, no VAT: ICP", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "de 123 456 789")), SchemeICP, nil, "DE123456789", false},
		{"an existing German business without VAT number, no VAT: ICP, the relatie gets the number", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE123456789")), SchemeICP, nil, "DE123456789", true},
		{"a German business charged VAT: a consumer sale, no VAT number on the relatie", true, mkOrder("1", true, []ln{{"MOK", "Mok", "2", "5.95", "19"}}, abroad("DE", "DE123456789")), SchemeOSS, nil, "", false},
		{"a VAT-free order with a VAT number of invalid form: refused naming it", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("DE", "DE12")), "",
			[]string{"DE12", "not of a valid form"}, "", false},
		{"zero-rated goods only to a business: no ICP", false, mkOrder("1", false, []ln{{"VERSCHIL", "Cadeaubon", "1", "25.00", "0"}}, abroad("DE", "DE123456789")), SchemeDomestic, nil, "", false},
		{"a delivery to the United States: export at 0 %", false, mkOrder("1", false, []ln{{"MOK", "Mok", "2", "5.00", "0"}}, abroad("US", "")), SchemeExport, nil, "", false},
		{"a USD order: refused naming both currencies", false, mkOrder("1", true, []ln{mug}, func(o *sdk.Order) { o.Currency = "USD" }), "",
			[]string{"USD", "EUR", "orders.currency"}, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			pl := planAbroad(t, testProfile(), c.oss, c.known, c.order)
			if c.problem != nil {
				mustAction(t, pl, ActionFail, c.problem...)
				// Stored in English, every problem is shown in Dutch from the catalogue.
				if nl := text.Reason(text.NL, pl.Problems[0]); nl == pl.Problems[0] || strings.Contains(nl, "VAT") {
					t.Fatalf("problem not rendered in Dutch: %q", nl)
				}
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
			if c.known && (pl.Customer.Action != CustomerUpdate || pl.Customer.ID != "rel-2001") {
				t.Fatalf("customer decision %+v, want an update of rel-2001", pl.Customer)
			}
			for _, w := range pl.Warnings {
				if strings.Contains(w, "VAT mismatch") {
					t.Fatalf("warning %q", w)
				}
			}
		})
	}
}
