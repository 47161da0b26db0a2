package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var pluginDirLine = regexp.MustCompile(`(?m)^(\s*plugin_dir\s*=\s*)"[^"]*"`)

// TestExampleProfilesValidate runs `koppel validate` on every directory of examples/profiles, as a
// user would after `make build`, with the plugins of this checkout and made-up credentials.
func TestExampleProfilesValidate(t *testing.T) {
	root := filepath.Join(repoRoot(), "examples", "profiles")
	dirs := []string{root}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "state" {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	if len(dirs) < 3 {
		t.Fatalf("examples/profiles should hold the demo and at least two set-ups, found %v", dirs)
	}
	env := map[string]string{}
	envCall := regexp.MustCompile(`env\("([A-Z0-9_]+)"\)`)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			tmp := configDir(t, "")
			os.Remove(filepath.Join(tmp, "profile.hcl"))
			os.Remove(filepath.Join(tmp, "koppel.hcl"))
			files, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
			if len(files) == 0 {
				t.Fatalf("no profiles in %s", dir)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				src := pluginDirLine.ReplaceAllString(string(b), `${1}"./plugins"`)
				for _, m := range envCall.FindAllStringSubmatch(src, -1) {
					env[m[1]] = "example-value-for-" + strings.ToLower(m[1])
				}
				if err := os.WriteFile(filepath.Join(tmp, filepath.Base(f)), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errs := run(t, env, "validate", "--config", tmp)
			if code != 0 || !strings.Contains(out, "is valid") {
				t.Fatalf("validate %s: exit %d\n%s\n%s", dir, code, out, errs)
			}
			for _, v := range env {
				if strings.Contains(out+errs, v) {
					t.Fatalf("validate printed a value from the environment: %s", v)
				}
			}
		})
	}
}
