package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/koppel-nl/koppel/sdk"
)

// An error whose text is not valid UTF-8 (a shop that answers in Latin-1, a message cut inside
// a character) keeps its kind, code and retry time across the wire: the protobuf detail cannot
// carry invalid UTF-8, and without it an outcome-unknown create came back as a permanent
// failure.
func TestInvalidUTF8ErrorKeepsItsKind(t *testing.T) {
	for _, kind := range []sdk.ErrorKind{sdk.KindOutcomeUnknown, sdk.KindAuth, sdk.KindRetryable, sdk.KindPermanent} {
		in := &sdk.Error{Kind: kind, Code: "fout\xe9", Message: "Ongeldige waarde: caf\xe9 (\xc3"}
		err := fromStatus(context.Background(), "shop", "CreateOrder", toStatus(in), true)
		se, ok := err.(*sdk.Error)
		if !ok || se.Kind != kind {
			t.Fatalf("%s came back as %#v", kind, err)
		}
		if se.Message != "Ongeldige waarde: caf\uFFFD (\uFFFD" || se.Code != "fout\uFFFD" {
			t.Errorf("%s: code %q, message %q", kind, se.Code, se.Message)
		}
	}
}

// echoShop answers Check with an error that quotes its token, as a shop plugin might when the
// shop's error answer echoes the key it was sent.
type echoShop struct {
	fakeShop
	token string
}

func (e *echoShop) Check(context.Context) (sdk.CheckResult, error) {
	return sdk.CheckResult{}, &sdk.Error{Kind: sdk.KindAuth, Code: "bad_" + e.token,
		Message: "shop-prefix: key " + e.token + " refused (GET /x?key=" + url.QueryEscape(e.token) + ")"}
}

func TestSensitiveSettingsScrubbedFromPluginErrors(t *testing.T) {
	const token = "tok en/secret+1"
	srv := newServer(ServeOpts{
		Info: sdk.PluginInfo{Name: "echo", Kind: sdk.KindShop, Version: "1.0.0", Schema: sdk.Schema{Attributes: []sdk.Attribute{
			{Name: "token", Type: sdk.TypeString, Sensitive: true},
			{Name: "prefix", Type: sdk.TypeString},
		}}},
		NewShop: func(_ context.Context, cfg sdk.Config, _ hclog.Logger) (sdk.Shop, error) {
			if cfg.String("prefix") == "refuse" {
				return nil, sdk.Errorf(sdk.KindConfig, "token %q does not fit prefix %q", cfg.String("token"), "refuse")
			}
			return &echoShop{token: cfg.String("token")}, nil
		},
	}, hclog.NewNullLogger())
	r := testRemote(t, srv)
	ctx := context.Background()
	if _, err := r.Info(ctx); err != nil {
		t.Fatal(err)
	}
	config := func(prefix string) sdk.Config {
		return sdk.Config{"token": json.RawMessage(`"` + token + `"`), "prefix": json.RawMessage(`"` + prefix + `"`)}
	}

	_, err := r.Shop("p", config("shop-prefix")).Check(ctx)
	var se *sdk.Error
	if !errors.As(err, &se) || se.Kind != sdk.KindAuth {
		t.Fatalf("Check: %#v", err)
	}
	want := "shop-prefix: key (sensitive) refused (GET /x?key=(sensitive))"
	if se.Message != want || se.Code != "bad_(sensitive)" {
		t.Errorf("code %q, message %q; want bad_(sensitive), %q", se.Code, se.Message, want)
	}

	err = r.Configure(ctx, "q", config("refuse"))
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), `"refuse"`) {
		t.Errorf("Configure error %v: the token must be scrubbed, the prefix kept", err)
	}
}
