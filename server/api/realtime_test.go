package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/batonchat/baton/server/chat"
)

func TestVisitorAndAgentChatLive(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		_, agentTok := e.agent("Alice", chat.RoleAgent, "demo")
		agent := e.mustDial(agentTok)
		agent.ok(map[string]any{"type": "subscribe", "site": "demo"})
		visitor := e.mustDial(e.visitorToken("demo"))

		if got := visitor.ok(map[string]any{"type": "sync", "since": 0}); got["conversation"] != nil {
			t.Fatalf("new visitor has a conversation: %v", got)
		}
		sent := visitor.ok(map[string]any{"type": "send", "client_id": "m1", "text": "Hello, is anyone there?"})
		msg := sent.obj("message")
		if msg.num("seq") != 1 || msg.str("text") != "Hello, is anyone there?" || sent.obj("conversation").str("status") != "bot" {
			t.Fatalf("send reply: %v", sent)
		}
		convID := msg.str("conversation_id")
		if f := agent.next("message"); f.obj("message").str("text") != "Hello, is anyone there?" {
			t.Fatalf("agent got %v", f)
		}

		// The agent replies: it takes the conversation; the visitor sees "joined" then the reply.
		reply := agent.ok(map[string]any{"type": "send", "conversation_id": convID, "client_id": "a1", "text": "Hi! Alice here."})
		conv := reply.obj("conversation")
		if conv.str("status") != "assigned" || conv.obj("assignee").str("name") != "Alice" {
			t.Fatalf("agent reply did not take the conversation: %v", conv)
		}
		joined := visitor.next("message").obj("message")
		if joined.str("kind") != "event" || joined.str("text") != "Alice joined the conversation" || joined.num("seq") != 2 {
			t.Fatalf("visitor got %v", joined)
		}
		got := visitor.next("message").obj("message")
		if got.str("text") != "Hi! Alice here." || got.obj("author").str("name") != "Alice" || got.num("seq") != 3 {
			t.Fatalf("visitor got %v", got)
		}

		// A note never reaches the visitor, and does not make a hole in their numbering.
		agent.ok(map[string]any{"type": "send", "conversation_id": convID, "client_id": "n1", "text": "VIP customer", "note": true})
		agent.ok(map[string]any{"type": "send", "conversation_id": convID, "client_id": "a2", "text": "How can I help?"})
		next := visitor.next("message").obj("message")
		if next.str("text") != "How can I help?" || next.num("seq") != 4 {
			t.Fatalf("after a note the visitor got %v", next)
		}

		// Typing goes both ways; the visitor's typing reaches the agent.
		visitor.ok(map[string]any{"type": "typing", "typing": true})
		if f := agent.next("typing"); f.obj("author").str("type") != "visitor" || f["typing"] != true {
			t.Fatalf("agent typing event: %v", f)
		}
		agent.ok(map[string]any{"type": "typing", "conversation_id": convID, "typing": true})
		if f := visitor.next("typing"); f.obj("author").str("name") != "Alice" {
			t.Fatalf("visitor typing event: %v", f)
		}

		// The agent's full view has the note; the visitor's does not.
		all := agent.ok(map[string]any{"type": "sync", "conversation_id": convID, "since": 0}).list("messages")
		mine := visitor.ok(map[string]any{"type": "sync", "since": 0}).list("messages")
		if len(all) != 5 || len(mine) != 4 {
			t.Fatalf("agent sees %d, visitor sees %d messages", len(all), len(mine))
		}
		for i, m := range mine {
			if m.num("seq") != int64(i+1) || m.str("kind") == "note" {
				t.Fatalf("visitor message %d: %v", i, m)
			}
		}

		// Resolve: the visitor's next message opens a new conversation with the bot.
		agent.ok(map[string]any{"type": "resolve", "conversation_id": convID})
		again := visitor.ok(map[string]any{"type": "send", "client_id": "m2", "text": "One more thing"})
		if again.obj("message").str("conversation_id") == convID || again.obj("conversation").str("status") != "bot" {
			t.Fatalf("after resolve: %v", again)
		}
	})
}

