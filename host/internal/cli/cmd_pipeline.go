package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/plugins"
	"github.com/koppel-nl/koppel/host/internal/state"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// pipelineCommands returns the commands that run and inspect the pipeline: sync, orders, runs,
// retry.
func (a *app) pipelineCommands() []*cobra.Command {
	return []*cobra.Command{
		a.syncCommand(),
		a.planCommand(),
		a.ordersCommand(),
		a.runsCommand(),
		a.retryCommand(),
		a.attentionCommand(),
		a.resolveCommand(),
		a.reconcileCommand(),
	}
}

// profileSession is what a command that runs the pipeline holds open: the plugin manager (and
// through it the profile's shop and ledger plugins), the state store and the pipeline.
type profileSession struct {
	koppel  config.KoppelBlock
	profile *config.Profile
	mgr     *plugins.Manager
	store   *state.Store
	pipe    *pipeline.Pipeline
	// redact removes the configuration's secrets from a text (alerts after a sync).
	redact func(string) string
}

// Close stops the plugins and closes the state store.
func (s *profileSession) Close() {
	if s.mgr != nil {
		_ = s.mgr.Close()
	}
	if s.store != nil {
		_ = s.store.Close()
	}
}

// openSession reads the configuration (checking it against the plugins' schemas, which starts
// the plugins side by side) while it opens the state store, configures the profile's shop and
// ledger plugins and builds its pipeline. tasks are the task locks the command is about to take:
// a lock left behind by a koppel process that died is removed (see breakStaleLocks).
func (a *app) openSession(ctx context.Context, name string, progress func(pipeline.Progress), tasks ...string) (*profileSession, error) {
	k, err := a.koppelBlock()
	if err != nil {
		return nil, err
	}
	s := &profileSession{koppel: k, mgr: a.pluginManager(k, a.g.trustUnlocked)}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	// The state store opens while the configuration is read and the plugins start (both take
	// tens of milliseconds); a configuration error is reported first, as before.
	type opened struct {
		st  *state.Store
		err error
	}
	storeCh := make(chan opened, 1)
	go func() {
		st, err := a.openStore(ctx, k)
		storeCh <- opened{st, err}
	}()
	cfg, err := a.loadConfig(ctx, s.mgr)
	st := <-storeCh
	s.store = st.st
	if err != nil {
		return nil, err
	}
	s.redact = cfg.Redactor()
	if s.profile = cfg.Profile(name); s.profile == nil {
		return nil, usageText("reason.cli.no_profile", name, a.g.configDir, strings.Join(cfg.ProfileNames(), ", "))
	}
	if st.err != nil {
		return nil, st.err
	}
	if err := a.breakStaleLocks(ctx, s.store, name, tasks); err != nil {
		return nil, err
	}
	p := s.profile
	shop, err := s.mgr.Shop(ctx, p.Shop.Name, p.Name, p.Shop.Config)
	if err != nil {
		return nil, failedText("reason.cli.shop_plugin", p.Name, p.Shop.Name, err)
	}
	ledger, err := s.mgr.Ledger(ctx, p.Ledger.Name, p.Name, p.Ledger.Config)
	if err != nil {
		return nil, failedText("reason.cli.ledger_plugin", p.Name, p.Ledger.Name, err)
	}
	s.pipe = pipeline.New(pipeline.Options{
		Profile: p, Shop: shop, Ledger: ledger, Store: s.store,
		LedgerCapabilities: ledgerCapabilities(ctx, s.mgr, p.Ledger.Name),
		Logger:             a.pipelineLogger(),
		Progress:           progress,
		Retention:          retention(k),
	})
	ok = true
	return s, nil
}

// ledgerCapabilities returns the capabilities ledger plugin name declares (it runs already), or
// none when its information cannot be read: the run then uses only what every plugin answers.
func ledgerCapabilities(ctx context.Context, mgr *plugins.Manager, name string) []string {
	info, err := mgr.Info(ctx, name)
	if err != nil {
		return nil
	}
	return info.Capabilities
}

