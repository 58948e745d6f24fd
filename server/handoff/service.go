package handoff

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/batonchat/baton/server/bot"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// Store is what the flow reads outside its transactions.
type Store interface {
	chat.HandoffStore
	// OutcomeFacts counts the selected conversations by the day they started in (in loc) and
	// by the facts that decide their outcome, for the dashboard's chart; Tagged means any of tags.
	OutcomeFacts(ctx context.Context, q chat.StatsQuery, loc *time.Location, tags []string) ([]chat.OutcomeFacts, error)
	Visitor(ctx context.Context, id string) (*chat.Visitor, error)
}

// Presence tells who is connected; the realtime hub implements it.
type Presence interface {
	// OnlineAgents returns the human agents of the site who are connected and online (not away).
	OnlineAgents(siteID string) []string
	// VisitorConnected reports whether the visitor has the chat open in a tab.
	VisitorConnected(visitorID string) bool
}

// Delivery is a conversation to hand to a helpdesk, the support address or the owner's
// webhook once the visitor has consented and given an email.
type Delivery struct {
	// Key is the same for every attempt of this delivery (the outbox dedupes on it).
	Key            string
	Method         Method
	SiteID         string
	ConversationID string
	Visitor        *chat.Visitor // the profile as it is now
	Email          string        // where the reply goes: given in the flow, or verified
	Reason         string
	Tags           []string
	// TimeZone is the visitor's IANA zone when the widget told it, for the transcript's times.
	TimeZone string
}

// Dispatcher delivers handed-over conversations outside Baton (package outbox implements it).
// Dispatch is called inside the transaction that moves the flow to Delivering, so the intent
// is stored with the state change or not at all; the outbox reports the outcome later with
// Service.Delivered or Service.Failed.
type Dispatcher interface {
	Dispatch(tx chat.Tx, d Delivery) error
}

// ReplyNotice is a person's reply that a visitor who left the chat should get by email.
type ReplyNotice struct {
	// Key is unique per reply (the outbox dedupes on it).
	Key            string
	SiteID         string
	ConversationID string
	MessageID      string
	// VisitorSeq is the reply's number in the visitor's view: if the visitor has read up to it
	// by the time the email would go, it need not go.
	VisitorSeq int64
	VisitorID  string
	Email      string
	Locale     string
	// PageURL is the page the visitor chatted from: the link back to the chat.
	PageURL string
}

// Notifier emails visitors a person's reply they were not there to read (package outbox
// implements it). NotifyReply is called inside the transaction that stores the reply.
type Notifier interface {
	NotifyReply(tx chat.Tx, n ReplyNotice) error
}

// Options configure a Service.
type Options struct {
	Conversations *conversation.Service
	Store         Store
	Sites         *site.Cache
	Presence      Presence
	// Dispatcher delivers tickets, emails and webhooks; nil: such a handoff fails at once and
	// the conversation goes to the Unassigned queue, so that a person still sees it.
	Dispatcher Dispatcher
	// Notifier emails away visitors the team's replies; nil: replies wait in the chat.
	Notifier Notifier
	// Router assigns what the flow puts in the Unassigned queue and says who is available;
	// nil: conversations wait in Unassigned and availability counts online agents.
	Router Router
	Log    *slog.Logger
	Now    func() time.Time
}

// Service runs the handoff flow. It is the bot's Handoff (and Listener): the bot engine calls
// Start when it gives a conversation up, and offers it the visitor's messages while the flow
// waits for an answer.
type Service struct {
	o Options
}

var (
	_ bot.Handoff  = (*Service)(nil)
	_ bot.Listener = (*Service)(nil)
)

// New returns a Service.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{o: o}
}

// step is one input to a conversation's flow, with what the actions need.
type step struct {
	conv    string
	site    *chat.Site
	st      *site.Settings
	visitor *chat.Visitor
	in      Input
	facts   Facts
	// for Start
	reason, tag, locale string
	// for answers
	msg    *chat.Message
	answer func(f Flow) (Input, string) // reads the message for the state the flow is in
	email  string
	// for Delivered and Failed
	ref, failure string

	handled  bool          // set by run: the input was the flow's
	recorded []string      // set by run: the steps recorded, counted once committed
	wait     time.Duration // the expected wait told when a person is coming (0: "shortly")
}

// Start offers the visitor a person (or shows the owner's message, on a site without people).
// A conversation that is no longer the bot's is left alone.
func (s *Service) Start(ctx context.Context, r bot.HandoffRequest) error {
	v := s.visitor(ctx, r.Conversation.VisitorID)
	err := s.run(ctx, &step{conv: r.Conversation.ID, site: r.Site, st: r.Settings, visitor: v, in: Start,
		facts: s.facts(ctx, r.Site.ID, r.Settings, v), reason: string(r.Reason), tag: r.Tag, locale: r.Locale})
	if errors.Is(err, conversation.ErrNotBots) {
		return nil
	}
	return err
}

