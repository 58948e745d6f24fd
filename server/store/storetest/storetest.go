// Package storetest opens real databases for tests: a fresh SQLite file in a temporary
// directory, and a fresh PostgreSQL database on the server named by BATON_TEST_POSTGRES
// (default: the local one on 127.0.0.1:5432), dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver

	"github.com/batonchat/baton/server/store"
)

// DefaultPostgres is the server the PostgreSQL tests use unless BATON_TEST_POSTGRES says otherwise.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Each runs fn once against SQLite and once against PostgreSQL, as subtests.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a fresh SQLite store in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL creates a fresh database and returns its URL; it is dropped when the test ends.
// It fails the test (never skips) when PostgreSQL is not reachable: CI must run these tests.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("BATON_TEST_POSTGRES")
	if admin == "" {
		admin = DefaultPostgres
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres %s: %v", admin, err)
	}
	defer adb.Close()
	if err := adb.PingContext(ctx); err != nil {
		t.Fatalf("postgres is not reachable at %s (set BATON_TEST_POSTGRES): %v", admin, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "baton_test_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer adb.Close()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres opens a store on a fresh PostgreSQL database.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{DatabaseURL: PostgresURL(t)})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
