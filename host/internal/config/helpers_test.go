package config

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/koppel-nl/koppel/sdk"
)

// Schemas resembling the real woocommerce and snelstart-online plugins.
var (
	wooSchema = sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "url", Type: sdk.TypeString, Required: true, Description: "The shop's address, e.g. https://www.mijnwinkel.nl."},
		{Name: "consumer_key", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "REST API consumer key (ck_...)."},
		{Name: "consumer_secret", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "REST API consumer secret (cs_...)."},
		{Name: "auth", Type: sdk.TypeString, Enum: []string{"basic", "query", "oauth1"}, Default: sdk.MustDefault("basic"), Description: "How the keys are sent."},
		{Name: "statuses", Type: sdk.TypeStringList, Default: sdk.MustDefault([]string{"processing"}), Description: "Order statuses that count as paid."},
		{Name: "timeout", Type: sdk.TypeDuration, Default: sdk.MustDefault("30s"), Description: "Per-request timeout."},
		{Name: "verify_tls", Type: sdk.TypeBool, Default: sdk.MustDefault(true), Description: "Check the shop's certificate."},
		{Name: "headers", Type: sdk.TypeStringMap, Description: "Extra request headers."},
	}}
	snelSchema = sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "client_key", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "Koppelsleutel of the administration."},
		{Name: "subscription_key", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "B2B API subscription key."},
		{Name: "base_url", Type: sdk.TypeString, Default: sdk.MustDefault("https://b2bapi.snelstart.nl/v2"), Description: "API address."},
		{Name: "auth_url", Type: sdk.TypeString, Default: sdk.MustDefault("https://auth.snelstart.nl/b2b/token"), Description: "Token address."},
		{Name: "rate_limit", Type: sdk.TypeNumber, Default: sdk.MustDefault(60), Description: "Requests per minute."},
	}}
	mdbSchema = sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "database", Type: sdk.TypeString, Required: true, Description: "The administration's database."},
	}}
)

// fakeSchemas is a LoadOptions.Schemas for tests; it counts calls (Load asks concurrently).
type fakeSchemas struct{ calls atomic.Int64 }

func (f *fakeSchemas) schemas(kind sdk.PluginKind, name string) (sdk.Schema, error) {
	f.calls.Add(1)
	switch {
	case kind == sdk.KindShop && name == "woocommerce":
		return wooSchema, nil
	case kind == sdk.KindLedger && name == "snelstart-online":
		return snelSchema, nil
	case kind == sdk.KindLedger && name == "snelstart-mdb":
		return mdbSchema, nil
	case kind == sdk.KindShop:
		return sdk.Schema{}, &UnknownPluginError{Kind: kind, Name: name, Known: []string{"magento", "onetoshop", "woocommerce"}}
	default:
		return sdk.Schema{}, &UnknownPluginError{Kind: kind, Name: name, Known: []string{"snelstart-mdb", "snelstart-online"}}
	}
}

// Secret test values; none may ever appear in a diagnostic.
const (
	secretWCKey    = "ck_4f9a1c2e7b3d5a6f8e0c1b2a3d4e5f60"
	secretWCSecret = "cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
	secretClient   = "snel-client-key-000111222333"
	secretSub      = "snel-subscription-key-444555666"
	secretToken    = "koppel-api-token-77889900aabbccdd"
)

// testEnv is the environment of the valid examples and the golden tests. WC_SECRET is
// deliberately absent (the env_unset case); SHOP_SECRET stands in for it.
var testEnv = map[string]string{
	"WC_KEY":                     secretWCKey,
	"SHOP_SECRET":                secretWCSecret,
	"WC_SECRET_SET":              secretWCSecret,
	"SNELSTART_CLIENT_KEY":       secretClient,
	"SNELSTART_SUBSCRIPTION_KEY": secretSub,
	"KOPPEL_API_TOKEN":           secretToken,
	"WINKEL_A_KEY":               "ck_winkel_a_key_0123456789",
	"WINKEL_A_SECRET":            "cs_winkel_a_secret_0123456789",
	"WINKEL_B_KEY":               "ck_winkel_b_key_0123456789",
}

func lookupEnv(m map[string]string) func(string) (string, bool) {
	return func(n string) (string, bool) {
		v, ok := m[n]
		return v, ok
	}
}

// validEnv is testEnv plus WC_SECRET, for the valid examples.
func validEnv() map[string]string {
	m := map[string]string{"WC_SECRET": secretWCSecret}
	for k, v := range testEnv {
		m[k] = v
	}
	return m
}

func testOptions(env map[string]string) (LoadOptions, *fakeSchemas) {
	f := &fakeSchemas{}
	return LoadOptions{Schemas: f.schemas, Env: lookupEnv(env)}, f
}

// writeDir writes files (base name → content) into a fresh temp dir and returns it.
func writeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadString loads one file of HCL with the valid environment.
func loadString(t testing.TB, src string) (*Config, hcl.Diagnostics) {
	t.Helper()
	dir := writeDir(t, map[string]string{"main.hcl": src})
	opts, _ := testOptions(validEnv())
	return Load(dir, opts)
}

// formatDiags renders diagnostics with file names relative to their directory.
func formatDiags(t testing.TB, cfg *Config, diags hcl.Diagnostics) string {
	t.Helper()
	var b strings.Builder
	if err := Format(&b, diags, cfg.Files, cfg.Redactor()); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), cfg.Dir+string(filepath.Separator), "")
}

// minimalProfile is a valid profile with a placeholder for extra blocks.
const minimalProfile = `
profile "p" {
  shop "woocommerce" {
    url             = "https://shop.example"
    consumer_key    = env("WC_KEY")
    consumer_secret = env("WC_SECRET")
  }
  ledger "snelstart-online" {
    client_key       = env("SNELSTART_CLIENT_KEY")
    subscription_key = env("SNELSTART_SUBSCRIPTION_KEY")
  }
  BLOCKS
}
`

func writeFile(dir, name, content string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
}
