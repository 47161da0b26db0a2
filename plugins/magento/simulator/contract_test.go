package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	yaml "go.yaml.in/yaml/v4"
)

// specFile is Adobe's Swagger 2.0 document of the REST API, relative to the shared directory.
const specFile = "reference/external/magento-commerce-webapi.swagger.yaml"

// sharedDir is $KOPPEL_SHARED, or ../shared next to the directory holding go.mod.
func sharedDir() string {
	if d := os.Getenv("KOPPEL_SHARED"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// contractPaths are the operations the simulator serves and the connector calls.
var contractPaths = []string{"/V1/orders", "/V1/orders/{id}", "/V1/products", "/V1/products/{sku}",
	"/V1/stockItems/{productSku}", "/V1/products/{productSku}/stockItems/{itemId}", "/V1/inventory/source-items",
	"/V1/store/storeConfigs", "/V1/creditmemos", "/V1/order/{orderId}/refund", "/V1/orders/{id}/cancel", "/V1/orders/{id}/comments"}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// openAPIRouter loads the Swagger 2.0 document, converts it to OpenAPI 3 with kin-openapi's
// openapi2conv, keeps the operations above and applies two documented corrections where the
// document and Magento disagree (see the comments). It skips, naming the file, only when the
// shared directory is absent.
func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	path := filepath.Join(sharedDir(), specFile)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("OpenAPI document %s not found (set KOPPEL_SHARED): %v", path, err)
	}
	specOnce.Do(func() {
		specRouter, specErr = loadSpec(path)
	})
	if specErr != nil {
		t.Fatalf("OpenAPI document: %v", specErr)
	}
	return specRouter
}

func loadSpec(path string) (routers.Router, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	// info.description is a {"$ref": "intro/accs-intro.md"} in the document; Swagger 2.0 wants
	// a string.
	if m, ok := generic.(map[string]any); ok {
		if info, ok := m["info"].(map[string]any); ok {
			info["description"] = "Adobe Commerce REST API"
		}
		// host is a template with a scheme and a path, which Swagger 2.0 forbids; the
		// router matches on the path alone anyway.
		delete(m, "host")
	}
	js, err := json.Marshal(generic)
	if err != nil {
		return nil, fmt.Errorf("to json: %w", err)
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(js, &doc2); err != nil {
		return nil, fmt.Errorf("swagger 2.0: %w", err)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert to OpenAPI 3: %w", err)
	}
	keep := openapi3.NewPaths()
	for _, p := range contractPaths {
		item := doc.Paths.Value(p)
		if item == nil {
			return nil, fmt.Errorf("the document has no path %s", p)
		}
		keep.Set(p, item)
	}
	doc.Paths = keep
	// The document's host is a template ("https://<server>.api.commerce.adobe.com/<tenant-id>");
	// match on the path alone.
	doc.Servers = nil
	s := doc.Components.Schemas
	// Correction 1: the document declares error "parameters" as an array of objects
	// {fieldName, fieldValue, resources}; Magento sends a plain array (for %1) or a plain object
	// (for %name) (webshop-apis.md B.3). Accept exactly those two forms.
	// The schema is changed in place: resolved references point at it.
	*s["error-parameters"].Value = openapi3.Schema{OneOf: openapi3.SchemaRefs{
		openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema())),
		openapi3.NewSchemaRef("", openapi3.NewObjectSchema().WithAdditionalProperties(openapi3.NewStringSchema())),
	}}
	// Correction 2: required string fields Magento renders as null on a real order and stock
	// item (payment.account_status, payment.cc_last4, stock_item.low_stock_date).
	for def, props := range map[string][]string{
		"sales-data-order-payment-interface":          {"account_status", "cc_last4"},
		"catalog-inventory-data-stock-item-interface": {"low_stock_date"},
	} {
		for _, p := range props {
			s[def].Value.Properties[p].Value.Nullable = true
		}
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation()); err != nil {
		return nil, fmt.Errorf("validate converted document: %w", err)
	}
	return legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
}

