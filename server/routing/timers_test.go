package routing_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/store"
)

const reassign = "routing: {policy: round_robin, reassign_after: 15m}\n"

func TestReassignsWhenTheAgentDoesNotReplyInTime(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, reassign)
		f.presence.set(f.agent("Alice"), f.agent("Bob"))
		c := f.waiting(nil)
		if f.assignee(c.ID) != "Alice" {
			t.Fatalf("first turn: %s", f.assignee(c.ID))
		}
		f.clock.advance(15*time.Minute - time.Second)
		if n := f.fire(); n != 0 || f.assignee(c.ID) != "Alice" {
			t.Fatalf("fired early: %d, %s", n, f.assignee(c.ID))
		}
		f.clock.advance(time.Second)
		if n := f.fire(); n != 1 || f.assignee(c.ID) != "Bob" {
			t.Fatalf("due: fired %d, assigned to %s", n, f.assignee(c.ID))
		}
		note := f.has(c.ID, chat.KindNote, "Reassigned from Alice to Bob: no reply within 15 minutes")
		if note == nil || note.VisibleToVisitor() {
			t.Fatalf("the internal note saying why: %+v", note)
		}
		if f.fire() != 0 {
			t.Fatal("a fired timer fired again")
		}
		// Bob's own time runs from his assignment; it goes back to Alice, never to Bob again.
		f.clock.advance(15 * time.Minute)
		if n := f.fire(); n != 1 || f.assignee(c.ID) != "Alice" {
			t.Fatalf("Bob's timer: fired %d, assigned to %s", n, f.assignee(c.ID))
		}
	})
}

func TestNoReassignmentAfterAReplyOrAResolve(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, reassign)
		alice := f.agent("Alice")
		f.presence.set(alice, f.agent("Bob"))
		replied, resolved, noted := f.waiting(nil), f.waiting(nil), f.waiting(nil)
		a1, a2, a3 := f.assignee(replied.ID), f.assignee(resolved.ID), f.assignee(noted.ID)
		f.reply(a1, replied.ID, "Hi, I'm on it")
		if rt, err := f.db.RoutingTimer(context.Background(), replied.ID); err != nil || rt != nil {
			t.Fatalf("the reply did not drop the timer: %+v %v", rt, err)
		}
		if _, err := f.svc.Resolve(context.Background(), conversation.AgentActor(f.agents[a2]), resolved.ID); err != nil {
			t.Fatal(err)
		}
		// A note is not a reply: the visitor still waits.
		if _, err := f.svc.Send(context.Background(), conversation.AgentActor(f.agents[a3]), noted.ID,
			conversation.SendInput{ClientID: "n1", Text: "looking", Note: true}); err != nil {
			t.Fatal(err)
		}
		f.clock.advance(time.Hour)
		if n := f.fire(); n != 1 {
			t.Fatalf("fired %d, want only the noted one", n)
		}
		if f.assignee(replied.ID) != a1 || f.get(resolved.ID).Status != chat.StatusResolved || f.assignee(noted.ID) == a3 {
			t.Fatalf("replied: %s (was %s), resolved: %s, noted: %s (was %s)", f.assignee(replied.ID), a1,
				f.get(resolved.ID).Status, f.assignee(noted.ID), a3)
		}
	})
}

func TestNobodyElseEligibleUnassignsAndAnswersTheVisitor(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, reassign)
		alice := f.agent("Alice")
		f.agent("Bob") // offline
		f.presence.set(alice)
		c := f.waiting(nil)
		f.clock.advance(16 * time.Minute)
		if n := f.fire(); n != 1 {
			t.Fatalf("fired %d", n)
		}
		got := f.get(c.ID)
		if got.Status != chat.StatusUnassigned || got.AssigneeID != "" {
			t.Fatalf("nobody else: %s %s", got.Status, got.AssigneeID)
		}
		if m := f.has(c.ID, chat.KindNote, "Unassigned from Alice: no reply within 15 minutes; nobody else is available"); m == nil {
			t.Fatal("no note")
		}
		if m := f.has(c.ID, chat.KindText, "Nobody is here right now."); m == nil || !m.VisibleToVisitor() || m.AuthorType != chat.AuthorBot {
			t.Fatalf("the visitor's auto-response: %+v", m)
		}
	})
}

func TestTimersSurviveARestart(t *testing.T) {
	eachReopenable(t, func(t *testing.T, open func() *store.DB) {
		f := newFixture(t, open(), reassign)
		f.presence.set(f.agent("Alice"), f.agent("Bob"))
		c := f.waiting(nil)
		closeDB(t, f.db)
		f.restart(open())
		f.clock.advance(15 * time.Minute)
		if n := f.fire(); n != 1 || f.assignee(c.ID) != "Bob" {
			t.Fatalf("after the restart: fired %d, assigned to %s", n, f.assignee(c.ID))
		}
	})
}

