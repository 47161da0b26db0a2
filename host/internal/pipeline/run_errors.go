package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/koppel-nl/koppel/host/internal/text"
	"github.com/koppel-nl/koppel/sdk"
)

// step is the catalogue's English text of a step a run was taking ("reason.step.*"), as the
// first argument of a "reason.run.*" reason.
func step(key string, args ...any) string {
	return fmt.Sprintf(text.Template(key), args...)
}

// stateError is the reason a run stops when the state store fails at a step (key, args: a
// "reason.step.*"): stored in English, shown in the reader's language. err is wrapped.
func stateError(err error, key string, args ...any) error {
	return text.Errorf("reason.run.state", step(key, args...), err)
}

// abortState stops the whole run because the state store failed at a step (see stateError).
// err's text is kept, not err itself: the run ends for the state store, not for what err wraps.
func abortState(err error, key string, args ...any) error {
	return abortf("reason.run.state", step(key, args...), err)
}

// The sides of a run, as the "reason.run.<side>_*" keys name them.
const (
	sideShop   = "shop"
	sideLedger = "ledger"
)

// serviceError is the reason a run stops when the shop (sideShop) or the ledger (sideLedger)
// fails at a step: what to do next depends on the failure's kind (credentials refused, not
// reachable, anything else). err is wrapped.
func serviceError(side string, err error, key string, args ...any) error {
	return text.Errorf(serviceKey(side, err), step(key, args...), err)
}

// serviceKey is the "reason.run.*" key of a failure of side by its kind.
func serviceKey(side string, err error) string {
	var se *sdk.Error
	if errors.Is(err, context.Canceled) {
		return "reason.run.stopped"
	}
	if !errors.As(err, &se) {
		return "reason.run." + side + "_unreachable" // the plugin did not answer
	}
	switch se.Kind {
	case sdk.KindAuth:
		return "reason.run." + side + "_auth"
	case sdk.KindUnreachable, sdk.KindRetryable, sdk.KindOutcomeUnknown:
		return "reason.run." + side + "_unreachable"
	}
	return "reason.run." + side + "_failed"
}

// abortf stops the whole run with the catalogue reason key (its English template filled with
// args; an error argument is kept as text).
func abortf(key string, args ...any) error {
	return fmt.Errorf("%w: %s", errAbort, fmt.Sprintf(text.Template(key), args...))
}
