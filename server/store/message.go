package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/batonchat/baton/server/chat"
)

const messageColumns = `id, conversation_id, seq, visitor_seq, client_id, author_type, author_id, author_name, kind, body, data, created_at`

// messageData holds the optional parts of a message in one JSON column.
type messageData struct {
	QuickReplies []chat.QuickReply `json:"quick_replies,omitempty"`
	Form         *chat.Form        `json:"form,omitempty"`
	Event        map[string]any    `json:"event,omitempty"`
	Attachments  []messageFile     `json:"attachments,omitempty"`
}

func scanMessage(row interface{ Scan(...any) error }) (*chat.Message, error) {
	var (
		m                chat.Message
		clientID, data   *string
		authorType, kind string
		created          int64
	)
	if err := row.Scan(&m.ID, &m.ConversationID, &m.Seq, &m.VisitorSeq, &clientID, &authorType, &m.AuthorID,
		&m.AuthorName, &kind, &m.Text, &data, &created); err != nil {
		return nil, err
	}
	if clientID != nil {
		m.ClientID = *clientID
	}
	if data != nil && *data != "" {
		var d messageData
		if err := json.Unmarshal([]byte(*data), &d); err != nil {
			return nil, fmt.Errorf("message %s data: %w", m.ID, err)
		}
		m.QuickReplies, m.Form, m.Event = d.QuickReplies, d.Form, d.Event
		m.Attachments = fromMessageFiles(&m, d.Attachments)
	}
	m.AuthorType, m.Kind, m.CreatedAt = chat.AuthorType(authorType), chat.Kind(kind), fromMS(created)
	return &m, nil
}

// AppendMessage numbers and stores m. The counter update takes the conversation's row lock
// first, so concurrent appends to one conversation get consecutive numbers, never the same one.
func (t *tx) AppendMessage(c *chat.Conversation, m *chat.Message, visible bool) error {
	inc := 0
	if visible {
		inc = 1
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.db.now()
	}
	err := t.q.QueryRowContext(t.ctx, `UPDATE conversations SET last_seq = last_seq + 1, visitor_seq = visitor_seq + $2, updated_at = $3
		WHERE id = $1 RETURNING last_seq, visitor_seq`, c.ID, inc, ms(m.CreatedAt)).Scan(&c.LastSeq, &c.VisitorSeq)
	if err != nil {
		return notFound(err, "number message")
	}
	c.UpdatedAt = m.CreatedAt
	m.ConversationID, m.Seq, m.VisitorSeq = c.ID, c.LastSeq, 0
	if visible {
		m.VisitorSeq = c.VisitorSeq
	}
	var data any
	if len(m.QuickReplies) > 0 || m.Form != nil || len(m.Event) > 0 || len(m.Attachments) > 0 {
		b, err := json.Marshal(messageData{QuickReplies: m.QuickReplies, Form: m.Form, Event: m.Event,
			Attachments: toMessageFiles(m.Attachments)})
		if err != nil {
			return fmt.Errorf("message data: %w", err)
		}
		data = string(b)
	}
	_, err = t.q.ExecContext(t.ctx, `INSERT INTO messages (`+messageColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		m.ID, m.ConversationID, m.Seq, m.VisitorSeq, nullable(m.ClientID), string(m.AuthorType), m.AuthorID, m.AuthorName,
		string(m.Kind), m.Text, data, ms(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("append message: %w", err)
	}
	return nil
}

// MessageByClientID finds what an author already sent under clientID.
func (t *tx) MessageByClientID(authorID, clientID string) (*chat.Message, error) {
	m, err := scanMessage(t.q.QueryRowContext(t.ctx, `SELECT `+messageColumns+` FROM messages WHERE author_id = $1 AND client_id = $2`, authorID, clientID))
	if err != nil {
		return nil, notFound(err, "message by client id")
	}
	return m, nil
}

// Message finds a message by id.
func (t *tx) Message(id string) (*chat.Message, error) {
	m, err := scanMessage(t.q.QueryRowContext(t.ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "message")
	}
	return m, nil
}

// HumanRepliedSince reports whether an agent wrote to the visitor after seq: one indexed probe,
// however long the conversation.
func (t *tx) HumanRepliedSince(conversationID string, seq int64) (bool, error) {
	var one int
	err := t.q.QueryRowContext(t.ctx, `SELECT 1 FROM messages WHERE conversation_id = $1 AND seq > $2 AND author_type = 'agent' AND kind = 'text' LIMIT 1`,
		conversationID, seq).Scan(&one)
	if err != nil {
		if notFound(err, "") == chat.ErrNotFound {
			return false, nil
		}
		return false, fmt.Errorf("human replied since: %w", err)
	}
	return true, nil
}

// Messages returns a conversation's messages after (or before) a sequence number, in order.
func (db *DB) Messages(ctx context.Context, q chat.MessageQuery) ([]*chat.Message, bool, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	col, extra := "seq", ""
	if q.VisitorView {
		col, extra = "visitor_seq", " AND visitor_seq > 0"
	}
	lim := strconv.Itoa(limit + 1)
	var query string
	args := []any{q.ConversationID}
	if q.Before > 0 {
		// The newest page before Before, returned oldest first.
		query = `SELECT * FROM (SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = $1 AND ` + col + ` < $2` + extra +
			` ORDER BY ` + col + ` DESC LIMIT ` + lim + `) page ORDER BY ` + col
		args = append(args, q.Before)
	} else {
		query = `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = $1 AND ` + col + ` > $2` + extra +
			` ORDER BY ` + col + ` LIMIT ` + lim
		args = append(args, q.After)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var list []*chat.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, false, fmt.Errorf("list messages: %w", err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list messages: %w", err)
	}
	more := len(list) > limit
	if more {
		if q.Before > 0 {
			list = list[1:] // the extra row is the oldest
		} else {
			list = list[:limit]
		}
	}
	return list, more, nil
}
