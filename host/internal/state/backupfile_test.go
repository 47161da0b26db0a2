package state

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"filippo.io/age"
)

// A backup file is written with mode 0600 through a temporary file renamed over the target,
// even where a looser file stood before; an encrypted one needs its passphrase to restore.
func TestBackupFileModeAndEncryption(t *testing.T) {
	ctx := context.Background()
	src := diskStore(t, t.TempDir())
	defer src.Close()
	seed(t, src)
	want := dump(t, src)

	out := t.TempDir()
	plain := filepath.Join(out, "koppel.bak")
	must(t, os.WriteFile(plain, []byte("old"), 0o644))
	before, _ := os.Stat(plain)
	must(t, src.BackupFile(ctx, plain, BackupFileOptions{}))
	after, err := os.Stat(plain)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && after.Mode().Perm() != FileMode {
		t.Errorf("backup mode %o, want %o", after.Mode().Perm(), FileMode)
	}
	if os.SameFile(before, after) {
		t.Error("the backup overwrote the old file in place instead of renaming a new one over it")
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Errorf("temporary files left next to the backup: %v", entries)
	}
	if enc, err := IsEncryptedBackup(plain); err != nil || enc {
		t.Errorf("plain backup reported encrypted=%v, %v", enc, err)
	}

	rcp, err := age.NewScryptRecipient("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	rcp.SetWorkFactor(12) // keep the test quick; koppel itself uses age's default
	sealed := filepath.Join(out, "koppel.bak.age")
	must(t, src.BackupFile(ctx, sealed, BackupFileOptions{Recipients: []age.Recipient{rcp}}))
	raw, err := os.ReadFile(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), ageHeader) || strings.Contains(string(raw), "shop/1") {
		t.Fatal("the encrypted backup is not an age file, or shows its keys")
	}

	dst := diskStore(t, t.TempDir())
	defer dst.Close()
	if err := dst.RestoreFile(ctx, sealed, nil, RestoreOptions{}); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("restore without a key: %v, want ErrEncrypted", err)
	}
	wrong, _ := age.NewScryptIdentity("wrong")
	if err := dst.RestoreFile(ctx, sealed, []age.Identity{wrong}, RestoreOptions{}); err == nil {
		t.Fatal("restore with a wrong passphrase succeeded")
	}
	id, _ := age.NewScryptIdentity("correct horse battery staple")
	must(t, dst.RestoreFile(ctx, sealed, []age.Identity{id}, RestoreOptions{}))
	if got := dump(t, dst); !maps.Equal(got, want) {
		t.Fatalf("restored %d records, want %d", len(got), len(want))
	}
}
