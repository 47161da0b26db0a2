package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
)

// directOrders is the number of generated orders BenchmarkImportVsDirect imports, as in the
// measurement of issue 19 (269 orders); directConcurrency is SnelStart's test-plan
// max_concurrent, given to koppel's ledger block and used by the direct client alike.
const (
	directOrders      = 269
	directConcurrency = 5
)

// BenchmarkImportVsDirect puts koppel's import beside the least a program must do to get the
// same orders into SnelStart, in one run, with the SnelStart simulator adding a latency to every
// API call (no rate limit):
//
//   - koppel: `koppel sync winkel import_orders` of directOrders generated orders from an empty
//     state, its ledger block at max_concurrent = directConcurrency (the test plan's);
//   - direct: a minimal Go client that gets a token with the client key (POST /b2b/token) and
//     creates each order with one POST /v2/verkooporders, directConcurrency at a time, into a
//     second simulator that already holds the customers and articles (seeded with the first
//     simulator's state after koppel's import, without its sales orders). Its order bodies are
//     the sales orders koppel created, so both send the same orders.
//
// Per latency (0 ms: koppel's own overhead; 50 ms: a network) it reports the wall time of each
// (koppel-s, direct-s), their ratio (wall-ratio, koppel / direct), the ledger calls per order of
// each (koppel-calls/order with the token and every look-up, direct-calls/order), and koppel's
// time per order beyond the direct client's (overhead-ms/order). From the simulators' stats it
// also reports where koppel's extra time lies: the HTTP requests per order (a look-up split to
// keep its request line short is one call but several requests: koppel-requests/order), the time
// from starting koppel to its first SnelStart request (koppel-start-s: process, plugins, state
// store, the shop's first page), and how many requests each kept in flight on average between
// its first request and its last answer (koppel-busy-slots, direct-busy-slots; at most
// directConcurrency).
func BenchmarkImportVsDirect(b *testing.B) {
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%s", latency), func(b *testing.B) {
			var koppelWall, directWall time.Duration
			var koppelCalls, directCalls, koppelRequests, orders int64
			var koppelStart time.Duration
			var koppelBusy, directBusy float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := newRig(b, rigOptions{Orders: directOrders, AllImportable: true,
					SSArgs:   []string{"--latency", latency.String()},
					Settings: map[string]string{"ledger.max_concurrent": strconv.Itoa(directConcurrency)}})
				b.StartTimer()
				start := time.Now()
				code, res, errs := r.sync()
				took := time.Since(start)
				b.StopTimer()
				if code != 0 || res.Imported != directOrders || res.Error != "" || res.Stopped != "" {
					b.Fatalf("koppel sync of %d orders: exit %d, imported %d, failed %d, retrying %d, stopped %q, error %q\n%s",
						directOrders, code, res.Imported, res.Failed, res.Retrying, res.Stopped, res.Error, tail(errs))
				}
				r.assertExactlyOnce("", r.importable())
				ks := r.ssStats()
				if ks.FirstRequest.Before(start) {
					b.Fatalf("the simulator had a request before koppel started")
				}
				koppelStart += ks.FirstRequest.Sub(start)
				koppelBusy += busySlots(ks)
				koppelRequests += ks.Requests
				bodies, seed := r.directInput()
				addr := startSim(b, "snelstart-online", "--seed", seed, "--latency", latency.String(), "--rate-limit", "-1")
				b.StartTimer()
				d, calls := directImport(b, addr, bodies, directConcurrency)
				b.StopTimer()
				var created simulator.Stats
				getJSON(b, "http://"+addr+"/_sim/stats", &created)
				if got := created.Creates["verkooporders"]; got != int64(len(bodies)) {
					b.Fatalf("direct import created %d sales orders, want %d", got, len(bodies))
				}
				directBusy += busySlots(created)
				koppelWall += took
				directWall += d
				koppelCalls += res.LedgerCalls
				directCalls += calls
				orders += int64(len(bodies))
				b.StartTimer()
			}
			b.ReportMetric(koppelWall.Seconds()/float64(b.N), "koppel-s")
			b.ReportMetric(directWall.Seconds()/float64(b.N), "direct-s")
			b.ReportMetric(koppelWall.Seconds()/directWall.Seconds(), "wall-ratio")
			b.ReportMetric(float64(koppelCalls)/float64(orders), "koppel-calls/order")
			b.ReportMetric(float64(directCalls)/float64(orders), "direct-calls/order")
			b.ReportMetric(float64((koppelWall-directWall).Milliseconds())/float64(orders), "overhead-ms/order")
			b.ReportMetric(float64(koppelRequests)/float64(orders), "koppel-requests/order")
			b.ReportMetric(koppelStart.Seconds()/float64(b.N), "koppel-start-s")
			b.ReportMetric(koppelBusy/float64(b.N), "koppel-busy-slots")
			b.ReportMetric(directBusy/float64(b.N), "direct-busy-slots")
		})
	}
}

