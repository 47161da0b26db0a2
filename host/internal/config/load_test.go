package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/koppel-nl/koppel/sdk"
	"github.com/shopspring/decimal"
)

func mustLoadValid(t *testing.T, dir string) *Config {
	t.Helper()
	opts, _ := testOptions(validEnv())
	cfg, diags := Load(dir, opts)
	if len(diags) > 0 {
		t.Fatalf("Load(%s): unexpected diagnostics:\n%s", dir, formatDiags(t, cfg, diags))
	}
	return cfg
}

func TestLoadFullExample(t *testing.T) {
	dir := filepath.Join("testdata", "valid", "full")
	cfg := mustLoadValid(t, dir)
	abs, _ := filepath.Abs(dir)

	k := cfg.Koppel
	if k.StateDir != filepath.Join(abs, "state") || k.PluginDir != filepath.Join(abs, "plugins") {
		t.Errorf("dirs = %q, %q; want them resolved against %s", k.StateDir, k.PluginDir, abs)
	}
	if k.Listen != "0.0.0.0:8484" || k.APIToken != secretToken || k.RetentionDays != 180 || k.ListenIsLoopback() ||
		!k.TLSSelfSigned || !k.TLS() || k.LockFile != "/etc/koppel/koppel-plugins.lock" {
		t.Errorf("koppel block = %+v", k)
	}
	if len(cfg.Profiles) != 1 {
		t.Fatalf("profiles = %v", cfg.ProfileNames())
	}
	p := cfg.Profile("mijnwinkel")
	if p == nil || p.Description != "Mijn Winkel (WooCommerce)" {
		t.Fatalf("profile = %+v", p)
	}
	if p.Shop.Name != "woocommerce" || p.Shop.Config.String("consumer_secret") != secretWCSecret ||
		p.Shop.Config.String("auth") != "basic" || p.Shop.Config.Duration("timeout") != 45*time.Second ||
		strings.Join(p.Shop.Config.StringList("statuses"), ",") != "processing,completed" ||
		!p.Shop.Config.Bool("verify_tls") {
		t.Errorf("shop = %s", p.Shop.Config.Redacted(p.Shop.Schema))
	}
	if p.Ledger.Name != "snelstart-online" || p.Ledger.Config.Int("rate_limit") != 100 ||
		p.Ledger.Config.String("client_key") != secretClient {
		t.Errorf("ledger = %s", p.Ledger.Config.Redacted(p.Ledger.Schema))
	}
	o := p.Orders
	wantSince := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600))
	if !o.Since.Equal(wantSince) || o.DifferenceTolerance.String() != "0.05" || o.CostCentre != "2" ||
		o.ProcessStatus != ProcessPakbon || o.Lines != LinesCodeAndQuantity || o.FallbackArticle != "DIVERSEN" {
		t.Errorf("orders = %+v", o)
	}
	a := p.Articles
	if name, ok := a.ExtraField(); !ok || name != "Webshopcode" {
		t.Errorf("code field = %q", a.CodeField)
	}
	if g, ok := a.GroupForRate(decimal.RequireFromString("9.0")); !ok || g != "2" {
		t.Errorf("group for 9%% = %q %v", g, ok)
	}
	if g, _ := a.GroupForRate(decimal.Zero); g != "Omzet onbelast" {
		t.Errorf("group for 0%% = %q", g)
	}
	if g, _ := a.GroupForRate(decimal.NewFromInt(6)); g != "1" {
		t.Errorf("group for 6%% falls back to revenue_group, got %q", g)
	}
	if c := p.Customers; c.PaymentTerm == nil || *c.PaymentTerm != 14 || c.Match != MatchCodeOrEmailPostcode {
		t.Errorf("customers = %+v", c)
	}
	if len(p.Tasks) != 3 || p.Tasks[0].Name != TaskImportOrdersExportStock || p.Tasks[0].Every != time.Hour ||
		p.Tasks[0].Next.IsZero() || p.Tasks[1].Every != 24*time.Hour || p.Tasks[2].Name != TaskReconcile || p.Tasks[2].Every != 24*time.Hour {
		t.Errorf("tasks = %+v", p.Tasks)
	}
	if _, ok := p.Task(TaskExportStock); ok {
		t.Error("export_stock is not scheduled")
	}
}

