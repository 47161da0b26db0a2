package state

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"
)

// ErrNotEmpty is returned (wrapped) by Restore without Force when the store
// already holds records.
var ErrNotEmpty = errors.New("state: store is not empty")

// ErrBadBackup is returned (wrapped) when a backup stream is truncated,
// corrupt, or not a koppel state backup. Nothing has been loaded then.
var ErrBadBackup = errors.New("state: invalid backup")

const (
	// maxBackupFrame bounds one length-prefixed frame of a backup stream, so
	// a corrupt length cannot make Restore allocate without limit.
	maxBackupFrame = 512 << 20
	// loadMaxPending is the number of concurrent batch writes during Load.
	loadMaxPending = 256
	// badger's 8-byte meta bits a backup may carry: delete, value pointer
	// (cleared again by Badger on load) and discard-earlier-versions.
	allowedMetaBits = 0x01 | 0x02 | 0x04
)

// Backup writes a full backup of the store to w in Badger's backup format
// (the same format as `badger backup`). Writers may keep working while it
// runs; the backup is a consistent snapshot. Cancelling ctx aborts it.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	if _, err := s.db.Backup(ctxWriter{ctx: ctx, w: w}, 0); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	return nil
}

// RestoreOptions modifies Restore.
type RestoreOptions struct {
	// Force discards everything the store holds before loading the backup.
	// Without it, Restore refuses to load into a store that holds data.
	Force bool
}

// Restore loads a backup made by Backup. The stream is first read completely
// into a temporary file and checked (framing, protobuf, keys of the koppel
// layout), so a truncated or foreign file is rejected with ErrBadBackup
// before anything is written. Restore then refuses, with ErrNotEmpty, to load
// into a store that already holds records unless opts.Force is set, in which
// case the current contents are dropped first. While it runs, other
// operations fail with ErrBusy; it waits for operations already running (do
// not call it from inside a List callback or a transaction function).
func (s *Store) Restore(ctx context.Context, r io.Reader, opts RestoreOptions) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("state: restore: %w", err)
	}
	if s.borrowed {
		// A borrowed handle cannot hold off the owner's operations, so it never restores.
		return fmt.Errorf("state: restore through a borrowed handle: %w", ErrBusy)
	}
	spool, err := os.CreateTemp("", "koppel-restore-*.bak")
	if err != nil {
		return fmt.Errorf("state: restore: temporary file: %w", err)
	}
	defer func() {
		_ = spool.Close()
		_ = os.Remove(spool.Name())
	}()
	if _, err := verifyBackup(ctx, r, spool); err != nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("state: restore: rewind temporary file: %w", err)
	}

	if err := s.beginExclusive(); err != nil {
		return err
	}
	defer s.endExclusive()

	n, first, err := s.countKeys(ctx)
	if err != nil {
		return fmt.Errorf("state: restore: %w", err)
	}
	if n > 0 {
		if !opts.Force {
			return fmt.Errorf("%w: restore refused, the store already holds %d record(s) (for example %q); "+
				"restore into an empty state directory, or use force to discard the current contents", ErrNotEmpty, n, first)
		}
		s.log.Warn("restore with force: dropping current contents", "records", n)
		if err := s.db.DropAll(); err != nil {
			return fmt.Errorf("state: restore: drop current contents: %w", err)
		}
	}
	if err := s.db.Load(bufio.NewReaderSize(spool, 1<<20), loadMaxPending); err != nil {
		return fmt.Errorf("state: restore: load: %w", err)
	}
	return nil
}

// beginExclusive blocks new operations (they get ErrBusy) and waits for the
// running ones to finish.
func (s *Store) beginExclusive() error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.restoring:
		s.mu.Unlock()
		return ErrBusy
	}
	s.restoring = true
	s.mu.Unlock()
	s.inflight.Wait()
	return nil
}

func (s *Store) endExclusive() {
	s.mu.Lock()
	s.restoring = false
	s.mu.Unlock()
}

// countKeys counts all live keys, bypassing enter (used under exclusivity).
func (s *Store) countKeys(ctx context.Context) (int, string, error) {
	n, first := 0, ""
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	tx := &Tx{txn: txn}
	defer tx.done.Store(true)
	err := tx.iterateKeys(ctx, "", func(k []byte) error {
		if n == 0 {
			first = string(k)
		}
		n++
		return nil
	})
	return n, first, err
}

// verifyBackup reads a backup stream frame by frame, checks each frame and
// copies it to dst. It returns the number of entries.
func verifyBackup(ctx context.Context, r io.Reader, dst io.Writer) (int, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var (
		hdr     [8]byte
		frame   bytes.Buffer
		entries int
	)
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return entries, fmt.Errorf("state: restore: %w", err)
		}
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return entries, nil
			}
			return entries, fmt.Errorf("%w: frame %d: truncated length: %v", ErrBadBackup, n, err)
		}
		size := binary.LittleEndian.Uint64(hdr[:])
		if size > maxBackupFrame {
			return entries, fmt.Errorf("%w: frame %d: length %d exceeds %d bytes", ErrBadBackup, n, size, maxBackupFrame)
		}
		frame.Reset()
		if _, err := io.CopyN(&frame, br, int64(size)); err != nil {
			return entries, fmt.Errorf("%w: frame %d: truncated (%d bytes announced): %v", ErrBadBackup, n, size, err)
		}
		var list pb.KVList
		if err := proto.Unmarshal(frame.Bytes(), &list); err != nil {
			return entries, fmt.Errorf("%w: frame %d: %v", ErrBadBackup, n, err)
		}
		for _, kv := range list.GetKv() {
			if err := checkKV(kv); err != nil {
				return entries, fmt.Errorf("%w: frame %d: %v", ErrBadBackup, n, err)
			}
			entries++
		}
		if _, err := dst.Write(hdr[:]); err != nil {
			return entries, fmt.Errorf("state: restore: spool: %w", err)
		}
		if _, err := dst.Write(frame.Bytes()); err != nil {
			return entries, fmt.Errorf("state: restore: spool: %w", err)
		}
	}
}

func checkKV(kv *pb.KV) error {
	k := kv.GetKey()
	switch {
	case len(k) == 0:
		return errors.New("entry with empty key")
	case len(k) > MaxKeyLen:
		return fmt.Errorf("entry key of %d bytes exceeds %d", len(k), MaxKeyLen)
	case bytes.HasPrefix(k, []byte("!badger!")):
		return errors.New("entry with a Badger-internal key")
	case kv.GetVersion() == 0:
		return fmt.Errorf("entry %q without version", k)
	case kv.GetStreamDone():
		return fmt.Errorf("entry %q is a stream marker", k)
	case len(kv.GetMeta()) > 1 || len(kv.GetUserMeta()) > 1:
		return fmt.Errorf("entry %q has malformed metadata", k)
	case len(kv.GetMeta()) == 1 && kv.GetMeta()[0]&^allowedMetaBits != 0:
		return fmt.Errorf("entry %q has unsupported flags %#x", k, kv.GetMeta()[0])
	}
	if _, err := ParseKey(Key(k)); err != nil {
		return fmt.Errorf("not a koppel state key: %v", err)
	}
	return nil
}

// ctxWriter fails writes once ctx is done, which aborts db.Backup.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
