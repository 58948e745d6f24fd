package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/realtime"
)

func (h *handlers) bindAgents(e *echo.Echo) {
	e.POST("/v1/auth/login", h.login)
	e.POST("/v1/auth/session", h.session)
	e.DELETE("/v1/auth/session", h.endSession)
	e.GET("/v1/me", h.me, h.agentAuth)
}

const (
	ctxAgent   = "baton.agent"
	ctxSession = "baton.session" // the console session, when the cookie signed the request in
)

// agentAuth requires an agent token whose agent still exists and was not revoked: a bearer
// token, or the console's session cookie (then a state-changing request must come from Baton's
// own origin).
func (h *handlers) agentAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := ""
		if hd := c.Request().Header.Get("Authorization"); strings.HasPrefix(hd, "Bearer ") {
			tok = strings.TrimPrefix(hd, "Bearer ")
		} else if ck, err := c.Cookie(realtime.SessionCookie); err == nil && ck.Value != "" {
			if err := cookieCSRF(c); err != nil {
				return err
			}
			sess, a, err := h.Accounts.Check(c.Request().Context(), ck.Value)
			if err != nil {
				return err
			}
			c.Set(ctxAgent, a)
			c.Set(ctxSession, sess)
			return next(c)
		} else {
			return chat.Errorf(chat.EUnauthorized, "send an agent token: Authorization: Bearer TOKEN")
		}
		claims, err := h.Signer.Parse(tok)
		if err != nil {
			return err
		}
		if claims.Kind != auth.KindAgent {
			return chat.Errorf(chat.EForbidden, "this API is for agents; visitors use the realtime API")
		}
		a, err := h.Store.AgentByID(c.Request().Context(), claims.Subject())
		if errors.Is(err, chat.ErrNotFound) || (err == nil && a.TokenVersion != claims.Version) {
			return chat.Errorf(chat.EUnauthorized, "token was revoked")
		}
		if err != nil {
			return err
		}
		if a.Role == chat.RoleBot {
			return chat.Errorf(chat.EForbidden, "bot accounts answer over the realtime API (bot_request / bot_reply), not REST")
		}
		c.Set(ctxAgent, a)
		return next(c)
	}
}

func agentOf(c echo.Context) *chat.Agent { return c.Get(ctxAgent).(*chat.Agent) }

func actorOf(c echo.Context) conversation.Actor { return conversation.AgentActor(agentOf(c)) }

func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if agentOf(c).Role != chat.RoleAdmin {
			return chat.Errorf(chat.EForbidden, "only admins may do this")
		}
		return next(c)
	}
}

type agentView struct {
	ID      string    `json:"id"`
	Email   string    `json:"email"`
	Name    string    `json:"name"`
	Role    chat.Role `json:"role"`
	SiteIDs []string  `json:"site_ids"`
}

func newAgentView(a *chat.Agent) agentView {
	ids := a.SiteIDs
	if ids == nil {
		ids = []string{}
	}
	return agentView{ID: a.ID, Email: a.Email, Name: a.Name, Role: a.Role, SiteIDs: ids}
}

func (h *handlers) login(c echo.Context) error {
	a, tok, exp, err := h.signIn(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"token": tok, "expires_at": exp.UnixMilli(), "agent": newAgentView(a)})
}

// signIn checks an email and password (rate-limited per IP) and signs an agent token.
func (h *handlers) signIn(c echo.Context) (*chat.Agent, string, time.Time, error) {
	a, err := h.checkPassword(c)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	tok, exp, err := h.Signer.AgentToken(a, h.Limits.AgentTokenTTL)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	return a, tok, exp, nil
}

// checkPassword reads {"email","password"} and returns the agent they prove (rate-limited per IP).
func (h *handlers) checkPassword(c echo.Context) (*chat.Agent, error) {
	if ok, wait := h.Limits.Logins.Allow(c.RealIP()); !ok {
		return nil, limited("login", "too many sign-in attempts: try again shortly", wait)
	}
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := bind(c, &in); err != nil {
		return nil, err
	}
	bad := chat.Errorf(chat.EUnauthorized, "wrong email or password")
	a, err := h.Store.AgentByEmail(c.Request().Context(), strings.ToLower(strings.TrimSpace(in.Email)))
	if errors.Is(err, chat.ErrNotFound) {
		auth.CheckPassword(dummyHash, in.Password) // same time as a real check: no account probing
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if !auth.CheckPassword(a.PasswordHash, in.Password) {
		return nil, bad
	}
	return a, nil
}

// dummyHash is a bcrypt hash of a random string, compared against when the email is unknown.
const dummyHash = "$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z4k1Jb0Q1JpYmVhZC5j0Zqvu"

func (h *handlers) me(c echo.Context) error {
	return c.JSON(http.StatusOK, newAgentView(agentOf(c)))
}
