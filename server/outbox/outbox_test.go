package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
	"github.com/batonchat/baton/server/outbox"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
	"github.com/batonchat/baton/server/webhook"
)

func TestAHandoffIsDeliveredOnlyWhenItsTransactionCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		rollback := errors.New("the flow's change failed")
		err := db.Tx(context.Background(), func(tx chat.Tx) error {
			if err := f.ob.Enqueue(tx, outbox.Handoff{Method: "zendesk", SiteID: f.site.ID, ConversationID: f.conv.ID, Email: "jane@example.com"}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if n := f.run(); n != 0 || len(f.zendesk.Tickets()) != 0 {
			t.Fatalf("a rolled back handoff was delivered (%d taken)", n)
		}
		f.handOff("zendesk")
		f.handOff("zendesk") // the same handoff twice is one delivery
		if n := f.run(); n != 1 {
			t.Fatalf("%d deliveries taken", n)
		}
		tickets := f.zendesk.Tickets()
		if len(tickets) != 1 || tickets[0].RequesterEmail != "jane@example.com" || tickets[0].Subject != "Where is my order #1234?" ||
			!slices.Equal(tickets[0].Tags, []string{"baton", "order_status"}) || !strings.Contains(tickets[0].HTMLBody, "https://chat.example.com/console#shop/c/"+f.conv.ID) ||
			!strings.Contains(tickets[0].HTMLBody, "2026-05-04 11:00:00 CEST") || !strings.Contains(tickets[0].HTMLBody, "user-42") {
			t.Fatalf("tickets %+v", tickets)
		}
		if told := f.told.all(); !slices.Equal(told, []string{"delivered " + f.conv.ID + " 1000"}) {
			t.Fatalf("told %q", told)
		}
		d := f.deliveries()[0]
		if d.Status != chat.DeliveryDelivered || d.Ref != "1000" || d.Attempts != 1 || !d.Notified || !d.DueAt.IsZero() {
			t.Fatalf("delivery %+v", d)
		}
		if n := f.run(); n != 0 {
			t.Fatalf("a delivered delivery was taken again")
		}
	})
}

func TestRetriesHonourRetryAfterAndBackOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.zendesk.Then(helpdesktest.Answer{Status: 429, RetryAfter: "120"}, helpdesktest.Answer{Status: 500})
		f.handOff("zendesk")
		f.run()
		d := f.deliveries()[0]
		if d.Status != chat.DeliveryPending || d.Attempts != 1 || !d.DueAt.Equal(f.clock.Now().Add(120*time.Second)) || !strings.Contains(d.LastError, "HTTP 429") {
			t.Fatalf("after a 429: %+v", d)
		}
		f.clock.Add(119 * time.Second)
		if n := f.run(); n != 0 {
			t.Fatal("retried before the Retry-After")
		}
		f.clock.Add(time.Second)
		f.run() // answered 500: the backoff (a minute here) applies
		if d := f.deliveries()[0]; d.Attempts != 2 || !d.DueAt.Equal(f.clock.Now().Add(time.Minute)) || !strings.Contains(d.LastError, "HTTP 500") {
			t.Fatalf("after a 500: %+v", d)
		}
		f.clock.Add(time.Minute)
		f.run()
		if d := f.deliveries()[0]; d.Status != chat.DeliveryDelivered || d.Attempts != 3 || d.LastError != "" {
			t.Fatalf("third attempt: %+v", d)
		}
		if n := len(f.zendesk.Tickets()); n != 1 {
			t.Fatalf("%d tickets", n)
		}
		if told := f.told.all(); len(told) != 1 {
			t.Fatalf("told %q", told)
		}
	})
}

// The vendor created the ticket but the answer was lost (an error, a hang): the retry finds it.
func TestNoDuplicateTicketAfterARetry(t *testing.T) {
	tests := []struct {
		method string
		lost   helpdesktest.Answer
	}{
		{"zendesk", helpdesktest.Answer{Status: 500, Create: true}},
		{"zendesk", helpdesktest.Answer{Create: true, Hang: true}},
		{"gorgias", helpdesktest.Answer{Status: 502, Create: true}},
		{"gorgias", helpdesktest.Answer{Create: true, Hang: true}},
	}
	for _, tt := range tests {
		name := tt.method + " answer lost"
		if tt.lost.Hang {
			name = tt.method + " hangs"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, storetest.SQLite(t), func(o *outbox.Options) { o.Timeout = 200 * time.Millisecond })
			count := func() int { return len(f.zendesk.Tickets()) }
			if tt.method == "gorgias" {
				f.gorgias.Then(tt.lost)
				count = func() int { return len(f.gorgias.Tickets()) }
			} else {
				f.zendesk.Then(tt.lost)
			}
			f.handOff(tt.method)
			f.run()
			if d := f.deliveries()[0]; d.Status != chat.DeliveryPending || d.Attempts != 1 {
				t.Fatalf("after the lost answer: %+v", d)
			}
			f.clock.Add(time.Minute)
			f.run()
			d := f.deliveries()[0]
			if d.Status != chat.DeliveryDelivered || d.Attempts != 2 || count() != 1 {
				t.Fatalf("after the retry: %+v, %d tickets", d, count())
			}
		})
	}
}

