package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/notify"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/plugins"
	"github.com/koppel-nl/koppel/host/internal/schedule"
	"github.com/koppel-nl/koppel/host/internal/serve"
	"github.com/koppel-nl/koppel/host/internal/service"
	"github.com/koppel-nl/koppel/host/internal/state"
)

// runOptions are the flags of `koppel run`.
type runOptions struct {
	profiles    string
	maxParallel int
	stopTimeout time.Duration
	listen      string
	listenSet   bool
}

func (a *app) runCommand() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "The daemon: runs every profile's tasks on their schedule until SIGINT/SIGTERM",
		Long: `The daemon: runs the tasks of every profile (task "x" { every = ... }) on their schedule,
and serves the dashboard ("Uitvoering"), the JSON API, /metrics and /healthz on the koppel
block's listen address. A listen address that is not loopback needs koppel.api_token; when
api_token is set, every request (but /healthz) needs it as a bearer token or a dashboard login.

SIGINT or SIGTERM stops it gracefully: no new run starts, the runs in flight finish the order
(or product) they are handling and record where they stopped, then koppel exits. A second signal,
or --stop-timeout, aborts the runs in flight.
SIGHUP reloads the profiles: they are validated first; when the new configuration is broken, its
problems are logged and the running profiles are kept.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.listenSet = cmd.Flags().Changed("listen")
			if service.UnderServiceManager() {
				return a.runAsService(o)
			}
			return a.runDaemon(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.profiles, "profiles", "*", "run only the profiles whose name matches this glob (comma-separated globs allowed)")
	f.IntVar(&o.maxParallel, "max-parallel", 4, "how many profiles may run a task at the same time")
	f.DurationVar(&o.stopTimeout, "stop-timeout", 5*time.Minute, "on SIGINT/SIGTERM, abort runs still in flight after this long")
	f.StringVar(&o.listen, "listen", "", `override the koppel block's listen address ("" in the block disables HTTP)`)
	return cmd
}

// daemon is a running `koppel run` (or the demo).
type daemon struct {
	a     *app
	log   hclog.Logger
	mgr   *plugins.Manager
	store *state.Store
	sched *schedule.Scheduler
	glob  string
	// sigs receives SIGINT, SIGTERM and SIGHUP once catchSignals ran (serve handles them).
	sigs chan os.Signal
	// stop is closed on a graceful stop (stopOnce): listings end after the item in flight.
	stop     chan struct{}
	stopOnce sync.Once
	// hardCtx is the runs' context; hardCancel aborts the runs in flight.
	hardCtx    context.Context
	hardCancel context.CancelFunc
	out        io.Writer
	outMu      sync.Mutex
	// metrics is served on /metrics and fed by every run.
	metrics *serve.Metrics

	mu     sync.Mutex
	pipes  map[string]*pipeline.Pipeline
	shops  map[string]*countingShop
	profs  []*config.Profile
	names  []string
	gen    int
	closed bool

	// runs holds the last run of every profile's task since the daemon started (with the
	// customer names of the run, kept in memory only); see cmd_run_serve.go.
	// notifier sends the profiles' notify alerts (cmd_run_notify.go).
	notifier atomic.Pointer[notify.Notifier]

	runsMu sync.Mutex
	runs   map[taskKey]lastRun
	runSeq atomic.Int64
}

