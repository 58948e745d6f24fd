package wire

import "github.com/batonchat/baton/server/chat"

// Notification is the notification event: a heads-up for one agent (docs/api.md).
type Notification struct {
	Type           string      `json:"type"` // "notification"
	Kind           string      `json:"kind"` // mention, takeover, assigned
	ConversationID string      `json:"conversation_id"`
	SiteID         string      `json:"site_id"`
	MessageID      string      `json:"message_id,omitempty"`
	By             chat.Author `json:"by"`
	Text           string      `json:"text"`
	CreatedAt      int64       `json:"created_at"`
}

// NewNotification renders n as its frame.
func NewNotification(n *chat.Notification) Notification {
	return Notification{Type: "notification", Kind: n.Kind, ConversationID: n.ConversationID, SiteID: n.SiteID,
		MessageID: n.MessageID, By: n.By, Text: n.Text, CreatedAt: millis(n.CreatedAt)}
}
