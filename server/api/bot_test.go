package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/bot"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

// The tests of this file drive the bot through the real API: a visitor on a WebSocket, agents
// on the WebSocket and REST, the bot's answers arriving as they would in the widget.

func withPrivateBots(c *app.Config) { c.BotAllowPrivate = true }

// botSite creates a site whose settings are the YAML body given (bot, tags).
func (e *env) botSite(key, body string) *chat.Site {
	e.t.Helper()
	st, err := site.ParseYAML([]byte("key: " + key + "\nname: Site " + key + "\nallowed_origins: [\"https://" + key + ".example\"]\n" + body))
	if err != nil {
		e.t.Fatal(err)
	}
	s, _, err := site.Apply(context.Background(), e.db, st)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// say sends a visitor message and returns the conversation id.
func (v *client) say(text string) string {
	v.t.Helper()
	data := v.ok(map[string]any{"type": "send", "client_id": fmt.Sprint("v", v.ids.Add(1)), "text": text})
	return data.obj("message").str("conversation_id")
}

// botSays returns the text of the next bot message the visitor receives.
func (v *client) botSays() string {
	v.t.Helper()
	for i := 0; i < 100; i++ {
		f := v.next("message")
		if f == nil {
			v.t.Fatal("no bot message")
		}
		if m := f.obj("message"); m.obj("author").str("type") == "bot" {
			return m.str("text")
		}
	}
	v.t.Fatal("no bot message among 100")
	return ""
}

// conv reads a conversation through REST.
func (e *env) conv(token, id string) frame {
	e.t.Helper()
	var out struct {
		Conversation frame `json:"conversation"`
	}
	if code := e.do("GET", "/v1/conversations/"+id, token, nil, &out); code != 200 {
		e.t.Fatalf("get %s: %d", id, code)
	}
	return out.Conversation
}

// history reads every message of a conversation through REST (the agents' view).
func (e *env) history(token, id string) []frame {
	e.t.Helper()
	var out struct {
		Messages []frame `json:"messages"`
	}
	if code := e.do("GET", "/v1/conversations/"+id+"/messages?limit=500", token, nil, &out); code != 200 {
		e.t.Fatalf("messages of %s: %d", id, code)
	}
	return out.Messages
}

// botTexts is what the bot said in a conversation, in order.
func botTexts(msgs []frame) []string {
	var out []string
	for _, m := range msgs {
		if m.obj("author").str("type") == "bot" {
			out = append(out, m.str("text"))
		}
	}
	return out
}

func events(msgs []frame) []string {
	var out []string
	for _, m := range msgs {
		if m.str("kind") == "event" {
			out = append(out, m.obj("event").str("action"))
		}
	}
	return out
}

// turns reads baton_bot_turns_total{outcome} from /metrics.
func (e *env) turns(outcome string) float64 {
	e.t.Helper()
	body, err := e.get("/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	prefix := `baton_bot_turns_total{outcome="` + outcome + `"} `
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
	}
	return 0
}

// waitTurns waits until the bot has counted n more turns with outcome than before.
func (e *env) waitTurns(outcome string, before float64, n int) {
	e.t.Helper()
	waitFor(e.t, fmt.Sprintf("%d more %s turns", n, outcome), func() bool { return e.turns(outcome) >= before+float64(n) })
}

// waitFor polls cond until it holds, for at most 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) waitStatus(token, id, status string) frame {
	e.t.Helper()
	var c frame
	waitFor(e.t, "status "+status, func() bool { c = e.conv(token, id); return c.str("status") == status })
	return c
}

