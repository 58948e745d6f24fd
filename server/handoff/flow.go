package handoff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
)

// emailFormID names the inline form that asks for the visitor's email.
const emailFormID = "email"

// run applies one input to a conversation's flow in one transaction: it reads the stored
// state under the conversation's lock, steps the machine, carries out its actions, and stores
// the new state with them.
func (s *Service) run(ctx context.Context, p *step) error {
	botName := "Bot"
	if p.st.Bot != nil {
		botName = p.st.Bot.DisplayName()
	}
	_, err := s.o.Conversations.EditAsBot(ctx, p.conv, botName, func(e *conversation.BotEdit) error {
		p.recorded = p.recorded[:0] // a transaction run again records again
		ht, ok := e.Tx.(chat.HandoffTx)
		if !ok {
			return errors.New("handoff: the store's transactions do not keep handoff state")
		}
		h, err := ht.Handoff(p.conv)
		if errors.Is(err, chat.ErrNotFound) {
			h = &chat.Handoff{ConversationID: p.conv, SiteID: e.Conv.SiteID}
		} else if err != nil {
			return err
		}
		f := Flow{State: State(h.State), Tries: h.Tries}
		in := p.in
		botsTurn := e.Conv.Status == chat.StatusBot && !e.Conv.BotPaused
		switch {
		case in == "": // a visitor's message: what it answers depends on the state it finds
			if !botsTurn {
				return conversation.ErrNotBots
			}
			in, p.email = p.answer(f)
		case in == Start && !botsTurn:
			return conversation.ErrNotBots
		}
		facts := p.facts
		if in == Delivered || in == Failed {
			facts.Method = Method(h.Method)
		}
		r := Step(f, in, facts)
		p.handled = r.Handled
		if r.Next == f && len(r.Actions) == 0 && len(r.Records) == 0 {
			return nil // nothing to do, nothing to store
		}
		now := s.o.Now()
		if in == Start && p.locale != "" {
			h.Locale = p.locale
		}
		if in == Email {
			if err := s.takeEmail(e.Tx, e.Conv.VisitorID, h, p); err != nil {
				return err
			}
		}
		a := &applier{s: s, e: e, ht: ht, h: h, p: p, facts: facts, now: now, t: textsFor(p.st, h.Locale)}
		for _, rec := range r.Records {
			if err := a.record(rec); err != nil {
				return err
			}
		}
		for _, act := range r.Actions {
			if err := a.do(act, &r); err != nil {
				return err
			}
		}
		h.State, h.Tries, h.UpdatedAt = string(r.Next.State), r.Next.Tries, now
		return ht.SaveHandoff(h)
	})
	if err == nil {
		for _, k := range p.recorded {
			steps.WithLabelValues(k).Inc()
		}
	}
	return err
}

// takeEmail keeps the address the visitor gave. A typed one also goes to their profile the
// way a form's answer does: unverified, and never over a verified one.
func (s *Service) takeEmail(tx chat.Tx, visitorID string, h *chat.Handoff, p *step) error {
	h.Email = p.email
	if formAnswer(p.msg) {
		return nil // SubmitForm has updated the profile
	}
	v, err := tx.Visitor(visitorID)
	if err != nil {
		return err
	}
	if v.EmailVerified {
		return nil
	}
	v.Email = p.email
	return tx.SaveVisitor(v)
}

// applier carries out a step's records and actions inside its transaction.
type applier struct {
	s     *Service
	e     *conversation.BotEdit
	ht    chat.HandoffTx
	h     *chat.Handoff
	p     *step
	facts Facts
	now   time.Time
	t     texts
}

func (a *applier) record(kind string) error {
	h := a.h
	switch kind {
	case RecOffered:
		*h = chat.Handoff{ConversationID: h.ConversationID, SiteID: h.SiteID, Locale: h.Locale, Reason: a.p.reason, Tag: a.p.tag,
			Method: string(a.facts.Method), OfferedAt: a.now}
	case RecAccepted:
		h.ConsentedAt, h.Method = a.now, string(a.facts.Method)
	case RecMessageShown:
		h.Method, h.Outcome = string(MethodMessage), "message"
		if h.Reason == "" {
			h.Reason, h.Tag = a.p.reason, a.p.tag
		}
	}
	a.p.recorded = append(a.p.recorded, kind)
	return a.ht.AddHandoffEvent(&chat.HandoffEvent{SiteID: h.SiteID, ConversationID: h.ConversationID, Kind: kind, At: a.now})
}

func (a *applier) say(text string) error {
	return a.e.Say(conversation.BotMessage{Text: text})
}

