package snelstart

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// benchEnv starts the simulator (rate limit simRate; -1 = off) and a connector with cfg.
func benchEnv(b *testing.B, simRate int, cfg func(sdk.Config) sdk.Config, tr http.RoundTripper) (*simulator.Server, *Connector) {
	b.Helper()
	sim, err := simulator.New(simulator.Options{RatePerMinute: simRate})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	b.Cleanup(srv.Close)
	conf := simConfig(srv.URL)
	if cfg != nil {
		conf = cfg(conf)
	}
	o := options{transport: tr}
	c, err := newConnector(conf, nil, o)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Check(ctxBg); err != nil { // token and first call outside the timing
		b.Fatal(err)
	}
	return sim, c
}

// parallel runs n calls of fn spread over workers goroutines.
func parallel(b *testing.B, n, workers int, fn func(i int) error) {
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkLookupThroughput measures the calls per second the connector sustains against the
// simulator with every rate limit off: each op is 2000 look-ups (FindRelaties by code, one GET
// each) from 8 goroutines, so the figure holds with -benchtime 1x (make bench).
func BenchmarkLookupThroughput(b *testing.B) {
	const perOp = 2000
	_, c := benchEnv(b, -1, nil, nil)
	before := c.Calls()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		parallel(b, perOp, 8, func(int) error {
			got, err := c.FindRelaties(ctxBg, sdk.RelatieQuery{Code: 1002})
			if err == nil && len(got) != 1 {
				err = fmt.Errorf("look-up found %d relaties", len(got))
			}
			return err
		})
	}
	elapsed := time.Since(start)
	calls := c.Calls() - before
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(calls)/float64(b.N*perOp), "calls/lookup")
}

// BenchmarkCreateSalesOrder measures sales orders created per second against the simulator
// with the rate limits off (500 orders per op from 8 goroutines), and the HTTP calls each
// order costs.
func BenchmarkCreateSalesOrder(b *testing.B) {
	const perOp = 500
	_, c := benchEnv(b, -1, nil, nil)
	before := c.Calls()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		parallel(b, perOp, 8, func(j int) error {
			_, err := c.CreateSalesOrder(ctxBg, orderFor(fmt.Sprintf("BENCH-%d-%d", i, j)))
			return err
		})
	}
	elapsed := time.Since(start)
	calls := c.Calls() - before
	orders := float64(b.N * perOp)
	b.ReportMetric(orders/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(calls)/orders, "calls/order")
}

// stampNext is the transport behind stampTransport (its own pool, so idle connections are
// kept as the connector's default transport keeps them).
var stampNext = func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return t
}()

// stampTransport records when each request started.
type stampTransport struct {
	mu    sync.Mutex
	times []time.Time
}

func (s *stampTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	return stampNext.RoundTrip(r)
}

// BenchmarkRateLimited runs a fixed workload of 25 look-ups from 8 goroutines with the
// connector's default limit (100 calls a minute, 5 at once) against a simulator that enforces
// the same limit. It reports the sustained rate after the initial burst, the most calls the
// simulator saw in any 60 s window, and the number of 429 answers (which must be zero). The
// workload takes about ten seconds.
func BenchmarkRateLimited(b *testing.B) {
	const limit, workload = 100, 25
	for i := 0; i < b.N; i++ {
		st := &stampTransport{}
		sim, c := benchEnv(b, limit, func(c sdk.Config) sdk.Config {
			return c.Set("rate_limit", limit).Set("max_concurrent", 5)
		}, st)
		jobs := make(chan struct{}, workload)
		for j := 0; j < workload; j++ {
			jobs <- struct{}{}
		}
		close(jobs)
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					if _, err := c.FindRelaties(ctxBg, sdk.RelatieQuery{Code: 1001}); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		stats := sim.Stats()
		if stats.RateLimited != 0 || stats.MaxPerWindow > limit {
			b.Fatalf("the connector went over the limit: %+v", stats)
		}
		burst := limit / 10
		st.mu.Lock()
		times := st.times
		st.mu.Unlock()
		if len(times) > burst+1 {
			after := times[burst:]
			span := after[len(after)-1].Sub(after[0])
			b.ReportMetric(float64(len(after)-1)/span.Minutes(), "sustained_calls/min")
		}
		b.ReportMetric(float64(stats.MaxPerWindow), "max_calls_in_60s")
		b.ReportMetric(float64(stats.RateLimited), "http_429")
		b.ReportMetric(limit, "limit/min")
	}
}
