package routing_test

import (
	"context"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/store"
)

const rules = `routing:
  policy: manual
  teams:
    - {name: returns, agents: [cid@shop.example, dee@shop.example], policy: round_robin}
    - {name: billing, agents: [cid@shop.example]}
  rules:
    - {tag: return_or_refund, assign_team: returns}
    - {tag: invoice, assign_team: billing}
    - {tag: vip, assign_agent: alice@shop.example, notify: {url: "https://hooks.shop.example/rule", secret_env: RULE_SECRET}}
    - {tag: angry, suspend_bot: true}
    - {tag: urgent, suspend_bot: true, assign_team: returns}
`

func TestRulesOnTags(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, rules)
		alice, bob, cid := f.agent("Alice"), f.agent("Bob"), f.agent("Cid")
		f.agent("Dee") // of the team, offline
		f.presence.set(alice, bob, cid)
		ctx := context.Background()

		t.Run("a bot's tag: the bot keeps it; the team takes it when it is handed over", func(t *testing.T) {
			c, m := f.visitorMessage()
			got, err := f.svc.BotReply(ctx, conversation.BotTurn{ConversationID: c.ID, Answers: m, BotName: "Bot",
				Messages: []conversation.BotMessage{{Text: "Here is how returns work."}}, Tags: []string{"return_or_refund"}})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != chat.StatusBot {
				t.Fatalf("the bot's conversation was taken: %s", got.Status)
			}
			queue(t, f, c.ID)
			if got := f.get(c.ID); got.Status != chat.StatusAssigned || got.AssigneeID != cid.ID || !got.HasTag("team:returns") {
				t.Fatalf("team returns (Dee offline): %s %s %v", got.Status, got.AssigneeID, got.Tags)
			}
			if f.has(c.ID, chat.KindEvent, "Assigned to Cid by round robin in team returns") == nil {
				t.Fatal("no assignment event")
			}
		})
		t.Run("suspend_bot and a team: taken from the bot at once, in the bot's turn", func(t *testing.T) {
			c, m := f.visitorMessage()
			got, err := f.svc.BotReply(ctx, conversation.BotTurn{ConversationID: c.ID, Answers: m, BotName: "Bot",
				Messages: []conversation.BotMessage{{Text: "One moment."}}, Tags: []string{"urgent"}})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != chat.StatusAssigned || got.AssigneeID != cid.ID || !got.BotPaused || f.has(c.ID, chat.KindText, "One moment.") == nil {
				t.Fatalf("urgent: %s %s paused %v", got.Status, got.AssigneeID, got.BotPaused)
			}
		})
		t.Run("a manual team: waits in Unassigned with the team's tag", func(t *testing.T) {
			c := f.waiting(nil)
			got, err := f.svc.Tag(ctx, conversation.AgentActor(bob), c.ID, "invoice")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != chat.StatusUnassigned || !got.HasTag("team:billing") {
				t.Fatalf("manual team: %s %v", got.Status, got.Tags)
			}
		})
		t.Run("an agent's tag assigns the named agent, online or not, and notifies", func(t *testing.T) {
			f.presence.set(bob, cid)
			c := f.waiting(nil)
			got, err := f.svc.Tag(ctx, conversation.AgentActor(bob), c.ID, "vip")
			if err != nil {
				t.Fatal(err)
			}
			if got.AssigneeID != alice.ID || got.Status != chat.StatusAssigned {
				t.Fatalf("vip: %s %s", got.Status, got.AssigneeID)
			}
			if len(f.notices.list) != 1 {
				t.Fatalf("notices: %+v", f.notices.list)
			}
			n := f.notices.list[0]
			if n.ConversationID != c.ID || n.Tag != "vip" || n.URL != "https://hooks.shop.example/rule" || n.SecretEnv != "RULE_SECRET" || n.Key == "" {
				t.Fatalf("notice: %+v", n)
			}
			if _, err := f.svc.Tag(ctx, conversation.AgentActor(bob), c.ID, "vip"); err != nil || len(f.notices.list) != 1 {
				t.Fatalf("tagging again is no new tag: %v, %d notices", err, len(f.notices.list))
			}
			f.presence.set(alice, bob, cid)
		})
		t.Run("a rule never takes a conversation from its agent", func(t *testing.T) {
			c := f.conversation(nil)
			f.reply("Bob", c.ID, "Bob here")
			got, err := f.svc.Tag(ctx, conversation.AgentActor(bob), c.ID, "return_or_refund")
			if err != nil {
				t.Fatal(err)
			}
			if got.AssigneeID != bob.ID || got.HasTag("team:returns") {
				t.Fatalf("Bob's conversation: %s %v", got.AssigneeID, got.Tags)
			}
		})
		t.Run("suspend the bot", func(t *testing.T) {
			c := f.conversation(nil)
			got, err := f.svc.Tag(ctx, conversation.AgentActor(bob), c.ID, "angry")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != chat.StatusUnassigned || !got.BotPaused || f.has(c.ID, chat.KindEvent, "The bot stopped replying (angry)") == nil {
				t.Fatalf("suspended: %s paused %v", got.Status, got.BotPaused)
			}
		})
		t.Run("the handoff tag's rule names an agent", func(t *testing.T) {
			c, m := f.visitorMessage()
			if _, err := f.svc.BotReply(ctx, conversation.BotTurn{ConversationID: c.ID, Answers: m, BotName: "Bot", Tags: []string{"vip"}}); err != nil {
				t.Fatal(err)
			}
			f.presence.set(bob) // Alice is offline: the owner named her all the same
			queue(t, f, c.ID)
			if got := f.get(c.ID); got.AssigneeID != alice.ID {
				t.Fatalf("vip handed over: %s", got.AssigneeID)
			}
		})
	})
}

