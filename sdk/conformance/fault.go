package conformance

import "context"

// Fault names a failure a simulator can be told to produce, so the kit can check that the
// connector classifies it. A harness that can inject faults sets InjectFault; the kit calls it,
// makes one or two calls through the connector, and calls the returned restore function.
type Fault string

const (
	// FaultThrottle: every request answers 429 with "Retry-After: 600" until restored. The
	// connector's calls must fail with KindRetryable (httpclient gives up at once on a wait
	// beyond its MaxRetryWait), with RetryAfter set.
	FaultThrottle Fault = "throttle"
	// FaultUnavailable: every request answers 503 with "Retry-After: 600" until restored.
	// Reads must fail with KindRetryable.
	FaultUnavailable Fault = "unavailable"
	// FaultCommitThen500: the next create (POST) is committed and then answered with a 500.
	// The connector must return KindOutcomeUnknown, and a look-up by reference must then find
	// the object exactly once.
	FaultCommitThen500 Fault = "commit_then_500"
)

// InjectFunc switches a fault on in the system behind the harness Config and returns a function
// that switches it off again. It returns an error for a fault it does not support (the kit then
// skips that check).
type InjectFunc func(ctx context.Context, f Fault) (restore func(), err error)
