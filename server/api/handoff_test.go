package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/batonchat/baton/server/app"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/handoff"
)

// The tests of this file drive the handoff through the real API: a visitor on a WebSocket
// meets the bot, is offered a person, answers with quick replies, typed words and the inline
// email form, and is handed over by the site's method, on and off business hours.

// ---- fakes and options ------------------------------------------------------------------------

// recorder stands in for the outbox: it records what the handoff dispatches and notifies.
type recorder struct {
	mu         sync.Mutex
	deliveries []handoff.Delivery
	notices    []handoff.ReplyNotice
}

func (r *recorder) Dispatch(_ chat.Tx, d handoff.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deliveries = append(r.deliveries, d)
	return nil
}

func (r *recorder) NotifyReply(_ chat.Tx, n handoff.ReplyNotice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) delivery(t *testing.T, conversationID string) handoff.Delivery {
	t.Helper()
	var d handoff.Delivery
	waitFor(t, "a delivery of "+conversationID, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, x := range r.deliveries {
			if x.ConversationID == conversationID {
				d = x
				return true
			}
		}
		return false
	})
	return d
}

func (r *recorder) noticesFor(conversationID string) []handoff.ReplyNotice {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []handoff.ReplyNotice
	for _, n := range r.notices {
		if n.ConversationID == conversationID {
			out = append(out, n)
		}
	}
	return out
}

func withRecorder(r *recorder) envOption {
	return func(c *app.Config) { c.Dispatcher, c.Notifier = r, r }
}

// withClock runs the server's clock from at, advancing with real time.
func withClock(at time.Time) envOption {
	started := time.Now()
	return func(c *app.Config) { c.Now = func() time.Time { return at.Add(time.Since(started)) } }
}

var amsterdam = mustZone("Europe/Amsterdam")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// Monday 2 February 2026, 10:00 in Amsterdam: open. Saturday 7 February: closed until Monday.
var (
	mondayMorning   = time.Date(2026, 2, 2, 10, 0, 0, 0, amsterdam)
	saturdayMorning = time.Date(2026, 2, 7, 10, 0, 0, 0, amsterdam)
)

// shop is a knowledge bot that knows one thing; every other question is handed over.
const shop = `
bot:
  name: Shopbot
  knowledge:
    entries:
      - {id: hours, questions: ["When are you open?"], answer: We are open 9 to 5.}
`

// helpdesks are the delivery settings of each ticket method (the recorder stands in for them).
var helpdesks = map[string]string{
	"zendesk": "  zendesk: {subdomain: shop, email: agent@shop.example, token_env: ZD_TOKEN}\n",
	"gorgias": "  gorgias: {domain: shop, email: agent@shop.example, api_key_env: GORGIAS_KEY}\n",
	"email":   "  email: {to: support@shop.example}\n",
	"webhook": "  webhook: {url: \"https://hooks.shop.example/baton\", secret_env: HOOK_SECRET}\n",
}

// byTicket is the handoff section of a site delivering by method.
func byTicket(method string, extra ...string) string {
	return "handoff:\n  method: " + method + "\n" + helpdesks[method] + strings.Join(extra, "")
}

const officeHours = `
business_hours:
  timezone: Europe/Amsterdam
  weekly:
    monday: ["09:00-17:00"]
    tuesday: ["09:00-17:00"]
    wednesday: ["09:00-17:00"]
    thursday: ["09:00-17:00"]
    friday: ["09:00-17:00"]
`

// ---- visitor helpers --------------------------------------------------------------------------

// botMessage returns the next message of the bot the visitor receives.
func (v *client) botMessage() frame {
	v.t.Helper()
	for i := 0; i < 100; i++ {
		f := v.next("message")
		if f == nil {
			v.t.Fatal("no bot message")
		}
		if m := f.obj("message"); m.obj("author").str("type") == "bot" {
			return m
		}
	}
	v.t.Fatal("no bot message among 100")
	return nil
}

// offer returns the next bot message offering two quick replies: the consent question.
func (v *client) offer() frame {
	v.t.Helper()
	for i := 0; i < 10; i++ {
		if m := v.botMessage(); len(m.list("quick_replies")) == 2 {
			return m
		}
	}
	v.t.Fatal("no consent question")
	return nil
}

// formAsked returns the next bot message carrying an inline form.
func (v *client) formAsked() frame {
	v.t.Helper()
	for i := 0; i < 10; i++ {
		if m := v.botMessage(); m.obj("form") != nil {
			return m
		}
	}
	v.t.Fatal("no form")
	return nil
}

// submitEmail answers an email form; it returns the error code ("" on success).
func (v *client) submitEmail(form frame, email string) string {
	v.t.Helper()
	return v.errCode(map[string]any{"type": "submit_form", "message_id": form.str("id"), "form_id": form.obj("form").str("id"),
		"values": map[string]string{"email": email}})
}

