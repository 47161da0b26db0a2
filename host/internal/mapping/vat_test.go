package mapping

import (
	"testing"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

func TestNormaliseVATNumber(t *testing.T) {
	cases := []struct {
		raw, country, want string
		ok                 bool
	}{
		{"NL123456782B01", "NL", "NL123456782B01", true},
		{"nl 1234.56.782 b01", "NL", "NL123456782B01", true},
		{"123456782B01", "NL", "NL123456782B01", true},   // prefix added
		{"NL123456789B01", "NL", "", false},              // check digits wrong
		{"NL000099998B57", "NL", "NL000099998B57", true}, // mod 97 (sole trader form)
		{"BE0123456789", "BE", "BE0123456789", true},
		{"BE2123456789", "BE", "", false},
		{"DE123456789", "DE", "DE123456789", true},
		{"DE123456789", "NL", "", false}, // prefix must match the address's country
		{"EL123456789", "GR", "EL123456789", true},
		{"", "NL", "", false},
		{"NL123456782B01", "", "", false},
	}
	for _, c := range cases {
		got, ok := NormaliseVATNumber(c.raw, c.country)
		if got != c.want || ok != c.ok {
			t.Errorf("NormaliseVATNumber(%q, %q) = %q, %v; want %q, %v", c.raw, c.country, got, ok, c.want, c.ok)
		}
	}
}

// The VAT rate of a class is the one in force on the order date.
func TestRateOnOrderDate(t *testing.T) {
	change := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	rates := []sdk.VATRate{
		{Class: sdk.VATLow, Percentage: d("9"), From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), Until: &change},
		{Class: sdk.VATLow, Percentage: d("11"), From: change},
	}
	for _, c := range []struct {
		at   time.Time
		want string
	}{{change.Add(-time.Second), "9"}, {change, "11"}} {
		if got, ok := RateOn(rates, sdk.VATLow, c.at); !ok || !got.Equal(d(c.want)) {
			t.Errorf("rate on %s = %s (%v), want %s", c.at, got, ok, c.want)
		}
	}
	if _, ok := RateOn(rates, sdk.VATHigh, change); ok {
		t.Error("a class without rates has a rate")
	}
}
