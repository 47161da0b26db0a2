package state

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/hashicorp/go-hclog"
)

// Defaults for Options fields left at their zero value.
const (
	DefaultGCInterval = 5 * time.Minute
	// DefaultPageReleaseInterval is how often the pages of Badger's mapped files are given back
	// to the kernel while the store is in use (see releaseMappedPages). Between two releases the
	// process's resident file-backed size is checked every pageCheckInterval, and grown by
	// pageReleaseGrowth it is given back at once: a compaction reads and writes tables of
	// several MiB within a tenth of a second, each page resident until given back.
	DefaultPageReleaseInterval = 100 * time.Millisecond
	pageCheckInterval          = 10 * time.Millisecond
	pageReleaseGrowth          = 1 << 20
	// pagesAfterIdle is how long pages are still given back after the last transaction.
	pagesAfterIdle        = time.Minute
	DefaultMaxTxnAttempts = 32
	gcDiscardRatio        = 0.5
	gcMaxRewritesPerRound = 64
)

// Badger's sizes for a small machine (a webshop's host may be a 1 GB VPS or an office PC).
// Badger holds NumMemtables memtables of about 1.3 × MemTableSize each (the skiplist arena)
// and the table-index cache: about 15 MiB however long the history grows. Flushing a memtable
// builds its level-0 table in memory first, and a compaction builds several tables of
// BaseTableSize at once, so both are small. The tables are stored uncompressed: the builder
// then keeps one copy of each block instead of two, and Badger reads blocks straight from the
// mapped files, so it needs no block cache (their pages are given back to the kernel, see
// pagesLoop). Badger's own defaults (5 × 64 MiB memtables, 256 MiB block cache, every table
// index in memory, Snappy) are meant for servers with gigabytes to spare. docs/operations.md
// ("Memory and a long history") states these figures.
const (
	badgerMemTableSize            = 4 << 20
	badgerNumMemtables            = 2
	badgerNumLevelZeroTables      = 3
	badgerNumLevelZeroTablesStall = 10
	badgerBaseTableSize           = 1 << 20
	badgerBlockCacheSize          = 0
	badgerIndexCacheSize          = 4 << 20
	badgerValueLogFileSize        = 64 << 20
	// badgerValueThreshold: values this large or larger go to the value log, smaller ones
	// stay in the tables. Badger refuses a threshold above 15 % of MemTableSize (its largest
	// write batch); koppel's records are far smaller, the final run record is the exception.
	badgerValueThreshold = 64 << 10
	// An in-memory store (tests) has no value log, so every value must stay under the
	// threshold: its memtable is as large as it was before, for the 1 MiB threshold.
	badgerInMemoryMemTableSize = 8 << 20
	badgerInMemoryValueThresh  = 1 << 20
)

// Errors returned by the store.
var (
	// ErrClosed is returned by every operation on a Store after Close.
	ErrClosed = errors.New("state: store is closed")
	// ErrBusy is returned by operations started while Restore replaces the data.
	ErrBusy = errors.New("state: store is busy restoring a backup")
)

// Options configures Open. The zero value is usable: on-disk, synchronous
// writes, value-log GC every DefaultGCInterval, logs discarded.
type Options struct {
	// Logger receives the store's own messages and Badger's warnings and
	// errors (Badger's info and debug output is dropped). Nil discards logs.
	Logger hclog.Logger
	// InMemory keeps everything in memory (dir is ignored); for tests.
	InMemory bool
	// GCInterval is how often value-log GC runs; 0 means DefaultGCInterval,
	// a negative value disables the background GC goroutine.
	GCInterval time.Duration
	// PageReleaseInterval is how often the resident pages of the table, value-log and
	// memtable-log files Badger maps into the process are given back to the kernel (Linux 5.4 and later), so the
	// resident size does not grow with the state store; 0 means DefaultPageReleaseInterval, a
	// negative value turns it off. Between two releases the process's resident file-backed
	// size is checked every 10 ms (every interval when that is shorter), and a growth of 1 MiB
	// is given back at once.
	PageReleaseInterval time.Duration
	// NoSync turns off fsync after each commit. Faster, but a crash may lose
	// the last commits; only for tests and benchmarks.
	NoSync bool
	// MaxTxnAttempts bounds how often Update runs its function when commits
	// conflict; 0 means DefaultMaxTxnAttempts.
	MaxTxnAttempts int
}