// Answer takes a visitor message while the flow waits for one: the answer to the consent
// question, or their email. Otherwise it returns false and the bot answers the message.
func (s *Service) Answer(ctx context.Context, r bot.AnswerRequest) (bool, error) {
	h, err := s.o.Store.Handoff(ctx, r.Conversation.ID)
	if errors.Is(err, chat.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read handoff: %w", err)
	}
	if st := State(h.State); st != Offered && st != Identify && st != Delivering {
		return false, nil
	}
	v := r.Visitor
	if v == nil {
		v = s.visitor(ctx, r.Conversation.VisitorID)
	}
	p := &step{conv: r.Conversation.ID, site: r.Site, st: r.Settings, visitor: v, msg: r.Message,
		facts: s.facts(ctx, r.Site.ID, r.Settings, v)}
	if p.facts.Available && State(h.State) != Delivering {
		p.wait = s.expectedWait(ctx, r.Site.ID, r.Settings) // this answer may bring a person
	}
	p.answer = func(f Flow) (Input, string) {
		switch f.State {
		case Offered:
			if formAnswer(r.Message) {
				return Other, ""
			}
			return consentAnswer(r.Settings, r.Message.Text), ""
		case Identify:
			return emailAnswer(r.Message)
		}
		return Other, ""
	}
	err = s.run(ctx, p)
	if errors.Is(err, conversation.ErrNotBots) {
		return true, nil // a person took the conversation meanwhile: the bot stays out
	}
	return p.handled, err
}

// Delivered is called by the outbox when a ticket, email or webhook took the conversation:
// the reference is stored and the conversation resolved (the visitor was told where the reply
// goes).
func (s *Service) Delivered(ctx context.Context, conversationID, ref string) error {
	return s.outcome(ctx, conversationID, Delivered, ref, "")
}

// Failed is called by the outbox when a delivery failed for good: the conversation goes to
// the Unassigned queue so that a person sees it.
func (s *Service) Failed(ctx context.Context, conversationID, reason string) error {
	return s.outcome(ctx, conversationID, Failed, "", reason)
}

func (s *Service) outcome(ctx context.Context, conversationID string, in Input, ref, failure string) error {
	h, err := s.o.Store.Handoff(ctx, conversationID)
	if err != nil {
		return fmt.Errorf("handoff of %s: %w", conversationID, err)
	}
	l, err := s.o.Sites.ByID(ctx, h.SiteID)
	if err != nil {
		return fmt.Errorf("handoff of %s: %w", conversationID, err)
	}
	return s.run(ctx, &step{conv: conversationID, site: l.Site, st: l.Settings, in: in, ref: ref, failure: failure,
		facts: Facts{Method: Method(h.Method)}})
}

// visitor reads the visitor's profile; nil when they have none yet.
func (s *Service) visitor(ctx context.Context, id string) *chat.Visitor {
	v, err := s.o.Store.Visitor(ctx, id)
	if err != nil {
		return nil
	}
	return v
}

// facts gathers what the machine needs to know now.
func (s *Service) facts(ctx context.Context, siteID string, st *site.Settings, v *chat.Visitor) Facts {
	f := Facts{Method: Method(st.HandoffMethod()), Verified: v != nil && v.EmailVerified && v.Email != ""}
	if f.Method == MethodInbox {
		f.Available = s.available(ctx, siteID, st, s.o.Now())
	}
	return f
}

// available reports whether a person can answer the site's visitors live: open by the
// calendar, human chat on, and an agent online with room.
func (s *Service) available(ctx context.Context, siteID string, st *site.Settings, now time.Time) bool {
	if !st.HumanChat() || !st.Calendar().Open(now) || s.o.Presence == nil {
		return false
	}
	if s.o.Router != nil {
		return s.o.Router.Available(ctx, siteID, st) // the agents routing could assign, by the same rules
	}
	online := s.o.Presence.OnlineAgents(siteID)
	if len(online) == 0 {
		return false
	}
	limit := 0
	if st.Handoff != nil {
		limit = st.Handoff.MaxOpenPerAgent
	}
	if limit == 0 {
		return true
	}
	open, err := s.o.Store.OpenAssigned(ctx, online)
	if err != nil {
		s.o.Log.Warn("handoff: cannot count agents' conversations: assuming room", "site", siteID, "err", err)
		return true
	}
	for _, id := range online {
		if open[id] < limit {
			return true
		}
	}
	return false
}

// Waits are measured over the past week, once there are enough of them to say something.
const (
	waitWindow     = 7 * 24 * time.Hour
	minWaitSamples = 3
)

// expectedWait is what a visitor is told when a person is coming: the site's expected_wait,
// else the median time from consent to a person's first reply over the past week's
// conversations (with at least three), else 0 ("shortly").
func (s *Service) expectedWait(ctx context.Context, siteID string, st *site.Settings) time.Duration {
	if st.Handoff != nil && st.Handoff.ExpectedWait > 0 {
		return time.Duration(st.Handoff.ExpectedWait)
	}
	now := s.o.Now()
	c, err := s.o.Store.HandoffCounts(ctx, chat.StatsQuery{SiteID: siteID, From: now.Add(-waitWindow), To: now.Add(time.Minute)}, nil)
	if err != nil {
		s.o.Log.Warn("handoff: cannot measure the wait", "site", siteID, "err", err)
		return 0
	}
	if len(c.ReplyDelays) < minWaitSamples {
		return 0
	}
	m, _ := median(c.ReplyDelays)
	return m
}

// Availability says whether a person can answer the site's visitors now and, when business
// hours decide it, when that is next expected to change (zero when unknown).
func (s *Service) Availability(ctx context.Context, l *site.Loaded) (bool, time.Time) {
	now := s.o.Now()
	cal := l.Settings.Calendar()
	available := s.available(ctx, l.Site.ID, l.Settings, now)
	if !l.Settings.HumanChat() || cal == nil {
		return available, time.Time{}
	}
	open := cal.Open(now)
	if open && !available {
		return false, time.Time{} // open, but nobody there: when someone comes is anyone's guess
	}
	change, _, ok := cal.Next(now)
	if !ok {
		return available, time.Time{}
	}
	return available, change
}

func formAnswer(m *chat.Message) bool {
	return m != nil && m.Event != nil && m.Event["action"] == "form_submitted"
}
