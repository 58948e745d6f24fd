package chat

import "context"

// EventType names what happened.
type EventType string

// Event types, one per realtime event frame.
const (
	EventMessage      EventType = "message"
	EventConversation EventType = "conversation"
	EventTyping       EventType = "typing"
	EventRead         EventType = "read"
	EventPresence     EventType = "presence"
	// EventVisitor is a visitor's details edited by an agent: the site's agents only.
	EventVisitor EventType = "visitor"
)

// Event is something that happened, published after it is committed. The realtime hub
// decides who receives it: the site's agents always, the visitor only what is visible to them.
type Event struct {
	Type         EventType
	SiteID       string
	VisitorID    string
	Conversation *Conversation // message and conversation events: the state after the change
	Message      *Message      // message events
	Author       Author        // typing and read events
	Typing       bool
	Seq          int64 // read events
	Agent        *Agent
	Presence     string   // presence events: online, away, offline
	Visitor      *Visitor // visitor events: the details after the change
	// AgentsOnly keeps typing and read events of agents (and notes) from the visitor.
	AgentsOnly bool
	// Origin is the connection whose command caused the event (see WithOrigin): it learns
	// of its own message from the command's reply, not from the event.
	Origin any
}

type originKey struct{}

// WithOrigin marks ctx as carrying a command from origin (a realtime connection).
func WithOrigin(ctx context.Context, origin any) context.Context {
	return context.WithValue(ctx, originKey{}, origin)
}

// OriginOf returns the origin set by WithOrigin, or nil.
func OriginOf(ctx context.Context) any { return ctx.Value(originKey{}) }

// Author is who did something, for display.
type Author struct {
	Type AuthorType `json:"type"`
	ID   string     `json:"id"`
	Name string     `json:"name"`
}
