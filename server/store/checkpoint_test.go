package store

import (
	"context"
	"strings"
	"testing"

	"github.com/batonchat/baton/server/chat"
)

// walLength is the number of pages in the write-ahead log that a new reader would look at.
func walLength(t *testing.T, db *DB) int {
	t.Helper()
	var busy, log, copied int
	if err := db.ckpt.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied); err != nil {
		t.Fatal(err)
	}
	return log
}

func TestWALStartsOverAfterALongOneIsCheckpointed(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page := strings.Repeat("x", 4000)
	write := func(rows int) {
		t.Helper()
		err := db.Tx(ctx, func(c chat.Tx) error {
			for i := 0; i < rows; i++ {
				if _, err := c.(*tx).q.ExecContext(ctx, `INSERT INTO meta (name, value) VALUES ($1, $2)`, chat.NewID("t"), page); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write(restartFrames + 100) // a page per row: a WAL longer than restartFrames
	log, err := db.ckpt.checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if log < restartFrames {
		t.Fatalf("the WAL held %d pages, want at least %d", log, restartFrames)
	}
	write(1)
	if n := walLength(t, db); n > 10 {
		t.Errorf("after the checkpoint the WAL holds %d pages, want it started over (a few pages)", n)
	}
	var rows int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE length(value) = 4000`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != restartFrames+101 {
		t.Errorf("readers see %d rows, want %d", rows, restartFrames+101)
	}
}

func TestWriterLeavesCheckpointsToTheCheckpointer(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Otherwise SQLite checkpoints inside the commit that takes the WAL past 1,000 pages.
	var auto int
	if err := db.write.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Errorf("the writer's wal_autocheckpoint is %d, want 0", auto)
	}
}
