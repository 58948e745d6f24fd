package realtime

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/metrics"
	"github.com/batonchat/baton/server/ratelimit"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/wire"
)

// Options configure the realtime server.
type Options struct {
	Hub     *Hub
	Service *conversation.Service
	Signer  *auth.Signer
	Store   chat.Store
	Sites   *site.Cache
	Log     *slog.Logger
	Now     func() time.Time
	// Heartbeat is how long a connection may stay silent before the server pings it; a
	// client that does not answer within another Heartbeat is disconnected.
	Heartbeat time.Duration
	// MaxFrameBytes bounds one incoming frame: a message of 4,000 characters fits with room.
	MaxFrameBytes int64
	// Per-visitor and per-IP budgets for visitor messages.
	VisitorMessages *ratelimit.Limiter
	IPMessages      *ratelimit.Limiter
	// Sessions checks the console's session cookie; nil: the cookie signs nobody in.
	Sessions Sessions
}

// Server accepts WebSocket connections and runs their commands.
type Server struct {
	Options
	asks     botAsks // realtime bots: requests waiting for their answer
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	inflight sync.WaitGroup // commands being run: shutdown lets them commit
	mu       sync.Mutex
	closing  bool // no new commands once set
}

// NewServer returns a Server; call Close to stop its background work.
func NewServer(o Options) *Server {
	if o.Heartbeat == 0 {
		o.Heartbeat = 25 * time.Second
	}
	if o.MaxFrameBytes == 0 {
		o.MaxFrameBytes = 32 << 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Options: o, ctx: ctx, cancel: cancel}
	s.wg.Add(1)
	go s.keepalive()
	return s
}

// Close refuses new commands (they get unavailable), waits for commands in flight to finish
// (each is bounded by commandTimeout) so that their replies go out, then tells every client to
// reconnect, closes the connections and stops the keepalive. Telling clients first would drop
// the replies of commands that still commit: stored, yet never acknowledged.
func (s *Server) Close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.inflight.Wait()
	s.Hub.Shutdown()
	s.cancel()
	s.wg.Wait()
}

// bearer finds the token: the Authorization header, or (browsers cannot set headers on a
// WebSocket) the token query parameter.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimPrefix(h, "Bearer ")
	}
	return r.URL.Query().Get("token")
}

// SessionCookie is the cookie holding a console's session secret (set by POST
// /v1/auth/session). It is HttpOnly, so page scripts never see it.
const SessionCookie = "baton_session"

// sessionToken finds the session secret of a console's cookie. A cookie is sent by the
// browser whichever page opens the socket, so it counts only for a page of Baton's own origin:
// a WebSocket from any other origin (cross-site WebSocket hijacking) is refused.
func sessionToken(r *http.Request) (string, error) {
	ck, err := r.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return "", nil
	}
	if o := r.Header.Get("Origin"); o == "" || !SameOrigin(r, o) {
		return "", chat.Errorf(chat.EForbidden, "the session cookie is accepted only from Baton's own pages, not from origin %q", o)
	}
	return ck.Value, nil
}

