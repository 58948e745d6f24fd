package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/chat"
)

var (
	_ chat.HandoffTx    = (*tx)(nil)
	_ chat.HandoffStore = (*DB)(nil)
)

const handoffColumns = `conversation_id, site_id, state, method, reason, tag, locale, email, tries, outcome, ticket_ref,
	offered_at, consented_at, first_reply_at, updated_at`

func scanHandoff(row interface{ Scan(...any) error }) (*chat.Handoff, error) {
	var (
		h                                 chat.Handoff
		offered, consented, first, update int64
	)
	if err := row.Scan(&h.ConversationID, &h.SiteID, &h.State, &h.Method, &h.Reason, &h.Tag, &h.Locale, &h.Email, &h.Tries,
		&h.Outcome, &h.TicketRef, &offered, &consented, &first, &update); err != nil {
		return nil, err
	}
	h.OfferedAt, h.ConsentedAt, h.FirstReplyAt, h.UpdatedAt = fromMS(offered), fromMS(consented), fromMS(first), fromMS(update)
	return &h, nil
}

func handoffByConversation(ctx context.Context, q querier, id string) (*chat.Handoff, error) {
	h, err := scanHandoff(q.QueryRowContext(ctx, `SELECT `+handoffColumns+` FROM handoffs WHERE conversation_id = $1`, id))
	if err != nil {
		return nil, notFound(err, "handoff")
	}
	return h, nil
}

// Handoff returns a conversation's handoff record.
func (db *DB) Handoff(ctx context.Context, conversationID string) (*chat.Handoff, error) {
	return handoffByConversation(ctx, db.read, conversationID)
}

// Handoff returns a conversation's handoff record inside the transaction (the conversation's
// lock, taken first by the caller, keeps it from changing under us).
func (t *tx) Handoff(conversationID string) (*chat.Handoff, error) {
	return handoffByConversation(t.ctx, t.q, conversationID)
}

// SaveHandoff inserts or replaces a conversation's handoff record.
func (t *tx) SaveHandoff(h *chat.Handoff) error {
	if h.UpdatedAt.IsZero() {
		h.UpdatedAt = t.db.now()
	}
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO handoffs (`+handoffColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, method = excluded.method, reason = excluded.reason,
		tag = excluded.tag, locale = excluded.locale, email = excluded.email, tries = excluded.tries, outcome = excluded.outcome,
		ticket_ref = excluded.ticket_ref, offered_at = excluded.offered_at, consented_at = excluded.consented_at,
		first_reply_at = excluded.first_reply_at, updated_at = excluded.updated_at`,
		h.ConversationID, h.SiteID, h.State, h.Method, h.Reason, h.Tag, h.Locale, h.Email, h.Tries, h.Outcome, h.TicketRef,
		ms(h.OfferedAt), ms(h.ConsentedAt), ms(h.FirstReplyAt), ms(h.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save handoff: %w", err)
	}
	return nil
}

// AddHandoffEvent records one step of a handoff.
func (t *tx) AddHandoffEvent(e *chat.HandoffEvent) error {
	if e.ID == "" {
		e.ID = chat.NewID("he")
	}
	if e.At.IsZero() {
		e.At = t.db.now()
	}
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO handoff_events (id, site_id, conversation_id, kind, at) VALUES ($1, $2, $3, $4, $5)`,
		e.ID, e.SiteID, e.ConversationID, e.Kind, ms(e.At))
	if err != nil {
		return fmt.Errorf("add handoff event: %w", err)
	}
	return nil
}

// HandoffCounts counts a site's conversations started in the range (optionally with a tag),
// those of them carrying each of tags, and their handoff events.
func (db *DB) HandoffCounts(ctx context.Context, q chat.StatsQuery, tags []string) (*chat.HandoffCounts, error) {
	args := []any{q.SiteID, ms(q.From), ms(q.To)}
	selected := `SELECT id FROM conversations WHERE site_id = $1 AND created_at >= $2 AND created_at < $3`
	if q.Tag != "" {
		args = append(args, q.Tag)
		selected += ` AND id IN (SELECT conversation_id FROM conversation_tags WHERE tag = $4)`
	}
	out := &chat.HandoffCounts{Tagged: map[string]int{}, Events: map[string]int{}}
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+selected+`) c`, args...).Scan(&out.Conversations); err != nil {
		return nil, fmt.Errorf("count conversations: %w", err)
	}
	if len(tags) > 0 {
		targs := append([]any(nil), args...)
		marks := make([]string, len(tags))
		for i, tag := range tags {
			targs = append(targs, tag)
			marks[i] = "$" + strconv.Itoa(len(targs))
		}
		rows, err := db.read.QueryContext(ctx, `SELECT tag, COUNT(*) FROM conversation_tags WHERE conversation_id IN (`+selected+`)
			AND tag IN (`+strings.Join(marks, ", ")+`) GROUP BY tag`, targs...)
		if err != nil {
			return nil, fmt.Errorf("count tags: %w", err)
		}
		if err := scanCounts(rows, out.Tagged); err != nil {
			return nil, fmt.Errorf("count tags: %w", err)
		}
		err = db.read.QueryRowContext(ctx, `SELECT COUNT(DISTINCT conversation_id) FROM conversation_tags WHERE conversation_id IN (`+
			selected+`) AND tag IN (`+strings.Join(marks, ", ")+`)`, targs...).Scan(&out.TaggedAny)
		if err != nil {
			return nil, fmt.Errorf("count tags: %w", err)
		}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT kind, COUNT(*) FROM handoff_events WHERE conversation_id IN (`+selected+`) GROUP BY kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("count handoff events: %w", err)
	}
	if err := scanCounts(rows, out.Events); err != nil {
		return nil, fmt.Errorf("count handoff events: %w", err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT consented_at, first_reply_at FROM handoffs WHERE conversation_id IN (`+selected+`)
		AND consented_at > 0 AND first_reply_at >= consented_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("reply delays: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var consented, first int64
		if err := rows.Scan(&consented, &first); err != nil {
			return nil, fmt.Errorf("reply delays: %w", err)
		}
		out.ReplyDelays = append(out.ReplyDelays, time.Duration(first-consented)*time.Millisecond)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reply delays: %w", err)
	}
	return out, nil
}

func scanCounts(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}, into map[string]int) error {
	defer rows.Close()
	for rows.Next() {
		var (
			k string
			n int
		)
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		into[k] = n
	}
	return rows.Err()
}

// OpenAssigned counts, per agent, the unresolved conversations assigned to them on every site.
func (db *DB) OpenAssigned(ctx context.Context, agentIDs []string) (map[string]int, error) {
	out := make(map[string]int, len(agentIDs))
	if len(agentIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(agentIDs))
	marks := make([]string, len(agentIDs))
	for i, id := range agentIDs {
		args[i] = id
		marks[i] = "$" + strconv.Itoa(i+1)
		out[id] = 0
	}
	rows, err := db.read.QueryContext(ctx, `SELECT assignee_id, COUNT(*) FROM conversations WHERE status = 'assigned'
		AND assignee_id IN (`+strings.Join(marks, ", ")+`) GROUP BY assignee_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("open assigned: %w", err)
	}
	if err := scanCounts(rows, out); err != nil {
		return nil, fmt.Errorf("open assigned: %w", err)
	}
	return out, nil
}