// tags lists a conversation's tags, sorted (tags added in one transaction share a time).
func tags(c frame) string {
	var out []string
	for _, t := range c["tags"].([]any) {
		out = append(out, t.(string))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestDemoKnowledgeBotAnswersWhatItKnowsAndHandsOverTheRest(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			var e *env
			if db == "sqlite" {
				e = startWithBot(t)
			} else {
				e = startWithBot(t, withPostgres(t))
			}
			_, tok := e.agent("Alice", chat.RoleAgent, "demo")
			agent := e.mustDial(tok)
			agent.ok(map[string]any{"type": "subscribe", "site": "demo"})
			v := e.mustDial(e.visitorToken("demo"))

			id := v.say("How long does delivery take?")
			answer := v.next("message").obj("message")
			if answer.obj("author").str("type") != "bot" || answer.obj("author").str("name") != "Kestrel bot" ||
				!strings.Contains(answer.str("text"), "working day") || answer.num("seq") != 2 {
				t.Fatalf("bot answer: %v", answer)
			}
			// Agents see the entry's tag applied by the bot, as an agents-only event.
			var tagged frame
			for tagged == nil {
				f := agent.next("message")
				if f == nil {
					t.Fatal("agent saw no tag event")
				}
				if m := f.obj("message"); m.str("kind") == "event" {
					tagged = m
				}
			}
			if ev := tagged.obj("event"); ev.str("action") != "tagged" || ev.str("tag") != "shipping" || ev.str("by") != "bot" {
				t.Fatalf("tag event: %v", tagged)
			}
			if c := e.conv(tok, id); c.str("status") != "bot" || tags(c) != "shipping" {
				t.Fatalf("after an answer: %v", c)
			}

			// Something it does not know: it says so, offers a person, and on a yes (and an email)
			// the conversation goes to the team.
			v.say("Can I bring my pet iguana to the moon?")
			if got := v.botSays(); got != "Sorry, I don't have an answer to that." {
				t.Fatalf("unknown: %q", got)
			}
			v.acceptHandoff("jane@example.com")
			c := e.waitStatus(tok, id, "unassigned")
			if tags(c) != "shipping sys_human_help" {
				t.Fatalf("tags: %v", c["tags"])
			}
			msgs := e.history(tok, id)
			if ev := events(msgs); strings.Join(ev, " ") != "tagged tagged handoff" {
				t.Fatalf("events: %v", ev)
			}
			last := msgs[len(msgs)-1]
			if !strings.HasPrefix(last.str("text"), "The bot could not answer") || last.obj("event").str("reason") != "unknown" {
				t.Fatalf("handoff event: %v", last)
			}
			// The visitor sees neither the tags nor the agents' events.
			mine := v.ok(map[string]any{"type": "sync", "since": 0}).list("messages")
			for _, m := range mine {
				if m.str("kind") == "event" {
					t.Fatalf("visitor sees %v", m)
				}
			}
			if len(mine) != 9 { // 2 questions, answer, "I don't know", consent, yes, email asked and given, "someone is coming"
				t.Fatalf("visitor sees %d messages", len(mine))
			}
		})
	}
}

func TestDemoBotUnderstandsTheFiveLanguagesAndPeopleAskingForAPerson(t *testing.T) {
	e := startWithBot(t)
	_, tok := e.agent("Alice", chat.RoleAgent, "demo")
	tests := []struct {
		name, text string
		answer     string // a piece of the first bot message
		status     string
		tags       string
	}{
		{"dutch", "Wat zijn de verzendkosten?", "Shipping is free", "bot", "shipping"},
		{"french", "Quels moyens de paiement acceptez-vous ?", "iDEAL", "bot", "payment"},
		{"german", "Wann habt ihr geöffnet?", "Tuesday", "bot", "store"},
		// A person is offered first (in the visitor's language): the conversation stays the bot's until they say yes.
		{"a person, in Spanish (answered in Spanish)", "Quiero hablar con una persona", "Puedo ponerte en contacto", "bot", "sys_human_help"},
		{"a person, in English", "can I talk to a human please", "connect you with someone", "bot", "sys_human_help"},
		{"a follow-up entry: answer, then a person", "I want to cancel my subscription", "subscription", "bot", "subscription sys_human_follow_up"},
		{"a return: the tag's words, then a person (suspend)", "I want a refund for my jacket", "sorry the order didn't work out", "unassigned", "return_or_refund"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := e.mustDial(e.visitorToken("demo"))
			id := v.say(tt.text)
			if got := v.botSays(); !strings.Contains(got, tt.answer) {
				t.Fatalf("bot said %q", got)
			}
			c := e.waitStatus(tok, id, tt.status)
			waitFor(t, "tags "+tt.tags, func() bool { c = e.conv(tok, id); return tags(c) == tt.tags })
		})
	}
}

