package conversation

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/batonchat/baton/server/chat"
)

// Notifier tells one agent something live: a mention, a takeover, an assignment (the realtime
// hub implements it). Notifications are not stored: what they are about is in the transcript.
type Notifier interface {
	Notify(n *chat.Notification)
}

// SiteNotifier tells every agent of a site something live (the realtime hub implements it).
type SiteNotifier interface {
	NotifySite(n *chat.Notification)
}

// notifyWaiting tells the agents of the site, whichever site their console shows, that a
// conversation started waiting for a human (before is its status before the change). by is
// who did it: an agent who unassigned a conversation is not told of it.
func (s *Service) notifyWaiting(ctx context.Context, by chat.Author, before chat.Status, c *chat.Conversation) {
	sn, ok := s.pub.(SiteNotifier)
	if !ok || c == nil || c.Status != chat.StatusUnassigned || before == chat.StatusUnassigned {
		return
	}
	sn.NotifySite(&chat.Notification{Kind: chat.NotifyWaiting, SiteID: c.SiteID, ConversationID: c.ID, By: by,
		Text: s.visitorLabel(ctx, c) + " is waiting for a human", CreatedAt: s.now()})
}

func (s *Service) notify(n *chat.Notification) {
	if s.notifier != nil && n.AgentID != "" {
		n.CreatedAt = s.now()
		s.notifier.Notify(n)
	}
}

// mentioned returns the agents a note names with "@Name" or "@email", among the human agents
// of the site (admins included), the author left out. A name or address counts only as a whole
// word: "@Al" does not mention Alice, and "@Alice" does not mention Al.
func mentioned(agents []*chat.Agent, siteID, text, authorID string) []*chat.Agent {
	lower := strings.ToLower(text)
	var out []*chat.Agent
	for _, a := range agents {
		if a.ID == authorID || a.Role == chat.RoleBot || !a.CanAccessSite(siteID) {
			continue
		}
		if mentions(lower, a.Email) || mentions(lower, a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// mentions reports whether text (lower case) holds "@"+handle followed by no letter or digit.
func mentions(text, handle string) bool {
	handle = strings.ToLower(strings.TrimSpace(handle))
	if handle == "" {
		return false
	}
	needle := "@" + handle
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], needle)
		if j < 0 {
			return false
		}
		end := i + j + len(needle)
		r, _ := utf8.DecodeRuneInString(text[end:])
		if end == len(text) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '_') {
			return true
		}
		i = i + j + 1
	}
	return false
}

// mentionData is what a note records of its mentions (in its event data).
func mentionData(list []*chat.Agent) map[string]any {
	ms := make([]map[string]any, 0, len(list))
	for _, a := range list {
		ms = append(ms, map[string]any{"id": a.ID, "name": a.Name})
	}
	return map[string]any{"mentions": ms}
}

// nameOf is an agent's display name ("an agent" when gone).
func (s *Service) nameOf(ctx context.Context, id string) string {
	c := &chat.Conversation{AssigneeID: id}
	s.decorate(ctx, c)
	if c.AssigneeName == "" {
		return "an agent"
	}
	return c.AssigneeName
}

// visitorLabel names a conversation's visitor for a notification.
func (s *Service) visitorLabel(ctx context.Context, c *chat.Conversation) string {
	if v, err := s.store.Visitor(ctx, c.VisitorID); err == nil {
		if v.Name != "" {
			return v.Name
		}
		if v.Email != "" {
			return v.Email
		}
	}
	return "a visitor"
}

func clip(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	return string([]rune(text)[:n]) + "…"
}

// notifySend tells the agent a reply took the conversation from, and the agents a note mentions.
func (s *Service) notifySend(ctx context.Context, actor Actor, c *chat.Conversation, m *chat.Message, from string, tookOver bool, mentions []*chat.Agent) {
	if s.notifier == nil || (!tookOver && len(mentions) == 0) {
		return
	}
	by := chat.Author{Type: actor.Type, ID: actor.ID, Name: actor.name()}
	who := s.visitorLabel(ctx, c)
	if tookOver {
		s.notify(&chat.Notification{Kind: chat.NotifyTakeover, AgentID: from, SiteID: c.SiteID, ConversationID: c.ID,
			MessageID: m.ID, By: by, Text: by.Name + " took over your conversation with " + who})
	}
	for _, a := range mentions {
		s.notify(&chat.Notification{Kind: chat.NotifyMention, AgentID: a.ID, SiteID: c.SiteID, ConversationID: c.ID,
			MessageID: m.ID, By: by, Text: by.Name + " mentioned you in a note on the conversation with " + who + ": " + clip(m.Text, 140)})
	}
}

func assignedText(by, who string) string {
	if by == "" {
		return "You were assigned the conversation with " + who
	}
	return by + " assigned you the conversation with " + who
}
