package state

import (
	"context"
	"testing"
)

// memStore opens an in-memory store closed at the end of the test.
func memStore(t testing.TB, opts ...func(*Options)) *Store {
	t.Helper()
	o := Options{InMemory: true}
	for _, f := range opts {
		f(&o)
	}
	s, err := Open(context.Background(), "", o)
	if err != nil {
		t.Fatalf("open in-memory store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// diskStore opens a store in dir (without fsync, for speed).
func diskStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	return s
}

// dump returns every live record as key -> raw JSON.
func dump(t testing.TB, s *Store) map[Key]string {
	t.Helper()
	out := map[Key]string{}
	err := s.View(context.Background(), func(tx *Tx) error {
		return tx.iterate(context.Background(), "", listOptions{}, func(k Key, v []byte, enc byte) error {
			out[k] = string(v)
			return nil
		})
	})
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	return out
}
