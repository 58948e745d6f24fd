package app

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	baton "github.com/batonchat/baton"
	"github.com/batonchat/baton/server/account"
	"github.com/batonchat/baton/server/api"
	"github.com/batonchat/baton/server/attachment"
	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/bot"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/handoff"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/outbox"
	"github.com/batonchat/baton/server/ratelimit"
	"github.com/batonchat/baton/server/realtime"
	"github.com/batonchat/baton/server/routing"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/store"
	"github.com/batonchat/baton/server/web"
	"github.com/batonchat/baton/server/webhook"
	"github.com/batonchat/baton/server/wire"
)

// Version is set at build time (-ldflags "-X github.com/batonchat/baton/server/app.Version=…").
var Version = "dev"

// OpenStore opens the database the configuration names.
func OpenStore(ctx context.Context, c *Config) (*store.DB, error) {
	return store.Open(ctx, store.Config{DataDir: c.DataDir, DatabaseURL: c.DatabaseURL, SQLiteSync: c.SQLiteSync})
}

// Signer returns the token signer, whose secret lives in the database (so the CLI and every
// server process share it).
func Signer(ctx context.Context, db chat.Store) (*auth.Signer, error) {
	key, err := db.Secret(ctx, "token_signing_key", auth.NewSecret)
	if err != nil {
		return nil, fmt.Errorf("token secret: %w", err)
	}
	return auth.NewSigner(key, nil), nil
}

// Server is a running Baton.
type Server struct {
	cfg      Config
	log      *slog.Logger
	db       *store.DB
	http     *http.Server
	rt       *realtime.Server
	bots     *bot.Engine
	handoff  *handoff.Service
	outbox   *outbox.Outbox
	router   *routing.Router
	reassign *periodic // routing's due reassignment timers (periodic.go)
	sweep    *periodic // expired sessions and uploads never sent
	draining atomic.Bool
	ln       net.Listener
}