// busySlots is how many requests a simulator had in flight on average between its first
// request and its last answer.
func busySlots(s simulator.Stats) float64 {
	span := s.LastAnswer.Sub(s.FirstRequest)
	if span <= 0 {
		return 0
	}
	return float64(s.BusyNanos) / float64(span)
}

// directInput returns the sales orders koppel created as bodies for POST /v2/verkooporders
// (without the fields SnelStart assigns), in the shop's order, and the path of a seed file
// holding the rig's administration without those orders: the customers and articles preloaded.
func (r *rig) directInput() ([][]byte, string) {
	r.t.Helper()
	st := r.ssState()
	var created []simulator.Verkooporder
	kept := st.Verkooporders[:0:0]
	for _, v := range st.Verkooporders {
		if r.before[string(v.ID)] {
			kept = append(kept, v)
		} else {
			created = append(created, v)
		}
	}
	sort.Slice(created, func(i, j int) bool { return created[i].Nummer < created[j].Nummer })
	st.Verkooporders = kept
	seed, err := json.Marshal(st)
	if err != nil {
		r.t.Fatal(err)
	}
	path := filepath.Join(r.t.TempDir(), "seed.json")
	if err := os.WriteFile(path, seed, 0o600); err != nil {
		r.t.Fatal(err)
	}
	bodies := make([][]byte, 0, len(created))
	for _, v := range created {
		v.ID, v.Nummer, v.URI, v.ModifiedOn = "", 0, "", simulator.Time{}
		v.Verkoopfactuur, v.VerkoopOrderStatus = nil, ""
		body, err := json.Marshal(v)
		if err != nil {
			r.t.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	return bodies, path
}

// directImport is the minimal client: a token by client key, then one POST /v2/verkooporders
// per body with conc workers. It returns the wall time and the calls it made (token included);
// any answer but 201 fails the benchmark.
func directImport(b *testing.B, addr string, bodies [][]byte, conc int) (time.Duration, int64) {
	b.Helper()
	ctx := context.Background()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}, Timeout: time.Minute}
	var calls atomic.Int64
	start := time.Now()
	form := url.Values{"grant_type": {"clientkey"}, "clientkey": {simulator.DefaultClientKey}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/b2b/token", strings.NewReader(form.Encode()))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	calls.Add(1)
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		b.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	work := make(chan []byte)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failure error
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for body := range work {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v2/verkooporders", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
				req.Header.Set("Ocp-Apim-Subscription-Key", simulator.DefaultSubscriptionKey)
				calls.Add(1)
				resp, err := hc.Do(req)
				if err == nil {
					msg, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("POST /v2/verkooporders: status %d: %.300s", resp.StatusCode, msg)
					}
				}
				if err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, body := range bodies {
		work <- body
	}
	close(work)
	wg.Wait()
	d := time.Since(start)
	if failure != nil {
		b.Fatal(failure)
	}
	return d, calls.Load()
}