func TestLoadMinimalExampleDefaults(t *testing.T) {
	dir := filepath.Join("testdata", "valid", "minimal")
	cfg := mustLoadValid(t, dir)
	abs, _ := filepath.Abs(dir)
	want := KoppelBlock{StateDir: filepath.Join(abs, "state"), PluginDir: filepath.Join(abs, "plugins"), Listen: DefaultListen, RetentionDays: 90, MemoryLimit: DefaultMemoryLimit}
	if cfg.Koppel != want {
		t.Errorf("koppel = %+v, want %+v", cfg.Koppel, want)
	}
	if !cfg.Koppel.ListenIsLoopback() {
		t.Error("default listen must be loopback")
	}
	p := cfg.Profiles[0]
	if p.Shop.Config.String("auth") != "basic" || p.Shop.Config.Duration("timeout") != 30*time.Second ||
		p.Ledger.Config.String("base_url") != "https://b2bapi.snelstart.nl/v2" || p.Ledger.Config.Int("rate_limit") != 60 {
		t.Errorf("plugin defaults not filled: %s / %s", p.Shop.Config.Redacted(p.Shop.Schema), p.Ledger.Config.Redacted(p.Ledger.Schema))
	}
	if _, ok := p.Shop.Config["headers"]; ok {
		t.Error("an optional attribute without default must stay absent")
	}
}

func TestLoadMultiExample(t *testing.T) {
	cfg := mustLoadValid(t, filepath.Join("testdata", "valid", "multi"))
	if got := strings.Join(cfg.ProfileNames(), ","); got != "winkel-a,winkel-b" {
		t.Fatalf("profiles = %s", got)
	}
	if cfg.Koppel.StateDir != "/var/lib/koppel" || cfg.Koppel.RetentionDays != 30 {
		t.Errorf("koppel = %+v", cfg.Koppel)
	}
	b := cfg.Profile("winkel-b")
	if got := b.Shop.Config.String("consumer_secret"); got != "cs_winkel_b_file_secret_0123456789" {
		t.Errorf("file() secret = %q", got)
	}
	a := cfg.Profile("winkel-a")
	if a.Customers.Mode != ModeManual || a.Customers.FixedCustomer != 1000 || a.Orders.Description != DescriptionProfile {
		t.Errorf("winkel-a = %+v", a)
	}
	// The file() secret is sensitive: the redactor hides it, also trimmed of its newline.
	if got := cfg.Redactor()("secret is cs_winkel_b_file_secret_0123456789."); got != "secret is (sensitive)." {
		t.Errorf("redactor = %q", got)
	}
}

func TestSchemasAskedOncePerPlugin(t *testing.T) {
	opts, f := testOptions(validEnv())
	if _, diags := Load(filepath.Join("testdata", "valid", "multi"), opts); diags.HasErrors() {
		t.Fatal(diags)
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("Schemas called %d times for 2 profiles with the same 2 plugins, want 2", n)
	}
}

// The schemas of the plugins the files name are asked for at the same time (the host starts a
// plugin to ask, so the plugins start side by side), once each.
func TestSchemasAskedTogether(t *testing.T) {
	f := &fakeSchemas{}
	var mu sync.Mutex
	asked := map[string]int{}
	both := make(chan struct{})
	schemas := func(kind sdk.PluginKind, name string) (sdk.Schema, error) {
		mu.Lock()
		asked[string(kind)+"/"+name]++
		if len(asked) == 2 && asked[string(kind)+"/"+name] == 1 {
			close(both)
		}
		mu.Unlock()
		select {
		case <-both:
		case <-time.After(5 * time.Second):
			t.Errorf("Schemas(%s, %s) was not asked beside the other plugin's", kind, name)
		}
		return f.schemas(kind, name)
	}
	opts := LoadOptions{Schemas: schemas, Env: lookupEnv(validEnv())}
	if _, diags := Load(filepath.Join("testdata", "valid", "multi"), opts); diags.HasErrors() {
		t.Fatal(diags)
	}
	if want := map[string]int{"shop/woocommerce": 1, "ledger/snelstart-online": 1}; !maps.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
}

