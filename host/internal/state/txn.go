package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Transaction errors.
var (
	// ErrConflict is returned (wrapped) by Update when every attempt's commit
	// conflicted with concurrent transactions.
	ErrConflict = errors.New("state: transaction conflict")
	// ErrReadOnly is returned when a Tx from View is used to write.
	ErrReadOnly = errors.New("state: write in a read-only transaction")
	// ErrTxDone is returned when a Tx is used after its function returned.
	ErrTxDone = errors.New("state: transaction already finished")
	// ErrTooBig is returned (wrapped) when one transaction holds more writes
	// than Badger accepts; split the work into several Updates.
	ErrTooBig = errors.New("state: transaction too big")
)

const (
	backoffBase = 200 * time.Microsecond
	backoffCap  = 20 * time.Millisecond
)

// Tx is a transaction handed to the function given to Update or View. It is
// valid only until that function returns and must not be shared between
// goroutines. It implements Reader (and Writer for Update), so the generic
// Get, Put, Delete and List work on it.
type Tx struct {
	txn      *badger.Txn
	writable bool
	done     atomic.Bool
	// read is set by every read; ops records the writes of a read-write transaction, so a
	// transaction that read nothing can be committed in a group (see txn_group.go).
	read bool
	ops  []blindOp
}

// Update runs fn in a read-write transaction and commits it. When the commit
// conflicts with a concurrent transaction (Badger's optimistic concurrency),
// fn is run again in a fresh transaction after a short jittered backoff, up
// to Options.MaxTxnAttempts times; fn must therefore have no effects outside
// the Tx. An error returned by fn aborts the transaction and is returned
// unchanged. When every attempt conflicts, the error wraps ErrConflict.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	for attempt := 1; ; attempt++ {
		err := s.attempt(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
		if attempt >= s.maxTry {
			return fmt.Errorf("state: update gave up after %d conflicting attempts: %w", attempt, ErrConflict)
		}
		d := backoffBase << min(attempt-1, 10)
		d = min(d, backoffCap)
		t := time.NewTimer(time.Duration(rand.Int64N(int64(d)) + 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("state: update retry: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// attempt runs fn once; a commit conflict is returned as badger.ErrConflict.
func (s *Store) attempt(fn func(tx *Tx) error) error {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	tx := &Tx{txn: txn, writable: true}
	err := fn(tx)
	tx.done.Store(true)
	if err != nil {
		return err
	}
	if len(tx.ops) == 0 {
		return nil // nothing to write
	}
	s.counts.commits.Add(1)
	if !tx.read && s.group != nil {
		// Wrote without reading: it cannot conflict, and is written with the other blind
		// transactions of the moment (one fsync for all).
		return s.commitBlind(tx.ops)
	}
	if err := txn.Commit(); err != nil {
		if errors.Is(err, badger.ErrConflict) {
			return badger.ErrConflict
		}
		return fmt.Errorf("state: commit: %w", err)
	}
	s.counts.writes.Add(1)
	return nil
}

// TxnCounts are a Store's transactions since Open, for "state transactions per order" figures.
type TxnCounts struct {
	// Commits counts the read-write transactions committed with at least one write (Update,
	// and Put or Delete on the Store).
	Commits int64
	// Writes counts the Badger transactions written to disk for them, each with an fsync under
	// synchronous writes: fewer than Commits when transactions that only wrote were written
	// together (see txn_group.go).
	Writes int64
	// Views counts the read-only transactions (View, and Get or List on the Store).
	Views int64
}

// txnCounters are the atomic counters behind TxnCounts.
type txnCounters struct{ commits, writes, views atomic.Int64 }

// TxnCounts returns the store's transaction counts since Open.
func (s *Store) TxnCounts() TxnCounts {
	return TxnCounts{Commits: s.counts.commits.Load(), Writes: s.counts.writes.Load(), Views: s.counts.views.Load()}
}

// View runs fn in a read-only transaction that sees one consistent snapshot.
// Writes through its Tx fail with ErrReadOnly.
func (s *Store) View(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	s.counts.views.Add(1)
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	tx := &Tx{txn: txn}
	defer tx.done.Store(true)
	return fn(tx)
}

// Get decodes the record at key into dst (a pointer) and reports whether it
// existed. It is the non-generic twin of the package-level Get.
func (tx *Tx) Get(key Key, dst any) (bool, error) {
	val, enc, ok, err := tx.getRaw(context.Background(), key)
	if err != nil || !ok {
		return false, err
	}
	if enc != encJSON {
		return false, fmt.Errorf("state: record %q has unknown encoding %d", string(key), enc)
	}
	if err := json.Unmarshal(val, dst); err != nil {
		return false, fmt.Errorf("state: decode %q: %w", string(key), err)
	}
	return true, nil
}

// Put stores v (JSON-encoded) at key within the transaction.
func (tx *Tx) Put(key Key, v any, opts ...PutOption) error {
	rec, err := newRecord(key, v, opts)
	if err != nil {
		return err
	}
	return tx.setRaw(context.Background(), rec)
}

// Delete removes the record at key within the transaction.
func (tx *Tx) Delete(key Key) error { return tx.deleteRaw(context.Background(), key) }

func (tx *Tx) usable(ctx context.Context) error {
	if tx.done.Load() {
		return ErrTxDone
	}
	return ctx.Err()
}

func (tx *Tx) getRaw(ctx context.Context, key Key) ([]byte, byte, bool, error) {
	if err := tx.usable(ctx); err != nil {
		return nil, 0, false, err
	}
	tx.read = true
	if err := checkKey(key); err != nil {
		return nil, 0, false, err
	}
	item, err := tx.txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("state: get %q: %w", string(key), err)
	}
	val, err := item.ValueCopy(nil)
	if err != nil {
		return nil, 0, false, fmt.Errorf("state: read %q: %w", string(key), err)
	}
	return val, item.UserMeta(), true, nil
}

func (tx *Tx) setRaw(ctx context.Context, r record) error {
	if err := tx.usable(ctx); err != nil {
		return err
	}
	if !tx.writable {
		return ErrReadOnly
	}
	if err := checkKey(r.key); err != nil {
		return err
	}
	if err := tx.txn.SetEntry(r.entry()); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("state: put %q: %w", string(r.key), ErrTooBig)
		}
		return fmt.Errorf("state: put %q: %w", string(r.key), err)
	}
	tx.ops = append(tx.ops, blindOp{rec: r})
	return nil
}

func (tx *Tx) deleteRaw(ctx context.Context, key Key) error {
	if err := tx.usable(ctx); err != nil {
		return err
	}
	if !tx.writable {
		return ErrReadOnly
	}
	if err := checkKey(key); err != nil {
		return err
	}
	if err := tx.txn.Delete([]byte(key)); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("state: delete %q: %w", string(key), ErrTooBig)
		}
		return fmt.Errorf("state: delete %q: %w", string(key), err)
	}
	tx.ops = append(tx.ops, blindOp{rec: record{key: key}, del: true})
	return nil
}

