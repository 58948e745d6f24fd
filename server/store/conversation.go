package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/chat"
)

const conversationColumns = `id, site_id, visitor_id, status, assignee_id, bot_paused, last_seq, visitor_seq, visitor_read_seq, agent_read_seq, created_at, updated_at, resolved_at`

func scanConversation(row interface{ Scan(...any) error }) (*chat.Conversation, error) {
	var (
		c                          chat.Conversation
		status                     string
		assignee                   *string
		created, updated, resolved int64
	)
	if err := row.Scan(&c.ID, &c.SiteID, &c.VisitorID, &status, &assignee, &c.BotPaused, &c.LastSeq, &c.VisitorSeq,
		&c.VisitorReadSeq, &c.AgentReadSeq, &created, &updated, &resolved); err != nil {
		return nil, err
	}
	c.Status = chat.Status(status)
	if assignee != nil {
		c.AssigneeID = *assignee
	}
	c.CreatedAt, c.UpdatedAt, c.ResolvedAt = fromMS(created), fromMS(updated), fromMS(resolved)
	return &c, nil
}

// Conversation finds a conversation by id, with its tags.
func (db *DB) Conversation(ctx context.Context, id string) (*chat.Conversation, error) {
	return conversationWhere(ctx, db.read, `id = $1`, "", id)
}

// OpenConversation finds the visitor's unresolved conversation.
func (db *DB) OpenConversation(ctx context.Context, visitorID string) (*chat.Conversation, error) {
	return conversationWhere(ctx, db.read, `visitor_id = $1 AND status <> 'resolved'`, "", visitorID)
}

// OpenConversationID finds the id of the visitor's unresolved conversation.
func (db *DB) OpenConversationID(ctx context.Context, visitorID string) (string, error) {
	var id string
	if err := db.read.QueryRowContext(ctx, `SELECT id FROM conversations WHERE visitor_id = $1 AND status <> 'resolved'`, visitorID).Scan(&id); err != nil {
		return "", notFound(err, "open conversation")
	}
	return id, nil
}

// Conversation finds and locks a conversation.
func (t *tx) Conversation(id string) (*chat.Conversation, error) {
	return conversationWhere(t.ctx, t.q, `id = $1`, t.db.forUpdate, id)
}

// OpenConversation finds and locks the visitor's unresolved conversation.
func (t *tx) OpenConversation(visitorID string) (*chat.Conversation, error) {
	return conversationWhere(t.ctx, t.q, `visitor_id = $1 AND status <> 'resolved'`, t.db.forUpdate, visitorID)
}

func conversationWhere(ctx context.Context, q querier, where, suffix string, arg any) (*chat.Conversation, error) {
	c, err := scanConversation(q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE `+where+suffix, arg))
	if err != nil {
		return nil, notFound(err, "conversation")
	}
	if err := loadTags(ctx, q, []*chat.Conversation{c}); err != nil {
		return nil, err
	}
	return c, nil
}

func loadTags(ctx context.Context, q querier, list []*chat.Conversation) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[string]*chat.Conversation, len(list))
	args := make([]any, len(list))
	marks := make([]string, len(list))
	for i, c := range list {
		byID[c.ID] = c
		c.Tags = []string{}
		args[i] = c.ID
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT conversation_id, tag FROM conversation_tags WHERE conversation_id IN (`+
		strings.Join(marks, ", ")+`) ORDER BY created_at, tag`, args...)
	if err != nil {
		return fmt.Errorf("conversation tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("conversation tags: %w", err)
		}
		byID[id].Tags = append(byID[id].Tags, tag)
	}
	return rows.Err()
}

// CreateConversation stores a new conversation; a second open conversation of the same visitor
// is refused by the database (and the transaction retried).
func (t *tx) CreateConversation(c *chat.Conversation) error {
	now := t.db.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.UpdatedAt = now
	if c.Tags == nil {
		c.Tags = []string{}
	}
	_, err := t.q.ExecContext(t.ctx, `INSERT INTO conversations (`+conversationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.SiteID, c.VisitorID, string(c.Status), nullable(c.AssigneeID), c.BotPaused, c.LastSeq, c.VisitorSeq,
		c.VisitorReadSeq, c.AgentReadSeq, ms(c.CreatedAt), ms(c.UpdatedAt), ms(c.ResolvedAt))
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	return nil
}

