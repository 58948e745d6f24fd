// Package conversation holds the rules of a conversation: who may send what, how a human takes
// over from the bot, tagging, assignment and resolving. Every change is committed through the
// store and then published, in order, to the realtime hub. REST and WebSocket handlers both
// call this one service, so the two APIs cannot drift apart.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

// Publisher delivers committed events to connected clients.
type Publisher interface {
	Publish(ev *chat.Event)
}

// Limits on what clients may send; documented in docs/api.md.
const (
	MaxTextRunes    = 4000
	MaxClientID     = 64
	MaxTagLen       = 64
	MaxAttributes   = 34 // name, email, phone, locale and 30 custom keys
	MaxAttributeLen = 500
)

// Service applies the conversation rules.
type Service struct {
	store chat.Store
	pub   Publisher
	now   func() time.Time
	log   *slog.Logger

	// stripes order commit-then-publish per conversation: two writers of one conversation
	// publish in the order they committed, so clients see sequence numbers in order.
	stripes [256]sync.Mutex
	seed    maphash.Seed

	names sync.Map // agent id → name, for display

	// notifier tells one agent of a mention, takeover or assignment; nil: nobody.
	notifier Notifier

	visitorHook func(c *chat.Conversation, m *chat.Message)                   // see OnVisitorMessage
	agentHook   func(tx chat.Tx, c *chat.Conversation, m *chat.Message) error // see OnAgentReply
	tagHook     func(e *BotEdit, tag string) error                            // see OnTagged
	teamHook    func(e *BotEdit, actor Actor, team string) error              // see OnAssignTeam
	suspendHook func(e *BotEdit) error                                        // see OnSuspended
	assignHook  func(e *BotEdit, agentID string) error                        // see OnAssigned
}

// New returns a Service. now may be nil (time.Now).
func New(store chat.Store, pub Publisher, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, pub: pub, now: now, log: log, seed: maphash.MakeSeed()}
	if n, ok := pub.(Notifier); ok {
		s.notifier = n
	}
	return s
}

func (s *Service) lock(key string) func() {
	m := &s.stripes[maphash.String(s.seed, key)%uint64(len(s.stripes))]
	m.Lock()
	return m.Unlock
}

// Actor is who is asking: a visitor of one site, or an agent.
type Actor struct {
	Type    chat.AuthorType
	ID      string
	SiteID  string      // visitors: their site
	Agent   *chat.Agent // agents
	Visitor *chat.Visitor
}

// VisitorActor returns the actor for a visitor token.
func VisitorActor(visitorID, siteID string) Actor {
	return Actor{Type: chat.AuthorVisitor, ID: visitorID, SiteID: siteID}
}

// AgentActor returns the actor for an agent.
func AgentActor(a *chat.Agent) Actor { return Actor{Type: chat.AuthorAgent, ID: a.ID, Agent: a} }

func (a Actor) name() string {
	if a.Agent != nil {
		return a.Agent.Name
	}
	return ""
}

// SendInput is a message to send.
type SendInput struct {
	ClientID     string
	Text         string
	Note         bool // agents: an internal note
	QuickReplies []chat.QuickReply
	Form         *chat.Form // agents and bots: ask the visitor for details inline
	// Attachments are ids of files the sender uploaded and has not sent yet (see attachment.go).
	Attachments []string
}

func (in *SendInput) validate(actor Actor) error {
	in.Text = strings.TrimSpace(in.Text)
	switch {
	case in.ClientID == "" || len(in.ClientID) > MaxClientID:
		return chat.Errorf(chat.EInvalid, "client_id: must be 1 to %d characters", MaxClientID)
	case in.Text == "" && len(in.Attachments) == 0:
		return chat.Errorf(chat.EInvalid, "text: must not be empty")
	case !utf8.ValidString(in.Text):
		return chat.Errorf(chat.EInvalid, "text: must be valid UTF-8")
	case utf8.RuneCountInString(in.Text) > MaxTextRunes:
		return chat.Errorf(chat.ETooLarge, "text: must be at most %d characters", MaxTextRunes)
	case actor.Type == chat.AuthorVisitor && (in.Note || len(in.QuickReplies) > 0 || in.Form != nil):
		return chat.Errorf(chat.EForbidden, "visitors cannot send notes, quick replies or forms")
	case in.Note && in.Form != nil:
		return chat.Errorf(chat.EInvalid, "form: a note cannot carry a form")
	case len(in.QuickReplies) > 10:
		return chat.Errorf(chat.EInvalid, "quick_replies: at most 10")
	}
	for i, q := range in.QuickReplies {
		if q.Label == "" || q.Value == "" || utf8.RuneCountInString(q.Label) > 80 || utf8.RuneCountInString(q.Value) > 200 {
			return chat.Errorf(chat.EInvalid, "quick_replies[%d]: label (1-80 characters) and value (1-200) are required", i)
		}
	}
	if err := validAttachments(actor, in.Attachments); err != nil {
		return err
	}
	if in.Form != nil {
		return validForm(in.Form)
	}
	return nil
}

