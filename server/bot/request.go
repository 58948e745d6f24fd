package bot

import (
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/wire"
)

// RequestVersion is the version of the Request shape; it changes only when a field changes
// meaning or goes away (new fields may appear at any time).
const RequestVersion = 1

// Request is what a webhook or realtime bot receives for each visitor message it should
// answer. It never holds secrets (no tokens, no identity secret).
type Request struct {
	Version   int    `json:"version"`
	ID        string `json:"id"`   // unique per request: dedupe retries with it
	Type      string `json:"type"` // "visitor_message"
	CreatedAt int64  `json:"created_at"`
	// Locale is the language Baton reads the message in (the visitor's widget locale, the
	// message's language, or the site's default), as an ISO 639-1 code.
	Locale       string             `json:"locale"`
	Site         RequestSite        `json:"site"`
	Conversation *wire.Conversation `json:"conversation"`
	Visitor      *chat.Visitor      `json:"visitor"`
	Message      *wire.Message      `json:"message"`
	// History is the conversation's earlier chat messages (no notes, no events), oldest first.
	History []*wire.Message `json:"history"`
	// Tags are the site's tags detected in the message, with their instructions: context for a
	// bot that writes its own answers. Baton sends the instructions itself.
	Tags []DetectedTag `json:"detected_tags"`
}

// RequestSite names the site.
type RequestSite struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

// DetectedTag is a tag found in the visitor's message.
type DetectedTag struct {
	Tag         string `json:"tag"`
	Instruction string `json:"instruction,omitempty"`
}

// Response is a bot's answer. Every field is optional: an empty response keeps the bot silent.
type Response struct {
	Text         string            `json:"text,omitempty"`
	QuickReplies []chat.QuickReply `json:"quick_replies,omitempty"`
	// Tags are set on the conversation; the site's tag settings (instruction, post-action,
	// handoff) apply to them as to detected ones.
	Tags []string `json:"tags,omitempty"`
	// Handoff asks for a person: the conversation goes to the handoff flow.
	Handoff bool `json:"handoff,omitempty"`
}
