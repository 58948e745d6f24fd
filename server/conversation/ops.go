package conversation

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

// change runs fn on a locked conversation the actor may act on, commits, and publishes the
// system events fn appended and the new conversation state (when fn reports a change).
func (s *Service) change(ctx context.Context, actor Actor, id string, fn func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error)) (*chat.Conversation, error) {
	if actor.Type == chat.AuthorVisitor {
		return nil, chat.Errorf(chat.EForbidden, "visitors cannot change conversations")
	}
	unlock := s.lock(id)
	defer unlock()
	var (
		conv   *chat.Conversation
		events []*chat.Message
		before chat.Status
	)
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		c, err := s.authorizedTx(tx, actor, id)
		if err != nil {
			return err
		}
		before = c.Status
		events, err = fn(tx, c)
		if err != nil {
			return err
		}
		conv = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.decorate(ctx, conv)
	for _, m := range events {
		s.publishMessage(conv, m, nil)
	}
	if len(events) > 0 {
		s.publishConversation(conv)
		s.notifyWaiting(ctx, chat.Author{Type: actor.Type, ID: actor.ID, Name: actor.name()}, before, conv)
	}
	return conv, nil
}

// appendEvent stores a system event in the conversation.
func (s *Service) appendEvent(tx chat.Tx, c *chat.Conversation, visible bool, action, text string, data map[string]any) (*chat.Message, error) {
	m := s.eventMessage(action, text, data)
	if err := tx.AppendMessage(c, m, visible); err != nil {
		return nil, err
	}
	return m, nil
}

// Assign gives the conversation to an agent of its site, or (agentID "") back to the queue.
func (s *Service) Assign(ctx context.Context, actor Actor, id, agentID string) (*chat.Conversation, error) {
	var target *chat.Agent
	if agentID != "" {
		a, err := s.store.AgentByID(ctx, agentID)
		if errors.Is(err, chat.ErrNotFound) {
			return nil, chat.Errorf(chat.EInvalid, "agent_id: no such agent")
		}
		if err != nil {
			return nil, err
		}
		if a.Role == chat.RoleBot {
			return nil, chat.Errorf(chat.EInvalid, "agent_id: %s is a bot account: hand the conversation to the bot with to_bot", a.Name)
		}
		target = a
	}
	assigned := false // to target, by someone else: target is told
	conv, err := s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		assigned = false
		if c.Status == chat.StatusResolved {
			return nil, chat.Errorf(chat.EConflict, "the conversation is resolved: reopen it first")
		}
		if target == nil {
			if c.Status == chat.StatusUnassigned {
				return nil, nil
			}
			c.Status, c.AssigneeID = chat.StatusUnassigned, ""
			if err := tx.SaveConversation(c); err != nil {
				return nil, err
			}
			m, err := s.appendEvent(tx, c, false, "unassigned", "Moved to Unassigned by "+actor.name(), map[string]any{"by": actor.ID})
			return []*chat.Message{m}, err
		}
		if !target.CanAccessSite(c.SiteID) {
			return nil, chat.Errorf(chat.EInvalid, "agent_id: %s is not an agent of this site", target.Name)
		}
		if c.Status == chat.StatusAssigned && c.AssigneeID == target.ID {
			return nil, nil
		}
		c.Status, c.AssigneeID = chat.StatusAssigned, target.ID
		if err := tx.SaveConversation(c); err != nil {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, false, "assigned", "Assigned to "+target.Name+" by "+actor.name(),
			map[string]any{"agent_id": target.ID, "by": actor.ID})
		if err != nil {
			return nil, err
		}
		assigned = target.ID != actor.ID
		if assigned && s.assignHook != nil {
			// Someone else gave it to target: routing starts the no-reply timer in this commit.
			if err := s.assignHook(&BotEdit{Tx: tx, Conv: c, s: s, ctx: ctx}, target.ID); err != nil {
				return nil, err
			}
		}
		return []*chat.Message{m}, nil
	})
	if err == nil && assigned {
		s.notify(&chat.Notification{Kind: chat.NotifyAssigned, AgentID: target.ID, SiteID: conv.SiteID, ConversationID: conv.ID,
			By:   chat.Author{Type: actor.Type, ID: actor.ID, Name: actor.name()},
			Text: assignedText(actor.name(), s.visitorLabel(ctx, conv))})
	}
	return conv, err
}

var tagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_:-]*$`)

func validTag(tag string) error {
	if len(tag) > MaxTagLen || !tagRE.MatchString(tag) {
		return chat.Errorf(chat.EInvalid, "tag: use 1-%d lowercase letters, digits, _, - and :", MaxTagLen)
	}
	return nil
}

// Tag adds a tag; tagging twice changes nothing.
func (s *Service) Tag(ctx context.Context, actor Actor, id, tag string) (*chat.Conversation, error) {
	if err := validTag(tag); err != nil {
		return nil, err
	}
	return s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		added, err := tx.AddTag(c, tag)
		if err != nil || !added {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, false, "tagged", "Tagged "+tag, map[string]any{"tag": tag, "by": actor.ID})
		if err != nil {
			return nil, err
		}
		more, _, err := s.tagged(ctx, tx, c, actor.name(), tag) // routing rules on the tag
		return append([]*chat.Message{m}, more...), err
	})
}

// Untag removes a tag.
func (s *Service) Untag(ctx context.Context, actor Actor, id, tag string) (*chat.Conversation, error) {
	if err := validTag(tag); err != nil {
		return nil, err
	}
	return s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		removed, err := tx.RemoveTag(c, tag)
		if err != nil || !removed {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, false, "untagged", "Removed tag "+tag, map[string]any{"tag": tag, "by": actor.ID})
		return []*chat.Message{m}, err
	})
}

// Resolve closes the conversation; the visitor's next message starts a new one.
func (s *Service) Resolve(ctx context.Context, actor Actor, id string) (*chat.Conversation, error) {
	return s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		if c.Status == chat.StatusResolved {
			return nil, nil
		}
		c.Status, c.ResolvedAt = chat.StatusResolved, s.now()
		if err := tx.SaveConversation(c); err != nil {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, true, "resolved", "Conversation resolved", map[string]any{"by": actor.ID})
		return []*chat.Message{m}, err
	})
}

// Reopen brings a resolved conversation back: to its assignee if it had one, else to the queue.
// It fails when the visitor has started another conversation since.
func (s *Service) Reopen(ctx context.Context, actor Actor, id string) (*chat.Conversation, error) {
	return s.change(ctx, actor, id, func(tx chat.Tx, c *chat.Conversation) ([]*chat.Message, error) {
		if c.Status != chat.StatusResolved {
			return nil, nil
		}
		if open, err := tx.OpenConversation(c.VisitorID); err == nil && open.ID != c.ID {
			return nil, chat.Errorf(chat.EConflict, "the visitor has a newer open conversation")
		} else if err != nil && !errors.Is(err, chat.ErrNotFound) {
			return nil, err
		}
		c.Status, c.ResolvedAt = chat.StatusUnassigned, time.Time{}
		if c.AssigneeID != "" {
			c.Status = chat.StatusAssigned
		}
		if err := tx.SaveConversation(c); err != nil {
			return nil, err
		}
		m, err := s.appendEvent(tx, c, true, "reopened", "Conversation reopened", map[string]any{"by": actor.ID})
		return []*chat.Message{m}, err
	})
}

// SyncResult is a conversation and the messages after a sequence number.
type SyncResult struct {
	Conversation *chat.Conversation
	Messages     []*chat.Message
	More         bool
}

// Sync returns what the actor missed after since: for visitors (numbered in their own
// sequence) their given or latest conversation, for agents the named one. A since the server
// cannot continue from is EHistoryGone.
func (s *Service) Sync(ctx context.Context, actor Actor, id string, since int64, limit int) (*SyncResult, error) {
	if since < 0 {
		return nil, chat.Errorf(chat.EInvalid, "since: must not be negative")
	}
	var (
		c   *chat.Conversation
		err error
	)
	switch {
	case id != "":
		c, err = s.Get(ctx, actor, id)
		if errors.Is(err, chat.ErrNotFound) && since > 0 {
			return nil, chat.Errorf(chat.EHistoryGone, "the conversation is gone: load afresh")
		}
	case actor.Type == chat.AuthorVisitor:
		c, err = s.latest(ctx, actor)
		if errors.Is(err, chat.ErrNotFound) {
			if since > 0 {
				return nil, chat.Errorf(chat.EHistoryGone, "there is no conversation to resume: load afresh")
			}
			return &SyncResult{}, nil
		}
	default:
		return nil, chat.Errorf(chat.EInvalid, "conversation_id: is required")
	}
	if err != nil {
		return nil, err
	}
	visitor := actor.Type == chat.AuthorVisitor
	last := c.LastSeq
	if visitor {
		last = c.VisitorSeq
	}
	if since > last {
		return nil, chat.Errorf(chat.EHistoryGone, "since %d is ahead of the conversation (%d): load afresh", since, last)
	}
	msgs, more, err := s.store.Messages(ctx, chat.MessageQuery{ConversationID: c.ID, After: since, Limit: limit, VisitorView: visitor})
	if err != nil {
		return nil, err
	}
	return &SyncResult{Conversation: c, Messages: msgs, More: more}, nil
}

// latest is the visitor's open conversation, else their most recent one.
func (s *Service) latest(ctx context.Context, actor Actor) (*chat.Conversation, error) {
	list, _, err := s.store.Conversations(ctx, chat.ConversationFilter{SiteID: actor.SiteID, VisitorID: actor.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, chat.ErrNotFound
	}
	s.decorate(ctx, list[0])
	return list[0], nil
}

// History returns up to limit messages before a sequence number (0: the newest).
func (s *Service) History(ctx context.Context, actor Actor, id string, before int64, limit int) ([]*chat.Message, bool, error) {
	var (
		c   *chat.Conversation
		err error
	)
	if id == "" && actor.Type == chat.AuthorVisitor {
		c, err = s.latest(ctx, actor)
	} else {
		c, err = s.Get(ctx, actor, id)
	}
	if err != nil {
		return nil, false, err
	}
	visitor := actor.Type == chat.AuthorVisitor
	if before <= 0 {
		before = c.LastSeq + 1
		if visitor {
			before = c.VisitorSeq + 1
		}
	}
	return s.store.Messages(ctx, chat.MessageQuery{ConversationID: c.ID, Before: before, Limit: limit, VisitorView: visitor})
}

// ListInput filters a conversation list.
type ListInput struct {
	SiteID   string
	Status   string // bot, unassigned, assigned, resolved, open (all unresolved) or "" (all)
	Assignee string // "me", an agent id, or ""
	Tag      string
	Cursor   string
	Limit    int
	// AnyTags lists the conversations carrying any of these tags (an inbox view); with no
	// Status it lists unresolved ones only.
	AnyTags []string
	// VisitorID lists one visitor's conversations (the console's past conversations).
	VisitorID string
}

// List returns a page of a site's conversations for an agent.
func (s *Service) List(ctx context.Context, actor Actor, in ListInput) ([]*chat.Conversation, string, error) {
	if actor.Agent == nil || !actor.Agent.CanAccessSite(in.SiteID) {
		return nil, "", chat.Errorf(chat.ENotFound, "no such site")
	}
	f := chat.ConversationFilter{SiteID: in.SiteID, Tag: in.Tag, Cursor: in.Cursor, Limit: in.Limit, VisitorID: in.VisitorID}
	if err := viewTags(in.AnyTags); err != nil {
		return nil, "", err
	}
	f.AnyTags = in.AnyTags
	if len(in.AnyTags) > 0 && in.Status == "" {
		in.Status = "open"
	}
	switch st := chat.Status(in.Status); {
	case in.Status == "":
	case in.Status == "open":
		f.Statuses = []chat.Status{chat.StatusBot, chat.StatusUnassigned, chat.StatusAssigned}
	case st.Valid():
		f.Statuses = []chat.Status{st}
	default:
		return nil, "", chat.Errorf(chat.EInvalid, "status: must be bot, unassigned, assigned, resolved or open")
	}
	f.AssigneeID = in.Assignee
	if in.Assignee == "me" {
		f.AssigneeID = actor.ID
	}
	if in.Limit < 0 || in.Limit > 200 {
		return nil, "", chat.Errorf(chat.EInvalid, "limit: must be between 1 and 200")
	}
	list, next, err := s.store.Conversations(ctx, f)
	if err != nil {
		return nil, "", err
	}
	for _, c := range list {
		s.decorate(ctx, c)
	}
	return list, next, nil
}

// Read records how far the actor has read and tells the other side.
func (s *Service) Read(ctx context.Context, actor Actor, id string, seq int64) error {
	if seq < 0 {
		return chat.Errorf(chat.EInvalid, "seq: must not be negative")
	}
	var c *chat.Conversation
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		var err error
		if id == "" && actor.Type == chat.AuthorVisitor {
			c, err = tx.OpenConversation(actor.ID)
		} else {
			c, err = s.authorizedTx(tx, actor, id)
		}
		if err != nil {
			return err
		}
		if actor.Type == chat.AuthorVisitor {
			if seq <= c.VisitorReadSeq {
				return nil
			}
			c.VisitorReadSeq = min(seq, c.VisitorSeq)
		} else {
			if seq <= c.AgentReadSeq {
				return nil
			}
			c.AgentReadSeq = min(seq, c.LastSeq)
		}
		return tx.SaveConversation(c)
	})
	if err != nil {
		return err
	}
	s.pub.Publish(&chat.Event{Type: chat.EventRead, SiteID: c.SiteID, VisitorID: c.VisitorID, Conversation: c,
		Author: chat.Author{Type: actor.Type, ID: actor.ID, Name: actor.name()}, Seq: seq, AgentsOnly: true})
	return nil
}

// Typing tells the other side that the actor is (or stopped) typing. Nothing is stored.
func (s *Service) Typing(ctx context.Context, actor Actor, id string, typing bool) error {
	var (
		c   *chat.Conversation
		err error
	)
	if id == "" && actor.Type == chat.AuthorVisitor {
		c, err = s.store.OpenConversation(ctx, actor.ID)
		if errors.Is(err, chat.ErrNotFound) {
			return nil // nobody to tell yet: the conversation starts with the first message
		}
	} else {
		c, err = s.Get(ctx, actor, id)
	}
	if err != nil {
		return err
	}
	if c.Status == chat.StatusResolved {
		return nil
	}
	s.pub.Publish(&chat.Event{Type: chat.EventTyping, SiteID: c.SiteID, VisitorID: c.VisitorID, Conversation: c,
		Author: chat.Author{Type: actor.Type, ID: actor.ID, Name: actor.name()}, Typing: typing})
	return nil
}

// profileKeys are attributes stored in the visitor's profile columns rather than as custom ones.
var profileKeys = map[string]bool{"name": true, "email": true, "phone": true, "address": true, "locale": true}

var attrKeyRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{0,39}$`)

