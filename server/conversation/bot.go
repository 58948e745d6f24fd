package conversation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

// BotAuthorID is the author id of the bot's messages (their name is the site's bot name), and
// the "by" of what the bot does.
const BotAuthorID = "bot"

// BotActor returns the actor for a bot account connected to the realtime API.
func BotActor(a *chat.Agent) Actor { return Actor{Type: chat.AuthorBot, ID: a.ID, Agent: a} }

// OnVisitorMessage registers fn, called after every new visitor message has been committed and
// published (never for a resent one). fn runs on the visitor's send path, so it must only queue
// the work: the bot engine answers later, on its own goroutines. Call it before serving.
func (s *Service) OnVisitorMessage(fn func(c *chat.Conversation, m *chat.Message)) {
	s.visitorHook = fn
}

// BotMessage is one message the bot says.
type BotMessage struct {
	Text         string
	QuickReplies []chat.QuickReply
	Form         *chat.Form // an inline form (the handoff's email question); see BotEdit.Say
}

// BotTurn is the bot's answer to one visitor message. It is committed all at once, or not at all.
type BotTurn struct {
	ConversationID string
	// Answers is the visitor message answered: a person who spoke after it takes the turn away.
	Answers  *chat.Message
	BotName  string
	Messages []BotMessage
	Tags     []string
	// Suspend stops the bot in this conversation and puts it in the Unassigned queue, so that a
	// person takes over.
	Suspend bool
	// Close resolves the conversation.
	Close bool
	// Because names the tag whose post-action suspends or closes.
	Because string
}

// ErrNotBots is returned when the conversation is no longer the bot's to answer: a person spoke
// since the visitor's message, the bot was paused or suspended, or the conversation was moved
// or resolved. The bot's turn is then discarded.
var ErrNotBots = &chat.Error{Code: chat.EConflict, Message: "the conversation is no longer the bot's"}

func (t *BotTurn) validate() error {
	if t.Answers == nil || t.Answers.Seq <= 0 {
		return errors.New("bot turn: the answered message is required")
	}
	for i, m := range t.Messages {
		if m.Text == "" || !utf8.ValidString(m.Text) || utf8.RuneCountInString(m.Text) > MaxTextRunes {
			return chat.Errorf(chat.EInvalid, "messages[%d].text: must be 1 to %d characters of valid text", i, MaxTextRunes)
		}
		if len(m.QuickReplies) > 10 {
			return chat.Errorf(chat.EInvalid, "messages[%d].quick_replies: at most 10", i)
		}
		for j, q := range m.QuickReplies {
			if q.Label == "" || q.Value == "" || utf8.RuneCountInString(q.Label) > 80 || utf8.RuneCountInString(q.Value) > 200 {
				return chat.Errorf(chat.EInvalid, "messages[%d].quick_replies[%d]: label (1-80 characters) and value (1-200) are required", i, j)
			}
		}
	}
	for _, tag := range t.Tags {
		if err := validTag(tag); err != nil {
			return err
		}
	}
	return nil
}

// botClientID makes the bot's messages idempotent: the i-th message answering a visitor
// message can be stored once only.
func botClientID(answered string, i int) string { return "re:" + answered + ":" + strconv.Itoa(i) }

