package state

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{}) // synchronous writes, default GC
	if err != nil {
		t.Fatal(err)
	}
	must(t, Put(ctx, s, CursorKey("p/1", "orders"), "cursor-1"))
	must(t, Put(ctx, s, MapKey("p/1", MapArticle, "SKU/1"), 42))
	must(t, s.Close())
	must(t, s.Close()) // idempotent

	s, err = Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, ok, err := Get[string](ctx, s, CursorKey("p/1", "orders")); err != nil || !ok || v != "cursor-1" {
		t.Fatalf("cursor after reopen: %q ok=%v err=%v", v, ok, err)
	}
	if v, ok, _ := Get[int](ctx, s, MapKey("p/1", MapArticle, "SKU/1")); !ok || v != 42 {
		t.Fatalf("mapping after reopen: %d ok=%v", v, ok)
	}
}

// TestLargeValues: a record past the value threshold (the final run record with its 5,000
// outcomes is about 1 MiB) is stored and read back, on disk (through the value log) and in
// memory, also after reopening.
func TestLargeValues(t *testing.T) {
	ctx := context.Background()
	big := strings.Repeat("uitkomst ", 2<<20/9) // 2 MiB
	for _, inMem := range []bool{false, true} {
		dir := t.TempDir()
		s, err := Open(ctx, dir, Options{InMemory: inMem, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{badgerValueThreshold - 100, badgerValueThreshold + 1, 900 << 10} {
			must(t, Put(ctx, s, RunKey("p", time.Unix(int64(n), 0)), big[:n]))
		}
		if !inMem {
			must(t, s.Close())
			if s, err = Open(ctx, dir, Options{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range []int{badgerValueThreshold - 100, badgerValueThreshold + 1, 900 << 10} {
			v, ok, err := Get[string](ctx, s, RunKey("p", time.Unix(int64(n), 0)))
			if err != nil || !ok || v != big[:n] {
				t.Fatalf("in memory %v: value of %d bytes read back as %d bytes, ok=%v err=%v", inMem, n, len(v), ok, err)
			}
		}
		must(t, s.Close())
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "", Options{}); err == nil {
		t.Fatal("Open without dir succeeded")
	}
	dir := t.TempDir()
	s := diskStore(t, dir)
	defer s.Close()
	// Badger's directory lock keeps a second opener out.
	if s2, err := Open(ctx, dir, Options{}); err == nil {
		s2.Close()
		t.Fatal("second Open of the same dir succeeded")
	} else if !strings.Contains(err.Error(), "another koppel process") {
		t.Fatalf("second Open error does not explain: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cancelled, t.TempDir(), Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Open with cancelled ctx: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Close())
	checks := map[string]error{
		"Get":         func() error { _, _, err := Get[int](ctx, s, CursorKey("p", "t")); return err }(),
		"Put":         Put(ctx, s, CursorKey("p", "t"), 1),
		"List":        List(ctx, s, "", func(Key, int) error { return nil }),
		"Update":      s.Update(ctx, func(*Tx) error { return nil }),
		"Backup":      s.Backup(ctx, &bytes.Buffer{}),
		"AcquireLock": func() error { _, err := s.AcquireLock(ctx, "p", "t", "o", time.Second); return err }(),
		"Stats":       func() error { _, err := s.Stats(ctx); return err }(),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func TestGCLoopRunsAndStops(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir(), Options{NoSync: true, GCInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Churn a key so there is something for GC to look at.
	for i := 0; i < 200; i++ {
		must(t, Put(ctx, s, StockKey("p", "sku"), strings.Repeat("v", 1000+i)))
	}
	time.Sleep(30 * time.Millisecond) // let a few GC rounds run
	n, err := s.RunGC(ctx)
	if err != nil || n < 0 {
		t.Fatalf("RunGC: n=%d err=%v", n, err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the GC goroutine")
	}
	mem := memStore(t)
	if n, err := mem.RunGC(ctx); n != 0 || err != nil {
		t.Fatalf("RunGC in memory: n=%d err=%v", n, err)
	}
}

func TestBadgerLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	l := badgerLogger{hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Trace})}
	l.Infof("info %d\n", 1)
	l.Debugf("debug %d\n", 2)
	l.Warningf("warn %d\n", 3)
	l.Errorf("error %d\n", 4)
	out := buf.String()
	for _, want := range []string{"[WARN]  warn 3", "[ERROR] error 4"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "info 1") || strings.Contains(out, "debug 2") {
		t.Errorf("info/debug reached the logger:\n%s", out)
	}
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	s := diskStore(t, t.TempDir())
	seed(t, s)
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Namespace]int{NSOrder: 300, NSRun: 300, NSCursor: 1, NSMap: 1, NSStock: 1}
	for ns, n := range want {
		if st.Keys[ns] != n {
			t.Errorf("Keys[%s] = %d, want %d", ns, st.Keys[ns], n)
		}
	}
	if st.TotalKeys != 603 || len(st.Keys) != len(want) {
		t.Errorf("TotalKeys = %d, namespaces %v", st.TotalKeys, st.Keys)
	}
	if st.Dir == "" {
		t.Error("Dir empty for on-disk store")
	}
	if st.MemtableBytes+st.LSMBytes == 0 {
		t.Errorf("no disk usage measured: %+v", st)
	}
	t.Logf("stats: %+v", st)
	// Close flushes the memtable into a table file.
	must(t, s.Close())
	s = diskStore(t, st.Dir)
	defer s.Close()
	st2, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st2.LSMBytes == 0 || st2.TotalKeys != 603 {
		t.Errorf("after reopen: %+v", st2)
	}
}

func TestBorrowLeavesTheStoreOpen(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, "", Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := st.Borrow()
	if err := Put(ctx, b, CursorKey("p", "borrowed"), 1); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Put(ctx, b, CursorKey("p", "after"), 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("a closed borrowed handle still writes: %v", err)
	}
	v, ok, err := Get[int](ctx, st, CursorKey("p", "borrowed"))
	if err != nil || !ok || v != 1 {
		t.Fatalf("the owner lost the database: %v %v %v", v, ok, err)
	}
	if err := st.Borrow().Restore(ctx, strings.NewReader(""), RestoreOptions{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("a borrowed handle restores: %v", err)
	}
}
