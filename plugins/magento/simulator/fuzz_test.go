package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzSearchCriteria sends any query string to the three searchCriteria endpoints (orders,
// products, source items). Beyond not panicking: every answer is 200 or 400 with a JSON body,
// a 200 echoes its search_criteria and never holds more items than it counts, and a 400 is a
// Magento error-response with a message.
func FuzzSearchCriteria(f *testing.F) {
	for _, q := range []string{
		"searchCriteria[filter_groups][0][filters][0][field]=sku&searchCriteria[filter_groups][0][filters][0][value]=KP-1001",
		"searchCriteria[filterGroups][0][filters][0][field]=price&searchCriteria[filterGroups][0][filters][0][value]=10&searchCriteria[filterGroups][0][filters][0][conditionType]=gt",
		"searchCriteria[filter_groups][0][filters][0][field]=sku&searchCriteria[filter_groups][0][filters][0][value]=KP-%25&searchCriteria[filter_groups][0][filters][0][condition_type]=like&searchCriteria[pageSize]=2&searchCriteria[currentPage]=9",
		"searchCriteria[filter_groups][0][filters][0][field]=updated_at&searchCriteria[filter_groups][0][filters][0][value]=2024-05-01 10:00:00&searchCriteria[filter_groups][0][filters][0][condition_type]=gteq&searchCriteria[sortOrders][0][field]=updated_at&searchCriteria[sortOrders][0][direction]=desc",
		"searchCriteria[filter_groups][0][filters][0][field]=entity_id&searchCriteria[filter_groups][0][filters][0][value]=1,2,3&searchCriteria[filter_groups][0][filters][0][condition_type]=in",
		"searchCriteria[filter_groups][0][filters][0][field]=sku&searchCriteria[filter_groups][0][filters][0][value]=KP-1001&searchCriteria[filter_groups][0][filters][0][condition_type]=eq",
		"searchCriteria[pageSize]=9223372036854775807&searchCriteria[currentPage]=9223372036854775807",
		"searchCriteria[pageSize]=-1&searchCriteria[currentPage]=-5",
		"searchCriteria[sortOrders][0][field]=sku&searchCriteria[sortOrders][0][direction]=sideways",
		"searchCriteria[filter_groups][x][filters][0][field]=sku",
		"searchCriteria",
		"",
	} {
		for path := uint8(0); path < 3; path++ {
			f.Add(path, q)
		}
	}
	sim, err := New(Options{AllowBearer: true})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := sim.GenerateOrders(30, ""); err != nil {
		f.Fatal(err)
	}
	h := sim.Handler()
	paths := []string{"/rest/V1/orders", "/rest/V1/products", "/rest/V1/inventory/source-items"}
	f.Fuzz(func(t *testing.T, path uint8, rawQuery string) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("query took longer than 10s: %q", rawQuery)) })
		defer tm.Stop()
		req := httptest.NewRequest(http.MethodGet, "http://sim.example/", nil)
		req.URL.Path = paths[int(path)%len(paths)]
		req.URL.RawQuery = rawQuery
		req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var body struct {
			Message        *string           `json:"message"`
			Items          []json.RawMessage `json:"items"`
			SearchCriteria json.RawMessage   `json:"search_criteria"`
			TotalCount     int               `json:"total_count"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s?%s: %d answer is not JSON: %v", req.URL.Path, rawQuery, rec.Code, err)
		}
		switch rec.Code {
		case http.StatusOK:
			if body.SearchCriteria == nil || len(body.Items) > body.TotalCount {
				t.Fatalf("%s?%s: %d items of %d, criteria %s", req.URL.Path, rawQuery, len(body.Items), body.TotalCount, body.SearchCriteria)
			}
		case http.StatusBadRequest:
			if body.Message == nil || *body.Message == "" {
				t.Fatalf("%s?%s: 400 without message: %s", req.URL.Path, rawQuery, rec.Body)
			}
		default:
			t.Fatalf("%s?%s: status %d: %s", req.URL.Path, rawQuery, rec.Code, rec.Body)
		}
	})
}
