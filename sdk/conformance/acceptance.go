package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// Environment variables of acceptance mode.
const (
	// EnvAcceptance switches acceptance mode on when set to "1".
	EnvAcceptance = "KOPPEL_ACC"
	// EnvAcceptanceWrite allows a live harness to create and change objects when set to "1".
	EnvAcceptanceWrite = "KOPPEL_ACC_WRITE"
	// envPrefix starts every per-attribute variable: KOPPEL_ACC_<PLUGIN>_<ATTRIBUTE>.
	envPrefix = "KOPPEL_ACC_"
)

// Acceptance reports whether acceptance tests against real services should run
// (KOPPEL_ACC=1).
func Acceptance() bool { return os.Getenv(EnvAcceptance) == "1" }

// AcceptanceWrites reports whether a live harness may create and modify objects
// (KOPPEL_ACC_WRITE=1).
func AcceptanceWrites() bool { return os.Getenv(EnvAcceptanceWrite) == "1" }

// EnvName returns the variable that holds attribute attr of plugin in acceptance mode:
// KOPPEL_ACC_<PLUGIN>_<ATTR>, upper case, with "-" and "." turned into "_". For example
// EnvName("woocommerce", "consumer_key") is "KOPPEL_ACC_WOOCOMMERCE_CONSUMER_KEY".
func EnvName(plugin, attr string) string {
	clean := strings.NewReplacer("-", "_", ".", "_", " ", "_")
	return envPrefix + strings.ToUpper(clean.Replace(plugin)) + "_" + strings.ToUpper(clean.Replace(attr))
}

// AcceptanceConfig builds a Config for info's plugin from the environment: each schema
// attribute is read from EnvName(info.Name, attribute). Strings and durations are taken as
// they are; bools with strconv.ParseBool; numbers must parse as numbers; lists are
// comma-separated; maps are comma-separated key=value pairs. Absent attributes keep their
// schema default. It fails naming every variable a required attribute lacks.
func AcceptanceConfig(info sdk.PluginInfo) (sdk.Config, error) {
	cfg := sdk.Config{}
	var missing []string
	for _, a := range info.Schema.Attributes {
		name := EnvName(info.Name, a.Name)
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			if a.Required {
				missing = append(missing, name)
			} else if a.Default != nil {
				cfg[a.Name] = a.Default
			}
			continue
		}
		raw, err := envValue(a, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		cfg[a.Name] = raw
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("acceptance config for %s: set %s", info.Name, strings.Join(missing, ", "))
	}
	return cfg, nil
}

// envValue converts one variable's text to the attribute's JSON value. Its errors never
// contain the value (it may be a secret).
func envValue(a sdk.Attribute, v string) (json.RawMessage, error) {
	var x any
	switch a.Type {
	case sdk.TypeString:
		x = v
	case sdk.TypeDuration:
		if _, err := time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("not a duration")
		}
		x = v
	case sdk.TypeBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("not a bool")
		}
		x = b
	case sdk.TypeNumber:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("not a number")
		}
		return json.RawMessage(v), nil
	case sdk.TypeStringList:
		var list []string
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		x = list
	case sdk.TypeStringMap:
		m := map[string]string{}
		for _, kv := range strings.Split(v, ",") {
			if strings.TrimSpace(kv) == "" {
				continue
			}
			k, val, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("want key=value pairs separated by commas")
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		x = m
	default:
		return nil, fmt.Errorf("unknown attribute type %q", a.Type)
	}
	return json.Marshal(x)
}

// WithBadCredentials returns a copy of cfg with every sensitive string attribute of s replaced
// by a wrong value of the same length class, for ShopHarness.BadCredentials and
// LedgerHarness.BadCredentials.
func WithBadCredentials(cfg sdk.Config, s sdk.Schema) sdk.Config {
	out := copyConfig(cfg)
	for _, a := range s.Attributes {
		if !a.Sensitive || a.Type != sdk.TypeString {
			continue
		}
		if _, ok := out[a.Name]; ok {
			out.Set(a.Name, "koppel-conformance-wrong-"+a.Name)
		}
	}
	return out
}

// WithURL returns a copy of cfg with attribute attr set to u; with u "http://127.0.0.1:1"
// (nothing listens on port 1) it makes a harness's Unreachable config.
func WithURL(cfg sdk.Config, attr, u string) sdk.Config {
	return copyConfig(cfg).Set(attr, u)
}

// UnreachableURL is a URL on which nothing listens.
const UnreachableURL = "http://127.0.0.1:1"

func copyConfig(cfg sdk.Config) sdk.Config {
	out := make(sdk.Config, len(cfg))
	for k, v := range cfg {
		out[k] = append(json.RawMessage(nil), v...)
	}
	return out
}
