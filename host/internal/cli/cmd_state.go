package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/koppel-nl/koppel/host/internal/state"
)

func (a *app) stateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Back up, restore and inspect the state store (state_dir)",
	}
	var force, asJSON bool
	var bk backupKeys
	backup := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a backup of the state store to FILE (Badger's own backup format), mode 0600, optionally age-encrypted",
		Long: `Write a backup of the state store to FILE in Badger's backup format. The file gets mode 0600
and is written through a temporary file that is synced to disk before it is renamed to FILE.

--encrypt encrypts it with age (https://age-encryption.org): for the age public keys given with
--recipient (age1..., repeatable; the backup is then restored with the matching key file, --identity),
or else with a passphrase read from --passphrase-file or the environment variable
` + backupPassphraseEnv + `.`,
		Args: oneArg("state backup FILE", "reason.cli.name_backup_file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts state.BackupFileOptions
			if bk.encrypt || len(bk.recipients) > 0 {
				r, err := bk.recipientsFor(a)
				if err != nil {
					return err
				}
				opts.Recipients = r
			}
			st, dir, err := a.openState(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.BackupFile(cmd.Context(), args[0], opts); err != nil {
				return failedErr("backup: %v", err)
			}
			how := ""
			if len(opts.Recipients) > 0 {
				how = " (versleuteld met age)"
			}
			fmt.Fprintf(a.env.Stdout, "backup of %s written to %s%s\n", dir, args[0], how)
			return nil
		},
	}
	backup.Flags().BoolVar(&bk.encrypt, "encrypt", false, "encrypt the backup with age (passphrase or --recipient)")
	backup.Flags().StringArrayVar(&bk.recipients, "recipient", nil, "age public key (age1...) to encrypt for; implies --encrypt; repeatable")
	backup.Flags().StringVar(&bk.passphraseFile, "passphrase-file", "", "file holding the passphrase (first line), instead of "+backupPassphraseEnv)
	restore := &cobra.Command{
		Use:   "restore FILE",
		Short: "Load a backup made by 'koppel state backup' into the state store",
		Long: `Load a backup made by 'koppel state backup' into the state store. Stop 'koppel run' first.
An empty state store is filled; a store that holds data is only replaced with --force.
An encrypted backup is recognised by itself and decrypted with --identity (an age key file) or the
passphrase from --passphrase-file or ` + backupPassphraseEnv + `.`,
		Args: oneArg("state restore FILE", "reason.cli.name_restore_file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			encrypted, err := state.IsEncryptedBackup(args[0])
			if err != nil {
				return usageErr("restore: %v", err)
			}
			var ids []age.Identity
			if encrypted {
				if ids, err = bk.identitiesFor(a); err != nil {
					return err
				}
			}
			st, dir, err := a.openState(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RestoreFile(cmd.Context(), args[0], ids, state.RestoreOptions{Force: force}); err != nil {
				return failedErr("restore: %v", err)
			}
			fmt.Fprintf(a.env.Stdout, "state restored from %s into %s\n", args[0], dir)
			return nil
		},
	}
	restore.Flags().StringArrayVar(&bk.identities, "identity", nil, "age key file to decrypt an encrypted backup; repeatable")
	restore.Flags().StringVar(&bk.passphraseFile, "passphrase-file", "", "file holding the passphrase (first line), instead of "+backupPassphraseEnv)
	restore.Flags().BoolVar(&force, "force", false, "replace a state store that already holds data")
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Count the records per kind and measure the state store on disk",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := a.openState(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := st.Stats(cmd.Context())
			if err != nil {
				return failedErr("stats: %v", err)
			}
			if asJSON {
				return json.NewEncoder(a.env.Stdout).Encode(s)
			}
			fmt.Fprintf(a.env.Stdout, "state store %s: %d records, tables %d bytes, value log %d bytes\n", s.Dir, s.TotalKeys, s.LSMBytes, s.VLogBytes)
			names := make([]string, 0, len(s.Keys))
			for ns := range s.Keys {
				names = append(names, string(ns))
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(a.env.Stdout, "  %-10s %d\n", n, s.Keys[state.Namespace(n)])
			}
			return nil
		},
	}
	stats.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.AddCommand(backup, restore, stats)
	return cmd
}

// openState opens the state store named by the configuration's koppel block.
func (a *app) openState(cmd *cobra.Command) (*state.Store, string, error) {
	k, err := a.koppelBlock()
	if err != nil {
		return nil, "", err
	}
	dir := k.StateDir
	if st := a.sharedStore(); st != nil {
		return st, dir, nil
	}
	if err := os.MkdirAll(filepath.Clean(dir), 0o700); err != nil {
		return nil, "", failedErr("state_dir %s: %v", dir, err)
	}
	st, err := state.Open(cmd.Context(), dir, state.Options{Logger: a.logger().Named("state")})
	if err != nil {
		return nil, "", failedErr("open state store %s: %v", dir, err)
	}
	return st, dir, nil
}

// backupPassphraseEnv holds the passphrase of an encrypted state backup.
const backupPassphraseEnv = "KOPPEL_BACKUP_PASSPHRASE"

// backupKeys are the key flags of `koppel state backup` and `restore`.
type backupKeys struct {
	encrypt        bool
	recipients     []string
	identities     []string
	passphraseFile string
}

// passphrase reads the passphrase from --passphrase-file or the environment; "" when neither.
func (b *backupKeys) passphrase(a *app) (string, error) {
	if b.passphraseFile != "" {
		raw, err := os.ReadFile(b.passphraseFile)
		if err != nil {
			return "", usageErr("passphrase file: %v", err)
		}
		p, _, _ := strings.Cut(string(raw), "\n")
		p = strings.TrimRight(p, "\r")
		if p == "" {
			return "", usageErr("passphrase file %s is empty", b.passphraseFile)
		}
		return p, nil
	}
	p, _ := a.env.Getenv(backupPassphraseEnv)
	return p, nil
}

func (b *backupKeys) recipientsFor(a *app) ([]age.Recipient, error) {
	var out []age.Recipient
	for _, r := range b.recipients {
		rcp, err := age.ParseX25519Recipient(strings.TrimSpace(r))
		if err != nil {
			return nil, usageErr("--recipient %q is not an age public key (age1...): %v", r, err)
		}
		out = append(out, rcp)
	}
	if len(out) > 0 {
		return out, nil
	}
	p, err := b.passphrase(a)
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, usageErr("--encrypt needs a key: give --recipient age1..., --passphrase-file FILE, or set %s", backupPassphraseEnv)
	}
	rcp, err := age.NewScryptRecipient(p)
	if err != nil {
		return nil, usageErr("passphrase: %v", err)
	}
	return []age.Recipient{rcp}, nil
}

func (b *backupKeys) identitiesFor(a *app) ([]age.Identity, error) {
	var out []age.Identity
	for _, path := range b.identities {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageErr("--identity: %v", err)
		}
		ids, err := age.ParseIdentities(f)
		f.Close()
		if err != nil {
			return nil, usageErr("--identity %s: %v", path, err)
		}
		out = append(out, ids...)
	}
	p, err := b.passphrase(a)
	if err != nil {
		return nil, err
	}
	if p != "" {
		id, err := age.NewScryptIdentity(p)
		if err != nil {
			return nil, usageErr("passphrase: %v", err)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, usageErr("the backup is encrypted: give --identity KEYFILE, --passphrase-file FILE, or set %s", backupPassphraseEnv)
	}
	return out, nil
}
