package state

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
)

// Transactions that only write, committed at the same moment from many goroutines on a store
// with synchronous writes, are written together (fewer Badger writes than commits), each
// whole: after a reopen every record and every delete of every transaction is there.
func TestBlindTransactionsAreWrittenInGroups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	for w := 0; w < workers; w++ { // records the transactions below delete
		for i := 0; i < each; i++ {
			if err := Put(ctx, s, OrderKey("p", fmt.Sprintf("old-%d-%d", w, i)), orderRec{Invoice: "old"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := s.TxnCounts()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := s.Update(ctx, func(tx *Tx) error {
					if err := tx.Put(OrderKey("p", fmt.Sprintf("%d-%d", w, i)), orderRec{Invoice: strconv.Itoa(i)}); err != nil {
						return err
					}
					if err := tx.Put(CursorKey("p", fmt.Sprintf("w%d", w)), orderRec{Invoice: strconv.Itoa(i)}); err != nil {
						return err
					}
					return tx.Delete(OrderKey("p", fmt.Sprintf("old-%d-%d", w, i)))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	after := s.TxnCounts()
	commits, writes := after.Commits-before.Commits, after.Writes-before.Writes
	if commits != workers*each {
		t.Fatalf("%d commits, want %d", commits, workers*each)
	}
	if writes >= commits || writes == 0 {
		t.Fatalf("%d Badger writes for %d concurrent blind commits: none were grouped", writes, commits)
	}
	t.Logf("%d commits in %d writes", commits, writes)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir)
	defer s.Close()
	got := dump(t, s)
	if len(got) != workers*each+workers {
		t.Fatalf("%d records after reopen, want %d", len(got), workers*each+workers)
	}
	for w := 0; w < workers; w++ {
		if v := got[CursorKey("p", fmt.Sprintf("w%d", w))]; v != fmt.Sprintf(`{"invoice":"%d","total":"0"}`, each-1) {
			t.Fatalf("cursor of worker %d = %s: the last write of a worker must win", w, v)
		}
	}
}

// A transaction that reads commits on its own with conflict detection, also while blind
// transactions are being written in groups: read-modify-write increments stay exact.
func TestReadingTransactionsStillConflict(t *testing.T) {
	ctx := context.Background()
	s := memStore(t, func(o *Options) { o.MaxTxnAttempts = 1000 })
	key := CursorKey("p", "counter")
	var wg sync.WaitGroup
	const incrementers, each = 4, 50
	for w := 0; w < incrementers; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				err := s.Update(ctx, func(tx *Tx) error {
					var n int
					if _, err := tx.Get(key, &n); err != nil {
						return err
					}
					return tx.Put(key, n+1)
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() { // blind writes beside them
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := Put(ctx, s, OrderKey("p", fmt.Sprintf("b%d-%d", w, i)), i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n, _, err := Get[int](ctx, s, key)
	if err != nil || n != incrementers*each {
		t.Fatalf("counter = %d (%v), want %d: an increment was lost", n, err, incrementers*each)
	}
}

// A transaction whose function fails writes nothing, in or out of a group; one that wrote
// nothing is no commit.
func TestFailedAndEmptyTransactions(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.Put(OrderKey("p", "x"), 1); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if err := s.Update(ctx, func(tx *Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if c := s.TxnCounts(); c.Commits != 0 || c.Writes != 0 {
		t.Fatalf("counts %+v after a failed and an empty transaction", c)
	}
	if got := dump(t, s); len(got) != 0 {
		t.Fatalf("records %v", got)
	}
}

// Transactions whose function fails, committed at the same moment as blind ones that succeed
// and are written in groups, take none of those down: every succeeding transaction returns
// nil and is there after a reopen, and nothing of a failed one is.
func TestFailedTransactionBesideAGroup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				fail := (w+i)%2 == 0
				err := s.Update(ctx, func(tx *Tx) error {
					if err := tx.Put(OrderKey("p", fmt.Sprintf("%d-%d", w, i)), orderRec{Invoice: strconv.Itoa(i)}); err != nil {
						return err
					}
					if fail {
						return boom
					}
					return nil
				})
				if fail && !errors.Is(err, boom) {
					t.Errorf("failing transaction %d-%d: err = %v, want boom", w, i, err)
				}
				if !fail && err != nil {
					t.Errorf("transaction %d-%d beside failing ones: %v", w, i, err)
				}
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if c := s.TxnCounts(); c.Commits != workers*each/2 {
		t.Fatalf("%d commits, want %d (only the succeeding transactions)", c.Commits, workers*each/2)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir)
	defer s.Close()
	got := dump(t, s)
	if len(got) != workers*each/2 {
		t.Fatalf("%d records after reopen, want %d", len(got), workers*each/2)
	}
	for w := 0; w < workers; w++ {
		for i := 0; i < each; i++ {
			_, ok := got[OrderKey("p", fmt.Sprintf("%d-%d", w, i))]
			if fail := (w+i)%2 == 0; ok == fail {
				t.Fatalf("record %d-%d present=%v after reopen, its transaction failed=%v", w, i, ok, fail)
			}
		}
	}
}
