package plugins

import (
	"io"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/koppel-nl/koppel/sdk"
	"github.com/koppel-nl/koppel/sdk/plugin"
)

// The level a plugin is told is the one its lines are kept at by the host's logger, and the
// plugin reads it back as that level.
func TestPluginLogLevel(t *testing.T) {
	for _, tc := range []struct {
		logger hclog.Logger
		want   string
	}{
		{hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: io.Discard}).Named("plugin"), "warn"},
		{hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: io.Discard}), "debug"},
		{hclog.New(&hclog.LoggerOptions{Level: hclog.Trace, Output: io.Discard}), "trace"},
		{hclog.NewNullLogger(), "off"},
	} {
		got := pluginLogLevel(tc.logger)
		if got != tc.want {
			t.Errorf("pluginLogLevel = %q, want %q", got, tc.want)
		}
		if lvl := plugin.LogLevel(got); lvl != hclog.LevelFromString(tc.want) {
			t.Errorf("the plugin reads %q as %v", got, lvl)
		}
	}
}

// TestRunningPluginLogsAtTheHostsLevel: a plugin process the Manager starts logs at the level
// of the host's logger (handed over in KOPPEL_PLUGIN_LOG_LEVEL), so lines the host would drop
// are not even written.
func TestRunningPluginLogsAtTheHostsLevel(t *testing.T) {
	for _, level := range []hclog.Level{hclog.Debug, hclog.Warn, hclog.Error} {
		t.Run(level.String(), func(t *testing.T) {
			ctx := testCtx(t)
			dir := installPlugins(t, "testshop")
			var buf logBuffer
			logger := hclog.New(&hclog.LoggerOptions{Name: "host", Level: level, Output: &buf})
			m := newTestManager(t, Options{Dir: dir, AllowUnlocked: true, Logger: logger})
			shop, err := m.Shop(ctx, "testshop", "p", sdk.Config{}.Set("label", "A"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := shop.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Details["log_level"]; got != level.String() {
				t.Fatalf("plugin process logs at %q, want the host's %q", got, level.String())
			}
		})
	}
}
