package api_test

import (
	"testing"

	"github.com/batonchat/baton/server/chat"
)

// noFrame checks that no frame of the type came before the reply to a ping (events are queued
// before the reply to a later command, so one sent would be ahead of it).
func (c *client) noFrame(typ string) {
	c.t.Helper()
	c.ok(map[string]any{"type": "ping"})
	for _, f := range c.stash {
		if f.str("type") == typ {
			c.t.Errorf("unexpected %s frame %v", typ, f)
		}
	}
}

func TestAVisitorEditReachesTheSitesAgentsLiveAndNobodyElse(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		_, aliceTok := e.agent("Alice", chat.RoleAgent, "demo")
		_, bobTok := e.agent("Bob", chat.RoleAgent, "demo")
		_, carolTok := e.agent("Carol", chat.RoleAgent, "other")
		bob, carol := e.mustDial(bobTok), e.mustDial(carolTok)
		bob.ok(map[string]any{"type": "subscribe", "site": "demo"})
		carol.ok(map[string]any{"type": "subscribe", "site": "other"})
		v := e.mustDial(e.visitorToken("demo"))
		m := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "Hello"}).obj("message")
		vid := m.obj("author").str("id")

		body := map[string]any{"name": "Jane Doe", "phone": "+31 6 1234 5678", "address": "Main St 1"}
		if code := e.do("PATCH", "/v1/visitors/"+vid, aliceTok, body, nil); code != 200 {
			t.Fatalf("edit: %d", code)
		}
		f := bob.next("visitor")
		if f == nil {
			t.Fatal("Bob got no visitor event")
		}
		got := f.obj("visitor")
		if got.str("id") != vid || got.str("name") != "Jane Doe" || got.str("phone") != "+31 6 1234 5678" || got.str("address") != "Main St 1" {
			t.Errorf("Bob's visitor event: %v", f)
		}
		if _, ok := got["site_id"]; ok {
			t.Errorf("the event carries the site's id: %v", got)
		}
		// Another site's agent and the visitor hear nothing of it.
		carol.noFrame("visitor")
		v.noFrame("visitor")
		// A refused edit publishes nothing.
		if code := e.do("PATCH", "/v1/visitors/"+vid, aliceTok, map[string]any{"phone": "call me"}, nil); code != 400 {
			t.Fatalf("bad phone: %d", code)
		}
		bob.noFrame("visitor")
	})
}

func TestAWaitingConversationNotifiesEveryAgentOfItsSiteWhateverTheyShow(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		e.siteWith("other", "https://other.example")
		_, aliceTok := e.agent("Alice", chat.RoleAgent, "demo")
		_, bobTok := e.agent("Bob", chat.RoleAgent, "other", "demo")
		_, carolTok := e.agent("Carol", chat.RoleAgent, "other")
		alice, bob, carol := e.mustDial(aliceTok), e.mustDial(bobTok), e.mustDial(carolTok)
		alice.ok(map[string]any{"type": "subscribe", "site": "demo"})
		// Bob's console shows the other site: he is subscribed to it alone.
		bob.ok(map[string]any{"type": "subscribe", "site": "other"})
		carol.ok(map[string]any{"type": "subscribe", "site": "other"})
		v := e.mustDial(e.visitorToken("demo"))
		v.ok(map[string]any{"type": "set_attributes", "attributes": map[string]any{"name": "Jane"}})
		conv := v.say("Where is my parcel?")
		// The demo site has no bot: nothing waits for a human yet.
		bob.noNotification()

		alice.ok(map[string]any{"type": "assign", "conversation_id": conv, "agent_id": ""})
		n := bob.notification()
		if n.str("kind") != "unassigned" || n.str("conversation_id") != conv || n.str("site_id") != e.siteID("demo") ||
			n.str("text") != "Jane is waiting for a human" || n.obj("by").str("type") != "agent" {
			t.Errorf("Bob's notification: %v", n)
		}
		// Alice did it herself; Carol is of another site; the visitor is never told.
		alice.noNotification()
		carol.noNotification()
		v.noNotification()
		// Still waiting after a tag: not again.
		alice.ok(map[string]any{"type": "tag", "conversation_id": conv, "tag": "parcel"})
		bob.noNotification()
		// Taken, then back in the queue: again.
		alice.ok(map[string]any{"type": "send", "conversation_id": conv, "client_id": "a1", "text": "Let me check"})
		alice.ok(map[string]any{"type": "assign", "conversation_id": conv, "agent_id": ""})
		if n := bob.notification(); n.str("kind") != "unassigned" || n.str("conversation_id") != conv {
			t.Errorf("Bob's second notification: %v", n)
		}
	})
}
