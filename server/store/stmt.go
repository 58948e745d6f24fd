package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache keeps one prepared statement per query text. SQLite spends longer parsing and
// planning Baton's short statements than running them, and the driver prepares afresh every
// statement run directly on a connection: preparing once cut the CPU time of a visitor's
// message by a quarter (docs/benchmarks.md). PostgreSQL needs no cache: pgx keeps one per
// connection itself.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// maxStmts bounds the cache: queries built with a variable number of parameters (IN lists,
// filters) have many texts, and the common ones are cached long before it fills.
const maxStmts = 256

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// get returns the statement for query when it is prepared already.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepare returns the statement for query, preparing it first; nil when it cannot be kept
// (the cache is full, or preparing failed: the caller then runs the query directly, and it
// reports its error itself). Preparing takes a connection of c.db: never call it while
// holding the last one.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st, full := c.m[query], len(c.m) >= maxStmts
	c.mu.Unlock()
	if st != nil || full {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		st.Close()
		return old
	}
	c.m[query] = st
	return st
}

func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	for q, st := range c.m {
		err = errors.Join(err, st.Close())
		delete(c.m, q)
	}
	return err
}

// pool is a database handle whose queries use cached prepared statements when it has a cache.
type pool struct {
	*sql.DB
	stmts *stmtCache // nil: every query goes straight to the driver
}

func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmts.prepare(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmts.prepare(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmts.prepare(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// txQueries runs a transaction's queries with the writer's prepared statements. The
// transaction holds the one writer connection, so a query not prepared yet runs directly and
// is prepared after the transaction (see (*DB).tx).
type txQueries struct {
	tx     *sql.Tx
	stmts  *stmtCache
	missed []string
	// bound are the cached statements bound to tx so far: a group commit's transaction runs
	// the same few queries for each of its callers.
	bound map[string]*sql.Stmt
}

func (q *txQueries) stmt(ctx context.Context, query string) *sql.Stmt {
	if q.stmts == nil {
		return nil
	}
	if st := q.bound[query]; st != nil {
		return st
	}
	if st := q.stmts.get(query); st != nil {
		st = q.tx.StmtContext(ctx, st) // reuses the statement prepared on this connection
		if q.bound == nil {
			q.bound = make(map[string]*sql.Stmt, 8)
		}
		q.bound[query] = st
		return st
	}
	q.missed = append(q.missed, query)
	return nil
}

func (q *txQueries) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

func (q *txQueries) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

func (q *txQueries) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}