func TestResumeAfterReconnectHasNoGapAndNoDuplicate(t *testing.T) {
	e := start(t)
	_, agentTok := e.agent("Alice", chat.RoleAgent, "demo")
	agent := e.mustDial(agentTok)
	token := e.visitorToken("demo")
	v1 := e.mustDial(token)
	first := v1.ok(map[string]any{"type": "send", "client_id": "m1", "text": "first"})
	convID := first.obj("message").str("conversation_id")
	// The visitor saw seq 1, then lost the connection.
	v1.ws.Close(websocket.StatusGoingAway, "tunnel")
	for i := 0; i < 30; i++ {
		agent.ok(map[string]any{"type": "send", "conversation_id": convID, "client_id": fmt.Sprint("a", i), "text": fmt.Sprint("reply ", i)})
	}
	// While the visitor catches up, the agent keeps talking.
	v2 := e.mustDial(token)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 30; i < 60; i++ {
			agent.send(map[string]any{"type": "send", "conversation_id": convID, "client_id": fmt.Sprint("a", i), "text": fmt.Sprint("reply ", i)})
		}
	}()
	seen := map[int64]bool{}
	last := int64(1)
	since := int64(1)
	for round := 0; round < 10; round++ {
		res := v2.ok(map[string]any{"type": "sync", "conversation_id": convID, "since": since, "limit": 7})
		for _, m := range res.list("messages") {
			if m.num("seq") != last+1 {
				t.Fatalf("sync: seq %d after %d", m.num("seq"), last)
			}
			last = m.num("seq")
			seen[last] = true
		}
		since = last
		if res["more"] != true {
			break
		}
	}
	wg.Wait()
	// Everything after the catch-up arrives live, in order, once.
	deadline := time.Now().Add(5 * time.Second)
	for last < 62 && time.Now().Before(deadline) { // 1 visitor message + joined + 60 replies
		f := v2.next("message")
		if f == nil {
			break
		}
		seq := f.obj("message").num("seq")
		if seq != last+1 {
			t.Fatalf("live: seq %d after %d", seq, last)
		}
		last = seq
	}
	if last != 62 {
		t.Fatalf("visitor reached seq %d, want 62", last)
	}
	for _, f := range v2.drain(200 * time.Millisecond) {
		if f.str("type") == "message" {
			t.Fatalf("duplicate after catch-up: %v", f)
		}
	}
}

func TestResumeThatCannotContinueSaysHistoryGone(t *testing.T) {
	e := start(t)
	v := e.mustDial(e.visitorToken("demo"))
	sent := v.ok(map[string]any{"type": "send", "client_id": "m1", "text": "hi"})
	convID := sent.obj("message").str("conversation_id")
	tests := []struct {
		name string
		cmd  map[string]any
	}{
		{"ahead of the conversation", map[string]any{"type": "sync", "conversation_id": convID, "since": 99}},
		{"a conversation that is not there", map[string]any{"type": "sync", "conversation_id": "cv_gone", "since": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := v.errCode(tt.cmd); code != "history_gone" {
				t.Fatalf("got %q", code)
			}
		})
	}
	other := e.mustDial(e.visitorToken("demo"))
	if code := other.errCode(map[string]any{"type": "sync", "since": 5}); code != "history_gone" {
		t.Fatalf("visitor without a conversation resuming from 5: %q", code)
	}
}

func TestDuplicateClientIDStoresOnce(t *testing.T) {
	eachDatabase(t, func(t *testing.T, e *env) {
		_, agentTok := e.agent("Alice", chat.RoleAdmin)
		agent := e.mustDial(agentTok)
		agent.ok(map[string]any{"type": "subscribe", "site": "demo"})
		token := e.visitorToken("demo")
		// The same message sent at once from three tabs (three connections), twice each.
		tabs := []*client{e.mustDial(token), e.mustDial(token), e.mustDial(token)}
		var wg sync.WaitGroup
		ids := make(chan string, 6)
		for _, tab := range tabs {
			ids1 := tab.send(map[string]any{"type": "send", "client_id": "same", "text": "only once"})
			ids2 := tab.send(map[string]any{"type": "send", "client_id": "same", "text": "only once"})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, id := range []string{ids1, ids2} {
					ids <- id
				}
			}()
		}
		wg.Wait()
		close(ids)
		msgIDs := map[string]bool{}
		for _, tab := range tabs {
			for i := 0; i < 2; i++ {
				f := tab.next("reply")
				if f == nil {
					t.Fatal("missing reply")
				}
				msgIDs[f.obj("data").obj("message").str("id")] = true
			}
		}
		if len(msgIDs) != 1 {
			t.Fatalf("replies name %d different messages", len(msgIDs))
		}
		n := 0
		for _, f := range agent.drain(300 * time.Millisecond) {
			if f.str("type") == "message" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("agent received the message %d times", n)
		}
		res := tabs[0].ok(map[string]any{"type": "sync", "since": 0})
		if len(res.list("messages")) != 1 {
			t.Fatalf("stored %d messages", len(res.list("messages")))
		}
	})
}