func (a *app) runDaemon(ctx context.Context, o runOptions) error {
	k, err := a.koppelBlock()
	if err != nil {
		return err
	}
	mgr := a.pluginManager(k, a.g.trustUnlocked)
	defer mgr.Close()
	cfg, err := a.loadConfig(ctx, mgr)
	if err != nil {
		return err
	}
	st, err := openStateDir(ctx, k.StateDir, a.logger().Named("state"))
	if err != nil {
		return err
	}
	defer st.Close()
	listen := k.Listen
	if o.listenSet {
		listen = o.listen
	}
	d := a.newDaemon(mgr, st, o)
	defer d.hardCancel()
	// SIGHUP's default action ends the process: it is caught before the daemon announces its
	// addresses (a supervisor or test may send it as soon as it sees them), and a SIGHUP that
	// comes while the profiles start is kept and handled as a reload by serve.
	stopSignals := d.catchSignals()
	defer stopSignals()
	if err := d.apply(ctx, cfg); err != nil {
		return err
	}
	var httpStop func()
	if listen != "" {
		ep, stop, err := d.serveHTTP(listen, k)
		if err != nil {
			return err
		}
		unannounce, err := announceDaemon(k.StateDir, ep)
		if err != nil {
			stop()
			return failedErr("%v", err)
		}
		httpStop = func() { unannounce(); stop() }
		d.printf("koppel: dashboard at %s/\n", ep.url())
		d.printf("koppel: health at %s/healthz\n", ep.url())
	}
	return d.serve(ctx, httpStop, o.stopTimeout)
}

// openStateDir opens (creating) the Badger directory.
func openStateDir(ctx context.Context, dir string, log hclog.Logger) (*state.Store, error) {
	if err := os.MkdirAll(filepath.Clean(dir), 0o700); err != nil {
		return nil, failedErr("state_dir %s: %v", dir, err)
	}
	st, err := state.Open(ctx, dir, state.Options{Logger: log})
	if err != nil {
		return nil, failedText("reason.cli.store_open", dir, err)
	}
	return st, nil
}

// newDaemon returns a daemon with its scheduler (not yet scheduling: serve runs its loop; RunNow
// works at once). The caller calls hardCancel when done.
func (a *app) newDaemon(mgr *plugins.Manager, st *state.Store, o runOptions) *daemon {
	d := &daemon{a: a, log: a.logger().Named("run"), mgr: mgr, store: st, glob: o.profiles, stop: make(chan struct{}),
		out: a.env.Stdout, pipes: map[string]*pipeline.Pipeline{}, shops: map[string]*countingShop{},
		metrics: serve.NewMetrics(), runs: map[taskKey]lastRun{}}
	if d.glob == "" {
		d.glob = "*"
	}
	d.hardCtx, d.hardCancel = context.WithCancel(context.Background())
	d.sched = schedule.New(schedule.Options{Store: st, Run: d.runTask, RunContext: d.hardCtx, Logger: d.log.Named("schedule"),
		MaxParallel: o.maxParallel})
	return d
}

// requestStop asks the runs in flight to stop after the order or product they are handling.
func (d *daemon) requestStop() { d.stopOnce.Do(func() { close(d.stop) }) }

