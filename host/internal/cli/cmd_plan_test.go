package cli

import (
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// TestPrintPlan: the human report of a preview, in Dutch and in English.
func TestPrintPlan(t *testing.T) {
	rep := pipeline.PlanReport{Profile: "winkel", Task: pipeline.TaskImportOrders, Orders: []pipeline.OrderPlan{
		{Number: "1042", Action: mapping.ActionCreate, TotalShop: "29.95", TotalLedger: "29.95",
			Customer: &pipeline.CustomerPlan{Action: mapping.CustomerExisting, Code: 1001, Name: "Jan Jansen", MatchedBy: "email"},
			Lines: []pipeline.LinePlan{
				{ArticleCode: "KOFFIE", Quantity: "1", UnitPrice: "10.9", VATClass: "Laag", VATRate: "9", Description: "Koffie"},
				{ArticleCode: "NIEUW", ArticleAction: mapping.ArticleCreate, Quantity: "2", UnitPrice: "9.525", VATClass: "Hoog", VATRate: "21"},
			},
			ByRate: []pipeline.RatePlan{{Rate: "21", Excl: "15.74", VAT: "3.31", Incl: "19.05"}, {Rate: "9", Excl: "10.00", VAT: "0.90", Incl: "10.90"}}},
		{Number: "1043", Action: mapping.ActionFail, TotalShop: "12.10", Problems: []string{"VAT mismatch"},
			Customer: &pipeline.CustomerPlan{Action: mapping.CustomerCreate, Name: "Nina Nieuw"}},
		{Number: "1044", Action: mapping.ActionSkip, TotalShop: "5.00", Reason: "waiting for status processing"},
	}, Summary: pipeline.PlanSummary{Create: 1, Fail: 1, Skip: 1, More: true}}
	var nl, en strings.Builder
	printPlan(&nl, text.Printer{Lang: text.NL}, rep)
	printPlan(&en, text.Printer{Lang: text.EN}, rep)
	for _, want := range []string{"Voorbeeld van import_orders voor profiel winkel", "Order 1042, totaal webshop 29,95: wordt geïmporteerd",
		"Klant: bestaande relatie 1001 Jan Jansen (gevonden op email)", "NIEUW (nieuw artikel)", "9,525", "Hoog 21%",
		"Verwacht in SnelStart: 29,95", "btw 21%: excl. 15,74, btw 3,31, incl. 19,05", "Verschil: geen",
		"Order 1043, totaal webshop 12,10: mislukt", "Klant: nieuwe relatie aanmaken Nina Nieuw", "Probleem: VAT mismatch",
		"Order 1044, totaal webshop 5,00: wordt overgeslagen", "waiting for status processing",
		"Samenvatting: 1 worden geïmporteerd, 1 mislukken, 1 worden overgeslagen", "er zijn meer"} {
		if !strings.Contains(nl.String(), want) {
			t.Fatalf("Dutch report lacks %q:\n%s", want, nl.String())
		}
	}
	for _, want := range []string{"Preview of import_orders for profile winkel", "shop total 29.95: is imported", "existing relatie 1001",
		"Expected in SnelStart: 29.95", "Summary: 1 would be imported, 1 would fail, 1 would be skipped"} {
		if !strings.Contains(en.String(), want) {
			t.Fatalf("English report lacks %q:\n%s", want, en.String())
		}
	}
	var st strings.Builder
	printPlan(&st, text.Printer{Lang: text.NL}, pipeline.PlanReport{Profile: "winkel", Task: pipeline.TaskExportStock,
		Stock: []pipeline.StockPlan{{SKU: "MOK", Quantity: "12", Previous: "10"}}, Summary: pipeline.PlanSummary{Write: 1, Unchanged: 4}})
	if !strings.Contains(st.String(), "MOK") || !strings.Contains(st.String(), "12 (10)") || !strings.Contains(st.String(), "1 producten krijgen een nieuwe voorraad, 4 ongewijzigd") {
		t.Fatalf("stock report:\n%s", st.String())
	}
}
