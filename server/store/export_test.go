package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/batonchat/baton/server/chat"
)

// ExplainConversations returns the database's plan for the list query of f, one line per step,
// for tests that check the inbox's queries use indexes.
func (db *DB) ExplainConversations(ctx context.Context, f chat.ConversationFilter) (string, error) {
	p, err := conversationList(f)
	if err != nil {
		return "", err
	}
	return db.explain(ctx, p.sql(conversationColumns, "conversations"), p.args...)
}

// ExplainInboxCounts returns the database's plan for InboxCounts's statement, one line per
// step, for tests that check the counts use indexes.
func (db *DB) ExplainInboxCounts(ctx context.Context, siteID, agentID string, views [][]string) (string, error) {
	q, args := inboxCountsSQL(db.kind == "sqlite", siteID, agentID, views)
	return db.explain(ctx, q, args...)
}

// explain returns the database's plan for q, one line per step (the last column of each row).
func (db *DB) explain(ctx context.Context, q string, args ...any) (string, error) {
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

// Analyze refreshes the planner's statistics.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, "ANALYZE")
	return err
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
