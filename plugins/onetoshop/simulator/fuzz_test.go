package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzListQuery sends any query string to the order and product lists and the shop and order
// resources. Beyond not panicking (the handler would turn a panic into a 500): every answer is
// JSON, a list answer's page never holds more than its limit, and a refusal is 400 or 422 with
// an error code and message.
func FuzzListQuery(f *testing.F) {
	for _, q := range []string{
		"limit=20&page=3&sort=updated_at",
		"updated_since=2026-11-24T10:00:00%2B01:00&limit=100",
		"status=paid,shipped",
		"sku=TUIN-001",
		"page=9223372036854775807&limit=100",
		"page=92233720368547758&limit=100",
		"limit=101", "limit=0", "page=-1", "updated_since=2026-11-24", "status=paid,unknown", "foo=1", "sort=created_at", "limit=1&limit=2",
		"",
	} {
		for path := uint8(0); path < 4; path++ {
			f.Add(path, q)
		}
	}
	clock := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	sim, err := New(Options{Clock: func() time.Time { return clock }})
	if err != nil {
		f.Fatal(err)
	}
	orders, err := sim.GenerateOrders(30)
	if err != nil {
		f.Fatal(err)
	}
	h := sim.Handler()
	paths := []string{"/orders", "/products", fmt.Sprintf("/orders/%d", orders[0].ID), "/shop"}
	f.Fuzz(func(t *testing.T, path uint8, rawQuery string) {
		tm := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("query took longer than 10s: %q", rawQuery)) })
		defer tm.Stop()
		req := httptest.NewRequest(http.MethodGet, "http://sim.example/", nil)
		p := paths[int(path)%len(paths)]
		req.URL.Path = DefaultBasePath + p
		req.URL.RawQuery = rawQuery
		req.Header.Set(DefaultAuthHeader, "Bearer "+DefaultToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var body struct {
			Data  json.RawMessage `json:"data"`
			Meta  *meta           `json:"meta"`
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s?%s: %d answer is not JSON: %v", p, rawQuery, rec.Code, err)
		}
		switch rec.Code {
		case http.StatusOK:
			if body.Meta != nil {
				var items []json.RawMessage
				if err := json.Unmarshal(body.Data, &items); err != nil || len(items) > body.Meta.Limit || body.Meta.Limit > MaxLimit {
					t.Fatalf("%s?%s: %d items with meta %+v (%v)", p, rawQuery, len(items), *body.Meta, err)
				}
			}
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			if body.Error == nil || body.Error.Code == "" || body.Error.Message == "" {
				t.Fatalf("%s?%s: %d without error body: %s", p, rawQuery, rec.Code, rec.Body)
			}
		default:
			t.Fatalf("%s?%s: status %d: %s", p, rawQuery, rec.Code, rec.Body)
		}
	})
}

// A page number so large that page × limit overflows answers an empty page instead of
// panicking in the slice expression (found by FuzzListQuery).
func TestListHugePage(t *testing.T) {
	sim, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.GenerateOrders(3); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"page=9223372036854775807&limit=100", "page=92233720368547758&limit=100", "page=4611686018427387904&limit=2"} {
		req := httptest.NewRequest(http.MethodGet, DefaultBasePath+"/orders?"+q, nil)
		req.Header.Set(DefaultAuthHeader, "Bearer "+DefaultToken)
		rec := httptest.NewRecorder()
		sim.Handler().ServeHTTP(rec, req)
		var body struct {
			Data []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusOK || err != nil || body.Data == nil || len(body.Data) != 0 {
			t.Errorf("%s: %d %s", q, rec.Code, rec.Body)
		}
	}
}