// acceptHandoff clicks "yes" under the consent question and, when email is set, gives it in
// the form that follows.
func (v *client) acceptHandoff(email string) {
	v.t.Helper()
	o := v.offer()
	v.say(o.list("quick_replies")[0].str("value"))
	if email != "" {
		if code := v.submitEmail(v.formAsked(), email); code != "" {
			v.t.Fatalf("submit email: %s", code)
		}
	}
}

// handoffEvents are the agents-only events of the flow in a conversation, with their data.
func handoffEvents(msgs []frame, action string) []frame {
	var out []frame
	for _, m := range msgs {
		if m.str("kind") == "event" && m.obj("event").str("action") == action {
			out = append(out, m)
		}
	}
	return out
}

// ---- the consent ------------------------------------------------------------------------------

func TestHandoffAsksFirstInTheVisitorsLanguage(t *testing.T) {
	e := startWithBot(t, withRecorder(&recorder{}))
	e.botSite("lang", shop)
	_, tok := e.agent("Alice", chat.RoleAgent, "lang")
	e.mustDial(tok) // online: the team answers live
	tests := []struct {
		lang, question, consent, yes, no, typedYes, label, coming string
	}{
		{"en", "Can I bring my pet iguana to the moon?", "Would you like that?", "Yes, connect me with an agent", "No, thanks", "yes please", "Your email", "will be with you here shortly"},
		{"nl", "Mag ik mijn leguaan meenemen naar de maan?", "Wil je dat?", "Ja, verbind me met een medewerker", "Nee, bedankt", "ja graag", "Je e-mailadres", "is zo bij je"},
		{"fr", "Est-ce que je peux emmener mon iguane sur la lune ?", "Le souhaitez-vous ?", "Oui, mettez-moi en relation", "Non, merci", "oui", "Votre e-mail", "sera avec vous ici sous peu"},
		{"de", "Kann ich meinen Leguan mit auf den Mond nehmen?", "Möchten Sie das?", "Ja, mit einem Mitarbeiter verbinden", "Nein, danke", "ja bitte", "Ihre E-Mail-Adresse", "ist jemand aus unserem Team für Sie da"},
		{"es", "¿Puedo llevar mi iguana a la luna?", "¿Quieres?", "Sí, conéctame con un agente", "No, gracias", "sí", "Tu correo electrónico", "estará contigo aquí en breve"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			v := e.mustDial(e.visitorToken("lang"))
			id := v.say(tt.question)
			o := v.offer()
			qr := o.list("quick_replies")
			if !strings.Contains(o.str("text"), tt.consent) || qr[0].str("label") != tt.yes || qr[1].str("label") != tt.no {
				t.Fatalf("consent: %q %v", o.str("text"), qr)
			}
			// Nothing is handed over before the answer.
			if c := e.conv(tok, id); c.str("status") != "bot" {
				t.Fatalf("before the answer: %v", c)
			}
			v.say(tt.typedYes)
			form := v.formAsked()
			if f := form.obj("form").list("fields"); len(f) != 1 || f[0].str("type") != "email" || f[0].str("label") != tt.label {
				t.Fatalf("form: %v", form)
			}
			if code := v.submitEmail(form, "jane@example.com"); code != "" {
				t.Fatal(code)
			}
			if got := v.botMessage().str("text"); !strings.Contains(got, tt.coming) {
				t.Fatalf("after the email: %q", got)
			}
			e.waitStatus(tok, id, "unassigned")
		})
	}
}

func TestHandoffDeclinedOrIgnoredLeavesTheBotInCharge(t *testing.T) {
	e := startWithBot(t, withRecorder(&recorder{}))
	e.botSite("shop", shop)
	_, tok := e.agent("Alice", chat.RoleAgent, "shop")

	for _, no := range []string{"No, thanks", "no thanks", "nee hoor", "non merci", "nein danke", "no gracias"} {
		t.Run("declined: "+no, func(t *testing.T) {
			v := e.mustDial(e.visitorToken("shop"))
			id := v.say("Can I pay with seashells?")
			v.offer()
			v.say(no)
			if got := v.botMessage().str("text"); !strings.Contains(got, "ask for a person") && !strings.Contains(got, "medewerker") &&
				!strings.Contains(got, "quelqu'un") && !strings.Contains(got, "Mitarbeiter") && !strings.Contains(got, "persona") {
				t.Fatalf("declined: %q", got)
			}
			// The bot carries on, and offers again when it is stuck again.
			v.say("When are you open?")
			if got := v.botMessage().str("text"); got != "We are open 9 to 5." {
				t.Fatalf("after the no: %q", got)
			}
			v.say("Do you sell submarines?")
			v.offer()
			if c := e.conv(tok, id); c.str("status") != "bot" {
				t.Fatalf("%v", c)
			}
		})
	}
	t.Run("a new question instead of an answer: the bot answers it", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("shop"))
		id := v.say("Can I pay with seashells?")
		v.offer()
		v.say("When are you open?")
		if got := v.botMessage().str("text"); got != "We are open 9 to 5." {
			t.Fatalf("got %q", got)
		}
		if c := e.conv(tok, id); c.str("status") != "bot" {
			t.Fatalf("%v", c)
		}
		// The lapsed offer's buttons are no answer any more.
		v.say("Yes, connect me with an agent")
		v.offer() // the bot does not know "yes" on its own: it offers again
	})
}

