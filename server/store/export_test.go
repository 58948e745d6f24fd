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
	explain := "EXPLAIN "
	if db.kind == "sqlite" {
		explain = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.read.QueryContext(ctx, explain+p.sql(conversationColumns, "conversations"), p.args...)
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
