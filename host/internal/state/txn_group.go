package state

// Group commit of blind writes.
//
// Badger with synchronous writes syncs its write-ahead log once per committed transaction, also
// when several transactions commit at the same moment, so each Update costs an fsync (1 to 4 ms
// on an ordinary disk) and concurrent writers queue behind each other's fsyncs. An Update whose
// function only wrote (a Put, a Delete, the intent before a create, the outcome after it) and
// read nothing cannot conflict with anything: such "blind" transactions that arrive while
// another group is being written are collected and written together in one Badger transaction,
// one fsync for all. Each caller's Update still returns only once its own writes are durable,
// each caller's writes stay all-or-nothing, and the writes of one group are applied in the order
// their Updates finished, as separate commits would have been. A transaction that read anything
// commits on its own, with Badger's conflict detection, as before.

import (
	"errors"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"
)

// Limits of one group transaction, well inside Badger's batch limits (15 % of the memtable).
const (
	groupMaxOps   = 512
	groupMaxBytes = 512 << 10
)

// blindOp is one write of a transaction, recorded to be written again in a group.
type blindOp struct {
	rec record // the record to set, or, when del is set, only its key
	del bool
}

func (o blindOp) size() int { return len(o.rec.key) + len(o.rec.val) + 16 }

// groupCommitter gathers blind transactions. One caller at a time (the leader) writes the
// group waiting at that moment; the callers arriving meanwhile wait and form the next group,
// whose first caller becomes the next leader.
type groupCommitter struct {
	mu      sync.Mutex
	queue   []*pendingCommit
	leading bool
}

// pendingCommit is one blind transaction waiting for its group.
type pendingCommit struct {
	ops  []blindOp
	err  error
	done chan struct{} // closed when the ops are written (err set)
	lead chan struct{} // closed when this caller is to write the next group
}

// commitBlind writes ops (one transaction's writes) in a group and returns once they are
// committed, or the commit's error.
func (s *Store) commitBlind(ops []blindOp) error {
	g := s.group
	p := &pendingCommit{ops: ops, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	if g.leading {
		g.mu.Unlock()
		select {
		case <-p.done:
			return p.err
		case <-p.lead:
		}
		g.mu.Lock()
	} else {
		g.leading = true
	}
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()

	s.writeGroup(batch)

	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return p.err
}

// writeGroup commits batch in as few Badger transactions as the limits allow, each pending
// transaction whole in one of them, and tells every caller its result.
func (s *Store) writeGroup(batch []*pendingCommit) {
	for len(batch) > 0 {
		n, ops, bytes := 0, 0, 0
		for n < len(batch) {
			o, b := len(batch[n].ops), 0
			for _, op := range batch[n].ops {
				b += op.size()
			}
			if n > 0 && (ops+o > groupMaxOps || bytes+b > groupMaxBytes) {
				break
			}
			n, ops, bytes = n+1, ops+o, bytes+b
		}
		err := s.writeTxn(batch[:n])
		if errors.Is(err, badger.ErrTxnTooBig) && n > 1 {
			// The estimate was short: write each transaction of the group on its own.
			for _, p := range batch[:n] {
				s.finish([]*pendingCommit{p}, s.writeTxn([]*pendingCommit{p}))
			}
		} else {
			s.finish(batch[:n], err)
		}
		batch = batch[n:]
	}
}

// finish hands err to every transaction of a written group.
func (s *Store) finish(ps []*pendingCommit, err error) {
	if errors.Is(err, badger.ErrTxnTooBig) {
		err = fmt.Errorf("state: commit: %w", ErrTooBig)
	} else if err != nil {
		err = fmt.Errorf("state: commit: %w", err)
	}
	for _, p := range ps {
		p.err = err
		close(p.done)
	}
}

// writeTxn writes the ops of ps in one Badger transaction.
func (s *Store) writeTxn(ps []*pendingCommit) error {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	for _, p := range ps {
		for _, op := range p.ops {
			var err error
			if op.del {
				err = txn.Delete([]byte(op.rec.key))
			} else {
				err = txn.SetEntry(op.rec.entry())
			}
			if err != nil {
				return err
			}
		}
	}
	if err := txn.Commit(); err != nil {
		return err
	}
	s.counts.writes.Add(1)
	return nil
}