func TestTwoNodesFireATimerOnce(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, reassign)
		f.presence.set(f.agent("Alice"), f.agent("Bob"), f.agent("Cid"))
		var convs []*chat.Conversation
		for range 6 {
			convs = append(convs, f.waiting(nil))
		}
		g := *f
		g.restart(db) // a second node: its own services on the same database
		f.clock.advance(15 * time.Minute)
		var (
			wg     sync.WaitGroup
			counts [2]int
		)
		for i, node := range []*fixture{f, &g} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := node.r.FireDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != len(convs) {
			t.Fatalf("fired %v for %d timers", counts, len(convs))
		}
		for _, c := range convs {
			notes := 0
			for _, m := range f.messages(c.ID) {
				if m.Kind == chat.KindNote {
					notes++
				}
			}
			if notes != 1 {
				t.Fatalf("%s reassigned %d times", c.ID, notes)
			}
		}
	})
}

func TestTheFirstAgentToReplyTakesTheConversation(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, reassign)
		alice, bob := f.agent("Alice"), f.agent("Bob")
		f.presence.set(alice, bob)
		f.apply("routing: {policy: manual}\n")
		c := f.waiting(nil)
		f.reply("Bob", c.ID, "Hello, Bob here")
		if got := f.get(c.ID); got.Status != chat.StatusAssigned || got.AssigneeID != bob.ID {
			t.Fatalf("first replier: %s %s", got.Status, got.AssigneeID)
		}
		// Routed to Alice, taken over by Bob: Alice's timer does not fire on Bob.
		f.apply(reassign)
		c2 := f.waiting(nil)
		first := f.assignee(c2.ID)
		other := map[string]string{"Alice": "Bob", "Bob": "Alice"}[first]
		f.reply(other, c2.ID, "I'll take this one")
		joined := f.has(c2.ID, chat.KindEvent, other+" joined the conversation")
		if f.assignee(c2.ID) != other || joined == nil || joined.Event["from"] != f.agents[first].ID {
			t.Fatalf("takeover: %s, %+v", f.assignee(c2.ID), joined)
		}
		f.clock.advance(time.Hour)
		if n := f.fire(); n != 0 || f.assignee(c2.ID) != other {
			t.Fatalf("after a takeover: fired %d, %s", n, f.assignee(c2.ID))
		}
	})
}

func TestReassignmentOff(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: round_robin, reassign_after: 0s}\n")
		f.presence.set(f.agent("Alice"), f.agent("Bob"))
		c := f.waiting(nil)
		f.clock.advance(24 * time.Hour)
		if n := f.fire(); n != 0 || f.assignee(c.ID) != "Alice" {
			t.Fatalf("reassignment off: fired %d, %s", n, f.assignee(c.ID))
		}
	})
}

func TestTheVisitorHearsWhoJoinedWhenARoutedAgentFirstReplies(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, reassign)
		f.presence.set(f.agent("Alice"), f.agent("Bob"))
		c := f.waiting(nil)
		first := f.assignee(c.ID)
		if m := f.has(c.ID, chat.KindEvent, "joined the conversation"); m != nil {
			t.Fatalf("joined before a word: %+v", m)
		}
		f.reply(first, c.ID, "Hello!")
		f.reply(first, c.ID, "How can I help?")
		var joined []*chat.Message
		for _, m := range f.messages(c.ID) {
			if m.Kind == chat.KindEvent && m.Event["action"] == "joined" {
				joined = append(joined, m)
			}
		}
		if len(joined) != 1 || joined[0].Text != first+" joined the conversation" || !joined[0].VisibleToVisitor() {
			t.Fatalf("joined events: %+v", joined)
		}
	})
}

func TestAnAssignmentByAnotherPersonIsReassignedWhenUnanswered(t *testing.T) {
	each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, "routing: {policy: manual, reassign_after: 15m}\n")
		ann, bob, cid := f.agent("Ann"), f.agent("Bob"), f.agent("Cid")
		f.presence.set(ann, bob, cid)
		given, picked := f.waiting(nil), f.waiting(nil)
		ctx := context.Background()
		if f.assignee(given.ID) != "" {
			t.Fatalf("manual policy assigned %s", f.assignee(given.ID))
		}
		// Ann gives one to Bob; Cid picks the other himself.
		if _, err := f.svc.Assign(ctx, conversation.AgentActor(ann), given.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(ctx, conversation.AgentActor(cid), picked.ID, cid.ID); err != nil {
			t.Fatal(err)
		}
		if rt, err := f.db.RoutingTimer(ctx, picked.ID); err != nil || rt != nil {
			t.Fatalf("taking a conversation oneself armed a timer: %+v %v", rt, err)
		}
		f.clock.advance(15 * time.Minute)
		// Manual policy: back to the queue others pick from, with a note; the visitor is not
		// told that nobody is there.
		if n := f.fire(); n != 1 || f.get(given.ID).Status != chat.StatusUnassigned {
			t.Fatalf("fired %d, status %s, assigned to %q", n, f.get(given.ID).Status, f.assignee(given.ID))
		}
		if f.has(given.ID, chat.KindNote, "Back in Unassigned from Bob: no reply within 15 minutes") == nil {
			t.Fatal("no internal note saying why")
		}
		for _, m := range f.messages(given.ID) {
			if m.AuthorType == chat.AuthorBot && m.VisibleToVisitor() {
				t.Fatalf("the visitor got an auto-response while agents were online: %q", m.Text)
			}
		}
		if f.assignee(picked.ID) != "Cid" {
			t.Fatalf("self-picked conversation moved to %q", f.assignee(picked.ID))
		}
	})
}