// retention is the koppel block's retention_days as a duration.
func retention(k config.KoppelBlock) time.Duration {
	if k.RetentionDays <= 0 {
		return pipeline.DefaultRetention
	}
	return time.Duration(k.RetentionDays) * 24 * time.Hour
}

// openStore opens the state store of the koppel block. Badger lets one process at a time use
// a state_dir; when another holds it (the daemon, or another sync) the message says so and the
// command fails with exit 1, so two runs never overlap.
func (a *app) openStore(ctx context.Context, k config.KoppelBlock) (*state.Store, error) {
	if st := a.sharedStore(); st != nil {
		return st, nil
	}
	dir := k.StateDir
	if err := os.MkdirAll(filepath.Clean(dir), 0o700); err != nil {
		return nil, failedErr("state_dir %s: %v", dir, err)
	}
	st, err := state.Open(ctx, dir, state.Options{Logger: a.logger().Named("state")})
	if err != nil {
		if strings.Contains(err.Error(), "directory lock") {
			return nil, failedText("reason.cli.store_busy", dir)
		}
		return nil, failedText("reason.cli.store_open", dir, err)
	}
	return st, nil
}

// breakStaleLocks removes task locks of profile that a dead process left behind. This process
// holds the state store exclusively (Badger's directory lock), so no other process can be
// running a task on it: any lease in the store belongs to a koppel that was killed before it
// could release it. Without this a killed `koppel sync` would block the task until the lease
// ran out.
func (a *app) breakStaleLocks(ctx context.Context, st *state.Store, profile string, tasks []string) error {
	if a.shared != nil {
		// Inside the daemon the locks belong to live runs of its own scheduler.
		return nil
	}
	for _, task := range tasks {
		info, held, err := st.Lock(ctx, profile, task)
		if err != nil {
			return failedErr("read the %s lock of profile %s: %v", task, profile, err)
		}
		if !held {
			continue
		}
		if err := state.Delete(ctx, st, state.LockKey(profile, task)); err != nil {
			return failedErr("remove the stale %s lock of profile %s: %v", task, profile, err)
		}
		a.logger().Warn("removed the task lock of a koppel process that ended without releasing it",
			"profile", profile, "task", task, "owner", info.Owner, "since", info.Since.Format(time.RFC3339))
	}
	return nil
}

// lockedMessage turns a task-lock refusal into an explanation, or returns "".
func lockedMessage(err error) string {
	var le *state.LockedError
	if errors.As(err, &le) {
		return fmt.Sprintf(text.Template("reason.cli.task_running"), le.Task, le.Profile, le.Since.Local().Format(time.DateTime), le.Owner)
	}
	if errors.Is(err, state.ErrLocked) {
		return text.Template("reason.cli.task_running_short")
	}
	return ""
}

// readStore opens the state store for the read commands (orders, runs) without starting any
// plugin, and returns the names of the configured profiles.
func (a *app) readStore(ctx context.Context) (*state.Store, []string, error) {
	k, err := a.koppelBlock()
	if err != nil {
		return nil, nil, err
	}
	names := a.profileNames()
	st, err := a.openStore(ctx, k)
	if err != nil {
		return nil, nil, err
	}
	return st, names, nil
}

// profileNames lists the profiles of the configuration without checking plugin bodies.
func (a *app) profileNames() []string {
	cfg, _ := config.Load(a.g.configDir, config.LoadOptions{Env: a.env.Getenv})
	if cfg == nil {
		return nil
	}
	names := cfg.ProfileNames()
	sort.Strings(names)
	return names
}

// checkProfileName fails with a usage error when name is not a configured profile.
func (a *app) checkProfileName(name string, names []string) error {
	for _, n := range names {
		if n == name {
			return nil
		}
	}
	if _, err := config.Load(a.g.configDir, config.LoadOptions{Env: a.env.Getenv}); err != nil {
		// The profile may be there but broken: say that, not that it is missing.
		return usageText("reason.cli.config_invalid", a.g.configDir, err)
	}
	return usageText("reason.cli.no_profile", name, a.g.configDir, strings.Join(names, ", "))
}
