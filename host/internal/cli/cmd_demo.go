package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/pipeline"
	"github.com/koppel-nl/koppel/host/internal/schedule"
	"github.com/koppel-nl/koppel/host/internal/text"
)

// demoOptions are the flags of `koppel demo`.
type demoOptions struct {
	once     bool
	orders   int
	profile  string
	stateDir string
}

// demoConfigDir is where `koppel demo` looks for the demo profile when --config is not given.
const demoConfigDir = "examples/profiles"

func (a *app) demoCommand() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the shop and SnelStart simulators, run every task of the demo profile once, print the overview",
		Long: `The demo needs no accounts: it starts the WooCommerce and SnelStart simulators (the plugin
binaries' "simulate" subcommand, from plugin_dir) on the loopback addresses the demo profile names,
with seeded data, locks the plugins, runs one round of every task (import_articles, import_orders,
export_stock, import_orders_export_stock), prints the execution overview, and then keeps running
the profile's schedule and the dashboard (printed as "dashboard (Uitvoering): http://...", on the
koppel block's listen address, up from the start so the round can be watched) until Ctrl-C.
--once exits after the round and serves no dashboard.

The demo profile is read from --config; without it from ./examples/profiles (run it from the
repository root, as "make demo" does). The state store is a fresh temporary directory (removed on
exit) unless --state-dir is given, so every demo starts from the same seeded data.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("config") {
				if _, err := os.Stat(demoConfigDir); err == nil {
					a.g.configDir = demoConfigDir
				}
			}
			return a.runDemo(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.once, "once", false, "exit after one round of the tasks (for scripts and CI)")
	f.IntVar(&o.orders, "orders", 25, "how many orders the shop simulator generates (the simulator's --seed demo generates as many)")
	f.StringVar(&o.profile, "profile", "demo", "the profile to run")
	f.StringVar(&o.stateDir, "state-dir", "", "keep the state here instead of a temporary directory")
	return cmd
}

func (a *app) runDemo(ctx context.Context, o demoOptions) error {
	k, err := a.koppelBlock()
	if err != nil {
		return err
	}
	// Lock the freshly built plugins, as `koppel plugins lock` does.
	lockMgr := a.pluginManager(k, true)
	lf, err := lockMgr.Lock(ctx)
	lockMgr.Close()
	if err != nil {
		return failedErr("demo: lock the plugins in %s: %v (run \"make build\" first)", k.PluginDir, err)
	}
	fmt.Fprintf(a.env.Stdout, "== plugins in %s locked: %d\n", k.PluginDir, len(lf.Plugins))

	// Read the profile without plugin schemas first, to learn where the simulators must listen.
	raw, _ := config.Load(a.g.configDir, config.LoadOptions{Env: a.env.Getenv})
	var prof *config.Profile
	if raw != nil {
		prof = raw.Profile(o.profile)
	}
	if prof == nil {
		return usageErr("demo: no profile %q in %s", o.profile, a.g.configDir)
	}
	shopAddr, err := addrOf(prof.Shop.Config.String("url"))
	if err != nil {
		return usageErr("demo: profile %s: shop url: %v", o.profile, err)
	}
	ledgerAddr, err := addrOf(prof.Ledger.Config.String("base_url"))
	if err != nil {
		return usageErr("demo: profile %s: ledger base_url: %v", o.profile, err)
	}
	simCtx, stopSims := context.WithCancel(context.WithoutCancel(ctx))
	// The simulators end with the demo: cancel them and wait until they are gone, so no
	// simulator outlives koppel (returning at once would race the kill and leave them running).
	var simsDone []<-chan struct{}
	defer func() {
		stopSims()
		for _, done := range simsDone {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
			}
		}
	}()
	var ledgerArgs []string
	if prof.Ledger.Name == "snelstart-online" {
		ledgerArgs = []string{"--rate-limit", "-1"} // the demo need not wait for SnelStart's call budget
	}
	// Both simulators write their complaints to our stderr; one lock keeps the writes whole.
	simErr := &lockedWriter{w: a.env.Stderr}
	done, err := a.startSimulator(simCtx, simErr, k.PluginDir, prof.Ledger.Name, ledgerAddr, ledgerArgs...)
	if done != nil {
		simsDone = append(simsDone, done)
	}
	if err != nil {
		return err
	}
	done, err = a.startSimulator(simCtx, simErr, k.PluginDir, prof.Shop.Name, shopAddr, "--seed", "demo", "--orders", strconv.Itoa(o.orders))
	if done != nil {
		simsDone = append(simsDone, done)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "== simulators: %s on %s, %s on %s\n", prof.Shop.Name, shopAddr, prof.Ledger.Name, ledgerAddr)

	mgr := a.pluginManager(k, true) // koppel demo trusts what it just built and locked
	defer mgr.Close()
	cfg, err := a.loadConfig(ctx, mgr)
	if err != nil {
		return err
	}
	stateDir := o.stateDir
	if stateDir == "" {
		tmp, err := os.MkdirTemp("", "koppel-demo-")
		if err != nil {
			return failedErr("demo: %v", err)
		}
		defer os.RemoveAll(tmp)
		stateDir = filepath.Join(tmp, "state")
	}
	st, err := openStateDir(ctx, stateDir, a.logger().Named("state"))
	if err != nil {
		return err
	}
	defer st.Close()
	d := a.newDaemon(mgr, st, runOptions{profiles: o.profile, maxParallel: 1})
	defer d.hardCancel()
	if err := d.apply(ctx, cfg); err != nil {
		return err
	}
	// Without --once the dashboard is up before the round, so the runs can be watched there.
	var httpStop func()
	if !o.once && k.Listen != "" {
		ep, stop, err := d.serveHTTP(k.Listen, k)
		if err != nil {
			return err
		}
		httpStop = stop
		defer stop()
		fmt.Fprintf(a.env.Stdout, "== dashboard (Uitvoering): %s/\n", ep.url())
	}
	fmt.Fprintf(a.env.Stdout, "== one round of every task of profile %s\n", o.profile)
	runs, failed := d.demoRound(ctx, o.profile)
	printOverview(a.env.Stdout, runs, a.tr())
	if o.once || ctx.Err() != nil {
		d.requestStop()
		d.sched.Stop()
		d.sched.Wait()
		if failed {
			return silentExit(ExitFailed)
		}
		return nil
	}
	if httpStop != nil {
		fmt.Fprintf(a.env.Stdout, "== the demo keeps running the profile's schedule and the dashboard; Ctrl-C stops it\n")
	} else {
		fmt.Fprintln(a.env.Stdout, "== the demo keeps running the profile's schedule; Ctrl-C stops it")
	}
	return d.serve(ctx, httpStop, 30*time.Second)
}

// demoRound runs every task of profile once, in documentation order, through the scheduler
// (so a "Nu uitvoeren" on the dashboard meanwhile waits its turn), and returns the runs that
// ended without error and whether one failed. Ctrl-C lets the run in flight finish its order.
func (d *daemon) demoRound(ctx context.Context, profile string) ([]pipeline.TaskRun, bool) {
	var runs []pipeline.TaskRun
	failed := false
	// The orders create the articles they need with their VAT rate (WooCommerce's product
	// listing does not tell the rate), import_articles links the rest.
	for _, task := range config.TaskNames {
		if ctx.Err() != nil {
			break
		}
		var done <-chan struct{}
		var err error
		for {
			done, err = d.sched.RunNow(profile, string(task))
			if !errors.Is(err, schedule.ErrBusy) {
				break
			}
			// A run started from the dashboard is going: wait for it.
			select {
			case <-ctx.Done():
				return runs, failed
			case <-time.After(100 * time.Millisecond):
			}
		}
		if err != nil {
			d.printf("  %s %s: %v\n", profile, task, err)
			failed = true
			continue
		}
		select {
		case <-done:
		case <-ctx.Done():
			d.requestStop()
			<-done
		}
		last, ok := d.lastRunOf(profile, string(task))
		if !ok || last.err != nil {
			failed = true
			continue
		}
		runs = append(runs, last.tr)
	}
	return runs, failed
}

// addrOf returns host:port of an http URL.
func addrOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Port() == "" {
		return "", fmt.Errorf("%q has no port", raw)
	}
	return u.Host, nil
}

// lockedWriter serialises writes from several goroutines (the simulators' stderr copies).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// startSimulator runs `koppel-plugin-NAME simulate --addr ADDR ARGS...` from pluginDir until ctx
// ends and waits until it accepts connections; its stderr goes to stderr. The channel it returns
// (nil when nothing was started) is closed once the simulator process has ended.
func (a *app) startSimulator(ctx context.Context, stderr io.Writer, pluginDir, name, addr string, args ...string) (<-chan struct{}, error) {
	bin := filepath.Join(pluginDir, "koppel-plugin-"+name)
	if _, err := os.Stat(bin); err != nil {
		if _, err2 := os.Stat(bin + ".exe"); err2 == nil {
			bin += ".exe"
		} else {
			return nil, failedErr("demo: %s not found in %s (run \"make build\" first)", "koppel-plugin-"+name, pluginDir)
		}
	}
	if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		c.Close()
		return nil, failedErr("demo: %s is already in use (is another demo running?)", addr)
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"simulate", "--addr", addr}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, failedErr("demo: %v", err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, failedErr("demo: start the %s simulator: %v", name, err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
		}
	}()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return done, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	return done, failedErr("demo: the %s simulator did not start on %s", name, addr)
}

// printOverview prints the execution overview of the demo's runs in the chosen language: every
// run, every imported order with its SnelStart number and customer, and the stock written.
func printOverview(w io.Writer, runs []pipeline.TaskRun, t text.Printer) {
	fmt.Fprintln(w, "\n"+t.T("demo.overview"))
	cols := make([]any, 0, 8)
	for _, c := range strings.Split(t.T("demo.columns"), "|") {
		cols = append(cols, c)
	}
	fmt.Fprintf(w, "  %-28s %-8s %9s %6s %6s %7s %9s  %s\n", cols...)
	for _, r := range runs {
		stock := "-"
		if s := r.Stock; s != nil {
			stock = t.T("demo.stock_counts", s.Written, s.Unchanged, len(s.NotInShop)+s.NotInShopKnown, len(s.HeldBack))
		}
		done := r.Imported + r.AlreadyPresent
		fmt.Fprintf(w, "  %-28s %-8s %9s %6d %6d %7d %9d  %s\n", r.Task, r.Start.Local().Format("15:04:05"),
			r.Duration.Round(time.Millisecond), done, r.Waiting, r.Failed+r.Retrying, r.LedgerCalls, stock)
	}
	fmt.Fprintln(w, "\n"+t.T("demo.orders"))
	n := 0
	for _, r := range runs {
		for _, o := range r.Orders {
			switch o.Status {
			case pipeline.StatusImported, pipeline.StatusAdopted, pipeline.StatusAlreadyPresent:
				total := ""
				if o.TotalIncl != nil {
					total = "EUR " + o.TotalIncl.StringFixed(2)
				}
				fmt.Fprintf(w, "  %-8s -> %-6d %6d %-30s %12s\n", o.ShopNumber, o.LedgerNumber, o.CustomerCode, o.CustomerName, total)
				n++
			case pipeline.StatusFailed, pipeline.StatusRetrying, pipeline.StatusWaiting:
				status := string(o.Status)
				if label, ok := t.Lookup("status." + status); ok {
					status = label
				}
				reason := []rune(text.Reason(t.Lang, o.Reason))
				if len(reason) > 110 {
					reason = append(reason[:110], '…')
				}
				fmt.Fprintf(w, "  %-8s %s: %s\n", o.ShopNumber, status, string(reason))
			}
		}
	}
	if n == 0 {
		fmt.Fprintln(w, t.T("demo.none"))
	}
	for _, r := range runs {
		if r.Stock == nil || len(r.Stock.Changed)+len(r.Stock.NotInShop)+len(r.Stock.HeldBack) == 0 {
			continue
		}
		fmt.Fprint(w, "\n"+t.T("demo.stock", r.Task, strings.Join(r.Stock.Changed, ", ")))
		if len(r.Stock.NotInShop) > 0 {
			fmt.Fprint(w, t.T("demo.not_in_shop", strings.Join(r.Stock.NotInShop, ", ")))
		}
		for _, h := range r.Stock.HeldBack {
			fmt.Fprint(w, t.T("demo.held_back", h.SKU, strings.Join(h.Orders, ", ")))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}
