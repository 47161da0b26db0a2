// Package callbudget keeps an API's call limits ("at most N calls started in any sliding
// minute, M in any sliding hour") for every process that calls the same account.
//
// A Budget is a sliding-window log of call starts. With a path it lives in a small file
// (little-endian Unix nanoseconds, one per call start, pruned to the longest window) guarded by
// an exclusive file lock: every profile, plugin process and back-to-back run that opens the
// same path shares one window, and the window survives a restart. Without a path it lives in
// memory and counts for its own users only.
//
// Each window is kept with a margin of one sixtieth of its period (1 s a minute): a call is
// recorded just before it is sent, and the server counts it a little later; the margin keeps
// unequal network delays from making two windows' worth of calls look like one to the server.
package callbudget

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// DirEnv is the environment variable through which the host tells a plugin process the
// directory its call budgets are kept in (under the host's state directory). A plugin that
// finds it unset keeps its budgets in memory.
const DirEnv = "KOPPEL_PLUGIN_LIMITS_DIR"

// Window is one limit: at most Limit calls started in any sliding Period. A Limit or Period
// of zero or less switches the window off.
type Window struct {
	Limit  int
	Period time.Duration
}

// Budget is a shared sliding-window log of call starts. It is safe for concurrent use.
type Budget struct {
	windows []Window
	path    string
	now     func() time.Time
	// started, when set (tests), is told every recorded start.
	started func(int64)
	// onWait, when set, is told every wait before it begins (see OnWait).
	onWait func(Window, time.Duration)

	mu  sync.Mutex
	log []int64 // in-memory log when path is ""
}

// New returns a Budget for windows. path names the file the log is kept in (its directory is
// created when missing); "" keeps the log in memory. Windows that are off are dropped.
func New(path string, windows ...Window) *Budget {
	b := &Budget{path: path, now: time.Now}
	for _, w := range windows {
		if w.Limit > 0 && w.Period > 0 {
			b.windows = append(b.windows, w)
		}
	}
	return b
}

// OnWait sets f to be told, before every wait of Wait begins, the window that is full (the one
// whose room comes last) and how long the wait is, so a caller can say why its calls pause (an
// hourly limit can hold calls back for most of an hour). A wait that ends with another caller
// taking the room is followed by a new wait, told again. Set it before the first Wait; f is
// called without any lock held and must return quickly. OnWait returns b.
func (b *Budget) OnWait(f func(w Window, wait time.Duration)) *Budget {
	b.onWait = f
	return b
}

// Wait blocks until a call may start without breaking any window, records the start and
// returns nil; or returns ctx's error when ctx ends first, or an error when the log file cannot
// be used.
func (b *Budget) Wait(ctx context.Context) error {
	if len(b.windows) == 0 {
		return nil
	}
	for {
		wait, full, err := b.take()
		if err != nil {
			return err
		}
		if wait <= 0 {
			return nil
		}
		if b.onWait != nil {
			b.onWait(full, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// take records a start and returns 0 when every window has room, else how long to wait before
// trying again (recording nothing) and the window that needs the longest wait.
func (b *Budget) take() (time.Duration, Window, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.path == "" {
		var wait time.Duration
		var full Window
		b.log, wait, full = b.admit(b.log, b.now().UnixNano())
		return wait, full, nil
	}
	if err := os.MkdirAll(filepath.Dir(b.path), 0o700); err != nil {
		return 0, Window{}, fmt.Errorf("call budget: create its directory: %w", err)
	}
	lock := flock.New(b.path + ".lock")
	if err := lock.Lock(); err != nil {
		return 0, Window{}, fmt.Errorf("call budget: lock %s: %w", filepath.Base(b.path), err)
	}
	defer func() { _ = lock.Unlock() }()
	raw, err := os.ReadFile(b.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, Window{}, fmt.Errorf("call budget: read %s: %w", filepath.Base(b.path), err)
	}
	log := decode(raw)
	before := len(log)
	log, wait, full := b.admit(log, b.now().UnixNano())
	if wait > 0 && len(log) == before {
		return wait, full, nil
	}
	if err := os.WriteFile(b.path, encode(log), 0o600); err != nil {
		return 0, Window{}, fmt.Errorf("call budget: write %s: %w", filepath.Base(b.path), err)
	}
	return wait, full, nil
}

// admit prunes log (sorted starts) to the longest window, and appends now when every window has
// room. It returns the new log and 0, or the log, how long until every window has room and the
// window that needs that long.
func (b *Budget) admit(log []int64, now int64) ([]int64, time.Duration, Window) {
	var longest time.Duration
	for _, w := range b.windows {
		if p := span(w); p > longest {
			longest = p
		}
	}
	// Drop what left the longest window, and what lies in the future (a clock that jumped
	// back, a damaged file): such an entry would block the budget for good.
	cut := now - int64(longest)
	kept := log[:0]
	for _, t := range log {
		if t > cut && t <= now+int64(time.Minute) {
			kept = append(kept, t)
		}
	}
	log = kept
	var wait time.Duration
	var full Window
	for _, w := range b.windows {
		from := now - int64(span(w))
		i := sort.Search(len(log), func(i int) bool { return log[i] > from })
		if n := len(log) - i; n >= w.Limit {
			// Room comes when the oldest starts that fill the window leave it.
			oldest := log[len(log)-w.Limit]
			if d := time.Duration(oldest + int64(span(w)) - now); d > wait {
				wait, full = d, w
			}
		}
	}
	if wait > 0 {
		return log, wait, full
	}
	if b.started != nil {
		b.started(now)
	}
	return append(log, now), 0, Window{}
}

// span is the window's period with the delay margin.
func span(w Window) time.Duration { return w.Period + w.Period/60 }

func decode(raw []byte) []int64 {
	n := len(raw) / 8
	log := make([]int64, 0, n+1)
	for i := 0; i < n; i++ {
		log = append(log, int64(binary.LittleEndian.Uint64(raw[i*8:])))
	}
	sort.Slice(log, func(i, j int) bool { return log[i] < log[j] })
	return log
}

func encode(log []int64) []byte {
	out := make([]byte, 8*len(log))
	for i, t := range log {
		binary.LittleEndian.PutUint64(out[i*8:], uint64(t))
	}
	return out
}

// Path returns the file, in dir, of the budget of the account named by keys (for example a
// base URL, a subscription key and a client key): name, a dash and the first 24 hex digits of
// the SHA-256 of the keys, so the file name never reveals a key. An empty dir gives "" (a
// budget in memory).
func Path(dir, name string, keys ...string) string {
	if dir == "" {
		return ""
	}
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return filepath.Join(dir, name+"-"+hex.EncodeToString(h.Sum(nil))[:24]+".budget")
}
