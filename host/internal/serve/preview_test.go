package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/host/internal/mapping"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// fakePlanner answers previews with a fixed report and records what it was asked.
type fakePlanner struct {
	asked []string
}

func (f *fakePlanner) Plan(_ context.Context, profile, task string, opts pipeline.PlanOptions) (pipeline.PlanReport, error) {
	f.asked = append(f.asked, fmt.Sprintf("%s/%s/%v/%d", profile, task, opts.OrderIDs, opts.Limit))
	rep := pipeline.PlanReport{Profile: profile, Task: task, At: t0}
	switch task {
	case pipeline.TaskExportStock:
		rep.Stock = []pipeline.StockPlan{{SKU: "MOK", Quantity: "12", Previous: "10"}}
		rep.Summary.Write = 1
	default:
		rep.Orders = []pipeline.OrderPlan{
			{Number: "1042", Action: mapping.ActionCreate, TotalShop: "1234.50", TotalLedger: "1234.50",
				Customer: &pipeline.CustomerPlan{Action: mapping.CustomerCreate, Name: "Bakkerij De Korrel"},
				Lines:    []pipeline.LinePlan{{ArticleCode: "KOFFIE", ArticleAction: mapping.ArticleCreate, Quantity: "2", UnitPrice: "10.9", VATClass: "Laag", VATRate: "9"}},
				ByRate:   []pipeline.RatePlan{{Rate: "9", Excl: "1132.57", VAT: "101.93", Incl: "1234.50"}}},
			{Number: "1043", Action: mapping.ActionFail, TotalShop: "10.00", Problems: []string{"VAT mismatch: line 1"}},
			{Number: "1040-R7", Of: "1040", LedgerNumber: 311, Reference: "1040-R7", Action: pipeline.ActionCredit, TotalShop: "-3.00", TotalLedger: "-3.00",
				Reason: fmt.Sprintf(text.Template("reason.plan_credit_refund"), "7", "3.00", 311),
				Lines:  []pipeline.LinePlan{{ArticleCode: "KORTING", Quantity: "-1", UnitPrice: "3", VATClass: "Hoog", VATRate: "21"}}},
			{Number: "1041", Of: "1041", LedgerNumber: 312, Action: pipeline.ActionDelete, TotalShop: "0.00", TotalLedger: "25.00",
				Reason: fmt.Sprintf(text.Template("reason.plan_cancel_delete"), 312, "25.00", "1041")},
		}
		rep.Summary = pipeline.PlanSummary{Create: 1, Fail: 1, Credit: 1, Delete: 1, TotalCredit: "-3.00"}
	}
	return rep, nil
}

func TestPreviewAPIAndPage(t *testing.T) {
	pl := &fakePlanner{}
	e := newEnv(t, func(o *Options) { o.Planner = pl })

	resp := e.do(t, "GET", "/api/profiles/winkel/plan?order=1042,1043&limit=5", nil, nil)
	wantStatus(t, resp, http.StatusOK)
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(readBody(t, resp))); err != nil {
		t.Fatal(err)
	}
	body := compact.String()
	for _, want := range []string{`"number":"1042"`, `"action":"create"`, `"total_shop":"1234.50"`, `"total_ledger":"1234.50"`,
		`"customer":{"action":"create"`, `"problems":["VAT mismatch: line 1"]`, `"summary":{"create":1,"fail":1,"skip":0`} {
		if !strings.Contains(body, want) {
			t.Fatalf("plan JSON lacks %s:\n%s", want, body)
		}
	}
	if got := pl.asked[0]; got != "winkel/import_orders/[1042 1043]/5" {
		t.Fatalf("asked %s", got)
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/api/profiles/nope/plan", http.StatusNotFound},
		{"/api/profiles/winkel/plan?task=dance", http.StatusBadRequest},
		{"/api/profiles/winkel/plan?task=export_stock&order=1", http.StatusBadRequest},
		{"/api/profiles/winkel/plan?limit=-1", http.StatusBadRequest},
	} {
		wantStatus(t, e.do(t, "GET", tc.path, nil, nil), tc.want)
	}

	dash := readBody(t, e.do(t, "GET", "/", nil, nil))
	if !strings.Contains(dash, `href="/profiles/winkel/plan"`) || !strings.Contains(dash, ">Voorbeeld<") {
		t.Fatalf("the dashboard has no Voorbeeld link")
	}
	page := readBody(t, e.do(t, "GET", "/profiles/winkel/plan", nil, nil))
	for _, want := range []string{"Voorbeeld: wat koppel zou boeken", "1 worden geïmporteerd, 1 mislukken, 0 worden overgeslagen",
		"nieuwe relatie aanmaken", "Bakkerij De Korrel", "nieuw artikel", "10,9", "Laag 9%", "€ 1.234,50", "Probleem: VAT mismatch",
		"Na import: 1 creditorders", "wordt als creditorder geboekt", "bij order 1040, verkooporder 311", "terugbetaling 7 van 3.00 wordt geboekt als creditorder bij verkooporder 311",
		"verkooporder wordt verwijderd", "verkooporder 312 van 25.00 wordt in SnelStart verwijderd"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the preview page lacks %q:\n%s", want, page)
		}
	}
	page = readBody(t, e.do(t, "GET", "/profiles/winkel/plan?lang=en", nil, nil))
	for _, want := range []string{"Preview: what koppel would book", "1 would be imported, 1 would fail", "create a new relatie", "€1,234.50"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the English preview page lacks %q", want)
		}
	}
	page = readBody(t, e.do(t, "GET", "/profiles/winkel/plan?task=export_stock&lang=nl", nil, nil))
	if !strings.Contains(page, "1 producten krijgen een nieuwe voorraad") || !strings.Contains(page, "<code>MOK</code>") {
		t.Fatalf("the stock preview lacks its levels:\n%s", page)
	}

	// Without a planner: no link, 503.
	e = newEnv(t, nil)
	if dash := readBody(t, e.do(t, "GET", "/", nil, nil)); strings.Contains(dash, "/plan") {
		t.Fatalf("a preview link without a planner")
	}
	wantStatus(t, e.do(t, "GET", "/api/profiles/winkel/plan", nil, nil), http.StatusServiceUnavailable)
}
