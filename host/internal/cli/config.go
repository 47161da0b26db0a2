package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/plugins"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// koppelBlock reads only the koppel block of the configuration (state_dir, plugin_dir, ...),
// without starting any plugin. Problems in profiles are ignored here; a broken koppel block is
// a usage error.
func (a *app) koppelBlock() (config.KoppelBlock, error) {
	cfg, diags := config.Load(a.g.configDir, config.LoadOptions{Env: a.env.Getenv})
	if cfg == nil {
		return config.KoppelBlock{}, usageText("reason.cli.config_unreadable", a.g.configDir)
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil && inRange(cfg.Koppel.DeclRange, *d.Subject) {
			a.printDiags(cfg, hcl.Diagnostics{d})
			return cfg.Koppel, silentExit(ExitUsage)
		}
	}
	a.applyMemoryLimit(cfg.Koppel)
	return cfg.Koppel, nil
}

// applyMemoryLimit gives the Go runtime the koppel block's memory_limit as its soft limit, so
// the garbage collector works harder as the heap nears it instead of letting the heap grow to
// twice what is in use (docs/operations.md, "Memory and a long history"). GOMEMLIMIT in the environment wins:
// the runtime has applied it already.
func (a *app) applyMemoryLimit(k config.KoppelBlock) {
	if a.env.SetMemoryLimit == nil {
		return
	}
	if v, ok := a.env.Getenv("GOMEMLIMIT"); ok && v != "" {
		return
	}
	limit := k.MemoryLimit
	if limit <= 0 {
		limit = math.MaxInt64 // "off": the runtime's own default, no limit
	}
	a.env.SetMemoryLimit(limit)
}

func inRange(outer, inner hcl.Range) bool {
	return outer.Filename != "" && outer.Filename == inner.Filename &&
		inner.Start.Byte >= outer.Start.Byte && inner.End.Byte <= outer.End.Byte
}

// pluginManager returns a plugin manager for the configured plugin_dir and lock_file. The
// caller closes it. It pins the lock file as it is now: only binaries with those hashes run. A
// binary that is not in the lock file is refused with the "koppel plugins lock" hint unless
// trustUnlocked is set (--trust-unlocked, koppel demo); one that changed after it was locked is
// refused always. Nothing here writes the lock file.
// Plugins named in KOPPEL_REATTACH_PLUGINS (printed by `koppel-plugin-NAME debug`) are used
// from their debug processes instead of being started.
func (a *app) pluginManager(k config.KoppelBlock, trustUnlocked bool) *plugins.Manager {
	log := a.logger()
	var reattach map[string]plugin.ReattachInfo
	if v, ok := a.env.Getenv(plugin.ReattachEnv); ok && v != "" {
		r, err := plugin.ParseReattach(v)
		if err != nil {
			log.Warn("ignoring "+plugin.ReattachEnv, "error", err)
		}
		reattach = r
	}
	return plugins.NewManager(plugins.Options{
		Dir:           k.PluginDir,
		LockFile:      k.LockFile,
		Logger:        log.Named("plugin"),
		AllowUnlocked: trustUnlocked,
		Reattach:      reattach,
		LimitsDir:     limitsDir(k.StateDir),
	})
}

// loadConfig reads and checks every profile against the plugins' schemas. It prints the
// diagnostics itself; on errors it returns a usage exit.
func (a *app) loadConfig(ctx context.Context, mgr *plugins.Manager) (*config.Config, error) {
	schemas := func(kind sdk.PluginKind, name string) (sdk.Schema, error) {
		info, err := mgr.Info(ctx, name)
		if err != nil {
			if errors.Is(err, plugins.ErrNotInstalled) {
				return sdk.Schema{}, &config.UnknownPluginError{Kind: kind, Name: name, Known: a.knownPlugins(ctx, mgr, kind)}
			}
			return sdk.Schema{}, err
		}
		if info.Kind != kind {
			return sdk.Schema{}, fmt.Errorf("plugin %q is a %s plugin; name it in a %s block", name, info.Kind, info.Kind)
		}
		return info.Schema, nil
	}
	caps := func(kind sdk.PluginKind, name string) ([]string, bool) {
		info, err := mgr.Info(ctx, name)
		if err != nil || info.Kind != kind {
			return nil, false
		}
		return info.Capabilities, true
	}
	cfg, diags := config.Load(a.g.configDir, config.LoadOptions{Schemas: schemas, Capabilities: caps, Env: a.env.Getenv})
	if len(diags) > 0 {
		a.printDiags(cfg, diags)
	}
	if diags.HasErrors() {
		return cfg, silentExit(ExitUsage)
	}
	return cfg, nil
}

// knownPlugins lists the installed plugins of a kind, for "did you mean" hints.
func (a *app) knownPlugins(ctx context.Context, mgr *plugins.Manager, kind sdk.PluginKind) []string {
	list, err := mgr.List(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range list {
		if l.Kind == kind {
			out = append(out, l.Name)
		}
	}
	sort.Strings(out)
	return out
}

func (a *app) printDiags(cfg *config.Config, diags hcl.Diagnostics) {
	var files map[string]*hcl.File
	redact := func(s string) string { return s }
	if cfg != nil {
		files = cfg.Files
		redact = cfg.Redactor()
	}
	config.Format(a.env.Stderr, diags, files, redact)
}

// limitsDir is where plugins keep the call budgets shared by every profile and process of this
// host: the "limits" directory beside the state store's files, as an absolute path because
// plugin processes may run elsewhere. "" (no state directory) keeps budgets per process.
func limitsDir(stateDir string) string {
	if stateDir == "" {
		return ""
	}
	abs, err := filepath.Abs(filepath.Join(stateDir, "limits"))
	if err != nil {
		return ""
	}
	return abs
}