func TestAssignToATeam(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, rules)
		alice, cid := f.agent("Alice"), f.agent("Cid")
		f.presence.set(alice, cid)
		ctx := context.Background()
		c := f.waiting(nil)
		got, err := f.svc.AssignTeam(ctx, conversation.AgentActor(alice), c.ID, "returns")
		if err != nil {
			t.Fatal(err)
		}
		if got.AssigneeID != cid.ID || !got.HasTag("team:returns") {
			t.Fatalf("assign to returns: %s %v", got.AssigneeID, got.Tags)
		}
		for _, bad := range []string{"nobody", "Not A Team"} {
			if _, err := f.svc.AssignTeam(ctx, conversation.AgentActor(alice), c.ID, bad); chat.ErrorCode(err) != chat.EInvalid {
				t.Fatalf("team %q: %v", bad, err)
			}
		}
		if f.assignee(c.ID) != "Cid" {
			t.Fatal("a refused assign changed the conversation")
		}
	})
}

// queue does what the handoff does when the visitor agrees: Unassigned, then routing.
func queue(t *testing.T, f *fixture, id string) {
	t.Helper()
	if _, err := f.svc.EditAsBot(context.Background(), id, "Bot", func(e *conversation.BotEdit) error {
		if err := e.ToQueue(); err != nil {
			return err
		}
		return f.r.Queued(e, mustSettings(t, f))
	}); err != nil {
		t.Fatal(err)
	}
}

func TestATagThatSuspendsTheBotIsRouted(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: round_robin}\n")
		alice := f.agent("Alice")
		f.presence.set(alice)
		c, m := f.visitorMessage()
		got, err := f.svc.BotReply(context.Background(), conversation.BotTurn{ConversationID: c.ID, Answers: m, BotName: "Bot",
			Tags: []string{"angry"}, Suspend: true, Because: "angry"})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != chat.StatusAssigned || got.AssigneeID != alice.ID || !got.BotPaused {
			t.Fatalf("suspended by a tag: %s %s paused %v", got.Status, got.AssigneeID, got.BotPaused)
		}
	})
}
