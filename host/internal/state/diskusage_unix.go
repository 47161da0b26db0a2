//go:build unix

package state

import (
	"io/fs"
	"syscall"
)

// diskUsage returns the bytes allocated to a file (sparse regions excluded).
func diskUsage(info fs.FileInfo) int64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return info.Size()
}
