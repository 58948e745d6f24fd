package bot

import (
	"context"
	"errors"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// Reason says why the bot hands a conversation over.
type Reason string

// Handoff reasons.
const (
	ReasonHumanRequested Reason = "human_requested" // the visitor asked for a person (sys_human_help)
	ReasonUnknown        Reason = "unknown"         // the bot had no answer (sys_human_help)
	ReasonFollowUp       Reason = "follow_up"       // recognised, but a person must carry it out (sys_human_follow_up)
	ReasonBotError       Reason = "bot_error"       // the webhook or realtime bot failed or timed out (sys_human_help)
	ReasonBotAsked       Reason = "bot_asked"       // the webhook or realtime bot asked for a person
	ReasonTag            Reason = "tag"             // an owner's tag marked handoff: true applied
	ReasonNoBot          Reason = "no_bot"          // the site's brain is none
	ReasonNotTagged      Reason = "not_tagged"      // respond_only_tagged, and no tag detected
)

// Built-in tags.
const (
	TagHumanHelp     = "sys_human_help"      // the bot could not help, or the visitor asked for a person
	TagHumanFollowUp = "sys_human_follow_up" // the bot recognised the request; a person must act
)

// HandoffRequest is a conversation the bot gives up, and why.
type HandoffRequest struct {
	Conversation *chat.Conversation
	Site         *chat.Site
	Settings     *site.Settings
	Reason       Reason
	Tag          string // for ReasonTag: the tag
	Locale       string // the visitor's language, for what is said to them
}

// Handoff takes a conversation from the bot to people. It is the seam where the handoff flow
// (consent, email, delivery by the site's method) plugs in; QueueHandoff is the default.
// Start is called after the bot's turn is committed, outside any lock; it must itself re-check
// that the conversation is still the bot's.
type Handoff interface {
	Start(ctx context.Context, r HandoffRequest) error
}

// AnswerRequest is a visitor message that may answer what the handoff asked.
type AnswerRequest struct {
	Conversation *chat.Conversation
	Site         *chat.Site
	Settings     *site.Settings
	Visitor      *chat.Visitor // nil when the visitor has no profile yet
	Message      *chat.Message
	Locale       string // the visitor's language, as for HandoffRequest
}

// Listener is implemented by a Handoff that asks the visitor something (whether they want a
// person, their email): the engine offers it each visitor message of a conversation that is
// the bot's, in order, before the brain. A form's answer never reaches the brain.
type Listener interface {
	// Answer takes the message when it answers the handoff; handled false lets the bot answer
	// it as usual.
	Answer(ctx context.Context, r AnswerRequest) (handled bool, err error)
}

// QueueHandoff is the default handoff: the bot says it passes the message on, and the
// conversation goes to the Unassigned queue with an event for agents saying why.
type QueueHandoff struct {
	Service *conversation.Service
}

var eventTexts = map[Reason]string{
	ReasonHumanRequested: "The visitor asked for a person",
	ReasonUnknown:        "The bot could not answer",
	ReasonFollowUp:       "The bot recognised the request: a person must carry it out",
	ReasonBotError:       "The bot failed to answer (error or timeout)",
	ReasonBotAsked:       "The bot asked for a person",
	ReasonNoBot:          "No bot on this site: waiting for a person",
	ReasonNotTagged:      "The bot answers only tagged messages: waiting for a person",
}

// Start moves the conversation to the Unassigned queue; a conversation that is no longer the
// bot's is left alone.
func (q QueueHandoff) Start(ctx context.Context, r HandoffRequest) error {
	ev := eventTexts[r.Reason]
	if r.Reason == ReasonTag {
		ev = "Tag " + r.Tag + " asks for a person"
	}
	var texts site.BotTexts
	name := "Bot"
	if b := r.Settings.Bot; b != nil {
		texts, name = b.Texts, b.DisplayName()
	}
	_, err := q.Service.BotToQueue(ctx, r.Conversation.ID, conversation.QueueInput{
		Reason: string(r.Reason), Event: ev, BotName: name,
		Message: &conversation.BotMessage{Text: text("handoff", texts.Handoff, r.Locale)},
	})
	if errors.Is(err, conversation.ErrNotBots) {
		return nil
	}
	return err
}