// New opens everything `serve` needs and does the first-start setup (the demo site and the
// first admin, whose generated password is written to out once).
func New(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	db, err := OpenStore(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, db: db}
	if err := s.build(ctx, out); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) build(ctx context.Context, out io.Writer) error {
	cfg := &s.cfg
	signer, err := Signer(ctx, s.db)
	if err != nil {
		return err
	}
	if err := firstStart(ctx, s.db, cfg, s.log, out); err != nil {
		return err
	}
	sites := site.NewCache(s.db, 5*time.Second)
	hub := realtime.NewHub()
	// Console sessions and password links; ending a session closes its live WebSockets.
	accounts := account.New(account.Options{Store: s.db, Closer: hub, Now: cfg.Now})
	svc := conversation.New(s.db, hub, s.log, cfg.Now)
	perMinute := func(n float64, burst int) *ratelimit.Limiter {
		return ratelimit.New(ratelimit.Limit{PerMinute: n, Burst: burst}, nil)
	}
	s.rt = realtime.NewServer(realtime.Options{
		Hub: hub, Service: svc, Signer: signer, Store: s.db, Sites: sites, Log: s.log, Heartbeat: cfg.Heartbeat, Sessions: accounts,
		VisitorMessages: perMinute(cfg.RateVisitorMessages, max(10, int(cfg.RateVisitorMessages/2))),
		IPMessages:      perMinute(cfg.RateIPMessages, max(20, int(cfg.RateIPMessages/4))),
	})
	// Tickets, emails and webhooks of handoffs, and replies mailed to visitors who left, go
	// through the outbox: stored with the flow's state change, retried until they succeed or
	// fail for good (then the site's fallback address gets the transcript).
	s.outbox, err = newOutbox(cfg, s.db, sites, s.log)
	if err != nil {
		return err
	}
	dispatcher, notifier := cfg.Dispatcher, cfg.Notifier
	if dispatcher == nil {
		dispatcher = s.outbox
	}
	if notifier == nil && cfg.SMTPURL != "" {
		notifier = s.outbox
	}
	// When the bot gives a conversation up, the handoff asks the visitor first, then delivers it
	// by the site's method; it hears the visitor's answers through the bot, in order.
	// Routing assigns what waits for a person by the site's policy, runs the rules on tags and
	// reassigns when nobody answers; its timers and round-robin positions live in the database.
	s.router = routing.New(routing.Options{Store: s.db, Sites: sites, Conversations: svc, Presence: hub, Notifier: s.outbox,
		AutoResponse: func(tx chat.Tx, st *site.Settings, c *chat.Conversation) string {
			return s.handoff.AutoResponse(tx, st, c)
		}, Log: s.log, Now: cfg.Now})
	svc.OnTagged(s.router.Tagged)
	svc.OnAssignTeam(s.router.AssignTeam)
	svc.OnSuspended(s.router.Suspended)
	svc.OnAssigned(s.router.Assigned)
	s.handoff = handoff.New(handoff.Options{Conversations: svc, Store: s.db, Sites: sites, Presence: hub,
		Dispatcher: dispatcher, Notifier: notifier, Router: s.router, Log: s.log, Now: cfg.Now})
	svc.OnAgentReply(func(tx chat.Tx, c *chat.Conversation, m *chat.Message) error {
		if err := s.router.AgentReplied(tx, c, m); err != nil {
			return err
		}
		return s.handoff.AgentReplied(tx, c, m)
	})
	// The bot answers after a visitor's message is committed and published, on its own
	// goroutines: it never slows down or blocks the visitor's send.
	s.bots = bot.New(bot.Options{Service: svc, Store: s.db, Sites: sites, Log: s.log, Realtime: s.rt,
		AllowPrivate: cfg.BotAllowPrivate, Handoff: s.handoff})
	svc.OnVisitorMessage(s.bots.Notify)
	wh, err := web.New(web.Options{Assets: baton.Assets(), PublicURL: cfg.publicURL(), AllowOrigin: sites.AllowsOrigin})
	if err != nil {
		return fmt.Errorf("widget assets: %w", err)
	}
	var mailer api.Mailer // invitations and password resets
	if cfg.SMTPURL != "" {
		smtp, err := helpdesk.ParseSMTP(cfg.SMTPURL, cfg.SMTPFrom)
		if err != nil {
			return err
		}
		mailer = smtp
	}
	// Files sent with messages live under the data directory, whatever the database.
	files, err := attachment.New(attachment.Options{Store: s.db, Dir: filepath.Join(cfg.DataDir, "attachments"),
		MaxBytes: cfg.AttachmentMaxBytes, Now: cfg.Now, Log: s.log})
	if err != nil {
		return err
	}
	s.reassign = newPeriodic(s.log, reassignEvery, task{"conversations reassigned", s.router.FireDue})
	s.sweep = newPeriodic(s.log, sweepEvery, task{"sessions deleted", accounts.Sweep}, task{"unsent uploads deleted", files.Prune})
	router := api.NewRouter(api.Deps{
		Store: s.db, Service: svc, Realtime: s.rt, Signer: signer, Sites: sites, Web: wh, Log: s.log, Draining: &s.draining,
		Handoff: s.handoff, Accounts: accounts, Mail: mailer,
		Limits: api.Limits{
			VisitorTokenTTL: 90 * 24 * time.Hour,
			AgentTokenTTL:   12 * time.Hour,
			NewVisitors:     perMinute(cfg.RateNewVisitors, max(10, int(cfg.RateNewVisitors/2))),
			Logins:          perMinute(cfg.RateLogins, 10),
			Uploads:         perMinute(cfg.RateUploads, max(5, int(cfg.RateUploads/4))),
			IPUploads:       perMinute(cfg.RateIPUploads, max(10, int(cfg.RateIPUploads/4))),
		},
		Attachments: files,
	})
	s.http = &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second, // hijacked WebSocket connections are not bound by these
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return nil
}

// Store is the server's database (for tests and tools running in the same process).
func (s *Server) Store() *store.DB { return s.db }

// Handoff is the server's handoff flow (for tests and tools running in the same process: the
// outbox reports deliveries to it).
func (s *Server) Handoff() *handoff.Service { return s.handoff }

// Router is the server's routing (for tests: firing reassignment timers on an injected clock).
func (s *Server) Router() *routing.Router { return s.router }

// Realtime is the server's realtime API (for tests: who is connected).
func (s *Server) Realtime() *realtime.Server { return s.rt }

