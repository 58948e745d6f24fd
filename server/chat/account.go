package chat

import "time"

// Session is a console sign-in. The browser's cookie holds a random secret; Baton stores only
// its hash, so a copy of the database signs nobody in, and deleting the row ends the session.
type Session struct {
	ID           string
	AgentID      string
	SecretHash   string
	TokenVersion int64 // the agent's token version at sign-in: a password change revokes the session
	UserAgent    string
	IP           string
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time // sliding: pushed on use, never past CreatedAt plus the hard maximum
}

// PasswordLink kinds: an invitation (a new agent sets a first password) or a reset.
const (
	LinkInvite = "invite"
	LinkReset  = "reset"
)

// PasswordLink is a one-time link that lets an agent set their password; only the hash of its
// token is stored.
type PasswordLink struct {
	Hash      string
	AgentID   string
	Kind      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Notification kinds, told to one agent live (not stored: what they are about is in the
// transcript).
const (
	NotifyMention  = "mention"    // mentioned in an internal note
	NotifyTakeover = "takeover"   // another agent replied in my conversation and took it
	NotifyAssigned = "assigned"   // someone else assigned a conversation to me
	NotifyWaiting  = "unassigned" // a conversation of my site started waiting for a human (every agent of the site)
)

// Notification is a heads-up for one agent.
type Notification struct {
	Kind           string
	AgentID        string // who is told
	SiteID         string
	ConversationID string
	MessageID      string
	By             Author
	Text           string
	CreatedAt      time.Time
}