// Store is the koppel host's state database: one Badger database per host.
// A Store is safe for concurrent use. Only one process may open a directory
// at a time (Badger takes a directory lock).
type Store struct {
	db     *badger.DB
	log    hclog.Logger
	dir    string
	inMem  bool
	maxTry int

	mu        sync.RWMutex // guards closed and restoring
	closed    bool
	restoring bool
	inflight  sync.WaitGroup

	stopGC    chan struct{}
	gcDone    chan struct{}
	pagesDone chan struct{}
	closeOnce sync.Once
	closeErr  error
	// borrowed marks a handle from Borrow: its Close leaves the database open.
	borrowed bool
	// counts are the transactions run through this handle.
	counts txnCounters
	// group writes the transactions that only wrote together (txn_group.go); shared by the
	// handles of one database.
	group *groupCommitter
}

// Borrow returns a second handle on the same open database for code that closes what it is
// given (a command the daemon runs for another koppel process): its Close waits for the
// operations started through it and then refuses new ones, but leaves the database and its GC
// to s. s must stay open while the handle is used.
func (s *Store) Borrow() *Store {
	done := make(chan struct{})
	close(done)
	return &Store{db: s.db, log: s.log, dir: s.dir, inMem: s.inMem, maxTry: s.maxTry, group: s.group,
		stopGC: make(chan struct{}), gcDone: done, pagesDone: done, borrowed: true}
}

// Open opens (creating if needed) the state database in dir and starts the
// background value-log GC. The caller must Close the Store. The directory is
// forced to mode 0700 and every file in it to 0600, whatever modes it had
// before and whatever the umask is; Open checks again after Badger created its
// files, and each GC round and Close check once more.
func Open(ctx context.Context, dir string, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("state: open: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if !opts.InMemory {
		if dir == "" {
			return nil, errors.New("state: open: no directory given (state_dir)")
		}
		if err := os.MkdirAll(dir, DirMode); err != nil {
			return nil, fmt.Errorf("state: open: create %s: %w", dir, err)
		}
		// A state_dir that existed with looser modes (0755, files 0644) is tightened before
		// Badger reads it and again after Badger created its files.
		if err := restrict(dir); err != nil {
			return nil, err
		}
	} else {
		dir = ""
	}
	bo := badger.DefaultOptions(dir).
		WithInMemory(opts.InMemory).
		WithSyncWrites(!opts.NoSync && !opts.InMemory).
		WithLogger(badgerLogger{log.Named("badger")}).
		WithMetricsEnabled(false).
		// Sized for a small machine (see docs/operations.md, "Memory and a long history"): the
		// host's state is small records (cursors, mappings, one record per
		// booked order, run history), so the memory Badger holds is bounded
		// by these numbers, not by the size of the history.
		WithMemTableSize(badgerMemTableSize).
		WithNumMemtables(badgerNumMemtables).
		WithNumLevelZeroTables(badgerNumLevelZeroTables).
		WithNumLevelZeroTablesStall(badgerNumLevelZeroTablesStall).
		WithBaseTableSize(badgerBaseTableSize).
		WithBlockCacheSize(badgerBlockCacheSize).
		WithIndexCacheSize(badgerIndexCacheSize).
		WithValueLogFileSize(badgerValueLogFileSize).
		WithValueThreshold(badgerValueThreshold).
		WithNumVersionsToKeep(1).
		WithNumCompactors(2).
		WithCompression(options.None) // uncompressed: see the sizes above
	if opts.InMemory {
		bo = bo.WithMemTableSize(badgerInMemoryMemTableSize).WithValueThreshold(badgerInMemoryValueThresh)
	}
	db, err := badger.Open(bo)
	if err != nil {
		if opts.InMemory {
			return nil, fmt.Errorf("state: open in-memory store: %w", err)
		}
		if strings.Contains(err.Error(), "directory lock") {
			return nil, fmt.Errorf("state: open %s (is another koppel process using this state_dir?): %w", dir, err)
		}
		return nil, fmt.Errorf("state: open %s: %w", dir, err)
	}
	if !opts.InMemory {
		if err := restrict(dir); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	s := &Store{
		db:        db,
		log:       log,
		dir:       dir,
		inMem:     opts.InMemory,
		maxTry:    opts.MaxTxnAttempts,
		stopGC:    make(chan struct{}),
		gcDone:    make(chan struct{}),
		pagesDone: make(chan struct{}),
		group:     &groupCommitter{},
	}
	if s.maxTry <= 0 {
		s.maxTry = DefaultMaxTxnAttempts
	}
	s.startLoop(s.gcDone, opts.GCInterval, DefaultGCInterval, s.gcLoop)
	s.startLoop(s.pagesDone, opts.PageReleaseInterval, DefaultPageReleaseInterval, s.pagesLoop)
	return s, nil
}

// startLoop runs loop in the background every interval (def when interval is 0); loop closes
// done when it ends. For an in-memory store or a negative interval nothing runs and done is
// closed at once.
func (s *Store) startLoop(done chan struct{}, interval, def time.Duration, loop func(time.Duration)) {
	if interval == 0 {
		interval = def
	}
	if s.inMem || interval < 0 {
		close(done)
		return
	}
	go loop(interval)
}

// Close waits for running operations, stops the GC goroutine and closes the
// database. It is safe to call more than once; later calls return the first
// result. Operations started after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stopGC)
		<-s.gcDone
		<-s.pagesDone
		s.inflight.Wait()
		if s.borrowed {
			return
		}
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("state: close: %w", err)
		}
		if !s.inMem {
			if err := restrict(s.dir); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}

