package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// encJSON is stored in Badger's UserMeta byte of every record written by this
// package, so a future encoding can be told apart from today's JSON.
const encJSON byte = 1

// ErrStop may be returned by a List callback to end the iteration early;
// List then returns nil.
var ErrStop = errors.New("state: stop iteration")

// Reader is a source of records: *Store (each call its own read
// transaction) or *Tx (inside View or Update). It cannot be implemented
// outside this package.
type Reader interface {
	getRaw(ctx context.Context, key Key) (val []byte, enc byte, ok bool, err error)
	iterate(ctx context.Context, prefix Key, o listOptions, fn func(key Key, val []byte, enc byte) error) error
}

// Writer is a Reader that can also store and delete records: *Store (each
// call its own transaction) or *Tx (inside Update).
type Writer interface {
	Reader
	setRaw(ctx context.Context, r record) error
	deleteRaw(ctx context.Context, key Key) error
}

// Both *Store and *Tx serve the generic helpers.
var (
	_ Writer = (*Store)(nil)
	_ Writer = (*Tx)(nil)
)

// PutOption modifies a Put.
type PutOption func(*putOptions)

type putOptions struct {
	expiresAt time.Time
	err       error
}

// WithTTL makes the record expire d after the Put. Badger stores expiry with
// one-second resolution; the record disappears at the first whole second
// at or after now+d. d must be positive.
func WithTTL(d time.Duration) PutOption {
	return func(o *putOptions) {
		if d <= 0 {
			o.err = fmt.Errorf("state: ttl must be positive, got %s", d)
			return
		}
		o.expiresAt = time.Now().Add(d)
	}
}

// WithExpiresAt makes the record expire at t (rounded up to a whole second).
// The zero time means no expiry.
func WithExpiresAt(t time.Time) PutOption {
	return func(o *putOptions) { o.expiresAt = t }
}

// ListOption modifies a List.
type ListOption func(*listOptions)

type listOptions struct {
	reverse bool
	limit   int
}

// Reverse iterates in descending key order (for run keys: newest first).
func Reverse() ListOption { return func(o *listOptions) { o.reverse = true } }

// Limit stops after n records (n <= 0 means no limit).
func Limit(n int) ListOption { return func(o *listOptions) { o.limit = n } }

// record is an encoded record ready to be written. A fresh badger.Entry is
// built from it on every transaction attempt, because Badger rewrites the
// entry's key when it commits.
type record struct {
	key       Key
	val       []byte
	expiresAt uint64 // unix seconds, 0 = never
}

func (r record) entry() *badger.Entry {
	e := badger.NewEntry([]byte(r.key), r.val).WithMeta(encJSON)
	e.ExpiresAt = r.expiresAt
	return e
}

func newRecord(key Key, v any, opts []PutOption) (record, error) {
	var po putOptions
	for _, o := range opts {
		o(&po)
	}
	if po.err != nil {
		return record{}, po.err
	}
	if len(key) == 0 || key.IsPrefix() {
		return record{}, fmt.Errorf("%w: cannot store under %q", ErrBadKey, string(key))
	}
	val, err := json.Marshal(v)
	if err != nil {
		return record{}, fmt.Errorf("state: encode %q: %w", string(key), err)
	}
	r := record{key: key, val: val}
	if !po.expiresAt.IsZero() {
		sec := po.expiresAt.Unix()
		if po.expiresAt.Nanosecond() > 0 {
			sec++
		}
		if sec < 1 {
			sec = 1
		}
		r.expiresAt = uint64(sec)
	}
	return r, nil
}

func decode[T any](key Key, val []byte, enc byte) (T, error) {
	var v T
	if enc != encJSON {
		return v, fmt.Errorf("state: record %q has unknown encoding %d", string(key), enc)
	}
	if err := json.Unmarshal(val, &v); err != nil {
		return v, fmt.Errorf("state: decode %q: %w", string(key), err)
	}
	return v, nil
}

// Get reads the record at key and decodes it into a T. The bool is false
// (with a nil error and the zero T) when the key does not exist or expired.
func Get[T any](ctx context.Context, r Reader, key Key) (T, bool, error) {
	var zero T
	raw, enc, ok, err := r.getRaw(ctx, key)
	if err != nil || !ok {
		return zero, false, err
	}
	v, err := decode[T](key, raw, enc)
	if err != nil {
		return zero, false, err
	}
	return v, true, nil
}

// Put stores v (JSON-encoded) at key, replacing any previous record. Options
// set an expiry. key must be a record key, not a prefix.
func Put[T any](ctx context.Context, w Writer, key Key, v T, opts ...PutOption) error {
	rec, err := newRecord(key, v, opts)
	if err != nil {
		return err
	}
	return w.setRaw(ctx, rec)
}

// Delete removes the record at key. Deleting a missing key is not an error.
func Delete(ctx context.Context, w Writer, key Key) error {
	return w.deleteRaw(ctx, key)
}

// List calls fn for every record whose key starts with prefix, in ascending
// key order (descending with Reverse()), decoding each value into a T. If fn
// returns ErrStop the iteration ends and List returns nil; any other error
// from fn or from decoding ends it and is returned. On a *Store the whole
// iteration sees one consistent snapshot.
func List[T any](ctx context.Context, r Reader, prefix Key, fn func(key Key, v T) error, opts ...ListOption) error {
	var lo listOptions
	for _, o := range opts {
		o(&lo)
	}
	err := r.iterate(ctx, prefix, lo, func(key Key, val []byte, enc byte) error {
		v, err := decode[T](key, val, enc)
		if err != nil {
			return err
		}
		return fn(key, v)
	})
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// Store implements Reader and Writer with one transaction per call.

func (s *Store) getRaw(ctx context.Context, key Key) (val []byte, enc byte, ok bool, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		var e error
		val, enc, ok, e = tx.getRaw(ctx, key)
		return e
	})
	return val, enc, ok, err
}

func (s *Store) iterate(ctx context.Context, prefix Key, o listOptions, fn func(Key, []byte, byte) error) error {
	return s.View(ctx, func(tx *Tx) error { return tx.iterate(ctx, prefix, o, fn) })
}

func (s *Store) setRaw(ctx context.Context, r record) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.setRaw(ctx, r) })
}

func (s *Store) deleteRaw(ctx context.Context, key Key) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.deleteRaw(ctx, key) })
}
