package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/koppel-nl/koppel/host/internal/tlscert"
)

// settingRow is one attribute of spec/settings.md: its default, and a written value with what it
// decodes to.
type settingRow struct {
	block string // koppel, profile, orders, articles, customers, stock, task
	attr  string
	// def is the value when the attribute is absent; nil means "required, no default".
	def any
	// src is the attribute as written (plus any companion lines the rule needs); want its value.
	src  string
	want any
	get  func(c *Config) any
}

func prof(c *Config) *Profile { return c.Profiles[0] }

func settingRows(dir string) []settingRow {
	abs, _ := filepath.Abs(dir)
	str := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	o := func(f func(o Orders) any) func(*Config) any { return func(c *Config) any { return f(prof(c).Orders) } }
	a := func(f func(a Articles) any) func(*Config) any {
		return func(c *Config) any { return f(prof(c).Articles) }
	}
	cu := func(f func(c Customers) any) func(*Config) any {
		return func(c *Config) any { return f(prof(c).Customers) }
	}
	st := func(f func(s Stock) any) func(*Config) any { return func(c *Config) any { return f(prof(c).Stock) } }
	k := func(f func(k KoppelBlock) any) func(*Config) any { return func(c *Config) any { return f(c.Koppel) } }
	task := func(f func(t Task) any) func(*Config) any {
		return func(c *Config) any {
			if len(prof(c).Tasks) == 0 {
				return nil
			}
			return f(prof(c).Tasks[0])
		}
	}
	rows := []settingRow{
		{"koppel", "state_dir", filepath.Join(abs, "state"), `state_dir = "./data"`, filepath.Join(abs, "data"), k(func(k KoppelBlock) any { return k.StateDir })},
		{"koppel", "state_dir", filepath.Join(abs, "state"), `state_dir = "/var/lib/koppel"`, "/var/lib/koppel", k(func(k KoppelBlock) any { return k.StateDir })},
		{"koppel", "plugin_dir", filepath.Join(abs, "plugins"), `plugin_dir = "bin"`, filepath.Join(abs, "bin"), k(func(k KoppelBlock) any { return k.PluginDir })},
		{"koppel", "listen", "127.0.0.1:8484", `listen = ""`, "", k(func(k KoppelBlock) any { return k.Listen })},
		{"koppel", "listen", "127.0.0.1:8484", `listen = "[::1]:9000"`, "[::1]:9000", k(func(k KoppelBlock) any { return k.Listen })},
		{"koppel", "api_token", "", "listen = \"0.0.0.0:80\"\ninsecure_http = true\napi_token = env(\"KOPPEL_API_TOKEN\")", secretToken, k(func(k KoppelBlock) any { return k.APIToken })},
		{"koppel", "insecure_http", false, "listen = \"0.0.0.0:80\"\ninsecure_http = true\napi_token = env(\"KOPPEL_API_TOKEN\")", true, k(func(k KoppelBlock) any { return k.InsecureHTTP })},
		{"koppel", "tls", false, "listen = \"0.0.0.0:443\"\ntls = \"self-signed\"\napi_token = env(\"KOPPEL_API_TOKEN\")", true, k(func(k KoppelBlock) any { return k.TLSSelfSigned })},
		{"koppel", "tls_cert", "", "tls_cert = \"" + tlscert.CertFile + "\"\ntls_key = \"" + tlscert.KeyFile + "\"", filepath.Join(abs, tlscert.CertFile), k(func(k KoppelBlock) any { return k.TLSCert })},
		{"koppel", "tls_key", "", "tls_cert = \"" + tlscert.CertFile + "\"\ntls_key = \"" + tlscert.KeyFile + "\"", filepath.Join(abs, tlscert.KeyFile), k(func(k KoppelBlock) any { return k.TLSKey })},
		{"koppel", "lock_file", "", `lock_file = "/etc/koppel/koppel-plugins.lock"`, "/etc/koppel/koppel-plugins.lock", k(func(k KoppelBlock) any { return k.LockFile })},
		{"koppel", "retention_days", 90, `retention_days = 7`, 7, k(func(k KoppelBlock) any { return k.RetentionDays })},
		{"koppel", "memory_limit", int64(80 << 20), `memory_limit = "256MiB"`, int64(256 << 20), k(func(k KoppelBlock) any { return k.MemoryLimit })},
		{"koppel", "memory_limit", int64(80 << 20), `memory_limit = "1GiB"`, int64(1 << 30), k(func(k KoppelBlock) any { return k.MemoryLimit })},
		{"koppel", "memory_limit", int64(80 << 20), `memory_limit = "200MB"`, int64(200_000_000), k(func(k KoppelBlock) any { return k.MemoryLimit })},
		{"koppel", "memory_limit", int64(80 << 20), `memory_limit = "off"`, int64(0), k(func(k KoppelBlock) any { return k.MemoryLimit })},
		{"profile", "description", "", `description = "Mijn Winkel"`, "Mijn Winkel", func(c *Config) any { return prof(c).Description }},

		{"orders", "since", nil, `since = "2025-03-01T10:00:00+01:00"`, "2025-03-01T10:00:00+01:00", o(func(o Orders) any { return str(o.Since) })},
		{"orders", "statuses", []string(nil), `statuses = ["completed", "processing"]`, []string{"completed", "processing"}, o(func(o Orders) any { return o.Statuses })},
		{"orders", "template", "", `template = "Webshop"`, "Webshop", o(func(o Orders) any { return o.Template })},
		{"orders", "template", "", `template = 3`, "3", o(func(o Orders) any { return o.Template })},
		{"orders", "reuse_last_template", false, `reuse_last_template = true`, true, o(func(o Orders) any { return o.ReuseLastTemplate })},
		{"orders", "payment_reference", true, `payment_reference = false`, false, o(func(o Orders) any { return o.PaymentReference })},
		{"orders", "reference_prefix", "", `reference_prefix = "A-"`, "A-", o(func(o Orders) any { return o.ReferencePrefix })},
		{"orders", "addresses", AddressesOrder, `addresses = "customer"`, AddressesCustomer, o(func(o Orders) any { return o.Addresses })},
		{"orders", "recipes", false, `recipes = true`, true, o(func(o Orders) any { return o.Recipes })},
		{"orders", "shipping_article", "", `shipping_article = "VERZEND"`, "VERZEND", o(func(o Orders) any { return o.ShippingArticle })},
		{"orders", "shipping_article", "", `shipping_article = 9001`, "9001", o(func(o Orders) any { return o.ShippingArticle })},
		{"orders", "discount_article", "", `discount_article = "KORTING"`, "KORTING", o(func(o Orders) any { return o.DiscountArticle })},
		{"orders", "payment_fee_article", "", `payment_fee_article = "BETAAL"`, "BETAAL", o(func(o Orders) any { return o.PaymentFeeArticle })},
		{"orders", "difference_article", "", `difference_article = "VERSCHIL"`, "VERSCHIL", o(func(o Orders) any { return o.DifferenceArticle })},
		{"orders", "difference_tolerance", "0", `difference_tolerance = "0.05"`, "0.05", o(func(o Orders) any { return o.DifferenceTolerance.String() })},
		{"orders", "difference_tolerance", "0", `difference_tolerance = 0.1`, "0.1", o(func(o Orders) any { return o.DifferenceTolerance.String() })},
		{"orders", "fallback_article", "", `fallback_article = "DIVERSEN"`, "DIVERSEN", o(func(o Orders) any { return o.FallbackArticle })},
		{"orders", "cost_centre", "", `cost_centre = 2`, "2", o(func(o Orders) any { return o.CostCentre })},
		{"orders", "cost_centre", "", `cost_centre = "Webwinkel"`, "Webwinkel", o(func(o Orders) any { return o.CostCentre })},
		{"orders", "vat_check", VATCheckFail, `vat_check = "warn"`, VATCheckWarn, o(func(o Orders) any { return o.VATCheck })},
		{"orders", "vat_check", VATCheckFail, `vat_check = "off"`, VATCheckOff, o(func(o Orders) any { return o.VATCheck })},
		{"orders", "currency", "EUR", `currency = "usd"`, "USD", o(func(o Orders) any { return o.Currency })},
		{"orders", "book_as", BookAsOrder, `book_as = "invoice"`, BookAsInvoice, o(func(o Orders) any { return o.BookAs })},
		{"orders", "ledger_by_vat", map[string]string(nil), "book_as = \"invoice\"\nledger_by_vat = { \"21\" = 8000, \"9%\" = \"Omzet laag\", \"0.0\" = 8020, \"ICP\" = 8100, export = 8110, \"oss\" = 8200 }",
			map[string]string{"21": "8000", "9": "Omzet laag", "0": "8020", "icp": "8100", "export": "8110", "oss": "8200"}, o(func(o Orders) any { return o.LedgerByVAT })},
		{"orders", "mark_paid", false, "book_as = \"invoice\"\nmark_paid = true", true, o(func(o Orders) any { return o.MarkPaid })},
		{"orders", "on_refund", RefundCreditOrder, `on_refund = "attention"`, RefundAttention, o(func(o Orders) any { return o.OnRefund })},
		{"orders", "on_refund", RefundCreditOrder, `on_refund = "ignore"`, RefundIgnore, o(func(o Orders) any { return o.OnRefund })},
		{"orders", "refund_article", "", `refund_article = "RETOUR"`, "RETOUR", o(func(o Orders) any { return o.RefundArticle })},
		{"orders", "on_cancel", CancelAttention, `on_cancel = "delete"`, CancelDelete, o(func(o Orders) any { return o.OnCancel })},
		{"orders", "on_cancel", CancelAttention, `on_cancel = "credit_order"`, CancelCreditOrder, o(func(o Orders) any { return o.OnCancel })},
		{"orders", "on_cancel", CancelAttention, `on_cancel = "ignore"`, CancelIgnore, o(func(o Orders) any { return o.OnCancel })},
		{"orders", "on_change", ChangeAttention, `on_change = "ignore"`, ChangeIgnore, o(func(o Orders) any { return o.OnChange })},

		{"articles", "since", "", `since = "2025-06-01T00:00:00Z"`, "2025-06-01T00:00:00Z", a(func(a Articles) any { return str(a.Since) })},
		{"articles", "code_field", "artikelcode", `code_field = "extra:Webshopcode"`, "extra:Webshopcode", a(func(a Articles) any { return a.CodeField })},
		{"articles", "revenue_group", "", `revenue_group = 1`, "1", a(func(a Articles) any { return a.RevenueGroup })},
		{"articles", "revenue_group", "", `revenue_group = "Omzet hoog"`, "Omzet hoog", a(func(a Articles) any { return a.RevenueGroup })},
		{"articles", "revenue_group_by_vat", map[string]string(nil), `revenue_group_by_vat = { "21" = 1, "9" = 2, "0" = 3, "5.50" = "Laag" }`,
			map[string]string{"21": "1", "9": "2", "0": "3", "5.5": "Laag"}, a(func(a Articles) any { return a.RevenueGroupByVAT })},

		{"customers", "fixed_customer", 0, "mode = \"manual\"\nfixed_customer = 1000", 1000, cu(func(c Customers) any { return c.FixedCustomer })},
		{"customers", "fixed_customer", 0, "mode = \"manual\"\nfixed_customer = \"1001\"", 1001, cu(func(c Customers) any { return c.FixedCustomer })},
		{"customers", "payment_term", (*int)(nil), `payment_term = 30`, 30, cu(func(c Customers) any {
			if c.PaymentTerm == nil {
				return (*int)(nil)
			}
			return *c.PaymentTerm
		})},
		{"customers", "email_invoices", false, `email_invoices = true`, true, cu(func(c Customers) any { return c.EmailInvoices })},
		{"customers", "email_reminders", false, `email_reminders = true`, true, cu(func(c Customers) any { return c.EmailReminders })},

		{"stock", "quantity", QuantityFree, `quantity = "technical"`, QuantityTechnical, st(func(s Stock) any { return s.Quantity })},
		{"stock", "buffer", 0, `buffer = 3`, 3, st(func(s Stock) any { return s.Buffer })},
		{"stock", "composites", true, `composites = false`, false, st(func(s Stock) any { return s.Composites })},

		{"task", "every", nil, `every = "15m"`, 15 * time.Minute, task(func(t Task) any { return t.Every })},
		{"task", "next", nil, "every = \"1h\"\nnext = \"2026-11-24T06:00:00+01:00\"", "2026-11-24T06:00:00+01:00", task(func(t Task) any { return str(t.Next) })},
	}
	// Every value of every enum.
	enum := func(block, attr string, def any, values []string, conv func(string) any, get func(*Config) any) {
		for _, v := range values {
			rows = append(rows, settingRow{block, attr, def, fmt.Sprintf("%s = %q", attr, v), conv(v), get})
		}
	}
	enum("orders", "description", DescriptionOrderNumber, []string{"auto", "profile", "order_number", "none"},
		func(s string) any { return OrderDescription(s) }, o(func(o Orders) any { return o.Description }))
	enum("orders", "lines", LinesFull, []string{"full", "code_and_quantity", "ledger_description"},
		func(s string) any { return OrderLines(s) }, o(func(o Orders) any { return o.Lines }))
	enum("orders", "product_options", OptionsInLine, []string{"separate_line", "in_line", "ignore"},
		func(s string) any { return ProductOptions(s) }, o(func(o Orders) any { return o.ProductOptions }))
	enum("orders", "process_status", ProcessOrder, []string{"Order", "Bevestiging", "Werkbon", "Pakbon", "Afhaalbon"},
		func(s string) any { return ProcessStatus(s) }, o(func(o Orders) any { return o.ProcessStatus }))
	enum("articles", "mode", ModeAdd, []string{"add", "add_update", "manual"},
		func(s string) any { return ArticleMode(s) }, a(func(a Articles) any { return a.Mode }))
	enum("customers", "match", MatchSmart, []string{"code", "email", "code_or_email", "email_postcode", "code_or_email_postcode", "smart"},
		func(s string) any { return CustomerMatch(s) }, cu(func(c Customers) any { return c.Match }))
	enum("customers", "mode", ModeAdd, []string{"add", "add_update", "manual"},
		func(s string) any { return ArticleMode(s) }, cu(func(c Customers) any { return c.Mode }))
	return rows
}

