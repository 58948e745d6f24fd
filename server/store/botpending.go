package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/batonchat/baton/server/chat"
)

// UnansweredVisitorMessages returns, oldest first, at most limit visitor text messages created
// at or after since that are still the last message the visitor sees in a conversation the bot
// handles (status bot, bot not paused): no bot, agent or system reply came after them. They are
// the bot turns a crash may have left pending (bot.Engine.Replay). The conversation's
// visitor_seq names its last visible message, so each candidate conversation costs one indexed
// look-up; candidates come from the per-site status index, recently updated ones only.
func (db *DB) UnansweredVisitorMessages(ctx context.Context, since time.Time, limit int) ([]*chat.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	cols := "m.id, m.conversation_id, m.seq, m.visitor_seq, m.client_id, m.author_type, m.author_id, m.author_name, m.kind, m.body, m.data, m.created_at"
	rows, err := db.read.QueryContext(ctx, `SELECT `+cols+` FROM sites s
		JOIN conversations c ON c.site_id = s.id AND c.status = $1 AND c.updated_at >= $2
		JOIN messages m ON m.conversation_id = c.id AND m.visitor_seq = c.visitor_seq
		WHERE c.visitor_seq > 0 AND c.bot_paused = $3 AND m.author_type = $4 AND m.kind = $5 AND m.created_at >= $2
		ORDER BY m.created_at, m.id LIMIT `+strconv.Itoa(limit),
		string(chat.StatusBot), ms(since), false, string(chat.AuthorVisitor), string(chat.KindText))
	if err != nil {
		return nil, fmt.Errorf("unanswered visitor messages: %w", err)
	}
	defer rows.Close()
	var list []*chat.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("unanswered visitor messages: %w", err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unanswered visitor messages: %w", err)
	}
	return list, nil
}
