//go:build linux

package state

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReleaseMappedPages: the pages of Badger's tables that reads brought into this process
// stay resident until releaseMappedPages gives them back; the data reads the same afterwards.
func TestReleaseMappedPages(t *testing.T) {
	ctx := context.Background()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, Options{NoSync: true, PageReleaseInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	// About 1.25 memtables of values that do not compress: two level-0 tables (one flushed
	// when the first memtable is full, one at Close), fewer than the badgerNumLevelZeroTables
	// that start a compaction, so nothing but the reads below touches the tables.
	val := make([]byte, 1500)
	n := badgerMemTableSize * 5 / 4 / (2 * len(val))
	for i := 0; i < n; i++ {
		_, _ = rand.Read(val)
		must(t, Put(ctx, s, MapKey("p", MapArticle, fmt.Sprintf("SKU/%06d", i)), hex.EncodeToString(val)))
	}
	must(t, s.Close())
	if s, err = Open(ctx, dir, Options{NoSync: true, PageReleaseInterval: -1}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	read := func() {
		t.Helper()
		count := 0
		must(t, List(ctx, s, MapPrefix("p", MapArticle), func(_ Key, v string) error {
			if len(v) != 2*len(val) {
				return fmt.Errorf("value of %d bytes, want %d", len(v), 2*len(val))
			}
			count++
			return nil
		}))
		if count != n {
			t.Fatalf("read %d records, want %d", count, n)
		}
	}
	read()
	before := tableRSS(t, dir)
	if before < 1<<20 {
		t.Fatalf("reading every record left %d bytes of the tables resident, want at least 1 MiB", before)
	}
	advised, err := releaseMappedPages(dir)
	if err != nil {
		t.Fatal(err)
	}
	after := tableRSS(t, dir)
	if advised < before || after > before/10 {
		t.Fatalf("tables resident: %d bytes before releasing, %d after (%d bytes of mappings advised)", before, after, advised)
	}
	read()
}

// fillTables opens a store in a new directory with the given page release interval and writes
// three memtables' worth of records, so that Badger writes tables; the store stays open until
// the test ends. It returns the directory (its real path, as /proc/self/maps names it).
func fillTables(t *testing.T, interval time.Duration) string {
	t.Helper()
	ctx := context.Background()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dir, Options{NoSync: true, PageReleaseInterval: interval})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	val := make([]byte, 1500)
	for i := 0; i < 3*badgerMemTableSize/len(val)/2; i++ {
		_, _ = rand.Read(val)
		must(t, Put(ctx, s, MapKey("p", MapArticle, fmt.Sprintf("SKU/%06d", i)), hex.EncodeToString(val)))
	}
	return dir
}

// TestPagesLoopReleases: an open store gives the table pages back by itself.
func TestPagesLoopReleases(t *testing.T) {
	dir := fillTables(t, 20*time.Millisecond)
	// Wait for the tables to exist, then for their pages to be given back.
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
		if len(m) > 0 && tableRSS(t, dir) < 256<<10 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tables, %d bytes of them still resident after 30s", len(m), tableRSS(t, dir))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPagesLoopReleasesOnGrowth: with an interval far longer than the test, the pages of new
// tables are still given back, because the resident file-backed size grew (a compaction or a
// flush writes faster than an interval gives back).
func TestPagesLoopReleasesOnGrowth(t *testing.T) {
	dir := fillTables(t, time.Hour)
	// What was read or written since the last release may stay (less than pageReleaseGrowth
	// above the figure after it): most of the tables must be given back.
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
		var size int64
		for _, f := range m {
			if fi, err := os.Stat(f); err == nil {
				size += fi.Size()
			}
		}
		rss := tableRSS(t, dir)
		if len(m) > 1 && rss < size/4 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tables of %d bytes, %d bytes of them still resident after 30s", len(m), size, rss)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestResidentFileBytes: the statm figure the loop checks moves with the pages of a mapped file.
func TestResidentFileBytes(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "x"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 8 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = unix.Munmap(b) }()
	before, ok := residentFileBytes()
	if !ok || before <= 0 {
		t.Fatalf("residentFileBytes = %d, %v; want a positive figure", before, ok)
	}
	for i := 0; i < size; i += os.Getpagesize() {
		b[i] = 1
	}
	after, _ := residentFileBytes()
	if after-before < size/2 {
		t.Fatalf("resident file-backed bytes %d before touching 8 MiB of a mapped file, %d after", before, after)
	}
}

// tableRSS sums the resident bytes of the .sst mappings under dir in /proc/self/smaps.
func tableRSS(t *testing.T, dir string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sum int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) > 0 && !strings.HasSuffix(f[0], ":") { // a mapping's header
			_, _, path, ok := parseMapsLine(line)
			in = ok && filepath.Dir(path) == dir && strings.HasSuffix(path, ".sst")
			continue
		}
		if rest, ok := strings.CutPrefix(line, "Rss:"); ok && in {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			sum += kb << 10
		}
	}
	return sum
}

// The failure paths of releaseMappings: a listed mapping that is gone by the time it is advised
// (Badger dropped the table) is passed over without an error; a range the kernel refuses
// (EINVAL, as kernels before 5.4 answer MADV_PAGEOUT) stops with an error naming the file and
// the kernel it needs; mappings outside dir or of other files are left alone.
func TestReleaseMappingsFailurePaths(t *testing.T) {
	dir := "/var/lib/koppel/state"
	for _, tc := range []struct {
		name, maps string
		wantErr    string
	}{
		{"dropped mapping", "00010000-00011000 rw-s 00000000 08:01 42 " + dir + "/000001.sst\n", ""},
		{"refused range", "00010001-00011000 rw-s 00000000 08:01 42 " + dir + "/000002.vlog\n", "000002.vlog (MADV_PAGEOUT needs Linux 5.4 or later)"},
		{"other directory", "00010001-00011000 rw-s 00000000 08:01 42 /elsewhere/000001.sst\n", ""},
		{"other file", "00010001-00011000 rw-s 00000000 08:01 42 " + dir + "/MANIFEST\n", ""},
		{"private mapping", "00010001-00011000 r--p 00000000 08:01 42 " + dir + "/000001.sst\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			advised, err := releaseMappings([]byte(tc.maps), dir)
			if advised != 0 {
				t.Errorf("advised %d bytes, want 0", advised)
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("err = %v, want none", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}
