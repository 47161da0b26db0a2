package orderfiles

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

func newShop(ctx context.Context, cfg sdk.Config) (sdk.Shop, error) {
	return New(ctx, cfg, hclog.NewNullLogger())
}

// startSim starts a simulator for one test.
func startSim(t *testing.T) *Simulator {
	t.Helper()
	sim, err := StartSimulator(SimulatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

func simConfig(sim *Simulator) sdk.Config {
	return sdk.Config{}.Set("location", sim.URL).Set("username", sim.Username).Set("password", sim.Password)
}

// TestConformanceWebDAV runs the whole contract kit against a WebDAV export folder.
func TestConformanceWebDAV(t *testing.T) {
	sim := startSim(t)
	cfg := simConfig(sim)
	conformance.TestShop(t, conformance.ShopHarness{
		Info:           Info,
		New:            newShop,
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, Info.Schema),
		Unreachable:    conformance.WithURL(cfg, "location", conformance.UnreachableURL),
		SeedOrders:     sim.SeedOrders,
		ModifyOrder:    sim.ModifyOrder,
		InjectFault:    sim.InjectFault,
	})
}

// folderShop writes export files into a local folder the way a shop's export job does.
type folderShop struct {
	dir string

	mu     sync.Mutex
	clock  time.Time
	seq    int
	orders map[string][]string
}

func (f *folderShop) write(rows [][]string) error {
	f.seq++
	data, err := csvBytes(simHeader, rows)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(f.dir, fmt.Sprintf("export-%04d.csv", f.seq)), data, 0o644)
}

func (f *folderShop) SeedOrders(_ context.Context, n int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var rows [][]string
	var ids []string
	for i := 0; i < n; i++ {
		f.clock = f.clock.Add(time.Second)
		id := strconv.Itoa(5000 + len(f.orders))
		ts := f.clock.Format("2006-01-02 15:04:05") // no zone: read as Europe/Amsterdam
		base := []string{id, id, "processing", ts, ts, "a" + id + "@example.nl", "A", id,
			"Straat 1", "1000 AA", "Amsterdam", "nl", "bacs", "nee", "", "", "SKU-" + strconv.Itoa(i%7), "Ding", "1", "12,10", "21"}
		f.orders[id] = base
		rows = append(rows, base)
		ids = append(ids, id)
	}
	return ids, f.write(rows)
}

func (f *folderShop) ModifyOrder(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	row, ok := f.orders[id]
	if !ok {
		return fmt.Errorf("no order %s", id)
	}
	f.clock = f.clock.Add(time.Second)
	row = append([]string{}, row...)
	row[2], row[4] = "completed", f.clock.Format("2006-01-02 15:04:05")
	f.orders[id] = row
	return f.write([][]string{row})
}

// TestConformanceFolder runs the kit against a local folder. A folder has no credentials of its
// own: the bad-credentials check is given the WebDAV configuration with a wrong password, which
// is how this plugin reports refused credentials.
func TestConformanceFolder(t *testing.T) {
	sim := startSim(t)
	dir := t.TempDir()
	fs := &folderShop{dir: dir, clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), orders: map[string][]string{}}
	cfg := sdk.Config{}.Set("location", dir)
	conformance.TestShop(t, conformance.ShopHarness{
		Info:           Info,
		New:            newShop,
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(simConfig(sim), Info.Schema),
		Unreachable:    sdk.Config{}.Set("location", filepath.Join(dir, "does-not-exist")),
		SeedOrders:     fs.SeedOrders,
		ModifyOrder:    fs.ModifyOrder,
	})
}