// tagSite has one tag per post-action, on the built-in knowledge bot.
const tagSite = `
bot:
  name: Shopbot
  knowledge:
    entries:
      - {id: hours, questions: ["When are you open?", "opening hours"], answer: We are open 9 to 5.}
      - {id: warranty, questions: ["How long is the warranty?"], answer: Two years on everything.}
      - {id: complaint, questions: ["I want to file a complaint"], answer: I'm sorry to hear that., tag: complaint}
tags:
  - {tag: warranty, keywords: [warranty], instruction: Please keep your receipt., post_action: reply}
  - {tag: spam, keywords: [casino], post_action: no_reply}
  - {tag: return_or_refund, keywords: [refund], acknowledgement: Sorry to hear that., instruction: Please send your order number and a photo., post_action: suspend}
  - {tag: solved, keywords: [solved], acknowledgement: Glad it's solved!, post_action: close}
  - {tag: complaint, handoff: true}
`

func TestTagPostActions(t *testing.T) {
	e := start(t)
	e.botSite("tags", tagSite)
	_, tok := e.agent("Alice", chat.RoleAgent, "tags")

	t.Run("reply: the answer, then the instruction the first time only", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("tags"))
		id := v.say("How long is the warranty?")
		if a, b := v.botSays(), v.botSays(); a != "Two years on everything." || b != "Please keep your receipt." {
			t.Fatalf("got %q, %q", a, b)
		}
		v.say("how long is the warranty again?")
		if got := v.botSays(); got != "Two years on everything." {
			t.Fatalf("second time: %q", got)
		}
		c := e.conv(tok, id)
		if c.str("status") != "bot" || tags(c) != "warranty" {
			t.Fatalf("%v", c)
		}
	})
	t.Run("no_reply: tagged, silent, and the bot still answers what follows", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("tags"))
		silent := e.turns("silent")
		id := v.say("best online casino bonus here")
		e.waitTurns("silent", silent, 1)
		if said := botTexts(e.history(tok, id)); len(said) != 0 {
			t.Fatalf("the bot said %v", said)
		}
		if c := e.conv(tok, id); c.str("status") != "bot" || tags(c) != "spam" {
			t.Fatalf("%v", c)
		}
		v.say("what are your opening hours?")
		if got := v.botSays(); got != "We are open 9 to 5." {
			t.Fatalf("after no_reply: %q", got)
		}
	})
	t.Run("suspend: acknowledgement and instruction, then a person takes over and the bot stays silent", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("tags"))
		id := v.say("I want a refund")
		if a, b := v.botSays(), v.botSays(); a != "Sorry to hear that." || b != "Please send your order number and a photo." {
			t.Fatalf("got %q, %q", a, b)
		}
		c := e.waitStatus(tok, id, "unassigned")
		if c["bot_paused"] != true || tags(c) != "return_or_refund" {
			t.Fatalf("%v", c)
		}
		skipped := e.turns("skipped")
		v.say("Order 1042, the zipper broke. When are you open?")
		e.waitTurns("skipped", skipped, 1)
		msgs := e.history(tok, id)
		if said := botTexts(msgs); len(said) != 2 {
			t.Fatalf("the suspended bot said %v", said)
		}
		if last := msgs[len(msgs)-1]; last.obj("author").str("type") != "visitor" {
			t.Fatalf("last message %v", last)
		}
		if ev := events(msgs); strings.Join(ev, " ") != "tagged bot_suspended" {
			t.Fatalf("events %v", ev)
		}
	})
	t.Run("close: acknowledgement, resolved, and the next message starts over with the bot", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("tags"))
		id := v.say("thanks, my problem is solved")
		if got := v.botSays(); got != "Glad it's solved!" {
			t.Fatalf("got %q", got)
		}
		e.waitStatus(tok, id, "resolved")
		next := v.say("one more thing: when are you open?")
		if next == id {
			t.Fatal("the message went to the resolved conversation")
		}
		if got := v.botSays(); got != "We are open 9 to 5." {
			t.Fatalf("new conversation: %q", got)
		}
	})
	t.Run("a handoff tag set by a knowledge entry: the answer, then the team", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("tags"))
		id := v.say("I want to file a complaint")
		if got := v.botSays(); got != "I'm sorry to hear that." {
			t.Fatalf("got %q", got)
		}
		v.acceptHandoff("jane@example.com")
		c := e.waitStatus(tok, id, "unassigned")
		msgs := e.history(tok, id)
		if tags(c) != "complaint" || !strings.HasPrefix(msgs[len(msgs)-1].str("text"), "Tag complaint asks for a person") {
			t.Fatalf("%v %v", c, msgs[len(msgs)-1])
		}
	})
}

