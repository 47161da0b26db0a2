package sdk

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an amount in the order's currency. It is an exact decimal; it marshals to JSON as a
// string ("12.10") so no precision is lost on the wire.
type Money = decimal.Decimal

// ParseMoney parses an amount as shops send it: "12.10", "-3", "1e2" or "" (zero). It accepts a
// decimal comma ("12,10") when no dot is present, as Dutch exports sometimes have it. It never
// goes through float64.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Zero, nil
	}
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("parse amount %q: not a decimal number", s)
	}
	return d, nil
}

// MustMoney is ParseMoney for constants in tests and examples; it panics on a malformed literal,
// so it must never be used on input.
func MustMoney(s string) Money {
	d, err := ParseMoney(s)
	if err != nil {
		panic(err)
	}
	return d
}

// RoundCents rounds an amount to two decimals, half away from zero, as SnelStart and the shops
// present amounts.
func RoundCents(m Money) Money { return m.Round(2) }
