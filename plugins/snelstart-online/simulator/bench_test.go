package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestConcurrentCreatesGetUniqueNumbers creates orders from several goroutines and checks that
// every order got its own nummer and the counter advanced once per order.
func TestConcurrentCreatesGetUniqueNumbers(t *testing.T) {
	c := newSim(t, Options{RatePerMinute: -1})
	const workers, each = 8, 10
	var wg sync.WaitGroup
	nums := make(chan int32, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				st, _, b := c.raw("POST", "/v2/verkooporders", orderBody(RelatieJanDeVries, line(ArtikelShirt, "1", "10")))
				var o Verkooporder
				if st != 201 || json.Unmarshal(b, &o) != nil {
					t.Errorf("create: %d", st)
					return
				}
				nums <- o.Nummer
			}
		}()
	}
	wg.Wait()
	close(nums)
	seen := map[int32]bool{}
	for n := range nums {
		if seen[n] {
			t.Errorf("nummer %d handed out twice", n)
		}
		seen[n] = true
	}
	if d := c.srv.Dump(); len(d.Verkooporders) != workers*each || d.CompanyInfo.VolgendVerkoopordernummer != 1001+workers*each {
		t.Errorf("orders %d, next nummer %d", len(d.Verkooporders), d.CompanyInfo.VolgendVerkoopordernummer)
	}
}

// BenchmarkCreateOrder measures POST /v2/verkooporders through the full handler stack.
func BenchmarkCreateOrder(b *testing.B) {
	srv, err := New(Options{RatePerMinute: -1})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	form := "grant_type=clientkey&clientkey=" + DefaultClientKey
	resp, err := http.Post(hs.URL+"/b2b/token", "application/x-www-form-urlencoded", bytes.NewBufferString(form))
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	body, _ := json.Marshal(orderBody(RelatieJanDeVries, line(ArtikelShirt, "2", "10"), line(ArtikelKookboek, "1", "27.5")))
	start := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", hs.URL+"/v2/verkooporders", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Ocp-Apim-Subscription-Key", DefaultSubscriptionKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("create: %v", err)
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
}
