package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/conformance"
)

// TestConformanceMdbtools runs the kit against a copy of the demo file read through mdbtools.
// The harness is Live: mdbtools cannot write, so the kit skips the checks that create objects
// (with its own reason) and runs the read-only ones.
func TestConformanceMdbtools(t *testing.T) {
	cfg := baseConfig(fixtureCopy(t, demoFile))
	info := PluginInfo("test")
	conformance.TestLedger(t, conformance.LedgerHarness{
		Info:           info,
		New:            func(ctx context.Context, c sdk.Config) (sdk.Ledger, error) { return New(ctx, c, hclog.NewNullLogger()) },
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
		Unreachable:    conformance.WithURL(cfg, "path", filepath.Join(t.TempDir(), "absent", "admin.mdb")),
		ArticleCode:    "MOK-001",
		Live:           true,
		Timeout:        30 * time.Second,
	})
}

// TestConformanceSQLite runs the kit, writes included, against the SQLite stand-in of the demo
// file through the same database/sql code the ODBC driver runs on Windows. Faults are
// injected in the store: a file locked by SnelStart stands for throttling and unavailability,
// and a commit whose answer is lost for commit_then_500.
func TestConformanceSQLite(t *testing.T) {
	path := fixtureCopy(t, demoFile)
	open, _ := standIn(t, path)
	fs := &faultStore{}
	wrapped := func(ctx context.Context, p string, layout *tables.Layout) (tables.Store, error) {
		st, err := open(ctx, p, layout)
		fs.mu.Lock()
		fs.Store = st
		fs.mu.Unlock()
		return fs, err
	}
	cfg := baseConfig(path).Set("driver", DriverODBC)
	info := PluginInfo("test")
	conformance.TestLedger(t, conformance.LedgerHarness{
		Info: info,
		New: func(ctx context.Context, c sdk.Config) (sdk.Ledger, error) {
			return NewWithOptions(ctx, c, hclog.NewNullLogger(), Options{Open: wrapped})
		},
		Config:         cfg,
		BadCredentials: conformance.WithBadCredentials(cfg, info.Schema),
		Unreachable:    conformance.WithURL(cfg, "path", filepath.Join(t.TempDir(), "absent", "admin.mdb")),
		ArticleCode:    "MOK-001",
		InjectFault: func(ctx context.Context, f conformance.Fault) (func(), error) {
			fs.mu.Lock()
			defer fs.mu.Unlock()
			switch f {
			case conformance.FaultThrottle, conformance.FaultUnavailable:
				fs.locked = true
				return func() { fs.mu.Lock(); fs.locked = false; fs.mu.Unlock() }, nil
			case conformance.FaultCommitThen500:
				fs.commitThenFail = true
				return func() { fs.mu.Lock(); fs.commitThenFail = false; fs.mu.Unlock() }, nil
			}
			return nil, fmt.Errorf("fault %s not supported", f)
		},
		Timeout: 30 * time.Second,
	})
}
