package bot_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/batonchat/baton/server/bot"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

type discard struct{}

func (discard) Publish(*chat.Event) {}

const replaySettings = `{"key": "shop", "name": "Shop", "bot": {"brain": "knowledge", "name": "Shopbot",
	"knowledge": {"entries": [{"id": "tracking", "questions": ["Where is my order?"], "answer": "On its way."}]}}}`

// A visitor message committed while the bot's turn was still in memory — the process then
// crashed — is answered by the next run's Replay; messages already answered, taken by a person,
// paused or older than the window are left alone, and a second Replay finds nothing.
func TestReplayAnswersTurnsACrashLeftPending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		st := &chat.Site{ID: chat.NewID("st"), Key: "shop", Name: "Shop", IdentitySecret: "s", Settings: []byte(replaySettings)}
		if err := db.CreateSite(ctx, st); err != nil {
			t.Fatal(err)
		}
		agent := &chat.Agent{ID: chat.NewID("ag"), Email: "alice@x.example", Name: "Alice", Role: chat.RoleAgent, SiteIDs: []string{st.ID}}
		if err := db.CreateAgent(ctx, agent); err != nil {
			t.Fatal(err)
		}
		alice := conversation.AgentActor(agent)
		// The previous run: messages are committed, but no engine hears of them (it crashed).
		svc := conversation.New(db, discard{}, log, nil)
		send := func(a conversation.Actor, conv, text string) *conversation.Result {
			t.Helper()
			res, err := svc.Send(ctx, a, conv, conversation.SendInput{ClientID: chat.NewID("c"), Text: text})
			if err != nil {
				t.Fatalf("send %q: %v", text, err)
			}
			return res
		}
		visitor := func() conversation.Actor { return conversation.VisitorActor(chat.NewID("vi"), st.ID) }

		pending := send(visitor(), "", "where is my order?")
		answered := send(visitor(), "", "where is my order?")
		if _, err := svc.BotReply(ctx, conversation.BotTurn{ConversationID: answered.Conversation.ID, Answers: answered.Message,
			BotName: "Shopbot", Messages: []conversation.BotMessage{{Text: "On its way."}}}); err != nil {
			t.Fatal(err)
		}
		takenBy := visitor()
		taken := send(takenBy, "", "where is my order?")
		send(alice, taken.Conversation.ID, "Alice here")
		if again := send(takenBy, "", "thanks, and the invoice?"); again.Conversation.ID != taken.Conversation.ID {
			t.Fatal("the visitor's second message opened another conversation")
		}
		paused := send(visitor(), "", "where is my order?")
		if _, err := svc.SetBotPaused(ctx, alice, paused.Conversation.ID, true); err != nil {
			t.Fatal(err)
		}

		engine := func(now time.Time) *bot.Engine {
			return bot.New(bot.Options{Service: svc, Store: db, Sites: site.NewCache(db, time.Minute), Log: log,
				Now: func() time.Time { return now }})
		}
		closeEngine := func(e *bot.Engine) {
			t.Helper()
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := e.Close(cctx); err != nil {
				t.Fatal(err)
			}
		}

		// Started long after the crash: too late to answer.
		late := engine(time.Now().Add(bot.ReplayWindow + time.Minute))
		if n, err := late.Replay(ctx); err != nil || n != 0 {
			t.Fatalf("Replay after the window = %d, %v; want 0", n, err)
		}
		closeEngine(late)

		e := engine(time.Now())
		n, err := e.Replay(ctx)
		if err != nil || n != 1 {
			t.Fatalf("Replay = %d, %v; want 1 (only the pending conversation)", n, err)
		}
		closeEngine(e) // waits for the queued turn

		botMessages := func(conv string) []string {
			t.Helper()
			msgs, _, err := db.Messages(ctx, chat.MessageQuery{ConversationID: conv, VisitorView: true})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range msgs {
				if m.AuthorType == chat.AuthorBot {
					out = append(out, m.Text)
				}
			}
			return out
		}
		if got := botMessages(pending.Conversation.ID); len(got) != 1 || got[0] != "On its way." {
			t.Errorf("pending conversation's bot messages = %q, want the answer once", got)
		}
		if got := botMessages(answered.Conversation.ID); len(got) != 1 {
			t.Errorf("answered conversation's bot messages = %q, want the first answer only", got)
		}
		for _, conv := range []string{taken.Conversation.ID, paused.Conversation.ID} {
			if got := botMessages(conv); len(got) != 0 {
				t.Errorf("conversation %s (a person's or paused) got bot messages %q", conv, got)
			}
		}

		again := engine(time.Now())
		if n, err := again.Replay(ctx); err != nil || n != 0 {
			t.Errorf("second Replay = %d, %v; want 0: the turn was answered", n, err)
		}
		closeEngine(again)
	})
}

// The same message queued twice (by Replay and by the live path) is answered once.
func TestReplayedTurnIsAnsweredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		st := &chat.Site{ID: chat.NewID("st"), Key: "shop", Name: "Shop", IdentitySecret: "s", Settings: []byte(replaySettings)}
		if err := db.CreateSite(ctx, st); err != nil {
			t.Fatal(err)
		}
		svc := conversation.New(db, discard{}, log, nil)
		res, err := svc.Send(ctx, conversation.VisitorActor(chat.NewID("vi"), st.ID), "", conversation.SendInput{ClientID: "c1", Text: "where is my order?"})
		if err != nil {
			t.Fatal(err)
		}
		e := bot.New(bot.Options{Service: svc, Store: db, Sites: site.NewCache(db, time.Minute), Log: log})
		// Replay first (Notify first could be answered before Replay looks, and then Replay
		// rightly finds nothing): both queue the same turn, whichever runs second finds it answered.
		if n, err := e.Replay(ctx); err != nil || n != 1 {
			t.Fatalf("Replay = %d, %v; want 1", n, err)
		}
		e.Notify(res.Conversation, res.Message)
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := e.Close(cctx); err != nil {
			t.Fatal(err)
		}
		msgs, _, err := db.Messages(ctx, chat.MessageQuery{ConversationID: res.Conversation.ID, VisitorView: true})
		if err != nil {
			t.Fatal(err)
		}
		var bots int
		for _, m := range msgs {
			if m.AuthorType == chat.AuthorBot {
				bots++
			}
		}
		if bots != 1 {
			t.Errorf("%d bot messages, want 1", bots)
		}
	})
}
