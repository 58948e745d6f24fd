package store

import (
	"context"
	"fmt"
	"strings"
)

// ExplainInboxCounts returns the database's plan for InboxCounts's statement, one line per
// step, for tests that check the counts use indexes.
func (db *DB) ExplainInboxCounts(ctx context.Context, siteID, agentID string, views [][]string) (string, error) {
	q, args := inboxCountsSQL(db.kind == "sqlite", siteID, agentID, views)
	explain := "EXPLAIN "
	if db.kind == "sqlite" {
		explain = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.read.QueryContext(ctx, explain+q, args...)
	if err != nil {
		return "", fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// Vacuum is what autovacuum does on a live PostgreSQL database (the visibility map that lets
// a count read an index alone, and the planner's statistics); ANALYZE on SQLite.
func (db *DB) Vacuum(ctx context.Context) error {
	q := "ANALYZE"
	if db.kind != "sqlite" {
		q = "VACUUM ANALYZE"
	}
	_, err := db.write.ExecContext(ctx, q)
	return err
}