// enter registers an operation; it fails once the store is closed or while a
// restore runs. Every successful enter must be paired with s.inflight.Done().
func (s *Store) enter() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.restoring:
		return ErrBusy
	}
	s.inflight.Add(1)
	return nil
}

func (s *Store) leave() { s.inflight.Done() }

// gcLoop runs value-log GC every interval (jittered by up to ±10% so hosts
// started together do not GC in step) until Close.
func (s *Store) gcLoop(interval time.Duration) {
	defer close(s.gcDone)
	for {
		jitter := time.Duration(rand.Int64N(int64(interval)/5+1)) - interval/10
		t := time.NewTimer(interval + jitter)
		select {
		case <-s.stopGC:
			t.Stop()
			return
		case <-t.C:
		}
		if _, err := s.runGC(s.stopGC); err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrBusy) {
			s.log.Warn("value-log GC failed", "error", err)
		}
		if !s.inMem {
			if err := restrict(s.dir); err != nil {
				s.log.Warn("could not restrict the state directory's permissions", "error", err)
			}
		}
	}
}

// pagesLoop gives the resident pages of Badger's mapped files back to the kernel every
// interval until Close, and at once when the process's resident file-backed pages grew by
// pageReleaseGrowth since the last release (checked every pageCheckInterval: one read of
// /proc/self/statm; a compaction reads its input tables and writes its output through the
// mappings faster than any fixed interval gives them back). It ends early, with one warning,
// where the kernel cannot do it.
func (s *Store) pagesLoop(interval time.Duration) {
	defer close(s.pagesDone)
	dir, err := filepath.Abs(s.dir)
	if err == nil {
		// /proc/self/maps names the files by their real path.
		dir, err = filepath.EvalSymlinks(dir)
	}
	if err != nil {
		s.log.Warn("the state files' mapped pages are left to the kernel", "error", err)
		return
	}
	t := time.NewTicker(min(interval, pageCheckInterval))
	defer t.Stop()
	// An idle store (a daemon between runs) is left alone: the pages are given back while
	// transactions come in and for pagesAfterIdle longer, while Badger's compactions finish.
	var last int64 = -1
	var idleSince, released time.Time
	var residentAfter int64
	for {
		select {
		case <-s.stopGC:
			return
		case <-t.C:
		}
		c := s.TxnCounts()
		if n := c.Commits + c.Views; n != last {
			last, idleSince = n, time.Now()
		} else if time.Since(idleSince) > pagesAfterIdle {
			continue
		}
		resident, ok := residentFileBytes()
		if time.Since(released) < interval && (!ok || resident-residentAfter < pageReleaseGrowth) {
			continue
		}
		if _, err := releaseMappedPages(dir); err != nil {
			s.log.Warn("the state files' mapped pages are left to the kernel", "error", err)
			return
		}
		released = time.Now()
		if after, ok := residentFileBytes(); ok {
			residentAfter = after
		}
	}
}

// RunGC runs value-log garbage collection now, rewriting files until Badger
// reports nothing left to rewrite, and returns how many files it rewrote. It
// is a no-op for in-memory stores.
func (s *Store) RunGC(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("state: gc: %w", err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			close(stop)
		case <-done:
		}
	}()
	return s.runGC(stop)
}

func (s *Store) runGC(stop <-chan struct{}) (int, error) {
	if s.inMem {
		return 0, nil
	}
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()
	n := 0
	for n < gcMaxRewritesPerRound {
		select {
		case <-stop:
			return n, nil
		default:
		}
		err := s.db.RunValueLogGC(gcDiscardRatio)
		switch {
		case err == nil:
			n++
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			if n > 0 {
				s.log.Debug("value-log GC rewrote files", "files", n)
			}
			return n, nil
		default:
			return n, fmt.Errorf("state: value-log GC: %w", err)
		}
	}
	return n, nil
}

// badgerLogger routes Badger's log output to hclog at warn level and above.
type badgerLogger struct{ l hclog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)))
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
