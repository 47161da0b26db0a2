package plugins

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// Sentinel errors, wrapped inside the *sdk.Error values the Manager returns; test them with
// errors.Is.
var (
	// ErrNotInstalled: there is no koppel-plugin-NAME in the plugin directory.
	ErrNotInstalled = errors.New("plugin not installed")
	// ErrNotLocked: the binary is not in the lock file and Options.AllowUnlocked is off.
	ErrNotLocked = errors.New("plugin not in lock file")
	// ErrChanged: the binary's SHA-256 differs from the one in the lock file.
	ErrChanged = errors.New("plugin binary changed since it was locked")
	// ErrClosed: the Manager was closed (the host is stopping).
	ErrClosed = errors.New("plugin manager closed")
)

const (
	// defaultStartTimeout bounds a plugin's start (handshake and Info).
	defaultStartTimeout = 30 * time.Second
	// stableAfter is how long a process must have run for its death not to count towards the
	// restart backoff.
	stableAfter = time.Minute
	// maxRestartDelay caps the delay between restarts of a plugin that keeps dying.
	maxRestartDelay = 30 * time.Second
)

// Options configure a Manager.
type Options struct {
	// Dir is the plugin directory (plugin_dir) holding the koppel-plugin-* binaries and the
	// lock file.
	Dir string
	// Logger receives the Manager's own messages and, under a logger named after each plugin,
	// the plugins' log lines at their own level. Nil discards everything.
	Logger hclog.Logger
	// LockFile is the lock file's path; "" means Dir/koppel-plugins.lock (DefaultLockPath).
	LockFile string
	// AllowUnlocked lets binaries that are not in the lock file run (`koppel demo`, the
	// --trust-unlocked flag, tests). Default false: only locked binaries run, and one that is
	// not locked is refused with the hint to run "koppel plugins lock". A binary that is in the
	// lock file but changed is refused either way. An unlocked binary that was allowed to run is
	// pinned by the hash it had at its first start: a restart of a changed file is refused.
	// The Manager never writes the lock file on its own; only Lock does.
	AllowUnlocked bool
	// StartTimeout bounds starting one plugin (handshake and the Info call); zero means 30 s.
	StartTimeout time.Duration
	// Reattach names plugins already running in debug mode (plugin.ServeDebug, usually from
	// the KOPPEL_REATTACH_PLUGINS environment variable via plugin.ReattachFromEnv). The Manager
	// connects to those processes instead of starting binaries from Dir, does not check them
	// against the lock file (it logs a warning), and never stops or restarts them.
	Reattach map[string]plugin.ReattachInfo
	// LimitsDir, when set, is handed to every started plugin process in the environment
	// variable callbudget.DirEnv: the directory where connectors keep the call budgets (rate
	// limits per minute and per hour) they share with every other profile and process on
	// this host. The CLI sets it to the "limits" directory under the state directory.
	LimitsDir string
}

// Manager starts and supervises plugin processes: one process per plugin binary, shared by
// every instance (profile) that uses it. All methods are safe for concurrent use. Call Close
// when the host stops (the CLI does so on SIGINT and SIGTERM).
type Manager struct {
	opts         Options
	dir          string
	logger       hclog.Logger
	startTimeout time.Duration

	lockPath string

	mu     sync.Mutex
	closed bool
	// pinned holds the hashes this Manager trusts: the lock file as it was when the Manager
	// was created (the daemon's start), plus unlocked binaries pinned at their first start
	// under AllowUnlocked, plus what Lock wrote. A lock file that changes or disappears later
	// changes nothing here. Guarded by mu.
	pinned map[string]LockEntry
	// pinErr is why the lock file could not be read at creation; every start reports it.
	pinErr error
	procs  map[string]*proc
	starts sync.WaitGroup // starts in flight; Close waits for them
}

// proc is the supervision state of one plugin name.
type proc struct {
	name string
	sem  chan struct{} // held while (re)starting; serialises starts

	mu          sync.Mutex
	cur         *running
	everStarted bool
	restarts    int
	quickDeaths int // consecutive deaths or failed starts, each within stableAfter of its start
	nextStart   time.Time
	lastExit    string
}

