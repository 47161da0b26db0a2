package snelstart

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-online/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// landenTransport counts the GET /landen requests and holds the first until the reference data's
// read of the VAT rates arrived (ReferenceData has started).
type landenTransport struct {
	next http.RoundTripper

	mu      sync.Mutex
	landen  int
	started chan struct{} // closed at the first GET /btwtarieven
	once    sync.Once
}

func (l *landenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case strings.HasSuffix(req.URL.Path, "/btwtarieven"):
		l.once.Do(func() { close(l.started) })
	case strings.HasSuffix(req.URL.Path, "/landen"):
		l.mu.Lock()
		l.landen++
		first := l.landen == 1
		l.mu.Unlock()
		if first {
			select {
			case <-l.started:
			case <-time.After(5 * time.Second):
			}
		}
	}
	return l.next.RoundTrip(req)
}

// A customer look-up that loads the countries while the reference data is being read (the run
// asks both at its start) shares one GET /landen with it; a later ReferenceData reads the list
// afresh.
func TestReferenceDataSharesTheCountriesRead(t *testing.T) {
	sim, err := simulator.New(simulator.Options{RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	lt := &landenTransport{next: newValidatingTransport(t, nil), started: make(chan struct{})}
	c, err := newConnector(simConfig(srv.URL), nil, options{transport: lt})
	if err != nil {
		t.Fatal(err)
	}
	lookUp := make(chan error, 1)
	go func() {
		_, err := c.FindRelaties(ctxBg, sdk.RelatieQuery{Email: "nobody@example.nl"})
		lookUp <- err
	}()
	// The look-up's countries read is held until ReferenceData has started.
	rd, err := c.ReferenceData(ctxBg)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-lookUp; err != nil {
		t.Fatal(err)
	}
	if len(rd.Countries) == 0 {
		t.Fatalf("no countries in the reference data")
	}
	lt.mu.Lock()
	n := lt.landen
	lt.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d GET /landen for a look-up beside the reference data, want 1", n)
	}
	if _, err := c.ReferenceData(ctxBg); err != nil {
		t.Fatal(err)
	}
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if lt.landen != 2 {
		t.Fatalf("%d GET /landen after a second ReferenceData, want 2 (it refreshes the list)", lt.landen)
	}
}