// ServeWS upgrades GET /v1/ws. Authentication and the origin check happen before the upgrade,
// so a refused client gets a plain HTTP error it can read.
func (s *Server) ServeWS(e echo.Context) error {
	r := e.Request()
	ctx := r.Context()
	c := &Conn{srv: s, ip: e.RealIP()}
	tok := bearer(r)
	var claims *auth.Claims
	if tok == "" {
		secret, err := sessionToken(r)
		if err != nil {
			return err
		}
		if secret != "" {
			if claims, err = s.consoleSession(ctx, c, secret); err != nil {
				return err
			}
		}
	}
	if claims == nil {
		var err error
		if claims, err = s.Signer.Parse(tok); err != nil {
			return err
		}
		if claims.ExpiresAt != nil {
			c.expires = claims.ExpiresAt.Time
		}
	}
	switch claims.Kind {
	case auth.KindVisitor:
		l, err := s.Sites.ByID(ctx, claims.Site)
		if errors.Is(err, chat.ErrNotFound) {
			return chat.Errorf(chat.EUnauthorized, "the site of this token no longer exists")
		}
		if err != nil {
			return err
		}
		// Browsers always send Origin; a client without one is not a browser page and could
		// claim any origin anyway, so the check protects browser visitors from other sites.
		if o := r.Header.Get("Origin"); o != "" && !l.Settings.AllowsOrigin(o) && !SameOrigin(r, o) {
			return chat.Errorf(chat.EForbidden, "origin %s is not allowed for site %s: add it to allowed_origins", o, l.Site.Key)
		}
		c.visitorID, c.awaiting = claims.Subject(), true
		c.actor = conversation.VisitorActor(claims.Subject(), claims.Site)
	case auth.KindAgent:
		a := c.agent // signed in by a console session
		if a == nil {
			var err error
			a, err = s.Store.AgentByID(ctx, claims.Subject())
			if errors.Is(err, chat.ErrNotFound) || (err == nil && a.TokenVersion != claims.Version) {
				return chat.Errorf(chat.EUnauthorized, "token was revoked")
			}
			if err != nil {
				return err
			}
		}
		c.agent, c.actor, c.sites = a, conversation.AgentActor(a), map[string]struct{}{}
		if a.Role == chat.RoleBot {
			c.bot, c.actor = true, conversation.BotActor(a)
		}
	}
	ws, err := websocket.Accept(e.Response(), r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the origin was checked above, against the site's settings
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		return nil // Accept has written the HTTP error
	}
	ws.SetReadLimit(s.MaxFrameBytes)
	c.ws = ws
	c.ctx, c.cancel = context.WithCancel(s.ctx)
	c.lastActive.Store(s.Now().UnixNano())
	role := string(c.actor.Type)
	if !s.Hub.register(c) {
		c.close(websocket.StatusTryAgainLater, "server shutting down: reconnect")
		return nil
	}
	// Registered before hello is queued: a client that has its hello is already routed events
	// and counted as present. hello is still its first frame, since presence announcements
	// skip the connection being registered.
	hello := wire.Hello{Type: "hello", Role: role, HeartbeatMS: s.Heartbeat.Milliseconds(), ServerTime: s.Now().UnixMilli()}
	if c.agent != nil {
		hello.AgentID = c.agent.ID
	} else {
		hello.VisitorID, hello.SiteID = c.visitorID, c.actor.SiteID
	}
	c.send(wire.Marshal(hello))
	metrics.Connections.WithLabelValues(role).Inc()
	metrics.ConnectionsTotal.WithLabelValues(role).Inc()
	// The connection lives on in a goroutine of its own and the handler returns: the HTTP
	// server's goroutine (its stack grown by routing and middleware), the request and the echo
	// context are freed. That is a third of what an idle visitor would otherwise cost; see
	// docs/benchmarks.md.
	go s.serve(c, role)
	return nil
}

// serve runs a registered connection until it closes.
func (s *Server) serve(c *Conn, role string) {
	defer func() {
		// No HTTP server recovers this goroutine: a panicking command closes its connection,
		// not the process.
		if v := recover(); v != nil {
			s.Log.Error("realtime connection panicked", "panic", v, "stack", string(debug.Stack()))
			c.close(websocket.StatusInternalError, "internal error")
		}
		s.Hub.unregister(c)
		metrics.Connections.WithLabelValues(role).Dec()
		// readLoop has closed c: the close handshake runs in the background and cancels c's
		// context when done. Cancelling it here would cut the TCP connection under a write
		// in flight, and the client would see EOF instead of the close code.
	}()
	s.readLoop(c)
}

// SameOrigin reports whether origin is Baton's own (its demo page): a page Baton serves
// itself may always use it.
func SameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

const maxBadFrames = 20

func (s *Server) readLoop(c *Conn) {
	for {
		typ, b, err := c.ws.Read(c.ctx)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				c.close(websocket.StatusMessageTooBig, "frame too large")
			}
			c.close(websocket.StatusNormalClosure, "")
			return
		}
		c.lastActive.Store(s.Now().UnixNano())
		if !c.expires.IsZero() && s.Now().After(c.expires) {
			c.close(4001, "token expired: get a new one and reconnect")
			return
		}
		if typ != websocket.MessageText {
			c.replyErr("", "", &wire.FrameError{Code: wire.CodeBadFrame, Msg: "frames are JSON text"})
			continue
		}
		cmd, err := wire.Decode(b)
		if err != nil {
			var fe *wire.FrameError
			errors.As(err, &fe)
			c.replyErr(fe.ID, "", fe)
			if c.badFrames++; c.badFrames >= maxBadFrames {
				c.close(websocket.StatusPolicyViolation, "too many bad frames")
				return
			}
			continue
		}
		c.badFrames = 0
		s.handle(c, cmd)
	}
}

// keepalive pings connections that have been silent for a heartbeat, a bounded number at a
// time, and closes those that do not answer.
func (s *Server) keepalive() {
	defer s.wg.Done()
	t := time.NewTicker(s.Heartbeat)
	defer t.Stop()
	sem := make(chan struct{}, 64)
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		cutoff := s.Now().Add(-s.Heartbeat).UnixNano()
		s.Hub.mu.RLock()
		idle := make([]*Conn, 0)
		for c := range s.Hub.conns {
			if c.lastActive.Load() < cutoff {
				idle = append(idle, c)
			}
		}
		s.Hub.mu.RUnlock()
		for _, c := range idle {
			select {
			case sem <- struct{}{}:
			case <-s.ctx.Done():
				return
			}
			go func() {
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(c.ctx, s.Heartbeat)
				defer cancel()
				if err := c.ws.Ping(ctx); err != nil {
					c.close(websocket.StatusGoingAway, "no answer to ping")
					return
				}
				c.lastActive.Store(s.Now().UnixNano())
			}()
		}
	}
}