func (a *applier) do(act Action, r *Result) error {
	h, t := a.h, a.t
	switch act {
	case AskConsent:
		yes, no := t.get("yes"), t.get("no")
		return a.e.Say(conversation.BotMessage{Text: t.get("consent"),
			QuickReplies: []chat.QuickReply{{Label: yes, Value: yes}, {Label: no, Value: no}}})
	case SayDeclined:
		h.Outcome = "declined"
		return a.say(t.get("declined"))
	case AskEmail, AskEmailAgain:
		text := t.get("email_ask")
		if a.facts.Method.Ticket() {
			text = t.get("email_ask_ticket") // the reply can only come by email
		}
		if act == AskEmailAgain {
			text = t.get("email_invalid")
		}
		return a.e.Say(conversation.BotMessage{Text: text, Form: &chat.Form{ID: emailFormID,
			Fields: []chat.FormField{{Name: "email", Type: "email", Label: t.get("email_label")}}}})
	case GiveUp:
		h.Outcome = "no_email"
		return a.say(t.get("email_giveup"))
	case ShowMessage:
		msg := t.get("no_human")
		if hs := a.p.st.Handoff; hs != nil && strings.TrimSpace(hs.Message) != "" {
			msg = hs.Message
		}
		return a.say(msg)
	case ToTeam:
		h.Outcome = "team"
		a.fillEmail()
		text := t.get("coming")
		if a.p.wait > 0 {
			text = t.get("coming_wait", "wait", formatWait(t.lang, a.p.wait))
		}
		if err := a.say(text); err != nil {
			return err
		}
		return a.toQueue("waiting in Unassigned")
	case AutoRespond:
		h.Outcome = "offline"
		a.fillEmail()
		if err := a.say(a.autoResponse()); err != nil {
			return err
		}
		return a.toQueue("nobody available: the auto-response was sent; waiting in Unassigned")
	case Dispatch:
		a.fillEmail()
		if err := a.say(t.get("ticket", "email", h.Email)); err != nil {
			return err
		}
		if err := a.e.Event(false, "handoff", a.agentLine("handing over by "+string(a.facts.Method)), a.eventData()); err != nil {
			return err
		}
		if a.s.o.Dispatcher == nil {
			a.s.o.Log.Error("handoff: no delivery is configured on this server: the conversation goes to the Unassigned queue",
				"conversation", h.ConversationID, "method", a.facts.Method)
			a.p.failure = "delivery by " + string(a.facts.Method) + " is not configured on this server"
			next := Step(r.Next, Failed, a.facts)
			for _, rec := range next.Records {
				if err := a.record(rec); err != nil {
					return err
				}
			}
			r.Next = next.Next
			return a.do(TicketFailed, r)
		}
		return a.s.o.Dispatcher.Dispatch(a.e.Tx, Delivery{
			Key: "handoff:" + h.ConversationID + ":" + strconv.FormatInt(h.OfferedAt.UnixMilli(), 10), Method: a.facts.Method,
			SiteID: h.SiteID, ConversationID: h.ConversationID, Visitor: a.p.visitor, Email: h.Email, Reason: h.Reason,
			Tags: append([]string(nil), a.e.Conv.Tags...), TimeZone: visitorZone(a.p.visitor)})
	case CloseTicket:
		h.Outcome, h.TicketRef = "ticket", a.p.ref
		if err := a.e.Event(false, "ticket_created", "Delivered by "+h.Method+": "+a.p.ref,
			map[string]any{"by": conversation.BotAuthorID, "method": h.Method, "ref": a.p.ref}); err != nil {
			return err
		}
		if a.e.Conv.Status != chat.StatusBot {
			return nil // a person took it meanwhile: it stays theirs
		}
		if err := a.e.Resolve(); err != nil {
			return err
		}
		return a.e.Event(true, "resolved", "Conversation resolved", map[string]any{"by": conversation.BotAuthorID, "ticket_ref": a.p.ref})
	case TicketFailed:
		h.Outcome = "failed"
		if err := a.e.Event(false, "ticket_failed", "Delivery by "+h.Method+" failed: "+a.p.failure+". Answer the visitor here or by email.",
			map[string]any{"by": conversation.BotAuthorID, "method": h.Method, "error": a.p.failure}); err != nil {
			return err
		}
		if a.e.Conv.Status != chat.StatusBot {
			return nil
		}
		return a.e.ToQueue()
	case Pass:
		return nil
	}
	return fmt.Errorf("handoff: unknown action %q", act)
}

// fillEmail takes a verified visitor's address when the flow did not ask for one.
func (a *applier) fillEmail() {
	if v := a.p.visitor; a.h.Email == "" && v != nil && v.EmailVerified {
		a.h.Email = v.Email
	}
}

