//go:build linux

package state

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseMappedPages asks the kernel to take back the resident pages of the table (.sst),
// value-log (.vlog) and memtable-log (.mem) files under dir that Badger has mapped into this
// process, and returns how many bytes of mappings it advised.
//
// Badger writes every new table through a memory mapping and keeps it mapped while the table
// lives, so without this each table written would stay in the process's resident set until the
// kernel ran short of memory: the resident size would grow with the history although the pages
// are only file cache. The memtable's log is written through a mapping too and read only when
// the store is opened again (the memtable itself is in memory). MADV_PAGEOUT gives the pages
// back now; a later access faults the page in again from the file. The advice never changes data (the files are written and synced before Badger
// reads them, and a page that is still dirty is written back first), so a mapping Badger
// replaced between reading /proc/self/maps and the call costs at most a page fault. Kernels
// before 5.4 know no MADV_PAGEOUT: the error says so and nothing was changed.
func releaseMappedPages(dir string) (int64, error) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("state: read the process's mappings: %w", err)
	}
	return releaseMappings(maps, dir)
}

// releaseMappings advises MADV_PAGEOUT for the mappings of Badger's files under dir listed in
// maps (the text of /proc/self/maps) and returns how many bytes it advised; a mapping that is
// gone by now is passed over.
func releaseMappings(maps []byte, dir string) (int64, error) {
	var advised int64
	sc := bufio.NewScanner(bytes.NewReader(maps))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		start, end, path, ok := parseMapsLine(sc.Text())
		if !ok || filepath.Dir(path) != dir {
			continue
		}
		if ext := filepath.Ext(path); ext != ".sst" && ext != ".vlog" && ext != ".mem" {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_PAGEOUT); errno != 0 {
			if errors.Is(errno, unix.ENOMEM) {
				// Badger unmapped the file since /proc/self/maps was read (a table that a
				// compaction replaced): nothing left to give back.
				continue
			}
			if errors.Is(errno, unix.EINVAL) {
				return advised, fmt.Errorf("state: release the pages of %s (MADV_PAGEOUT needs Linux 5.4 or later): %w", path, errno)
			}
			return advised, fmt.Errorf("state: release the pages of %s: %w", path, errno)
		}
		advised += int64(end - start)
	}
	return advised, sc.Err()
}

// residentFileBytes returns how many bytes of the process's resident set are pages of mapped
// files (the "shared" field of /proc/self/statm: file-backed and shared memory pages), read
// cheaply enough to check every few milliseconds.
func residentFileBytes() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// parseMapsLine reads "start-end perms offset dev inode path" of a /proc/<pid>/maps line. Only
// shared mappings of a file are returned.
func parseMapsLine(line string) (start, end uintptr, path string, ok bool) {
	f := strings.SplitN(line, " ", 6)
	if len(f) < 6 || len(f[1]) < 4 || f[1][3] != 's' {
		return 0, 0, "", false
	}
	lo, hi, found := strings.Cut(f[0], "-")
	if !found {
		return 0, 0, "", false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	path = strings.TrimSpace(f[5])
	if err1 != nil || err2 != nil || e <= s || !strings.HasPrefix(path, "/") {
		return 0, 0, "", false
	}
	return uintptr(s), uintptr(e), path, true
}