func TestSitesAreIsolated(t *testing.T) {
	e := start(t)
	e.siteWith("other", "https://other.example")
	_, bobTok := e.agent("Bob", chat.RoleAgent, "other") // an agent of the other site only
	visitorA := e.mustDial(e.visitorToken("demo"))
	sent := visitorA.ok(map[string]any{"type": "send", "client_id": "m1", "text": "private to demo"})
	convA := sent.obj("message").str("conversation_id")
	bob := e.mustDial(bobTok)

	// Everything Bob tries on a demo conversation is refused, and looks like it does not exist.
	for _, cmd := range []map[string]any{
		{"type": "subscribe", "site": "demo"},
		{"type": "list", "site": "demo"},
		{"type": "get", "conversation_id": convA},
		{"type": "sync", "conversation_id": convA, "since": 0},
		{"type": "history", "conversation_id": convA},
		{"type": "send", "conversation_id": convA, "client_id": "b1", "text": "hi"},
		{"type": "assign", "conversation_id": convA, "agent_id": ""},
		{"type": "tag", "conversation_id": convA, "tag": "x"},
		{"type": "resolve", "conversation_id": convA},
		{"type": "typing", "conversation_id": convA, "typing": true},
		{"type": "read", "conversation_id": convA, "seq": 1},
	} {
		if code := bob.errCode(cmd); code != "not_found" {
			t.Errorf("%s: got %q, want not_found", cmd["type"], code)
		}
	}
	var body map[string]any
	for _, path := range []string{"/v1/conversations/" + convA, "/v1/conversations/" + convA + "/messages", "/v1/conversations?site=demo"} {
		if code := e.do("GET", path, bobTok, nil, &body); code != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, code)
		}
	}
	if code := e.do("POST", "/v1/conversations/"+convA+"/messages", bobTok, map[string]any{"client_id": "x", "text": "hi"}, &body); code != http.StatusNotFound {
		t.Errorf("REST send: %d", code)
	}

	// A visitor can only ever see their own conversation.
	visitorB := e.mustDial(e.visitorToken("demo"))
	for _, cmd := range []map[string]any{
		{"type": "sync", "conversation_id": convA, "since": 0},
		{"type": "history", "conversation_id": convA},
	} {
		if code := visitorB.errCode(cmd); code != "not_found" {
			t.Errorf("other visitor %s: got %q", cmd["type"], code)
		}
	}
	for _, typ := range []string{"list", "assign", "resolve", "subscribe", "get"} {
		if code := visitorB.errCode(map[string]any{"type": typ, "conversation_id": convA}); code != "forbidden" {
			t.Errorf("visitor %s: got %q, want forbidden", typ, code)
		}
	}
	// A visitor's token for one site cannot be used from another site's pages.
	_, resp, err := e.dial(e.visitorToken("demo"), http.Header{"Origin": {"https://other.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dial from a foreign origin: %v", err)
	}
}

