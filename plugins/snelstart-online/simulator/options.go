package simulator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Demo credentials a person can type; they are the defaults of Options and of the simulate command.
const (
	// DefaultSubscriptionKey is the demo Ocp-Apim-Subscription-Key.
	DefaultSubscriptionKey = "demo-subscription-key"
	// DefaultClientKey is the demo koppelsleutel: Base64 of "demo:demo".
	DefaultClientKey = "ZGVtbzpkZW1v"
	// DefaultAddr is where the simulate command listens unless --addr says otherwise.
	DefaultAddr = "127.0.0.1:8701"
	// DefaultRatePerMinute is the Ontwikkeling & Test tier limit (calls per administration per minute).
	DefaultRatePerMinute = 100
	// DefaultTokenTTL is the lifetime the token endpoint reports (expires_in 3599).
	DefaultTokenTTL = 3599 * time.Second
)

// AllScopes lists every scope the simulator knows; a token carries these unless Options.Scopes says otherwise.
var AllScopes = []string{
	"artikelen:read", "artikelen:write", "orders:read", "orders:write",
	"relaties:read", "relaties:write", "settings:read", "settings:write", "boekhouden:read", "boekhouden:write",
}

// RoundingMode selects how VAT is rounded on an order. SnelStart does not document it
// (snelstart-totals.md §1.3), so both plausible models are offered.
type RoundingMode int

const (
	// PerRateOverTotal rounds VAT once per rate over the summed (discounted) line amounts (default).
	PerRateOverTotal RoundingMode = iota
	// PerLine rounds VAT per line and sums the rounded amounts.
	PerLine
)

// String returns the flag spelling: "per-rate" or "per-line".
func (m RoundingMode) String() string {
	if m == PerLine {
		return "per-line"
	}
	return "per-rate"
}

// ParseRoundingMode reads "per-rate" or "per-line".
func ParseRoundingMode(s string) (RoundingMode, error) {
	switch s {
	case "per-rate", "":
		return PerRateOverTotal, nil
	case "per-line":
		return PerLine, nil
	}
	return 0, fmt.Errorf("vat rounding %q: want per-rate or per-line", s)
}

// Midpoint selects the rule for amounts exactly halfway between two cents.
type Midpoint int

const (
	// HalfAwayFromZero rounds 0.045 to 0.05 (default).
	HalfAwayFromZero Midpoint = iota
	// HalfEven rounds 0.045 to 0.04 (banker's rounding, .NET's Math.Round default).
	HalfEven
)

// String returns the flag spelling: "away" or "even".
func (m Midpoint) String() string {
	if m == HalfEven {
		return "even"
	}
	return "away"
}

// ParseMidpoint reads "away" or "even".
func ParseMidpoint(s string) (Midpoint, error) {
	switch s {
	case "away", "":
		return HalfAwayFromZero, nil
	case "even":
		return HalfEven, nil
	}
	return 0, fmt.Errorf("midpoint %q: want away or even", s)
}

// Faults configures fault injection on /v2 requests (never on the token or admin endpoints).
type Faults struct {
	// ErrorRate is the share (0..1) of API requests answered with a 5xx before anything is done.
	ErrorRate float64
	// Latency is added before every API request is handled.
	Latency time.Duration
	// LoseCreateResponseRate is the share (0..1) of successful POST creates that are committed
	// and then answered by aborting the connection, so the client never sees a response.
	LoseCreateResponseRate float64
}

// Options configures a Server. The zero value is usable: demo keys, 100 calls a minute,
// the default administration, per-rate VAT rounding, half away from zero.
type Options struct {
	// SubscriptionKey is the only accepted Ocp-Apim-Subscription-Key (default DefaultSubscriptionKey).
	SubscriptionKey string
	// ClientKey is the only accepted koppelsleutel (default DefaultClientKey). The password grant
	// accepts the user and password it decodes to.
	ClientKey string
	// Scopes are carried by issued tokens; nil means AllScopes.
	Scopes []string
	// TokenTTL is the token lifetime (default DefaultTokenTTL).
	TokenTTL time.Duration
	// RatePerMinute limits API calls per administration in any 60 s window; 0 means
	// DefaultRatePerMinute, a negative value disables the limit.
	RatePerMinute int
	// Rounding selects per-rate (default) or per-line VAT rounding.
	Rounding RoundingMode
	// Midpoint selects half-away-from-zero (default) or half-even rounding.
	Midpoint Midpoint
	// Faults switches on fault injection.
	Faults Faults
	// Seed is the administration to start from (and to return to on reset); nil means DefaultAdministration().
	Seed *Administration
	// Clock returns the current time (default time.Now); tokens, rate limits and modifiedOn use it.
	Clock func() time.Time
	// Rand drives GUIDs, tokens and fault decisions; nil means a source of the simulator's own,
	// seeded from crypto/rand. Give a fixed source (rand.NewPCG(1, 2)) for a reproducible run.
	// Either way a new entity never gets an id that the seed or an earlier entity has.
	Rand rand.Source
}
