package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunFlagsAfterName(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := run([]string{"kassa", "--kind", "ledger", "--dir", dir, "--module", "example.nl/kassa"}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "internal", "kassa", "ledger.go"))
	if err != nil || !strings.Contains(string(b), "type Ledger struct") {
		t.Fatalf("ledger.go: %v\n%s", err, b)
	}
	cases := map[string][]string{
		"no name":   {"--kind", "shop"},
		"two names": {"a", "b"},
		"bad kind":  {"x", "--kind", "erp", "--dir", filepath.Join(t.TempDir(), "y")},
	}
	for name, args := range cases {
		if err := run(args); err == nil {
			t.Errorf("%s: run(%v) succeeded", name, args)
		}
	}
}