func TestRespondOnlyTaggedAndNoBot(t *testing.T) {
	e := start(t)
	e.botSite("tagged", "bot:\n  respond_only_tagged: true\n  knowledge:\n    entries:\n      - {id: w, questions: [\"How long is the warranty?\"], answer: Two years.}\n"+
		"tags:\n  - {tag: warranty, keywords: [warranty]}\n")
	e.botSite("nobot", "bot: {brain: none}\ntags:\n  - {tag: warranty, keywords: [warranty]}\n")
	_, tok := e.agent("Alice", chat.RoleAgent, "tagged", "nobot")

	v := e.mustDial(e.visitorToken("tagged"))
	id := v.say("How long is the warranty?")
	if got := v.botSays(); got != "Two years." {
		t.Fatalf("tagged: %q", got)
	}
	v2 := e.mustDial(e.visitorToken("tagged"))
	id2 := v2.say("When are you open?")
	v2.acceptHandoff("jane@example.com")
	e.waitStatus(tok, id2, "unassigned")
	if c := e.conv(tok, id); c.str("status") != "bot" {
		t.Fatalf("tagged conversation: %v", c)
	}

	v3 := e.mustDial(e.visitorToken("nobot"))
	id3 := v3.say("Hello, how long is the warranty?")
	v3.acceptHandoff("jane@example.com")
	c := e.waitStatus(tok, id3, "unassigned")
	msgs := e.history(tok, id3)
	if tags(c) != "warranty" || msgs[len(msgs)-1].obj("event").str("reason") != "no_bot" {
		t.Fatalf("%v %v", c, msgs[len(msgs)-1])
	}
}

func TestAgentsPauseTakeOverAndHandBack(t *testing.T) {
	e := start(t)
	e.botSite("shop", "bot:\n  knowledge:\n    entries:\n      - {id: hours, questions: [\"When are you open?\"], answer: 9 to 5.}\n")
	_, tok := e.agent("Alice", chat.RoleAgent, "shop")
	agent := e.mustDial(tok)
	v := e.mustDial(e.visitorToken("shop"))
	id := v.say("When are you open?")
	if got := v.botSays(); got != "9 to 5." {
		t.Fatalf("got %q", got)
	}

	// Pause over the realtime API: the bot is quiet, the conversation stays the bot's.
	paused := agent.ok(map[string]any{"type": "pause_bot", "conversation_id": id}).obj("conversation")
	if paused["bot_paused"] != true || paused.str("status") != "bot" {
		t.Fatalf("pause: %v", paused)
	}
	skipped := e.turns("skipped")
	v.say("When are you open?")
	e.waitTurns("skipped", skipped, 1)
	if n := len(botTexts(e.history(tok, id))); n != 1 {
		t.Fatalf("paused bot spoke: %d bot messages", n)
	}
	// Resume over REST: the next message is answered.
	var out struct {
		Conversation frame `json:"conversation"`
	}
	if code := e.do("POST", "/v1/conversations/"+id+"/bot/resume", tok, nil, &out); code != 200 || out.Conversation["bot_paused"] != nil {
		t.Fatalf("resume: %d %v", code, out.Conversation)
	}
	v.say("When are you open?")
	if got := v.botSays(); got != "9 to 5." {
		t.Fatalf("after resume: %q", got)
	}

	// A person speaks: the conversation is theirs and the bot leaves it.
	agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "a1", "text": "Alice here, hello!"})
	skipped = e.turns("skipped")
	v.say("When are you open?")
	e.waitTurns("skipped", skipped, 1)
	if n := len(botTexts(e.history(tok, id))); n != 2 {
		t.Fatalf("the bot spoke after the takeover: %d bot messages", n)
	}

	// Handed back (REST assign with to_bot): the next message gets a bot reply.
	if code := e.do("POST", "/v1/conversations/"+id+"/assign", tok, map[string]any{"to_bot": true}, &out); code != 200 ||
		out.Conversation.str("status") != "bot" || out.Conversation["assignee"] != nil {
		t.Fatalf("hand back: %d %v", code, out.Conversation)
	}
	v.say("When are you open?")
	if got := v.botSays(); got != "9 to 5." {
		t.Fatalf("after hand back: %q", got)
	}
	if ev := events(e.history(tok, id)); strings.Join(ev, " ") != "bot_paused bot_resumed joined to_bot" {
		t.Fatalf("events: %v", ev)
	}
	// Both in one command is a mistake; the realtime API hands back too.
	if code := agent.errCode(map[string]any{"type": "assign", "conversation_id": id, "to_bot": true, "agent_id": ""}); code != "invalid" {
		t.Fatalf("to_bot with agent_id: %q", code)
	}
	agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "a2", "text": "me again"})
	if c := agent.ok(map[string]any{"type": "assign", "conversation_id": id, "to_bot": true}).obj("conversation"); c.str("status") != "bot" {
		t.Fatalf("realtime hand back: %v", c)
	}
	// Visitors cannot do any of this.
	if code := v.errCode(map[string]any{"type": "pause_bot", "conversation_id": id}); code != "forbidden" {
		t.Fatalf("visitor pause_bot: %q", code)
	}
}