// NewManager returns a Manager for opts.Dir. It reads the lock file once, now, and pins its
// hashes for its whole life: binaries are checked against these pinned hashes, never against a
// lock file written or deleted later (restart koppel after "koppel plugins lock"). It starts
// nothing until a plugin is asked for. A missing lock file pins nothing; an unreadable or
// malformed one makes every start fail with the reason.
func NewManager(opts Options) *Manager {
	dir := opts.Dir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	logger := opts.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = defaultStartTimeout
	}
	lockPath := opts.LockFile
	if lockPath == "" {
		lockPath = DefaultLockPath(dir)
	} else if abs, err := filepath.Abs(lockPath); err == nil {
		lockPath = abs
	}
	m := &Manager{opts: opts, dir: dir, lockPath: lockPath, logger: logger, startTimeout: timeout,
		procs: map[string]*proc{}, pinned: map[string]LockEntry{}}
	lf, err := readLockOrEmpty(lockPath)
	if err != nil {
		m.pinErr = err
	} else {
		for name, e := range lf.Plugins {
			m.pinned[name] = e
		}
	}
	return m
}

// LockPath returns the absolute path of the lock file this Manager reads and Lock writes.
func (m *Manager) LockPath() string { return m.lockPath }

// Dir returns the absolute plugin directory.
func (m *Manager) Dir() string { return m.dir }

// Info returns plugin name's PluginInfo (kind, version, schema, capabilities; Protocol is the
// negotiated protocol version), starting the plugin if it is not running. Errors are
// *sdk.Error values: KindConfig wrapping ErrNotInstalled, ErrNotLocked or ErrChanged when the
// binary may not run, KindRetryable when it could not be started.
func (m *Manager) Info(ctx context.Context, name string) (sdk.PluginInfo, error) {
	r, err := m.remote(ctx, name)
	if err != nil {
		return sdk.PluginInfo{}, err
	}
	return r.info, nil
}

// Shop returns instance instanceID of shop plugin name, configured with cfg. It starts the
// plugin if needed and configures the instance at once, so a configuration the plugin refuses
// fails here (with the plugin's *sdk.Error kind). The returned sdk.Shop reaches the plugin
// through the Manager: after the process died, its next call starts the process again and
// configures the instance again.
func (m *Manager) Shop(ctx context.Context, name, instanceID string, cfg sdk.Config) (sdk.Shop, error) {
	if err := m.instance(ctx, name, sdk.KindShop, instanceID, cfg); err != nil {
		return nil, err
	}
	return plugin.NewShop(m.dialer(name), name, instanceID, cfg), nil
}

// Ledger returns instance instanceID of ledger plugin name, configured with cfg; see Shop.
func (m *Manager) Ledger(ctx context.Context, name, instanceID string, cfg sdk.Config) (sdk.Ledger, error) {
	if err := m.instance(ctx, name, sdk.KindLedger, instanceID, cfg); err != nil {
		return nil, err
	}
	return plugin.NewLedger(m.dialer(name), name, instanceID, cfg), nil
}

// instance checks the plugin's kind and configures the instance.
func (m *Manager) instance(ctx context.Context, name string, kind sdk.PluginKind, id string, cfg sdk.Config) error {
	if id == "" {
		return &sdk.Error{Kind: sdk.KindConfig, Message: fmt.Sprintf("plugin %s: empty instance id", name)}
	}
	r, err := m.remote(ctx, name)
	if err != nil {
		return err
	}
	if r.info.Kind != kind {
		return &sdk.Error{Kind: sdk.KindConfig, Message: fmt.Sprintf(
			"plugin %s is a %s plugin, not a %s plugin", name, r.info.Kind, kind)}
	}
	if err := r.remote.Configure(ctx, id, cfg); err != nil {
		return fmt.Errorf("plugin %s: configure instance %s: %w", name, id, err)
	}
	return nil
}

// dialer returns the plugin.Dialer through which instances of plugin name reach its current
// process.
func (m *Manager) dialer(name string) plugin.Dialer {
	return func(ctx context.Context) (*plugin.Remote, error) {
		r, err := m.remote(ctx, name)
		if err != nil {
			return nil, err
		}
		return r.remote, nil
	}
}

// Process describes one running plugin process.
type Process struct {
	// Name is the plugin's name.
	Name string
	// PID is the operating system's process id.
	PID int
	// Started is when this process was started.
	Started time.Time
	// Restarts counts how often this plugin was started again after its process died.
	Restarts int
	// Info is what the process reported.
	Info sdk.PluginInfo
}

