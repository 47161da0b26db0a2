package plugin

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/sdk"
)

// debugShop is a minimal shop for the debug-mode test.
type debugShop struct{ sdk.Shop }

func (debugShop) Check(context.Context) (sdk.CheckResult, error) {
	return sdk.CheckResult{Summary: "debug shop"}, nil
}

// lockedBuffer is an io.Writer safe for the server goroutine and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestServeDebugReattach(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := ServeOpts{
		Info: sdk.PluginInfo{Name: "dbg", Kind: sdk.KindShop, Version: "0.0.1"},
		NewShop: func(context.Context, sdk.Config, hclog.Logger) (sdk.Shop, error) {
			return debugShop{}, nil
		},
	}
	var out, logs lockedBuffer
	ready := make(chan ReattachInfo, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeDebug(ctx, opts, DebugOpts{Out: &out, Log: &logs, Ready: func(_ string, ri ReattachInfo) { ready <- ri }})
	}()
	var ri ReattachInfo
	select {
	case ri = <-ready:
	case err := <-done:
		t.Fatalf("ServeDebug returned early: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatal("debug server not ready after 20s")
	}

	// The printed line is what a person pastes; it must parse back to the same information.
	printed := out.String()
	i := strings.Index(printed, ReattachEnv+"='")
	if i < 0 {
		t.Fatalf("no %s line in:\n%s", ReattachEnv, printed)
	}
	line := printed[i:]
	line = line[:strings.Index(line, "\n")]
	parsed, err := ParseReattach(line)
	if err != nil {
		t.Fatalf("ParseReattach(%s): %v", line, err)
	}
	if parsed["dbg"] != ri {
		t.Fatalf("parsed %+v, served %+v", parsed["dbg"], ri)
	}

	// Connect twice, as two host runs would: the process survives the first client's Kill.
	for run := 1; run <= 2; run++ {
		cc, err := ReattachClientConfig(parsed["dbg"], ClientOptions{Logger: hclog.NewNullLogger()})
		if err != nil {
			t.Fatal(err)
		}
		client := goplugin.NewClient(cc)
		remote, err := Dispense(client)
		if err != nil {
			client.Kill()
			t.Fatalf("run %d: dispense: %v", run, err)
		}
		info, err := remote.Info(ctx)
		if err != nil || info.Name != "dbg" {
			t.Fatalf("run %d: Info = %+v, %v", run, info, err)
		}
		res, err := remote.Shop("profile", sdk.Config{}).Check(ctx)
		if err != nil || res.Summary != "debug shop" {
			t.Fatalf("run %d: Check = %+v, %v", run, res, err)
		}
		client.Kill()
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ServeDebug: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeDebug did not return after its context was cancelled")
	}
}

func TestParseReattach(t *testing.T) {
	good := `{"a":{"protocol":"grpc","protocol_version":1,"pid":7,"network":"unix","address":"/tmp/x.sock"}}`
	cases := []struct {
		name, in, wantErr string
		n                 int
	}{
		{"empty", "", "", 0},
		{"plain", good, "", 1},
		{"as printed", ReattachEnv + "='" + good + "'", "", 1},
		{"not json", "{nope", "not the JSON", 0},
		{"bad network", `{"a":{"network":"udp","address":"x"}}`, "not unix or tcp", 0},
		{"no address", `{"a":{"network":"tcp"}}`, "no address", 0},
		{"netrpc", `{"a":{"protocol":"netrpc","network":"tcp","address":"127.0.0.1:1"}}`, "needs grpc", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseReattach(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(m) != tc.n {
				t.Fatalf("got %v, %v; want %d entries", m, err, tc.n)
			}
		})
	}
	s, err := FormatReattach(map[string]ReattachInfo{"b": {Network: "tcp", Address: "127.0.0.1:9"}, "a": {Network: "unix", Address: "/s"}})
	if err != nil || !strings.HasPrefix(s, `{"a":`) {
		t.Fatalf("FormatReattach = %s, %v", s, err)
	}
	if _, err := ReattachClientConfig(ReattachInfo{Network: "tcp", Address: "not an address"}, ClientOptions{}); err == nil {
		t.Fatal("ReattachClientConfig accepted a bad address")
	}
}
