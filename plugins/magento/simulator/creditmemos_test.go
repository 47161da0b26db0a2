package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// TestCreditmemosMatchOpenAPI: a refund of one item and of shipping, the credit memo search by
// order_id and a cancellation, each answer checked against Adobe's document; amounts add up and
// an order refunded in full is closed.
func TestCreditmemosMatchOpenAPI(t *testing.T) {
	router := openAPIRouter(t)
	sim, err := New(Options{AllowBearer: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := sim.GenerateOrders(2, "processing")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := sim.GenerateOrders(1, "pending")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	o := sim.orders[ids[0]]
	first := o.Items[0]
	for first.ParentItemID != nil {
		first = o.Items[1]
	}
	call := func(method, path, body string, status int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+"/rest/default"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, status, b)
		}
		vreq, _ := http.NewRequest(method, "http://magento.test"+strings.SplitN(path, "?", 2)[0]+"?"+func() string {
			if i := strings.Index(path, "?"); i >= 0 {
				return path[i+1:]
			}
			return ""
		}(), strings.NewReader(body))
		vreq.Header.Set("Content-Type", "application/json")
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatalf("%s %s: no operation in the document: %v", method, path, err)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
				Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(b)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if err := openapi3filter.ValidateRequest(context.Background(), in.RequestValidationInput); err != nil {
			t.Errorf("%s %s: request does not match the document: %v", method, path, err)
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s: response does not match the document: %v\nbody: %.400s", method, path, err, b)
		}
		return b
	}
	body := fmt.Sprintf(`{"items":[{"order_item_id":%d,"qty":1}],"arguments":{"shipping_amount":%s}}`, first.ItemID, o.ShippingAmount.d.String())
	cmID := call("POST", fmt.Sprintf("/V1/order/%d/refund", ids[0]), body, 200)
	call("POST", fmt.Sprintf("/V1/order/%d/refund", ids[0]), `{"items":[],"arguments":{"adjustment_positive":100000}}`, 400)
	call("POST", fmt.Sprintf("/V1/order/%d/refund", pending[0]), `{"arguments":{"adjustment_positive":1}}`, 400)
	sc := fmt.Sprintf("searchCriteria[filterGroups][0][filters][0][field]=order_id&searchCriteria[filterGroups][0][filters][0][value]=%d&searchCriteria[filterGroups][0][filters][0][conditionType]=eq", ids[0])
	var res struct {
		Items []struct {
			EntityID   int64       `json:"entity_id"`
			GrandTotal json.Number `json:"grand_total"`
			Items      []struct {
				OrderItemID     int64       `json:"order_item_id"`
				RowTotalInclTax json.Number `json:"row_total_incl_tax"`
			} `json:"items"`
			ShippingInclTax json.Number `json:"shipping_incl_tax"`
		} `json:"items"`
		TotalCount int `json:"total_count"`
	}
	if err := json.Unmarshal(call("GET", "/V1/creditmemos?"+sc, "", 200), &res); err != nil {
		t.Fatal(err)
	}
	if res.TotalCount != 1 || fmt.Sprint(res.Items[0].EntityID) != string(bytes.TrimSpace(cmID)) || len(res.Items[0].Items) != 1 {
		t.Fatalf("credit memos %+v", res)
	}
	cm := sim.creditmemos[0]
	sum := cm.Items[0].RowTotalInclTax.d.Sub(cm.Items[0].DiscountAmount.d).Add(cm.ShippingInclTax.d)
	if !sum.Equal(cm.GrandTotal.d) || !sim.orders[ids[0]].TotalRefunded.d.Equal(cm.GrandTotal.d) {
		t.Errorf("grand total %s, items+shipping %s, order refunded %s", cm.GrandTotal.d, sum, sim.orders[ids[0]].TotalRefunded.d)
	}

	// Refunding the rest closes the order.
	left := o.GrandTotal.d.Sub(o.TotalRefunded.d)
	call("POST", fmt.Sprintf("/V1/order/%d/refund", ids[0]), fmt.Sprintf(`{"arguments":{"adjustment_positive":%s}}`, left), 200)
	if o.State != "closed" {
		t.Errorf("fully refunded order in state %q", o.State)
	}
	if b := call("POST", fmt.Sprintf("/V1/orders/%d/cancel", pending[0]), "", 200); string(b) != "true" {
		t.Errorf("cancel a pending order: %s", b)
	}
	if b := call("POST", fmt.Sprintf("/V1/orders/%d/cancel", ids[1]), "", 200); string(b) != "false" {
		t.Errorf("cancel an invoiced order: %s", b)
	}
	if sim.orders[pending[0]].State != "canceled" {
		t.Errorf("cancelled order in state %q", sim.orders[pending[0]].State)
	}
}