// A worker that dies after sending (its lease runs out without a result) is replaced by another
// one, whose attempt finds the ticket instead of creating a second one.
func TestNoDuplicateTicketAfterAWorkerDies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.handOff("gorgias")
		// The dead worker: it claimed the delivery and the ticket was created, then nothing.
		claimed, err := db.ClaimDeliveries(context.Background(), f.clock.Now(), 90*time.Second, 1)
		if err != nil || len(claimed) != 1 {
			t.Fatal(claimed, err)
		}
		dead := &helpdesk.Gorgias{Config: *f.cfg.Gorgias, Client: webhook.NewClient(true), Getenv: func(string) string { return "gg-key" }, Now: time.Now}
		tk := &helpdesk.Ticket{ConversationID: f.conv.ID, Visitor: helpdesk.Visitor{Email: "jane@example.com"}}
		if _, err := dead.Deliver(context.Background(), helpdesk.Request{Key: claimed[0].Key, Attempt: claimed[0].Attempts, Ticket: tk}); err != nil {
			t.Fatal(err)
		}
		if n := f.run(); n != 0 {
			t.Fatal("taken during the dead worker's lease")
		}
		f.clock.Add(90 * time.Second)
		if n := f.run(); n != 1 {
			t.Fatal("not taken after the lease")
		}
		d := f.deliveries()[0]
		if d.Status != chat.DeliveryDelivered || d.Attempts != 2 || len(f.gorgias.Tickets()) != 1 {
			t.Fatalf("%+v, %d tickets", d, len(f.gorgias.Tickets()))
		}
		if creates, lookups := f.gorgias.Requests(); creates != 1 || lookups != 1 {
			t.Fatalf("%d creations, %d lookups", creates, lookups)
		}
	})
}

func TestFinalFailureSendsTheTranscriptToTheFallbackAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.cfg.FallbackEmail = "owner@shop.example"
		f.zendesk.Then(helpdesktest.Answer{Status: 422, Body: `{"error":"RecordInvalid","description":"Requester is suspended"}`})
		f.handOff("zendesk")
		f.run()
		list := f.deliveries()
		if len(list) != 2 || list[0].Status != chat.DeliveryFailed || !strings.Contains(list[0].LastError, "RecordInvalid") ||
			list[1].Kind != chat.DeliveryFallback || list[1].FallbackOf != list[0].ID || list[1].Status != chat.DeliveryPending {
			t.Fatalf("deliveries %+v %+v", list[0], list[1:])
		}
		if told := f.told.all(); len(told) != 0 {
			t.Fatalf("told before the fallback went: %q", told)
		}
		f.run()
		mails := f.smtp.Mails()
		if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"owner@shop.example"}) {
			t.Fatalf("mails %+v", mails)
		}
		body := string(mails[0].Data)
		for _, want := range []string{"Not delivered by zendesk", "could not deliver this conversation by zendesk after 1 attempt", "RecordInvalid", "Where is my order #1234?"} {
			if !strings.Contains(body, want) {
				t.Errorf("the fallback mail lacks %q", want)
			}
		}
		told := f.told.all()
		if len(told) != 1 || !strings.HasPrefix(told[0], "delivered "+f.conv.ID+" fallback email <baton.") {
			t.Fatalf("told %q", told)
		}
	})
}

func TestExhaustedRetriesFailAndTellTheFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(o *outbox.Options) { o.MaxAttempts = 3 })
		f.gorgias.Then(helpdesktest.Answer{Status: 500}, helpdesktest.Answer{Status: 503}, helpdesktest.Answer{Status: 500, Body: "down"})
		f.handOff("gorgias")
		for range 3 {
			f.run()
			f.clock.Add(time.Minute)
		}
		d := f.deliveries()
		if len(d) != 1 || d[0].Status != chat.DeliveryFailed || d[0].Attempts != 3 || !strings.Contains(d[0].LastError, "HTTP 500: down") {
			t.Fatalf("%+v", d)
		}
		if told := f.told.all(); len(told) != 1 || told[0] != "failed "+f.conv.ID+" gorgias answered HTTP 500: down" {
			t.Fatalf("told %q", told)
		}
		if n := f.run(); n != 0 || len(f.gorgias.Tickets()) != 0 {
			t.Fatal("a failed delivery was tried again")
		}
	})
}

