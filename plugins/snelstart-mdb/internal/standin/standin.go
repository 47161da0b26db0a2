// Package standin builds a SQLite database from an Access (.mdb) file with mdbtools, so the
// connector's database/sql code (the write path that runs on the Access ODBC driver on
// Windows) can run for real on Linux. The tables and rows come from `mdb-schema FILE sqlite`
// and `mdb-export -I sqlite`; because that DDL has no keys, the autonumber columns and indexes
// that `mdb-schema FILE postgres` reports are added (autonumbers as INTEGER PRIMARY KEY, text
// indexes case-insensitive as in Jet).
package standin

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver (pure Go)
)

// Open opens (creating it if needed) a SQLite database file for the stand-in, with one
// connection, as the ODBC store uses.
func Open(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(2000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

var (
	rePgTable  = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS "([^"]+)"`)
	rePgSerial = regexp.MustCompile(`^\s*"([^"]+)"\s+SERIAL`)
	rePgPkey   = regexp.MustCompile(`^ALTER TABLE "([^"]+)" ADD CONSTRAINT "[^"]+" PRIMARY KEY \("([^"]+)"\);`)
	rePgIndex  = regexp.MustCompile(`^CREATE (UNIQUE )?INDEX "([^"]+)" ON "([^"]+)" \("([^"]+)"\);`)
	reSqCol    = regexp.MustCompile("^\\s*`([^`]+)`\\s+([A-Za-z]+)")
	reSqTable  = regexp.MustCompile("^CREATE TABLE `([^`]+)`")
)

func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Build fills db with the tables and rows of the .mdb at mdbPath.
func Build(ctx context.Context, db *sql.DB, mdbPath string) error {
	pg, err := run(ctx, "mdb-schema", mdbPath, "postgres")
	if err != nil {
		return err
	}
	serial := map[string]string{} // lower table → lower column
	var indexes []string
	var table string
	sc := bufio.NewScanner(bytes.NewReader(pg))
	for sc.Scan() {
		line := sc.Text()
		if m := rePgTable.FindStringSubmatch(line); m != nil {
			table = strings.ToLower(m[1])
		} else if m := rePgSerial.FindStringSubmatch(line); m != nil && table != "" {
			serial[table] = strings.ToLower(m[1])
		} else if m := rePgPkey.FindStringSubmatch(line); m != nil {
			if serial[strings.ToLower(m[1])] != strings.ToLower(m[2]) {
				indexes = append(indexes, fmt.Sprintf(`CREATE UNIQUE INDEX "%s_pkey" ON "%s" ("%s" COLLATE NOCASE)`, m[1], m[1], m[2]))
			}
		} else if m := rePgIndex.FindStringSubmatch(line); m != nil {
			indexes = append(indexes, fmt.Sprintf(`CREATE %sINDEX "%s" ON "%s" ("%s" COLLATE NOCASE)`, m[1], m[2], m[3], m[4]))
		}
	}
	ddl, err := run(ctx, "mdb-schema", mdbPath, "sqlite")
	if err != nil {
		return err
	}
	var tablesInOrder []string
	var b strings.Builder
	table = ""
	sc = bufio.NewScanner(bytes.NewReader(ddl))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		if m := reSqTable.FindStringSubmatch(line); m != nil {
			table = m[1]
			tablesInOrder = append(tablesInOrder, table)
		} else if m := reSqCol.FindStringSubmatch(line); m != nil && table != "" &&
			strings.EqualFold(serial[strings.ToLower(table)], m[1]) && strings.EqualFold(m[2], "INTEGER") {
			line = strings.Replace(line, "INTEGER", "INTEGER PRIMARY KEY", 1)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if _, err := db.ExecContext(ctx, b.String()); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}
	for _, stmt := range indexes {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	for _, t := range tablesInOrder {
		ins, err := run(ctx, "mdb-export", "-I", "sqlite", "-D", "%Y-%m-%d %H:%M:%S", "-T", "%Y-%m-%d %H:%M:%S", mdbPath, t)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(ins)) == 0 {
			continue
		}
		if _, err := db.ExecContext(ctx, string(ins)); err != nil {
			return fmt.Errorf("rows of %s: %w", t, err)
		}
	}
	return nil
}

// BuildFile writes a new SQLite stand-in of the .mdb at mdbPath to outPath: it is built in a
// temporary file beside outPath and renamed into place only when complete, so a failure
// leaves nothing behind. It refuses to overwrite an existing outPath. The .mdb is only read
// (through mdbtools).
func BuildFile(ctx context.Context, mdbPath, outPath string) error {
	if _, err := os.Stat(mdbPath); err != nil {
		return fmt.Errorf("stand-in: %w", err)
	}
	if _, err := os.Lstat(outPath); err == nil {
		return fmt.Errorf("stand-in: %s already exists; remove it or choose another name", outPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stand-in: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(outPath), "."+filepath.Base(outPath)+".*.tmp")
	if err != nil {
		return fmt.Errorf("stand-in: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmpPath)
		}
	}()
	db, err := Open(tmpPath)
	if err != nil {
		return fmt.Errorf("stand-in: open %s: %w", tmpPath, err)
	}
	if err := Build(ctx, db, mdbPath); err != nil {
		db.Close()
		return fmt.Errorf("stand-in of %s: %w", mdbPath, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("stand-in: close %s: %w", tmpPath, err)
	}
	if _, err := os.Lstat(outPath); err == nil {
		return fmt.Errorf("stand-in: %s already exists; remove it or choose another name", outPath)
	}
	if err := os.Rename(tmpPath, outPath); err != nil {
		return fmt.Errorf("stand-in: %w", err)
	}
	ok = true
	return nil
}