// settingsSource builds a config with row's attribute written in its block.
func settingsSource(row *settingRow) string {
	blocks := map[string]string{}
	if row != nil {
		blocks[row.block] = row.src
	}
	var b strings.Builder
	if s, ok := blocks["koppel"]; ok {
		fmt.Fprintf(&b, "koppel {\n%s\n}\n", s)
	}
	desc := ""
	if row != nil && strings.Contains(row.src, `"profile"`) {
		desc = `description = "D"` // orders.description = "profile" needs one
	}
	if s, ok := blocks["profile"]; ok {
		desc = s
	}
	fmt.Fprintf(&b, "profile \"p\" {\n%s\n", desc)
	b.WriteString(`shop "woocommerce" {
  url             = "https://shop.example"
  consumer_key    = env("WC_KEY")
  consumer_secret = env("WC_SECRET")
}
ledger "snelstart-online" {
  client_key       = env("SNELSTART_CLIENT_KEY")
  subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
}
`)
	orders := blocks["orders"]
	if !strings.HasPrefix(orders, "since") {
		orders = `since = "2026-01-01T00:00:00Z"` + "\n" + orders
	}
	fmt.Fprintf(&b, "orders {\n%s\n}\n", orders)
	for _, name := range []string{"articles", "customers", "stock"} {
		if s, ok := blocks[name]; ok {
			fmt.Fprintf(&b, "%s {\n%s\n}\n", name, s)
		}
	}
	if s, ok := blocks["task"]; ok {
		fmt.Fprintf(&b, "task \"import_orders\" {\n%s\n}\n", s)
	}
	b.WriteString("}\n")
	return b.String()
}

