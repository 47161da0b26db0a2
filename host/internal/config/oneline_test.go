package config

import (
	"strings"
	"testing"
	"time"
)

// settings.md writes tasks as one-line blocks with two attributes; HCL alone refuses that.
func TestOneLineBlocksWithSeveralAttributes(t *testing.T) {
	src := strings.Replace(minimalProfile, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }
  task "import_orders"              { every = "15m" }
  task "import_orders_export_stock" { every = "1h"  next = "2026-11-24T06:00:00+01:00" }
  stock { quantity = "technical"	buffer = 2 composites = false }`, 1)
	cfg, diags := loadString(t, src)
	if diags.HasErrors() {
		t.Fatalf("the spec's one-line blocks must load:\n%s", formatDiags(t, cfg, diags))
	}
	p := cfg.Profile("p")
	task, ok := p.Task(TaskImportOrdersExportStock)
	want, _ := time.Parse(time.RFC3339, "2026-11-24T06:00:00+01:00")
	if !ok || task.Every != time.Hour || !task.Next.Equal(want) {
		t.Fatalf("task = %+v", task)
	}
	if p.Stock.Quantity != QuantityTechnical || p.Stock.Buffer != 2 || p.Stock.Composites {
		t.Fatalf("stock = %+v", p.Stock)
	}
}

// A mistake inside or after an expanded one-line block is reported at its place in the file as
// the user wrote it.
func TestOneLineBlockDiagnosticsKeepTheirPlace(t *testing.T) {
	src := strings.Replace(minimalProfile, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }
  task "import_orders" { every = "1h"  next = "tomorrow" }
  stock { buffer = -1 }`, 1)
	cfg, diags := loadString(t, src)
	out := formatDiags(t, cfg, diags)
	for _, want := range []string{
		`main.hcl:13,47: error:`, // "tomorrow" on the task line as written
		`main.hcl:14,20: error:`, // buffer on the next line
		`task "import_orders" { every = "1h"  next = "tomorrow" }`,
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("diagnostics lack %q:\n%s", want, out)
		}
	}
}

func TestExpandOneLineBlocksLeavesOtherTextAlone(t *testing.T) {
	for _, src := range []string{
		`x = { a = 1, b = 2 }`,
		`task "a" { every = "1h" }`,
		"task \"a\" {\n  every = \"1h\"\n  next = \"x\"\n}\n",
		`task "a" {every = "1h" next = "x"}`,
		`broken "`,
	} {
		out, changed := expandOneLineBlocks([]byte(src))
		if changed || string(out) != src {
			t.Fatalf("%q was changed to %q", src, out)
		}
	}
	out, changed := expandOneLineBlocks([]byte(`t "a" { x = "{ y = 1 }"  z = [1, { w = 2 }] }`))
	if !changed || string(out) != "t \"a\" {\nx = \"{ y = 1 }\" \nz = [1, { w = 2 }]\n}" {
		t.Fatalf("expanded to %q", out)
	}
}