// ---- the inbox --------------------------------------------------------------------------------

func TestHandoffToTheInboxOnHoursWithSomeoneThere(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { handOverLive(t) })
	t.Run("postgres", func(t *testing.T) { handOverLive(t, withPostgres(t)) })
}

func handOverLive(t *testing.T, opts ...envOption) {
	rec := &recorder{}
	e := startWithBot(t, append(opts, withRecorder(rec), withClock(mondayMorning))...)
	e.botSite("open", shop+officeHours+"handoff: {expected_wait: 5m}\n")
	_, tok := e.agent("Alice", chat.RoleAgent, "open")
	agent := e.mustDial(tok)
	agent.ok(map[string]any{"type": "subscribe", "site": "open"})

	v := e.mustDial(e.visitorToken("open"))
	id := v.say("Can I pay with seashells?")
	v.acceptHandoff("jane@example.com")
	if got := v.botMessage().str("text"); got != "Thanks! Someone from our team will be with you here in about 5 minutes." {
		t.Fatalf("coming: %q", got)
	}
	e.waitStatus(tok, id, "unassigned")
	ev := handoffEvents(e.history(tok, id), "handoff")
	if len(ev) != 1 || ev[0].obj("event").str("email") != "jane@example.com" || ev[0].obj("event").str("method") != "inbox" ||
		!strings.Contains(ev[0].str("text"), "The bot could not answer; the visitor agreed to talk to a person (jane@example.com)") {
		t.Fatalf("agents' event: %v", ev)
	}
	// The agent continues live in the same widget.
	agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "a1", "text": "Hi Jane, Alice here."})
	for {
		m := v.next("message").obj("message")
		if m.obj("author").str("type") == "agent" {
			if m.str("text") != "Hi Jane, Alice here." {
				t.Fatalf("visitor got %v", m)
			}
			break
		}
	}
	// The visitor was there: nothing is emailed.
	if n := rec.noticesFor(id); len(n) != 0 {
		t.Fatalf("notices: %v", n)
	}
}

