// Package mdbtools reads an Access (.mdb) administration through the mdbtools command-line
// programs (mdb-json, mdb-export, mdb-tables), without cgo: each scan runs mdb-json on one
// table and decodes its output row by row, so a table is never held in memory whole. It is
// read-only: mdbtools cannot write Jet files correctly, so Write always fails with
// ErrReadOnly.
package mdbtools

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/koppel-nl/koppel/plugins/snelstart-mdb/internal/tables"
)

// ErrReadOnly is returned by Write: mdbtools cannot write Jet files.
var ErrReadOnly = errors.New("mdbtools reads .mdb files but cannot write them")

// ErrNotInstalled means the mdbtools programs were not found.
var ErrNotInstalled = errors.New("mdbtools is not installed (Debian/Ubuntu: apt-get install mdbtools; macOS: brew install mdbtools)")

// dateFormat makes mdb-json print ISO datetimes instead of its two-digit-year default.
const dateFormat = "%Y-%m-%dT%H:%M:%S"

// Store reads one .mdb file with mdbtools. It is safe for concurrent use.
type Store struct {
	path   string
	dir    string
	layout *tables.Layout
	loc    *time.Location

	mu    sync.Mutex
	calls int64
}

// Options configure Open.
type Options struct {
	// Path is the .mdb file.
	Path string
	// Dir is the directory holding mdb-json and friends; empty means the PATH.
	Dir string
	// Layout maps logical names to the file's.
	Layout *tables.Layout
	// Location is the time zone the file's wall-clock datetimes are read in; nil means Local.
	Location *time.Location
}

// Open returns a Store after checking that mdb-json can be found. It does not read the file.
func Open(o Options) (*Store, error) {
	s := &Store{path: o.Path, dir: o.Dir, layout: o.Layout, loc: o.Location}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.layout == nil {
		l, err := tables.NewLayout(nil)
		if err != nil {
			return nil, err
		}
		s.layout = l
	}
	if _, err := s.program("mdb-json"); err != nil {
		return nil, err
	}
	return s, nil
}

// Calls returns how many mdbtools processes the store has started.
func (s *Store) Calls() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *Store) program(name string) (string, error) {
	if s.dir != "" {
		name = filepath.Join(s.dir, name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", ErrNotInstalled
	}
	return p, nil
}

// command starts an mdbtools program with its stdout piped.
func (s *Store) command(ctx context.Context, name string, args ...string) (*exec.Cmd, io.ReadCloser, *bytes.Buffer, error) {
	prog, err := s.program(name)
	if err != nil {
		return nil, nil, nil, err
	}
	cmd := exec.CommandContext(ctx, prog, args...)
	stderr := &bytes.Buffer{}
	cmd.Stderr = &limitedWriter{w: stderr, n: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, fmt.Errorf("start %s: %w", name, err)
	}
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return cmd, out, stderr, nil
}

// Scan implements tables.Reader: it runs mdb-json on the table and filters in Go, comparing
// text case-insensitively as Jet does.
func (s *Store) Scan(ctx context.Context, table string, conds []tables.Cond, fn func(tables.Row) error) error {
	t := s.layout.Table(table)
	phys := s.layout.PhysTable(table)
	// physical (lower-cased) column name → logical column
	byPhys := make(map[string]tables.Column, len(t.Columns))
	for _, c := range t.Columns {
		byPhys[strings.ToLower(s.layout.PhysColumn(table, c.Name))] = c
	}
	cmd, out, stderr, err := s.command(ctx, "mdb-json", "-T", dateFormat, "-D", dateFormat, s.path, phys)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(out, 64<<10))
	dec.UseNumber()
	var fnErr, decErr error
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if !errors.Is(err, io.EOF) {
				decErr = fmt.Errorf("read %s: %w", phys, err)
			}
			break
		}
		row := make(tables.Row, len(t.Columns))
		for k, v := range obj {
			c, ok := byPhys[strings.ToLower(k)]
			if !ok {
				continue
			}
			nv, err := tables.Normalize(c.Kind, v, s.loc)
			if err != nil {
				decErr = fmt.Errorf("%s.%s: %w", phys, k, err)
				break
			}
			row[c.Name] = nv
		}
		if decErr != nil {
			break
		}
		if !tables.Match(t, row, conds) {
			continue
		}
		if err := fn(row); err != nil {
			fnErr = err
			break
		}
	}
	if fnErr != nil || decErr != nil {
		// Stop reading: kill the program rather than drain a large table.
		_ = cmd.Process.Kill()
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		if fnErr != nil {
			return fnErr
		}
		return decErr
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return s.programError("mdb-json", table, "", stderr, err)
	}
	return nil
}

// programError turns a failed mdbtools run into an error; a missing table becomes a
// *tables.MissingError.
func (s *Store) programError(prog, table, column string, stderr *bytes.Buffer, err error) error {
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "does not exist") {
		return &tables.MissingError{Table: table, Column: column, Phys: s.layout.PhysTable(table)}
	}
	if msg == "" {
		msg = err.Error()
	}
	return fmt.Errorf("%s %s: %s", prog, filepath.Base(s.path), msg)
}

// Write implements tables.Store: it always fails with ErrReadOnly.
func (s *Store) Write(context.Context, func(tables.Tx) error) error { return ErrReadOnly }

// Columns implements tables.Store: every mapped table must be listed by mdb-tables and every
// mapped column must appear in the header mdb-export prints for it.
func (s *Store) Columns(ctx context.Context) error {
	cmd, out, stderr, err := s.command(ctx, "mdb-tables", "-1", s.path)
	if err != nil {
		return err
	}
	data, _ := io.ReadAll(io.LimitReader(out, 1<<20))
	if err := cmd.Wait(); err != nil {
		return s.programError("mdb-tables", "", "", stderr, err)
	}
	present := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			present[strings.ToLower(line)] = true
		}
	}
	for _, name := range s.layout.TableNames() {
		phys := s.layout.PhysTable(name)
		if !present[strings.ToLower(phys)] {
			return &tables.MissingError{Table: name, Phys: phys}
		}
		cols, err := s.header(ctx, phys)
		if err != nil {
			return err
		}
		for _, c := range s.layout.Table(name).Columns {
			p := s.layout.PhysColumn(name, c.Name)
			if !cols[strings.ToLower(p)] {
				return &tables.MissingError{Table: name, Column: c.Name, Phys: p}
			}
		}
	}
	return nil
}

// header returns the lower-cased column names of a table, from the first line mdb-export prints.
func (s *Store) header(ctx context.Context, phys string) (map[string]bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd, out, stderr, err := s.command(ctx, "mdb-export", s.path, phys)
	if err != nil {
		return nil, err
	}
	rec, readErr := csv.NewReader(bufio.NewReader(out)).Read()
	_ = cmd.Process.Kill()
	_, _ = io.Copy(io.Discard, out)
	waitErr := cmd.Wait()
	if readErr != nil {
		if waitErr != nil {
			return nil, s.programError("mdb-export", phys, "", stderr, waitErr)
		}
		return nil, fmt.Errorf("mdb-export %s: no header: %w", phys, readErr)
	}
	cols := make(map[string]bool, len(rec))
	for _, c := range rec {
		cols[strings.ToLower(strings.TrimSpace(c))] = true
	}
	return cols, nil
}

// Close implements tables.Store; there is nothing to release.
func (s *Store) Close() error { return nil }

// limitedWriter keeps at most n bytes and discards the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	l.n -= len(q)
	_, _ = l.w.Write(q)
	return len(p), nil
}
