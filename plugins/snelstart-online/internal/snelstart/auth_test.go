package snelstart

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func companyInfoRoute(f *fakeAPI) {
	f.handle("GET /v2/companyInfo", func(w http.ResponseWriter, r *http.Request) {
		writeJSONTest(w, http.StatusOK, map[string]any{
			"administratieNaam": "Demo BV 2026", "bedrijfsnaam": "Demo BV",
			"administratieIdentifier":  "0f0e0d0c-0b0a-4908-8706-050403020100",
			"regelkortingVerkooporder": "BerekenenOverRegelBedrag", "aantalDecimalenArtikelprijzen": 2,
			"verkoopprijsArtikelbestandExclusiefBtw": false, "kleineOndernemersregeling": map[string]any{"isKleineOndernemersRegelingActief": false},
		})
	})
}

func TestTokenCachedAndRenewedAMinuteBeforeExpiry(t *testing.T) {
	f := newFakeAPI(t)
	companyInfoRoute(f)
	clock := &fakeClock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	c, _ := f.connector(t, options{now: clock.now})
	ctx := context.Background()

	res, err := c.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary != `SnelStart administration "Demo BV 2026"` || res.Details["administration_id"] != "0f0e0d0c-0b0a-4908-8706-050403020100" {
		t.Fatalf("check result %+v", res)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokensIssued(); n != 1 {
		t.Fatalf("want the token reused, %d fetched", n)
	}
	clock.add(3599*time.Second - 61*time.Second) // 61 s left: still good
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.tokensIssued(); n != 1 {
		t.Fatalf("token renewed too early (%d fetched)", n)
	}
	clock.add(2 * time.Second) // 59 s left: renew
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.tokensIssued(); n != 2 {
		t.Fatalf("want a renewal a minute before expiry, %d fetched", n)
	}
}

func TestTokenRenewedOnceOn401(t *testing.T) {
	f := newFakeAPI(t)
	companyInfoRoute(f)
	c, _ := f.connector(t, options{})
	ctx := context.Background()
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	f.revokeTokens() // the server forgets the token before it expires
	if _, err := c.Check(ctx); err != nil {
		t.Fatalf("want a renewal and retry after a 401, got %v", err)
	}
	if n := f.tokensIssued(); n != 2 {
		t.Fatalf("want 2 tokens, got %d", n)
	}
	if n := f.count("GET /v2/companyInfo"); n != 3 {
		t.Fatalf("want 3 companyInfo calls (1 + refused + retried), got %d", n)
	}
}

func TestPersistent401IsAuth(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("GET /v2/companyInfo", func(w http.ResponseWriter, r *http.Request) {
		writeJSONTest(w, http.StatusUnauthorized, map[string]string{"message": "Authorization has been denied for this request."})
	})
	c, _ := f.connector(t, options{})
	_, err := c.Check(context.Background())
	se := wantKind(t, err, sdk.KindAuth)
	if !strings.Contains(se.Message, "koppelsleutel or subscription key was refused") {
		t.Fatalf("message %q", se.Message)
	}
	if n := f.count("GET /v2/companyInfo"); n != 2 {
		t.Fatalf("want exactly one retry after renewal, got %d calls", n)
	}
	if n := f.tokensIssued(); n != 2 {
		t.Fatalf("want one renewal, got %d tokens", n)
	}
}

func TestWrongSubscriptionKeyIsAuth(t *testing.T) {
	f := newFakeAPI(t)
	companyInfoRoute(f)
	cfg := testConfig(f.srv.URL).Set("subscription_key", "wrong-key-123")
	c, err := newConnector(cfg, nil, options{transport: newValidatingTransport(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Check(context.Background())
	se := wantKind(t, err, sdk.KindAuth)
	if !strings.Contains(se.Message, "subscription key was refused") || strings.Contains(se.Message, "wrong-key-123") {
		t.Fatalf("message %q", se.Message)
	}
}

func TestWrongClientKeyIsAuth(t *testing.T) {
	f := newFakeAPI(t)
	companyInfoRoute(f)
	cfg := testConfig(f.srv.URL).Set("client_key", "bm9wZTpub3Bl")
	c, err := newConnector(cfg, nil, options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Check(context.Background())
	se := wantKind(t, err, sdk.KindAuth)
	if se.Code != "invalid_grant" || strings.Contains(se.Error(), "bm9wZTpub3Bl") {
		t.Fatalf("error %v", se)
	}
	if f.count("GET /v2/companyInfo") != 0 {
		t.Fatal("API called without a token")
	}
}

func TestTokenURLUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	cfg := testConfig("http://" + addr)
	c, err := newConnector(cfg, nil, options{maxAttempts: 2, maxRetryWait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Check(context.Background())
	wantKind(t, err, sdk.KindUnreachable)
}

func TestConfigErrors(t *testing.T) {
	base := testConfig("http://127.0.0.1:1")
	tests := []struct {
		name string
		cfg  sdk.Config
		want string
	}{
		{"no client key", testConfig("http://x").Set("client_key", ""), "client_key"},
		{"no subscription key", testConfig("http://x").Set("subscription_key", " "), "subscription_key"},
		{"bad base url", testConfig("http://x").Set("base_url", "ftp://x"), "base_url"},
		{"bad rate", testConfig("http://x").Set("rate_limit", -1), "rate_limit"},
		{"bad lookup", testConfig("http://x").Set("order_lookup", "guess"), "order_lookup"},
		{"bad timeout", testConfig("http://x").Set("timeout", "soon"), "timeout"},
	}
	for _, tt := range tests {
		_, err := New(context.Background(), tt.cfg, nil)
		se := wantKind(t, err, sdk.KindConfig)
		if !strings.Contains(se.Message, tt.want) {
			t.Errorf("%s: %q does not name %s", tt.name, se.Message, tt.want)
		}
	}
	if _, err := New(context.Background(), base, nil); err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	// Defaults apply when attributes are absent.
	c, err := newConnector(sdk.Config{}.Set("client_key", "a").Set("subscription_key", "b"), nil, options{})
	if err != nil || c.baseURL != DefaultBaseURL || c.api.tokens.url != DefaultAuthURL || c.orderLookup != LookupAuto {
		t.Fatalf("defaults: %v %+v", err, c)
	}
	if err := Schema().Validate(); err != nil {
		t.Fatalf("schema: %v", err)
	}
	for _, n := range []string{"client_key", "subscription_key"} {
		if a, _ := Schema().Attribute(n); !a.Sensitive || !a.Required {
			t.Errorf("%s must be required and sensitive", n)
		}
	}
}
