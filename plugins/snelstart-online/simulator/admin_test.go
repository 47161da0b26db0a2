package simulator

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The admin API: its index answers at the printed URL, and an article and a customer can be
// added without keys, through the API's own validation.
func TestAdminIndexAndAdd(t *testing.T) {
	srv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do("GET", "/_sim/", ""); code != http.StatusOK || !strings.Contains(body, "POST /_sim/artikelen") {
		t.Fatalf("GET /_sim/: %d\n%s", code, body)
	}
	cases := []struct {
		name, path, body string
		want             int
		in               string
	}{
		{"article", "/_sim/artikelen", `{"artikelcode":"VERZ","omschrijving":"Verzendkosten","artikelOmzetgroep":{"id":"` + string(OmzetgroepVerzending) + `"},"verkoopprijs":4.95}`, http.StatusCreated, `"artikelcode":"VERZ"`},
		{"article without omzetgroep", "/_sim/artikelen", `{"artikelcode":"X","omschrijving":"x"}`, http.StatusBadRequest, ""},
		{"customer", "/_sim/relaties", `{"relatiesoort":["Klant"],"naam":"Jansen Tuinen"}`, http.StatusCreated, `"naam":"Jansen Tuinen"`},
	}
	for _, tc := range cases {
		code, body := do("POST", tc.path, tc.body)
		if code != tc.want && !(tc.want == http.StatusCreated && code == http.StatusOK) {
			t.Fatalf("%s: %d %s", tc.name, code, body)
		}
		if tc.in != "" {
			if _, state := do("GET", "/_sim/state", ""); !strings.Contains(state, tc.in) {
				t.Fatalf("%s: not in the state after adding it", tc.name)
			}
		}
	}
}

// `simulate --seed demo` serves the built-in demo administration and prints an admin URL that
// answers.
func TestRunSeedDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"--addr", "127.0.0.1:0", "--seed", "demo"}, pw) }()
	buf := make([]byte, 4096)
	n, err := pr.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	line := string(buf[:n])
	i := strings.Index(line, "admin ")
	if i < 0 {
		t.Fatalf("no admin URL printed: %s", line)
	}
	admin := strings.Fields(line[i+len("admin "):])[0]
	resp, err := http.Get(admin)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", admin, resp.StatusCode)
	}
	st, err := http.Get(strings.TrimSuffix(admin, "/") + "/state")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(st.Body)
	st.Body.Close()
	if !strings.Contains(string(b), "SHIRT-01") || !strings.Contains(string(b), "ORDERVERSCHIL") {
		t.Fatal("--seed demo does not serve the demo administration")
	}
	cancel()
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("simulate did not stop")
	}
}