// TestEverySettingDefaultAndValue checks each attribute of spec/settings.md once absent (its
// default) and once written (its value), with no diagnostic at all.
func TestEverySettingDefaultAndValue(t *testing.T) {
	dir := writeDir(t, map[string]string{"main.hcl": settingsSource(nil)})
	if _, err := tlscert.LoadOrCreate(dir, nil, time.Now()); err != nil { // for the tls_cert rows
		t.Fatal(err)
	}
	opts, _ := testOptions(validEnv())
	defCfg, diags := Load(dir, opts)
	if len(diags) > 0 {
		t.Fatalf("defaults: %s", formatDiags(t, defCfg, diags))
	}
	covered := map[string]bool{}
	for _, row := range settingRows(dir) {
		covered[row.block+"."+row.attr] = true
		t.Run(row.block+"."+row.attr+"="+strings.ReplaceAll(row.src, "\n", ";"), func(t *testing.T) {
			if row.def != nil {
				if got := row.get(defCfg); !reflect.DeepEqual(got, row.def) {
					t.Errorf("default = %#v, want %#v", got, row.def)
				}
			}
			if err := writeFile(dir, "main.hcl", settingsSource(&row)); err != nil {
				t.Fatal(err)
			}
			cfg, diags := Load(dir, opts)
			if len(diags) > 0 {
				t.Fatalf("%s", formatDiags(t, cfg, diags))
			}
			if got := row.get(cfg); !reflect.DeepEqual(got, row.want) {
				t.Errorf("value = %#v, want %#v", got, row.want)
			}
		})
	}
	// Every attribute the decoders know is in the table.
	known := knownAttributes(t)
	if len(known) != 6 {
		t.Fatalf("known attributes of %d blocks found, want 6", len(known))
	}
	for block, names := range known {
		for _, n := range names {
			if !covered[block+"."+n] {
				t.Errorf("%s.%s has no row", block, n)
			}
		}
	}
}

// knownAttributes lists the attributes each koppel-defined block accepts, taken from the
// "known attributes" hint of an unknown-attribute diagnostic.
func knownAttributes(t *testing.T) map[string][]string {
	out := map[string][]string{}
	for _, block := range []string{"koppel", "orders", "articles", "customers", "stock", "task"} {
		row := settingRow{block: block, src: "zz_unknown = 1"}
		if block == "task" {
			row.src = "zz_unknown = 1\nevery = \"1h\""
		}
		dir := writeDir(t, map[string]string{"main.hcl": settingsSource(&row)})
		opts, _ := testOptions(validEnv())
		_, diags := Load(dir, opts)
		for _, d := range diags {
			if _, hint := SplitHint(d.Detail); strings.HasPrefix(hint, "known attributes: ") {
				out[block] = strings.Split(strings.TrimPrefix(hint, "known attributes: "), ", ")
			}
		}
	}
	return out
}