func TestHandoffTellsTheWaitMeasuredOverThePastWeek(t *testing.T) {
	e := startWithBot(t, withRecorder(&recorder{}))
	e.botSite("shop", shop)
	_, tok := e.agent("Alice", chat.RoleAgent, "shop")
	agent := e.mustDial(tok)
	handOver := func() (string, string) {
		v := e.mustDial(e.visitorToken("shop"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		return v.botMessage().str("text"), id
	}
	// Until three conversations have had their first reply there is nothing to tell.
	for i := 0; i < 3; i++ {
		text, id := handOver()
		if text != "Thanks! Someone from our team will be with you here shortly." {
			t.Fatalf("handoff %d: %q", i, text)
		}
		agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": fmt.Sprint("r", i), "text": "Hi!"})
	}
	// Alice answered within a second each time: "about 1 minute", rounded up.
	if text, _ := handOver(); text != "Thanks! Someone from our team will be with you here in about 1 minute." {
		t.Fatalf("measured: %q", text)
	}
}

func TestHandoffToTheInboxWhenNobodyCanAnswer(t *testing.T) {
	rec := &recorder{}

	t.Run("off hours: the auto-response with the next opening in the visitor's time", func(t *testing.T) {
		e := startWithBot(t, withRecorder(rec), withClock(saturdayMorning))
		e.botSite("closed", shop+officeHours)
		_, tok := e.agent("Alice", chat.RoleAgent, "closed")
		agent := e.mustDial(tok) // online, but the shop is closed

		v := e.mustDial(e.visitorToken("closed"))
		v.ok(map[string]any{"type": "set_attributes", "attributes": map[string]string{"tz": "America/New_York"}})
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		want := "Thanks! Our team is away right now: we're back on Monday at 03:00. We'll reply here, or by email at jane@example.com if you have left the chat by then."
		if got := v.botMessage().str("text"); got != want {
			t.Fatalf("auto-response:\n got %q\nwant %q", got, want)
		}
		e.waitStatus(tok, id, "unassigned")

		// An agent replies on Monday; the visitor has left: the reply goes by email.
		v.ws.CloseNow()
		waitFor(t, "the visitor to leave", func() bool { return !e.srv.Realtime().Hub.VisitorConnected(e.conv(tok, id).str("visitor_id")) })
		reply := agent.ok(map[string]any{"type": "send", "conversation_id": id, "client_id": "a1", "text": "Yes, seashells are fine."}).obj("message")
		n := rec.noticesFor(id)
		if len(n) != 1 || n[0].Email != "jane@example.com" || n[0].MessageID != reply.str("id") || n[0].Key != "reply:"+reply.str("id") {
			t.Fatalf("notices: %+v", n)
		}
	})

	t.Run("off hours, the visitor's zone unknown: the site's, named", func(t *testing.T) {
		e := startWithBot(t, withRecorder(rec), withClock(saturdayMorning))
		e.botSite("closed", shop+officeHours)
		v := e.mustDial(e.visitorToken("closed"))
		v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		if got := v.botMessage().str("text"); !strings.HasPrefix(got, "Thanks! Our team is away right now: we're back on Monday at 09:00 (CET).") {
			t.Fatalf("auto-response: %q", got)
		}
	})

	t.Run("on hours, nobody online: in the queue", func(t *testing.T) {
		e := startWithBot(t, withRecorder(rec), withClock(mondayMorning))
		e.botSite("busy", shop+officeHours)
		_, tok := e.agent("Alice", chat.RoleAgent, "busy")
		v := e.mustDial(e.visitorToken("busy"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		if got := v.botMessage().str("text"); !strings.HasPrefix(got, "Thanks! Everyone on our team is busy right now") {
			t.Fatalf("auto-response: %q", got)
		}
		e.waitStatus(tok, id, "unassigned")
	})

	t.Run("on hours, the only agent online has no room", func(t *testing.T) {
		e := startWithBot(t, withRecorder(rec), withClock(mondayMorning))
		e.botSite("full", shop+officeHours+"handoff: {max_open_per_agent: 1}\n")
		_, tok := e.agent("Alice", chat.RoleAgent, "full")
		agent := e.mustDial(tok)
		first := e.mustDial(e.visitorToken("full"))
		busyWith := first.say("hello")
		agent.ok(map[string]any{"type": "send", "conversation_id": busyWith, "client_id": "a1", "text": "Hi!"}) // now assigned to Alice
		v := e.mustDial(e.visitorToken("full"))
		v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		if got := v.botMessage().str("text"); !strings.HasPrefix(got, "Thanks! Everyone on our team is busy right now") {
			t.Fatalf("auto-response: %q", got)
		}
		agent.ok(map[string]any{"type": "resolve", "conversation_id": busyWith}) // room again
		v2 := e.mustDial(e.visitorToken("full"))
		v2.say("Can I pay with seashells?")
		v2.acceptHandoff("jane@example.com")
		if got := v2.botMessage().str("text"); !strings.Contains(got, "will be with you here shortly") {
			t.Fatalf("with room: %q", got)
		}
	})
}

// ---- identity and email -----------------------------------------------------------------------

func TestHandoffDoesNotAskAVisitorTheSiteIdentified(t *testing.T) {
	rec := &recorder{}
	e := startWithBot(t, withRecorder(rec))
	e.botSite("known", shop+byTicket("zendesk"))
	e.botSite("team", shop)
	_, tok := e.agent("Alice", chat.RoleAgent, "known", "team")
	e.mustDial(tok)
	// The site's backend signs who the visitor is.
	identify := func(siteKey string) *client {
		signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "user-42", "email": "kim@example.com",
			"name": "Kim", "aud": siteKey, "exp": time.Now().Add(10 * time.Minute).Unix()}).SignedString([]byte(e.secret(siteKey)))
		if err != nil {
			t.Fatal(err)
		}
		return e.mustDial(e.identified(siteKey, signed, "").Token)
	}

	t.Run("a ticket goes to the verified address", func(t *testing.T) {
		v := identify("known")
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("")
		if got := v.botMessage(); got.obj("form") != nil || !strings.Contains(got.str("text"), "reply by email at kim@example.com") {
			t.Fatalf("a verified visitor was asked: %v", got)
		}
		if d := rec.delivery(t, id); d.Email != "kim@example.com" || d.Visitor.ExternalID != "user-42" || !d.Visitor.EmailVerified {
			t.Fatalf("delivery: %+v", d)
		}
	})
	t.Run("the team gets them at once", func(t *testing.T) {
		v := identify("team")
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("")
		if got := v.botMessage(); got.obj("form") != nil || !strings.Contains(got.str("text"), "will be with you here shortly") {
			t.Fatalf("a verified visitor was asked: %v", got)
		}
		e.waitStatus(tok, id, "unassigned")
		if ev := handoffEvents(e.history(tok, id), "handoff"); len(ev) != 1 || ev[0].obj("event").str("email") != "kim@example.com" {
			t.Fatalf("%v", ev)
		}
	})
	t.Run("an anonymous visitor typing the same address stays anonymous", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("team"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("kim@example.com")
		e.waitStatus(tok, id, "unassigned")
		p := e.visitorProfile(tok, e.conv(tok, id).str("visitor_id"))
		if p["email_verified"] != false || p["external_id"] != nil {
			t.Fatalf("merged into the verified profile: %v", p)
		}
	})
}

func TestHandoffEmailGetsASecondChance(t *testing.T) {
	rec := &recorder{}
	e := startWithBot(t, withRecorder(rec))
	e.botSite("inbox", shop)
	e.botSite("tickets", shop+byTicket("email"))
	_, tok := e.agent("Alice", chat.RoleAgent, "inbox", "tickets")

	t.Run("the form refuses a bad address and takes the next", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("inbox"))
		id := v.say("Can I pay with seashells?")
		v.say(v.offer().list("quick_replies")[0].str("value"))
		form := v.formAsked()
		f := v.call(map[string]any{"type": "submit_form", "message_id": form.str("id"), "form_id": "email", "values": map[string]string{"email": "jane@"}})
		if f.str("code") != "invalid" || !strings.Contains(f.str("message"), "values.email") {
			t.Fatalf("bad address: %v", f)
		}
		if code := v.submitEmail(form, "jane@example.com"); code != "" {
			t.Fatal(code)
		}
		e.waitStatus(tok, id, "unassigned")
	})
	t.Run("a typed address counts, and is kept unverified", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("inbox"))
		id := v.say("Can I pay with seashells?")
		v.say(v.offer().list("quick_replies")[0].str("value"))
		v.formAsked()
		v.say("it's jane@example.com")
		e.waitStatus(tok, id, "unassigned")
		var prof frame
		e.do("GET", "/v1/visitors/"+e.conv(tok, id).str("visitor_id"), tok, nil, &prof)
		if p := prof.obj("visitor"); p.str("email") != "jane@example.com" || p["email_verified"] != false {
			t.Fatalf("profile: %v", prof)
		}
	})
	t.Run("typed twice wrong, inbox: the team still answers in the chat", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("inbox"))
		id := v.say("Can I pay with seashells?")
		v.say(v.offer().list("quick_replies")[0].str("value"))
		v.formAsked()
		v.say("jane at example")
		again := v.formAsked()
		if !strings.Contains(again.str("text"), "doesn't look like an email address") {
			t.Fatalf("second chance: %q", again.str("text"))
		}
		v.say("I'd rather not say")
		if got := v.botMessage().str("text"); !strings.Contains(got, "We'll reply here as soon as we can.") {
			t.Fatalf("without email: %q", got)
		}
		e.waitStatus(tok, id, "unassigned")
	})
	t.Run("typed twice wrong, a ticket needs an address: the bot stays", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("tickets"))
		id := v.say("Can I pay with seashells?")
		v.say(v.offer().list("quick_replies")[0].str("value"))
		v.formAsked()
		v.say("jane@")
		v.formAsked()
		v.say("@example.com")
		if got := v.botMessage().str("text"); !strings.Contains(got, "Without an email address I can't pass this on") {
			t.Fatalf("give up: %q", got)
		}
		if c := e.conv(tok, id); c.str("status") != "bot" {
			t.Fatalf("%v", c)
		}
		v.say("When are you open?")
		if got := v.botMessage().str("text"); got != "We are open 9 to 5." {
			t.Fatalf("the bot after giving up: %q", got)
		}
	})
	t.Run("no instead of an address", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("inbox"))
		id := v.say("Can I pay with seashells?")
		v.say(v.offer().list("quick_replies")[0].str("value"))
		v.formAsked()
		v.say("no thanks")
		if got := v.botMessage().str("text"); !strings.Contains(got, "ask for a person") {
			t.Fatalf("declined: %q", got)
		}
		if c := e.conv(tok, id); c.str("status") != "bot" {
			t.Fatalf("%v", c)
		}
	})
}