func TestTheFallbackFailingTooIsReported(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), func(o *outbox.Options) { o.MaxAttempts = 1 })
	f.cfg.FallbackEmail = "owner@shop.example"
	f.cfg.Zendesk.TokenEnv = "UNSET"
	f.smtp.Reject(550)
	f.handOff("zendesk")
	f.run()
	f.run()
	told := f.told.all()
	if len(told) != 1 || !strings.Contains(told[0], "UNSET (zendesk.token_env) is not set; the fallback email failed too") {
		t.Fatalf("told %q", told)
	}
}

// The flow not taking the outcome (its database busy, say) is told again after the lease.
func TestTheOutcomeIsToldAgainUntilTheFlowTakesIt(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.told.fail = errors.New("database is locked")
	f.handOff("zendesk")
	f.run()
	if told := f.told.all(); len(told) != 0 {
		t.Fatalf("told %q", told)
	}
	if d := f.deliveries()[0]; d.Status != chat.DeliveryDelivered || d.Notified {
		t.Fatalf("%+v", d)
	}
	f.clock.Add(2 * time.Minute)
	f.run()
	if told := f.told.all(); len(told) != 1 || len(f.zendesk.Tickets()) != 1 {
		t.Fatalf("told %q, %d tickets", told, len(f.zendesk.Tickets()))
	}
	if d := f.deliveries()[0]; !d.Notified || !d.DueAt.IsZero() {
		t.Fatalf("%+v", d)
	}
}

// Every attempt sends the transcript as the first attempt wrote it down.
func TestTheTranscriptIsTheOneOfTheFirstAttempt(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.zendesk.Then(helpdesktest.Answer{Status: 503})
	f.handOff("zendesk")
	f.run()
	f.say(chat.AuthorVisitor, "Jane Doe", "Hello? Anyone?")
	f.clock.Add(time.Minute)
	f.run()
	tickets := f.zendesk.Tickets()
	if len(tickets) != 1 || strings.Contains(tickets[0].HTMLBody, "Anyone?") || !strings.Contains(tickets[0].HTMLBody, "Where is my order") {
		t.Fatalf("%+v", tickets)
	}
}

func TestEmailAndWebhookMethods(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.handOff("email")
	f.run()
	mails := f.smtp.Mails()
	if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"support@shop.example"}) || !strings.Contains(string(mails[0].Data), "Reply-To: \"Jane Doe\" <jane@example.com>") {
		t.Fatalf("mails %+v", mails)
	}
	if told := f.told.all(); len(told) != 1 || !strings.HasPrefix(told[0], "delivered "+f.conv.ID+" <baton.") {
		t.Fatalf("told %q", told)
	}

	var got helpdesk.WebhookPayload
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]byte("hook-secret"), r.Header.Get(webhook.SignatureHeader), b, time.Now()); err != nil {
			t.Errorf("signature: %v", err)
		}
		json.Unmarshal(b, &got)
	}))
	defer hook.Close()
	g := newFixture(t, storetest.SQLite(t))
	g.cfg.Webhook = &helpdesk.WebhookConfig{URL: hook.URL, SecretEnv: "HOOK"}
	g.ob = outbox.New(outbox.Options{Store: g.db, Senders: &helpdesk.Senders{HTTP: webhook.NewClient(true), Getenv: func(string) string { return "hook-secret" }},
		Config: func(context.Context, string) (*helpdesk.Config, error) { return g.cfg, nil }, Now: g.clock.Now})
	g.handOff("webhook")
	g.run()
	if got.Version != 1 || got.Type != "handoff" || got.ID != "handoff:"+g.conv.ID+":1" || got.Visitor.ExternalID != "user-42" || len(got.Transcript) != 3 {
		t.Fatalf("webhook payload %+v", got)
	}
	if told := g.told.all(); len(told) != 1 || told[0] != "delivered "+g.conv.ID+" handoff:"+g.conv.ID+":1" {
		t.Fatalf("told %q", told)
	}
}