// selected returns the profiles of cfg that match the --profiles globs.
func (d *daemon) selected(cfg *config.Config) ([]*config.Profile, error) {
	var out []*config.Profile
	for _, p := range cfg.Profiles {
		for _, g := range strings.Split(d.glob, ",") {
			ok, err := path.Match(strings.TrimSpace(g), p.Name)
			if err != nil {
				return nil, usageErr("--profiles %q: %v", d.glob, err)
			}
			if ok {
				out = append(out, p)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, usageText("reason.cli.no_profile_match", d.glob, strings.Join(cfg.ProfileNames(), ", "))
	}
	return out, nil
}

// apply makes cfg's selected profiles the running set: their connectors are configured, their
// pipelines built and their task blocks scheduled. On error the running set is unchanged.
func (d *daemon) apply(ctx context.Context, cfg *config.Config) error {
	profs, err := d.selected(cfg)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.gen++
	gen := d.gen
	d.mu.Unlock()
	pipes := map[string]*pipeline.Pipeline{}
	shops := map[string]*countingShop{}
	var jobs []schedule.Job
	var names []string
	for _, p := range profs {
		inst := fmt.Sprintf("%s#%d", p.Name, gen)
		shop, err := d.mgr.Shop(ctx, p.Shop.Name, inst, p.Shop.Config)
		if err != nil {
			return failedText("reason.cli.shop_plugin", p.Name, p.Shop.Name, err)
		}
		ledger, err := d.mgr.Ledger(ctx, p.Ledger.Name, inst, p.Ledger.Config)
		if err != nil {
			return failedText("reason.cli.ledger_plugin", p.Name, p.Ledger.Name, err)
		}
		counted := &countingShop{Shop: shop}
		shops[p.Name] = counted
		pipes[p.Name] = pipeline.New(pipeline.Options{Profile: p, Shop: pipeline.Stoppable(counted, d.stop), Ledger: ledger,
			LedgerCapabilities: ledgerCapabilities(ctx, d.mgr, p.Ledger.Name), Store: d.store, Logger: d.log.Named(p.Name)})
		names = append(names, p.Name)
		for _, t := range p.Tasks {
			if t.Every > 0 {
				jobs = append(jobs, schedule.Job{Profile: p.Name, Task: string(t.Name), Every: t.Every, Next: t.Next})
			}
		}
	}
	// The pipelines first, so a job the new set schedules finds its pipeline.
	d.mu.Lock()
	d.pipes, d.shops, d.names, d.profs = pipes, shops, names, profs
	d.mu.Unlock()
	d.setNotifier(cfg)
	if err := d.sched.SetJobs(ctx, jobs); err != nil {
		return failedErr("%v", err)
	}
	return nil
}

// pipelineOf returns the current pipeline of a profile.
func (d *daemon) pipelineOf(profile string) *pipeline.Pipeline {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pipes[profile]
}

// runTask is the scheduler's RunFunc: one task run, summarised on stdout, counted in the
// metrics and kept as the task's last run.
func (d *daemon) runTask(ctx context.Context, profile, task string) error {
	_, err := d.runAndRecord(profile, task, func(p *pipeline.Pipeline) (pipeline.TaskRun, error) { return p.RunTask(ctx, task) })
	return err
}

func (d *daemon) printf(format string, args ...any) {
	d.outMu.Lock()
	defer d.outMu.Unlock()
	fmt.Fprintf(d.out, format, args...)
}

// catchSignals starts catching SIGINT, SIGTERM and SIGHUP for serve, which handles the ones
// that arrived before it began. It returns the function that stops catching them.
func (d *daemon) catchSignals() (stop func()) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	d.sigs = sigs
	return func() { signal.Stop(sigs) }
}

// serve runs the scheduler until SIGINT/SIGTERM or ctx ends, reloading on SIGHUP, then stops
// gracefully and shuts the HTTP endpoint down with httpStop (nil when there is none). It
// catches the signals itself when catchSignals was not called before.
func (d *daemon) serve(ctx context.Context, httpStop func(), stopTimeout time.Duration) error {
	if d.sigs == nil {
		defer d.catchSignals()()
	}
	sigs := d.sigs

	schedDone := make(chan struct{})
	go func() { d.sched.Run(context.WithoutCancel(ctx)); close(schedDone) }()
	digestCtx, stopDigests := context.WithCancel(context.Background())
	defer stopDigests()
	go d.flushDigests(digestCtx)
	d.mu.Lock()
	names := strings.Join(d.names, ", ")
	d.mu.Unlock()
	d.printf("koppel: running %s; %d scheduled task(s); stop with Ctrl-C\n", names, len(d.sched.Jobs()))

loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case s := <-sigs:
			if s == syscall.SIGHUP {
				d.reload(ctx)
				continue
			}
			break loop
		}
	}
	// The stop is in effect (listings end, /healthz answers 503, no run starts) before it is
	// announced.
	d.requestStop()
	d.sched.Stop()
	d.printf("koppel: stopping: the runs in flight finish the order they are handling\n")
	<-schedDone
	// The signal that stopped us reaches both ctx (signal.NotifyContext in main) and sigs, in
	// either order: a copy of it arriving now is not the second signal that aborts the runs.
	d.drainSignals(sigs, signalEcho)
	waited := make(chan struct{})
	go func() { d.sched.Wait(); close(waited) }()
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
wait:
	for {
		select {
		case <-waited:
			break wait
		case s := <-sigs:
			if s == syscall.SIGHUP {
				d.ignoreHUP()
				continue
			}
			d.log.Warn("second signal: aborting the runs in flight")
			d.hardCancel()
			<-waited
			break wait
		case <-timer.C:
			d.log.Warn("stop timeout: aborting the runs in flight", "timeout", stopTimeout)
			d.hardCancel()
			<-waited
			break wait
		}
	}
	if httpStop != nil {
		httpStop()
	}
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.printf("koppel: stopped\n")
	return nil
}