// SaveConversation stores everything but the sequence counters.
func (t *tx) SaveConversation(c *chat.Conversation) error {
	c.UpdatedAt = t.db.now()
	res, err := t.q.ExecContext(t.ctx, `UPDATE conversations SET status = $2, assignee_id = $3, bot_paused = $4,
		visitor_read_seq = $5, agent_read_seq = $6, updated_at = $7, resolved_at = $8 WHERE id = $1`,
		c.ID, string(c.Status), nullable(c.AssigneeID), c.BotPaused, c.VisitorReadSeq, c.AgentReadSeq, ms(c.UpdatedAt), ms(c.ResolvedAt))
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.ErrNotFound
	}
	return nil
}

// AddTag tags a conversation.
func (t *tx) AddTag(c *chat.Conversation, tag string) (bool, error) {
	res, err := t.q.ExecContext(t.ctx, `INSERT INTO conversation_tags (conversation_id, tag, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		c.ID, tag, ms(t.db.now()))
	if err != nil {
		return false, fmt.Errorf("add tag: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	c.Tags = append(c.Tags, tag)
	return true, nil
}

// RemoveTag untags a conversation.
func (t *tx) RemoveTag(c *chat.Conversation, tag string) (bool, error) {
	res, err := t.q.ExecContext(t.ctx, `DELETE FROM conversation_tags WHERE conversation_id = $1 AND tag = $2`, c.ID, tag)
	if err != nil {
		return false, fmt.Errorf("remove tag: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	kept := c.Tags[:0]
	for _, t := range c.Tags {
		if t != tag {
			kept = append(kept, t)
		}
	}
	c.Tags = kept
	return true, nil
}

// Conversations lists conversations by most recent activity, a page at a time.
func (db *DB) Conversations(ctx context.Context, f chat.ConversationFilter) ([]*chat.Conversation, string, error) {
	p, err := conversationList(f)
	if err != nil {
		return nil, "", err
	}
	rows, err := db.read.QueryContext(ctx, p.sql(conversationColumns, "conversations"), p.args...)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	defer rows.Close()
	var list []*chat.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list conversations: %w", err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	list, next := cut(p, list, func(c *chat.Conversation) (time.Time, string) { return c.UpdatedAt, c.ID })
	if err := loadTags(ctx, db.read, list); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// conversationList builds the list query of a filter; every form of it is served by an index
// (checked with EXPLAIN by BenchmarkConversationList10000).
func conversationList(f chat.ConversationFilter) (*page, error) {
	p := newPage("updated_at", f.Limit)
	p.where("site_id = " + p.arg(f.SiteID))
	if len(f.Statuses) > 0 {
		marks := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			marks[i] = p.arg(string(s))
		}
		p.where("status IN (" + strings.Join(marks, ", ") + ")")
	}
	if f.AssigneeID != "" {
		p.where("assignee_id = " + p.arg(f.AssigneeID))
	}
	if f.VisitorID != "" {
		p.where("visitor_id = " + p.arg(f.VisitorID))
	}
	if f.Tag != "" {
		p.where("id IN (SELECT conversation_id FROM conversation_tags WHERE tag = " + p.arg(f.Tag) + ")")
	}
	if len(f.AnyTags) > 0 {
		marks := make([]string, len(f.AnyTags))
		for i, t := range f.AnyTags {
			marks[i] = p.arg(t)
		}
		// Checked row by row while walking the site's conversations newest first (the primary
		// key of conversation_tags answers each), so a page stops after its 100 rows instead of
		// sorting every tagged conversation of every site.
		p.where("EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = conversations.id AND t.tag IN (" + strings.Join(marks, ", ") + "))")
	}
	if err := p.after(f.Cursor); err != nil {
		return nil, err
	}
	return p, nil
}

func encodeCursor(at int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + ":" + id))
}

func decodeCursor(s string) (int64, string, error) {
	bad := chat.Errorf(chat.EInvalid, "cursor: not a cursor returned by this API")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, "", bad
	}
	at, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" {
		return 0, "", bad
	}
	return n, id, nil
}
