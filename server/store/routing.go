package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/routing"
)

var (
	_ routing.Tx    = (*tx)(nil)
	_ routing.Store = (*DB)(nil)
)

// RoutingAgents returns, in the transaction, the people who may be routed the site's
// conversations: its agents (SiteIDs holding the site) and the admins; never bot accounts.
func (t *tx) RoutingAgents(siteID string) ([]*chat.Agent, error) {
	rows, err := t.q.QueryContext(t.ctx, `SELECT `+agentColumns+` FROM agents WHERE role <> 'bot'
		AND (role = 'admin' OR id IN (SELECT agent_id FROM agent_sites WHERE site_id = $1)) ORDER BY id`, siteID)
	if err != nil {
		return nil, fmt.Errorf("routing agents: %w", err)
	}
	defer rows.Close()
	var out []*chat.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("routing agents: %w", err)
		}
		if a.Role != chat.RoleAdmin {
			a.SiteIDs = []string{siteID}
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("routing agents: %w", err)
	}
	return out, nil
}

// OpenAssigned counts, in the transaction, the unresolved conversations assigned to each agent.
func (t *tx) OpenAssigned(agentIDs []string) (map[string]int, error) {
	out := make(map[string]int, len(agentIDs))
	if len(agentIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(agentIDs))
	marks := make([]string, len(agentIDs))
	for i, id := range agentIDs {
		args[i], marks[i], out[id] = id, "$"+strconv.Itoa(i+1), 0
	}
	rows, err := t.q.QueryContext(t.ctx, `SELECT assignee_id, COUNT(*) FROM conversations WHERE status = 'assigned'
		AND assignee_id IN (`+strings.Join(marks, ", ")+`) GROUP BY assignee_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("open assigned: %w", err)
	}
	if err := scanCounts(rows, out); err != nil {
		return nil, fmt.Errorf("open assigned: %w", err)
	}
	return out, nil
}

// RoutingCursor returns the agent who got the site's (or team's) last round-robin
// conversation; "" when none has yet.
func (t *tx) RoutingCursor(siteID, team string) (string, error) {
	var id string
	err := t.q.QueryRowContext(t.ctx, `SELECT last_agent_id FROM routing_cursors WHERE site_id = $1 AND team = $2`, siteID, team).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("routing cursor: %w", err)
	}
	return id, nil
}

// SetRoutingCursor records who got the last round-robin conversation.
func (t *tx) SetRoutingCursor(siteID, team, agentID string) error {
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO routing_cursors (site_id, team, last_agent_id, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (site_id, team) DO UPDATE SET last_agent_id = excluded.last_agent_id, updated_at = excluded.updated_at`,
		siteID, team, agentID, ms(t.db.now()))
	if err != nil {
		return fmt.Errorf("set routing cursor: %w", err)
	}
	return nil
}

// SetRoutingTimer stores the conversation's reassignment timer, replacing any earlier one.
func (t *tx) SetRoutingTimer(rt *routing.Timer) error {
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO routing_timers (conversation_id, site_id, agent_id, team, assigned_seq, assigned_at, due_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (conversation_id) DO UPDATE SET site_id = excluded.site_id, agent_id = excluded.agent_id, team = excluded.team,
		assigned_seq = excluded.assigned_seq, assigned_at = excluded.assigned_at, due_at = excluded.due_at`,
		rt.ConversationID, rt.SiteID, rt.AgentID, rt.Team, rt.AssignedSeq, ms(rt.AssignedAt), ms(rt.DueAt))
	if err != nil {
		return fmt.Errorf("set routing timer: %w", err)
	}
	return nil
}

// DeleteRoutingTimer removes the conversation's timer, if any.
func (t *tx) DeleteRoutingTimer(conversationID string) error {
	if _, err := t.q.ExecContext(t.ctx, `DELETE FROM routing_timers WHERE conversation_id = $1`, conversationID); err != nil {
		return fmt.Errorf("delete routing timer: %w", err)
	}
	return nil
}

// ClaimRoutingTimer deletes the timer exactly as it was read: only the one transaction that
// deletes it acts on it, so two nodes never fire it twice.
func (t *tx) ClaimRoutingTimer(rt *routing.Timer) (bool, error) {
	res, err := t.q.ExecContext(t.ctx, `DELETE FROM routing_timers WHERE conversation_id = $1 AND agent_id = $2 AND due_at = $3`,
		rt.ConversationID, rt.AgentID, ms(rt.DueAt))
	if err != nil {
		return false, fmt.Errorf("claim routing timer: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim routing timer: %w", err)
	}
	return n > 0, nil
}

// DueRoutingTimers returns up to limit timers due at now, the earliest first.
func (db *DB) DueRoutingTimers(ctx context.Context, now time.Time, limit int) ([]*routing.Timer, error) {
	return routingTimers(ctx, db.read, `WHERE due_at <= $1 ORDER BY due_at, conversation_id LIMIT $2`, ms(now), limit)
}

// RoutingTimer returns the conversation's timer, or nil when it has none.
func (db *DB) RoutingTimer(ctx context.Context, conversationID string) (*routing.Timer, error) {
	list, err := routingTimers(ctx, db.read, `WHERE conversation_id = $1`, conversationID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

func routingTimers(ctx context.Context, q querier, where string, args ...any) ([]*routing.Timer, error) {
	rows, err := q.QueryContext(ctx, `SELECT conversation_id, site_id, agent_id, team, assigned_seq, assigned_at, due_at
		FROM routing_timers `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("routing timers: %w", err)
	}
	defer rows.Close()
	var out []*routing.Timer
	for rows.Next() {
		var (
			rt            routing.Timer
			assigned, due int64
		)
		if err := rows.Scan(&rt.ConversationID, &rt.SiteID, &rt.AgentID, &rt.Team, &rt.AssignedSeq, &assigned, &due); err != nil {
			return nil, fmt.Errorf("routing timers: %w", err)
		}
		rt.AssignedAt, rt.DueAt = fromMS(assigned), fromMS(due)
		out = append(out, &rt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("routing timers: %w", err)
	}
	return out, nil
}
