package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/webhook"
)

// manualClock is a server clock that moves only when the test says so.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func withManualClock(c *manualClock) envOption {
	return func(cfg *app.Config) { cfg.Now = c.now }
}

// routed is a site whose bot hands every unknown question over, routed round robin among the
// online agents, with a team and rules.
const routed = shop + `routing:
  policy: round_robin
  reassign_after: 15m
  teams: [{name: vip, agents: [bob@example.com]}]
  rules: [{tag: vip, assign_team: vip}]
`

// eachServer runs fn against a server on SQLite and one on PostgreSQL, with opts.
func eachServer(t *testing.T, fn func(t *testing.T, opts ...envOption)) {
	t.Run("sqlite", func(t *testing.T) { fn(t) })
	t.Run("postgres", func(t *testing.T) { fn(t, withPostgres(t)) })
}

func TestRoutingAssignsTheHandoffAndReassignsWhenNobodyAnswers(t *testing.T) {
	eachServer(t, func(t *testing.T, opts ...envOption) {
		clock := &manualClock{t: time.Now()}
		e := startWithBot(t, append(opts, withRecorder(&recorder{}), withManualClock(clock))...)
		e.botSite("routed", routed)
		alice, aliceTok := e.agent("Alice", chat.RoleAgent, "routed")
		bob, bobTok := e.agent("Bob", chat.RoleAgent, "routed")
		a := e.mustDial(aliceTok)
		a.ok(map[string]any{"type": "subscribe", "site": "routed"})
		b := e.mustDial(bobTok)
		b.ok(map[string]any{"type": "presence", "status": "away"}) // away agents are skipped

		v := e.mustDial(e.visitorToken("routed"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		c := e.waitStatus(aliceTok, id, "assigned")
		if c.obj("assignee").str("id") != alice.ID {
			t.Fatalf("Bob is away: assigned to %v", c.obj("assignee"))
		}
		if !hasText(e.history(aliceTok, id), "event", "Assigned to Alice by round robin") {
			t.Fatal("no assignment event")
		}
		// Alice stays silent past reassign_after; Bob is back: it goes to him, with a note.
		b.ok(map[string]any{"type": "presence", "status": "online"})
		clock.advance(15 * time.Minute)
		if n, err := e.srv.Router().FireDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("fire: %d %v", n, err)
		}
		if got := e.conv(bobTok, id).obj("assignee").str("id"); got != bob.ID {
			t.Fatalf("reassigned to %s", got)
		}
		if !hasText(e.history(bobTok, id), "note", "Reassigned from Alice to Bob: no reply within 15 minutes") {
			t.Fatal("no note saying why")
		}
		for _, m := range v.drain(200 * time.Millisecond) {
			if strings.Contains(m.obj("message").str("text"), "Reassigned") {
				t.Fatalf("the visitor saw the internal note: %v", m)
			}
		}
		// Bob replies: his timer is gone, nothing fires however long it is.
		b.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "b1", "text": "Bob here, sorry for the wait."})
		// The visitor hears who joined with Bob's first word.
		for i := 0; ; i++ {
			if i == 100 {
				t.Fatal("the visitor never saw Bob join")
			}
			if m := v.next("message").obj("message"); m.str("kind") == "event" {
				if m.str("text") != "Bob joined the conversation" {
					t.Fatalf("the visitor saw the event %q", m.str("text"))
				}
				break
			}
		}
		clock.advance(time.Hour)
		if n, err := e.srv.Router().FireDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("fired after a reply: %d %v", n, err)
		}
	})
}

