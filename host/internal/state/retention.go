package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// deleteBatch is how many deletes go into one transaction, well below
// Badger's per-transaction limit.
const deleteBatch = 1000

// ErrNotRunPrefix is returned by DeleteOlder for a prefix outside "run/".
var ErrNotRunPrefix = errors.New("state: DeleteOlder works on run keys only")

// DeleteOlder deletes the run records under prefix whose start time (encoded
// in the RunKey) is before before, and returns how many it deleted. prefix
// must lie in the run namespace: NSRun.Prefix() for all profiles or
// NSRun.ProfilePrefix(profile) for one. Keys under it that are not valid run
// keys are left alone and logged. Deletion happens in batches, so a
// cancelled ctx may leave part of the old records in place.
func (s *Store) DeleteOlder(ctx context.Context, prefix Key, before time.Time) (int, error) {
	if !strings.HasPrefix(string(prefix), string(NSRun.Prefix())) {
		return 0, fmt.Errorf("%w: prefix %q", ErrNotRunPrefix, string(prefix))
	}
	skipped := 0
	n, err := s.deleteWhere(ctx, prefix, func(k []byte) bool {
		t, err := RunTime(Key(k))
		if err != nil {
			skipped++
			return false
		}
		return t.Before(before)
	})
	if skipped > 0 {
		s.log.Warn("retention skipped keys that are not run keys", "prefix", string(prefix), "count", skipped)
	}
	if err != nil {
		return n, fmt.Errorf("state: delete older than %s under %q: %w", before.Format(time.RFC3339), string(prefix), err)
	}
	return n, nil
}

// DeletePrefix deletes every record whose key starts with prefix (for
// example NSCursor.ProfilePrefix(p) to reset a profile's cursors) and
// returns how many it deleted. prefix must end in '/' (a prefix built by
// this package); an empty prefix is refused.
func (s *Store) DeletePrefix(ctx context.Context, prefix Key) (int, error) {
	if !prefix.IsPrefix() {
		return 0, fmt.Errorf("%w: %q is not a prefix", ErrBadKey, string(prefix))
	}
	n, err := s.deleteWhere(ctx, prefix, func([]byte) bool { return true })
	if err != nil {
		return n, fmt.Errorf("state: delete prefix %q: %w", string(prefix), err)
	}
	return n, nil
}

// deleteWhere deletes the keys under prefix selected by match, in batches of
// deleteBatch per transaction.
func (s *Store) deleteWhere(ctx context.Context, prefix Key, match func(k []byte) bool) (int, error) {
	var batch [][]byte
	if err := s.View(ctx, func(tx *Tx) error {
		return tx.iterateKeys(ctx, prefix, func(k []byte) error {
			if match(k) {
				batch = append(batch, k)
			}
			return nil
		})
	}); err != nil {
		return 0, err
	}
	deleted := 0
	for len(batch) > 0 {
		chunk := batch[:min(deleteBatch, len(batch))]
		if err := s.Update(ctx, func(tx *Tx) error {
			for _, k := range chunk {
				if err := tx.deleteRaw(ctx, Key(k)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return deleted, err
		}
		deleted += len(chunk)
		batch = batch[len(chunk):]
	}
	return deleted, nil
}
