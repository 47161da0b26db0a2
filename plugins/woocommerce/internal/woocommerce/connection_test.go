package woocommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
)

// A store whose home URL has another host than the profile's url refuses the OAuth signature
// (it signs with its home URL); the error names the home URL and the setting to change, and is a
// configuration error, not "bad API keys". With the url set to the home URL it works.
func TestSignatureRefusedNamesTheHomeURL(t *testing.T) {
	_, u := startSimulator(t, simulator.Options{SiteURL: "http://winkel.example"})
	_, err := newTestShop(t, u, nil).Check(context.Background())
	if sdk.KindOf(err) != sdk.KindConfig || !strings.Contains(err.Error(), "home URL http://winkel.example") ||
		!strings.Contains(err.Error(), `url = "http://winkel.example"`) || strings.Contains(err.Error(), "bad API keys") {
		t.Fatalf("signature refused with another home: %v", err)
	}
	// The same keys, a wrong secret, and the right host: still "bad API keys".
	_, same := startSimulator(t, simulator.Options{})
	_, err = newTestShop(t, same, func(c sdk.Config) { c.Set(attrSecret, "cs_wrong") }).Check(context.Background())
	if sdk.KindOf(err) != sdk.KindAuth || strings.Contains(err.Error(), "home URL") {
		t.Fatalf("wrong secret on the right host: %v", err)
	}
}

// With Plain permalinks /wp-json/... answers 301 to the home page: the connector goes on through
// ?rest_route= (signed the same way) and says so in Check; listing works.
func TestPlainPermalinksFallBackToRestRoute(t *testing.T) {
	sim, u := startSimulator(t, simulator.Options{PlainPermalinks: true})
	if _, err := sim.GenerateOrders(12); err != nil {
		t.Fatal(err)
	}
	s := newTestShop(t, u, nil)
	res, err := s.Check(context.Background())
	if err != nil {
		t.Fatalf("Check with Plain permalinks: %v", err)
	}
	if !strings.Contains(res.Details["api"], "rest_route") {
		t.Fatalf("Check details do not say the API is reached through ?rest_route=: %v", res.Details)
	}
	n := 0
	if err := s.ListOrders(context.Background(), sdk.OrderQuery{Statuses: []string{"any"}}, func(sdk.OrderItem) error { n++; return nil }); err != nil || n == 0 {
		t.Fatalf("listing with Plain permalinks: %d orders, %v", n, err)
	}
	if st := sim.Stats(); st.AuthFailures != 0 {
		t.Fatalf("%d requests through ?rest_route= were refused", st.AuthFailures)
	}
}

// No message names an empty path: a refused index request says which address it asked.
func TestErrorsNameThePath(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":"rest_invalid_param","message":"Nope.","data":{"status":400}}`))
	}))
	defer srv.Close()
	_, err := newTestShop(t, srv.URL, nil).Check(context.Background())
	if err == nil || strings.Contains(err.Error(), "GET :") || !strings.Contains(err.Error(), "GET /wp-json/wc/v3:") {
		t.Fatalf("error = %v; want it to name GET /wp-json/wc/v3", err)
	}
}