// ---- tickets, emails and webhooks -------------------------------------------------------------

func TestHandoffByTicket(t *testing.T) {
	rec := &recorder{}
	e := startWithBot(t, withRecorder(rec))
	methods := []string{"zendesk", "gorgias", "email", "webhook"}
	for _, m := range methods {
		e.botSite(m, shop+byTicket(m))
	}
	_, tok := e.agent("Alice", chat.RoleAgent, methods...)
	e.mustDial(tok) // someone online changes nothing for tickets
	for _, m := range methods {
		t.Run(m+": delivered, resolved with the reference", func(t *testing.T) {
			v := e.mustDial(e.visitorToken(m))
			id := v.say("Can I pay with seashells?")
			v.say(v.offer().list("quick_replies")[0].str("value"))
			form := v.formAsked()
			if form.str("text") != "Sure! What's your email address? The team will reply to you there." {
				t.Fatalf("email asked: %q", form.str("text"))
			}
			if code := v.submitEmail(form, "jane@example.com"); code != "" {
				t.Fatal(code)
			}
			if got := v.botMessage().str("text"); got != "Thanks! I've passed your question on to our team: they'll reply by email at jane@example.com." {
				t.Fatalf("ticket: %q", got)
			}
			d := rec.delivery(t, id)
			if string(d.Method) != m || d.Email != "jane@example.com" || d.Reason != "unknown" || !strings.HasPrefix(d.Key, "handoff:"+id+":") ||
				strings.Join(d.Tags, " ") != "sys_human_help" {
				t.Fatalf("delivery: %+v", d)
			}
			// Until the outbox reports, the conversation waits; what the visitor adds goes with it.
			turns := e.turns("handoff_answer")
			v.say("It's about order 1042.")
			e.waitTurns("handoff_answer", turns, 1)
			if c := e.conv(tok, id); c.str("status") != "bot" {
				t.Fatalf("while delivering: %v", c)
			}
			if err := e.srv.Handoff().Delivered(context.Background(), id, "T-"+m); err != nil {
				t.Fatal(err)
			}
			e.waitStatus(tok, id, "resolved")
			ev := handoffEvents(e.history(tok, id), "ticket_created")
			if len(ev) != 1 || ev[0].obj("event").str("ref") != "T-"+m {
				t.Fatalf("ticket event: %v", ev)
			}
			// A report that comes twice changes nothing.
			if err := e.srv.Handoff().Delivered(context.Background(), id, "T-"+m); err != nil {
				t.Fatal(err)
			}
			if n := len(handoffEvents(e.history(tok, id), "ticket_created")); n != 1 {
				t.Fatalf("%d ticket events", n)
			}
		})
	}
	t.Run("a delivery that failed for good goes to the team", func(t *testing.T) {
		v := e.mustDial(e.visitorToken("zendesk"))
		id := v.say("Can I pay with seashells?")
		v.acceptHandoff("jane@example.com")
		rec.delivery(t, id)
		if err := e.srv.Handoff().Failed(context.Background(), id, "422 Unprocessable Entity"); err != nil {
			t.Fatal(err)
		}
		e.waitStatus(tok, id, "unassigned")
		ev := handoffEvents(e.history(tok, id), "ticket_failed")
		if len(ev) != 1 || ev[0].obj("event").str("error") != "422 Unprocessable Entity" {
			t.Fatalf("failure event: %v", ev)
		}
	})
}