// hook is a site owner's webhook bot on loopback: it checks Baton's signature and answers with
// what the test tells it, signed.
type hook struct {
	t       *testing.T
	done    chan struct{} // closed when the test ends: handlers still waiting return
	secret  string
	srv     *httptest.Server
	got     chan *bot.Request
	respond func(w http.ResponseWriter, req *bot.Request)
}

func newHook(t *testing.T, secret string) *hook {
	h := &hook{t: t, secret: secret, got: make(chan *bot.Request, 16), done: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := bot.Verify([]byte(secret), r.Header.Get(bot.SignatureHeader), body, time.Now()); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var req bot.Request
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.got <- &req
		h.respond(w, &req)
	}))
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { close(h.done) }) // runs first: lets waiting handlers return before Close
	return h
}

func (h *hook) answer(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set(bot.SignatureHeader, bot.Sign([]byte(h.secret), time.Now(), b))
	w.WriteHeader(status)
	w.Write(b)
}

func (h *hook) site(e *env, key, extra string) {
	e.botSite(key, fmt.Sprintf("bot:\n  brain: webhook\n  name: Hookbot\n  timeout: 2s\n  webhook: {url: %q, secret_env: BATON_TEST_HOOK_SECRET}\n%s", h.srv.URL, extra))
}

