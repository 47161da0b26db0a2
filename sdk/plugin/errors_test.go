package plugin

import (
	"context"
	"testing"

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
