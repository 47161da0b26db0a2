package state

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// ErrEncrypted is returned (wrapped) by RestoreFile when the backup is encrypted and no key
// to decrypt it was given.
var ErrEncrypted = errors.New("state: the backup is encrypted")

// ageHeader starts every age-encrypted file.
const ageHeader = "age-encryption.org/v1\n"

// BackupFileOptions modify BackupFile.
type BackupFileOptions struct {
	// Recipients, when any, encrypt the backup with age (filippo.io/age) for each of them: X25519
	// public keys (age1...) or one passphrase (age.NewScryptRecipient). Nil writes the backup
	// unencrypted.
	Recipients []age.Recipient
}

// BackupFile writes a backup of the store (see Backup) to path so that a crash never leaves
// half a backup under that name: it writes a temporary file of mode 0600 in the same
// directory, syncs it to disk, renames it over path and syncs the directory. The backup is
// mode 0600 whatever the umask and whatever file path held before. With opts.Recipients the
// content is age-encrypted.
func (s *Store) BackupFile(ctx context.Context, path string, opts BackupFileOptions) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(FileMode); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	var w io.Writer = bw
	var enc io.WriteCloser
	if len(opts.Recipients) > 0 {
		enc, err = age.Encrypt(bw, opts.Recipients...)
		if err != nil {
			return fmt.Errorf("state: backup: encrypt: %w", err)
		}
		w = enc
	}
	if err := s.Backup(ctx, w); err != nil {
		return err
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return fmt.Errorf("state: backup: encrypt: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("state: backup: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the OS allows syncing a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // not supported everywhere (Windows); the rename itself is done
		_ = d.Close()
	}
}

// IsEncryptedBackup reports whether the backup file at path is age-encrypted.
func IsEncryptedBackup(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("state: read backup: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(ageHeader))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("state: read backup: %w", err)
	}
	return bytes.Equal(head[:n], []byte(ageHeader)), nil
}

// RestoreFile loads the backup file at path (see Restore). An age-encrypted backup is
// decrypted with identities (an X25519 key or age.NewScryptIdentity for a passphrase);
// without identities it fails with ErrEncrypted, with wrong ones it names the problem and
// loads nothing.
func (s *Store) RestoreFile(ctx context.Context, path string, identities []age.Identity, opts RestoreOptions) error {
	encrypted, err := IsEncryptedBackup(path)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("state: restore: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if encrypted {
		if len(identities) == 0 {
			return fmt.Errorf("state: restore %s: %w", path, ErrEncrypted)
		}
		dr, err := age.Decrypt(r, identities...)
		if err != nil {
			return fmt.Errorf("state: restore %s: decrypt: %w", path, err)
		}
		r = dr
	}
	return s.Restore(ctx, r, opts)
}
