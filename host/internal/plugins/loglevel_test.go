package plugins

import (
	"io"
	"testing"

	"github.com/hashicorp/go-hclog"

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