// Processes lists the plugin processes the Manager started and believes to be running, sorted
// by name.
func (m *Manager) Processes() []Process {
	m.mu.Lock()
	procs := make([]*proc, 0, len(m.procs))
	for _, p := range m.procs {
		procs = append(procs, p)
	}
	m.mu.Unlock()
	var out []Process
	for _, p := range procs {
		p.mu.Lock()
		if p.cur != nil {
			out = append(out, Process{Name: p.name, PID: p.cur.pid, Started: p.cur.started, Restarts: p.restarts, Info: p.cur.info})
		}
		p.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Close stops every plugin process: each is asked to shut down, given 2 s to exit and then
// killed. Starts in flight are waited for and their processes stopped too. After Close every
// call through the Manager (and through the Shops and Ledgers it returned) fails with an
// *sdk.Error of KindRetryable wrapping ErrClosed. Close returns when every process has been
// reaped; it is safe to call more than once and always returns nil.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	m.starts.Wait()

	m.mu.Lock()
	var live []*running
	for _, p := range m.procs {
		p.mu.Lock()
		if p.cur != nil {
			live = append(live, p.cur)
			p.cur = nil
		}
		p.mu.Unlock()
	}
	m.mu.Unlock()

	var wg sync.WaitGroup
	for _, r := range live {
		wg.Add(1)
		go func(r *running) {
			defer wg.Done()
			r.stop()
			m.logger.Debug("plugin stopped", "plugin", r.info.Name, "pid", r.pid)
		}(r)
	}
	wg.Wait()
	return nil
}

func errClosed(name string) error {
	return &sdk.Error{Kind: sdk.KindRetryable, Message: fmt.Sprintf("plugin %s: koppel is stopping", name), Err: ErrClosed}
}

// remote returns a live process for plugin name, starting it (again) if needed.
func (m *Manager) remote(ctx context.Context, name string) (*running, error) {
	if !ValidName(name) {
		return nil, &sdk.Error{Kind: sdk.KindConfig, Err: ErrNotInstalled, Message: fmt.Sprintf(
			"%q is not a valid plugin name (lower-case letters, digits, - and _)", name)}
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errClosed(name)
	}
	p := m.procs[name]
	if p == nil {
		p = &proc{name: name, sem: make(chan struct{}, 1)}
		m.procs[name] = p
	}
	m.mu.Unlock()

	p.mu.Lock()
	cur := p.cur
	p.mu.Unlock()
	if cur != nil && cur.healthyFast() {
		return cur, nil
	}

	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("plugin %s: waiting for it to start: %w", name, ctx.Err())
	}
	handedOff := false
	defer func() {
		if !handedOff {
			<-p.sem
		}
	}()

	p.mu.Lock()
	cur = p.cur
	p.mu.Unlock()
	if cur != nil {
		if cur.alive(ctx) {
			return cur, nil
		}
		m.bury(p, cur)
	}

	p.mu.Lock()
	wait := time.Until(p.nextStart)
	n, last := p.quickDeaths, p.lastExit
	p.mu.Unlock()
	if wait > 0 {
		return nil, &sdk.Error{Kind: sdk.KindRetryable, RetryAfter: wait, Message: fmt.Sprintf(
			"plugin %s stopped %d times in a row (last: %s); it is started again in %s",
			name, n, last, wait.Round(time.Millisecond))}
	}

	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errClosed(name)
	}
	m.starts.Add(1)
	m.mu.Unlock()

	// The start runs on its own goroutine, holding p.sem, so a caller whose ctx ends stops
	// waiting while the start finishes (and is installed) for the next caller.
	handedOff = true
	type result struct {
		r   *running
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer m.starts.Done()
		r, err := m.start(p)
		<-p.sem
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		return res.r, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("plugin %s: waiting for it to start: %w", name, ctx.Err())
	}
}

// bury cleans up after a process that died (or stopped answering) and records the death for
// the restart backoff.
func (m *Manager) bury(p *proc, r *running) {
	r.kill()
	r.stopWithin(5 * time.Second)
	lived := time.Since(r.started)
	exit := "stopped answering"
	if r.cmd != nil && r.cmd.ProcessState != nil {
		st := r.cmd.ProcessState
		exit = st.String()
	}
	p.mu.Lock()
	if p.cur == r {
		p.cur = nil
	}
	if lived < stableAfter {
		p.quickDeaths++
	} else {
		p.quickDeaths = 1
	}
	p.lastExit = exit
	p.nextStart = time.Now().Add(restartDelay(p.quickDeaths))
	p.mu.Unlock()
	m.logger.Warn("plugin process ended; it is started again on the next call",
		"plugin", p.name, "pid", r.pid, "exit", exit, "ran_for", lived.Round(time.Millisecond).String())
}

