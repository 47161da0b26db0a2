//go:build !unix

package state

import "io/fs"

// diskUsage returns the file size; this platform does not report allocated
// blocks through fs.FileInfo.
func diskUsage(info fs.FileInfo) int64 { return info.Size() }
