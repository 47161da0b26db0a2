package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// DefaultTimeout bounds each check when a harness sets no Timeout.
const DefaultTimeout = 2 * time.Minute

// errStop is what the kit's yield functions return to stop a listing early; the connector must
// hand it back unchanged.
var errStop = errors.New("conformance: stop listing here")

// secretNameParts mark attribute names that must be declared Sensitive.
var secretNameParts = []string{"key", "secret", "token", "password"}

// looksSecret reports whether an attribute name suggests a credential.
func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, p := range secretNameParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// checkSchema runs the schema checks shared by shops and ledgers.
func checkSchema(t TB, info sdk.PluginInfo, kind sdk.PluginKind, configs map[string]sdk.Config) {
	t.Helper()
	if info.Name == "" {
		t.Errorf("PluginInfo.Name is empty")
	}
	if info.Kind != kind {
		t.Errorf("PluginInfo.Kind = %q, want %q", info.Kind, kind)
	}
	if info.Version == "" {
		t.Errorf("PluginInfo.Version is empty")
	}
	if err := info.Schema.Validate(); err != nil {
		t.Errorf("Schema.Validate: %v", err)
	}
	for _, a := range info.Schema.Attributes {
		if strings.TrimSpace(a.Description) == "" {
			t.Errorf("attribute %q has no Description", a.Name)
		}
		if looksSecret(a.Name) && !a.Sensitive {
			t.Errorf("attribute %q looks like a credential but is not marked Sensitive", a.Name)
		}
	}
	for label, cfg := range configs {
		for name := range cfg {
			if _, ok := info.Schema.Attribute(name); !ok {
				t.Errorf("harness %s sets %q, which the schema does not declare", label, name)
			}
		}
		for _, a := range info.Schema.Attributes {
			if a.Required {
				if _, ok := cfg[a.Name]; !ok {
					t.Errorf("harness %s lacks required attribute %q", label, a.Name)
				}
			}
		}
	}
}

// secretValues returns the values of every sensitive (or secret-looking) string attribute in
// the configs, so the kit can check they never surface in errors or results. Values shorter
// than four characters are ignored: they would match by accident.
func secretValues(s sdk.Schema, configs ...sdk.Config) []string {
	var out []string
	seen := map[string]bool{}
	for _, cfg := range configs {
		for name := range cfg {
			a, ok := s.Attribute(name)
			if ok && !a.Sensitive && !looksSecret(name) {
				continue
			}
			vals := []string{cfg.String(name)}
			vals = append(vals, cfg.StringList(name)...)
			for _, v := range cfg.StringMap(name) {
				vals = append(vals, v)
			}
			for _, v := range vals {
				if len(v) >= 4 && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// noSecrets reports an error through t when text contains one of secrets.
func noSecrets(t TB, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains a secret configuration value: %q", what, redact(text, secrets))
			return
		}
	}
}

// redact replaces secrets in s, for the kit's own messages.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "(secret)")
	}
	return s
}

// errorText is everything an error would show: Error() and, for *sdk.Error, its fields.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var e *sdk.Error
	if errors.As(err, &e) {
		text += "\n" + e.Code + "\n" + e.Message
	}
	return text
}

// describe renders an error for the kit's messages: its text, or "no error".
func describe(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// checker is what Shop and Ledger share for the connection checks.
type checker interface {
	Check(ctx context.Context) (sdk.CheckResult, error)
}

// checkConnection runs the three Check subtests for either side.
func checkConnection[T Runner[T], I checker](t T, timeout time.Duration, secrets []string,
	newInst func(context.Context, sdk.Config) (I, error), good, bad, unreachable sdk.Config) {
	t.Run("check/valid_config", func(t T) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		inst, err := newInst(ctx, good)
		if err != nil {
			t.Fatalf("New(Config): %s", redact(describe(err), secrets))
		}
		res, err := inst.Check(ctx)
		if err != nil {
			t.Fatalf("Check on a valid config failed (%s): %s", sdk.KindOf(err), redact(describe(err), secrets))
		}
		if strings.TrimSpace(res.Summary) == "" {
			t.Errorf("Check returned an empty Summary")
		}
		text := res.Summary
		for k, v := range res.Details {
			text += "\n" + k + "=" + v
		}
		noSecrets(t, "CheckResult", text, secrets)
	})
	expect := func(name string, cfg sdk.Config, want sdk.ErrorKind) {
		t.Run(name, func(t T) {
			if cfg == nil {
				t.Fatalf("harness field for %s is not set", name)
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			inst, err := newInst(ctx, cfg)
			if err == nil {
				_, err = inst.Check(ctx)
			}
			if err == nil {
				t.Fatalf("Check succeeded; want an error of kind %s", want)
			}
			if got := sdk.KindOf(err); got != want {
				t.Errorf("error kind %q, want %q: %s", got, want, redact(describe(err), secrets))
			}
			var e *sdk.Error
			if !errors.As(err, &e) {
				t.Errorf("error is %T, not an *sdk.Error", err)
			} else if strings.TrimSpace(e.Message) == "" {
				t.Errorf("*sdk.Error without a Message")
			}
			noSecrets(t, "error", errorText(err), secrets)
		})
	}
	expect("check/bad_credentials", bad, sdk.KindAuth)
	expect("check/unreachable", unreachable, sdk.KindUnreachable)
}

// uniqueSuffix returns a short random hex string for names the kit creates.
func uniqueSuffix() string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%x", time.Now().UnixNano())
	}
	return hex.EncodeToString(b[:])
}

// ctxFor returns the context for one check.
func ctxFor(timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return context.WithTimeout(context.Background(), timeout)
}

// injectFault switches a fault on, skipping the check when the harness cannot.
func injectFault(t TB, ctx context.Context, inject InjectFunc, f Fault) func() {
	t.Helper()
	if inject == nil {
		t.Skipf("harness has no InjectFault")
	}
	restore, err := inject(ctx, f)
	if err != nil {
		t.Skipf("harness cannot inject %s: %v", f, err)
	}
	if restore == nil {
		restore = func() {}
	}
	return restore
}
