package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/attention"
	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/sdk"
)

// raiseItems stores two attention items of profile winkel in the state store of dir.
func raiseItems(t *testing.T, st *state.Store) []attention.Item {
	t.Helper()
	shop, ledger := sdk.MustMoney("0"), sdk.MustMoney("121")
	var out []attention.Item
	for _, it := range []attention.Item{
		{Kind: attention.KindCancelled, ShopID: "77", ShopNumber: "1077", LedgerNumber: 9, ShopTotal: &shop, LedgerTotal: &ledger,
			Message: "Order 1077 is geannuleerd in de webwinkel.", Action: "Verwijder of crediteer verkooporder 9 in SnelStart."},
		{Kind: attention.KindChanged, ShopID: "78", ShopNumber: "1078", Detail: "x", Message: "Order 1078 is gewijzigd.", Action: "Pas de order aan."},
	} {
		got, _, err := attention.Raise(context.Background(), st, "winkel", it, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got)
	}
	return out
}

// inStore opens the state store of config directory dir, hands it to fill and closes it again.
func inStore(t *testing.T, dir string, fill func(st *state.Store)) {
	t.Helper()
	st, err := state.Open(context.Background(), filepath.Join(dir, "state"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAttentionAndResolve(t *testing.T) {
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	var items []attention.Item
	inStore(t, dir, func(st *state.Store) { items = raiseItems(t, st) })

	code, out, errs := run(t, nil, "attention", "winkel", "--config", dir)
	if code != 0 || !strings.Contains(out, "cancelled") || !strings.Contains(out, "1077") || !strings.Contains(out, "121.00") ||
		!strings.Contains(out, "Verwijder of crediteer verkooporder 9") || !strings.Contains(out, "2 open") {
		t.Fatalf("attention: %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, nil, "attention", "--json", "--kind", "changed", "--config", dir)
	var rows []serve.AttentionItemJSON
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 || rows[0].ShopNumber != "1078" {
		t.Fatalf("attention --json: %d %s", code, out)
	}
	if code, _, errs := run(t, nil, "attention", "nope", "--config", dir); code != ExitUsage || !strings.Contains(errs, "geen profiel") {
		t.Fatalf("unknown profile: %d %s", code, errs)
	}

	code, out, errs = run(t, nil, "resolve", "winkel", items[0].ID[:6], "--note", "verwijderd", "--config", dir)
	if code != 0 || !strings.Contains(out, "afgehandeld: "+items[0].ID) {
		t.Fatalf("resolve: %d %s %s", code, out, errs)
	}
	if code, out, _ := run(t, nil, "resolve", "winkel", items[0].ID, "--config", dir); code != 0 || !strings.Contains(out, "was al afgehandeld") {
		t.Fatalf("resolve again: %d %s", code, out)
	}
	if code, _, errs := run(t, nil, "resolve", "winkel", "ffffffffffff", "--config", dir); code != ExitUsage || !strings.Contains(errs, "koppel attention winkel --all") {
		t.Fatalf("resolve unknown: %d %s", code, errs)
	}
	code, out, _ = run(t, nil, "attention", "--all", "--json", "--config", dir)
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 2 || rows[0].Open || rows[0].Note != "verwijderd" || rows[0].ResolvedBy != "cli" {
		t.Fatalf("attention --all: %d %s", code, out)
	}
}

// TestAttentionThroughDaemon: while another process holds the state store, the commands ask the
// API on koppel.listen.
func TestAttentionThroughDaemon(t *testing.T) {
	dir := configDir(t, profileText("127.0.0.1:1", "127.0.0.1:1", "ZGVtbzpkZW1v", "cs_demo"))
	st, err := state.Open(context.Background(), filepath.Join(dir, "state"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	items := raiseItems(t, st)
	const token = "daemon-token-for-the-test"
	h, err := serve.New(serve.Options{Store: st, APIToken: token, RequireToken: true,
		Profiles: func() []*config.Profile { return []*config.Profile{{Name: "winkel"}} }})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	koppel := "koppel {\n  state_dir = \"./state\"\n  plugin_dir = \"./plugins\"\n  listen = \"" + l.Addr().String() + "\"\n  api_token = \"" + token + "\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(koppel), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errs := run(t, nil, "attention", "winkel", "--config", dir)
	if code != 0 || !strings.Contains(out, "1077") || !strings.Contains(out, "2 open") {
		t.Fatalf("attention through the daemon: %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := run(t, nil, "resolve", "winkel", items[1].ID, "--config", dir); code != 0 || !strings.Contains(out, "afgehandeld") {
		t.Fatalf("resolve through the daemon: %d %s %s", code, out, errs)
	}
	it, err := attention.Get(context.Background(), st, "winkel", items[1].ID)
	if err != nil || it.Open() || it.ResolvedBy != "api" {
		t.Fatalf("item after resolve through the daemon: %+v %v", it, err)
	}
	if code, _, errs := run(t, nil, "resolve", "winkel", "ffffffffffff", "--config", dir); code != ExitUsage {
		t.Fatalf("unknown item through the daemon: %d %s", code, errs)
	}
}