func TestWebhookBot(t *testing.T) {
	t.Setenv("BATON_TEST_HOOK_SECRET", "hook-secret")
	e := start(t, withPrivateBots)
	h := newHook(t, "hook-secret")
	h.site(e, "hooked", "tags:\n  - {tag: warranty, keywords: [warranty], instruction: Keep your receipt.}\n")
	_, tok := e.agent("Alice", chat.RoleAgent, "hooked")

	t.Run("answers with text, quick replies and tags; gets the context, never a secret", func(t *testing.T) {
		h.respond = func(w http.ResponseWriter, req *bot.Request) {
			h.answer(w, 200, bot.Response{Text: "Hello " + req.Visitor.Name + "!", QuickReplies: []chat.QuickReply{{Label: "Track my order", Value: "track"}},
				Tags: []string{"greeting"}})
		}
		vt := e.visitorToken("hooked")
		v := e.mustDial(vt)
		v.ok(map[string]any{"type": "set_attributes", "attributes": map[string]string{"name": "Jane", "locale": "nl"}})
		id := v.say("Hoi, how long is the warranty?")
		m := v.next("message").obj("message")
		if m.str("text") != "Hello Jane!" || m.obj("author").str("name") != "Hookbot" || len(m.list("quick_replies")) != 1 {
			t.Fatalf("visitor got %v", m)
		}
		if got := v.botSays(); got != "Keep your receipt." {
			t.Fatalf("instruction: %q", got)
		}
		// While the webhook was thinking the visitor saw the bot typing.
		if f := v.next("typing"); f.obj("author").str("type") != "bot" || f.obj("author").str("name") != "Hookbot" || f["typing"] != true {
			t.Fatalf("typing: %v", f)
		}
		if f := v.next("typing"); f["typing"] != false {
			t.Fatalf("typing stopped: %v", f)
		}
		req := recv(t, h.got)
		if req.Version != 1 || req.Type != "visitor_message" || req.Site.Key != "hooked" || req.Conversation.ID != id ||
			req.Message.Text != "Hoi, how long is the warranty?" || req.Visitor.Name != "Jane" || req.Visitor.Locale != "nl" ||
			len(req.Tags) != 1 || req.Tags[0].Tag != "warranty" || req.Tags[0].Instruction != "Keep your receipt." || len(req.History) != 0 {
			t.Fatalf("request: %+v", req)
		}
		raw, _ := json.Marshal(req)
		s, _ := e.db.SiteByKey(context.Background(), "hooked")
		if strings.Contains(string(raw), s.IdentitySecret) || strings.Contains(string(raw), vt) || strings.Contains(string(raw), "hook-secret") {
			t.Fatal("the request carries a secret")
		}
		waitFor(t, "tags", func() bool { return tags(e.conv(tok, id)) == "greeting warranty" })

		// The next request has the history.
		v.say("thanks")
		v.botSays()
		if req := recv(t, h.got); len(req.History) != 3 || req.History[0].Text != "Hoi, how long is the warranty?" || req.History[2].Text != "Keep your receipt." {
			t.Fatalf("history: %+v", req.History)
		}
	})

	failures := []struct {
		name    string
		respond func(w http.ResponseWriter, req *bot.Request)
	}{
		{"an error status", func(w http.ResponseWriter, _ *bot.Request) { h.answer(w, 500, map[string]string{"error": "boom"}) }},
		{"an unsigned answer", func(w http.ResponseWriter, _ *bot.Request) { w.Write([]byte(`{"text":"trust me"}`)) }},
		{"an answer signed with another secret", func(w http.ResponseWriter, _ *bot.Request) {
			b := []byte(`{"text":"hi"}`)
			w.Header().Set(bot.SignatureHeader, bot.Sign([]byte("wrong"), time.Now(), b))
			w.Write(b)
		}},
		{"an answer changed after signing", func(w http.ResponseWriter, _ *bot.Request) {
			w.Header().Set(bot.SignatureHeader, bot.Sign([]byte("hook-secret"), time.Now(), []byte(`{"text":"hi"}`)))
			w.Write([]byte(`{"text":"Please send me your password"}`))
		}},
		{"an invalid answer", func(w http.ResponseWriter, _ *bot.Request) {
			h.answer(w, 200, map[string]any{"tags": []string{"NOT A TAG"}})
		}},
		{"a timeout", func(w http.ResponseWriter, r *bot.Request) {
			// Longer than the site's 2 s timeout; the test server closes it at the end.
			<-h.done
		}},
	}
	for _, f := range failures {
		t.Run("a failure offers a person: "+f.name, func(t *testing.T) {
			h.respond = f.respond
			v := e.mustDial(e.visitorToken("hooked"))
			id := v.say("where is my order?")
			v.acceptHandoff("jane@example.com")
			c := e.waitStatus(tok, id, "unassigned")
			msgs := e.history(tok, id)
			// The bot said only the flow's words: consent, email, the auto-response (nobody is online).
			if tags(c) != "sys_human_help" || msgs[len(msgs)-1].obj("event").str("reason") != "bot_error" || len(botTexts(msgs)) != 3 {
				t.Fatalf("%v %v", c, msgs)
			}
			recv(t, h.got)
		})
	}
}

// recv takes the next value from ch, failing the test after 10 s.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received in 10 s")
	}
	var zero T
	return zero
}

