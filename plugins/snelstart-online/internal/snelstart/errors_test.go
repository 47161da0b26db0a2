package snelstart

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

func TestParseErrorBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []apiError
	}{
		{"array of coded errors", `[{"errorCode":"REL-0008","message":"Relatiecode reeds in gebruik","details":"1043"}]`,
			[]apiError{{Code: "REL-0008", Message: "Relatiecode reeds in gebruik", Details: "1043"}}},
		{"array with two", `[{"errorCode":"VOR-0007","message":"Postcode mag maximaal 25 karakters bevatten"},{"errorCode":"VOR-0011","message":"x"}]`,
			[]apiError{{Code: "VOR-0007", Message: "Postcode mag maximaal 25 karakters bevatten"}, {Code: "VOR-0011", Message: "x"}}},
		{"model state", `{"message":"The request is invalid.","modelState":{"model.regels[0].aantal":["Error converting value \"x\""],"model.datum":["Required"]}}`,
			[]apiError{{Message: "datum: Required"}, {Message: "regels[0].aantal: Error converting value \"x\""}}},
		{"Message capitalised", `{"Message":"No HTTP resource was found that matches the request URI."}`,
			[]apiError{{Message: "No HTTP resource was found that matches the request URI."}}},
		{"message lower case", `{"message":"Ongeldig OData filter"}`, []apiError{{Message: "Ongeldig OData filter"}}},
		{"single object with code", `{"errorCode":"ALG-0104","message":"Ongeldig OData filter"}`, []apiError{{Code: "ALG-0104", Message: "Ongeldig OData filter"}}},
		{"APIM", `{"statusCode":401,"message":"Access denied due to invalid subscription key."}`, []apiError{{Message: "Access denied due to invalid subscription key."}}},
		{"plain text", "Bad Request\nmore", []apiError{{Message: "Bad Request"}}},
		{"empty", "  ", nil},
		{"broken json", `[{"errorCode":`, []apiError{{Message: `[{"errorCode":`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseErrorBody([]byte(tt.body)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestExplainMessages(t *testing.T) {
	long := strings.Repeat("9", 26)
	delivery := orderAddressRoles(&verkooporderWrite{Afleveradres: &adres{Postcode: long}, Factuuradres: &adres{Postcode: "1234AB"}})
	invoice := orderAddressRoles(&verkooporderWrite{Factuuradres: &adres{Straat: strings.Repeat("s", 51)}})
	both := orderAddressRoles(&verkooporderWrite{Afleveradres: &adres{Plaats: strings.Repeat("p", 51)}, Factuuradres: &adres{Plaats: strings.Repeat("p", 51)}})
	tests := []struct {
		e     apiError
		roles addressRoles
		want  string
	}{
		{apiError{Code: "VOR-0007", Message: "Postcode mag maximaal 25 karakters bevatten"}, delivery, "postcode longer than 25 characters on the delivery address"},
		{apiError{Code: "VOR-0006"}, invoice, "street longer than 50 characters on the invoice address"},
		{apiError{Code: "VOR-0008"}, both, "city longer than 50 characters on the delivery and invoice addresses"},
		{apiError{Code: "VOR-0007"}, nil, "postcode longer than 25 characters on the delivery or invoice address"},
		{apiError{Code: "VOR-0010"}, delivery, "the country on the delivery or invoice address is not known in SnelStart"},
		{apiError{Code: "VOR-0002"}, nil, "the relatie is not a customer (klant) in SnelStart; tick 'Klant' on the relatie card"},
		{apiError{Code: "VOR-0011"}, nil, "order reference (orderreferentie) longer than 50 characters"},
		{apiError{Code: "REL-0021"}, nil, "postcode longer than 25 characters on the business address (vestigingsadres)"},
		{apiError{Code: "REL-0008", Details: "1043"}, nil, "the customer number (relatiecode) is already in use in SnelStart (1043)"},
		{apiError{Code: "ART-0005"}, nil, "an article with this code already exists in SnelStart"},
		{apiError{Code: "ART-0009"}, nil, "the revenue group (artikelomzetgroep) does not exist in SnelStart; choose an existing one in the profile"},
		{apiError{Code: "VOR-0021", Message: "Verkooporder extra ingave bedrag veld is ongeldig"}, nil, "an extra field (extra ingave) of the sales order template is not valid (SnelStart: Verkooporder extra ingave bedrag veld is ongeldig)"},
		{apiError{Code: "XYZ-0001", Message: "Iets onbekends"}, nil, "Iets onbekends"},
		{apiError{Message: "regels[0].aantal: Error converting"}, nil, "regels[0].aantal: Error converting"},
	}
	for _, tt := range tests {
		if got := explain(tt.e, tt.roles); got != tt.want {
			t.Errorf("explain(%s): got %q, want %q", tt.e.Code, got, tt.want)
		}
	}
	// Every table entry is English and has no unreplaced placeholder but {addr}.
	for code, msg := range errorMessages {
		if strings.Contains(strings.ReplaceAll(msg, "{addr}", ""), "{") {
			t.Errorf("%s: stray placeholder in %q", code, msg)
		}
	}
}

func TestScopeFor(t *testing.T) {
	for _, tt := range []struct{ method, path, want string }{
		{"GET", "/artikelen/1", "artikelen:read"},
		{"POST", "/verkooporders", "orders:write"},
		{"GET", "/verkoopordersjablonen", "orders:read"},
		{"PUT", "/relaties/x", "relaties:write"},
		{"GET", "/companyInfo", "settings:read"},
		{"GET", "/landen", "settings:read"},
	} {
		if got := scopeFor(tt.method, tt.path); got != tt.want {
			t.Errorf("scopeFor(%s %s) = %s, want %s", tt.method, tt.path, got, tt.want)
		}
	}
}

// TestErrorShapesEndToEnd sends a sales order to a server answering each 400 shape, and
// checks the connector's error: KindPermanent, SnelStart's code, a message naming what to fix.
func TestErrorShapesEndToEnd(t *testing.T) {
	customer := "11111111-2222-4333-8444-555555555555"
	article := "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	tests := []struct {
		name     string
		status   int
		body     string
		kind     sdk.ErrorKind
		code     string
		contains string
	}{
		{"array", 400, `[{"errorCode":"VOR-0007","message":"Postcode mag maximaal 25 karakters bevatten"}]`, sdk.KindPermanent, "VOR-0007", "postcode longer than 25 characters on the delivery address"},
		{"model state", 400, `{"message":"The request is invalid.","modelState":{"model.regels[0].aantal":["Error converting value"]}}`, sdk.KindPermanent, "http_400", "regels[0].aantal: Error converting value"},
		{"message", 400, `{"Message":"Er is iets misgegaan"}`, sdk.KindPermanent, "http_400", "Er is iets misgegaan"},
		{"403 scope", 403, ``, sdk.KindAuth, "http_403", "scope orders:write is missing"},
		{"404", 404, `{"Message":"not found"}`, sdk.KindNotFound, "http_404", "was not found"},
		{"500 on create", 500, `{"message":"An error has occurred."}`, sdk.KindOutcomeUnknown, "http_500", "may have been created"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.handle("POST /v2/verkooporders", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			c, vt := f.connector(t, options{maxAttempts: 1})
			price := sdk.MustMoney("10.00")
			_, err := c.CreateSalesOrder(context.Background(), sdk.SalesOrder{
				CustomerID: customer, Date: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), OrderReference: "WS-1001",
				DeliveryAddress: &sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: strings.Repeat("1", 30), City: "Ergens", Country: "NL"},
				InvoiceAddress:  &sdk.LedgerAddress{Street: "Dorpsstraat 1", Postcode: "1234 AB", City: "Ergens", Country: "NL"},
				Lines:           []sdk.SalesOrderLine{{ArticleID: article, Quantity: sdk.MustMoney("2"), UnitPrice: &price}},
			})
			se := wantKind(t, err, tt.kind)
			if se.Code != tt.code {
				t.Errorf("code %q, want %q", se.Code, tt.code)
			}
			if !strings.Contains(se.Message, tt.contains) {
				t.Errorf("message %q does not contain %q", se.Message, tt.contains)
			}
			if vt.count() == 0 {
				t.Error("no request was validated against the OpenAPI document")
			}
		})
	}
}
