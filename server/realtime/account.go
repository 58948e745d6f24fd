package realtime

import (
	"context"
	"time"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/wire"
)

// Sessions checks a console session cookie's secret (package account implements it).
type Sessions interface {
	Check(ctx context.Context, secret string) (*chat.Session, *chat.Agent, error)
	HardExpiry(s *chat.Session) time.Time
}

// consoleSession signs c in by a console session: the connection belongs to that session (it
// closes when the session ends) and lives no longer than the session's hard maximum.
func (s *Server) consoleSession(ctx context.Context, c *Conn, secret string) (*auth.Claims, error) {
	if s.Sessions == nil {
		return nil, chat.Errorf(chat.EUnauthorized, "console sessions are not enabled")
	}
	sess, a, err := s.Sessions.Check(ctx, secret)
	if err != nil {
		return nil, err
	}
	if a.Role == chat.RoleBot {
		return nil, chat.Errorf(chat.EForbidden, "bot accounts have no console session")
	}
	c.agent, c.session, c.expires = a, sess.ID, s.Sessions.HardExpiry(sess)
	return &auth.Claims{Kind: auth.KindAgent, Version: a.TokenVersion}, nil
}

// CloseSessions closes an agent's connections opened by one console session, or all of the
// agent's connections when sessionID is "" (signed out everywhere, password reset, removed).
// They close with 4001, like an expired token: the console shows its sign-in form.
func (h *Hub) CloseSessions(agentID, sessionID string) {
	h.mu.RLock()
	var conns []*Conn
	for _, c := range h.agents[agentID] {
		if sessionID == "" || c.session == sessionID {
			conns = append(conns, c)
		}
	}
	for _, conns2 := range h.bots {
		for _, c := range conns2 {
			if c.agent.ID == agentID && sessionID == "" {
				conns = append(conns, c)
			}
		}
	}
	h.mu.RUnlock()
	for _, c := range conns {
		c.close(4001, "session ended: sign in again")
	}
}

// Notify sends a notification frame to every connection of the agent it is for.
func (h *Hub) Notify(n *chat.Notification) {
	frame := wire.Marshal(wire.NewNotification(n))
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, c := range h.agents[n.AgentID] {
		c.send(frame)
	}
}

// NotifySite sends a notification frame to every connection of the human agents who can see
// the notification's site (bots never), whichever site their console shows; the agent who
// caused it (n.By) is left out.
func (h *Hub) NotifySite(n *chat.Notification) {
	frame := wire.Marshal(wire.NewNotification(n))
	h.mu.RLock()
	defer h.mu.RUnlock()
	for id, conns := range h.agents {
		if n.By.Type == chat.AuthorAgent && id == n.By.ID {
			continue
		}
		for _, c := range conns {
			if c.agent.Role != chat.RoleBot && c.agent.CanAccessSite(n.SiteID) {
				c.send(frame)
			}
		}
	}
}