// ---- no person --------------------------------------------------------------------------------

func TestHandoffWithoutPeopleShowsTheOwnersMessage(t *testing.T) {
	e := startWithBot(t, withRecorder(&recorder{}))
	e.botSite("faq", shop+"handoff:\n  method: message\n  message: \"Our FAQ has the answers: https://shop.example/faq\"\n")
	e.botSite("off", shop+byTicket("zendesk", "  human_chat: false\n"))
	_, tok := e.agent("Alice", chat.RoleAgent, "faq", "off")
	e.mustDial(tok)
	tests := []struct{ site, want string }{
		{"faq", "Our FAQ has the answers: https://shop.example/faq"},
		{"off", "Our team can't chat here right now. Please have a look at our help pages, or contact us by email."},
	}
	for _, tt := range tests {
		t.Run(tt.site, func(t *testing.T) {
			v := e.mustDial(e.visitorToken(tt.site))
			id := v.say("Can I pay with seashells?")
			v.botMessage() // "I don't have an answer"
			m := v.botMessage()
			if m.str("text") != tt.want || len(m.list("quick_replies")) != 0 {
				t.Fatalf("got %v", m)
			}
			if c := e.conv(tok, id); c.str("status") != "bot" {
				t.Fatalf("%v", c)
			}
			v.say("When are you open?")
			if got := v.botMessage().str("text"); got != "We are open 9 to 5." {
				t.Fatalf("the bot after the message: %q", got)
			}
		})
	}
}

// ---- durability -------------------------------------------------------------------------------

