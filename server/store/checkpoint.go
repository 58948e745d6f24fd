package store

import (
	"context"
	"database/sql"
	"time"
)

// checkpointer copies SQLite's write-ahead log into the database file in the background.
//
// Left to itself, SQLite checkpoints inside the commit that takes the WAL past 1,000 pages:
// that commit copies the pages and fsyncs twice, and every message queued behind it waits. At
// 1,000 messages/s that made the p99 of a send 5–9 ms instead of about 1 ms
// (docs/benchmarks.md). Here a connection of its own copies and syncs while commits go on.
// Such a checkpoint rarely catches up with a steady stream of commits, and SQLite starts the
// WAL over only once all of it is copied, so when the WAL has grown long the writer connection
// itself copies the few pages written meanwhile, between two transactions.
type checkpointer struct {
	conn  *sql.DB // the checkpointer's own connection
	write *sql.DB // the writer, for the finishing checkpoint
	dirty chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

const (
	// checkpointDelay lets commits gather: a checkpoint copies each page once, however many
	// commits changed it.
	checkpointDelay = 100 * time.Millisecond
	// restartFrames is the WAL length (in pages, ~16 MB) past which the writer finishes the
	// checkpoint so that the WAL starts over.
	restartFrames = 4000
)

func startCheckpointer(conn, write *sql.DB) *checkpointer {
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, write: write, dirty: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// wrote tells the checkpointer that a transaction committed.
func (c *checkpointer) wrote() {
	if c == nil {
		return
	}
	select {
	case c.dirty <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.dirty:
		}
		t := time.NewTimer(checkpointDelay)
		select {
		case <-c.stop:
			t.Stop()
			return
		case <-t.C:
		}
		// A failed checkpoint loses nothing: the pages stay in the WAL, readers find them
		// there, and the next checkpoint (or closing the database) copies them.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, _ = c.checkpoint(ctx)
		cancel()
	}
}

// checkpoint copies what it can without holding up writers, and has the writer finish when
// the WAL has grown past restartFrames. It returns the WAL's length in pages before the
// finishing step.
func (c *checkpointer) checkpoint(ctx context.Context) (int, error) {
	var busy, log, copied int
	if err := c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied); err != nil {
		return 0, err
	}
	if log < restartFrames {
		return log, nil
	}
	var b, l, cp int
	return log, c.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&b, &l, &cp)
}

func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
