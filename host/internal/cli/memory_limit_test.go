package cli

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMemoryLimitFromKoppelBlock: a command reading the koppel block gives the Go runtime its
// memory_limit (default 80 MiB, "off" for none); GOMEMLIMIT in the environment wins.
func TestMemoryLimitFromKoppelBlock(t *testing.T) {
	tests := []struct {
		name  string
		attr  string
		env   map[string]string
		want  int64
		calls int
	}{
		{"default", "", nil, 80 << 20, 1},
		{"set", `memory_limit = "256MiB"`, nil, 256 << 20, 1},
		{"off", `memory_limit = "off"`, nil, math.MaxInt64, 1},
		{"GOMEMLIMIT wins", `memory_limit = "256MiB"`, map[string]string{"GOMEMLIMIT": "1GiB"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := "koppel {\n  state_dir = \"./state\"\n  listen = \"\"\n  " + tt.attr + "\n}\n"
			if err := os.WriteFile(filepath.Join(dir, "koppel.hcl"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			var got int64
			calls := 0
			var out, errb bytes.Buffer
			code := Run(context.Background(), []string{"runs", "--config", dir}, Env{
				Version: "test", Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
				Getenv: func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok },
				SetMemoryLimit: func(n int64) int64 {
					calls++
					got = n
					return 0
				},
			})
			if code != 0 {
				t.Fatalf("koppel runs: exit %d\n%s%s", code, out.String(), errb.String())
			}
			if calls < tt.calls || (tt.calls == 0 && calls != 0) {
				t.Fatalf("SetMemoryLimit called %d times, want %d", calls, tt.calls)
			}
			if calls > 0 && got != tt.want {
				t.Fatalf("memory limit %d, want %d", got, tt.want)
			}
		})
	}
}