func TestBadFramesGetErrorsAndChangeNothing(t *testing.T) {
	e := start(t)
	v := e.mustDial(e.visitorToken("demo"))
	tests := []struct {
		name  string
		frame string
		code  string
	}{
		{"not json", `hello`, "bad_frame"},
		{"json but not an object", `[1,2,3]`, "bad_frame"},
		{"no type", `{"id":"1"}`, "bad_frame"},
		{"unknown command", `{"id":"2","type":"explode"}`, "unknown_command"},
		{"agent command from a visitor", `{"id":"3","type":"assign","conversation_id":"x","agent_id":""}`, "forbidden"},
		{"wrong field type", `{"id":"4","type":"send","client_id":5,"text":"x"}`, "invalid"},
		{"empty text", `{"id":"5","type":"send","client_id":"c","text":"   "}`, "invalid"},
		{"no client id", `{"id":"6","type":"send","text":"hi"}`, "invalid"},
		{"text too long", `{"id":"7","type":"send","client_id":"c","text":"` + strings.Repeat("x", 4001) + `"}`, "too_large"},
		{"negative since", `{"id":"8","type":"sync","since":-1}`, "invalid"},
		{"bad attributes", `{"id":"9","type":"set_attributes","attributes":{"email":"not an email"}}`, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := v.ws.Write(t.Context(), websocket.MessageText, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			f := v.next("error")
			if f == nil || f.str("code") != tt.code {
				t.Fatalf("got %v, want code %s", f, tt.code)
			}
		})
	}
	// A binary frame is refused too, and the connection is still usable afterwards.
	if err := v.ws.Write(t.Context(), websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if f := v.next("error"); f.str("code") != "bad_frame" {
		t.Fatalf("binary frame: %v", f)
	}
	if res := v.ok(map[string]any{"type": "sync", "since": 0}); res["conversation"] != nil {
		t.Fatalf("bad frames created something: %v", res)
	}
	v.ok(map[string]any{"type": "send", "client_id": "fine", "text": "still works"})
}

func TestOversizedFrameClosesWithReason(t *testing.T) {
	e := start(t)
	v := e.mustDial(e.visitorToken("demo"))
	big := `{"id":"1","type":"send","client_id":"c","text":"` + strings.Repeat("x", 40<<10) + `"}`
	_ = v.ws.Write(t.Context(), websocket.MessageText, []byte(big))
	for v.read() != nil {
	}
	err := <-v.closed
	if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("closed with %v, want 1009", err)
	}
}

func TestTooManyBadFramesCloseThePolicyWay(t *testing.T) {
	e := start(t)
	v := e.mustDial(e.visitorToken("demo"))
	for i := 0; i < 25; i++ {
		if err := v.ws.Write(t.Context(), websocket.MessageText, []byte("nonsense")); err != nil {
			break
		}
	}
	for v.read() != nil {
	}
	if err := <-v.closed; websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("closed with %v, want 1008", err)
	}
}

func TestTokensAreChecked(t *testing.T) {
	e := start(t)
	a, _ := e.agent("Alice", chat.RoleAdmin)
	past := func() time.Time { return time.Now().Add(-48 * time.Hour) }
	expired, _, _ := e.signer(past).AgentToken(a, time.Hour)
	expiredVisitor, _, _ := e.signer(past).VisitorToken("vi_x", "st_x", time.Hour)
	good := e.visitorToken("demo")
	forged := good[:len(good)-4] + "AAAA"
	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"garbage", "not-a-token"},
		{"forged signature", forged},
		{"expired agent token", expired},
		{"expired visitor token", expiredVisitor},
		{"alg none", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0eXAiOiJhZ2VudCIsInN1YiI6ImFnXzEiLCJpc3MiOiJiYXRvbiIsImV4cCI6OTk5OTk5OTk5OX0."},
		{"oversized", strings.Repeat("a", 5000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := e.dial(tt.token, nil)
			if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("dial: err=%v", err)
			}
			var body map[string]any
			if code := e.do("GET", "/v1/conversations?site=demo", tt.token, nil, &body); code != http.StatusUnauthorized {
				t.Fatalf("REST: %d", code)
			}
		})
	}
	// A visitor token is not an agent token.
	var body map[string]any
	if code := e.do("GET", "/v1/conversations?site=demo", good, nil, &body); code != http.StatusForbidden {
		t.Fatalf("visitor token on the agent API: %d", code)
	}
}

func TestRevokedAgentTokenIsRefused(t *testing.T) {
	e := start(t)
	a, tok := e.agent("Alice", chat.RoleAdmin)
	a.TokenVersion++
	if err := e.db.UpdateAgent(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if _, resp, err := e.dial(tok, nil); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token connected: %v", err)
	}
}