func TestLoadWithoutSchemasTreatsPluginValuesAsSensitive(t *testing.T) {
	dir := filepath.Join("testdata", "valid", "minimal")
	cfg, diags := Load(dir, LoadOptions{Env: lookupEnv(validEnv())})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := cfg.Profiles[0]
	if p.Shop.Config.String("url") != "https://www.mijnwinkel.nl" {
		t.Errorf("url = %q", p.Shop.Config.String("url"))
	}
	if got := cfg.Redactor()("url https://www.mijnwinkel.nl"); strings.Contains(got, "mijnwinkel") {
		t.Errorf("without schemas every plugin value is sensitive; got %q", got)
	}
}

func TestRedactorHidesEverySecret(t *testing.T) {
	cfg := mustLoadValid(t, filepath.Join("testdata", "valid", "full"))
	r := cfg.Redactor()
	line := strings.Join([]string{secretWCKey, secretWCSecret, secretClient, secretSub, secretToken, `"` + secretToken + `"`}, " | ")
	got := r(line)
	for _, s := range []string{secretWCKey, secretWCSecret, secretClient, secretSub, secretToken} {
		if strings.Contains(got, s) {
			t.Errorf("redactor left %q in %q", s, got)
		}
	}
	if strings.Count(got, Redacted) != 6 {
		t.Errorf("redacted line = %q", got)
	}
	if r("https://www.mijnwinkel.nl") != "https://www.mijnwinkel.nl" {
		t.Error("a non-sensitive value must stay")
	}
}

func TestEnvDefaultArgument(t *testing.T) {
	src := strings.Replace(minimalProfile, `env("WC_SECRET")`, `env("NOT_SET_ANYWHERE", "fallback-secret-value")`, 1)
	cfg, diags := loadString(t, strings.Replace(src, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }`, 1))
	if diags.HasErrors() {
		t.Fatal(formatDiags(t, cfg, diags))
	}
	if got := cfg.Profiles[0].Shop.Config.String("consumer_secret"); got != "fallback-secret-value" {
		t.Errorf("consumer_secret = %q", got)
	}
	if cfg.Redactor()("fallback-secret-value") != Redacted {
		t.Error("an env() default landing in a sensitive attribute is sensitive")
	}
}

func TestSecretNamedEnvNeverPrinted(t *testing.T) {
	// A value from a variable whose name says it is a secret, used where no secret belongs (here
	// a schedule), must not appear in the diagnostic about it.
	for _, tc := range []struct {
		name, value string
		hidden      bool
	}{
		{"SCHEDULE_SECRET", "cs_echo_me_not_12345", true},
		{"OTHER_API_TOKEN", "token-value-678", true},
		{"SHOP_ZONE", "Europe/Nowhere-Zone", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(minimalProfile, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }
  task "import_orders" { every = env("`+tc.name+`") }`, 1)
			env := validEnv()
			env[tc.name] = tc.value
			dir := writeDir(t, map[string]string{"p.hcl": src})
			opts, _ := testOptions(env)
			cfg, diags := Load(dir, opts)
			if !diags.HasErrors() {
				t.Fatalf("every = %q loaded without an error", tc.value)
			}
			out := formatDiags(t, cfg, diags)
			if got := strings.Contains(out, tc.value); got == tc.hidden {
				t.Errorf("value shown = %v, want %v:\n%s", got, !tc.hidden, out)
			}
		})
	}
}