// restartDelay is the wait before the next start after n consecutive quick deaths: none for
// the first, then 250 ms doubling up to 30 s.
func restartDelay(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	if n > 9 {
		return maxRestartDelay
	}
	d := 250 * time.Millisecond << (n - 2)
	if d > maxRestartDelay {
		d = maxRestartDelay
	}
	return d
}

// start checks the binary against the lock file, launches it and installs the process.
// Called with p.sem held.
func (m *Manager) start(p *proc) (*running, error) {
	name := p.name
	if ri, ok := m.opts.Reattach[name]; ok {
		return m.startReattached(p, ri)
	}
	path := filepath.Join(m.dir, fileName(name, runtime.GOOS))
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &sdk.Error{Kind: sdk.KindConfig, Err: ErrNotInstalled, Message: fmt.Sprintf(
				"plugin %s is not installed: there is no %s in %s", name, fileName(name, runtime.GOOS), m.dir)}
		}
		return nil, &sdk.Error{Kind: sdk.KindConfig, Err: err, Message: fmt.Sprintf("plugin %s: %v", name, err)}
	}
	entry, locked, err := m.lockEntry(name)
	if err != nil {
		return nil, err
	}
	var checksum []byte
	pinNow := ""
	if locked {
		checksum, _ = entry.checksum() // validated by ReadLockFile or taken by fileSHA256
	} else {
		// AllowUnlocked: start it under the hash it has now and pin that hash, so the file
		// cannot be swapped behind the running daemon's back.
		sum, err := fileSHA256(path)
		if err != nil {
			return nil, &sdk.Error{Kind: sdk.KindConfig, Err: err, Message: fmt.Sprintf("plugin %s: %v", name, err)}
		}
		checksum, _ = hex.DecodeString(sum)
		pinNow = sum
		entry = LockEntry{File: filepath.Base(path), SHA256: sum}
	}
	r, err := m.launch(name, path, checksum)
	if err != nil {
		if errors.Is(err, goplugin.ErrChecksumsDoNotMatch) {
			now, herr := fileSHA256(path)
			if herr != nil {
				now = "unreadable"
			}
			return nil, changedError(name, filepath.Base(path), now, entry.SHA256)
		}
		var se *sdk.Error
		if errors.As(err, &se) && se.Kind == sdk.KindConfig {
			return nil, err
		}
		p.mu.Lock()
		p.quickDeaths++
		p.lastExit = "failed to start"
		p.nextStart = time.Now().Add(restartDelay(p.quickDeaths))
		p.mu.Unlock()
		return nil, &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: fmt.Sprintf("plugin %s: could not start %s: %v", name, path, err)}
	}

	if pinNow != "" {
		m.mu.Lock()
		if _, ok := m.pinned[name]; !ok {
			m.pinned[name] = LockEntry{File: filepath.Base(path), SHA256: pinNow, Kind: r.info.Kind,
				Version: r.info.Version, Protocol: r.info.Protocol, SDKVersion: r.info.SDKVersion}
		}
		m.mu.Unlock()
		m.logger.Warn("plugin is not in the lock file; it runs because unlocked plugins are trusted (--trust-unlocked or koppel demo) and is pinned to its current hash until koppel stops; run \"koppel plugins lock\" to lock it",
			"plugin", name, "sha256", pinNow, "lock_file", m.lockPath)
	}
	return m.install(p, r, pinNow == "")
}

// startReattached connects to a plugin running in debug mode.
func (m *Manager) startReattached(p *proc, ri plugin.ReattachInfo) (*running, error) {
	m.logger.Warn("using a plugin in debug mode: it is not checked against the lock file", "plugin", p.name, "pid", ri.Pid, "address", ri.Address)
	cfg, err := plugin.ReattachClientConfig(ri, plugin.ClientOptions{Logger: m.logger.Named(p.name), StartTimeout: m.startTimeout})
	if err != nil {
		return nil, &sdk.Error{Kind: sdk.KindConfig, Err: err, Message: fmt.Sprintf("plugin %s: %s: %v", p.name, plugin.ReattachEnv, err)}
	}
	r, err := m.connect(p.name, cfg, nil)
	if err != nil {
		return nil, &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: fmt.Sprintf("plugin %s: cannot reach the debug process at %s: %v", p.name, ri.Address, err)}
	}
	r.pid = ri.Pid
	return m.install(p, r, false)
}

// install makes r the running process of p.
func (m *Manager) install(p *proc, r *running, locked bool) (*running, error) {
	name := p.name
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		r.stop()
		return nil, errClosed(name)
	}
	p.mu.Lock()
	p.cur = r
	if p.everStarted {
		p.restarts++
	}
	p.everStarted = true
	restarts := p.restarts
	p.mu.Unlock()
	m.logger.Info("plugin started", "plugin", name, "pid", r.pid, "version", r.info.Version,
		"protocol", r.info.Protocol, "locked", locked, "restarts", restarts)
	return r, nil
}

