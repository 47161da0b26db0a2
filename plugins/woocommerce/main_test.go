package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/plugins/woocommerce/internal/woocommerce"
	"github.com/koppel-nl/koppel/plugins/woocommerce/simulator"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// pluginBin is the koppel-plugin-woocommerce binary TestMain builds.
var pluginBin string

// TestMain builds this command once (go build -o DIR/koppel-plugin-woocommerce .) for the tests
// that start it as the host does.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "koppel-woocommerce-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	name := "koppel-plugin-woocommerce"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	pluginBin = filepath.Join(dir, name)
	goBin, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "the go command is needed to build the plugin:", err)
		return 1
	}
	if out, err := exec.Command(goBin, "build", "-o", pluginBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// startPlugin launches the binary through sdk/plugin as the host does (go-plugin, gRPC, mTLS)
// and returns the connection to it.
func startPlugin(t *testing.T) *plugin.Remote {
	t.Helper()
	client := goplugin.NewClient(plugin.ClientConfig(exec.Command(pluginBin), plugin.ClientOptions{Logger: hclog.NewNullLogger()}))
	t.Cleanup(client.Kill)
	remote, err := plugin.Dispense(client)
	if err != nil {
		t.Fatal(err)
	}
	return remote
}

// orderJSON renders items as JSON for comparison (money as decimal strings, times in RFC 3339).
func orderJSON(t *testing.T, items []sdk.OrderItem) string {
	t.Helper()
	b, err := json.Marshal(items)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The binary serves the plugin protocol: through the process boundary it describes itself,
// checks the store, lists the simulator's orders exactly as the connector does in process
// (money, times, cursors), resumes from a cursor, and sends typed errors back.
func TestPluginBinaryServesTheProtocol(t *testing.T) {
	// Stable ties: two listings are compared byte for byte, order within a second included.
	sim, err := simulator.New(simulator.Options{StableTies: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.GenerateOrders(240); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	cfg := sdk.Config{}.Set("url", srv.URL).Set("consumer_key", simulator.DefaultConsumerKey).
		Set("consumer_secret", simulator.DefaultConsumerSecret).Set("page_size", 50).Set("rate_per_minute", 0)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	remote := startPlugin(t)
	info, err := remote.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "woocommerce" || info.Kind != sdk.KindShop || info.Protocol != sdk.ProtocolVersion ||
		info.Version != version || len(info.Schema.Attributes) != len(woocommerce.Schema().Attributes) {
		t.Fatalf("Info = %+v", info)
	}

	shop := remote.Shop("p", cfg)
	res, err := shop.Check(ctx)
	if err != nil || res.Details["woocommerce_version"] != simulator.DefaultVersion {
		t.Fatalf("Check = %+v, %v", res, err)
	}

	var remoteItems []sdk.OrderItem
	if err := shop.ListOrders(ctx, sdk.OrderQuery{}, func(it sdk.OrderItem) error {
		remoteItems = append(remoteItems, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, o := range sim.Orders() {
		if o.Status == "processing" || o.Status == "completed" {
			want++
		}
	}
	if len(remoteItems) != want || want == 0 {
		t.Fatalf("listed %d orders through the plugin, the simulator has %d processing or completed", len(remoteItems), want)
	}
	direct, err := woocommerce.New(ctx, cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	var directItems []sdk.OrderItem
	if err := direct.ListOrders(ctx, sdk.OrderQuery{}, func(it sdk.OrderItem) error {
		directItems = append(directItems, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := orderJSON(t, remoteItems), orderJSON(t, directItems); got != want {
		t.Fatalf("orders through the plugin differ from the connector's own (%d vs %d bytes of JSON)", len(got), len(want))
	}

	t.Logf("%d orders listed through the plugin binary", len(remoteItems))
	// Resume from the 100th order's cursor: exactly the rest.
	var rest []sdk.OrderItem
	if err := shop.ListOrders(ctx, sdk.OrderQuery{Cursor: remoteItems[99].Cursor}, func(it sdk.OrderItem) error {
		rest = append(rest, it)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The resumed listing announces its own total: the orders after the cursor.
	for _, it := range rest {
		if it.Total != len(remoteItems)-100 {
			t.Fatalf("resume through the plugin: order %s announces total %d, want %d", it.Order.ID, it.Total, len(remoteItems)-100)
		}
	}
	after := slices.Clone(remoteItems[100:])
	for i := range after {
		after[i].Total = len(after)
	}
	if got, want := orderJSON(t, rest), orderJSON(t, after); got != want {
		t.Fatalf("resume through the plugin: %d orders, want the %d after the cursor", len(rest), len(remoteItems)-100)
	}

	// Typed errors cross the boundary: wrong keys are KindAuth, without the secret.
	badCfg := sdk.Config{}
	for k, v := range cfg {
		badCfg[k] = v
	}
	bad := remote.Shop("bad", badCfg.Set("consumer_secret", "cs_wrong_secret"))
	_, err = bad.Check(ctx)
	if sdk.KindOf(err) != sdk.KindAuth {
		t.Fatalf("Check with a wrong secret: kind %q (%v), want auth", sdk.KindOf(err), err)
	}
	if msg := err.Error(); msg == "" || strings.Contains(msg, "cs_wrong_secret") {
		t.Fatalf("auth error %q", msg)
	}
}
