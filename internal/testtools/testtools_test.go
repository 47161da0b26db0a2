package testtools

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a TB that records instead of stopping the test.
type recorder struct{ failed, skipped string }

func (r *recorder) Helper()                           {}
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.skipped = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	absent := Tool{Name: "the frobnicator", Programs: []string{"koppel-no-such-program-1", "koppel-no-such-program-2"},
		Install: "apt-get install frob", SkipEnv: "KOPPEL_SKIP_FROB"}
	present := Tool{Name: "go", Programs: []string{"koppel-no-such-program", "go"}, Any: true, SkipEnv: "KOPPEL_SKIP_GO"}
	cases := []struct {
		name         string
		tool         Tool
		skip         string
		fail, skiped []string
		found        bool
	}{
		{"missing fails naming tool and install", absent, "", []string{"the frobnicator", "koppel-no-such-program-1, koppel-no-such-program-2", "apt-get install frob", "KOPPEL_SKIP_FROB=1"}, nil, false},
		{"missing skips on purpose", absent, "1", nil, []string{"the frobnicator", "KOPPEL_SKIP_FROB=1"}, false},
		{"any of them is enough", present, "", nil, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.tool.SkipEnv, tc.skip)
			var r recorder
			path := Require(&r, tc.tool)
			if (path != "") != tc.found {
				t.Errorf("path = %q", path)
			}
			check := func(got string, want []string, what string) {
				if len(want) == 0 && got != "" {
					t.Errorf("unexpected %s: %s", what, got)
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s %q does not name %q", what, got, w)
					}
				}
			}
			check(r.failed, tc.fail, "failure")
			check(r.skipped, tc.skiped, "skip")
		})
	}
}
