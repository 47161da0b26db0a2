package config

import (
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

// TestMarkPaidNeedsOrderNotes: orders.mark_paid is refused, at its line and column, when the
// shop plugin cannot add notes to orders (sdk.CapOrderNotes), and accepted when it can.
func TestMarkPaidNeedsOrderNotes(t *testing.T) {
	src := strings.Replace(minimalProfile, "BLOCKS", "orders {\n    since     = \"2026-01-01T00:00:00Z\"\n    book_as   = \"invoice\"\n    mark_paid = true\n  }", 1)
	for _, c := range []struct {
		name string
		caps []string
		want string
	}{
		{"a shop without notes", []string{sdk.CapStockWrite}, `main.hcl:15,17: error: orders.mark_paid is not possible with shop "woocommerce"`},
		{"a shop with notes", []string{sdk.CapStockWrite, sdk.CapOrderNotes}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeDir(t, map[string]string{"main.hcl": src})
			opts, _ := testOptions(validEnv())
			opts.Capabilities = func(kind sdk.PluginKind, name string) ([]string, bool) {
				return c.caps, kind == sdk.KindShop && name == "woocommerce"
			}
			cfg, diags := Load(dir, opts)
			out := formatDiags(t, cfg, diags)
			if c.want == "" {
				if diags.HasErrors() {
					t.Fatalf("refused:\n%s", out)
				}
				return
			}
			if !strings.Contains(out, c.want) || !strings.Contains(out, "remove mark_paid") {
				t.Fatalf("want %q in:\n%s", c.want, out)
			}
		})
	}
}
