package wire

import "github.com/batonchat/baton/server/chat"

// VisitorEvent carries a visitor's details after an agent edited them, to the agents subscribed
// to the visitor's site, so every console showing the visitor follows (docs/api.md).
type VisitorEvent struct {
	Type    string        `json:"type"` // "visitor"
	Visitor *chat.Visitor `json:"visitor"`
}
