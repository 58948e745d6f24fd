// Package wire is the JSON shape of Baton's APIs: the objects (messages, conversations,
// visitors) that REST and the realtime API share, and the realtime frames. Visitors get their
// own view: their own sequence numbers, no notes, no tags.
package wire

import (
	"time"

	"github.com/batonchat/baton/server/chat"
)

// Author is who wrote a message.
type Author = chat.Author

// Message is a message as clients see it.
type Message struct {
	ID             string            `json:"id"`
	ConversationID string            `json:"conversation_id"`
	Seq            int64             `json:"seq"`
	ClientID       string            `json:"client_id,omitempty"`
	Author         Author            `json:"author"`
	Kind           chat.Kind         `json:"kind"`
	Text           string            `json:"text"`
	QuickReplies   []chat.QuickReply `json:"quick_replies,omitempty"`
	Form           *chat.Form        `json:"form,omitempty"`
	Event          map[string]any    `json:"event,omitempty"`
	Attachments    []Attachment      `json:"attachments,omitempty"`
	CreatedAt      int64             `json:"created_at"`
}

// NewMessage renders m for an agent, or for the visitor (their numbering, event details hidden).
func NewMessage(m *chat.Message, visitor bool) *Message {
	out := &Message{
		ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, ClientID: m.ClientID,
		Author: Author{Type: m.AuthorType, ID: m.AuthorID, Name: m.AuthorName},
		Kind:   m.Kind, Text: m.Text, QuickReplies: m.QuickReplies, Form: m.Form, Event: m.Event,
		Attachments: newAttachments(m.Attachments), CreatedAt: millis(m.CreatedAt),
	}
	if visitor {
		out.Seq = m.VisitorSeq
		if m.AuthorType != chat.AuthorVisitor {
			out.ClientID = ""
		}
		if m.Event != nil {
			out.Event = map[string]any{"action": m.Event["action"]}
		}
	}
	return out
}

// NewMessages renders a list.
func NewMessages(list []*chat.Message, visitor bool) []*Message {
	out := make([]*Message, 0, len(list))
	for _, m := range list {
		out = append(out, NewMessage(m, visitor))
	}
	return out
}

// Assignee is the agent handling a conversation.
type Assignee struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Conversation is a conversation as clients see it.
type Conversation struct {
	ID         string      `json:"id"`
	SiteID     string      `json:"site_id"`
	VisitorID  string      `json:"visitor_id"`
	Status     chat.Status `json:"status"`
	Assignee   *Assignee   `json:"assignee"`
	Tags       any         `json:"tags,omitempty"` // []string for agents; absent for visitors
	BotPaused  bool        `json:"bot_paused,omitempty"`
	LastSeq    int64       `json:"last_seq"`
	ReadSeq    int64       `json:"read_seq"` // the reader's side: the visitor's or the agents'
	CreatedAt  int64       `json:"created_at"`
	UpdatedAt  int64       `json:"updated_at"`
	ResolvedAt int64       `json:"resolved_at,omitempty"`
}

// NewConversation renders c for an agent or for its visitor.
func NewConversation(c *chat.Conversation, visitor bool) *Conversation {
	if c == nil {
		return nil
	}
	out := &Conversation{
		ID: c.ID, SiteID: c.SiteID, VisitorID: c.VisitorID, Status: c.Status, Tags: c.Tags, BotPaused: c.BotPaused,
		LastSeq: c.LastSeq, ReadSeq: c.AgentReadSeq,
		CreatedAt: millis(c.CreatedAt), UpdatedAt: millis(c.UpdatedAt), ResolvedAt: millis(c.ResolvedAt),
	}
	if c.Tags == nil {
		out.Tags = []string{}
	}
	if c.AssigneeID != "" {
		out.Assignee = &Assignee{ID: c.AssigneeID, Name: c.AssigneeName}
	}
	if visitor {
		out.LastSeq, out.ReadSeq, out.Tags, out.BotPaused = c.VisitorSeq, c.VisitorReadSeq, nil, false
		if out.Assignee != nil {
			out.Assignee.ID = ""
		}
	}
	return out
}

// NewConversations renders a list for agents.
func NewConversations(list []*chat.Conversation) []*Conversation {
	out := make([]*Conversation, 0, len(list))
	for _, c := range list {
		out = append(out, NewConversation(c, false))
	}
	return out
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