func TestHandoffContinuesAfterARestart(t *testing.T) {
	dir := t.TempDir()
	inDir := func(c *app.Config) { c.DataDir = dir }
	e := startWithBot(t, inDir)
	e.botSite("shop", shop)
	token := e.visitorToken("shop")
	v := e.mustDial(token)
	id := v.say("Can I pay with seashells?")
	v.offer()
	e.stop()

	// The visitor comes back to a restarted server and answers the question asked before.
	e = startWithBot(t, inDir)
	_, tok := e.agent("Alice", chat.RoleAgent, "shop")
	v = e.mustDial(token)
	v.ok(map[string]any{"type": "sync", "since": 0})
	v.say("yes")
	if code := v.submitEmail(v.formAsked(), "jane@example.com"); code != "" {
		t.Fatal(code)
	}
	e.waitStatus(tok, id, "unassigned")
}

// ---- availability -----------------------------------------------------------------------------

func TestConfigSaysWhetherSomeoneIsAvailableAndUntilWhen(t *testing.T) {
	config := func(e *env, key string) frame {
		t.Helper()
		var out frame
		if code := e.do("GET", "/v1/sites/"+key+"/config", "", nil, &out); code != 200 {
			t.Fatalf("config: %d", code)
		}
		return out
	}
	at := func(a frame) string {
		if a["next_change_at"] == nil {
			return "null"
		}
		return time.UnixMilli(a.num("next_change_at")).In(amsterdam).Format("Mon 15:04")
	}
	t.Run("closed: back on Monday", func(t *testing.T) {
		e := start(t, withClock(saturdayMorning))
		e.botSite("shop", officeHours+"handoff: {hide_when_unavailable: true}\n")
		_, tok := e.agent("Alice", chat.RoleAgent, "shop")
		e.mustDial(tok)
		c := config(e, "shop")
		if a := c.obj("availability"); a["available"] != false || at(a) != "Mon 09:00" || c["hide_when_unavailable"] != true {
			t.Fatalf("%v", c)
		}
	})
	t.Run("open with someone there: until closing time", func(t *testing.T) {
		e := start(t, withClock(mondayMorning))
		e.botSite("shop", officeHours)
		_, tok := e.agent("Alice", chat.RoleAgent, "shop")
		e.mustDial(tok)
		c := config(e, "shop")
		if a := c.obj("availability"); a["available"] != true || at(a) != "Mon 17:00" || c["hide_when_unavailable"] != nil {
			t.Fatalf("%v", c)
		}
	})
	t.Run("open, nobody there: not available, no time", func(t *testing.T) {
		e := start(t, withClock(mondayMorning))
		e.botSite("shop", officeHours)
		if a := config(e, "shop").obj("availability"); a["available"] != false || at(a) != "null" {
			t.Fatalf("%v", a)
		}
	})
	t.Run("human chat off: never", func(t *testing.T) {
		e := start(t, withClock(mondayMorning))
		e.botSite("shop", officeHours+"handoff: {human_chat: false}\n")
		_, tok := e.agent("Alice", chat.RoleAgent, "shop")
		e.mustDial(tok)
		if a := config(e, "shop").obj("availability"); a["available"] != false || at(a) != "null" {
			t.Fatalf("%v", a)
		}
	})
}

// ---- the numbers ------------------------------------------------------------------------------