func (a *applier) toQueue(what string) error {
	if err := a.e.ToQueue(); err != nil {
		return err
	}
	if err := a.e.Event(false, "handoff", a.agentLine(what), a.eventData()); err != nil {
		return err
	}
	if a.s.o.Router != nil {
		return a.s.o.Router.Queued(a.e, a.p.st)
	}
	return nil
}

func (a *applier) eventData() map[string]any {
	d := map[string]any{"by": conversation.BotAuthorID, "reason": a.h.Reason, "method": string(a.facts.Method)}
	if a.h.Tag != "" {
		d["tag"] = a.h.Tag
	}
	if a.h.Email != "" {
		d["email"] = a.h.Email
	}
	return d
}

// reasonLines say to agents why the bot handed over.
var reasonLines = map[string]string{
	"human_requested": "The visitor asked for a person",
	"unknown":         "The bot could not answer",
	"follow_up":       "The bot recognised the request: a person must carry it out",
	"bot_error":       "The bot failed to answer (error or timeout)",
	"bot_asked":       "The bot asked for a person",
	"no_bot":          "No bot on this site",
	"not_tagged":      "The bot answers only tagged messages",
}

// agentLine is the agents' event: why, that the visitor agreed, how to reach them, and what
// happens now.
func (a *applier) agentLine(what string) string {
	why := reasonLines[a.h.Reason]
	if a.h.Reason == "tag" {
		why = "Tag " + a.h.Tag + " asks for a person"
	}
	if why == "" {
		why = "The bot handed over"
	}
	line := why + "; the visitor agreed to talk to a person"
	if a.h.Email != "" {
		line += " (" + a.h.Email + ")"
	}
	return line + ": " + what
}

// autoResponse is the business-hours answer: when the team is back (in the visitor's own time
// zone when the widget told it), and where the reply will go.
func (a *applier) autoResponse() string {
	t, st := a.t, a.p.st
	cal := st.Calendar()
	var first string
	switch next, ok := cal.NextOpening(a.now); {
	case cal.Open(a.now) || (ok && !next.After(a.now)):
		first = t.get("busy")
	case ok:
		loc, zone := cal.Location(), true
		if tz := visitorZone(a.p.visitor); tz != "" {
			if l, err := time.LoadLocation(tz); err == nil {
				loc, zone = l, false
			}
		}
		first = t.get("closed", "time", formatWhen(t.lang, next, a.now, loc, zone))
	default:
		first = t.get("closed_unknown")
	}
	second := t.get("reply_here")
	if a.h.Email != "" {
		second = t.get("reply_email", "email", a.h.Email)
	}
	return first + " " + second
}

// visitorZone is the IANA time zone the widget reported for the visitor ("" when unknown).
func visitorZone(v *chat.Visitor) string {
	if v == nil {
		return ""
	}
	return v.Attributes["tz"]
}

// AgentReplied runs in the transaction that stores a person's message to the visitor (see
// conversation.Service.OnAgentReply): it notes the first reply after the visitor's consent,
// for the dashboard, and has the reply emailed to a visitor who handed over to the inbox and
// is no longer in the chat.
func (s *Service) AgentReplied(tx chat.Tx, c *chat.Conversation, m *chat.Message) error {
	ht, ok := tx.(chat.HandoffTx)
	if !ok {
		return nil
	}
	h, err := ht.Handoff(c.ID)
	if errors.Is(err, chat.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.o.Now()
	if !h.ConsentedAt.IsZero() && h.FirstReplyAt.IsZero() {
		h.FirstReplyAt, h.UpdatedAt = now, now
		if err := ht.AddHandoffEvent(&chat.HandoffEvent{SiteID: h.SiteID, ConversationID: c.ID, Kind: RecFirstReply, At: now}); err != nil {
			return err
		}
		// Counted before the reply commits: a failed reply is rare, and the counter is for trends.
		steps.WithLabelValues(RecFirstReply).Inc()
		if err := ht.SaveHandoff(h); err != nil {
			return err
		}
	}
	if s.o.Notifier == nil || State(h.State) != Done || (h.Outcome != "team" && h.Outcome != "offline" && h.Outcome != "failed") {
		return nil
	}
	if s.o.Presence != nil && s.o.Presence.VisitorConnected(c.VisitorID) {
		return nil // they read it in the chat
	}
	v, err := tx.Visitor(c.VisitorID)
	if err != nil {
		return err
	}
	email := h.Email
	if email == "" && v.EmailVerified {
		email = v.Email
	}
	if email == "" {
		return nil
	}
	return s.o.Notifier.NotifyReply(tx, ReplyNotice{Key: "reply:" + m.ID, SiteID: c.SiteID, ConversationID: c.ID, MessageID: m.ID,
		VisitorSeq: m.VisitorSeq, VisitorID: c.VisitorID, Email: email, Locale: h.Locale, PageURL: v.PageURL})
}
