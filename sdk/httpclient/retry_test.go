package httpclient

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Tue, 24 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Tuesday, 24-Nov-26 10:00:30 GMT", 30 * time.Second, true}, // RFC 850
		{"99999999999", 24 * time.Hour, true},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBoundsAndGrowth(t *testing.T) {
	base, max := 100*time.Millisecond, 2*time.Second
	for n := 1; n <= 10; n++ {
		ceil := base << (n - 1)
		if ceil > max {
			ceil = max
		}
		for range 200 {
			d := backoff(base, max, n)
			if d < ceil/2 || d > ceil {
				t.Fatalf("backoff(n=%d) = %v, want within [%v, %v]", n, d, ceil/2, ceil)
			}
		}
	}
	// Jitter: not every draw equal.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(base, max, 3)] = true
	}
	if len(seen) < 5 {
		t.Errorf("backoff has no jitter: %d distinct values", len(seen))
	}
}

func TestRetryAfterFromBody(t *testing.T) {
	tests := map[string]time.Duration{
		`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 12 seconds."}`: 12 * time.Second,
		`try again in 1 second`:   time.Second,
		`{"message":"slow down"}`: -1,
	}
	for in, want := range tests {
		got, ok := retryAfterFromBody([]byte(in))
		if (want < 0 && ok) || (want >= 0 && (!ok || got != want)) {
			t.Errorf("retryAfterFromBody(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}

func TestIdempotentMethods(t *testing.T) {
	for m, want := range map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true,
		"OPTIONS": true, "PROPFIND": true, "REPORT": true, "POST": false, "PATCH": false, "post": false, "": true} {
		if idempotent(m) != want {
			t.Errorf("idempotent(%q) = %v", m, !want)
		}
	}
}