func TestWebhookCannotReachLoopbackUnlessTheOperatorAllowsIt(t *testing.T) {
	t.Setenv("BATON_TEST_HOOK_SECRET", "hook-secret")
	e := start(t) // BATON_BOT_ALLOW_PRIVATE is off
	h := newHook(t, "hook-secret")
	h.respond = func(w http.ResponseWriter, _ *bot.Request) { h.answer(w, 200, bot.Response{Text: "I was reached"}) }
	h.site(e, "ssrf", "")
	_, tok := e.agent("Alice", chat.RoleAgent, "ssrf")
	v := e.mustDial(e.visitorToken("ssrf"))
	id := v.say("hello")
	v.acceptHandoff("jane@example.com")
	e.waitStatus(tok, id, "unassigned")
	select {
	case req := <-h.got:
		t.Fatalf("the loopback webhook was reached: %+v", req)
	default:
	}
}

// A person who speaks while the bot is thinking takes the turn: the bot's answer, arriving
// afterwards, is discarded.
func TestTakeoverWhileAWebhookIsThinkingDiscardsTheBotsAnswer(t *testing.T) {
	t.Setenv("BATON_TEST_HOOK_SECRET", "hook-secret")
	e := start(t, withPrivateBots)
	h := newHook(t, "hook-secret")
	release := make(chan struct{})
	h.respond = func(w http.ResponseWriter, _ *bot.Request) {
		select {
		case <-release:
		case <-h.done:
			return
		}
		h.answer(w, 200, bot.Response{Text: "Late bot answer", Tags: []string{"late"}, Handoff: true})
	}
	h.site(e, "race", "")
	_, tok := e.agent("Alice", chat.RoleAgent, "race")
	agent := e.mustDial(tok)
	v := e.mustDial(e.visitorToken("race"))
	id := v.say("where is my parcel?")
	recv(t, h.got) // the bot is thinking
	agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "a1", "text": "Alice here!"})
	discarded := e.turns("discarded")
	close(release)
	e.waitTurns("discarded", discarded, 1)
	c := e.conv(tok, id)
	if said := botTexts(e.history(tok, id)); len(said) != 0 || c.str("status") != "assigned" || tags(c) != "" {
		t.Fatalf("bot said %v; conversation %v", said, c)
	}
}

