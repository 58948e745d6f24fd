package routing_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/routing"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/store/storetest"
)

// clock is the injected time: tests move it, nothing sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// presence is who is online, as the realtime hub would say it.
type presence struct {
	mu     sync.Mutex
	online map[string]*chat.Agent
}

func (p *presence) OnlineAgents(siteID string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for id, a := range p.online {
		if a.CanAccessSite(siteID) {
			out = append(out, id)
		}
	}
	return out
}

func (p *presence) set(agents ...*chat.Agent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.online = map[string]*chat.Agent{}
	for _, a := range agents {
		p.online[a.ID] = a
	}
}

type noPublisher struct{}

func (noPublisher) Publish(*chat.Event) {}

// notices records rules' webhooks as the outbox would enqueue them (in the transaction).
type notices struct {
	mu   sync.Mutex
	list []routing.RuleNotice
}

func (n *notices) NotifyRule(_ chat.Tx, rn routing.RuleNotice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.list = append(n.list, rn)
	return nil
}

// fixture is a routing on a real database, a conversation service, a site and its agents.
type fixture struct {
	t        *testing.T
	db       *store.DB
	svc      *conversation.Service
	sites    *site.Cache
	presence *presence
	clock    *clock
	notices  *notices
	r        *routing.Router
	site     *chat.Site
	agents   map[string]*chat.Agent // by name
	visitors int
}

func newFixture(t *testing.T, db *store.DB, settings string) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, presence: &presence{}, clock: &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
		notices: &notices{}, agents: map[string]*chat.Agent{}}
	f.svc = conversation.New(db, noPublisher{}, slog.New(slog.NewTextHandler(io.Discard, nil)), f.clock.now)
	f.sites = site.NewCache(db, 0)
	f.site = f.apply(settings)
	f.router()
	return f
}

// router builds the routing as the app does (again after a restart).
func (f *fixture) router() {
	f.r = routing.New(routing.Options{Store: f.db, Sites: f.sites, Conversations: f.svc, Presence: f.presence, Notifier: f.notices,
		AutoResponse: func(chat.Tx, *site.Settings, *chat.Conversation) string {
			return "Nobody is here right now."
		},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.clock.now})
	f.svc.OnTagged(f.r.Tagged)
	f.svc.OnAssignTeam(f.r.AssignTeam)
	f.svc.OnSuspended(f.r.Suspended)
	f.svc.OnAssigned(f.r.Assigned)
	f.svc.OnAgentReply(f.r.AgentReplied)
}

func (f *fixture) apply(doc string) *chat.Site { return f.applyKey("shop", doc) }

// applyKey applies the settings of the site with that key (creating it).
func (f *fixture) applyKey(key, doc string) *chat.Site {
	f.t.Helper()
	st, err := site.ParseYAML([]byte("key: " + key + "\nname: Shop\nallowed_origins: [\"https://shop.example\"]\n" + doc))
	if err != nil {
		f.t.Fatal(err)
	}
	s, _, err := site.Apply(context.Background(), f.db, st)
	if err != nil {
		f.t.Fatal(err)
	}
	f.sites.Forget(s)
	return s
}

