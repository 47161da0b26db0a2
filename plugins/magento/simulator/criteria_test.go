package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func simGet(t *testing.T, srv *httptest.Server, rawQuery string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/rest/V1/products?"+rawQuery, nil)
	req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func skus(m map[string]any) []string {
	var out []string
	items, _ := m["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["sku"].(string))
	}
	return out
}

// TestSearchCriteria checks both spellings, OR within a group, AND across groups, the page
// clamp, and the 400 answers with both parameter forms.
func TestSearchCriteria(t *testing.T) {
	sim, err := New(Options{AllowBearer: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	or := q("searchCriteria[filter_groups][0][filters][0][field]", "sku", "searchCriteria[filter_groups][0][filters][0][value]", "KP-1001",
		"searchCriteria[filter_groups][0][filters][1][field]", "sku", "searchCriteria[filter_groups][0][filters][1][value]", "KP-1002")
	orCamel := q("searchCriteria[filterGroups][0][filters][0][field]", "sku", "searchCriteria[filterGroups][0][filters][0][value]", "KP-1001",
		"searchCriteria[filterGroups][0][filters][1][field]", "sku", "searchCriteria[filterGroups][0][filters][1][value]", "KP-1002",
		"searchCriteria[filterGroups][0][filters][1][conditionType]", "eq")
	and := q("searchCriteria[filter_groups][0][filters][0][field]", "sku", "searchCriteria[filter_groups][0][filters][0][value]", "KP-1001,KP-1002",
		"searchCriteria[filter_groups][0][filters][0][condition_type]", "in",
		"searchCriteria[filter_groups][1][filters][0][field]", "price", "searchCriteria[filter_groups][1][filters][0][value]", "10",
		"searchCriteria[filter_groups][1][filters][0][condition_type]", "gt")
	for name, c := range map[string]struct {
		query string
		want  []string
	}{
		"or_snake": {or, []string{"KP-1001", "KP-1002"}},
		"or_camel": {orCamel, []string{"KP-1001", "KP-1002"}},
		"and":      {and, []string{"KP-1001"}},
		"like":     {q("searchCriteria[filter_groups][0][filters][0][field]", "sku", "searchCriteria[filter_groups][0][filters][0][value]", "hoodie-%", "searchCriteria[filter_groups][0][filters][0][condition_type]", "like"), []string{"HOODIE-S", "HOODIE-M", "HOODIE-L"}},
	} {
		status, m := simGet(t, srv, c.query)
		if status != 200 || len(skus(m)) != len(c.want) {
			t.Errorf("%s: status %d, skus %v, want %v", name, status, skus(m), c.want)
			continue
		}
		for i, s := range c.want {
			if skus(m)[i] != s {
				t.Errorf("%s: skus %v, want %v", name, skus(m), c.want)
			}
		}
	}
	// Page clamp: page 99 of pageSize 10 returns the last page again, total_count unchanged.
	_, last := simGet(t, srv, q("searchCriteria[pageSize]", "10", "searchCriteria[currentPage]", "3"))
	_, past := simGet(t, srv, q("searchCriteria[pageSize]", "10", "searchCriteria[currentPage]", "99"))
	if len(skus(past)) == 0 || skus(past)[0] != skus(last)[0] || past["total_count"] != last["total_count"] {
		t.Errorf("page 99: %v (total %v), want page 3 again: %v", skus(past), past["total_count"], skus(last))
	}
	if sc := past["search_criteria"].(map[string]any); sc["current_page"] != float64(99) {
		t.Errorf("search_criteria echo %v, want current_page 99 as asked", sc)
	}
	for name, c := range map[string]struct {
		query, message string
		param          string
	}{
		"unknown_key":   {q("searchCriteria[filter_groups][0][filters][0][fieldx]", "sku"), `"%fieldName" is not supported. Correct the field name and try again.`, `{"fieldName":"fieldx"}`},
		"page_not_int":  {q("searchCriteria[pageSize]", "ten"), `The "%1" value's type is invalid. The "%2" type was expected. Verify and try again.`, `["ten","int"]`},
		"bad_date":      {q("searchCriteria[filter_groups][0][filters][0][field]", "updated_at", "searchCriteria[filter_groups][0][filters][0][value]", "2024-05-01T10:00:00Z", "searchCriteria[filter_groups][0][filters][0][condition_type]", "gteq"), `The "%1" value's type is invalid. The "%2" type was expected. Verify and try again.`, `["2024-05-01T10:00:00Z","datetime (YYYY-MM-DD HH:MM:SS)"]`},
		"bad_direction": {q("searchCriteria[sortOrders][0][field]", "sku", "searchCriteria[sortOrders][0][direction]", "UP"), `Sort order "%1" is not supported. Verify the sort order and try again.`, `["UP"]`},
	} {
		status, m := simGet(t, srv, c.query)
		p, _ := json.Marshal(m["parameters"])
		if status != 400 || m["message"] != c.message || string(p) != c.param {
			t.Errorf("%s: %d %v %s", name, status, m["message"], p)
		}
	}
	// Without credentials: 401 naming the resource.
	resp, err := http.Get(srv.URL + "/rest/default/V1/orders?searchCriteria=")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || string(b) != `{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Sales::actions_view"}}` {
		t.Errorf("401: %d %s", resp.StatusCode, b)
	}
}
