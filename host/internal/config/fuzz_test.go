package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary file content to Load and Format: neither may panic nor take longer
// than hangLimit. The seed corpus is every valid and broken example, so the regular test run
// (seeds only) stays fast.
func FuzzLoad(f *testing.F) {
	for _, pattern := range []string{"testdata/valid/*/*.hcl", "testdata/broken/*.hcl"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	env := validEnv()
	f.Fuzz(func(t *testing.T, src []byte) {
		// The fuzzer has no time limit per input: crash, so that a hang is recorded as a failure.
		tm := time.AfterFunc(hangLimit, func() { panic(fmt.Sprintf("input took longer than %s: %q", hangLimit, src)) })
		defer tm.Stop()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o600); err != nil {
			t.Fatal(err)
		}
		opts, _ := testOptions(env)
		cfg, diags := Load(dir, opts)
		if cfg == nil {
			t.Fatal("Load returned a nil Config")
		}
		if err := Format(io.Discard, diags, cfg.Files, cfg.Redactor()); err != nil {
			t.Fatal(err)
		}
	})
}

// hangLimit is how long one fuzz input may take (generous: make test runs on 2 loaded cores).
const hangLimit = 10 * time.Second
