package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// productStore is a fake of the product endpoints: /products?sku= does not return variations
// (as older stores), variations are found through /products/{id}/variations?sku=; batch
// endpoints refuse more than 100 items with 413 and report an unknown id inside the 200.
type productStore struct {
	mu       sync.Mutex
	batches  map[string][]int // path -> sizes of the batch requests
	written  map[string]string
	requests []string
}

func (p *productStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3")
	p.requests = append(p.requests, r.Method+" "+path+"?"+r.URL.Query().Get("sku")+r.URL.Query().Get("type"))
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && path == "/products" && q.Get("type") == "variable":
		_, _ = io.WriteString(w, `[{"id":500,"type":"variable","name":"Trui &amp; co","sku":"TR"}]`)
	case r.Method == http.MethodGet && path == "/products":
		var out []string
		for _, sku := range strings.Split(q.Get("sku"), ",") {
			if strings.HasPrefix(sku, "S-") {
				id := strings.TrimPrefix(sku, "S-")
				manage := "true"
				if id == "7" {
					manage = "false"
				}
				out = append(out, fmt.Sprintf(`{"id":%s,"type":"simple","sku":%q,"name":"P","manage_stock":%s,"stock_quantity":1}`, id, sku, manage))
			}
		}
		_, _ = io.WriteString(w, "["+strings.Join(out, ",")+"]")
	case r.Method == http.MethodGet && path == "/products/500/variations":
		var out []string
		for _, sku := range strings.Split(q.Get("sku"), ",") {
			if strings.HasPrefix(sku, "V-") {
				out = append(out, fmt.Sprintf(`{"id":%s,"parent_id":500,"type":"variation","sku":%q,"name":"M","manage_stock":true}`, strings.TrimPrefix(sku, "V-"), sku))
			}
		}
		_, _ = io.WriteString(w, "["+strings.Join(out, ",")+"]")
	case r.Method == http.MethodPost && strings.HasSuffix(path, "/batch"):
		var body struct {
			Update []struct {
				ID            int64           `json:"id"`
				StockQuantity json.RawMessage `json:"stock_quantity"`
			} `json:"update"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(400)
			return
		}
		p.batches[path] = append(p.batches[path], len(body.Update))
		if len(body.Update) > 100 {
			w.WriteHeader(413)
			_, _ = io.WriteString(w, `{"code":"woocommerce_rest_request_entity_too_large","message":"Unable to accept more than 100 items for this request.","data":{"status":413}}`)
			return
		}
		var out []string
		for _, u := range body.Update {
			switch u.ID {
			case 99999999:
				out = append(out, `{"id":99999999,"error":{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{"status":400}}}`)
			case 7:
				out = append(out, `{"id":7,"manage_stock":false,"stock_quantity":null}`)
			default:
				p.written[fmt.Sprint(u.ID)] = string(u.StockQuantity)
				out = append(out, fmt.Sprintf(`{"id":%d,"manage_stock":true,"stock_quantity":%s}`, u.ID, u.StockQuantity))
			}
		}
		_, _ = io.WriteString(w, `{"update":[`+strings.Join(out, ",")+`]}`)
	default:
		w.WriteHeader(404)
		_, _ = io.WriteString(w, `{"code":"rest_no_route","message":"No route","data":{"status":404}}`)
	}
}

func TestWriteStockBatches(t *testing.T) {
	ps := &productStore{batches: map[string][]int{}, written: map[string]string{}}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	s := newTestShop(t, srv.URL, nil)

	var levels []sdk.StockLevel
	for i := 1000; i < 1230; i++ { // 230 simple products with known ids
		levels = append(levels, sdk.StockLevel{SKU: fmt.Sprint("K", i), ProductID: fmt.Sprint(i), Quantity: d(fmt.Sprint(i % 7))})
	}
	for i := 600; i < 605; i++ { // 5 variations found by SKU through the parent
		levels = append(levels, sdk.StockLevel{SKU: fmt.Sprint("V-", i), Quantity: d("4")})
	}
	levels = append(levels,
		sdk.StockLevel{SKU: "S-42", Quantity: d("2.9")},                                   // simple, by SKU; written as 2
		sdk.StockLevel{SKU: "S-7", Quantity: d("1")},                                      // stock not managed
		sdk.StockLevel{SKU: "GONE", Quantity: d("1")},                                     // unknown SKU
		sdk.StockLevel{SKU: "OLD", ProductID: "99999999", Quantity: d("1")},               // refused inside the 200
		sdk.StockLevel{SKU: "V-700", ProductID: "700", ParentID: "500", Quantity: d("0")}, // known variation
	)
	res, err := s.WriteStock(context.Background(), levels)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(levels) {
		t.Fatalf("%d results for %d levels", len(res), len(levels))
	}
	for i := 0; i < 235; i++ {
		if res[i].Err != "" || res[i].NotFound {
			t.Errorf("level %d (%s): %+v", i, levels[i].SKU, res[i])
		}
	}
	checkStr(t, "variation parent", res[230].ParentID, "500")
	checkStr(t, "variation id", res[230].ProductID, "600")
	byID := map[string]sdk.StockResult{}
	for _, r := range res[235:] {
		byID[r.SKU] = r
	}
	if r := byID["S-42"]; r.Err != "" || r.ProductID != "42" || ps.written["42"] != "2" {
		t.Errorf("S-42: %+v written %q", r, ps.written["42"])
	}
	if r := byID["S-7"]; !strings.Contains(r.Err, "does not manage stock") {
		t.Errorf("S-7: %+v", r)
	}
	if r := byID["GONE"]; !r.NotFound || r.Err == "" {
		t.Errorf("GONE: %+v", r)
	}
	if r := byID["OLD"]; !r.NotFound || !strings.Contains(r.Err, "woocommerce_rest_product_invalid_id") {
		t.Errorf("OLD: %+v", r)
	}
	if r := byID["V-700"]; r.Err != "" || ps.written["700"] != "0" {
		t.Errorf("V-700: %+v", r)
	}
	if got := fmt.Sprint(ps.batches["/products/batch"]); got != "[100 100 33]" {
		t.Errorf("simple batches %s, want [100 100 33]", got)
	}
	if got := fmt.Sprint(ps.batches["/products/500/variations/batch"]); got != "[6]" {
		t.Errorf("variation batches %s, want [6]", got)
	}
	if ps.written["1003"] != "2" { // 1003 % 7
		t.Errorf("1003 written %q", ps.written["1003"])
	}
}

func TestFindProductsVariationFallback(t *testing.T) {
	ps := &productStore{batches: map[string][]int{}, written: map[string]string{}}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	s := newTestShop(t, srv.URL, nil)
	got, err := s.FindProducts(context.Background(), []string{"V-9", "S-1", "NOPE", "S-1", " "})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].SKU != "V-9" || got[0].ParentID != "500" || got[0].Name != "Trui & co - M" || got[1].ID != "1" {
		t.Fatalf("found %+v", got)
	}
	// Nothing missing: no variation search.
	ps.requests = nil
	if _, err := s.FindProducts(context.Background(), []string{"S-2"}); err != nil {
		t.Fatal(err)
	}
	if len(ps.requests) != 1 {
		t.Errorf("requests %v", ps.requests)
	}
}
