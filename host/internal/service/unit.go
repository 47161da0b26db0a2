package service

import (
	"fmt"
	"strings"
)

// SystemdUnit is the text of koppel.service for l: `koppel run` as l.User, restarted on
// failure (not on exit status 2, a broken configuration, which a restart cannot mend), logging
// to the journal, reloaded with SIGHUP, and sandboxed: the whole file system read-only but the
// state directory, no home directories, a private /tmp and /dev, no new privileges, no
// capabilities, only the system calls and address families a network service needs.
func SystemdUnit(l Layout) string {
	stop := l.StopTimeoutSeconds
	if stop <= 0 {
		stop = 300
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Written by \"koppel service install\". Local changes belong in a drop-in:")
	w("#   systemctl edit %s", l.Name)
	w("[Unit]")
	w("Description=koppel: webshop orders to SnelStart")
	w("Documentation=https://github.com/koppel-nl/koppel/blob/main/docs/operations.md")
	w("After=network-online.target")
	w("Wants=network-online.target")
	w("")
	w("[Service]")
	w("Type=simple")
	w("User=%s", l.User)
	w("Group=%s", l.User)
	w("ExecStart=%s", execLine(l.Executable, l.Arguments()))
	w("ExecReload=/bin/kill -HUP $MAINPID")
	w("# Secrets for env(\"...\") in the profiles: KEY=value lines, readable by root only.")
	w("EnvironmentFile=-%s/koppel.env", l.ConfigDir)
	w("WorkingDirectory=%s", l.StateDir)
	w("Restart=on-failure")
	w("RestartSec=10s")
	w("# Exit status 2 is a broken configuration: fix it, then systemctl restart %s.", l.Name)
	w("RestartPreventExitStatus=2")
	w("# koppel finishes the order in flight on SIGTERM (--stop-timeout); give it a minute more.")
	w("TimeoutStopSec=%ds", stop+60)
	w("KillMode=mixed")
	w("LimitNOFILE=65536")
	w("StandardOutput=journal")
	w("StandardError=journal")
	w("SyslogIdentifier=%s", l.Name)
	w("UMask=0077")
	w("")
	w("# Sandbox: read-only system, writable state only.")
	w("ProtectSystem=strict")
	w("ReadWritePaths=%s", l.StateDir)
	w("ProtectHome=yes")
	w("PrivateTmp=yes")
	w("PrivateDevices=yes")
	w("NoNewPrivileges=yes")
	w("CapabilityBoundingSet=")
	w("AmbientCapabilities=")
	w("ProtectKernelTunables=yes")
	w("ProtectKernelModules=yes")
	w("ProtectKernelLogs=yes")
	w("ProtectControlGroups=yes")
	w("ProtectClock=yes")
	w("ProtectHostname=yes")
	w("ProtectProc=invisible")
	w("RestrictNamespaces=yes")
	w("RestrictRealtime=yes")
	w("RestrictSUIDSGID=yes")
	w("LockPersonality=yes")
	w("MemoryDenyWriteExecute=yes")
	w("RemoveIPC=yes")
	w("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6")
	w("SystemCallArchitectures=native")
	w("SystemCallFilter=@system-service")
	w("SystemCallFilter=~@privileged")
	w("SystemCallErrorNumber=EPERM")
	w("")
	w("[Install]")
	w("WantedBy=multi-user.target")
	return b.String()
}

// execLine quotes the words of an ExecStart= line as systemd reads them.
func execLine(exe string, args []string) string {
	words := append([]string{exe}, args...)
	for i, w := range words {
		if w == "" || strings.ContainsAny(w, " \t\"'\\;") {
			w = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
		}
		// A % starts a specifier and $ a variable in ExecStart=; both are doubled.
		words[i] = strings.NewReplacer("%", "%%", "$", "$$").Replace(w)
	}
	return strings.Join(words, " ")
}

// SysusersConf is the systemd-sysusers(8) entry creating l.User as a system user with the state
// directory as its home and no login shell.
func SysusersConf(l Layout) string {
	return fmt.Sprintf("# Written by \"koppel service install\": the user the %s service runs as.\nu %s - \"koppel daemon\" %s /usr/sbin/nologin\n",
		l.Name, l.User, l.StateDir)
}

// StarterConfig is the koppel block written to CONFIGDIR/koppel.hcl when the configuration
// directory has no koppel block yet: it points the state and plugin directories at l's.
func StarterConfig(l Layout) string {
	q := func(s string) string {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "${", "$${", "%{", "%%{").Replace(s) + `"`
	}
	return fmt.Sprintf(`# Written by "koppel service install". The service reads every *.hcl file in this directory.
# Put a profile beside this file (see examples/profiles in the release archive), then check it
# with "koppel validate --config %s" and restart the service.
koppel {
  state_dir  = %s
  plugin_dir = %s
}
`, l.ConfigDir, q(l.StateDir), q(l.PluginDir))
}
