package chat

import (
	"context"
	"time"
)

// Store is Baton's durable storage. Reads outside a transaction see committed data; every
// change that must be atomic goes through Tx. Implementations: SQLite and PostgreSQL (package
// store), checked by one conformance suite.
type Store interface {
	CreateSite(ctx context.Context, s *Site) error
	UpdateSite(ctx context.Context, s *Site) error
	SiteByKey(ctx context.Context, key string) (*Site, error)
	SiteByID(ctx context.Context, id string) (*Site, error)
	Sites(ctx context.Context) ([]*Site, error)

	CreateAgent(ctx context.Context, a *Agent) error
	UpdateAgent(ctx context.Context, a *Agent) error
	AgentByID(ctx context.Context, id string) (*Agent, error)
	AgentByEmail(ctx context.Context, email string) (*Agent, error)
	Agents(ctx context.Context) ([]*Agent, error)

	Visitor(ctx context.Context, id string) (*Visitor, error)
	// VisitorByExternalID finds a site's verified visitor by the site's own user id, or ErrNotFound.
	VisitorByExternalID(ctx context.Context, siteID, externalID string) (*Visitor, error)
	Conversation(ctx context.Context, id string) (*Conversation, error)
	Conversations(ctx context.Context, f ConversationFilter) (list []*Conversation, next string, err error)
	Messages(ctx context.Context, q MessageQuery) (list []*Message, more bool, err error)
	// OpenConversation returns the visitor's unresolved conversation, or ErrNotFound.
	OpenConversation(ctx context.Context, visitorID string) (*Conversation, error)
	// OpenConversationID is OpenConversation for who needs only the id: one indexed lookup.
	OpenConversationID(ctx context.Context, visitorID string) (string, error)

	// Secret returns the named server secret, creating it with gen on first use.
	Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)

	// Tx runs fn in one transaction: all of it commits, or none of it. A commit that returns
	// nil is durable. fn may be run again when the database reports a conflict.
	Tx(ctx context.Context, fn func(Tx) error) error
	Ping(ctx context.Context) error
	Close() error
}

// Tx is the set of changes made inside one transaction.
type Tx interface {
	Visitor(id string) (*Visitor, error)
	// EnsureVisitor inserts v unless a visitor with its id exists.
	EnsureVisitor(v *Visitor) error
	SaveVisitor(v *Visitor) error

	// Conversation returns the conversation and locks it until the transaction ends.
	Conversation(id string) (*Conversation, error)
	OpenConversation(visitorID string) (*Conversation, error)
	CreateConversation(c *Conversation) error
	// SaveConversation stores status, assignee, bot pause, read positions and times; never the sequence.
	SaveConversation(c *Conversation) error
	// AddTag and RemoveTag report whether anything changed; they update c.Tags.
	AddTag(c *Conversation, tag string) (bool, error)
	RemoveTag(c *Conversation, tag string) (bool, error)

	// AppendMessage gives m the conversation's next sequence number (and the next visitor
	// sequence number when visible), stores it and advances c's counters.
	AppendMessage(c *Conversation, m *Message, visible bool) error
	// MessageByClientID finds a message an author already sent with this client id.
	MessageByClientID(authorID, clientID string) (*Message, error)
	// Message finds a message by id.
	Message(id string) (*Message, error)
	// HumanRepliedSince reports whether an agent wrote to the visitor after seq.
	HumanRepliedSince(conversationID string, seq int64) (bool, error)
}

// ConversationFilter selects conversations for a list, newest activity first.
type ConversationFilter struct {
	SiteID     string
	Statuses   []Status // empty: any
	AssigneeID string
	Tag        string
	VisitorID  string
	Limit      int    // 1..200, default 50
	Cursor     string // from a previous page's next
	// AnyTags keeps the conversations carrying at least one of these tags (an inbox view).
	AnyTags []string
}

// MessageQuery selects messages of one conversation in sequence order.
type MessageQuery struct {
	ConversationID string
	After          int64 // seq > After
	Before         int64 // seq < Before, when > 0; the newest Limit before it
	Limit          int   // 1..500, default 100
	VisitorView    bool  // only visitor-visible messages, numbered by VisitorSeq
}

// Clock returns the current time; injected so time-based rules are testable.
type Clock func() time.Time