// TestResponsesMatchOpenAPI sends the requests the connector sends (and some it must survive)
// to the simulator and validates every answer, status and body, against the document.
func TestResponsesMatchOpenAPI(t *testing.T) {
	router := openAPIRouter(t)
	sim, err := New(Options{AllowBearer: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.GenerateOrders(60, ""); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	sc := "searchCriteria[pageSize]=50&searchCriteria[currentPage]=1&searchCriteria[sortOrders][0][field]=updated_at&searchCriteria[sortOrders][0][direction]=ASC"
	cases := []struct {
		method, path, body string
		auth               bool
		status             int
	}{
		{"GET", "/V1/orders?" + sc, "", true, 200},
		{"GET", "/V1/orders?" + strings.ReplaceAll(sc, "currentPage]=1", "currentPage]=9"), "", true, 200},
		{"GET", "/V1/orders/1", "", true, 200},
		{"GET", "/V1/orders/2", "", true, 200},
		{"GET", "/V1/orders/3", "", true, 200},
		{"GET", "/V1/orders/99999", "", true, 404},
		{"GET", "/V1/orders", "", true, 400},
		{"GET", "/V1/orders?searchCriteria[pageSize]=abc", "", true, 400},
		{"GET", "/V1/orders?" + sc, "", false, 401},
		{"GET", "/V1/products?searchCriteria[pageSize]=100", "", true, 200},
		{"GET", "/V1/products/KP-1001", "", true, 200},
		{"GET", "/V1/products/HOODIE", "", true, 200},
		{"GET", "/V1/products/NOPE", "", true, 404},
		{"GET", "/V1/stockItems/KP-1001", "", true, 200},
		{"PUT", "/V1/products/KP-1001/stockItems/1", `{"stockItem":{"qty":12,"is_in_stock":true}}`, true, 200},
		{"GET", "/V1/inventory/source-items?searchCriteria[pageSize]=10", "", true, 200},
		// The document declares no 200 answer for this operation (only 400, 401 and an
		// error-response default); Magento answers [] (webshop-apis.md B.8), checked below.
		{"POST", "/V1/inventory/source-items", `{"sourceItems":[{"sku":"KP-1001","source_code":"default","quantity":3,"status":1}]}`, true, 200},
		{"POST", "/V1/inventory/source-items", `{"sourceItems":[{"sku":"NOPE","source_code":"default","quantity":3,"status":1}]}`, true, 400},
		{"GET", "/V1/store/storeConfigs", "", true, 200},
		{"POST", "/V1/orders/1/comments", `{"statusHistory":{"comment":"Betaald volgens SnelStart","is_customer_notified":0,"is_visible_on_front":0,"parent_id":1}}`, true, 200},
		{"GET", "/V1/orders/1/comments", "", true, 200},
		{"POST", "/V1/orders/1/comments", `{"statusHistory":{"comment":"x","is_visible_on_front":0,"parent_id":1}}`, true, 400},
		{"POST", "/V1/orders/99999/comments", `{"statusHistory":{"comment":"x","is_customer_notified":0,"is_visible_on_front":0,"parent_id":99999}}`, true, 404},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, srv.URL+"/rest/default"+c.path, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if c.auth {
				req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if c.method == "POST" && c.status == 200 && strings.Contains(c.path, "/comments") {
				if string(body) != "true" {
					t.Errorf("body %s, want true", body)
				}
			} else if c.method == "POST" && c.status == 200 {
				if string(body) != "[]" {
					t.Errorf("body %s, want []", body)
				}
				return
			}
			// Route on the API path without /rest/{store_code}.
			vreq, _ := http.NewRequest(c.method, "http://magento.test"+c.path, strings.NewReader(c.body))
			route, params, err := router.FindRoute(vreq)
			if err != nil {
				t.Fatalf("no operation in the document: %v", err)
			}
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
					Options: &openapi3filter.Options{ExcludeRequestBody: true, MultiError: true}},
				Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
				Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			}
			if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
				t.Errorf("response does not match the document: %v\nbody: %.400s", err, body)
			}
		})
	}
}

// TestOpenAPIValidatorCatchesMistakes proves the validation above has teeth: money as a
// string, a missing required field and a wrong total_count type are refused.
func TestOpenAPIValidatorCatchesMistakes(t *testing.T) {
	router := openAPIRouter(t)
	for name, body := range map[string]string{
		"money_as_string":  `{"items":[{"base_grand_total":1,"customer_email":"a@b.nl","grand_total":"12.10","items":[]}],"search_criteria":{"filter_groups":[]},"total_count":1}`,
		"missing_required": `{"items":[{"base_grand_total":1,"grand_total":1,"items":[]}],"search_criteria":{"filter_groups":[]},"total_count":1}`,
		"count_as_string":  `{"items":[],"search_criteria":{"filter_groups":[]},"total_count":"1"}`,
	} {
		vreq, _ := http.NewRequest("GET", "http://magento.test/V1/orders?searchCriteria=", nil)
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatal(err)
		}
		err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route},
			Status:                 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
		})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
