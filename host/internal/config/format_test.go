package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func TestFormat(t *testing.T) {
	src := "a = 1\n\tsecret = \"hunter2hunter2\"  # tab-indented\nlong = \"x\n"
	file, _ := hclsyntax.ParseConfig([]byte(src), "f.hcl", hcl.InitialPos)
	files := map[string]*hcl.File{"f.hcl": file}
	rng := func(line, col, byteStart, byteEnd int) *hcl.Range {
		return &hcl.Range{Filename: "f.hcl",
			Start: hcl.Pos{Line: line, Column: col, Byte: byteStart},
			End:   hcl.Pos{Line: line, Column: col + byteEnd - byteStart, Byte: byteEnd}}
	}
	diags := hcl.Diagnostics{
		{Severity: hcl.DiagError, Summary: "secret hunter2hunter2 is wrong", Detail: withHint("detail", "write secret = env(\"X\")"), Subject: rng(2, 11, 16, 32)},
		{Severity: hcl.DiagWarning, Summary: "just a warning", Subject: rng(1, 1, 0, 1)},
		{Severity: hcl.DiagError, Summary: "no position", Detail: withHint("", "do this")},
		{Severity: hcl.DiagError, Summary: "past the end", Subject: rng(9, 1, 500, 510)},
		{Severity: hcl.DiagError, Summary: "empty range", Subject: rng(1, 5, 4, 4)},
	}
	redact := func(s string) string { return strings.ReplaceAll(s, "hunter2hunter2", Redacted) }
	var b bytes.Buffer
	if err := Format(&b, diags, files, redact); err != nil {
		t.Fatal(err)
	}
	want := "f.hcl:2,11: error: secret (sensitive) is wrong; detail\n" +
		"    \tsecret = \"(sensitive)\"  # tab-indented\n" +
		"    \t         ^^^^^^^^^^^^^\n" +
		"  hint: write secret = env(\"X\")\n" +
		"f.hcl:1,1: warning: just a warning\n" +
		"    a = 1\n" +
		"    ^\n" +
		"error: no position\n" +
		"  hint: do this\n" +
		"f.hcl:9,1: error: past the end\n" +
		"f.hcl:1,5: error: empty range\n" +
		"    a = 1\n" +
		"        ^\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSplitHint(t *testing.T) {
	for _, tt := range []struct{ in, text, hint string }{
		{"", "", ""},
		{"just text", "just text", ""},
		{"hint: only", "", "only"},
		{"text\nhint: h", "text", "h"},
		{"a\nb\nhint: h", "a\nb", "h"},
	} {
		text, hint := SplitHint(tt.in)
		if text != tt.text || hint != tt.hint {
			t.Errorf("SplitHint(%q) = %q, %q", tt.in, text, hint)
		}
		if tt.hint != "" && withHint(tt.text, tt.hint) != tt.in {
			t.Errorf("withHint does not invert SplitHint for %q", tt.in)
		}
	}
}

// TestSensitiveNeverInDiagnostics writes secrets in ways that fail and checks no message holds
// them.
func TestSensitiveNeverInDiagnostics(t *testing.T) {
	cases := map[string]string{
		"format error":     `consumer_secret = format("%d", env("SHOP_SECRET"))`,
		"list instead":     `consumer_secret = split("_", env("SHOP_SECRET"))`,
		"bool":             `consumer_secret = true`,
		"number in quotes": `consumer_secret = 12345678.5`,
		"secret as url":    "consumer_secret = env(\"SHOP_SECRET\")\n    timeout = env(\"SHOP_SECRET\")",
		"secret in enum":   "consumer_secret = env(\"SHOP_SECRET\")\n    auth = lower(env(\"SHOP_SECRET\"))",
	}
	for name, line := range cases {
		t.Run(name, func(t *testing.T) {
			src := `profile "p" {
  shop "woocommerce" {
    url          = "https://shop.example"
    consumer_key = env("WC_KEY")
    ` + line + `
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  orders { since = "2026-01-01T00:00:00Z" }
}
`
			dir := writeDir(t, map[string]string{"main.hcl": src})
			opts, _ := testOptions(testEnv)
			cfg, diags := Load(dir, opts)
			if !diags.HasErrors() {
				t.Fatal("expected an error")
			}
			out := formatDiags(t, cfg, diags)
			for _, secret := range []string{secretWCSecret, strings.ToLower(secretWCSecret), "12345678", "cs", "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"} {
				if len(secret) < minRedactLength {
					continue
				}
				if strings.Contains(out, secret) {
					t.Errorf("%q printed:\n%s", secret, out)
				}
				for _, d := range diags {
					if strings.Contains(d.Summary+d.Detail, secret) {
						t.Errorf("%q in diagnostic %q / %q", secret, d.Summary, d.Detail)
					}
				}
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"consumer_key", "consumer_secret", "url", "timeout"}
	for in, want := range map[string]string{"timout": "timeout", "consumer_secrt": "consumer_secret", "URL": "url", "zzzzzz": "", "secret": "consumer_secret"} {
		if got := suggest(in, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
