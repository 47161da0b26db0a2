package state

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// seed fills s with records in several namespaces, including a deleted and
// an expired one.
func seed(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("%d/%s%%", i, strings.Repeat("x", i%7))
		must(t, Put(ctx, s, OrderKey("shop/1", id), orderRec{Invoice: id, Total: decimal.New(int64(i), -2)}))
		must(t, Put(ctx, s, RunKey("shop/1", base.Add(time.Duration(i)*time.Minute)), map[string]int{"n": i}))
	}
	must(t, Put(ctx, s, CursorKey("shop/1", "orders"), "2025-01-01T00:00:00Z"))
	must(t, Put(ctx, s, MapKey("shop/1", MapCountry, "NL"), "land-1"))
	must(t, Put(ctx, s, StockKey("shop/1", "SKU"), decimal.RequireFromString("3.5"), WithTTL(time.Hour)))
	must(t, Put(ctx, s, FailedKey("shop/1", "gone"), 1))
	must(t, Delete(ctx, s, FailedKey("shop/1", "gone")))
	must(t, Put(ctx, s, IntentKey("shop/1", "expired"), 1, WithExpiresAt(time.Now().Add(-time.Minute))))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := diskStore(t, t.TempDir())
	defer src.Close()
	seed(t, src)
	want := dump(t, src)
	if len(want) != 300+300+3 {
		t.Fatalf("seeded %d records", len(want))
	}
	var buf bytes.Buffer
	must(t, src.Backup(ctx, &buf))

	dir := t.TempDir()
	dst := diskStore(t, dir)
	must(t, dst.Restore(ctx, bytes.NewReader(buf.Bytes()), RestoreOptions{}))
	if got := dump(t, dst); !maps.Equal(got, want) {
		t.Fatalf("restored data differs: %d records, want %d", len(got), len(want))
	}
	// The restored store accepts newer writes over restored keys, and they
	// survive a reopen.
	must(t, Put(ctx, dst, CursorKey("shop/1", "orders"), "later"))
	must(t, dst.Close())
	dst = diskStore(t, dir)
	defer dst.Close()
	if v, _, _ := Get[string](ctx, dst, CursorKey("shop/1", "orders")); v != "later" {
		t.Fatalf("write after restore lost or shadowed: %q", v)
	}
	if _, ok, _ := Get[int](ctx, dst, FailedKey("shop/1", "gone")); ok {
		t.Fatal("deleted record came back")
	}
}

func TestRestoreRefusesNonEmptyStore(t *testing.T) {
	ctx := context.Background()
	src := memStore(t)
	must(t, Put(ctx, src, CursorKey("p", "orders"), "from-backup"))
	var buf bytes.Buffer
	must(t, src.Backup(ctx, &buf))

	dst := memStore(t)
	must(t, Put(ctx, dst, CursorKey("p", "orders"), "current"))
	must(t, Put(ctx, dst, CursorKey("p", "stock"), "current"))
	err := dst.Restore(ctx, bytes.NewReader(buf.Bytes()), RestoreOptions{})
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "force") || !strings.Contains(err.Error(), "2 record") {
		t.Fatalf("restore into non-empty store: %v", err)
	}
	if v, _, _ := Get[string](ctx, dst, CursorKey("p", "orders")); v != "current" {
		t.Fatalf("refused restore changed data: %q", v)
	}
	must(t, dst.Restore(ctx, bytes.NewReader(buf.Bytes()), RestoreOptions{Force: true}))
	want := map[Key]string{CursorKey("p", "orders"): `"from-backup"`}
	if got := dump(t, dst); !maps.Equal(got, want) {
		t.Fatalf("after forced restore: %v", got)
	}
}

func TestRestoreRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	src := memStore(t)
	seed(t, src)
	var good bytes.Buffer
	must(t, src.Backup(ctx, &good))
	frame := func(payload []byte) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(payload)))
		return append(b, payload...)
	}
	foreign := memStore(t)
	must(t, foreign.Update(ctx, func(tx *Tx) error {
		r := record{key: "some-other-app-key", val: []byte("1")}
		return tx.setRaw(ctx, r)
	}))
	var foreignBuf bytes.Buffer
	must(t, foreign.Backup(ctx, &foreignBuf))

	tests := []struct {
		name string
		in   []byte
	}{
		{"truncated", good.Bytes()[:good.Len()-5]},
		{"truncated header", good.Bytes()[:3]},
		{"huge length", binary.LittleEndian.AppendUint64(nil, 1<<62)},
		{"garbage payload", frame([]byte{0xff, 0xff, 0xff, 0x01, 0x02})},
		{"text file", []byte("this is not a backup at all, just some text\n")},
		{"foreign keys", foreignBuf.Bytes()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := memStore(t)
			err := dst.Restore(ctx, bytes.NewReader(tc.in), RestoreOptions{})
			if !errors.Is(err, ErrBadBackup) {
				t.Fatalf("err = %v, want ErrBadBackup", err)
			}
			if n := len(dump(t, dst)); n != 0 {
				t.Fatalf("rejected backup loaded %d records", n)
			}
		})
	}
	// An empty stream is a valid backup of an empty store.
	dst := memStore(t)
	must(t, dst.Restore(ctx, bytes.NewReader(nil), RestoreOptions{}))
}

func TestBackupHonoursContext(t *testing.T) {
	s := memStore(t)
	seed(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Backup(ctx, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled backup: %v", err)
	}
}
