package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/config"
	"github.com/koppel-nl/koppel/host/internal/service"
)

// serviceOptions are the flags of `koppel service install|uninstall`.
type serviceOptions struct {
	root       string
	replace    bool
	user       string
	stateDir   string
	pluginDir  string
	executable string
	listen     string
	logLevel   string
}

func (a *app) serviceCommand() *cobra.Command {
	var o serviceOptions
	cmd := &cobra.Command{
		Use:   "service",
		Short: "Install, remove, start, stop or query koppel run as a systemd unit or Windows service",
		Long: `Installs "koppel run" as an operating-system service.

Linux (systemd): a unit koppel.service running as the system user koppel, with its profiles in
/etc/koppel (or --config), its state in /var/lib/koppel, secrets for env("...") in
/etc/koppel/koppel.env, logs in the journal (journalctl -u koppel), and a sandbox (read-only
system, writable state only, no new privileges). With --root DIR the files are written under DIR
instead (for packaging or a look before installing): no user is created and systemctl is not run.

Windows: a service "koppel" (automatic start, restarted on failure) with its profiles in
C:\ProgramData\koppel, its state in C:\ProgramData\koppel\state and its log in the Windows event
log (source koppel).

When the configuration directory has no koppel block yet, install writes koppel.hcl there
pointing state_dir and plugin_dir at the service's directories. Uninstall keeps the
configuration and the state.`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.root, "root", "", "write the Linux service's files under this directory instead of installing on this machine")
	install := &cobra.Command{
		Use:   "install",
		Short: "Install the service (not started: add a profile, then koppel service start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serviceInstall(cmd.Context(), cmd, o)
		},
	}
	f := install.Flags()
	f.BoolVar(&o.replace, "replace", false, "with --root: overwrite a unit that exists")
	f.StringVar(&o.user, "user", "", `the user the service runs as (Linux default "koppel"; Windows default LocalSystem)`)
	f.StringVar(&o.stateDir, "state-dir", "", "the state directory (default /var/lib/koppel; C:\\ProgramData\\koppel\\state)")
	f.StringVar(&o.pluginDir, "plugin-dir", "", "the plugin directory written into a new koppel block (default: plugins beside the koppel binary)")
	f.StringVar(&o.executable, "executable", "", "the koppel binary the service starts (default: this one)")
	f.StringVar(&o.listen, "listen", "", "pass --listen to koppel run (default: the koppel block's listen)")
	f.StringVar(&o.logLevel, "service-log-level", "info", "the log level of the service")
	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: "Stop and remove the service; configuration and state stay",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serviceUninstall(cmd.Context(), cmd, o)
		},
	}
	control := func(use, short string, fn func(*service.Manager, context.Context) error, done string) *cobra.Command {
		return &cobra.Command{
			Use:   use,
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				m, err := a.serviceManager(cmd, o)
				if err != nil {
					return err
				}
				if err := fn(m, cmd.Context()); err != nil {
					return failedErr("%v", err)
				}
				fmt.Fprintln(a.env.Stdout, done)
				return nil
			},
		}
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Say whether the service is installed and running (exit 1 when it is not running)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := a.serviceManager(cmd, o)
			if err != nil {
				return err
			}
			st, err := m.Status()
			if err != nil {
				return failedErr("%v", err)
			}
			fmt.Fprintf(a.env.Stdout, "koppel service: %s\n", st)
			if st != service.StatusRunning {
				return silentExit(ExitFailed)
			}
			return nil
		},
	}
	cmd.AddCommand(install, uninstall,
		control("start", "Start the installed service", (*service.Manager).Start, "koppel service started"),
		control("stop", "Stop the service gracefully (the orders in flight are finished)", (*service.Manager).Stop, "koppel service stopped"),
		status)
	return cmd
}

// serviceLayout is the service layout from the flags.
func (a *app) serviceLayout(cmd *cobra.Command, o serviceOptions, goos string) (service.Layout, error) {
	exe := o.executable
	if exe == "" {
		e, err := os.Executable()
		if err != nil {
			return service.Layout{}, usageErr("cannot find the koppel binary (%v); give --executable", err)
		}
		if r, err := filepath.EvalSymlinks(e); err == nil {
			e = r
		}
		exe = e
	}
	l := service.DefaultLayout(goos, exe)
	if cmd.Flags().Changed("config") {
		dir, err := filepath.Abs(a.g.configDir)
		if err != nil {
			return l, usageErr("--config %s: %v", a.g.configDir, err)
		}
		l.ConfigDir = dir
	}
	for _, s := range []struct {
		val string
		dst *string
	}{{o.user, &l.User}, {o.stateDir, &l.StateDir}, {o.pluginDir, &l.PluginDir}, {o.listen, &l.Listen}, {o.logLevel, &l.LogLevel}} {
		if s.val != "" {
			*s.dst = s.val
		}
	}
	if err := l.Check(goos); err != nil {
		return l, usageErr("%v", err)
	}
	return l, nil
}