// BotReply commits the bot's turn if the conversation is still the bot's: handled by the bot,
// the bot not paused, and no person's message since the one answered. Otherwise it returns
// ErrNotBots and changes nothing.
func (s *Service) BotReply(ctx context.Context, t BotTurn) (*chat.Conversation, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	// Under the conversation's lock, and checked inside the transaction, what a person said
	// since the answered message cannot change before the commit.
	unlock := s.lock(t.ConversationID)
	defer unlock()
	var (
		conv    *chat.Conversation
		out     []*chat.Message
		changed bool
	)
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		out, changed = nil, false
		var tagged []string
		c, err := tx.Conversation(t.ConversationID)
		if err != nil {
			return err
		}
		if c.Status != chat.StatusBot || c.BotPaused {
			return ErrNotBots
		}
		// A person answered since (and handed back to the bot): this answer is stale.
		if spoke, err := tx.HumanRepliedSince(c.ID, t.Answers.Seq); err != nil || spoke {
			if err != nil {
				return err
			}
			return ErrNotBots
		}
		if len(t.Messages) > 0 {
			if _, err := tx.MessageByClientID(BotAuthorID, botClientID(t.Answers.ID, 0)); err == nil {
				return chat.Errorf(chat.EConflict, "the bot has answered this message already")
			} else if !errors.Is(err, chat.ErrNotFound) {
				return err
			}
		}
		for i, bm := range t.Messages {
			m := &chat.Message{ID: chat.NewID("ms"), ClientID: botClientID(t.Answers.ID, i), AuthorType: chat.AuthorBot,
				AuthorID: BotAuthorID, AuthorName: t.BotName, Kind: chat.KindText, Text: bm.Text, QuickReplies: bm.QuickReplies,
				CreatedAt: s.now()}
			if err := tx.AppendMessage(c, m, true); err != nil {
				return err
			}
			out = append(out, m)
		}
		for _, tag := range t.Tags {
			added, err := tx.AddTag(c, tag)
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			m, err := s.appendEvent(tx, c, false, "tagged", "Tagged "+tag+" by the bot", map[string]any{"tag": tag, "by": BotAuthorID})
			if err != nil {
				return err
			}
			out, changed = append(out, m), true
			tagged = append(tagged, tag)
		}
		switch {
		case t.Close:
			c.Status, c.ResolvedAt = chat.StatusResolved, s.now()
			if err := tx.SaveConversation(c); err != nil {
				return err
			}
			m, err := s.appendEvent(tx, c, true, "resolved", "Conversation resolved", map[string]any{"by": BotAuthorID, "tag": t.Because})
			if err != nil {
				return err
			}
			out, changed = append(out, m), true
		case t.Suspend:
			c.Status, c.AssigneeID, c.BotPaused = chat.StatusUnassigned, "", true
			if err := tx.SaveConversation(c); err != nil {
				return err
			}
			m, err := s.appendEvent(tx, c, false, "bot_suspended", "The bot stopped replying ("+t.Because+"): a person takes over",
				map[string]any{"by": BotAuthorID, "tag": t.Because})
			if err != nil {
				return err
			}
			out, changed = append(out, m), true
			more, err := s.suspended(ctx, tx, c, t.BotName) // routing assigns it
			if err != nil {
				return err
			}
			out = append(out, more...)
		}
		for _, tag := range tagged { // routing rules on the tags, after the tag's own post-action
			more, ch, err := s.tagged(ctx, tx, c, t.BotName, tag)
			if err != nil {
				return err
			}
			out, changed = append(out, more...), changed || ch
		}
		conv = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bot reply: %w", err)
	}
	s.publishAll(ctx, conv, out, changed)
	if changed {
		s.notifyWaiting(ctx, chat.Author{Type: chat.AuthorBot, ID: BotAuthorID, Name: t.BotName}, chat.StatusBot, conv)
	}
	return conv, nil
}

// QueueInput says why a conversation leaves the bot for the team.
type QueueInput struct {
	Reason  string      // machine-readable: human_requested, unknown, follow_up, bot_error, …
	Event   string      // the agents' line, e.g. "The visitor asked for a person"
	BotName string      // author name of Message
	Message *BotMessage // optional: what the bot tells the visitor
}

// BotToQueue moves a conversation from the bot to the Unassigned queue, where agents pick it
// up. It does nothing (and returns ErrNotBots) when the conversation is no longer the bot's.
func (s *Service) BotToQueue(ctx context.Context, id string, in QueueInput) (*chat.Conversation, error) {
	return s.botChange(ctx, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		if c.Status != chat.StatusBot {
			return nil, ErrNotBots
		}
		var out []*chat.Message
		if in.Message != nil && in.Message.Text != "" {
			m := &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorBot, AuthorID: BotAuthorID, AuthorName: in.BotName,
				Kind: chat.KindText, Text: in.Message.Text, QuickReplies: in.Message.QuickReplies, CreatedAt: s.now()}
			if err := tx.AppendMessage(c, m, true); err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		c.Status, c.AssigneeID = chat.StatusUnassigned, ""
		if err := tx.SaveConversation(c); err != nil {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, false, "handoff", in.Event, map[string]any{"by": BotAuthorID, "reason": in.Reason})
		return append(out, m), err
	})
}

