package sdk

import (
	"encoding/json"
	"testing"
	"time"
)

func TestCheckOrderTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name string
		t    time.Time
		ok   bool
	}{
		{"zero time", time.Time{}, false},
		{"year 0 in UTC", time.Date(1, 1, 1, 0, 0, 0, 0, cet), false},
		{"year 10000 in UTC", time.Date(9999, 12, 31, 23, 30, 0, 0, time.FixedZone("-01", -3600)), false},
		{"first second after zero", time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), true},
		{"ordinary", time.Date(2026, 12, 8, 10, 0, 0, 0, cet), true},
		{"last second", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOrderTime(tc.t)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckOrderTime(%v) = %v, want ok %v", tc.t, err, tc.ok)
			}
			// What it lets through can be handed on as JSON.
			if _, jerr := json.Marshal(Order{CreatedAt: tc.t}); tc.ok && jerr != nil {
				t.Errorf("accepted %v but JSON refuses it: %v", tc.t, jerr)
			}
		})
	}
}
