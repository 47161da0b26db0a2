package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLockExclusive races many would-be runs of one task and checks that no
// two are ever inside the critical section together.
func TestLockExclusive(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	const workers = 8
	var (
		inside, maxInside, acquired, refused atomic.Int64
		wg                                   sync.WaitGroup
	)
	errs := make(chan error, workers)
	deadline := time.Now().Add(300 * time.Millisecond)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("worker-%d", w)
			for time.Now().Before(deadline) {
				release, err := s.AcquireLock(ctx, "shop/a", "orders", owner, 5*time.Second)
				if errors.Is(err, ErrLocked) {
					refused.Add(1)
					time.Sleep(100 * time.Microsecond)
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				acquired.Add(1)
				n := inside.Add(1)
				for {
					m := maxInside.Load()
					if n <= m || maxInside.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(200 * time.Microsecond)
				inside.Add(-1)
				if err := release(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if maxInside.Load() != 1 {
		t.Fatalf("%d runs overlapped", maxInside.Load())
	}
	if acquired.Load() < 10 || refused.Load() == 0 {
		t.Fatalf("test did not exercise contention: acquired=%d refused=%d", acquired.Load(), refused.Load())
	}
	t.Logf("acquired %d times, refused %d times", acquired.Load(), refused.Load())
}

func TestLockHeldExpiryAndRelease(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)

	rel1, err := s.AcquireLock(ctx, "p", "orders", "host-1", 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// Another owner, and the same owner again, are refused with details.
	for _, owner := range []string{"host-2", "host-1"} {
		_, err := s.AcquireLock(ctx, "p", "orders", owner, time.Second)
		var le *LockedError
		if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
			t.Fatalf("second acquire by %s: %v", owner, err)
		}
		if le.Owner != "host-1" || time.Since(le.Since) > time.Second || !strings.Contains(err.Error(), `"host-1"`) {
			t.Fatalf("LockedError lacks holder details: %+v / %v", le, err)
		}
	}
	// Other tasks and other profiles are independent.
	for _, pt := range [][2]string{{"p", "stock"}, {"p/orders", "x"}, {"p/x", "orders"}} {
		rel, err := s.AcquireLock(ctx, pt[0], pt[1], "host-2", time.Second)
		if err != nil {
			t.Fatalf("lock %v blocked by lock p/orders: %v", pt, err)
		}
		if err := rel(); err != nil {
			t.Fatal(err)
		}
	}
	info, ok, err := s.Lock(ctx, "p", "orders")
	if err != nil || !ok || info.Owner != "host-1" {
		t.Fatalf("Lock info: %+v ok=%v err=%v", info, ok, err)
	}

	// The holder dies (never renews); after the ttl another owner takes over.
	time.Sleep(350 * time.Millisecond)
	rel2, err := s.AcquireLock(ctx, "p", "orders", "host-2", time.Second)
	if err != nil {
		t.Fatalf("acquire after expiry: %v", err)
	}
	// The dead holder's release must not free the new holder's lock.
	if err := rel1(); !errors.Is(err, ErrLockLost) {
		t.Fatalf("stale release: %v, want ErrLockLost", err)
	}
	if err := s.RenewLock(ctx, "p", "orders", "host-1", time.Second); !errors.Is(err, ErrLockLost) {
		t.Fatalf("stale renew: %v, want ErrLockLost", err)
	}
	if info, ok, _ := s.Lock(ctx, "p", "orders"); !ok || info.Owner != "host-2" {
		t.Fatalf("lock after stale release: %+v ok=%v", info, ok)
	}
	if err := rel2(); err != nil {
		t.Fatal(err)
	}
	if err := rel2(); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if _, ok, _ := s.Lock(ctx, "p", "orders"); ok {
		t.Fatal("lock still held after release")
	}
	if _, err := s.AcquireLock(ctx, "p", "orders", "x", 0); err == nil {
		t.Fatal("zero ttl accepted")
	}
}

func TestRenewLockKeepsLeaseAlive(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	// The lease is long against the pauses between renewals (a loaded CI machine may stretch a
	// pause several times), and the four pauses together outlast the original lease.
	const ttl = 2 * time.Second
	release, err := s.AcquireLock(ctx, "p", "t", "runner", ttl)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		time.Sleep(ttl * 3 / 10)
		if err := s.RenewLock(ctx, "p", "t", "runner", ttl); err != nil {
			t.Fatalf("renew %d: %v", i, err)
		}
	}
	// 2.4 s after acquiring, past the original lease, it is still held.
	if _, err := s.AcquireLock(ctx, "p", "t", "other", time.Second); !errors.Is(err, ErrLocked) {
		t.Fatalf("renewed lock was taken: %v", err)
	}
	if err := s.RenewLock(ctx, "p", "t", "other", time.Second); !errors.Is(err, ErrLockLost) {
		t.Fatalf("renew by non-holder: %v", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
}