func (a *app) serviceManager(cmd *cobra.Command, o serviceOptions) (*service.Manager, error) {
	if o.root != "" {
		return nil, usageErr("--root only goes with install and uninstall: a service under another root cannot be started from here")
	}
	l, err := a.serviceLayout(cmd, o, runtime.GOOS)
	if err != nil {
		return nil, err
	}
	m, err := service.NewManager(l)
	if err != nil {
		return nil, failedErr("%v", err)
	}
	return m, nil
}

// hasKoppelBlock reports whether the *.hcl files of dir already hold a koppel block.
func (a *app) hasKoppelBlock(dir string) bool {
	cfg, _ := config.Load(dir, config.LoadOptions{Env: a.env.Getenv})
	return cfg != nil && cfg.Koppel.DeclRange.Filename != ""
}

func (a *app) serviceInstall(ctx context.Context, cmd *cobra.Command, o serviceOptions) error {
	if o.root != "" {
		l, err := a.serviceLayout(cmd, o, "linux")
		if err != nil {
			return err
		}
		root, err := filepath.Abs(o.root)
		if err != nil {
			return usageErr("--root %s: %v", o.root, err)
		}
		files, err := service.InstallFiles(root, l, true, o.replace, a.hasKoppelBlock)
		if err != nil {
			return failedErr("%v", err)
		}
		a.printServiceFiles(files)
		fmt.Fprintf(a.env.Stdout, "service files written under %s; on the target system run: systemd-sysusers %s.conf && systemctl daemon-reload && systemctl enable --now %s\n", root, l.Name, l.Name)
		return nil
	}
	m, err := a.serviceManager(cmd, o)
	if err != nil {
		return err
	}
	l, _ := a.serviceLayout(cmd, o, runtime.GOOS)
	files, err := m.Install(ctx, a.hasKoppelBlock)
	a.printServiceFiles(files)
	if err != nil {
		return failedErr("%v", err)
	}
	fmt.Fprintf(a.env.Stdout, "koppel service installed (not started). Next: put a profile in %s, check it with \"koppel validate --config %s\", then \"koppel service start\".\n", l.ConfigDir, l.ConfigDir)
	if runtime.GOOS == "windows" {
		fmt.Fprintln(a.env.Stdout, "Its log is in the Windows event log (Logboeken > Toepassing, source koppel).")
	} else {
		fmt.Fprintf(a.env.Stdout, "Secrets for env(\"...\") go in %s/koppel.env (KEY=value, mode 0600); its log: journalctl -u %s\n", l.ConfigDir, l.Name)
	}
	return nil
}

func (a *app) serviceUninstall(ctx context.Context, cmd *cobra.Command, o serviceOptions) error {
	if o.root != "" {
		l, err := a.serviceLayout(cmd, o, "linux")
		if err != nil {
			return err
		}
		files, err := service.UninstallFiles(o.root, l)
		if err != nil {
			return failedErr("%v", err)
		}
		for _, f := range files {
			if !f.Kept {
				fmt.Fprintf(a.env.Stdout, "removed %s (%s)\n", f.Path, f.What)
			}
		}
		return nil
	}
	m, err := a.serviceManager(cmd, o)
	if err != nil {
		return err
	}
	if err := m.Uninstall(ctx); err != nil {
		return failedErr("%v", err)
	}
	fmt.Fprintln(a.env.Stdout, "koppel service removed; the configuration and the state are kept")
	return nil
}

func (a *app) printServiceFiles(files []service.File) {
	for _, f := range files {
		verb := "wrote"
		if f.Kept {
			verb = "kept "
		}
		fmt.Fprintf(a.env.Stdout, "%s %s (%s)\n", verb, f.Path, f.What)
	}
}

// runAsService runs the daemon under the Windows service control manager: the manager's stop
// request stops it gracefully, and its output goes to the Windows event log.
func (a *app) runAsService(o runOptions) error {
	exe, err := os.Executable()
	if err != nil {
		return failedErr("cannot find the koppel binary: %v", err)
	}
	l := service.DefaultLayout(runtime.GOOS, exe)
	l.ConfigDir = a.g.configDir
	body := func(ctx context.Context, log *service.LogWriter) error {
		a.env.Stdout = log
		a.env.Stderr = log
		return a.runDaemon(ctx, o)
	}
	if err := service.RunManaged(l, body, os.Exit); err != nil {
		return failedErr("%v", err)
	}
	return nil
}
