package load

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver, to create and drop databases
	_ "modernc.org/sqlite"             // to count rows in the server's SQLite file
)

// DefaultPostgres is the PostgreSQL server the benchmarks create their databases on.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// BatonOptions say how to start `baton serve` for a benchmark.
type BatonOptions struct {
	Bin string // the baton binary (see Build)
	// Postgres, when set, is an admin URL of a PostgreSQL server: a fresh database is created
	// on it for the run and dropped by Stop. Empty means SQLite in a fresh data directory.
	Postgres   string
	SQLiteSync string   // normal (default) or full
	Env        []string // more BATON_* variables
}

// Baton is a running `baton serve` with a fresh database, every rate limit off, and an admin
// whose credentials the benchmark knows.
type Baton struct {
	*Process
	DataDir       string
	AdminEmail    string
	AdminPassword string
	drop          func() error
	bin           string
	env           []string
	addr          string
}

// StartBaton starts baton serve on a free loopback port.
func StartBaton(ctx context.Context, o BatonOptions) (*Baton, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "baton-bench-data-")
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	b := &Baton{DataDir: dir, AdminEmail: "bench@example.com", AdminPassword: "bench-" + randomHex(8)}
	env := []string{
		"BATON_ADDR=" + addr, "BATON_DATA=" + dir, "BATON_LOG_LEVEL=warn", "BATON_LOG_FORMAT=text",
		"BATON_ADMIN_EMAIL=" + b.AdminEmail, "BATON_ADMIN_PASSWORD=" + b.AdminPassword,
		// The benchmarks are one IP opening thousands of sessions: no limits.
		"BATON_RATE_NEW_VISITORS=0", "BATON_RATE_VISITOR_MESSAGES=0", "BATON_RATE_IP_MESSAGES=0", "BATON_RATE_LOGINS=0",
	}
	if o.SQLiteSync != "" {
		env = append(env, "BATON_SQLITE_SYNC="+o.SQLiteSync)
	}
	if o.Postgres != "" {
		dbURL, drop, err := CreateDatabase(ctx, o.Postgres)
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		b.drop = drop
		env = append(env, "BATON_DATABASE_URL="+dbURL)
	}
	b.bin, b.env, b.addr = o.Bin, append(env, o.Env...), addr
	p, err := Start(ctx, b.bin, []string{"serve"}, b.env, b.addr, "/readyz")
	if err != nil {
		b.cleanup()
		return nil, err
	}
	b.Process = p
	return b, nil
}

// Restart stops the server and starts it again on the same data and address, so that a
// measurement starts from a fresh process (no garbage left by the setup in its heap). Tokens
// stay valid: their signing key is in the database.
func (b *Baton) Restart(ctx context.Context) error {
	if err := b.Process.Stop(); err != nil {
		return err
	}
	p, err := Start(ctx, b.bin, []string{"serve"}, b.env, b.addr, "/readyz")
	if err != nil {
		return err
	}
	b.Process = p
	return nil
}

// Stop stops the server and deletes its data (directory or PostgreSQL database).
func (b *Baton) Stop() error {
	var err error
	if b.Process != nil {
		err = b.Process.Stop()
	}
	return errors.Join(err, b.cleanup())
}

func (b *Baton) cleanup() error {
	err := os.RemoveAll(b.DataDir)
	if b.drop != nil {
		err = errors.Join(err, b.drop())
	}
	return err
}

// SQLitePath is the server's database file (SQLite only).
func (b *Baton) SQLitePath() string { return filepath.Join(b.DataDir, "baton.db") }

// CountRows counts the rows of tables in the server's SQLite database, read-only, while the
// server runs (WAL lets a reader in beside the writer).
func (b *Baton) CountRows(ctx context.Context, tables ...string) (map[string]int64, error) {
	db, err := sql.Open("sqlite", "file:"+b.SQLitePath()+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", b.SQLitePath(), err)
	}
	defer db.Close()
	out := map[string]int64{}
	for _, t := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// SQLiteBytes is the size of the database file plus its write-ahead log.
func (b *Baton) SQLiteBytes() (int64, error) {
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(b.SQLitePath() + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// CreateDatabase creates a fresh database on the PostgreSQL server named by admin and returns
// its URL and a function that drops it.
func CreateDatabase(ctx context.Context, admin string) (string, func() error, error) {
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, fmt.Errorf("postgres %s: %w", admin, err)
	}
	defer adb.Close()
	name := "baton_bench_" + randomHex(6)
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("postgres url: %w", err)
	}
	u.Path = "/" + name
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer adb.Close()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return u.String(), drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Storage names the storage setups the benchmarks compare, as their -db flags accept them:
// sqlite (the default, synchronous=NORMAL), sqlite-full (synchronous=FULL: fsync per commit)
// and postgres (a fresh database on the server at postgresAdmin).
func Storage(name, postgresAdmin string) (BatonOptions, error) {
	switch name {
	case "sqlite":
		return BatonOptions{}, nil
	case "sqlite-full":
		return BatonOptions{SQLiteSync: "full"}, nil
	case "postgres":
		return BatonOptions{Postgres: postgresAdmin}, nil
	}
	return BatonOptions{}, fmt.Errorf("-db %q: want sqlite, sqlite-full or postgres", name)
}

// EachStorage runs measure once per storage named in the comma-separated list dbs (see
// Storage), with the server binary, extra environment and, when profile is set, a CPU profile
// file per storage.
func EachStorage(dbs, postgresAdmin, bin string, env []string, profile string, measure func(name string, o BatonOptions) error) error {
	for _, name := range strings.Split(dbs, ",") {
		name = strings.TrimSpace(name)
		o, err := Storage(name, postgresAdmin)
		if err != nil {
			return err
		}
		o.Bin = bin
		o.Env = append(o.Env, env...)
		if profile != "" {
			o.Env = append(o.Env, "BATON_BENCH_CPUPROFILE="+profile+"."+name+".pprof")
		}
		if err := measure(name, o); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// EnvFlag is a repeatable -env KEY=VALUE flag: extra environment for the server under test.
type EnvFlag []string

// String lists the variables, for flag's usage text.
func (e *EnvFlag) String() string { return strings.Join(*e, " ") }

// Set adds one KEY=VALUE.
func (e *EnvFlag) Set(v string) error {
	if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}
