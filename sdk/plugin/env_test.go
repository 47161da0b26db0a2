package plugin

import (
	"os/exec"
	"slices"
	"testing"
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
