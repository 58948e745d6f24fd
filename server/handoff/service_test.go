package handoff_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/batonchat/baton/server/bot"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/handoff"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store/storetest"
)

// The flow on a real store, without the bot engine or the API: what a program embedding Baton
// without an outbox sees, and how the flow treats late and repeated reports.

type nobody struct{}

func (nobody) Publish(*chat.Event)                            {}
func (nobody) OnlineAgents(string) []string                   { return nil }
func (nobody) VisitorConnected(string) bool                   { return false }
func (nobody) NotifyReply(chat.Tx, handoff.ReplyNotice) error { return nil }

type flowFixture struct {
	t     *testing.T
	svc   *conversation.Service
	flow  *handoff.Service
	site  *site.Loaded
	store interface {
		Handoff(ctx context.Context, id string) (*chat.Handoff, error)
	}
}

func newFlow(t *testing.T, settings string, dispatcher handoff.Dispatcher) *flowFixture {
	t.Helper()
	db := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := site.ParseYAML([]byte("key: shop\nname: Shop\n" + settings))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := site.Apply(context.Background(), db, st); err != nil {
		t.Fatal(err)
	}
	sites := site.NewCache(db, time.Minute)
	l, err := sites.ByKey(context.Background(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	svc := conversation.New(db, nobody{}, log, nil)
	flow := handoff.New(handoff.Options{Conversations: svc, Store: db, Sites: sites, Presence: nobody{}, Dispatcher: dispatcher, Log: log})
	return &flowFixture{t: t, svc: svc, flow: flow, site: l, store: db}
}

// visitorSays stores a visitor message and returns the conversation and the message.
func (f *flowFixture) visitorSays(v conversation.Actor, text string) (*chat.Conversation, *chat.Message) {
	f.t.Helper()
	res, err := f.svc.Send(context.Background(), v, "", conversation.SendInput{ClientID: text, Text: text})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Conversation, res.Message
}

// answer gives the flow a visitor message, as the bot engine does.
func (f *flowFixture) answer(v conversation.Actor, text string) bool {
	f.t.Helper()
	c, m := f.visitorSays(v, text)
	handled, err := f.flow.Answer(context.Background(), bot.AnswerRequest{Conversation: c, Site: f.site.Site, Settings: f.site.Settings,
		Message: m, Locale: "en"})
	if err != nil {
		f.t.Fatal(err)
	}
	return handled
}

func (f *flowFixture) state(conv string) *chat.Handoff {
	f.t.Helper()
	h, err := f.store.Handoff(context.Background(), conv)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

func TestWithoutADispatcherATicketGoesToTheTeam(t *testing.T) {
	f := newFlow(t, "handoff:\n  method: zendesk\n  zendesk: {subdomain: shop, email: a@shop.example, token_env: ZD}\n", nil)
	ctx := context.Background()
	v := conversation.VisitorActor(chat.NewID("vi"), f.site.Site.ID)
	c, _ := f.visitorSays(v, "Can I pay with seashells?")
	if err := f.flow.Start(ctx, bot.HandoffRequest{Conversation: c, Site: f.site.Site, Settings: f.site.Settings, Reason: bot.ReasonUnknown, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	if !f.answer(v, "yes") || !f.answer(v, "jane@example.com") {
		t.Fatal("the answers were not the flow's")
	}
	got, err := f.svc.Get(ctx, conversation.AgentActor(&chat.Agent{Role: chat.RoleAdmin}), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h := f.state(c.ID); got.Status != chat.StatusUnassigned || h.State != string(handoff.Done) || h.Outcome != "failed" || h.Email != "jane@example.com" {
		t.Fatalf("conversation %s, handoff %+v", got.Status, h)
	}
}

type dispatched struct{ n int }

func (d *dispatched) Dispatch(chat.Tx, handoff.Delivery) error { d.n++; return nil }

func TestDeliveryReportsAreIdempotentAndLateOnesChangeNothing(t *testing.T) {
	d := &dispatched{}
	f := newFlow(t, "handoff:\n  method: email\n  email: {to: support@shop.example}\n", d)
	ctx := context.Background()
	v := conversation.VisitorActor(chat.NewID("vi"), f.site.Site.ID)
	c, _ := f.visitorSays(v, "Can I pay with seashells?")
	if err := f.flow.Start(ctx, bot.HandoffRequest{Conversation: c, Site: f.site.Site, Settings: f.site.Settings, Reason: bot.ReasonUnknown, Locale: "en"}); err != nil {
		t.Fatal(err)
	}
	f.answer(v, "ja graag")
	f.answer(v, "jane@example.com")
	if d.n != 1 || f.state(c.ID).State != string(handoff.Delivering) {
		t.Fatalf("dispatched %d times, state %+v", d.n, f.state(c.ID))
	}
	for i := 0; i < 2; i++ { // the outbox may report twice (a crash before it noted the report)
		if err := f.flow.Delivered(ctx, c.ID, "<msg-1@shop.example>"); err != nil {
			t.Fatal(err)
		}
	}
	// A failure reported after the delivery (a fallback's late news) changes nothing.
	if err := f.flow.Failed(ctx, c.ID, "late"); err != nil {
		t.Fatal(err)
	}
	h := f.state(c.ID)
	if h.Outcome != "ticket" || h.TicketRef != "<msg-1@shop.example>" || d.n != 1 {
		t.Fatalf("%+v", h)
	}
	msgs, _, err := f.svc.History(ctx, conversation.AgentActor(&chat.Agent{Role: chat.RoleAdmin}), c.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, m := range msgs {
		if m.Kind == chat.KindEvent && m.Event["action"] == "ticket_created" {
			created++
		}
	}
	if created != 1 {
		t.Fatalf("%d ticket_created events", created)
	}
}
