package conversation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// recorder is a Publisher that remembers what was published, in order.
type recorder struct {
	mu     sync.Mutex
	events []*chat.Event
}

func (r *recorder) Publish(ev *chat.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) messages(convID string) []*chat.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*chat.Message
	for _, ev := range r.events {
		if ev.Type == chat.EventMessage && ev.Message.ConversationID == convID {
			out = append(out, ev.Message)
		}
	}
	return out
}

type fixture struct {
	db    *store.DB
	svc   *conversation.Service
	pub   *recorder
	site  *chat.Site
	alice conversation.Actor
	bob   conversation.Actor
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	site := &chat.Site{ID: chat.NewID("st"), Key: "shop", Name: "Shop", IdentitySecret: "s", Settings: []byte(`{}`)}
	if err := db.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	agent := func(name string) conversation.Actor {
		a := &chat.Agent{ID: chat.NewID("ag"), Email: name + "@x.example", Name: name, Role: chat.RoleAgent, SiteIDs: []string{site.ID}}
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		return conversation.AgentActor(a)
	}
	pub := &recorder{}
	return &fixture{db: db, svc: conversation.New(db, pub, slog.New(slog.NewTextHandler(io.Discard, nil)), nil), pub: pub, site: site,
		alice: agent("Alice"), bob: agent("Bob")}
}

func (f *fixture) visitor() conversation.Actor {
	return conversation.VisitorActor(chat.NewID("vi"), f.site.ID)
}

func (f *fixture) send(t *testing.T, a conversation.Actor, conv, text string) *conversation.Result {
	t.Helper()
	res, err := f.svc.Send(context.Background(), a, conv, conversation.SendInput{ClientID: chat.NewID("c"), Text: text})
	if err != nil {
		t.Fatalf("send %q: %v", text, err)
	}
	return res
}

func TestAnotherAgentTakesOverAndTheFirstIsTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		conv := f.send(t, f.visitor(), "", "help").Conversation.ID
		f.send(t, f.alice, conv, "Alice here")
		res := f.send(t, f.bob, conv, "Bob here")
		if res.Conversation.AssigneeID != f.bob.ID || res.Conversation.AssigneeName != "Bob" {
			t.Fatalf("after Bob replied: %+v", res.Conversation)
		}
		msgs := f.pub.messages(conv)
		var joins []map[string]any
		for _, m := range msgs {
			if m.Kind == chat.KindEvent && m.Event["action"] == "joined" {
				joins = append(joins, m.Event)
			}
		}
		if len(joins) != 2 || joins[1]["from"] != f.alice.ID {
			t.Fatalf("joined events: %v", joins)
		}
	})
}

func TestResolvedConversationTakesNotesButNotReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		v := f.visitor()
		conv := f.send(t, v, "", "hi").Conversation.ID
		if _, err := f.svc.Resolve(ctx, f.alice, conv); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Send(ctx, f.alice, conv, conversation.SendInput{ClientID: "r1", Text: "late reply"})
		if chat.ErrorCode(err) != chat.EConflict {
			t.Fatalf("reply to resolved: %v", err)
		}
		if _, err := f.svc.Send(ctx, f.alice, conv, conversation.SendInput{ClientID: "n1", Text: "note", Note: true}); err != nil {
			t.Fatalf("note on resolved: %v", err)
		}
		// The visitor's next message opens a new conversation; the old one cannot be reopened.
		next := f.send(t, v, "", "me again").Conversation
		if next.ID == conv || next.Status != chat.StatusBot {
			t.Fatalf("new conversation: %+v", next)
		}
		if _, err := f.svc.Reopen(ctx, f.alice, conv); chat.ErrorCode(err) != chat.EConflict {
			t.Fatalf("reopen with a newer open conversation: %v", err)
		}
	})
}

func TestEventsArePublishedInSequenceOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		v := f.visitor()
		conv := f.send(t, v, "", "start").Conversation.ID
		var wg sync.WaitGroup
		for _, a := range []conversation.Actor{v, f.alice, f.bob} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 15; i++ {
					if _, err := f.svc.Send(context.Background(), a, conv, conversation.SendInput{ClientID: fmt.Sprint(a.ID, i), Text: "x"}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		msgs := f.pub.messages(conv)
		for i, m := range msgs {
			if m.Seq != int64(i+1) {
				t.Fatalf("published #%d has seq %d", i, m.Seq)
			}
		}
	})
}

func TestVisitorAttributes(t *testing.T) {
	f := setup(t, storetest.SQLite(t))
	ctx := context.Background()
	v := f.visitor()
	if _, err := f.svc.SetAttributes(ctx, v, map[string]string{"name": "Jane", "email": "jane@example.com", "plan": "pro"}); err != nil {
		t.Fatal(err)
	}
	// The site verified another address: the visitor cannot overwrite it.
	err := f.db.Tx(ctx, func(tx chat.Tx) error {
		p, err := tx.Visitor(v.ID)
		if err != nil {
			return err
		}
		p.Email, p.EmailVerified = "jane@corp.example", true
		return tx.SaveVisitor(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.SetAttributes(ctx, v, map[string]string{"email": "attacker@evil.example", "plan": ""})
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "jane@corp.example" || !got.EmailVerified || got.Attributes["plan"] != "" {
		t.Fatalf("profile: %+v", got)
	}
	for _, bad := range []map[string]string{
		{},
		{"email": "Jane\r\nBcc: x@evil.example"},
		{"bad key!": "x"},
	} {
		if _, err := f.svc.SetAttributes(ctx, v, bad); chat.ErrorCode(err) != chat.EInvalid {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := f.svc.SetAttributes(ctx, f.alice, map[string]string{"name": "x"}); chat.ErrorCode(err) != chat.EForbidden {
		t.Fatalf("agent setting visitor attributes: %v", err)
	}
}

func TestReadPositionsNeverGoBackOrPastTheEnd(t *testing.T) {
	f := setup(t, storetest.SQLite(t))
	ctx := context.Background()
	v := f.visitor()
	conv := f.send(t, v, "", "one").Conversation.ID
	f.send(t, f.alice, conv, "two")
	if err := f.svc.Read(ctx, f.alice, conv, 99); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Read(ctx, f.alice, conv, 1); err != nil {
		t.Fatal(err)
	}
	c, _ := f.db.Conversation(ctx, conv)
	if c.AgentReadSeq != c.LastSeq {
		t.Fatalf("agent read %d of %d", c.AgentReadSeq, c.LastSeq)
	}
	if err := f.svc.Read(ctx, v, "", 2); err != nil {
		t.Fatal(err)
	}
	c, _ = f.db.Conversation(ctx, conv)
	if c.VisitorReadSeq != 2 {
		t.Fatalf("visitor read %d", c.VisitorReadSeq)
	}
}

func TestTypingBeforeTheFirstMessageIsHarmless(t *testing.T) {
	f := setup(t, storetest.SQLite(t))
	if err := f.svc.Typing(context.Background(), f.visitor(), "", true); err != nil {
		t.Fatal(err)
	}
	if len(f.pub.events) != 0 {
		t.Fatalf("published %v", f.pub.events)
	}
}