// signalEcho is how long after a stop began a SIGINT/SIGTERM counts as the same signal.
const signalEcho = 250 * time.Millisecond

// drainSignals discards the signals that arrive on sigs within wait.
func (d *daemon) drainSignals(sigs <-chan os.Signal, wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case s := <-sigs:
			if s == syscall.SIGHUP {
				d.ignoreHUP()
			}
		case <-t.C:
			return
		}
	}
}

// ignoreHUP logs a SIGHUP that came while stopping: there is no reload then, and a reload (a
// log rotation, say) is not a request to abort the runs either.
func (d *daemon) ignoreHUP() { d.log.Info("SIGHUP while stopping: no reload") }

// reload re-reads the configuration (SIGHUP). A configuration with errors is logged and the
// running profiles are kept.
func (d *daemon) reload(ctx context.Context) {
	d.printf("koppel: SIGHUP: reloading the profiles\n")
	cfg, err := d.a.loadConfig(ctx, d.mgr)
	if err == nil {
		err = d.apply(ctx, cfg)
	}
	if err != nil {
		msg := err.Error()
		var ee *exitError
		if errors.As(err, &ee) && errors.Is(ee.err, errSilent) {
			msg = "the configuration has errors (printed above)"
		}
		d.log.Error("reload failed; the running profiles are kept", "error", msg)
		d.printf("koppel: reload failed, the running profiles are kept: %s\n", msg)
		return
	}
	d.mu.Lock()
	names := append([]string(nil), d.names...)
	d.mu.Unlock()
	sort.Strings(names)
	d.printf("koppel: reloaded: running %s; %d scheduled task(s)\n", strings.Join(names, ", "), len(d.sched.Jobs()))
}

// summaryLine is one line about a run: task, profile, counts, stock, duration, ledger calls.
func summaryLine(tr pipeline.TaskRun, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:", tr.Profile, tr.Task)
	switch tr.Task {
	case pipeline.TaskImportArticles:
		if s := tr.Articles; s != nil {
			fmt.Fprintf(&b, " products %d, created %d, updated %d, linked %d, skipped %d, failed %d", s.Listed, s.Created, s.Updated, s.Linked, s.Skipped, s.Failed+s.Retrying)
		}
	case pipeline.TaskExportStock:
	default:
		fmt.Fprintf(&b, " orders imported %d, already present %d, waiting %d, failed %d, retrying %d, skipped %d",
			tr.Imported, tr.AlreadyPresent, tr.Waiting, tr.Failed, tr.Retrying, tr.Skipped)
	}
	if s := tr.Stock; s != nil {
		if tr.Task != pipeline.TaskExportStock {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " stock written %d, unchanged %d, not in shop %d, refused %d, held back %d",
			s.Written, s.Unchanged, len(s.NotInShop)+s.NotInShopKnown, len(s.Failed)+s.FailedTruncated, len(s.HeldBack))
	}
	fmt.Fprintf(&b, " (%s, %d ledger calls)", tr.Duration.Round(time.Millisecond), tr.LedgerCalls)
	if tr.Stopped != "" {
		fmt.Fprintf(&b, " stopped: %s", tr.Stopped)
	}
	if err != nil {
		fmt.Fprintf(&b, " ERROR: %v", err)
	}
	return b.String()
}