func TestStatsCountTheHandoffs(t *testing.T) {
	rec := &recorder{}
	e := startWithBot(t, withRecorder(rec))
	e.botSite("shop", shop+"tags:\n  - {tag: seashells, keywords: [seashells]}\n")
	_, admin := e.agent("Root", chat.RoleAdmin)
	_, tok := e.agent("Alice", chat.RoleAgent, "shop")
	agent := e.mustDial(tok)

	offeredBefore := e.metric(`baton_handoff_steps_total{step="offered"}`)
	// 1: answered by the bot. 2: declined. 3: accepted, to the team, answered by Alice.
	// 4: offered, then a new question the bot answers.
	v1 := e.mustDial(e.visitorToken("shop"))
	v1.say("When are you open?")
	v1.botMessage()
	v2 := e.mustDial(e.visitorToken("shop"))
	v2.say("Can I pay with seashells?")
	v2.offer()
	v2.say("no")
	v2.botMessage()
	v3 := e.mustDial(e.visitorToken("shop"))
	id3 := v3.say("Can I pay with seashells?")
	v3.acceptHandoff("jane@example.com")
	e.waitStatus(tok, id3, "unassigned")
	agent.ok(map[string]any{"type": "send", "conversation_id": id3, "client_id": "a1", "text": "Yes you can."})
	v4 := e.mustDial(e.visitorToken("shop"))
	v4.say("Do you sell submarines?")
	v4.offer()
	v4.say("When are you open?")
	v4.botMessage()

	today := time.Now().UTC().Format(time.DateOnly)
	var s frame
	if code := e.do("GET", "/v1/sites/shop/stats?from="+today+"&to="+today, admin, nil, &s); code != 200 {
		t.Fatalf("stats: %d %v", code, s)
	}
	want := map[string]float64{"conversations": 4, "contained_rate": 0.25, "resolution_rate": 0.25, "handoffs_offered": 3,
		"handoffs_accepted": 1, "handoffs_declined": 1, "routed_to_team": 1, "auto_responses": 0, "tickets_created": 0,
		"tickets_failed": 0, "first_replies": 1}
	for k, w := range want {
		if got, _ := s[k].(float64); got != w {
			t.Errorf("%s = %v, want %v (%v)", k, s[k], w, s)
		}
	}
	if s["median_consent_to_first_reply_ms"] == nil || s.str("time_zone") != "UTC" {
		t.Errorf("median and zone: %v", s)
	}
	if n := e.metric(`baton_handoff_steps_total{step="offered"}`) - offeredBefore; n < 3 {
		t.Errorf("the metric counted %v offers", n) // at least: other tests may run at the same time
	}
	// By tag: the two conversations about seashells.
	e.do("GET", "/v1/sites/shop/stats?from="+today+"&to="+today+"&tag=seashells", admin, nil, &s)
	if s["conversations"] != float64(2) || s["handoffs_declined"] != float64(1) || s["handoffs_accepted"] != float64(1) {
		t.Errorf("by tag: %v", s)
	}
	// Another day: nothing.
	e.do("GET", "/v1/sites/shop/stats?from=2020-01-01&to=2020-01-31", admin, nil, &s)
	if s["conversations"] != float64(0) || s["contained_rate"] != nil {
		t.Errorf("empty range: %v", s)
	}

	bad := []struct {
		query string
		code  int
		token string
	}{
		{"from=" + today + "&to=" + today, http.StatusForbidden, tok}, // agents do not see the numbers
		{"from=" + today, http.StatusBadRequest, admin},
		{"from=2026-02-30&to=2026-03-01", http.StatusBadRequest, admin},
		{"from=2026-03-02&to=2026-03-01", http.StatusBadRequest, admin},
		{"from=2020-01-01&to=2026-01-01", http.StatusBadRequest, admin},
	}
	for _, b := range bad {
		if code := e.do("GET", "/v1/sites/shop/stats?"+b.query, b.token, nil, nil); code != b.code {
			t.Errorf("%s: %d, want %d", b.query, code, b.code)
		}
	}
}

// ---- settings ---------------------------------------------------------------------------------

func TestHandoffSettingsAreValidatedByField(t *testing.T) {
	e := start(t)
	_, admin := e.agent("Root", chat.RoleAdmin)
	doc := `key: demo
name: Demo
handoff:
  method: fax
  max_open_per_agent: -1
  expected_wait: 48h
  texts:
    en: {consent: "", shout: "HEY", yes: "` + strings.Repeat("y", 81) + `"}
business_hours:
  timezone: Mars/Olympus
  weekly: {mondy: ["09:00-17:00"]}
`
	req, _ := http.NewRequest("PUT", e.url+"/v1/sites/demo/settings", strings.NewReader(doc))
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body frame
	decode(t, resp, &body)
	msg := body.obj("error").str("message")
	for _, want := range []string{"handoff.method", "handoff.max_open_per_agent", "handoff.expected_wait", "handoff.texts.en.consent",
		"handoff.texts.en.shout", "handoff.texts.en.yes", "business_hours.timezone", "business_hours.weekly.mondy"} {
		if resp.StatusCode != 400 || !strings.Contains(msg, want) {
			t.Errorf("%d %s: does not mention %q", resp.StatusCode, msg, want)
		}
	}
	// method message needs the message.
	req, _ = http.NewRequest("PUT", e.url+"/v1/sites/demo/settings", strings.NewReader("key: demo\nname: Demo\nhandoff: {method: message}\n"))
	req.Header.Set("Content-Type", "application/yaml")
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, resp, &body)
	if resp.StatusCode != 400 || !strings.Contains(body.obj("error").str("message"), "handoff.message: is required") {
		t.Errorf("%d %v", resp.StatusCode, body)
	}
}

// metric reads one sample of /metrics (0 when absent).
func (e *env) metric(series string) float64 {
	e.t.Helper()
	body, err := e.get("/metrics")
	if err != nil {
		e.t.Fatal(err)
	}
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var n float64
			fmt.Sscan(v, &n)
			return n
		}
	}
	return 0
}

func decode(t *testing.T, resp *http.Response, out any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("decode %d: %v", resp.StatusCode, err)
	}
}
