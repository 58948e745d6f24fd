package conversation

import (
	"context"
	"fmt"

	"github.com/batonchat/baton/server/chat"
)

// BotEdit is a change the bot's handoff makes to a conversation inside one transaction: what
// the bot says, status changes and events for agents, next to the handoff's own state (Tx).
// EditAsBot commits it and then publishes everything in order.
type BotEdit struct {
	Tx   chat.Tx
	Conv *chat.Conversation

	s       *Service
	ctx     context.Context
	botName string
	out     []*chat.Message
	changed bool
	notices []*chat.Notification // told after the commit (an agent routed the conversation)
}

// Say appends a bot message (with quick replies or an inline form) visible to the visitor.
func (e *BotEdit) Say(m BotMessage) error {
	in := SendInput{ClientID: "bot", Text: m.Text, QuickReplies: m.QuickReplies, Form: m.Form}
	if err := in.validate(Actor{Type: chat.AuthorBot}); err != nil {
		return fmt.Errorf("bot message: %w", err)
	}
	msg := &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorBot, AuthorID: BotAuthorID, AuthorName: e.botName,
		Kind: chat.KindText, Text: in.Text, QuickReplies: m.QuickReplies, Form: m.Form, CreatedAt: e.s.now()}
	if err := e.Tx.AppendMessage(e.Conv, msg, true); err != nil {
		return err
	}
	e.out = append(e.out, msg)
	return nil
}

// Event appends a system event; visible says whether the visitor sees it too.
func (e *BotEdit) Event(visible bool, action, text string, data map[string]any) error {
	m, err := e.s.appendEvent(e.Tx, e.Conv, visible, action, text, data)
	if err != nil {
		return err
	}
	e.out, e.changed = append(e.out, m), true
	return nil
}

// ToQueue puts the conversation in the Unassigned queue, where agents pick it up.
func (e *BotEdit) ToQueue() error {
	e.Conv.Status, e.Conv.AssigneeID = chat.StatusUnassigned, ""
	e.changed = true
	return e.Tx.SaveConversation(e.Conv)
}

// Resolve closes the conversation; the visitor's next message starts a new one.
func (e *BotEdit) Resolve() error {
	e.Conv.Status, e.Conv.ResolvedAt = chat.StatusResolved, e.s.now()
	e.changed = true
	return e.Tx.SaveConversation(e.Conv)
}

// EditAsBot runs fn on the locked conversation in one transaction, as the bot named botName,
// then publishes what fn appended and the conversation's new state. An error from fn (for
// example ErrNotBots when the conversation is no longer the bot's) changes nothing.
func (s *Service) EditAsBot(ctx context.Context, id, botName string, fn func(e *BotEdit) error) (*chat.Conversation, error) {
	unlock := s.lock(id)
	defer unlock()
	var e *BotEdit
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		c, err := tx.Conversation(id)
		if err != nil {
			return err
		}
		e = &BotEdit{Tx: tx, Conv: c, s: s, botName: botName, ctx: ctx}
		return fn(e)
	})
	if err != nil {
		return nil, err
	}
	s.publishAll(ctx, e.Conv, e.out, e.changed)
	for _, n := range e.notices {
		n.Text = assignedText("", s.visitorLabel(ctx, e.Conv))
		s.notify(n)
	}
	return e.Conv, nil
}

// OnAgentReply registers fn, called inside the transaction that stores a person's message to
// a visitor (not a note, not a resend), so that what fn records commits with the message or
// not at all. It runs on the agent's send path: keep it to a few reads and writes. Call it
// before serving.
func (s *Service) OnAgentReply(fn func(tx chat.Tx, c *chat.Conversation, m *chat.Message) error) {
	s.agentHook = fn
}

// ValidEmail is the email check Baton applies to every address a visitor gives.
func ValidEmail(e string) bool { return plausibleEmail(e) }
