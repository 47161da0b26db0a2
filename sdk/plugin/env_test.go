package plugin

import (
	"os/exec"
	"slices"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestPluginEnvKeepsSecretsInTheHost(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin", "HOME=/root", "LC_ALL=nl_NL.UTF-8", "TZ=Europe/Amsterdam",
		"SNELSTART_CLIENT_KEY=geheim", "WC_SECRET=cs_live_x", "KOPPEL_API_TOKEN=tok",
		"KOPPEL_PLUGIN_DEBUG=1", "HTTPS_PROXY=http://proxy:3128", "broken",
	}
	got := PluginEnv(environ)
	want := []string{"PATH=/usr/bin", "HOME=/root", "LC_ALL=nl_NL.UTF-8", "TZ=Europe/Amsterdam",
		"KOPPEL_PLUGIN_DEBUG=1", "HTTPS_PROXY=http://proxy:3128"}
	if !slices.Equal(got, want) {
		t.Fatalf("PluginEnv = %q, want %q", got, want)
	}

	cmd := exec.Command("koppel-plugin-x")
	cfg := ClientConfig(cmd, ClientOptions{HostEnv: environ})
	if !cfg.SkipHostEnv || !slices.Equal(cmd.Env, want) {
		t.Fatalf("ClientConfig: SkipHostEnv %v, cmd.Env %q", cfg.SkipHostEnv, cmd.Env)
	}
}

// A plugin logs at the level the host keeps; without a readable level, from debug up.
func TestLogLevel(t *testing.T) {
	for v, want := range map[string]hclog.Level{
		"trace": hclog.Trace, "debug": hclog.Debug, "info": hclog.Info, "warn": hclog.Warn, "WARN": hclog.Warn,
		"error": hclog.Error, "off": hclog.Off, "": hclog.Debug, "loud": hclog.Debug,
	} {
		if got := LogLevel(v); got != want {
			t.Errorf("LogLevel(%q) = %v, want %v", v, got, want)
		}
	}
}