// lockEntry returns the pinned entry for name (see NewManager). A plugin that is not pinned is
// an error unless AllowUnlocked is set.
func (m *Manager) lockEntry(name string) (LockEntry, bool, error) {
	m.mu.Lock()
	e, ok := m.pinned[name]
	pinErr := m.pinErr
	m.mu.Unlock()
	if pinErr != nil {
		return LockEntry{}, false, &sdk.Error{Kind: sdk.KindConfig, Err: pinErr, Message: fmt.Sprintf("plugin %s: %v", name, pinErr)}
	}
	if !ok && !m.opts.AllowUnlocked {
		return LockEntry{}, false, &sdk.Error{Kind: sdk.KindConfig, Err: ErrNotLocked, Message: fmt.Sprintf(
			"plugin %s: %s is not in the lock file %s; if you installed it on purpose, run \"koppel plugins lock\" (and restart koppel)",
			name, fileName(name, runtime.GOOS), m.lockPath)}
	}
	return e, ok, nil
}

// changedError is the refusal of binary file (plugin name), whose hash is now rather than the
// lock file's locked.
func changedError(name, file, now, locked string) error {
	return &sdk.Error{Kind: sdk.KindConfig, Err: ErrChanged, Message: fmt.Sprintf(
		"plugin %s: %s changed since it was locked (sha256 %s ≠ locked %s); if you installed it on purpose, run \"koppel plugins lock\"",
		name, file, short(now), short(locked))}
}

// Lock hashes every plugin binary in the directory, starts each one (checked against the hash
// just taken) to ask for its kind and version, and writes the lock file atomically. Binaries
// no longer present are dropped from the file. If any binary cannot be started or reports a
// different name, nothing is written and the error names it. This is `koppel plugins lock`.
func (m *Manager) Lock(ctx context.Context) (*LockFile, error) {
	bins, err := Discover(m.dir)
	if err != nil {
		return nil, err
	}
	lf := &LockFile{Version: lockFileVersion, Plugins: map[string]LockEntry{}}
	for _, b := range bins {
		sum, err := hex.DecodeString(b.SHA256)
		if err != nil {
			return nil, fmt.Errorf("plugin %s: %w", b.Name, err)
		}
		info, err := m.probe(ctx, b.Name, b.Path, sum)
		if err != nil {
			if errors.Is(err, goplugin.ErrChecksumsDoNotMatch) {
				err = fmt.Errorf("the file changed while it was being locked")
			}
			return nil, fmt.Errorf("plugin %s: cannot start %s to read its kind and version: %w; lock file not written",
				b.Name, filepath.Base(b.Path), err)
		}
		lf.Plugins[b.Name] = LockEntry{
			File:       filepath.Base(b.Path),
			SHA256:     b.SHA256,
			Kind:       info.Kind,
			Version:    info.Version,
			Protocol:   info.Protocol,
			SDKVersion: info.SDKVersion,
		}
	}
	if err := WriteLockFile(m.lockPath, lf); err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.pinned, m.pinErr = map[string]LockEntry{}, nil
	for name, e := range lf.Plugins {
		m.pinned[name] = e
	}
	m.mu.Unlock()
	m.logger.Info("plugins locked", "dir", m.dir, "lock_file", m.lockPath, "count", len(lf.Plugins))
	lf.Comment = lockComment
	return lf, nil
}

// probe starts a binary outside supervision, returns its Info and stops it. It gives up when
// ctx ends (the start then finishes and is stopped in the background).
func (m *Manager) probe(ctx context.Context, name, path string, checksum []byte) (sdk.PluginInfo, error) {
	type result struct {
		r   *running
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := m.launch(name, path, checksum)
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return sdk.PluginInfo{}, res.err
		}
		res.r.stop()
		return res.r.info, nil
	case <-ctx.Done():
		go func() {
			if res := <-done; res.r != nil {
				res.r.stop()
			}
		}()
		return sdk.PluginInfo{}, ctx.Err()
	}
}

// Lock writes the lock file (dir/koppel-plugins.lock) for the plugins in dir; see Manager.Lock.
func Lock(ctx context.Context, dir string) (*LockFile, error) {
	m := NewManager(Options{Dir: dir})
	defer m.Close()
	return m.Lock(ctx)
}
