package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
)

// openPostgres connects through pgx. Every transaction runs at READ COMMITTED; conversations are
// locked with SELECT … FOR UPDATE, so two writers of one conversation queue instead of racing.
func openPostgres(ctx context.Context, url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", redact(url), err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(url), err)
	}
	return &DB{
		kind:      "postgres",
		read:      &pool{DB: db},
		write:     db,
		dialect:   goose.DialectPostgres,
		forUpdate: " FOR UPDATE",
		conflict: func(err error) bool {
			c := pgCode(err)
			// unique_violation: a racing transaction inserted the same row first; running
			// again finds it. serialization_failure, deadlock_detected: as documented.
			return c == "23505" || c == "40001" || c == "40P01"
		},
		unique: func(err error) bool { return pgCode(err) == "23505" },
	}, nil
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
