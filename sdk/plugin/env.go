package plugin

import (
	"strings"

	"github.com/hashicorp/go-hclog"
)

// LogLevelEnv is the environment variable through which the host tells a plugin process the
// lowest level of log line it keeps ("trace", "debug", "info", "warn", "error" or "off"): the
// plugin does not write (nor redact) lines the host would drop. A plugin that finds it unset or
// unreadable logs everything from debug up, as before the host passed it.
const LogLevelEnv = "KOPPEL_PLUGIN_LOG_LEVEL"

// LogLevel returns the level a plugin logs at for the value of LogLevelEnv (see there).
func LogLevel(v string) hclog.Level {
	switch l := hclog.LevelFromString(v); l {
	case hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error, hclog.Off:
		return l
	}
	return hclog.Debug
}

// pluginEnvNames are the host environment variables a plugin process inherits: what a program
// needs to find its tools, temporary files, locale, time zone, proxies and CA certificates on
// Linux, macOS and Windows. Everything else — in particular the variables a profile reads its
// keys from with env() — stays in the host.
var pluginEnvNames = map[string]bool{
	"PATH": true, "HOME": true, "USER": true, "LOGNAME": true, "SHELL": true,
	"TMPDIR": true, "TMP": true, "TEMP": true, "LANG": true, "LANGUAGE": true, "TZ": true,
	"HTTP_PROXY": true, "HTTPS_PROXY": true, "NO_PROXY": true, "http_proxy": true, "https_proxy": true, "no_proxy": true,
	"SSL_CERT_FILE": true, "SSL_CERT_DIR": true, "GODEBUG": true, "GOMAXPROCS": true,
	// Windows
	"SYSTEMROOT": true, "SystemRoot": true, "WINDIR": true, "windir": true, "COMSPEC": true, "ComSpec": true,
	"PATHEXT": true, "APPDATA": true, "LOCALAPPDATA": true, "USERPROFILE": true, "ProgramData": true,
	"ProgramFiles": true, "ProgramFiles(x86)": true, "CommonProgramFiles": true, "NUMBER_OF_PROCESSORS": true,
	"PROCESSOR_ARCHITECTURE": true, "SystemDrive": true,
}

// PluginEnv returns the subset of environ (KEY=VALUE entries, as os.Environ gives them) that a
// plugin process may see: see pluginEnvNames; also every LC_* locale variable and every
// variable starting with KOPPEL_PLUGIN_ (settings meant for plugins). The host's secrets are
// not passed on.
func PluginEnv(environ []string) []string {
	out := make([]string, 0, len(pluginEnvNames))
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if pluginEnvNames[name] || strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "KOPPEL_PLUGIN_") {
			out = append(out, kv)
		}
	}
	return out
}