// agent creates an agent of the given sites (the fixture's when none).
func (f *fixture) agent(name string, sites ...*chat.Site) *chat.Agent {
	f.t.Helper()
	if len(sites) == 0 {
		sites = []*chat.Site{f.site}
	}
	a := &chat.Agent{ID: chat.NewID("ag"), Email: strings.ToLower(name) + "@shop.example", Name: name, Role: chat.RoleAgent, PasswordHash: "x"}
	for _, s := range sites {
		a.SiteIDs = append(a.SiteIDs, s.ID)
	}
	if err := f.db.CreateAgent(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
	f.agents[name] = a
	return a
}

// conversation starts a visitor's conversation on s (the fixture's site when nil), handled by the bot.
func (f *fixture) conversation(s *chat.Site) *chat.Conversation {
	f.t.Helper()
	if s == nil {
		s = f.site
	}
	f.visitors++
	v := chat.NewID("vi")
	res, err := f.svc.Send(context.Background(), conversation.VisitorActor(v, s.ID), "", conversation.SendInput{ClientID: "c1", Text: "Hello?"})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Conversation
}

// waiting does what the handoff does: the conversation goes to Unassigned and routing runs.
func (f *fixture) waiting(s *chat.Site) *chat.Conversation {
	f.t.Helper()
	c := f.conversation(s)
	l, err := f.sites.ByID(context.Background(), c.SiteID)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err = f.svc.EditAsBot(context.Background(), c.ID, "Bot", func(e *conversation.BotEdit) error {
		if err := e.ToQueue(); err != nil {
			return err
		}
		return f.r.Queued(e, l.Settings)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) get(id string) *chat.Conversation {
	f.t.Helper()
	c, err := f.db.Conversation(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// assignee is the name of who has the conversation now ("" when nobody).
func (f *fixture) assignee(id string) string {
	f.t.Helper()
	c := f.get(id)
	for name, a := range f.agents {
		if a.ID == c.AssigneeID {
			return name
		}
	}
	if c.AssigneeID != "" {
		f.t.Fatalf("assigned to an unknown agent %s", c.AssigneeID)
	}
	return ""
}

// messages are the conversation's messages, all of them.
func (f *fixture) messages(id string) []*chat.Message {
	f.t.Helper()
	list, _, err := f.db.Messages(context.Background(), chat.MessageQuery{ConversationID: id, Limit: 500})
	if err != nil {
		f.t.Fatal(err)
	}
	return list
}

// has reports whether a message of kind contains text.
func (f *fixture) has(id string, kind chat.Kind, text string) *chat.Message {
	for _, m := range f.messages(id) {
		if m.Kind == kind && strings.Contains(m.Text, text) {
			return m
		}
	}
	return nil
}

func (f *fixture) fire() int {
	f.t.Helper()
	n, err := f.r.FireDue(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) reply(name, convID, text string) {
	f.t.Helper()
	if _, err := f.svc.Send(context.Background(), conversation.AgentActor(f.agents[name]), convID,
		conversation.SendInput{ClientID: chat.NewID("cl"), Text: text}); err != nil {
		f.t.Fatal(err)
	}
}

func each(t *testing.T, fn func(t *testing.T, db *store.DB)) { storetest.Each(t, fn) }

// restart is a new process on the same database: the store reopened, and every service
// rebuilt on it; the site, agents, clock and presence stay.
func (f *fixture) restart(db *store.DB) {
	f.db = db
	f.svc = conversation.New(db, noPublisher{}, slog.New(slog.NewTextHandler(io.Discard, nil)), f.clock.now)
	f.sites = site.NewCache(db, 0)
	f.router()
}

// reopenable opens a database that can be closed and opened again (SQLite in a directory of
// the test, or a PostgreSQL database of the test).
func reopenable(t *testing.T, kind string) func() *store.DB {
	cfg := store.Config{DataDir: t.TempDir()}
	if kind == "postgres" {
		cfg = store.Config{DatabaseURL: storetest.PostgresURL(t)}
	}
	return func() *store.DB {
		db, err := store.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		once := &sync.Once{}
		closers.Store(db, once)
		t.Cleanup(func() { once.Do(func() { db.Close() }) })
		return db
	}
}

var closers sync.Map // *store.DB → *sync.Once

// closeDB closes a database of reopenable once, as a stopped process would.
func closeDB(t *testing.T, db *store.DB) {
	once, _ := closers.Load(db)
	once.(*sync.Once).Do(func() {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// eachReopenable runs fn on SQLite and PostgreSQL with a database it can reopen.
func eachReopenable(t *testing.T, fn func(t *testing.T, open func() *store.DB)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) { fn(t, reopenable(t, kind)) })
	}
}

// visitorMessage starts a conversation and returns it with the visitor's message.
func (f *fixture) visitorMessage() (*chat.Conversation, *chat.Message) {
	f.t.Helper()
	res, err := f.svc.Send(context.Background(), conversation.VisitorActor(chat.NewID("vi"), f.site.ID), "",
		conversation.SendInput{ClientID: "c1", Text: "I want to return my shoes"})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Conversation, res.Message
}
