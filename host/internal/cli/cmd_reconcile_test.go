package cli

import (
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "30d", want: now.AddDate(0, 0, -30)},
		{in: "0d", want: now},
		{in: "72h", want: now.Add(-72 * time.Hour)},
		{in: "2026-11-01T00:00:00+01:00", want: time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)},
		{in: "2026-11-01", want: time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local)},
		{in: "-3d", bad: true},
		{in: "xd", bad: true},
		{in: "gisteren", bad: true},
		{in: "", bad: true},
	} {
		got, err := parseSince(c.in, now)
		if c.bad {
			if err == nil {
				t.Errorf("parseSince(%q) = %s, want an error", c.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("parseSince(%q) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}