// Result is what a change produced.
type Result struct {
	Message      *chat.Message
	Conversation *chat.Conversation
	Duplicate    bool // the client id was sent before; Message is the stored one
}

// Send stores a message from a visitor (conversationID is ignored: visitors write to their
// open conversation, created on their first message) or an agent, exactly once per client id.
func (s *Service) Send(ctx context.Context, actor Actor, conversationID string, in SendInput) (*Result, error) {
	if err := in.validate(actor); err != nil {
		return nil, err
	}
	if actor.Type == chat.AuthorVisitor {
		return s.visitorSend(ctx, actor, in)
	}
	return s.agentSend(ctx, actor, conversationID, in)
}

func (s *Service) visitorSend(ctx context.Context, actor Actor, in SendInput) (*Result, error) {
	key := "v:" + actor.ID
	if id, err := s.store.OpenConversationID(ctx, actor.ID); err == nil {
		key = id
	}
	unlock := s.lock(key)
	defer unlock()
	var (
		res     Result
		created bool
	)
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		res, created = Result{}, false
		if dup, err := tx.MessageByClientID(actor.ID, in.ClientID); err == nil {
			c, err := tx.Conversation(dup.ConversationID)
			if err != nil {
				return err
			}
			res = Result{Message: dup, Conversation: c, Duplicate: true}
			return nil
		} else if !errors.Is(err, chat.ErrNotFound) {
			return err
		}
		c, err := tx.OpenConversation(actor.ID)
		if errors.Is(err, chat.ErrNotFound) {
			// The visitor's first message makes them a row; an open conversation's visitor has one.
			if err := tx.EnsureVisitor(&chat.Visitor{ID: actor.ID, SiteID: actor.SiteID}); err != nil {
				return err
			}
			c = &chat.Conversation{ID: chat.NewID("cv"), SiteID: actor.SiteID, VisitorID: actor.ID, Status: chat.StatusBot}
			if err := tx.CreateConversation(c); err != nil {
				return err
			}
			created = true
		} else if err != nil {
			return err
		}
		m := &chat.Message{ID: chat.NewID("ms"), ClientID: in.ClientID, AuthorType: chat.AuthorVisitor, AuthorID: actor.ID,
			Kind: chat.KindText, Text: in.Text, CreatedAt: s.now()}
		if err := attachFiles(tx, actor, c, m, in.Attachments); err != nil {
			return err
		}
		if err := tx.AppendMessage(c, m, true); err != nil {
			return err
		}
		res.Message, res.Conversation = m, c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("visitor send: %w", err)
	}
	s.decorate(ctx, res.Conversation)
	if !res.Duplicate {
		if created {
			s.publishConversation(res.Conversation)
			s.notifyWaiting(ctx, chat.Author{Type: actor.Type, ID: actor.ID}, "", res.Conversation)
		}
		s.publishMessage(res.Conversation, res.Message, chat.OriginOf(ctx))
		if s.visitorHook != nil {
			cp := *res.Conversation
			cp.Tags = append([]string(nil), res.Conversation.Tags...)
			s.visitorHook(&cp, res.Message)
		}
	}
	return &res, nil
}

