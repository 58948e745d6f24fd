package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/helpdesk/helpdesktest"
	"github.com/batonchat/baton/server/outbox"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/webhook"
)

// clock is a test's time: it moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// outcomes records what the handoff flow is told.
type outcomes struct {
	mu     sync.Mutex
	told   []string // "delivered <conversation> <ref>" or "failed <conversation> <reason>"
	fail   error    // returned by the next call, once
	notify chan string
}

func (o *outcomes) record(s string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.fail; err != nil {
		o.fail = nil
		return err
	}
	o.told = append(o.told, s)
	if o.notify != nil {
		o.notify <- s
	}
	return nil
}

func (o *outcomes) Delivered(_ context.Context, conv, ref string) error {
	return o.record("delivered " + conv + " " + ref)
}

func (o *outcomes) Failed(_ context.Context, conv, reason string) error {
	return o.record("failed " + conv + " " + reason)
}

func (o *outcomes) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.told...)
}

// fixture is a site with a conversation to hand over, and stand-ins for every method.
type fixture struct {
	t       *testing.T
	db      *store.DB
	clock   *clock
	site    *chat.Site
	conv    *chat.Conversation
	visitor *chat.Visitor
	cfg     *helpdesk.Config
	zendesk *helpdesktest.Zendesk
	gorgias *helpdesktest.Gorgias
	smtp    *helpdesktest.SMTP
	told    *outcomes
	ob      *outbox.Outbox
}

func newFixture(t *testing.T, db *store.DB, opts ...func(*outbox.Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, db: db, clock: &clock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}, told: &outcomes{}}
	f.site = &chat.Site{ID: chat.NewID("st"), Key: "shop", Name: "The Shop", IdentitySecret: "s", Settings: []byte(`{}`)}
	if err := db.CreateSite(ctx, f.site); err != nil {
		t.Fatal(err)
	}
	f.visitor = &chat.Visitor{ID: chat.NewID("vi"), SiteID: f.site.ID, ExternalID: "user-42", Name: "Jane Doe", Email: "jane@example.com", EmailVerified: true}
	f.conv = &chat.Conversation{ID: chat.NewID("cv"), SiteID: f.site.ID, VisitorID: f.visitor.ID, Status: chat.StatusBot}
	err := db.Tx(ctx, func(tx chat.Tx) error {
		if err := tx.EnsureVisitor(f.visitor); err != nil {
			return err
		}
		return tx.CreateConversation(f.conv)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.say(chat.AuthorVisitor, "Jane Doe", "Where is my order #1234?")
	f.say(chat.AuthorBot, "Shop bot", "I could not find it. Shall I connect you with someone from the team?")
	f.say(chat.AuthorVisitor, "Jane Doe", "Yes")

	f.zendesk = helpdesktest.NewZendesk(t, "agent@shop.example", "zd-token")
	f.gorgias = helpdesktest.NewGorgias(t, "agent@shop.example", "gg-key")
	f.smtp = helpdesktest.NewSMTP(t)
	f.cfg = &helpdesk.Config{
		Zendesk: &helpdesk.ZendeskConfig{URL: f.zendesk.URL, Email: "agent@shop.example", TokenEnv: "ZD_TOKEN"},
		Gorgias: &helpdesk.GorgiasConfig{URL: f.gorgias.URL, Email: "agent@shop.example", APIKeyEnv: "GG_KEY"},
		Email:   &helpdesk.EmailConfig{To: "support@shop.example"},
	}
	smtp, err := helpdesk.ParseSMTP(f.smtp.URL(), "baton@chat.example.com")
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"ZD_TOKEN": "zd-token", "GG_KEY": "gg-key"}
	o := outbox.Options{
		Store: db,
		Senders: &helpdesk.Senders{HTTP: webhook.NewClient(true), SMTP: smtp, Getenv: func(k string) string { return secrets[k] },
			Now: f.clock.Now},
		Config: func(context.Context, string) (*helpdesk.Config, error) { return f.cfg, nil },
		Link:   func(key, id string) string { return "https://chat.example.com/console#" + key + "/c/" + id },
		FileURL: func(a *chat.Attachment) string {
			return "https://chat.example.com/v1/attachments/" + a.ID + "?key=" + a.Secret
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: f.clock.Now,
		// A fixed backoff: the test moves the clock by it.
		Backoff: func(int) time.Duration { return time.Minute },
		Timeout: 5 * time.Second,
	}
	for _, fn := range opts {
		fn(&o)
	}
	f.ob = outbox.New(o)
	return f
}

// say appends a chat message the visitor sees.
func (f *fixture) say(who chat.AuthorType, name, text string) *chat.Message {
	f.t.Helper()
	m := &chat.Message{ID: chat.NewID("ms"), AuthorType: who, AuthorID: "a_" + string(who), AuthorName: name, Kind: chat.KindText, Text: text,
		CreatedAt: f.clock.Now()}
	err := f.db.Tx(context.Background(), func(tx chat.Tx) error {
		c, err := tx.Conversation(f.conv.ID)
		if err != nil {
			return err
		}
		return tx.AppendMessage(c, m, true)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// handOff enqueues a delivery of the conversation by method, in a transaction of its own.
func (f *fixture) handOff(method string) {
	f.t.Helper()
	err := f.db.Tx(context.Background(), func(tx chat.Tx) error {
		return f.ob.Enqueue(tx, outbox.Handoff{Key: "handoff:" + f.conv.ID + ":1", Method: method, SiteID: f.site.ID, ConversationID: f.conv.ID,
			Visitor: f.visitor, Email: f.visitor.Email, Reason: "unknown", Tags: []string{"order_status"}, TimeZone: "Europe/Amsterdam"})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// run works what is due now and returns how many deliveries it took.
func (f *fixture) run() int {
	f.t.Helper()
	n, err := f.ob.RunOnce(context.Background(), f.told)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// deliveries lists the site's deliveries, oldest first.
func (f *fixture) deliveries() []*chat.Delivery {
	f.t.Helper()
	list, _, err := f.db.Deliveries(context.Background(), chat.DeliveryFilter{SiteID: f.site.ID})
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}
