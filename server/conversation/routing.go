package conversation

import (
	"context"

	"github.com/batonchat/baton/server/chat"
)

// Routing's entry points into a conversation's transaction (package routing registers them).
// They work on a BotEdit: the conversation locked, the transaction open, everything appended
// published in order after the commit.

// Assign gives the conversation to an agent in the edit's transaction, with an event agents
// see (text says by what: "Assigned to Alice by round robin").
func (e *BotEdit) Assign(agentID, text string, data map[string]any) error {
	e.Conv.Status, e.Conv.AssigneeID = chat.StatusAssigned, agentID
	if err := e.Tx.SaveConversation(e.Conv); err != nil {
		return err
	}
	d := map[string]any{"agent_id": agentID}
	for k, v := range data {
		d[k] = v
	}
	// The agent is told once this commits, as for an assignment by another agent.
	e.notices = append(e.notices, &chat.Notification{Kind: chat.NotifyAssigned, AgentID: agentID, SiteID: e.Conv.SiteID,
		ConversationID: e.Conv.ID, By: chat.Author{Type: chat.AuthorSystem, Name: "Baton"}})
	return e.Event(false, "assigned", text, d)
}

// Unassign puts the conversation back in the Unassigned queue with an event agents see.
func (e *BotEdit) Unassign(text string, data map[string]any) error {
	if err := e.ToQueue(); err != nil {
		return err
	}
	return e.Event(false, "unassigned", text, data)
}

// Note appends an internal note from Baton itself: agents see it, the visitor never does.
func (e *BotEdit) Note(text string, data map[string]any) error {
	m := &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorSystem, AuthorID: "system", AuthorName: "Baton",
		Kind: chat.KindNote, Text: text, CreatedAt: e.s.now()}
	if len(data) > 0 {
		m.Event = data
	}
	if err := e.Tx.AppendMessage(e.Conv, m, false); err != nil {
		return err
	}
	e.out, e.changed = append(e.out, m), true
	return nil
}

// AddTag tags the conversation in the edit's transaction (no rules run: routing's own tags).
func (e *BotEdit) AddTag(tag, text string) error {
	if err := validTag(tag); err != nil {
		return err
	}
	added, err := e.Tx.AddTag(e.Conv, tag)
	if err != nil || !added {
		return err
	}
	return e.Event(false, "tagged", text, map[string]any{"tag": tag, "by": "routing"})
}

// SuspendBot stops the bot in the conversation; a conversation the bot was handling goes to
// the Unassigned queue. because names the tag that asked for it.
func (e *BotEdit) SuspendBot(because string) error {
	if e.Conv.BotPaused && e.Conv.Status != chat.StatusBot {
		return nil
	}
	if e.Conv.Status == chat.StatusBot {
		e.Conv.Status, e.Conv.AssigneeID = chat.StatusUnassigned, ""
	}
	e.Conv.BotPaused = true
	if err := e.Tx.SaveConversation(e.Conv); err != nil {
		return err
	}
	return e.Event(false, "bot_suspended", "The bot stopped replying ("+because+"): a person takes over",
		map[string]any{"by": "routing", "tag": because})
}

// Context is the context of the call that opened the edit.
func (e *BotEdit) Context() context.Context {
	if e.ctx == nil {
		return context.Background()
	}
	return e.ctx
}

// Edit runs fn on a locked conversation the actor may act on, in one transaction, then
// publishes what fn appended: EditAsBot for a person's request (a conversation of another
// site is not found).
func (s *Service) Edit(ctx context.Context, actor Actor, id string, fn func(e *BotEdit) error) (*chat.Conversation, error) {
	if actor.Type != chat.AuthorAgent {
		return nil, chat.Errorf(chat.EForbidden, "only agents do this")
	}
	return s.EditAsBot(ctx, id, actor.name(), func(e *BotEdit) error {
		if !actor.canSee(e.Conv) {
			return chat.ErrNotFound
		}
		return fn(e)
	})
}

// OnTagged registers fn, called inside the transaction that applies a tag (an agent's tag
// command, a bot's turn), so what fn does (routing rules) commits with the tag or not at all.
// Call it before serving.
func (s *Service) OnTagged(fn func(e *BotEdit, tag string) error) { s.tagHook = fn }

// OnAssignTeam registers fn, which routes a conversation within a team (the assign command's
// team). Call it before serving.
func (s *Service) OnAssignTeam(fn func(e *BotEdit, actor Actor, team string) error) { s.teamHook = fn }

// OnAssigned registers fn, called inside the transaction in which a person assigns the
// conversation to another agent (not to themselves), so that routing arms the reassignment
// timer with the assignment. Call it before serving.
func (s *Service) OnAssigned(fn func(e *BotEdit, agentID string) error) { s.assignHook = fn }

// OnSuspended registers fn, called inside the transaction in which a tag's post-action
// suspends the bot and puts the conversation in Unassigned, so that routing assigns it in the
// same commit. Call it before serving.
func (s *Service) OnSuspended(fn func(e *BotEdit) error) { s.suspendHook = fn }

// suspended runs the suspend hook in tx and returns what it appended.
func (s *Service) suspended(ctx context.Context, tx chat.Tx, c *chat.Conversation, botName string) ([]*chat.Message, error) {
	if s.suspendHook == nil {
		return nil, nil
	}
	e := &BotEdit{Tx: tx, Conv: c, s: s, botName: botName, ctx: ctx}
	if err := s.suspendHook(e); err != nil {
		return nil, err
	}
	return e.out, nil
}

// AssignTeam routes the conversation within a team of its site, by the team's policy.
func (s *Service) AssignTeam(ctx context.Context, actor Actor, id, team string) (*chat.Conversation, error) {
	if err := validTag(team); err != nil {
		return nil, chat.Errorf(chat.EInvalid, "team: %q is not a team name", team)
	}
	if s.teamHook == nil {
		return nil, chat.Errorf(chat.EInvalid, "team: routing is not enabled on this server")
	}
	return s.Edit(ctx, actor, id, func(e *BotEdit) error {
		if e.Conv.Status == chat.StatusResolved {
			return chat.Errorf(chat.EConflict, "the conversation is resolved: reopen it first")
		}
		return s.teamHook(e, actor, team)
	})
}

// tagged runs the tag hook for a tag just applied in tx, and returns what it appended.
func (s *Service) tagged(ctx context.Context, tx chat.Tx, c *chat.Conversation, botName, tag string) ([]*chat.Message, bool, error) {
	if s.tagHook == nil {
		return nil, false, nil
	}
	e := &BotEdit{Tx: tx, Conv: c, s: s, botName: botName, ctx: ctx}
	if err := s.tagHook(e, tag); err != nil {
		return nil, false, err
	}
	return e.out, e.changed, nil
}