func TestStringFunctions(t *testing.T) {
	src := strings.Replace(minimalProfile, `"https://shop.example"`, `lower(format("https://%s.example", trimspace("  SHOP ")))`, 1)
	cfg, diags := loadString(t, strings.Replace(src, "BLOCKS", `orders {
    since = "2026-01-01T00:00:00Z"
    reference_prefix = upper(replace("mw_", "_", "-"))
    statuses = split(",", join(",", ["processing", "completed"]))
    template = coalesce(null, "Webshop")
  }`, 1))
	if diags.HasErrors() {
		t.Fatal(formatDiags(t, cfg, diags))
	}
	p := cfg.Profiles[0]
	if p.Shop.Config.String("url") != "https://shop.example" || p.Orders.ReferencePrefix != "MW-" ||
		len(p.Orders.Statuses) != 2 || p.Orders.Template != "Webshop" {
		t.Errorf("url=%q orders=%+v", p.Shop.Config.String("url"), p.Orders)
	}
}

func TestDuplicatesAcrossFiles(t *testing.T) {
	profile := strings.Replace(minimalProfile, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }`, 1)
	dir := writeDir(t, map[string]string{
		"a.hcl": "koppel {}\n" + profile,
		"b.hcl": "koppel {\n  retention_days = 5\n}\n" + profile,
	})
	opts, _ := testOptions(validEnv())
	cfg, diags := Load(dir, opts)
	out := formatDiags(t, cfg, diags)
	for _, want := range []string{
		"b.hcl:1,1: error: a second koppel block; the first one is at a.hcl:1,1",
		`b.hcl:5,9: error: profile "p" is defined twice; the first one is at a.hcl:3,9`,
	} {
		if !strings.Contains(strings.ReplaceAll(out, dir+string(filepath.Separator), ""), want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if len(cfg.Profiles) != 1 {
		t.Errorf("the duplicate profile must not be added: %v", cfg.ProfileNames())
	}
}

func TestLoadDirectoryProblems(t *testing.T) {
	opts, _ := testOptions(validEnv())
	_, diags := Load(filepath.Join(t.TempDir(), "missing"), opts)
	if !diags.HasErrors() || !strings.Contains(diags[0].Summary, "cannot read config directory") {
		t.Errorf("missing dir: %v", diags)
	}
	_, diags = Load(t.TempDir(), opts)
	if !diags.HasErrors() || !strings.Contains(diags[0].Summary, "no *.hcl files") {
		t.Errorf("empty dir: %v", diags)
	}
}

// TestRules covers the cross-field rules and the checks beyond them, one snippet each.
func TestRules(t *testing.T) {
	const since = "\n since = \"2026-01-01T00:00:00Z\"\n"
	tests := []struct {
		name, blocks, koppel string
		want                 string // substring of the formatted output
		severity             hcl.DiagnosticSeverity
	}{
		{"fixed customer without manual", `orders {` + since + `}
  customers { fixed_customer = 5 }`, "", `customers.fixed_customer is only allowed with customers.mode = "manual"`, hcl.DiagError},
		{"empty article code", `orders {` + since + "\n shipping_article = \"  \"\n }", "", "orders.shipping_article must not be empty", hcl.DiagError},
		{"numeric article code", `orders {` + since + "\n shipping_article = 1.5\n }", "", "orders.shipping_article must be an article code", hcl.DiagError},
		{"since required", `orders { template = 1 }`, "", "orders.since is required", hcl.DiagError},
		{"no orders block", ``, "", `profile "p": orders.since is required`, hcl.DiagError},
		{"negative tolerance", `orders {` + since + "\n difference_tolerance = -0.01\n }", "", "orders.difference_tolerance must not be negative", hcl.DiagError},
		{"comma tolerance", `orders {` + since + "\n difference_tolerance = \"0,05\"\n }", "", `use a point, not a comma, for the decimals: difference_tolerance = "0.05"`, hcl.DiagError},
		{"large tolerance", `orders {` + since + "\n difference_tolerance = 5\n }", "", "orders.difference_tolerance is 5", hcl.DiagWarning},
		{"sub-cent tolerance", `orders {` + since + "\n difference_tolerance = \"0.005\"\n }", "", "more than two decimals", hcl.DiagWarning},
		{"negative buffer", `orders {` + since + "}\n stock { buffer = -1 }", "", "stock.buffer must be 0 or more", hcl.DiagError},
		{"fractional buffer", `orders {` + since + "}\n stock { buffer = 1.5 }", "", "stock.buffer must be a whole number", hcl.DiagError},
		{"bad code field", `orders {` + since + "}\n articles { code_field = \"extra:\" }", "", `articles.code_field must be "artikelcode" or "extra:<field name>"`, hcl.DiagError},
		{"other code field", `orders {` + since + "}\n articles { code_field = \"barcode\" }", "", `code_field = "artikelcode"`, hcl.DiagError},
		{"listen without token", `orders {` + since + `}`, `koppel { listen = "0.0.0.0:8484" }`, "koppel.api_token is required when listen", hcl.DiagError},
		{"listen all interfaces", `orders {` + since + `}`, `koppel { listen = ":8484" }`, "koppel.api_token is required when listen", hcl.DiagError},
		{"bad listen", `orders {` + since + `}`, `koppel { listen = "localhost" }`, "koppel.listen must be host:port", hcl.DiagError},
		{"plain http off loopback", `orders {` + since + `}`, "koppel {\n listen = \"0.0.0.0:8484\"\n api_token = \"0123456789abcdef0123\"\n }", `the dashboard would speak plain HTTP`, hcl.DiagError},
		{"plain http hint", `orders {` + since + `}`, "koppel {\n listen = \"192.168.1.5:8484\"\n api_token = \"0123456789abcdef0123\"\n }", `or tls = "self-signed"; behind a reverse proxy that does TLS, write insecure_http = true`, hcl.DiagError},
		{"bad tls mode", `orders {` + since + `}`, `koppel { tls = "on" }`, `koppel.tls must be one of "self-signed"`, hcl.DiagError},
		{"cert without key", `orders {` + since + `}`, `koppel { tls_cert = "/etc/koppel/tls.crt" }`, "koppel.tls_cert needs koppel.tls_key", hcl.DiagError},
		{"unreadable cert", `orders {` + since + `}`, "koppel {\n tls_cert = \"/nonexistent/tls.crt\"\n tls_key = \"/nonexistent/tls.key\"\n }", "koppel.tls_cert and tls_key cannot be used", hcl.DiagError},
		{"self-signed and cert", `orders {` + since + `}`, "koppel {\n tls = \"self-signed\"\n tls_cert = \"/x.crt\"\n tls_key = \"/x.key\"\n }", `tls = "self-signed" and tls_cert exclude each other`, hcl.DiagError},
		{"short token", `orders {` + since + `}`, `koppel { api_token = "abcd" }`, "koppel.api_token is shorter than 16 characters", hcl.DiagWarning},
		{"retention zero", `orders {` + since + `}`, `koppel { retention_days = 0 }`, "koppel.retention_days must be 1 or more", hcl.DiagError},
		{"memory limit without unit", `orders {` + since + `}`, `koppel { memory_limit = "96" }`, `like memory_limit = "96MiB", or memory_limit = "off"`, hcl.DiagError},
		{"memory limit as number", `orders {` + since + `}`, `koppel { memory_limit = 100663296 }`, `koppel.memory_limit must be a string`, hcl.DiagError},
		{"memory limit unknown unit", `orders {` + since + `}`, `koppel { memory_limit = "96 megs" }`, `koppel.memory_limit must be an amount of memory with its unit`, hcl.DiagError},
		{"memory limit too small", `orders {` + since + `}`, `koppel { memory_limit = "8MiB" }`, `koppel.memory_limit must be at least 32 MiB`, hcl.DiagError},
		{"empty state dir", `orders {` + since + `}`, `koppel { state_dir = "" }`, "koppel.state_dir must not be empty", hcl.DiagError},
		{"description profile without description", `orders {` + since + "\n description = \"profile\"\n }", "", `orders.description = "profile" needs a profile description`, hcl.DiagError},
		{"manual customers with email", `orders {` + since + "}\n customers {\n mode = \"manual\"\n email_invoices = true\n\n }", "", `customers.email_invoices has no effect with mode = "manual"`, hcl.DiagWarning},
		{"manual articles with group", `orders {` + since + "}\n articles {\n mode = \"manual\"\n revenue_group = 1\n\n }", "", `articles.revenue_group has no effect with mode = "manual"`, hcl.DiagWarning},
		{"empty statuses", `orders {` + since + "\n statuses = []\n }", "", "orders.statuses is empty", hcl.DiagError},
		{"since in future", `orders { since = "2999-01-01T00:00:00Z" }`, "", "orders.since is in the future", hcl.DiagWarning},
		{"bad rate key", `orders {` + since + "}\n articles { revenue_group_by_vat = { \"hoog\" = 1 } }", "", `"hoog" is not a VAT rate`, hcl.DiagError},
		{"duplicate rate", `orders {` + since + "}\n articles { revenue_group_by_vat = { \"21\" = 1, \"21.0\" = 2 } }", "", "rate 21 is given twice", hcl.DiagError},
		{"bad ledger key", `orders {` + since + "\n book_as = \"invoice\"\n ledger_by_vat = { \"21\" = 8000, \"eu\" = 8100 }\n }", "", `"eu" is not a VAT rate`, hcl.DiagError},
		{"ledger key hint", `orders {` + since + "\n book_as = \"invoice\"\n ledger_by_vat = { \"eu\" = 8100 }\n }", "", `or one of "icp", "export", "oss"`, hcl.DiagError},
		{"ledger value", `orders {` + since + "\n book_as = \"invoice\"\n ledger_by_vat = { \"21\" = true }\n }", "", `the revenue ledger (grootboek) for "21" must be a number or a name`, hcl.DiagError},
		{"ledger duplicate", `orders {` + since + "\n book_as = \"invoice\"\n ledger_by_vat = { \"9\" = 8010, \"9.0\" = 8011 }\n }", "", "rate 9 is given twice", hcl.DiagError},
		{"ledger not a map", `orders {` + since + "\n book_as = \"invoice\"\n ledger_by_vat = 8000\n }", "", `write ledger_by_vat = { "21" = 8000`, hcl.DiagError},
		{"ledger map in order mode", `orders {` + since + "\n ledger_by_vat = { \"21\" = 8000 }\n }", "", `orders.ledger_by_vat has no effect with book_as = "order"`, hcl.DiagWarning},
		{"recipes in invoice mode", `orders {` + since + "\n book_as = \"invoice\"\n recipes = true\n }", "", `orders.recipes has no effect with book_as = "invoice"`, hcl.DiagWarning},
		{"mark_paid in order mode", `orders {` + since + "\n mark_paid = true\n }", "", `orders.mark_paid has no effect with book_as = "order"`, hcl.DiagWarning},
		{"next without every", `orders {` + since + "}\n task \"import_orders\" { next = \"2026-01-01T06:00:00Z\" }", "", `task "import_orders" has next but no every`, hcl.DiagError},
		{"short interval", `orders {` + since + "}\n task \"import_orders\" { every = \"10s\" }", "", `task "import_orders" runs every 10s`, hcl.DiagWarning},
		{"negative every", `orders {` + since + "}\n task \"import_orders\" { every = \"-5m\" }", "", `task "import_orders".every must be a duration greater than zero`, hcl.DiagError},
		{"duplicate task", `orders {` + since + "}\n task \"import_orders\" { every = \"15m\" }\n task \"import_orders\" { every = \"1h\" }", "", `task "import_orders" is scheduled twice`, hcl.DiagError},
		{"second orders block", `orders {` + since + "}\n orders {" + since + "}", "", `a second orders block in profile "p"`, hcl.DiagError},
		{"unknown block", `orders {` + since + "}\n order {}", "", `unexpected block "order" in profile "p"`, hcl.DiagError},
		{"nested block in orders", `orders {` + since + "\n articles {}\n }", "", `unexpected block "articles" in the orders block`, hcl.DiagError},
		{"negative payment term", `orders {` + since + "}\n customers { payment_term = -1 }", "", "customers.payment_term must be 0 or more", hcl.DiagError},
		{"zero fixed customer", `orders {` + since + "}\n customers {\n mode = \"manual\"\n fixed_customer = 0\n\n }", "", "customers.fixed_customer must be 1 or more", hcl.DiagError},
		{"unquoted word", `orders {` + since + "\n lines = full\n }", "", `put text in double quotes`, hcl.DiagError},
		{"unknown function", `orders {` + since + "\n reference_prefix = shout(\"x\")\n }", "", `available functions: `, hcl.DiagError},
		{"missing file", `orders {` + since + "\n reference_prefix = file(\"nope.txt\")\n }", "", `file("nope.txt"): cannot read`, hcl.DiagError},
		{"syntax error", `orders {` + since + "\n lines = \"full\n }", "", `close the text with a double quote`, hcl.DiagError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.koppel + "\n" + strings.Replace(minimalProfile, "BLOCKS", tt.blocks, 1)
			cfg, diags := loadString(t, src)
			out := formatDiags(t, cfg, diags)
			if !strings.Contains(out, tt.want) {
				t.Fatalf("want %q in:\n%s", tt.want, out)
			}
			found := false
			for _, d := range diags {
				full := d.Summary + "; " + d.Detail
				if d.Severity == tt.severity && (strings.Contains(full, tt.want) || strings.Contains(out, tt.want)) {
					found = true
				}
				if d.Subject == nil {
					t.Errorf("diagnostic without a position: %s", d.Summary)
				}
				if _, hint := SplitHint(d.Detail); hint == "" {
					t.Errorf("diagnostic without a hint: %s", d.Summary)
				}
			}
			if !found {
				t.Errorf("no diagnostic of severity %v for %q:\n%s", tt.severity, tt.want, out)
			}
		})
	}
}

func TestDuplicateShopAndLedgerAcrossProfiles(t *testing.T) {
	p := strings.Replace(minimalProfile, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }`, 1)
	cfg, diags := loadString(t, p+strings.Replace(p, `profile "p"`, `profile "q"`, 1))
	if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Summary, `profiles "p" and "q" link the same shop`) {
		t.Errorf("diags:\n%s", formatDiags(t, cfg, diags))
	}
}

func TestMissingShopAndLedger(t *testing.T) {
	cfg, diags := loadString(t, `profile "p" {
  orders { since = "2026-01-01T00:00:00Z" }
}`)
	out := formatDiags(t, cfg, diags)
	for _, want := range []string{`profile "p" has no shop block`, `profile "p" has no ledger block`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestPluginValueTypes(t *testing.T) {
	body := `shop "woocommerce" {
    url             = "https://shop.example"
    consumer_key    = env("WC_KEY")
    consumer_secret = env("WC_SECRET")
    verify_tls      = "false"
    headers         = { "X-Shop" = "a" }
    statuses        = ["processing", "on-hold"]
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
    rate_limit       = "120"
  }
  orders { since = "2026-01-01T00:00:00Z" }`
	cfg, diags := loadString(t, "profile \"p\" {\n"+body+"\n}")
	if diags.HasErrors() {
		t.Fatal(formatDiags(t, cfg, diags))
	}
	p := cfg.Profiles[0]
	if p.Shop.Config.Bool("verify_tls") || p.Shop.Config.StringMap("headers")["X-Shop"] != "a" || p.Ledger.Config.Int("rate_limit") != 120 {
		t.Errorf("shop %s ledger %s", p.Shop.Config.Redacted(p.Shop.Schema), p.Ledger.Config.Redacted(p.Ledger.Schema))
	}
	if string(p.Ledger.Config["rate_limit"]) != "120" {
		t.Errorf("rate_limit JSON = %s", p.Ledger.Config["rate_limit"])
	}

	bad := []struct{ attr, value, want string }{
		{"statuses", `["processing", 3]`, "woocommerce.statuses must be a list of strings"},
		{"headers", `"x"`, "woocommerce.headers must be a map of strings"},
		{"timeout", `"-1s"`, "woocommerce.timeout must be a duration"},
		{"verify_tls", `"yes"`, "woocommerce.verify_tls must be true or false"},
		{"url", `["a"]`, "woocommerce.url must be a string; got a list"},
	}
	for _, b := range bad {
		lines := strings.Split("profile \"p\" {\n"+body+"\n}", "\n")
		replaced := false
		for i, line := range lines {
			if strings.HasPrefix(strings.TrimSpace(line), b.attr+" ") && !replaced {
				lines[i] = b.attr + " = " + b.value
				replaced = true
			}
		}
		if !replaced {
			lines = append(lines[:2], append([]string{b.attr + " = " + b.value}, lines[2:]...)...)
		}
		src := strings.Join(lines, "\n")
		cfg, diags := loadString(t, src)
		if out := formatDiags(t, cfg, diags); !strings.Contains(out, b.want) {
			t.Errorf("%s = %s: want %q in:\n%s", b.attr, b.value, b.want, out)
		}
	}
}

func TestUnknownPluginErrorMessage(t *testing.T) {
	e := &UnknownPluginError{Kind: sdk.KindShop, Name: "x", Known: []string{"a", "b"}}
	if e.Error() != `unknown plugin "x" (installed: a, b)` {
		t.Error(e.Error())
	}
}

func TestSchemaErrors(t *testing.T) {
	src := strings.Replace(minimalProfile, "BLOCKS", `orders { since = "2026-01-01T00:00:00Z" }`, 1)
	dir := writeDir(t, map[string]string{"main.hcl": src})
	for _, tt := range []struct {
		name    string
		schemas func(sdk.PluginKind, string) (sdk.Schema, error)
		want    string
	}{
		{"invalid schema", func(k sdk.PluginKind, n string) (sdk.Schema, error) {
			return sdk.Schema{Attributes: []sdk.Attribute{{Name: "a", Type: "weird"}}}, nil
		}, `plugin "woocommerce" declares an invalid schema`},
		{"start failure", func(k sdk.PluginKind, n string) (sdk.Schema, error) {
			return sdk.Schema{}, fmt.Errorf("plugin exited: token %s rejected", secretWCSecret)
		}, `cannot read the schema of plugin "woocommerce"`},
		{"no plugins", func(k sdk.PluginKind, n string) (sdk.Schema, error) {
			return sdk.Schema{}, &UnknownPluginError{Kind: k, Name: n}
		}, `no shop plugins are installed; put koppel-plugin-woocommerce in the plugin directory`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := Load(dir, LoadOptions{Schemas: tt.schemas, Env: lookupEnv(validEnv())})
			out := formatDiags(t, cfg, diags)
			if !strings.Contains(out, tt.want) {
				t.Errorf("want %q in:\n%s", tt.want, out)
			}
			if strings.Contains(out, secretWCSecret) {
				t.Errorf("secret printed:\n%s", out)
			}
		})
	}
}

func TestFileFunctionRefusesSpecialFiles(t *testing.T) {
	src := strings.Replace(minimalProfile, "BLOCKS", `orders {
    since = "2026-01-01T00:00:00Z"
    reference_prefix = file("/dev/zero")
  }`, 1)
	cfg, diags := loadString(t, src)
	if out := formatDiags(t, cfg, diags); !strings.Contains(out, `file("/dev/zero"): cannot read /dev/zero: /dev/zero is not a regular file`) {
		t.Errorf("got:\n%s", out)
	}
}
