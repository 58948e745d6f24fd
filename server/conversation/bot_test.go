package conversation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// BotReply commits the bot's turn only while the conversation is still the bot's.
func TestBotReplyOnlyWhileTheConversationIsTheBots(t *testing.T) {
	tests := []struct {
		name  string
		since func(t *testing.T, f *fixture, conv string, v conversation.Actor) // what happens while the bot thinks
		stale bool
	}{
		{"nothing happened", func(*testing.T, *fixture, string, conversation.Actor) {}, false},
		{"the visitor wrote again", func(t *testing.T, f *fixture, conv string, v conversation.Actor) { f.send(t, v, "", "hello?") }, false},
		{"an agent wrote a note", func(t *testing.T, f *fixture, conv string, _ conversation.Actor) {
			if _, err := f.svc.Send(context.Background(), f.alice, conv, conversation.SendInput{ClientID: "n", Text: "hm", Note: true}); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"an agent replied", func(t *testing.T, f *fixture, conv string, _ conversation.Actor) {
			f.send(t, f.alice, conv, "Alice here")
		}, true},
		{"an agent replied and handed back to the bot", func(t *testing.T, f *fixture, conv string, _ conversation.Actor) {
			f.send(t, f.alice, conv, "Alice here")
			if _, err := f.svc.HandBack(context.Background(), f.alice, conv); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"an agent paused the bot", func(t *testing.T, f *fixture, conv string, _ conversation.Actor) {
			if _, err := f.svc.SetBotPaused(context.Background(), f.alice, conv, true); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"an agent moved it to the queue", func(t *testing.T, f *fixture, conv string, _ conversation.Actor) {
			if _, err := f.svc.Assign(context.Background(), f.alice, conv, ""); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"an agent resolved it", func(t *testing.T, f *fixture, conv string, _ conversation.Actor) {
			if _, err := f.svc.Resolve(context.Background(), f.alice, conv); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := setup(t, db)
				ctx := context.Background()
				v := f.visitor()
				first := f.send(t, v, "", "where is my order?")
				conv := first.Conversation.ID
				tt.since(t, f, conv, v)
				c, err := f.svc.BotReply(ctx, conversation.BotTurn{ConversationID: conv, Answers: first.Message, BotName: "Shopbot",
					Messages: []conversation.BotMessage{{Text: "It ships today."}}, Tags: []string{"order_status"}})
				if tt.stale {
					if !errors.Is(err, conversation.ErrNotBots) {
						t.Fatalf("got %v, want ErrNotBots", err)
					}
					for _, m := range f.pub.messages(conv) {
						if m.AuthorType == chat.AuthorBot {
							t.Fatalf("a discarded turn published %q", m.Text)
						}
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !c.HasTag("order_status") || c.Status != chat.StatusBot {
					t.Fatalf("%+v", c)
				}
				msgs := f.pub.messages(conv)
				bot, tag := msgs[len(msgs)-2], msgs[len(msgs)-1]
				if bot.AuthorType != chat.AuthorBot || bot.AuthorName != "Shopbot" || bot.Text != "It ships today." || !bot.VisibleToVisitor() {
					t.Fatalf("bot message %+v", bot)
				}
				if tag.Event["action"] != "tagged" || tag.Event["by"] != conversation.BotAuthorID || tag.VisibleToVisitor() {
					t.Fatalf("tag event %+v", tag)
				}
				// The same visitor message is answered once.
				_, err = f.svc.BotReply(ctx, conversation.BotTurn{ConversationID: conv, Answers: first.Message, BotName: "Shopbot",
					Messages: []conversation.BotMessage{{Text: "It ships today."}}})
				if chat.ErrorCode(err) != chat.EConflict {
					t.Fatalf("second answer: %v", err)
				}
			})
		})
	}
}

func TestBotSuspendCloseAndQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		turn := func(text string, t2 conversation.BotTurn) *chat.Conversation {
			res := f.send(t, f.visitor(), "", text)
			t2.ConversationID, t2.Answers, t2.BotName = res.Conversation.ID, res.Message, "Bot"
			c, err := f.svc.BotReply(ctx, t2)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := turn("refund please", conversation.BotTurn{Messages: []conversation.BotMessage{{Text: "Send your order number."}},
			Tags: []string{"return_or_refund"}, Suspend: true, Because: "return_or_refund"})
		if c.Status != chat.StatusUnassigned || !c.BotPaused {
			t.Fatalf("suspended: %+v", c)
		}
		c = turn("solved, thanks", conversation.BotTurn{Messages: []conversation.BotMessage{{Text: "Glad to hear!"}}, Close: true, Because: "solved"})
		if c.Status != chat.StatusResolved || c.ResolvedAt.IsZero() {
			t.Fatalf("closed: %+v", c)
		}
		res := f.send(t, f.visitor(), "", "hello")
		c, err := f.svc.BotToQueue(ctx, res.Conversation.ID, conversation.QueueInput{Reason: "unknown", Event: "The bot could not answer",
			BotName: "Bot", Message: &conversation.BotMessage{Text: "Someone will reply."}})
		if err != nil || c.Status != chat.StatusUnassigned {
			t.Fatalf("queue: %v %+v", err, c)
		}
		if _, err := f.svc.BotToQueue(ctx, res.Conversation.ID, conversation.QueueInput{Reason: "unknown"}); !errors.Is(err, conversation.ErrNotBots) {
			t.Fatalf("queueing twice: %v", err)
		}
		// Only agents pause the bot or hand conversations to it.
		if _, err := f.svc.SetBotPaused(ctx, f.visitor(), res.Conversation.ID, true); chat.ErrorCode(err) != chat.EForbidden {
			t.Fatalf("visitor pause: %v", err)
		}
		if _, err := f.svc.HandBack(ctx, f.visitor(), res.Conversation.ID); chat.ErrorCode(err) != chat.EForbidden {
			t.Fatalf("visitor hand back: %v", err)
		}
		// A bot account is not someone to assign a conversation to.
		b := &chat.Agent{ID: chat.NewID("ag"), Email: "bot+shop@bots.baton.invalid", Name: "Bot", Role: chat.RoleBot, PasswordHash: "!", SiteIDs: []string{f.site.ID}}
		if err := db.CreateAgent(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(ctx, f.alice, res.Conversation.ID, b.ID); chat.ErrorCode(err) != chat.EInvalid {
			t.Fatalf("assign to a bot account: %v", err)
		}
	})
}
