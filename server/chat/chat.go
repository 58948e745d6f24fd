// Package chat holds Baton's domain: sites, visitors, conversations, messages and agents,
// the error vocabulary shared by every layer, and the storage interfaces the service needs.
// It knows nothing of HTTP, SQL or WebSockets.
package chat

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// AuthorType says who wrote a message.
type AuthorType string

// Author types.
const (
	AuthorVisitor AuthorType = "visitor"
	AuthorBot     AuthorType = "bot"
	AuthorAgent   AuthorType = "agent"
	AuthorSystem  AuthorType = "system"
)

// Kind says what a message is.
type Kind string

// Message kinds.
const (
	KindText  Kind = "text"  // a chat message everyone in the conversation sees
	KindNote  Kind = "note"  // an internal note: agents only
	KindEvent Kind = "event" // a system event such as "Alice joined the conversation"
)

// Status is the handler state of a conversation.
type Status string

// Conversation states.
const (
	StatusBot        Status = "bot"
	StatusUnassigned Status = "unassigned"
	StatusAssigned   Status = "assigned"
	StatusResolved   Status = "resolved"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusBot, StatusUnassigned, StatusAssigned, StatusResolved:
		return true
	}
	return false
}

// Role is what an agent may do.
type Role string

// Agent roles.
const (
	RoleAdmin Role = "admin" // every site, settings and agents
	RoleAgent Role = "agent" // the conversations of the sites they belong to
	// RoleBot is a realtime bot account of one site (`baton bot token`): it answers the
	// visitor messages the bot handles, never signs in, and is not counted as an agent.
	RoleBot Role = "bot"
)

// Valid reports whether r is a role a person can be given (bots are made by `baton bot token`).
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgent }

// Site is one website (what other products call a workspace) with its settings.
type Site struct {
	ID             string
	Key            string // public, goes in the script tag
	Name           string
	IdentitySecret string // signs identity tokens on the owner's backend; never sent to browsers
	Settings       []byte // the settings document as JSON; package site parses it
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Visitor is a person chatting from a site's widget.
type Visitor struct {
	ID            string            `json:"id"`
	SiteID        string            `json:"-"`
	ExternalID    string            `json:"external_id,omitempty"` // the site's own user id, from a verified identity token
	Name          string            `json:"name,omitempty"`
	Email         string            `json:"email,omitempty"`
	EmailVerified bool              `json:"email_verified"`
	Phone         string            `json:"phone,omitempty"`
	Address       string            `json:"address,omitempty"`
	Locale        string            `json:"locale,omitempty"`
	PageURL       string            `json:"page_url,omitempty"`
	PageTitle     string            `json:"page_title,omitempty"`
	Attributes    map[string]string `json:"attributes,omitempty"`
	CreatedAt     time.Time         `json:"-"`
	LastSeenAt    time.Time         `json:"-"`
}

// Conversation is one thread between a visitor and the site (bot or humans).
type Conversation struct {
	ID         string
	SiteID     string
	VisitorID  string
	Status     Status
	AssigneeID string // set when Status is StatusAssigned
	BotPaused  bool
	Tags       []string
	LastSeq    int64 // last event number, all events
	VisitorSeq int64 // last event number in the visitor's own numbering
	// Read positions: the visitor's in visitor numbering, the agents' in full numbering.
	VisitorReadSeq int64
	AgentReadSeq   int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ResolvedAt     time.Time
	// AssigneeName is filled by the service for display; it is not stored.
	AssigneeName string
}

// HasTag reports whether the conversation carries tag.
func (c *Conversation) HasTag(tag string) bool {
	for _, t := range c.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// QuickReply is a button offered under a message; clicking it sends Value.
type QuickReply struct {
	Label string `json:"label" validate:"required,max=80"`
	Value string `json:"value" validate:"required,max=200"`
}

// Form asks the visitor for something inline (for example their email); the visitor answers
// it once, with the submit_form command.
type Form struct {
	ID     string      `json:"id"`
	Fields []FormField `json:"fields"`
}

// FormField is one input of a Form. Type is text, email or tel.
type FormField struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Label string `json:"label"`
}

// Message is one sequenced event of a conversation: a chat message, a note or a system event.
type Message struct {
	ID             string
	ConversationID string
	Seq            int64 // gap-free per conversation, all events
	VisitorSeq     int64 // gap-free per conversation among visitor-visible events; 0 when hidden from the visitor
	ClientID       string
	AuthorType     AuthorType
	AuthorID       string
	AuthorName     string
	Kind           Kind
	Text           string
	QuickReplies   []QuickReply
	Form           *Form
	Event          map[string]any // for KindEvent: {"action": "...", ...}
	// Attachments are the files sent with the message, in the order the sender gave them;
	// each keeps its Secret, which the download URL carries.
	Attachments []Attachment
	CreatedAt   time.Time
}

// VisibleToVisitor reports whether the visitor may see m.
func (m *Message) VisibleToVisitor() bool { return m.VisitorSeq > 0 }

// Agent is a human (or, later, a bot account) who answers conversations.
type Agent struct {
	ID           string
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	TokenVersion int64    // bumped to revoke every token issued before
	SiteIDs      []string // sites an agent (not admin) belongs to
	CreatedAt    time.Time
}

// CanAccessSite reports whether the agent may see the site's conversations.
func (a *Agent) CanAccessSite(siteID string) bool {
	if a.Role == RoleAdmin {
		return true
	}
	for _, id := range a.SiteIDs {
		if id == siteID {
			return true
		}
	}
	return false
}

// NewID returns a new time-ordered id with a readable prefix such as "cv" or "ms".
func NewID(prefix string) string {
	u := uuid.Must(uuid.NewV7())
	return prefix + "_" + strings.ReplaceAll(u.String(), "-", "")
}
