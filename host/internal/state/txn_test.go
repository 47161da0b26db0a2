package state

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestUpdateRetriesConflicts(t *testing.T) {
	ctx := context.Background()
	s := memStore(t)
	key := ScheduleKey("p", "counter")
	var attempts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				err := s.Update(ctx, func(tx *Tx) error {
					attempts.Add(1)
					n, _, err := Get[int](ctx, tx, key)
					if err != nil {
						return err
					}
					return Put(ctx, tx, key, n+1)
				})
				if err != nil {
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
	n, _, err := Get[int](ctx, s, key)
	if err != nil {
		t.Fatal(err)
	}
	if n != 400 {
		t.Fatalf("counter = %d, want exactly 400", n)
	}
	t.Logf("400 increments took %d attempts", attempts.Load())
}

// TestUpdateConflictBounded makes the first `interfere` attempts of an Update
// conflict by changing the key the transaction read before it commits.
func TestUpdateConflictBounded(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		maxTry     int
		interfere  int
		wantErr    bool
		wantCalls  int
		wantResult int
	}{
		{"retried then committed", 5, 2, false, 3, 1001},
		{"gives up", 3, 100, true, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := memStore(t, func(o *Options) { o.MaxTxnAttempts = tc.maxTry })
			key := CursorKey("p", "t")
			calls := 0
			err := s.Update(ctx, func(tx *Tx) error {
				calls++
				n, _, err := Get[int](ctx, tx, key)
				if err != nil {
					return err
				}
				if calls <= tc.interfere {
					// A concurrent writer changes the key after we read it.
					if err := Put(ctx, s, key, -calls); err != nil {
						return err
					}
				}
				return Put(ctx, tx, key, n+1001)
			})
			if calls != tc.wantCalls {
				t.Errorf("fn ran %d times, want %d", calls, tc.wantCalls)
			}
			if tc.wantErr {
				if !errors.Is(err, ErrConflict) {
					t.Fatalf("err = %v, want ErrConflict", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The last interfering write was -interfere; the retry read it.
			if n, _, _ := Get[int](ctx, s, key); n != -tc.interfere+1001 {
				t.Fatalf("value = %d, want %d", n, -tc.interfere+1001)
			}
		})
	}
}

func TestUpdateHonoursContext(t *testing.T) {
	s := memStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := s.Update(ctx, func(*Tx) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("cancelled Update: err=%v called=%v", err, called)
	}
	if _, _, err := Get[int](ctx, s, CursorKey("p", "t")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get: %v", err)
	}
}
