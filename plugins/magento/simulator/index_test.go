package simulator

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestUpdatedIndexAnswersAsASort: for the connector's listings (updated_at bounds, sorted by
// updated_at then entity_id) the index range gives exactly what filtering and sorting every
// order gives, also after orders were touched (moved to the end) and in the same second.
func TestUpdatedIndexAnswersAsASort(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.GenerateOrders(300, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if i%7 == 0 {
			if err := s.TouchOrder(id, ""); err != nil {
				t.Fatal(err)
			}
		}
		if i%50 == 0 {
			s.Advance(3 * time.Second)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.byUpdated.sorted()
	if len(all) != len(s.orderList) {
		t.Fatalf("index holds %d orders, the store %d", len(all), len(s.orderList))
	}
	at := func(i int) string { return all[i].UpdatedAt }
	mid, late := at(len(all)/3), at(len(all)-5)
	both := []sortOrder{{"updated_at", "ASC"}, {"entity_id", "ASC"}}
	cases := []*criteria{
		{SortOrders: both},
		{FilterGroups: []filterGroup{{Filters: []filter{{"updated_at", mid, "gteq"}}}}, SortOrders: both},
		{FilterGroups: []filterGroup{{Filters: []filter{{"updated_at", mid, "gteq"}}}, {Filters: []filter{{"updated_at", late, "lt"}}}}, SortOrders: both},
		{FilterGroups: []filterGroup{{Filters: []filter{{"updated_at", mid, "gt"}}}, {Filters: []filter{{"updated_at", late, "lteq"}}}}, SortOrders: both[:1]},
		{FilterGroups: []filterGroup{{Filters: []filter{{"updated_at", mid, "from"}}}, {Filters: []filter{{"status", "processing", "eq"}}}}, SortOrders: both},
		{FilterGroups: []filterGroup{{Filters: []filter{{"updated_at", late, "gteq"}}}, {Filters: []filter{{"updated_at", mid, "lt"}}}}, SortOrders: both},
		{FilterGroups: []filterGroup{{Filters: []filter{{"updated_at", mid[:10], "gteq"}}}}, SortOrders: both},
	}
	for i, c := range cases {
		var want []int64
		var scanned []*Order
		for _, o := range s.orderList {
			if matches(c, orderFields, o) {
				scanned = append(scanned, o)
			}
		}
		sortItems(c, orderFields, scanned)
		for _, o := range scanned {
			want = append(want, o.EntityID)
		}
		rng, ok := s.byUpdated.updatedRange(c)
		if !ok {
			t.Fatalf("case %d: the index was not used", i)
		}
		var got []int64
		for _, o := range rng {
			if matches(c, orderFields, o) {
				got = append(got, o.EntityID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("case %d (%s): index gives %d orders %v..., a sort %d orders %v...", i, cacheKey(c), len(got), head(got), len(want), head(want))
		}
	}
	if _, ok := s.byUpdated.updatedRange(&criteria{SortOrders: []sortOrder{{"created_at", "ASC"}}}); ok {
		t.Error("a listing by created_at used the updated_at index")
	}
}

func head(ids []int64) string { return fmt.Sprint(ids[:min(len(ids), 8)]) }

// BenchmarkIncrementalListing measures the connector's incremental listing (orders updated in
// the last minute, sorted by updated_at and entity_id, first page) after one order changed,
// with 1,000 to 100,000 orders stored: ns/listing stays the same, as the listing walks only its
// range of the updated_at index.
func BenchmarkIncrementalListing(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		// The store is generated once per size, not for every b.N the framework tries.
		s, err := New(Options{AllowBearer: true})
		if err != nil {
			b.Fatal(err)
		}
		ids, err := s.GenerateOrders(n, "processing")
		if err != nil {
			b.Fatal(err)
		}
		s.Advance(time.Hour)
		s.mu.Lock()
		s.byUpdated.sorted() // the generated history is sorted once, before the timing
		s.mu.Unlock()
		h := s.Handler()
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if err := s.TouchOrder(ids[i%len(ids)], ""); err != nil {
					b.Fatal(err)
				}
				since := s.Now().Add(-time.Minute).UTC().Format(timeLayout)
				q := url.Values{
					"searchCriteria[filter_groups][0][filters][0][field]":          {"updated_at"},
					"searchCriteria[filter_groups][0][filters][0][value]":          {since},
					"searchCriteria[filter_groups][0][filters][0][condition_type]": {"gteq"},
					"searchCriteria[sortOrders][0][field]":                         {"updated_at"},
					"searchCriteria[sortOrders][0][direction]":                     {"ASC"},
					"searchCriteria[sortOrders][1][field]":                         {"entity_id"},
					"searchCriteria[sortOrders][1][direction]":                     {"ASC"},
					"searchCriteria[pageSize]":                                     {"100"},
					"searchCriteria[currentPage]":                                  {"1"},
				}
				req := httptest.NewRequest("GET", "/rest/V1/orders?"+q.Encode(), nil)
				req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("list: %d %.300s", rec.Code, rec.Body.String())
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/listing")
		})
	}
}
