// Package store keeps Baton's data in SQLite (the default, embedded) or PostgreSQL. Both speak
// the same SQL through database/sql; the differences (opening, locking, error codes) live in
// store_sqlite.go and store_postgres.go, and one conformance suite checks both.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/batonchat/baton/server/chat"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Config says where the data lives.
type Config struct {
	// DataDir holds the SQLite database (baton.db) when DatabaseURL is empty.
	DataDir string
	// DatabaseURL, when it starts with postgres:// or postgresql://, selects PostgreSQL.
	DatabaseURL string
	// SQLiteSync is SQLite's synchronous setting: "normal" (default) or "full". See openSQLite.
	SQLiteSync string
}

// DB implements chat.Store.
type DB struct {
	kind  string  // "sqlite" or "postgres"
	read  *pool   // reads
	write *sql.DB // transactions; for SQLite the one writer connection
	// writeStmts are the writer's prepared statements (SQLite; nil for PostgreSQL).
	writeStmts *stmtCache
	// ckpt checkpoints SQLite's write-ahead log off the commit path (nil for PostgreSQL).
	ckpt *checkpointer
	// group runs SQLite's transactions, several callers' to a commit (nil for PostgreSQL,
	// whose connections run transactions side by side).
	group *groupCommit
	// conflict reports errors after which a transaction is worth running again.
	conflict func(error) bool
	// unique reports a unique-constraint violation.
	unique  func(error) bool
	dialect goose.Dialect
	// forUpdate locks selected rows to the end of the transaction (PostgreSQL); SQLite's one
	// writer already excludes other writers.
	forUpdate string
	now       func() time.Time
}

var _ chat.Store = (*DB)(nil)

// IsPostgres reports whether url selects PostgreSQL.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Open opens the database and applies pending migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	var (
		db  *DB
		err error
	)
	switch {
	case IsPostgres(cfg.DatabaseURL):
		db, err = openPostgres(ctx, cfg.DatabaseURL)
	case cfg.DatabaseURL != "":
		return nil, fmt.Errorf("database url %q: only postgres:// URLs are supported (leave it empty for SQLite)", redact(cfg.DatabaseURL))
	default:
		db, err = openSQLite(ctx, cfg.DataDir, cfg.SQLiteSync)
	}
	if err != nil {
		return nil, err
	}
	db.now = time.Now
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.kind == "sqlite" {
		db.group = startGroupCommit(db)
	}
	return db, nil
}

// Kind names the database in use: "sqlite" or "postgres".
func (db *DB) Kind() string { return db.kind }

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	opts := []goose.ProviderOption{}
	if locker := db.migrationLocker(); locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(db.dialect, db.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.kind, err)
	}
	return nil
}

// Close closes the database. Transactions still waiting for their turn fail.
func (db *DB) Close() error {
	db.group.close()
	err := errors.Join(db.ckpt.close(), db.read.stmts.close(), db.writeStmts.close(), db.read.Close())
	if db.write != db.read.DB {
		err = errors.Join(err, db.write.Close())
	}
	return err
}

// Tx runs fn in a transaction, again (a few times) when the database reports a conflict such
// as two first messages of one visitor racing to open a conversation.
//
// On SQLite, concurrent calls share a transaction (see groupCommit): fn must not call Tx
// (that panics, where it would wait for itself forever), and it may also be run again when
// another function of its group made SQLite abandon the transaction. A cancelled ctx stops a
// call that has not started; once fn ran, Tx returns only when the outcome is known.
func (db *DB) Tx(ctx context.Context, fn func(chat.Tx) error) error {
	const attempts = 5
	var err error
	for i := 0; i < attempts; i++ {
		err = db.tx(ctx, fn)
		if err == nil || !db.conflict(err) {
			return err
		}
	}
	return &chat.Error{Code: chat.EConflict, Message: "too many concurrent changes, try again", Err: err}
}

func (db *DB) tx(ctx context.Context, fn func(chat.Tx) error) error {
	if db.group != nil {
		return db.group.do(ctx, fn)
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q := &txQueries{tx: sqlTx, stmts: db.writeStmts}
	defer func() {
		// The writer connection is free again: prepare what this transaction ran unprepared.
		for _, query := range q.missed {
			db.writeStmts.prepare(ctx, query)
		}
	}()
	t := &tx{db: db, ctx: ctx, q: q}
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.ckpt.wrote()
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer, so queries are written once.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tx implements chat.Tx.
type tx struct {
	db  *DB
	ctx context.Context
	q   querier
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// notFound turns sql.ErrNoRows into chat.ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return chat.ErrNotFound
	}
	return fmt.Errorf("%s: %w", what, err)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func redact(url string) string {
	if i := strings.Index(url, "@"); i > 0 {
		if j := strings.Index(url, "://"); j > 0 && j < i {
			return url[:j+3] + "…" + url[i:]
		}
	}
	return url
}
