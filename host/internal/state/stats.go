package state

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// Stats is a summary of the store for `koppel state` diagnostics.
type Stats struct {
	// Keys counts live records per namespace (first key component).
	Keys map[Namespace]int `json:"keys"`
	// TotalKeys is the sum of Keys.
	TotalKeys int `json:"total_keys"`
	// LSMBytes, VLogBytes and MemtableBytes are the disk space used by
	// Badger's table (.sst), value-log (.vlog) and memtable write-ahead (.mem)
	// files; all 0 for an in-memory store. Where the platform reports
	// allocated blocks (Unix) that is what is counted, so the sparse
	// preallocation of the active files is not; elsewhere it is the file size.
	LSMBytes      int64 `json:"lsm_bytes"`
	VLogBytes     int64 `json:"vlog_bytes"`
	MemtableBytes int64 `json:"memtable_bytes"`
	// Dir is the state directory ("" when in memory).
	Dir string `json:"dir"`
}

// Stats counts the records per namespace and measures the files on disk.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Keys: map[Namespace]int{}, Dir: s.dir}
	err := s.View(ctx, func(tx *Tx) error {
		return tx.iterateKeys(ctx, "", func(k []byte) error {
			st.Keys[namespaceOf(k)]++
			st.TotalKeys++
			return nil
		})
	})
	if err != nil {
		return Stats{}, fmt.Errorf("state: stats: %w", err)
	}
	if s.inMem {
		return st, nil
	}
	err = filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // files come and go under compaction; skip what vanished
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".sst"):
			st.LSMBytes += diskUsage(info)
		case strings.HasSuffix(path, ".vlog"):
			st.VLogBytes += diskUsage(info)
		case strings.HasSuffix(path, ".mem"):
			st.MemtableBytes += diskUsage(info)
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("state: stats: %w", err)
	}
	return st, nil
}
