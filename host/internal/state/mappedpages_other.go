//go:build !linux

package state

// releaseMappedPages does nothing outside Linux: the kernel there is left to reclaim the
// mapped pages of Badger's files when it needs the memory.
func releaseMappedPages(string) (int64, error) { return 0, nil }

// residentFileBytes is not known outside Linux: the pages are released every interval only.
func residentFileBytes() (int64, bool) { return 0, false }
