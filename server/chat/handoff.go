package chat

import (
	"context"
	"time"
)

// Handoff is where a conversation's handoff flow stands: package handoff runs the flow, the
// store keeps this record beside the conversation so a restart continues where it was.
type Handoff struct {
	ConversationID string
	SiteID         string
	State          string // the flow's state (package handoff names them)
	Method         string // how the team is reached: inbox, zendesk, gorgias, email, webhook, message
	Reason         string // why the bot handed over (bot.Reason)
	Tag            string // the tag that asked for a person, for reason tag
	Locale         string // the visitor's language, for the flow's texts
	Email          string // where the visitor wants the reply (given in the flow, or verified)
	Tries          int    // answers to the email question that were not an email address
	Outcome        string // how the last handoff ended: team, offline, ticket, failed, message, declined
	TicketRef      string // the helpdesk's reference (ticket id, message id) once delivered
	OfferedAt      time.Time
	ConsentedAt    time.Time
	FirstReplyAt   time.Time // the first message of a person after the consent
	UpdatedAt      time.Time
}

// HandoffEvent is one countable step of a handoff (offered, accepted, declined, …), kept for
// the dashboard's numbers.
type HandoffEvent struct {
	ID             string
	SiteID         string
	ConversationID string
	Kind           string
	At             time.Time
}

// HandoffTx is the part of a transaction that keeps the handoff flow's state, so the flow
// changes its state in the same commit as the conversation. The store's transactions
// implement it.
type HandoffTx interface {
	// Handoff returns the conversation's handoff record, or ErrNotFound.
	Handoff(conversationID string) (*Handoff, error)
	// SaveHandoff inserts or replaces the record.
	SaveHandoff(h *Handoff) error
	// AddHandoffEvent records one step for the numbers.
	AddHandoffEvent(e *HandoffEvent) error
}

// StatsQuery selects the conversations a site's numbers are about: those started in
// [From, To), optionally only those carrying Tag.
type StatsQuery struct {
	SiteID   string
	From, To time.Time
	Tag      string
}

// HandoffCounts are the raw numbers behind the dashboard, for the conversations a StatsQuery
// selects.
type HandoffCounts struct {
	Conversations int
	// Tagged counts the conversations carrying each of the tags asked for.
	Tagged map[string]int
	// TaggedAny counts the conversations carrying at least one of the tags asked for.
	TaggedAny int
	// Events counts handoff events by kind.
	Events map[string]int
	// ReplyDelays are, per conversation with both, the time from the visitor's consent to the
	// first message of a person.
	ReplyDelays []time.Duration
}

// HandoffStore reads what the handoff flow stored.
type HandoffStore interface {
	Handoff(ctx context.Context, conversationID string) (*Handoff, error)
	// HandoffCounts counts the selected conversations, those carrying the given tags, and
	// their handoff events.
	HandoffCounts(ctx context.Context, q StatsQuery, tags []string) (*HandoffCounts, error)
	// OpenAssigned counts, for each agent, the unresolved conversations assigned to them.
	OpenAssigned(ctx context.Context, agentIDs []string) (map[string]int, error)
}
