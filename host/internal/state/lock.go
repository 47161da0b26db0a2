package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Lock errors.
var (
	// ErrLocked is matched (errors.Is) by the *LockedError AcquireLock returns
	// when another live owner holds the lock.
	ErrLocked = errors.New("state: task is locked")
	// ErrLockLost is returned by release and RenewLock when the lease expired
	// and was taken over (or removed) before the call.
	ErrLockLost = errors.New("state: lock no longer held")
)

// LockedError describes who holds a lock. It matches ErrLocked.
type LockedError struct {
	Profile, Task string
	Owner         string    // owner given by the holder to AcquireLock
	Since         time.Time // when the holder acquired the lock
	ExpiresAt     time.Time // when the lease runs out unless renewed
}

// Error says which task is locked, by whom and since when.
func (e *LockedError) Error() string {
	return fmt.Sprintf("state: task %q of profile %q is locked by %q since %s (lease until %s)",
		e.Task, e.Profile, e.Owner, e.Since.Format(time.RFC3339), e.ExpiresAt.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// LockInfo is the public view of a held lock.
type LockInfo struct {
	Owner     string    `json:"owner"`
	Since     time.Time `json:"since"`
	Renewed   time.Time `json:"renewed"`
	ExpiresAt time.Time `json:"expires_at"`
}

// lockRecord is stored under lock/<profile>/<task>. Token identifies one
// acquisition, so a holder whose lease expired cannot release or renew the
// lease of the next holder.
type lockRecord struct {
	LockInfo
	Token string `json:"token"`
}

func (r lockRecord) live(now time.Time) bool { return now.Before(r.ExpiresAt) }

// AcquireLock takes the lease lock of task in profile for owner (a readable
// name such as "host-1/pid 4242") for ttl. The lock is not re-entrant: while
// any live lease exists, even one of the same owner, it fails with a
// *LockedError (errors.Is(err, ErrLocked)) naming the holder and since when.
// A lease that was not renewed within ttl counts as dead and is taken over,
// so a crashed process cannot block the task forever. Badger's TTL removes
// the record shortly after expiry.
//
// The returned release deletes the lock if this acquisition still holds it;
// it returns ErrLockLost if the lease had already expired and was taken, and
// nil on later calls. It keeps working after ctx is cancelled.
func (s *Store) AcquireLock(ctx context.Context, profile, task, owner string, ttl time.Duration) (release func() error, err error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("state: lock %q/%q: ttl must be positive, got %s", profile, task, ttl)
	}
	token, err := newToken()
	if err != nil {
		return nil, fmt.Errorf("state: lock %q/%q: %w", profile, task, err)
	}
	key := LockKey(profile, task)
	err = s.Update(ctx, func(tx *Tx) error {
		cur, ok, err := Get[lockRecord](ctx, tx, key)
		if err != nil {
			return err
		}
		now := time.Now()
		if ok && cur.live(now) {
			return &LockedError{Profile: profile, Task: task, Owner: cur.Owner, Since: cur.Since, ExpiresAt: cur.ExpiresAt}
		}
		rec := lockRecord{LockInfo: LockInfo{Owner: owner, Since: now, Renewed: now, ExpiresAt: now.Add(ttl)}, Token: token}
		return Put(ctx, tx, key, rec, WithExpiresAt(rec.ExpiresAt.Add(time.Second)))
	})
	if err != nil {
		return nil, err
	}
	var (
		mu       sync.Mutex
		released bool
	)
	release = func() error {
		mu.Lock()
		defer mu.Unlock()
		if released {
			return nil
		}
		released = true
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return s.releaseLock(rctx, profile, task, token)
	}
	return release, nil
}

func (s *Store) releaseLock(ctx context.Context, profile, task, token string) error {
	key := LockKey(profile, task)
	return s.Update(ctx, func(tx *Tx) error {
		cur, ok, err := Get[lockRecord](ctx, tx, key)
		if err != nil {
			return err
		}
		if !ok || cur.Token != token {
			return fmt.Errorf("release lock %q/%q: %w", profile, task, ErrLockLost)
		}
		return Delete(ctx, tx, key)
	})
}

// RenewLock extends the live lease of task in profile held by owner to ttl
// from now. It returns ErrLockLost when no live lease of that owner exists
// (it expired, was released, or another owner holds it). Give each run a
// distinct owner name when renewals must not be confused between runs.
func (s *Store) RenewLock(ctx context.Context, profile, task, owner string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("state: renew lock %q/%q: ttl must be positive, got %s", profile, task, ttl)
	}
	key := LockKey(profile, task)
	return s.Update(ctx, func(tx *Tx) error {
		cur, ok, err := Get[lockRecord](ctx, tx, key)
		if err != nil {
			return err
		}
		now := time.Now()
		if !ok || !cur.live(now) || cur.Owner != owner {
			return fmt.Errorf("state: renew lock %q/%q for %q: %w", profile, task, owner, ErrLockLost)
		}
		cur.Renewed = now
		cur.ExpiresAt = now.Add(ttl)
		return Put(ctx, tx, key, cur, WithExpiresAt(cur.ExpiresAt.Add(time.Second)))
	})
}

// Lock reports the live lease of task in profile, if any (for diagnostics).
func (s *Store) Lock(ctx context.Context, profile, task string) (LockInfo, bool, error) {
	rec, ok, err := Get[lockRecord](ctx, s, LockKey(profile, task))
	if err != nil || !ok || !rec.live(time.Now()) {
		return LockInfo{}, false, err
	}
	return rec.LockInfo, true, nil
}

func newToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
