package config

import (
	"path/filepath"
	"testing"
)

// BenchmarkLoadFull measures loading the full example (one profile, every setting).
func BenchmarkLoadFull(b *testing.B) {
	dir := filepath.Join("testdata", "valid", "full")
	opts, _ := testOptions(validEnv())
	for b.Loop() {
		if _, diags := Load(dir, opts); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/load")
}

// BenchmarkLoadBroken measures loading and formatting a file with two errors.
func BenchmarkLoadBroken(b *testing.B) {
	dir := b.TempDir()
	src, err := readLimited(filepath.Join("testdata", "broken", "two_errors.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	if err := writeFile(dir, "main.hcl", string(src)); err != nil {
		b.Fatal(err)
	}
	opts, _ := testOptions(testEnv)
	var n int
	for b.Loop() {
		cfg, diags := Load(dir, opts)
		n = len(diags)
		_ = Format(discard{}, diags, cfg.Files, cfg.Redactor())
	}
	b.ReportMetric(float64(n), "diags")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/load+format")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
