package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/batonchat/baton/server/chat"
)

// InboxCounts counts a site's conversations in every inbox tab for one agent in one statement
// (one snapshot, so the numbers agree with each other), each part served by an index: the
// statuses grouped on conversations_site_status, the agent's on conversations_assignee, and each
// view walking the site's unresolved conversations on conversations_site_status with their tags
// checked on the primary key of conversation_tags (checked with EXPLAIN by
// BenchmarkInboxCounts10000). views holds each view's tags (any of them).
func (db *DB) InboxCounts(ctx context.Context, siteID, agentID string, views [][]string) (*chat.InboxCounts, error) {
	q, args := inboxCountsSQL(db.kind == "sqlite", siteID, agentID, views)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("inbox counts: %w", err)
	}
	defer rows.Close()
	out := &chat.InboxCounts{Views: make([]int, len(views))}
	for rows.Next() {
		var (
			key string
			n   int64
		)
		if err := rows.Scan(&key, &n); err != nil {
			return nil, fmt.Errorf("inbox counts: %w", err)
		}
		switch key {
		case string(chat.StatusBot):
			out.Bot = int(n)
			out.Open += int(n)
		case string(chat.StatusUnassigned):
			out.Unassigned = int(n)
			out.Open += int(n)
		case string(chat.StatusAssigned):
			out.Open += int(n)
		case string(chat.StatusResolved):
			out.Closed = int(n)
		case "~me":
			out.Me = int(n)
		default:
			if i, ok := strings.CutPrefix(key, "~view:"); ok {
				if v, err := strconv.Atoi(i); err == nil && v >= 0 && v < len(views) {
					out.Views[v] = int(n)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox counts: %w", err)
	}
	return out, nil
}

// inboxCountsSQL is InboxCounts's statement: the counts by status, then the agent's ("~me"),
// then one row per view ("~view:N"); keys start with "~", which no status does. The views are
// counted from one walk of the site's unresolved conversations joined with their tags that any
// view names, grouped by conversation with a column per view and materialized once; each view
// then counts its column. On SQLite, CROSS JOIN keeps the planner from scanning every site's
// tags first, and matching on the tag joined to an empty string reads each conversation's tags
// with one look-up on the primary key of conversation_tags instead of one on the tag index per
// tag.
func inboxCountsSQL(sqlite bool, siteID, agentID string, views [][]string) (string, []any) {
	args := []any{siteID, agentID}
	const open = `status IN ('bot', 'unassigned', 'assigned')`
	parts := []string{
		`SELECT status, COUNT(*) FROM conversations WHERE site_id = $1 GROUP BY status`,
		`SELECT '~me', COUNT(*) FROM conversations WHERE assignee_id = $2 AND ` + open + ` AND site_id = $1`,
	}
	mark := map[string]string{} // tag → its placeholder
	var all []string
	for _, tags := range views {
		for _, t := range tags {
			if _, ok := mark[t]; !ok {
				args = append(args, t)
				mark[t] = "$" + strconv.Itoa(len(args))
				all = append(all, mark[t])
			}
		}
	}
	with, cols := "", ""
	for i, tags := range views {
		if len(tags) == 0 {
			continue
		}
		marks := make([]string, len(tags))
		for j, t := range tags {
			marks[j] = mark[t]
		}
		v := "v" + strconv.Itoa(i)
		cols += `, MAX(CASE WHEN t.tag IN (` + strings.Join(marks, ", ") + `) THEN 1 ELSE 0 END) AS ` + v
		parts = append(parts, `SELECT '~view:`+strconv.Itoa(i)+`', COUNT(*) FROM tagged WHERE `+v+` = 1`)
	}
	tag := "t.tag"
	if sqlite {
		tag = "t.tag || ''"
	}
	if len(all) > 0 {
		with = `WITH tagged AS MATERIALIZED (SELECT c.id` + cols + ` FROM conversations c CROSS JOIN conversation_tags t` +
			` WHERE t.conversation_id = c.id AND c.site_id = $1 AND c.` + open + ` AND ` + tag + ` IN (` + strings.Join(all, ", ") + `)` +
			` GROUP BY c.id) `
	}
	return with + strings.Join(parts, " UNION ALL "), args
}
