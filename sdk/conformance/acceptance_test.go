package conformance

import (
	"strings"
	"testing"

	"github.com/koppel-nl/koppel/sdk"
)

func TestEnvName(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"woocommerce", "consumer_key"}: "KOPPEL_ACC_WOOCOMMERCE_CONSUMER_KEY",
		{"snel-start", "client.key"}:    "KOPPEL_ACC_SNEL_START_CLIENT_KEY",
	} {
		if got := EnvName(in[0], in[1]); got != want {
			t.Errorf("EnvName(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestAcceptanceSwitches(t *testing.T) {
	t.Setenv(EnvAcceptance, "1")
	t.Setenv(EnvAcceptanceWrite, "0")
	if !Acceptance() || AcceptanceWrites() {
		t.Errorf("Acceptance %v writes %v", Acceptance(), AcceptanceWrites())
	}
	t.Setenv(EnvAcceptance, "")
	if Acceptance() {
		t.Errorf("Acceptance on without KOPPEL_ACC")
	}
}

func accInfo() sdk.PluginInfo {
	return sdk.PluginInfo{Name: "woocommerce", Schema: sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "url", Type: sdk.TypeString, Required: true, Description: "u"},
		{Name: "consumer_secret", Type: sdk.TypeString, Required: true, Sensitive: true, Description: "s"},
		{Name: "page_size", Type: sdk.TypeNumber, Default: sdk.MustDefault(50), Description: "n"},
		{Name: "verify_tls", Type: sdk.TypeBool, Description: "b"},
		{Name: "statuses", Type: sdk.TypeStringList, Description: "l"},
		{Name: "headers", Type: sdk.TypeStringMap, Description: "m"},
		{Name: "timeout", Type: sdk.TypeDuration, Description: "d"},
	}}}
}

func TestAcceptanceConfig(t *testing.T) {
	info := accInfo()
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_URL", "https://shop.example")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_CONSUMER_SECRET", "cs_very_secret")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_VERIFY_TLS", "false")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_STATUSES", "processing, completed")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_HEADERS", "X-A=1,X-B=2")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_TIMEOUT", "45s")
	cfg, err := AcceptanceConfig(info)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.String("url") != "https://shop.example" || cfg.String("consumer_secret") != "cs_very_secret" ||
		cfg.Int("page_size") != 50 || cfg.Bool("verify_tls") || cfg.Duration("timeout").Seconds() != 45 ||
		strings.Join(cfg.StringList("statuses"), "|") != "processing|completed" || cfg.StringMap("headers")["X-B"] != "2" {
		t.Errorf("config %s", cfg.Redacted(info.Schema))
	}

	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_VERIFY_TLS", "cs_very_secret")
	if _, err := AcceptanceConfig(info); err == nil || strings.Contains(err.Error(), "cs_very_secret") {
		t.Errorf("malformed bool: %v", err)
	}
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_VERIFY_TLS", "")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_URL", "")
	t.Setenv("KOPPEL_ACC_WOOCOMMERCE_CONSUMER_SECRET", "")
	_, err = AcceptanceConfig(info)
	if err == nil || !strings.Contains(err.Error(), "KOPPEL_ACC_WOOCOMMERCE_URL") || !strings.Contains(err.Error(), "KOPPEL_ACC_WOOCOMMERCE_CONSUMER_SECRET") {
		t.Errorf("missing required: %v", err)
	}
}

func TestConfigHelpers(t *testing.T) {
	info := accInfo()
	cfg := sdk.Config{}.Set("url", "http://sim").Set("consumer_secret", "cs_1234")
	bad := WithBadCredentials(cfg, info.Schema)
	if bad.String("consumer_secret") == "cs_1234" || bad.String("url") != "http://sim" {
		t.Errorf("WithBadCredentials: %v", bad)
	}
	un := WithURL(cfg, "url", UnreachableURL)
	if un.String("url") != UnreachableURL || cfg.String("url") != "http://sim" {
		t.Errorf("WithURL changed the original or did not set: %v %v", un, cfg)
	}
}

func TestSecretValues(t *testing.T) {
	info := accInfo()
	cfg := sdk.Config{}.Set("url", "http://sim").Set("consumer_secret", "cs_1234").
		Set("api_token_unlisted", "tok_5678").Set("page_size", 3)
	got := secretValues(info.Schema, cfg)
	if strings.Join(got, ",") != "cs_1234,tok_5678" && strings.Join(got, ",") != "tok_5678,cs_1234" {
		t.Errorf("secretValues = %v", got)
	}
}

func TestCheckSchemaFindsProblems(t *testing.T) {
	r := newRecorder()
	info := sdk.PluginInfo{Name: "x", Kind: sdk.KindShop, Version: "1", Schema: sdk.Schema{Attributes: []sdk.Attribute{
		{Name: "url", Type: sdk.TypeString, Required: true},
		{Name: "password", Type: sdk.TypeString, Description: "p"},
	}}}
	r.Run("schema", func(r *recorder) {
		checkSchema(r, info, sdk.KindLedger, map[string]sdk.Config{"Config": sdk.Config{}.Set("nope", 1)})
	})
	for _, want := range []string{"Kind", "no Description", "not marked Sensitive", "does not declare", "lacks required"} {
		if !strings.Contains(r.String(), want) {
			t.Errorf("schema problem %q not reported:\n%s", want, r)
		}
	}
}
