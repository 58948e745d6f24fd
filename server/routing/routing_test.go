package routing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/routing"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
)

func TestPickFollowsThePolicy(t *testing.T) {
	three := []routing.Candidate{{ID: "b", Open: 1}, {ID: "a", Open: 2}, {ID: "c", Open: 1}}
	tests := []struct {
		name, policy, last string
		cands              []routing.Candidate
		want               string
	}{
		{"manual assigns nobody", "manual", "", three, ""},
		{"nobody eligible", "round_robin", "", nil, ""},
		{"round robin starts with the first by id", "round_robin", "", three, "a"},
		{"round robin takes the one after the last", "round_robin", "a", three, "b"},
		{"round robin wraps around", "round_robin", "c", three, "a"},
		{"round robin skips a last agent no longer eligible", "round_robin", "bb", three, "c"},
		{"least open takes the fewest", "least_open", "", three, "b"},
		{"least open breaks ties round robin", "least_open", "b", three, "c"},
		{"least open ties wrap around", "least_open", "c", three, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := routing.Pick(tt.policy, tt.cands, tt.last); got != tt.want {
				t.Fatalf("Pick(%s, last %q) = %q, want %q", tt.policy, tt.last, got, tt.want)
			}
		})
	}
}

func TestManualPolicyAssignsNobody(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "")
		f.presence.set(f.agent("Alice"))
		c := f.waiting(nil)
		if got := f.get(c.ID); got.Status != chat.StatusUnassigned || got.AssigneeID != "" {
			t.Fatalf("manual: %s %s", got.Status, got.AssigneeID)
		}
	})
}

func TestRoundRobinTakesTurnsAndRemembersAcrossRestarts(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: round_robin}\n")
		f.presence.set(f.agent("Alice"), f.agent("Bob"), f.agent("Cid"))
		var got []string
		for range 4 {
			got = append(got, f.assignee(f.waiting(nil).ID))
		}
		if got[0] == got[1] || got[1] == got[2] || got[0] == got[2] || got[3] != got[0] {
			t.Fatalf("round robin gave %v", got)
		}
		f.router() // a restart: the position is in the database
		if next := f.assignee(f.waiting(nil).ID); next != got[1] {
			t.Fatalf("after a restart the turn went to %s, want %s (order %v)", next, got[1], got)
		}
		c := f.waiting(nil)
		ev := f.has(c.ID, chat.KindEvent, "by round robin")
		if ev == nil || ev.Event["action"] != "assigned" || ev.VisibleToVisitor() {
			t.Fatalf("the assignment's event, for agents only: %+v", ev)
		}
	})
}

func TestLeastOpenTakesTheAgentWithFewestConversations(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: least_open}\n")
		alice, bob := f.agent("Alice"), f.agent("Bob")
		f.presence.set(alice)
		for range 2 {
			if got := f.assignee(f.waiting(nil).ID); got != "Alice" {
				t.Fatalf("only Alice is online: %s", got)
			}
		}
		f.presence.set(alice, bob)
		for i, want := range []string{"Bob", "Bob"} {
			if got := f.assignee(f.waiting(nil).ID); got != want {
				t.Fatalf("conversation %d went to %s, want %s (fewest open)", i, got, want)
			}
		}
		// 2 each: the tie goes round robin from the last one routed (Bob).
		if got := f.assignee(f.waiting(nil).ID); got != "Alice" {
			t.Fatalf("tie went to %s", got)
		}
	})
}