// botChange is change for the bot's own decisions: no actor to authorize, the same lock,
// commit and publish order.
func (s *Service) botChange(ctx context.Context, id string, fn func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error)) (*chat.Conversation, error) {
	unlock := s.lock(id)
	defer unlock()
	var (
		conv   *chat.Conversation
		events []*chat.Message
		before chat.Status
	)
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		c, err := tx.Conversation(id)
		if err != nil {
			return err
		}
		before = c.Status
		if events, err = fn(tx, c); err != nil {
			return err
		}
		conv = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.publishAll(ctx, conv, events, len(events) > 0)
	if len(events) > 0 {
		s.notifyWaiting(ctx, chat.Author{Type: chat.AuthorBot, ID: BotAuthorID}, before, conv)
	}
	return conv, nil
}

// publishAll publishes new messages in order, then the conversation's new state.
func (s *Service) publishAll(ctx context.Context, c *chat.Conversation, msgs []*chat.Message, changed bool) {
	s.decorate(ctx, c)
	for _, m := range msgs {
		s.publishMessage(c, m, nil)
	}
	if changed {
		s.publishConversation(c)
	}
}

// SetBotPaused pauses (or resumes) the bot in one conversation without taking it over: while
// paused the bot does not answer; the visitor's messages are stored and shown to agents.
func (s *Service) SetBotPaused(ctx context.Context, actor Actor, id string, paused bool) (*chat.Conversation, error) {
	if actor.Type != chat.AuthorAgent {
		return nil, chat.Errorf(chat.EForbidden, "only agents pause and resume the bot")
	}
	return s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		if c.Status == chat.StatusResolved {
			return nil, chat.Errorf(chat.EConflict, "the conversation is resolved")
		}
		if c.BotPaused == paused {
			return nil, nil
		}
		c.BotPaused = paused
		if err := tx.SaveConversation(c); err != nil {
			return nil, err
		}
		action, text := "bot_paused", actor.name()+" paused the bot"
		if !paused {
			action, text = "bot_resumed", actor.name()+" resumed the bot"
		}
		m, err := s.appendEvent(tx, c, false, action, text, map[string]any{"by": actor.ID})
		return []*chat.Message{m}, err
	})
}

// HandBack gives the conversation back to the bot: no assignee, bot not paused; the visitor's
// next message gets a bot reply.
func (s *Service) HandBack(ctx context.Context, actor Actor, id string) (*chat.Conversation, error) {
	if actor.Type != chat.AuthorAgent {
		return nil, chat.Errorf(chat.EForbidden, "only agents hand conversations to the bot")
	}
	return s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		if c.Status == chat.StatusResolved {
			return nil, chat.Errorf(chat.EConflict, "the conversation is resolved: reopen it first")
		}
		if c.Status == chat.StatusBot && !c.BotPaused {
			return nil, nil
		}
		from := c.AssigneeID
		c.Status, c.AssigneeID, c.BotPaused = chat.StatusBot, "", false
		if err := tx.SaveConversation(c); err != nil {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, true, "to_bot", actor.name()+" handed the conversation to the bot",
			map[string]any{"by": actor.ID, "from": from})
		return []*chat.Message{m}, err
	})
}

// BotTyping tells the conversation's visitor and agents that the bot is preparing an answer (a
// webhook thinking), or stopped. Nothing is stored.
func (s *Service) BotTyping(c *chat.Conversation, name string, typing bool) {
	s.pub.Publish(&chat.Event{Type: chat.EventTyping, SiteID: c.SiteID, VisitorID: c.VisitorID, Conversation: c,
		Author: chat.Author{Type: chat.AuthorBot, ID: BotAuthorID, Name: name}, Typing: typing})
}