// Listen binds the address; Run serves on it. Split so tests and callers learn the port.
func (s *Server) Listen() (net.Addr, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Run serves until ctx is cancelled, then shuts down gracefully: /readyz fails, the listener
// closes, connected clients are told to reconnect, in-flight commits finish, and the database
// closes last.
func (s *Server) Run(ctx context.Context) error {
	if s.ln == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	s.log.Info("baton listening", "addr", s.ln.Addr().String(), "public_url", s.cfg.publicURL(), "database", s.db.Kind(), "version", Version)
	s.outbox.Start(s.handoff)
	s.reassign.Start()
	s.sweep.Start()
	// The bot's queue is in memory: visitor messages whose turn the last run lost are answered
	// now, before visitors can send again (see bot.Engine.Replay).
	if _, err := s.bots.Replay(ctx); err != nil {
		s.log.Warn("bot replay", "err", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		s.closeBots(context.Background())
		s.rt.Close()
		s.closeOutbox(context.Background())
		s.reassign.Close(context.Background())
		s.sweep.Close(context.Background())
		s.db.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	s.draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	// Shutdown closes the listener, then runs this hook while it waits for the HTTP requests in
	// flight: WebSocket clients (hijacked connections, which Shutdown does not track) hear
	// about it at once, not after the slowest HTTP request.
	rtDone := make(chan struct{})
	s.http.RegisterOnShutdown(func() {
		defer close(rtDone)
		s.closeBots(sctx)
		s.rt.Close()
	})
	err := s.http.Shutdown(sctx)
	<-rtDone
	s.closeOutbox(sctx)
	s.reassign.Close(sctx)
	s.sweep.Close(sctx)
	if cerr := s.db.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// closeBots lets the bot finish its turns (within the shutdown timeout) while the realtime API
// still delivers them.
func (s *Server) closeBots(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.bots.Close(ctx); err != nil {
		s.log.Warn("shutdown", "err", err)
	}
}

// closeOutbox lets deliveries in flight finish within the shutdown timeout; those cut short
// are retried after the restart.
func (s *Server) closeOutbox(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	if err := s.outbox.Close(ctx); err != nil {
		s.log.Warn("shutdown", "err", err)
	}
}

// newOutbox builds the outbox from the server's mail settings and each site's handoff section.
func newOutbox(cfg *Config, db *store.DB, sites *site.Cache, log *slog.Logger) (*outbox.Outbox, error) {
	senders := &helpdesk.Senders{HTTP: webhook.NewClient(cfg.BotAllowPrivate), Now: cfg.Now}
	if cfg.SMTPURL != "" {
		smtp, err := helpdesk.ParseSMTP(cfg.SMTPURL, cfg.SMTPFrom)
		if err != nil {
			return nil, err
		}
		senders.SMTP = smtp
	}
	public := cfg.publicURL()
	return outbox.New(outbox.Options{
		Store: db, Senders: senders, Log: log, Now: cfg.Now,
		Config: func(ctx context.Context, siteID string) (*helpdesk.Config, error) {
			l, err := sites.ByID(ctx, siteID)
			if err != nil {
				return nil, err
			}
			if l.Settings.Handoff == nil {
				return &helpdesk.Config{}, nil
			}
			c := l.Settings.Handoff.Config
			return &c, nil
		},
		// The conversation in the console (its deep link, docs/console.md).
		Link: func(key, id string) string { return public + "/console#" + key + "/c/" + id },
		// Files keep their capability link in tickets: the ticket is as private as the chat.
		FileURL: func(a *chat.Attachment) string { return public + wire.AttachmentURL(a) },
	}), nil
}

// firstStart creates the demo site and the first admin when the database has none.
func firstStart(ctx context.Context, db chat.Store, cfg *Config, log *slog.Logger, out io.Writer) error {
	if _, err := db.SiteByKey(ctx, "demo"); errors.Is(err, chat.ErrNotFound) {
		sites, err := db.Sites(ctx)
		if err != nil {
			return err
		}
		if len(sites) == 0 {
			st := DemoSettings(cfg.publicURL())
			if _, _, err := site.Apply(ctx, db, st); err != nil {
				return fmt.Errorf("create demo site: %w", err)
			}
			log.Info("created the demo site", "key", "demo", "origins", st.AllowedOrigins)
		}
	} else if err != nil {
		return err
	}
	agents, err := db.Agents(ctx)
	if err != nil {
		return err
	}
	if len(agents) > 0 {
		return nil
	}
	pw, generated := cfg.AdminPassword, false
	if pw == "" {
		pw, generated = auth.RandomPassword(), true
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("BATON_ADMIN_PASSWORD: %w", err)
	}
	email := strings.ToLower(strings.TrimSpace(cfg.AdminEmail))
	a := &chat.Agent{ID: chat.NewID("ag"), Email: email, Name: "Admin", Role: chat.RoleAdmin, PasswordHash: hash}
	if err := db.CreateAgent(ctx, a); err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if generated {
		fmt.Fprintf(out, "Created the admin %s with the password %s (shown once; change it with `baton agent password --email %s`).\n", email, pw, email)
	} else {
		log.Info("created the admin", "email", email)
	}
	return nil
}

//go:embed demo-site.yaml
var demoSite []byte

// DemoSettings is the demo site (demo-site.yaml): a sample shop with the knowledge bot and a
// return_or_refund tag, allowing Baton's own origin.
func DemoSettings(publicURL string) *site.Settings {
	st, err := site.ParseYAML(demoSite)
	if err != nil {
		panic(fmt.Sprintf("app: demo-site.yaml: %v", err)) // embedded and tested: cannot happen
	}
	st.AllowedOrigins = []string{publicURL}
	if strings.Contains(publicURL, "://127.0.0.1:") {
		st.AllowedOrigins = append(st.AllowedOrigins, strings.Replace(publicURL, "://127.0.0.1:", "://localhost:", 1))
	}
	return st
}
