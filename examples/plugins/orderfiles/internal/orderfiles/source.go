package orderfiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/koppel-nl/koppel/sdk"
)

// fileInfo is one file in the export folder.
type fileInfo struct {
	Name    string
	ModTime time.Time
	Size    int64
}

// source is where the export files live: a local folder or a WebDAV folder. Every method
// returns *sdk.Error values classified for the host.
type source interface {
	// List returns the regular files directly in the folder (no subfolders), sorted by name.
	List(ctx context.Context) ([]fileInfo, error)
	// Read returns one file's content. A missing file is KindNotFound.
	Read(ctx context.Context, name string) ([]byte, error)
	// Write replaces (or creates) one file atomically where the source allows it.
	Write(ctx context.Context, name string, data []byte) error
	// Describe names the folder for messages, without credentials.
	Describe() string
}

// maxFileSize caps one export file; larger files are refused rather than read into memory.
const maxFileSize = 64 << 20

// localSource is a folder on this machine or a mounted network share.
type localSource struct{ dir string }

func (l localSource) Describe() string { return l.dir }

func (l localSource) classify(op string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &sdk.Error{Kind: sdk.KindUnreachable, Err: err,
			Message: fmt.Sprintf("%s: %s does not exist (is the share mounted and the path right?)", op, l.dir)}
	case errors.Is(err, fs.ErrPermission):
		return &sdk.Error{Kind: sdk.KindAuth, Err: err,
			Message: fmt.Sprintf("%s: koppel has no rights on %s; run it as a user who may read (and, for stock, write) there", op, l.dir)}
	}
	return &sdk.Error{Kind: sdk.KindRetryable, Err: err, Message: fmt.Sprintf("%s in %s: %v", op, l.dir, err)}
}

func (l localSource) List(ctx context.Context) ([]fileInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st, err := os.Stat(l.dir)
	if err != nil {
		return nil, l.classify("open folder", err)
	}
	if !st.IsDir() {
		return nil, &sdk.Error{Kind: sdk.KindUnreachable, Message: fmt.Sprintf("%s is a file, not a folder", l.dir)}
	}
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, l.classify("list folder", err)
	}
	out := make([]fileInfo, 0, len(entries))
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed between ReadDir and Info
		}
		out = append(out, fileInfo{Name: e.Name(), ModTime: info.ModTime().UTC(), Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (l localSource) Read(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := filepath.Join(l.dir, name)
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &sdk.Error{Kind: sdk.KindNotFound, Err: err, Message: fmt.Sprintf("%s does not exist", p)}
	}
	if err != nil {
		return nil, l.classify("read "+name, err)
	}
	if st.Size() > maxFileSize {
		return nil, sdk.Errorf(sdk.KindPermanent, "%s is %d bytes, more than the %d koppel reads", p, st.Size(), maxFileSize)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, l.classify("read "+name, err)
	}
	return b, nil
}

func (l localSource) Write(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := filepath.Join(l.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return l.classify("create folder for "+name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".koppel-*.tmp")
	if err != nil {
		return l.classify("write "+name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return l.classify("write "+name, err)
	}
	if err := tmp.Close(); err != nil {
		return l.classify("write "+name, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return l.classify("replace "+name, err)
	}
	return nil
}