// A person's reply reaches a visitor who left by email, in their language, unless they read it
// in the chat first.
func TestRepliesReachAwayVisitorsByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		reply := f.say(chat.AuthorAgent, "Alice", "Your parcel left today.\nTracking: NL123")
		enqueueReply := func(m *chat.Message, seq int64) {
			err := db.Tx(context.Background(), func(tx chat.Tx) error {
				return f.ob.EnqueueReply(tx, outbox.Reply{SiteID: f.site.ID, ConversationID: f.conv.ID, MessageID: m.ID, VisitorSeq: seq,
					VisitorID: f.visitor.ID, Email: "jane@example.com", Locale: "nl", PageURL: "https://shop.example/orders"})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		enqueueReply(reply, reply.VisitorSeq)
		if n := f.run(); n != 0 {
			t.Fatal("the reply email went before its delay")
		}
		f.clock.Add(time.Minute)
		f.run()
		mails := f.smtp.Mails()
		if len(mails) != 1 || !slices.Equal(mails[0].To, []string{"jane@example.com"}) {
			t.Fatalf("mails %+v", mails)
		}
		body := strings.ReplaceAll(string(mails[0].Data), "=\r\n", "")
		for _, want := range []string{"Subject: The Shop: Alice heeft op je chat gereageerd", "Alice schreef:", "Tracking: NL123", "https://shop.example/orders"} {
			if !strings.Contains(body, want) {
				t.Errorf("the reply mail lacks %q:\n%s", want, body)
			}
		}
		// A second reply the visitor reads in the chat before the email would go.
		second := f.say(chat.AuthorAgent, "Alice", "Anything else?")
		enqueueReply(second, second.VisitorSeq)
		err := db.Tx(context.Background(), func(tx chat.Tx) error {
			c, err := tx.Conversation(f.conv.ID)
			if err != nil {
				return err
			}
			c.VisitorReadSeq = second.VisitorSeq
			return tx.SaveConversation(c)
		})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Minute)
		f.run()
		if n := len(f.smtp.Mails()); n != 1 {
			t.Fatalf("%d mails: the read reply was mailed", n)
		}
		list := f.deliveries()
		if last := list[len(list)-1]; last.Kind != chat.DeliveryReply || last.Status != chat.DeliveryDelivered || last.Ref != "read in the chat" {
			t.Fatalf("%+v", last)
		}
		if told := f.told.all(); len(told) != 0 {
			t.Fatalf("replies are not handoffs, but the flow was told %q", told)
		}
	})
}

// The worker running on its own: several handoffs, bounded concurrency, a clean Close.
func TestTheWorkerDeliversInTheBackground(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, func(o *outbox.Options) { o.Now, o.Workers, o.Poll = time.Now, 2, 20*time.Millisecond })
		f.told.notify = make(chan string, 10)
		convs := []string{f.conv.ID}
		for range 4 {
			c := &chat.Conversation{ID: chat.NewID("cv"), SiteID: f.site.ID, VisitorID: chat.NewID("vi"), Status: chat.StatusBot}
			if err := db.Tx(context.Background(), func(tx chat.Tx) error {
				if err := tx.EnsureVisitor(&chat.Visitor{ID: c.VisitorID, SiteID: f.site.ID}); err != nil {
					return err
				}
				if err := tx.CreateConversation(c); err != nil {
					return err
				}
				return f.ob.Enqueue(tx, outbox.Handoff{Method: "zendesk", SiteID: f.site.ID, ConversationID: c.ID, Email: "v@example.com"})
			}); err != nil {
				t.Fatal(err)
			}
			convs = append(convs, c.ID)
		}
		f.handOff("zendesk")
		f.ob.Start(f.told)
		got := map[string]bool{}
		deadline := time.After(30 * time.Second) // a guard against hanging, not a speed check
		for len(got) < len(convs) {
			select {
			case s := <-f.told.notify:
				got[strings.Fields(s)[1]] = true
			case <-deadline:
				t.Fatalf("only %d of %d delivered", len(got), len(convs))
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.ob.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(f.zendesk.Tickets()); n != len(convs) {
			t.Fatalf("%d tickets for %d handoffs", n, len(convs))
		}
	})
}

func TestCloseReturnsAtOnceWhenNeverStarted(t *testing.T) {
	ob := outbox.New(outbox.Options{Store: storetest.SQLite(t)})
	if err := ob.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Files sent in the conversation stay in the ticket: by name, size and download link, a
// message of files only included.
func TestTheTranscriptKeepsTheFiles(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	m := &chat.Message{ID: chat.NewID("ms"), AuthorType: chat.AuthorVisitor, AuthorID: "a_visitor", AuthorName: "Jane Doe",
		Kind: chat.KindText, CreatedAt: f.clock.Now(),
		Attachments: []chat.Attachment{{ID: "at_1", Name: "broken-zip.jpg", ContentType: "image/jpeg", Size: 2300, Secret: "s3cr3t"}}}
	if err := f.db.Tx(context.Background(), func(tx chat.Tx) error {
		c, err := tx.Conversation(f.conv.ID)
		if err != nil {
			return err
		}
		return tx.AppendMessage(c, m, true)
	}); err != nil {
		t.Fatal(err)
	}
	f.handOff("zendesk")
	f.run()
	tickets := f.zendesk.Tickets()
	want := "[file] broken-zip.jpg (2 KB): https://chat.example.com/v1/attachments/at_1?key=s3cr3t"
	if len(tickets) != 1 || !strings.Contains(html.UnescapeString(tickets[0].HTMLBody), want) {
		t.Fatalf("want %q in %+v", want, tickets)
	}
}
