package outbox

import (
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/handoff"
)

// The handoff flow's ports, implemented by the outbox; its Service is the outbox's Outcomes.
var (
	_ handoff.Dispatcher = (*Outbox)(nil)
	_ handoff.Notifier   = (*Outbox)(nil)
	_ Outcomes           = (*handoff.Service)(nil)
)

// Dispatch enqueues a handoff's delivery in the flow's transaction (handoff.Dispatcher).
func (ob *Outbox) Dispatch(tx chat.Tx, d handoff.Delivery) error {
	return ob.Enqueue(tx, Handoff{Key: d.Key, Method: string(d.Method), SiteID: d.SiteID, ConversationID: d.ConversationID,
		Visitor: d.Visitor, Email: d.Email, Reason: d.Reason, Tags: d.Tags, TimeZone: d.TimeZone})
}

// NotifyReply enqueues a reply email in the transaction that stores the reply (handoff.Notifier).
func (ob *Outbox) NotifyReply(tx chat.Tx, n handoff.ReplyNotice) error {
	return ob.EnqueueReply(tx, Reply{Key: n.Key, SiteID: n.SiteID, ConversationID: n.ConversationID, MessageID: n.MessageID,
		VisitorSeq: n.VisitorSeq, VisitorID: n.VisitorID, Email: n.Email, Locale: n.Locale, PageURL: n.PageURL})
}
