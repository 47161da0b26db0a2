package config

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/broken/*.golden from the current output")

// diagLine is the first line of every printed diagnostic.
var diagLine = regexp.MustCompile(`^[a-z_]+\.hcl:\d+,\d+: (error|warning): \S`)

// TestGolden loads each testdata/broken/*.hcl on its own and compares the printed diagnostics
// with the .golden file beside it. Run `go test ./host/internal/config -run TestGolden -update`
// to rewrite the golden files after an intended change, and review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "broken", "*.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken examples: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".hcl"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := writeDir(t, map[string]string{name: string(src)})
			opts, _ := testOptions(testEnv)
			cfg, diags := Load(dir, opts)
			if !diags.HasErrors() {
				t.Fatalf("%s loads without errors", name)
			}
			got := formatDiags(t, cfg, diags)

			// Every diagnostic has a position and a hint; no secret is ever printed.
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("no position: %s", d.Summary)
				}
				if _, hint := SplitHint(d.Detail); hint == "" {
					t.Errorf("no hint: %s", d.Summary)
				}
			}
			blocks := 0
			for _, line := range strings.Split(got, "\n") {
				if line != "" && !strings.HasPrefix(line, " ") {
					blocks++
					if !diagLine.MatchString(line) {
						t.Errorf("line does not start with file:line,col: severity: %q", line)
					}
				}
			}
			if blocks != len(diags) || strings.Count(got, "\n  hint: ") != len(diags) {
				t.Errorf("%d diagnostics but %d printed, %d hints:\n%s", len(diags), blocks, strings.Count(got, "\n  hint: "), got)
			}
			for _, secret := range []string{secretWCKey, secretWCSecret, secretClient, secretSub, secretToken, "12345678"} {
				if strings.Contains(got, secret) {
					t.Errorf("secret %q printed:\n%s", secret, got)
				}
				for _, d := range diags {
					if strings.Contains(d.Summary, secret) || strings.Contains(d.Detail, secret) {
						t.Errorf("secret %q in diagnostic %q", secret, d.Summary)
					}
				}
			}

			golden := strings.TrimSuffix(file, ".hcl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update to accept):\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}