func (s *Service) agentSend(ctx context.Context, actor Actor, conversationID string, in SendInput) (*Result, error) {
	var agents []*chat.Agent // who a note may mention
	if in.Note && strings.Contains(in.Text, "@") {
		var err error
		if agents, err = s.store.Agents(ctx); err != nil {
			return nil, fmt.Errorf("agent send: mentions: %w", err)
		}
	}
	unlock := s.lock(conversationID)
	defer unlock()
	var (
		res      Result
		joined   *chat.Message
		tookOver *chat.Message // agents only: "Bob took over from Alice"
		from     string        // the agent the reply took the conversation from
		mentions []*chat.Agent
		changed  bool
	)
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		res, joined, tookOver, from, mentions, changed = Result{}, nil, nil, "", nil, false
		c, err := s.authorizedTx(tx, actor, conversationID)
		if err != nil {
			return err
		}
		if dup, err := tx.MessageByClientID(actor.ID, in.ClientID); err == nil {
			res = Result{Message: dup, Conversation: c, Duplicate: true}
			return nil
		} else if !errors.Is(err, chat.ErrNotFound) {
			return err
		}
		if c.Status == chat.StatusResolved && !in.Note {
			return chat.Errorf(chat.EConflict, "the conversation is resolved: reopen it to reply")
		}
		kind := chat.KindText
		if in.Note {
			kind = chat.KindNote
		}
		// A human's reply takes the conversation: the bot (or another agent) leaves it.
		if !in.Note && actor.Type == chat.AuthorAgent && (c.Status != chat.StatusAssigned || c.AssigneeID != actor.ID) {
			from = c.AssigneeID
			c.Status, c.AssigneeID = chat.StatusAssigned, actor.ID
			if err := tx.SaveConversation(c); err != nil {
				return err
			}
			joined = s.eventMessage("joined", actor.name()+" joined the conversation", map[string]any{"agent_id": actor.ID, "from": from})
			if err := tx.AppendMessage(c, joined, true); err != nil {
				return err
			}
			if from != "" && from != actor.ID {
				tookOver = s.eventMessage("took_over", actor.name()+" took over from "+s.nameOf(ctx, from),
					map[string]any{"agent_id": actor.ID, "from": from})
				if err := tx.AppendMessage(c, tookOver, false); err != nil {
					return err
				}
			}
			changed = true
		} else if !in.Note && actor.Type == chat.AuthorAgent {
			// Assigned before a word (by routing, or an assign): the visitor hears who joined
			// with the first reply of a person in the conversation.
			spoke, err := tx.HumanRepliedSince(c.ID, 0)
			if err != nil {
				return err
			}
			if !spoke {
				joined = s.eventMessage("joined", actor.name()+" joined the conversation", map[string]any{"agent_id": actor.ID})
				if err := tx.AppendMessage(c, joined, true); err != nil {
					return err
				}
			}
		}
		m := &chat.Message{ID: chat.NewID("ms"), ClientID: in.ClientID, AuthorType: actor.Type, AuthorID: actor.ID,
			AuthorName: actor.name(), Kind: kind, Text: in.Text, QuickReplies: in.QuickReplies, Form: in.Form, CreatedAt: s.now()}
		if mentions = mentioned(agents, c.SiteID, in.Text, actor.ID); len(mentions) > 0 {
			m.Event = mentionData(mentions)
		}
		if err := attachFiles(tx, actor, c, m, in.Attachments); err != nil {
			return err
		}
		if err := tx.AppendMessage(c, m, !in.Note); err != nil {
			return err
		}
		if s.agentHook != nil && !in.Note && actor.Type == chat.AuthorAgent {
			if err := s.agentHook(tx, c, m); err != nil {
				return err
			}
		}
		res.Message, res.Conversation = m, c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agent send: %w", err)
	}
	s.decorate(ctx, res.Conversation)
	if !res.Duplicate {
		if joined != nil {
			s.publishMessage(res.Conversation, joined, nil)
		}
		if tookOver != nil {
			s.publishMessage(res.Conversation, tookOver, nil)
		}
		if changed {
			s.publishConversation(res.Conversation)
		}
		s.publishMessage(res.Conversation, res.Message, chat.OriginOf(ctx))
		s.notifySend(ctx, actor, res.Conversation, res.Message, from, tookOver != nil, mentions)
	}
	return &res, nil
}

func (s *Service) eventMessage(action, text string, data map[string]any) *chat.Message {
	ev := map[string]any{"action": action}
	for k, v := range data {
		ev[k] = v
	}
	return &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorSystem, AuthorID: "system", Kind: chat.KindEvent,
		Text: text, Event: ev, CreatedAt: s.now()}
}

// authorizedTx locks the conversation and checks the actor may act on it. A conversation of
// another site is reported as not found, so its existence does not leak.
func (s *Service) authorizedTx(tx chat.Tx, actor Actor, id string) (*chat.Conversation, error) {
	c, err := tx.Conversation(id)
	if err != nil {
		return nil, err
	}
	if !actor.canSee(c) {
		return nil, chat.ErrNotFound
	}
	return c, nil
}

func (a Actor) canSee(c *chat.Conversation) bool {
	switch a.Type {
	case chat.AuthorVisitor:
		return c.VisitorID == a.ID && c.SiteID == a.SiteID
	case chat.AuthorAgent, chat.AuthorBot:
		return a.Agent != nil && a.Agent.CanAccessSite(c.SiteID)
	}
	return false
}

// Get returns a conversation the actor may see.
func (s *Service) Get(ctx context.Context, actor Actor, id string) (*chat.Conversation, error) {
	c, err := s.store.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.canSee(c) {
		return nil, chat.ErrNotFound
	}
	s.decorate(ctx, c)
	return c, nil
}

// decorate fills display-only fields.
func (s *Service) decorate(ctx context.Context, c *chat.Conversation) {
	if c == nil || c.AssigneeID == "" {
		return
	}
	if n, ok := s.names.Load(c.AssigneeID); ok {
		c.AssigneeName = n.(string)
		return
	}
	if a, err := s.store.AgentByID(ctx, c.AssigneeID); err == nil {
		s.names.Store(a.ID, a.Name)
		c.AssigneeName = a.Name
	}
}

// ForgetAgent drops cached display data after an agent changed.
func (s *Service) ForgetAgent(id string) { s.names.Delete(id) }

// publishMessage publishes a new message; origin (the sender's connection, if any) is not sent
// the event, since the reply to its command carries the message.
func (s *Service) publishMessage(c *chat.Conversation, m *chat.Message, origin any) {
	cp := *c
	s.pub.Publish(&chat.Event{Type: chat.EventMessage, SiteID: c.SiteID, VisitorID: c.VisitorID, Conversation: &cp, Message: m,
		AgentsOnly: !m.VisibleToVisitor(), Origin: origin})
}

func (s *Service) publishConversation(c *chat.Conversation) {
	cp := *c
	cp.Tags = append([]string(nil), c.Tags...)
	s.pub.Publish(&chat.Event{Type: chat.EventConversation, SiteID: c.SiteID, VisitorID: c.VisitorID, Conversation: &cp})
}
