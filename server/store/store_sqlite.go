package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// openSQLite opens dir/baton.db with one writer connection and a pool of readers.
//
// Durability: WAL journal. A commit appends to the WAL file with write(2) before it returns,
// so once Baton acknowledges a message it survives the process dying in any way (kill -9, OOM,
// panic): the OS has the bytes. With synchronous=NORMAL SQLite fsyncs only at checkpoints, so an
// OS crash or power cut can roll back the last few commits; synchronous=FULL (BATON_SQLITE_SYNC
// =full) fsyncs every commit and closes that window too, at a throughput cost measured in
// docs/benchmarks.md. The database is never corrupted either way. Checkpoints, which copy the
// WAL into the database file, run beside the writer instead of inside a commit (checkpointer).
//
// Concurrency: SQLite allows one writer. A single write connection with BEGIN IMMEDIATE makes
// writers queue in Go instead of failing with SQLITE_BUSY, and readers never block the writer.
func openSQLite(ctx context.Context, dir, syncMode string) (*DB, error) {
	if dir == "" {
		dir = "baton-data"
	}
	switch syncMode {
	case "", "normal":
		syncMode = "NORMAL"
	case "full":
		syncMode = "FULL"
	default:
		return nil, fmt.Errorf("sqlite sync %q: use normal or full", syncMode)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, "baton.db")
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+syncMode+")")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16000)")
	dsn := path + "?" + q.Encode()

	// The writer never checkpoints by itself: see checkpointer.
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	ckpt, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{
		kind:       "sqlite",
		read:       &pool{DB: read, stmts: newStmtCache(read)},
		write:      write,
		writeStmts: newStmtCache(write),
		ckpt:       startCheckpointer(ckpt, write),
		dialect:    goose.DialectSQLite3,
		conflict:   func(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_BUSY },
		unique:     func(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE },
	}, nil
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// migrationLocker: SQLite has one writer, so concurrent migrations already serialise.
func (db *DB) migrationLocker() lock.SessionLocker {
	if db.kind != "postgres" {
		return nil
	}
	l, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil
	}
	return l
}