// iterate walks the keys under prefix in order and hands each value (a copy,
// with its encoding byte) to fn.
func (tx *Tx) iterate(ctx context.Context, prefix Key, o listOptions, fn func(Key, []byte, byte) error) error {
	if err := tx.usable(ctx); err != nil {
		return err
	}
	tx.read = true
	p := []byte(prefix)
	io := badger.DefaultIteratorOptions
	io.Reverse = o.reverse
	if o.limit > 0 && o.limit < io.PrefetchSize {
		io.PrefetchSize = o.limit
	}
	if !o.reverse {
		io.Prefix = p
	}
	it := tx.txn.NewIterator(io)
	defer it.Close()
	seekStart(it, p, o.reverse)
	n := 0
	for ; it.ValidForPrefix(p); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		item := it.Item()
		key := Key(item.KeyCopy(nil))
		val, err := item.ValueCopy(nil)
		if err != nil {
			return fmt.Errorf("state: read %q: %w", string(key), err)
		}
		if err := fn(key, val, item.UserMeta()); err != nil {
			return err
		}
		n++
		if o.limit > 0 && n >= o.limit {
			return nil
		}
	}
	return nil
}

// iterateKeys walks the keys under prefix without reading values.
func (tx *Tx) iterateKeys(ctx context.Context, prefix Key, fn func(key []byte) error) error {
	if err := tx.usable(ctx); err != nil {
		return err
	}
	tx.read = true
	p := []byte(prefix)
	io := badger.DefaultIteratorOptions
	io.PrefetchValues = false
	io.Prefix = p
	it := tx.txn.NewIterator(io)
	defer it.Close()
	for it.Seek(p); it.ValidForPrefix(p); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(it.Item().KeyCopy(nil)); err != nil {
			return err
		}
	}
	return nil
}

// seekStart positions it on the first key of the prefix range in iteration
// order. A reverse iterator seeks to the prefix's successor, the smallest key
// greater than every key carrying the prefix, and steps over that key itself.
func seekStart(it *badger.Iterator, p []byte, reverse bool) {
	if !reverse {
		it.Seek(p)
		return
	}
	succ := successor(p)
	if succ == nil {
		it.Rewind()
		return
	}
	it.Seek(succ)
	if it.Valid() && !bytes.HasPrefix(it.Item().Key(), p) {
		it.Next()
	}
}

// successor returns the smallest byte string greater than every string with
// prefix p, or nil when there is none (p empty or all 0xFF).
func successor(p []byte) []byte {
	s := bytes.Clone(p)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] < 0xFF {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}