// botAccount creates the realtime bot account of a site and returns its token.
func (e *env) botAccount(siteKey string) string {
	e.t.Helper()
	s, err := e.db.SiteByKey(context.Background(), siteKey)
	if err != nil {
		e.t.Fatal(err)
	}
	a := &chat.Agent{ID: chat.NewID("ag"), Email: "bot+" + siteKey + "@bots.baton.invalid", Name: "RT bot", Role: chat.RoleBot, PasswordHash: "!", SiteIDs: []string{s.ID}}
	if err := e.db.CreateAgent(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	tok, _, err := e.signer(nil).AgentToken(a, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func TestRealtimeBot(t *testing.T) {
	e := start(t)
	e.botSite("rt", "bot:\n  brain: realtime\n  name: Robo\n  timeout: 3s\n")
	_, tok := e.agent("Alice", chat.RoleAgent, "rt")
	botTok := e.botAccount("rt")

	t.Run("no bot connected: a person is offered", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("rt"))
		id := v.say("hello?")
		v.acceptHandoff("jane@example.com")
		e.waitStatus(tok, id, "unassigned")
	})

	b := e.mustDial(botTok)
	t.Run("the bot receives the message, replies and tags", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("rt"))
		id := v.say("Where is my order 1042?")
		req := b.next("bot_request").obj("request")
		if req.obj("message").str("text") != "Where is my order 1042?" || req.obj("conversation").str("id") != id || req.obj("site").str("key") != "rt" {
			t.Fatalf("bot_request: %v", req)
		}
		// The bot may read the conversation and show it is typing before it answers.
		if got := b.ok(map[string]any{"type": "sync", "conversation_id": id, "since": 0}).list("messages"); len(got) != 1 {
			t.Fatalf("bot sync: %v", got)
		}
		b.ok(map[string]any{"type": "typing", "conversation_id": id, "typing": true})
		if f := v.next("typing"); f.obj("author").str("type") != "bot" {
			t.Fatalf("visitor typing: %v", f)
		}
		b.ok(map[string]any{"type": "bot_reply", "request_id": req.str("id"), "text": "It left the warehouse today.",
			"quick_replies": []map[string]string{{"label": "Thanks", "value": "thanks"}}, "tags": []string{"order_status"}})
		m := v.next("message").obj("message")
		if m.str("text") != "It left the warehouse today." || m.obj("author").str("type") != "bot" || m.obj("author").str("name") != "Robo" {
			t.Fatalf("visitor got %v", m)
		}
		waitFor(t, "tag", func() bool { return tags(e.conv(tok, id)) == "order_status" })
		// A request is answered once.
		if code := b.errCode(map[string]any{"type": "bot_reply", "request_id": req.str("id"), "text": "again"}); code != "not_found" {
			t.Fatalf("second answer: %q", code)
		}
	})
	t.Run("the bot asks for a person", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("rt"))
		id := v.say("I need to change my address")
		req := b.next("bot_request").obj("request")
		if code := b.errCode(map[string]any{"type": "bot_reply", "request_id": req.str("id"), "tags": []string{"Bad Tag"}}); code != "invalid" {
			t.Fatalf("invalid answer: %q", code)
		}
		b.ok(map[string]any{"type": "bot_reply", "request_id": req.str("id"), "text": "A colleague will change it.", "handoff": true})
		if got := v.botSays(); got != "A colleague will change it." {
			t.Fatalf("got %q", got)
		}
		v.acceptHandoff("jane@example.com")
		c := e.waitStatus(tok, id, "unassigned")
		if tags(c) != "sys_human_help" {
			t.Fatalf("%v", c)
		}
	})
	t.Run("a person speaks while the bot thinks: the bot's answer is discarded", func(t *testing.T) {
		agent := e.mustDial(tok)
		v := e.mustDial(e.visitorToken("rt"))
		id := v.say("hello there")
		req := b.next("bot_request").obj("request")
		agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "a1", "text": "Alice here."})
		discarded := e.turns("discarded")
		b.ok(map[string]any{"type": "bot_reply", "request_id": req.str("id"), "text": "Too late"})
		e.waitTurns("discarded", discarded, 1)
		if said := botTexts(e.history(tok, id)); len(said) != 0 {
			t.Fatalf("bot said %v", said)
		}
	})
	t.Run("a bot account is not an agent", func(t *testing.T) {
		for _, cmd := range []string{"subscribe", "send", "assign", "tag", "resolve", "pause_bot", "presence", "list"} {
			if code := b.errCode(map[string]any{"type": cmd, "site": "rt", "conversation_id": "cv_x"}); code != "forbidden" {
				t.Errorf("%s: %q", cmd, code)
			}
		}
		if code := e.do("GET", "/v1/conversations?site=rt", botTok, nil, nil); code != http.StatusForbidden {
			t.Errorf("REST: %d", code)
		}
		// Another site's conversations do not exist for it.
		v := e.mustDial(e.visitorToken("demo"))
		other := v.say("hi")
		if code := b.errCode(map[string]any{"type": "get", "conversation_id": other}); code != "not_found" {
			t.Errorf("other site: %q", code)
		}
	})
	t.Run("the bot disconnects while thinking: a person is offered", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("rt"))
		id := v.say("are you there?")
		b.next("bot_request")
		b.ws.CloseNow()
		v.acceptHandoff("jane@example.com")
		e.waitStatus(tok, id, "unassigned")
	})
}

func TestBotSettingsThroughTheAPIAreValidatedByField(t *testing.T) {
	e := start(t)
	_, admin := e.agent("Root", chat.RoleAdmin)
	doc := "key: demo\nname: Demo\nbot:\n  brain: webhook\n  knowledge:\n    entries:\n      - {id: a, questions: [\"the\"], answer: x}\ntags:\n  - {tag: sys_vip}\n"
	req, _ := http.NewRequest("PUT", e.url+"/v1/sites/demo/settings", strings.NewReader(doc))
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"bot.webhook: is required", "bot.knowledge.entries[0].questions[0]", "tags[0].tag"} {
		if resp.StatusCode != 400 || !strings.Contains(string(body), want) {
			t.Errorf("%d %s: does not mention %q", resp.StatusCode, body, want)
		}
	}
}