func TestAssignToATeamOverRealtimeAndREST(t *testing.T) {
	eachServer(t, func(t *testing.T, opts ...envOption) {
		e := start(t, opts...)
		e.botSite("routed", "routing:\n  teams: [{name: vip, agents: [bob@example.com], policy: least_open}, {name: later, agents: [bob@example.com]}]\n")
		e.siteWith("elsewhere", "https://elsewhere.example")
		_, aliceTok := e.agent("Alice", chat.RoleAgent, "routed")
		bob, bobTok := e.agent("Bob", chat.RoleAgent, "routed")
		_, eveTok := e.agent("Eve", chat.RoleAgent, "elsewhere")
		a := e.mustDial(aliceTok)
		e.mustDial(bobTok)
		v := e.mustDial(e.visitorToken("routed"))
		id := v.say("Hello")

		c := a.ok(map[string]any{"type": "assign", "conversation_id": id, "team": "vip"}).obj("conversation")
		if c.str("status") != "assigned" || c.obj("assignee").str("id") != bob.ID || !strings.Contains(tags(c), "team:vip") {
			t.Fatalf("assign team over realtime: %v", c)
		}
		for _, bad := range []map[string]any{
			{"type": "assign", "conversation_id": id, "team": "nobody"},
			{"type": "assign", "conversation_id": id, "team": "vip", "agent_id": ""},
			{"type": "assign", "conversation_id": id, "team": "vip", "to_bot": true},
		} {
			if code := a.errCode(bad); code != "invalid" {
				t.Fatalf("%v: %s", bad, code)
			}
		}
		// REST: a manual team leaves it in Unassigned, carrying the team's tag.
		var out struct {
			Conversation frame `json:"conversation"`
		}
		if code := e.do("POST", "/v1/conversations/"+id+"/assign", aliceTok, map[string]any{"team": "later"}, &out); code != 200 {
			t.Fatalf("REST assign team: %d", code)
		}
		// Even from a person: the team's queue is where it waits now.
		if !strings.Contains(tags(out.Conversation), "team:later") || out.Conversation.str("status") != "unassigned" {
			t.Fatalf("manual team: %v", out.Conversation)
		}
		// Another site's agent cannot see it, let alone route it.
		if code := e.do("POST", "/v1/conversations/"+id+"/assign", eveTok, map[string]any{"team": "vip"}, nil); code != 404 {
			t.Fatalf("another site's agent: %d", code)
		}
		if got := e.conv(aliceTok, id); got.str("status") != "unassigned" {
			t.Fatalf("changed by another site's agent: %v", got)
		}
	})
}

func TestATagRuleNotifiesASignedWebhook(t *testing.T) {
	type hit struct {
		sig, id string
		body    []byte
	}
	hits := make(chan hit, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits <- hit{r.Header.Get(webhook.SignatureHeader), r.Header.Get(webhook.EventIDHeader), body}
	}))
	defer hook.Close()
	t.Setenv("RULE_SECRET", "rule-secret")
	eachServer(t, func(t *testing.T, opts ...envOption) {
		// The endpoint is on the loopback interface: allowed only because the operator says so.
		e := start(t, append(opts, func(c *app.Config) { c.BotAllowPrivate = true })...)
		e.botSite("routed", "routing:\n  rules: [{tag: refund, suspend_bot: true, notify: {url: \""+hook.URL+"\", secret_env: RULE_SECRET}}]\n")
		_, tok := e.agent("Alice", chat.RoleAgent, "routed")
		a := e.mustDial(tok)
		id := e.mustDial(e.visitorToken("routed")).say("I want my money back")
		c := a.ok(map[string]any{"type": "tag", "conversation_id": id, "tag": "refund"}).obj("conversation")
		if c.str("status") != "unassigned" || c["bot_paused"] != true {
			t.Fatalf("suspend_bot: %v", c)
		}
		var h hit
		select {
		case h = <-hits:
		case <-time.After(30 * time.Second):
			t.Fatal("the rule's webhook never came")
		}
		if err := webhook.Verify([]byte("rule-secret"), h.sig, h.body, time.Now()); err != nil {
			t.Fatalf("signature: %v (%s)", err, h.sig)
		}
		if !strings.Contains(string(h.body), `"type":"tag_rule"`) || !strings.Contains(string(h.body), `"conversation_id":"`+id+`"`) ||
			!strings.Contains(string(h.body), `"tag":"refund"`) || h.id == "" {
			t.Fatalf("payload: %s (event id %q)", h.body, h.id)
		}
	})
}

// hasText reports whether a message of kind (text, note, event) contains text.
func hasText(msgs []frame, kind, text string) bool {
	for _, m := range msgs {
		if m.str("kind") == kind && strings.Contains(m.str("text"), text) {
			return true
		}
	}
	return false
}
