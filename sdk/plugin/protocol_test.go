package plugin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/sdk"
)

// fakeShop is an in-memory shop with n orders.
type fakeShop struct {
	n      int
	prefix string
}

func (f *fakeShop) Check(context.Context) (sdk.CheckResult, error) {
	return sdk.CheckResult{Summary: "fake shop " + f.prefix}, nil
}

func (f *fakeShop) ListOrders(ctx context.Context, q sdk.OrderQuery, yield func(sdk.OrderItem) error) error {
	start := 0
	if q.Cursor != "" {
		start, _ = strconv.Atoi(q.Cursor)
	}
	for i := start; i < f.n; i++ {
		o := sdk.Order{ID: strconv.Itoa(i), Number: f.prefix + strconv.Itoa(i), Totals: sdk.Totals{Total: sdk.MustMoney("12.10")}}
		if err := yield(sdk.OrderItem{Order: o, Cursor: strconv.Itoa(i + 1)}); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeShop) ListProducts(context.Context, sdk.ProductQuery, func(sdk.ProductItem) error) error {
	return nil
}

func (f *fakeShop) FindProducts(_ context.Context, skus []string) ([]sdk.Product, error) {
	if len(skus) > 0 && skus[0] == "boom" {
		return nil, &sdk.Error{Kind: sdk.KindRetryable, Code: "rest_busy", Message: "try later", RetryAfter: 3 * time.Second}
	}
	if len(skus) > 0 && skus[0] == "plain" {
		return nil, errors.New("plain failure")
	}
	out := make([]sdk.Product, 0, len(skus))
	for _, s := range skus {
		out = append(out, sdk.Product{SKU: s, Price: sdk.MustMoney("0.333")})
	}
	return out, nil
}

func (f *fakeShop) WriteStock(_ context.Context, levels []sdk.StockLevel) ([]sdk.StockResult, error) {
	out := make([]sdk.StockResult, len(levels))
	for i, l := range levels {
		out[i] = sdk.StockResult{SKU: l.SKU}
	}
	return out, nil
}

func testRemote(t *testing.T, srv *server) *Remote {
	t.Helper()
	client, _ := goplugin.TestPluginGRPCConn(t, false, map[string]goplugin.Plugin{pluginName: &grpcPlugin{impl: srv}})
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(pluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(*Remote)
}

func shopServer(configs *int, mu *sync.Mutex) *server {
	opts := ServeOpts{
		Info: sdk.PluginInfo{Name: "fake", Kind: sdk.KindShop, Version: "1.2.3",
			Schema: sdk.Schema{Attributes: []sdk.Attribute{{Name: "prefix", Type: sdk.TypeString, Description: "order number prefix"}}}},
		NewShop: func(_ context.Context, cfg sdk.Config, _ hclog.Logger) (sdk.Shop, error) {
			mu.Lock()
			*configs++
			mu.Unlock()
			if cfg.String("prefix") == "bad" {
				return nil, sdk.Errorf(sdk.KindConfig, "prefix %q is not allowed", "bad")
			}
			return &fakeShop{n: 250, prefix: cfg.String("prefix")}, nil
		},
	}
	return newServer(opts, hclog.NewNullLogger())
}

func TestInfoAndInstances(t *testing.T) {
	var configs int
	var mu sync.Mutex
	r := testRemote(t, shopServer(&configs, &mu))
	ctx := context.Background()

	info, err := r.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "fake" || info.Kind != sdk.KindShop || info.Protocol != sdk.ProtocolVersion || info.SDKVersion != sdk.Version {
		t.Fatalf("info = %+v", info)
	}
	if len(info.Schema.Attributes) != 1 {
		t.Fatalf("schema lost: %+v", info.Schema)
	}

	// Two instances in one process keep their own configuration.
	a := r.Shop("profile-a", sdk.Config{}.Set("prefix", "A"))
	b := r.Shop("profile-b", sdk.Config{}.Set("prefix", "B"))
	for _, tc := range []struct {
		shop sdk.Shop
		want string
	}{{a, "fake shop A"}, {b, "fake shop B"}, {a, "fake shop A"}} {
		res, err := tc.shop.Check(ctx)
		if err != nil || res.Summary != tc.want {
			t.Fatalf("Check = %q, %v; want %q", res.Summary, err, tc.want)
		}
	}
	if configs != 2 {
		t.Fatalf("configured %d times, want 2 (one per instance, none repeated)", configs)
	}

	// A bad configuration comes back as a config error with the plugin's message.
	bad := r.Shop("profile-c", sdk.Config{}.Set("prefix", "bad"))
	_, err = bad.Check(ctx)
	if sdk.KindOf(err) != sdk.KindConfig || err.Error() != `prefix "bad" is not allowed` {
		t.Fatalf("bad config: %v (kind %s)", err, sdk.KindOf(err))
	}
}

func TestStreamingAndResume(t *testing.T) {
	var configs int
	var mu sync.Mutex
	r := testRemote(t, shopServer(&configs, &mu))
	ctx := context.Background()
	shop := r.Shop("p", sdk.Config{}.Set("prefix", "W"))

	seen := map[string]bool{}
	cursor := ""
	stop := errors.New("stop")
	for rounds := 0; rounds < 100; rounds++ {
		n := 0
		err := shop.ListOrders(ctx, sdk.OrderQuery{Cursor: cursor}, func(it sdk.OrderItem) error {
			if seen[it.Order.ID] {
				t.Fatalf("order %s seen twice", it.Order.ID)
			}
			if !it.Order.Totals.Total.Equal(sdk.MustMoney("12.10")) {
				t.Fatalf("money changed on the wire: %s", it.Order.Totals.Total)
			}
			seen[it.Order.ID] = true
			cursor = it.Cursor
			n++
			if n == 37 {
				return stop
			}
			return nil
		})
		if err == nil {
			break
		}
		if !errors.Is(err, stop) {
			t.Fatalf("yield error not returned unchanged: %v", err)
		}
	}
	if len(seen) != 250 {
		t.Fatalf("saw %d orders, want 250", len(seen))
	}
}

func TestErrorsCrossTheWire(t *testing.T) {
	var configs int
	var mu sync.Mutex
	r := testRemote(t, shopServer(&configs, &mu))
	ctx := context.Background()
	shop := r.Shop("p", sdk.Config{})

	_, err := shop.FindProducts(ctx, []string{"boom"})
	var se *sdk.Error
	if !errors.As(err, &se) {
		t.Fatalf("want *sdk.Error, got %T %v", err, err)
	}
	if se.Kind != sdk.KindRetryable || se.Code != "rest_busy" || se.Message != "try later" || se.RetryAfter != 3*time.Second {
		t.Fatalf("error changed on the wire: %+v", se)
	}
	_, err = shop.FindProducts(ctx, []string{"plain"})
	if sdk.KindOf(err) != sdk.KindPermanent || err.Error() != "plain failure" {
		t.Fatalf("plain error: %v kind %s", err, sdk.KindOf(err))
	}
	ps, err := shop.FindProducts(ctx, []string{"A-1", "B-2"})
	if err != nil || len(ps) != 2 || !ps[0].Price.Equal(sdk.MustMoney("0.333")) {
		t.Fatalf("FindProducts = %+v, %v", ps, err)
	}
}

func TestUnknownInstanceIsReconfigured(t *testing.T) {
	var configs int
	var mu sync.Mutex
	srv := shopServer(&configs, &mu)
	r := testRemote(t, srv)
	ctx := context.Background()
	shop := r.Shop("p", sdk.Config{}.Set("prefix", "X"))
	if _, err := shop.Check(ctx); err != nil {
		t.Fatal(err)
	}
	// The process forgets the instance (as after a restart behind the same connection).
	srv.release("p")
	res, err := shop.Check(ctx)
	if err != nil || res.Summary != "fake shop X" {
		t.Fatalf("after forget: %q, %v", res.Summary, err)
	}
	if configs != 2 {
		t.Fatalf("configured %d times, want 2", configs)
	}
}

func TestServeCommands(t *testing.T) {
	var out syncBuffer
	opts := ServeOpts{
		Info:    sdk.PluginInfo{Name: "fake", Kind: sdk.KindShop, Version: "1.2.3"},
		NewShop: func(context.Context, sdk.Config, hclog.Logger) (sdk.Shop, error) { return &fakeShop{}, nil },
		Stdout:  &out,
	}
	cases := []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{[]string{"version"}, "koppel-plugin-fake 1.2.3 (shop plugin, protocol 1, sdk " + sdk.Version + ")\n", false},
		{[]string{}, "This is koppel-plugin-fake 1.2.3, a koppel shop plugin.", true},
		{[]string{"simulate"}, "", true},
	}
	for _, tc := range cases {
		out.Reset()
		opts.Args = tc.args
		err := Serve(opts)
		if (err != nil) != tc.wantErr {
			t.Fatalf("%v: err = %v", tc.args, err)
		}
		if got := out.String(); len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
			t.Fatalf("%v: output %q, want prefix %q", tc.args, got, tc.want)
		}
	}
	opts.Args = []string{"simulate", "--addr", "x"}
	var gotArgs []string
	opts.Simulate = func(_ context.Context, args []string) error { gotArgs = args; return nil }
	if err := Serve(opts); err != nil || fmt.Sprint(gotArgs) != "[--addr x]" {
		t.Fatalf("simulate: %v %v", gotArgs, err)
	}
	opts.Info.Kind = "other"
	if err := Serve(opts); err == nil {
		t.Fatal("a plugin of unknown kind was accepted")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return string(s.b) }
func (s *syncBuffer) Reset()         { s.mu.Lock(); defer s.mu.Unlock(); s.b = nil }

func TestWatchParentExitsWhenReparented(t *testing.T) {
	done := make(chan struct{})
	go watchParent(-12345, time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("watchdog did not notice the parent had changed")
	}
}
