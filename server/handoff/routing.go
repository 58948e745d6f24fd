package handoff

import (
	"context"
	"errors"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// Router assigns a conversation the flow has just put in the Unassigned queue, in the flow's
// transaction, and says whether anyone could be assigned one now; package routing implements it.
type Router interface {
	Queued(e *conversation.BotEdit, st *site.Settings) error
	Available(ctx context.Context, siteID string, st *site.Settings) bool
}

// AutoResponse is what a visitor is told when nobody can take their conversation (routing's
// reassignment found nobody): the business-hours answer in their language, with where the
// reply will go, as the flow says it when nobody is available. It reads in tx, the
// conversation's transaction.
func (s *Service) AutoResponse(tx chat.Tx, st *site.Settings, c *chat.Conversation) string {
	h := &chat.Handoff{ConversationID: c.ID, SiteID: c.SiteID}
	if ht, ok := tx.(chat.HandoffTx); ok {
		got, err := ht.Handoff(c.ID)
		switch {
		case err == nil:
			h = got
		case !errors.Is(err, chat.ErrNotFound):
			s.o.Log.Warn("handoff: no auto-response: cannot read the handoff", "conversation", c.ID, "err", err)
			return ""
		}
	}
	v, err := tx.Visitor(c.VisitorID)
	if err != nil {
		v = nil // no profile yet: the answer without their time zone
	}
	a := &applier{s: s, h: h, p: &step{st: st, visitor: v}, now: s.o.Now(), t: textsFor(st, h.Locale)}
	a.fillEmail()
	return a.autoResponse()
}