// SetAttributes stores what the site or the visitor told about the visitor. Emails given this
// way are never verified: only an identity token makes a visitor verified.
func (s *Service) SetAttributes(ctx context.Context, actor Actor, attrs map[string]string) (*chat.Visitor, error) {
	if actor.Type != chat.AuthorVisitor {
		return nil, chat.Errorf(chat.EForbidden, "only visitors set their own attributes")
	}
	if len(attrs) == 0 || len(attrs) > MaxAttributes {
		return nil, chat.Errorf(chat.EInvalid, "attributes: give 1 to %d attributes", MaxAttributes)
	}
	for k, v := range attrs {
		if !attrKeyRE.MatchString(k) {
			return nil, chat.Errorf(chat.EInvalid, "attributes: %q is not a valid name (letters, digits, _ . -, up to 40)", k)
		}
		if utf8.RuneCountInString(v) > MaxAttributeLen || !utf8.ValidString(v) {
			return nil, chat.Errorf(chat.EInvalid, "attributes.%s: must be valid text of at most %d characters", k, MaxAttributeLen)
		}
	}
	if e, ok := attrs["email"]; ok && e != "" && !plausibleEmail(e) {
		return nil, chat.Errorf(chat.EInvalid, "attributes.email: %q is not an email address", e)
	}
	return s.updateVisitor(ctx, actor, func(v *chat.Visitor) error {
		custom := map[string]string{}
		for k, val := range v.Attributes {
			custom[k] = val
		}
		for k, val := range attrs {
			val = strings.TrimSpace(val)
			switch k {
			case "name":
				if v.ExternalID == "" || v.Name == "" {
					v.Name = val
				}
			case "email":
				// A verified email is the site's word; the visitor cannot overwrite it.
				if !v.EmailVerified {
					v.Email = val
				}
			case "phone":
				v.Phone = val
			case "address":
				v.Address = val
			case "locale":
				v.Locale = val
			default:
				if val == "" {
					delete(custom, k)
				} else {
					custom[k] = val
				}
			}
		}
		if len(custom) > MaxAttributes-len(profileKeys) {
			return chat.Errorf(chat.EInvalid, "attributes: at most %d custom attributes", MaxAttributes-len(profileKeys))
		}
		v.Attributes = custom
		return nil
	})
}

