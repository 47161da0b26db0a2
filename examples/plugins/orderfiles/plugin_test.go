package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// buildPlugin builds this command as koppel-plugin-orderfiles in a fresh plugin_dir and returns
// the binary's path.
func buildPlugin(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the plugin: %v", err)
	}
	name := "koppel-plugin-orderfiles"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(t.TempDir(), "plugins", name)
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// copyExport copies testdata/export into a temp folder (the shop's export folder).
func copyExport(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", "export"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "export", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// exampleConfig is the shop block of example/orderfiles.hcl with location set to dir.
func exampleConfig(dir string) sdk.Config {
	return sdk.Config{}.Set("location", dir).Set("csv_columns", map[string]string{
		"order_id": "Ordernummer", "order_number": "Ordernummer", "status": "Status", "created_at": "Besteld op",
		"email": "E-mail", "first_name": "Voornaam", "last_name": "Achternaam", "company": "Bedrijf",
		"billing_street": "Straat", "billing_postcode": "Postcode", "billing_city": "Plaats", "billing_country": "Land",
		"payment_method": "Betaalmethode", "paid": "Betaald", "shipping_cost": "Verzendkosten",
		"sku": "Artikelcode", "name": "Omschrijving", "quantity": "Aantal", "unit_price": "Prijs", "tax_rate": "BTW",
	})
}

// TestInstalledPluginThroughTheHostProtocol builds the plugin, installs it in a plugin_dir,
// starts it the way koppel does (go-plugin, gRPC, mTLS, the lock file's SHA-256 checked) and
// imports the example export through it.
func TestInstalledPluginThroughTheHostProtocol(t *testing.T) {
	bin := buildPlugin(t)
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	client := goplugin.NewClient(plugin.ClientConfig(exec.Command(bin), plugin.ClientOptions{Checksum: sum[:], Logger: hclog.NewNullLogger()}))
	defer client.Kill()
	remote, err := plugin.Dispense(client)
	if err != nil {
		t.Fatal(err)
	}
	info, err := remote.Info(ctx)
	if err != nil || info.Name != "orderfiles" || info.Kind != sdk.KindShop || info.Protocol != sdk.ProtocolVersion {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	dir := copyExport(t)
	shop := remote.Shop("winkel", exampleConfig(dir))
	res, err := shop.Check(ctx)
	if err != nil || !strings.Contains(res.Summary, "3 order(s)") {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	var items []sdk.OrderItem
	if err := shop.ListOrders(ctx, sdk.OrderQuery{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, func(it sdk.OrderItem) error {
		items = append(items, it)
		return nil
	}); err != nil || len(items) != 3 {
		t.Fatalf("ListOrders: %d items, %v", len(items), err)
	}
	// Money crosses the wire as decimal strings: nothing is lost.
	for _, it := range items {
		if it.Order.ID == "2026-0101" && it.Order.Totals.Total.String() != "90.85" {
			t.Fatalf("total %s after the trip through gRPC", it.Order.Totals.Total)
		}
	}
	// Resuming from the second order's cursor yields only the third.
	var rest []sdk.OrderItem
	_ = shop.ListOrders(ctx, sdk.OrderQuery{Cursor: items[1].Cursor}, func(it sdk.OrderItem) error { rest = append(rest, it); return nil })
	if len(rest) != 1 || rest[0].Order.ID != items[2].Order.ID {
		t.Fatalf("resume: %+v", rest)
	}
	out, err := shop.WriteStock(ctx, []sdk.StockLevel{{SKU: "KOFFIE-1KG", Quantity: sdk.MustMoney("37")}})
	if err != nil || len(out) != 1 || out[0].Err != "" {
		t.Fatalf("WriteStock = %+v, %v", out, err)
	}
	if s, _ := os.ReadFile(filepath.Join(dir, "stock.csv")); !strings.Contains(string(s), "KOFFIE-1KG;37;") {
		t.Fatalf("stock.csv = %q", s)
	}
	// A configuration error reaches the host as KindConfig.
	_, err = remote.Shop("broken", sdk.Config{}.Set("location", dir).Set("timezone", "Nowhere/Land")).Check(ctx)
	if sdk.KindOf(err) != sdk.KindConfig {
		t.Fatalf("bad timezone: %v", err)
	}

	// A binary that does not match the lock file's hash is refused.
	bad := sha256.Sum256([]byte("another binary"))
	refused := goplugin.NewClient(plugin.ClientConfig(exec.Command(bin), plugin.ClientOptions{Checksum: bad[:], Logger: hclog.NewNullLogger()}))
	defer refused.Kill()
	if _, err := plugin.Dispense(refused); err == nil {
		t.Fatal("a binary with another checksum was started")
	}
}

// TestDebugMode runs `koppel-plugin-orderfiles debug`, reads the reattach line it prints and
// connects to it as koppel does when KOPPEL_REATTACH_PLUGINS is set.
func TestDebugMode(t *testing.T) {
	bin := buildPlugin(t)
	cmd := exec.Command(bin, "debug")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "export "+plugin.ReattachEnv+"=") {
				lines <- strings.TrimPrefix(l, "export ")
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("no reattach line within 30s")
	}
	m, err := plugin.ParseReattach(line)
	if err != nil {
		t.Fatal(err)
	}
	ri, ok := m["orderfiles"]
	if !ok || ri.Pid != cmd.Process.Pid {
		t.Fatalf("reattach info %+v (pid %d)", m, cmd.Process.Pid)
	}
	cc, err := plugin.ReattachClientConfig(ri, plugin.ClientOptions{Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	client := goplugin.NewClient(cc)
	defer client.Kill()
	remote, err := plugin.Dispense(client)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := remote.Shop("dbg", exampleConfig(copyExport(t))).Check(ctx)
	if err != nil || !strings.Contains(res.Summary, "2 file(s)") {
		t.Fatalf("Check through the debug process = %+v, %v", res, err)
	}
}
