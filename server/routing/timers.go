package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
)

// AgentReplied drops the conversation's reassignment timer in the transaction that stores a
// person's reply: whoever replied, the visitor has an answer.
func (r *Router) AgentReplied(tx chat.Tx, c *chat.Conversation, _ *chat.Message) error {
	rtx, ok := tx.(Tx)
	if !ok {
		return nil
	}
	return rtx.DeleteRoutingTimer(c.ID)
}

// FireDue fires the timers due now (at most Batch of them) and reports how many reassigned or
// unassigned a conversation; the server calls it every few seconds. A timer another node claimed first is skipped.
func (r *Router) FireDue(ctx context.Context) (int, error) {
	due, err := r.o.Store.DueRoutingTimers(ctx, r.o.Now(), r.o.Batch)
	if err != nil {
		return 0, fmt.Errorf("routing: due timers: %w", err)
	}
	n := 0
	for _, t := range due {
		acted, err := r.fire(ctx, t)
		if err != nil {
			r.o.Log.Error("routing: reassignment failed; it is tried again", "conversation", t.ConversationID, "err", err)
			continue
		}
		if acted {
			n++
		}
	}
	return n, nil
}

// fire acts on one due timer in the conversation's transaction: claimed there (deleted as it
// was read), it reassigns only if the agent still has the conversation, unresolved, and has
// not replied since the assignment.
func (r *Router) fire(ctx context.Context, t *Timer) (bool, error) {
	l, err := r.o.Sites.ByID(ctx, t.SiteID)
	if err != nil {
		return false, fmt.Errorf("site: %w", err)
	}
	st := l.Settings
	acted := false
	_, err = r.o.Conversations.EditAsBot(ctx, t.ConversationID, "Baton", func(e *conversation.BotEdit) error {
		acted = false
		rtx, ok := e.Tx.(Tx)
		if !ok {
			return errors.New("routing: the store's transactions do not keep routing state")
		}
		if claimed, err := rtx.ClaimRoutingTimer(t); err != nil || !claimed {
			return err
		}
		c := e.Conv
		if c.Status != chat.StatusAssigned || c.AssigneeID != t.AgentID {
			return nil // resolved, reassigned or taken over since
		}
		if replied, err := e.Tx.HumanRepliedSince(c.ID, t.AssignedSeq); err != nil || replied {
			return err
		}
		acted = true
		from := t.AgentID
		if agents, err := rtx.RoutingAgents(c.SiteID); err == nil {
			for _, a := range agents {
				if a.ID == t.AgentID {
					from = a.Name
				}
			}
		}
		wait := formatMinutes(t.DueAt.Sub(t.AssignedAt))
		next, err := r.route(e, st, t.Team, t.AgentID)
		if err != nil {
			return err
		}
		if next != nil {
			return e.Note("Reassigned from "+from+" to "+next.Name+": no reply within "+wait,
				map[string]any{"action": "reassigned", "from": t.AgentID, "agent_id": next.ID})
		}
		// Manual policy: nobody is picked for the others, but if someone could take it, it goes
		// back to the queue they pick from, and the visitor is not told nobody is there.
		others, _, err := r.eligibleTx(e, st.RoutingFor(t.Team), t.AgentID)
		if err != nil {
			return err
		}
		if len(others) > 0 {
			if err := e.Unassign("Moved back to Unassigned: "+from+" did not reply within "+wait,
				map[string]any{"by": "routing", "from": t.AgentID}); err != nil {
				return err
			}
			return e.Note("Back in Unassigned from "+from+": no reply within "+wait,
				map[string]any{"action": "reassigned", "from": t.AgentID})
		}
		if err := e.Unassign("Moved to Unassigned: "+from+" did not reply within "+wait+" and nobody else is available",
			map[string]any{"by": "routing", "from": t.AgentID}); err != nil {
			return err
		}
		if err := e.Note("Unassigned from "+from+": no reply within "+wait+"; nobody else is available",
			map[string]any{"action": "reassigned", "from": t.AgentID}); err != nil {
			return err
		}
		if r.o.AutoResponse != nil {
			if text := r.o.AutoResponse(e.Tx, st, c); text != "" {
				return e.Say(conversation.BotMessage{Text: text})
			}
		}
		return nil
	})
	if errors.Is(err, chat.ErrNotFound) {
		return false, nil // the conversation is gone, and its timer with it
	}
	return acted, err
}

// formatMinutes says a wait the way the note does: "15 minutes", "1 minute", "2 hours".
func formatMinutes(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m == 1:
		return "1 minute"
	case m >= 120 && m%60 == 0:
		return fmt.Sprintf("%d hours", m/60)
	}
	return fmt.Sprintf("%d minutes", m)
}