// Page records the page the visitor is looking at.
func (s *Service) Page(ctx context.Context, actor Actor, url, title string) error {
	if actor.Type != chat.AuthorVisitor {
		return chat.Errorf(chat.EForbidden, "only visitors report pages")
	}
	if len(url) > 2000 || utf8.RuneCountInString(title) > 300 {
		return chat.Errorf(chat.EInvalid, "page: url (at most 2000 bytes) or title (at most 300 characters) too long")
	}
	_, err := s.updateVisitor(ctx, actor, func(v *chat.Visitor) error {
		v.PageURL, v.PageTitle = url, title
		return nil
	})
	return err
}

func (s *Service) updateVisitor(ctx context.Context, actor Actor, fn func(v *chat.Visitor) error) (*chat.Visitor, error) {
	var out *chat.Visitor
	err := s.store.Tx(ctx, func(tx chat.Tx) error {
		if err := tx.EnsureVisitor(&chat.Visitor{ID: actor.ID, SiteID: actor.SiteID}); err != nil {
			return err
		}
		v, err := tx.Visitor(actor.ID)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		v.LastSeenAt = s.now()
		out = v
		return tx.SaveVisitor(v)
	})
	if err != nil {
		return nil, fmt.Errorf("update visitor: %w", err)
	}
	return out, nil
}

// plausibleEmail is a deliberately simple check: one @, something on each side, a dot in the
// domain, no spaces or control characters (which also keeps header injection out of mail).
func plausibleEmail(e string) bool {
	if len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>,;\"") {
		return false
	}
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.Contains(domain, "@") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