func TestOnlineAndCapacityFilters(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "handoff: {max_open_per_agent: 5}\nrouting: {policy: round_robin, max_open_per_agent: 1}\n")
		alice, bob := f.agent("Alice"), f.agent("Bob")
		f.presence.set(alice) // Bob is away or offline
		if got := f.assignee(f.waiting(nil).ID); got != "Alice" {
			t.Fatalf("Bob is away: %s", got)
		}
		if got := f.assignee(f.waiting(nil).ID); got != "" {
			t.Fatalf("Alice is full (routing.max_open_per_agent 1 wins over handoff's 5), Bob away: %s", got)
		}
		if r := f.r.Available(context.Background(), f.site.ID, mustSettings(t, f)); r {
			t.Fatal("nobody eligible: the handoff must not say a person is coming")
		}
		f.presence.set(alice, bob)
		if !f.r.Available(context.Background(), f.site.ID, mustSettings(t, f)) {
			t.Fatal("Bob is online with room")
		}
		if got := f.assignee(f.waiting(nil).ID); got != "Bob" {
			t.Fatalf("Bob came online: %s", got)
		}
		f.apply("routing: {policy: round_robin, only_online: false, max_open_per_agent: 2}\n")
		f.presence.set()
		if got := f.assignee(f.waiting(nil).ID); got == "" {
			t.Fatal("only_online false: an offline agent with room is routed")
		}
	})
}

func mustSettings(t *testing.T, f *fixture) *site.Settings {
	t.Helper()
	l, err := f.sites.ByID(context.Background(), f.site.ID)
	if err != nil {
		t.Fatal(err)
	}
	return l.Settings
}

func TestAnAgentIsNeverRoutedAnotherSitesConversation(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: round_robin, only_online: false}\n")
		other := f.applyKey("other", "routing: {policy: round_robin, only_online: false}\n")
		alice := f.agent("Alice")    // shop only
		zed := f.agent("Zed", other) // the other site only
		f.presence.set(alice, zed)
		for range 3 {
			if got := f.assignee(f.waiting(nil).ID); got != "Alice" {
				t.Fatalf("shop's conversation went to %s", got)
			}
			if got := f.assignee(f.waiting(other).ID); got != "Zed" {
				t.Fatalf("the other site's conversation went to %s", got)
			}
		}
		// Nor through a team or a rule of shop that names them.
		f.apply("routing:\n  policy: manual\n  teams: [{name: ops, agents: [zed@shop.example]}]\n  rules: [{tag: vip, assign_agent: zed@shop.example}]\n")
		c := f.waiting(nil)
		if _, err := f.svc.AssignTeam(context.Background(), conversation.AgentActor(alice), c.ID, "ops"); err != nil {
			t.Fatal(err)
		}
		if got := f.get(c.ID); got.AssigneeID == zed.ID || got.Status != chat.StatusUnassigned || !got.HasTag("team:ops") {
			t.Fatalf("a team listing another site's agent: %+v", got)
		}
		c2 := f.waiting(nil)
		if _, err := f.svc.Tag(context.Background(), conversation.AgentActor(alice), c2.ID, "vip"); err != nil {
			t.Fatal(err)
		}
		if got := f.get(c2.ID); got.AssigneeID == zed.ID || f.has(c2.ID, chat.KindEvent, "is not an agent of this site") == nil {
			t.Fatalf("a rule naming another site's agent: %+v", got)
		}
		// And they cannot act on it themselves: not found, nothing changed.
		if _, err := f.svc.AssignTeam(context.Background(), conversation.AgentActor(zed), c2.ID, "ops"); !errors.Is(err, chat.ErrNotFound) {
			t.Fatalf("another site's agent assigning: %v", err)
		}
	})
}

func TestAdminsAreRoutedBotAccountsNever(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: round_robin}\n")
		bot := &chat.Agent{ID: chat.NewID("ag"), Email: "bot@shop.example", Name: "Shopbot", Role: chat.RoleBot, PasswordHash: "x",
			SiteIDs: []string{f.site.ID}}
		admin := &chat.Agent{ID: chat.NewID("ag"), Email: "root@shop.example", Name: "Root", Role: chat.RoleAdmin, PasswordHash: "x"}
		for _, a := range []*chat.Agent{bot, admin} {
			if err := f.db.CreateAgent(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}
		f.agents["Root"] = admin
		f.presence.set(bot) // a realtime bot is connected, and counts for nobody
		if got := f.assignee(f.waiting(nil).ID); got != "" {
			t.Fatalf("routed to %s", got)
		}
		f.presence.set(bot, admin)
		for range 2 {
			if got := f.assignee(f.waiting(nil).ID); got != "Root" {
				t.Fatalf("an admin may answer every site: %q", got)
			}
		}
	})
}
