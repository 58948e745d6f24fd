package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/helpdesk"
	"github.com/batonchat/baton/server/realtime"
)

// Mailer sends one email (helpdesk.SMTP, from BATON_SMTP_URL).
type Mailer interface {
	Send(ctx context.Context, m *helpdesk.Mail) (string, error)
}

// Accounts: an agent's own sessions, the link that sets a password, and the admins' page of
// agents (add or invite, reset a password, remove).
func (h *handlers) bindAccounts(e *echo.Echo) {
	e.GET("/v1/auth/sessions", h.listSessions, h.agentAuth)
	e.DELETE("/v1/auth/sessions/:id", h.revokeSession, h.agentAuth)
	e.POST("/v1/auth/password", h.setPassword)
	g := e.Group("/v1/agents", h.agentAuth, requireAdmin)
	g.GET("", h.listAgents)
	g.POST("", h.addAgent)
	g.POST("/:id/reset", h.resetAgent)
	g.DELETE("/:id", h.removeAgent)
}

type sessionView struct {
	ID         string `json:"id"`
	CreatedAt  int64  `json:"created_at"`
	LastSeenAt int64  `json:"last_seen_at"`
	ExpiresAt  int64  `json:"expires_at"`
	UserAgent  string `json:"user_agent"`
	IP         string `json:"ip"`
	Current    bool   `json:"current"` // the session this request was signed in by
}

func currentSession(c echo.Context) *chat.Session {
	s, _ := c.Get(ctxSession).(*chat.Session)
	return s
}

// listSessions lists the agent's own console sessions.
func (h *handlers) listSessions(c echo.Context) error {
	list, err := h.Accounts.List(c.Request().Context(), agentOf(c).ID)
	if err != nil {
		return err
	}
	cur := currentSession(c)
	out := make([]sessionView, 0, len(list))
	for _, s := range list {
		out = append(out, sessionView{ID: s.ID, CreatedAt: s.CreatedAt.UnixMilli(), LastSeenAt: s.LastSeenAt.UnixMilli(),
			ExpiresAt: s.ExpiresAt.UnixMilli(), UserAgent: s.UserAgent, IP: s.IP, Current: cur != nil && cur.ID == s.ID})
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": out})
}

// revokeSession ends one of the agent's own sessions; its live WebSockets close at once.
func (h *handlers) revokeSession(c echo.Context) error {
	id := c.Param("id")
	if err := h.Accounts.End(c.Request().Context(), agentOf(c).ID, id); errors.Is(err, chat.ErrNotFound) {
		return chat.Errorf(chat.ENotFound, "id: you have no session %q", id)
	} else if err != nil {
		return err
	}
	if cur := currentSession(c); cur != nil && cur.ID == id {
		ck := h.sessionCookie(c, "", time.Unix(0, 0))
		ck.MaxAge = -1
		c.SetCookie(ck)
	}
	return c.NoContent(http.StatusNoContent)
}

// setPassword uses an invitation or reset link: {"token","password"}. Every earlier session and
// token of the agent ends; the console then signs in with the new password.
func (h *handlers) setPassword(c echo.Context) error {
	if err := ownOrigin(c); err != nil {
		return err
	}
	if ok, wait := h.Limits.Logins.Allow(c.RealIP()); !ok {
		return limited("login", "too many attempts: try again shortly", wait)
	}
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	a, err := h.Accounts.Redeem(c.Request().Context(), in.Token, in.Password)
	if err != nil {
		return err
	}
	h.Service.ForgetAgent(a.ID)
	return c.JSON(http.StatusOK, map[string]any{"agent": newAgentView(a)})
}

// adminAgentView is an agent as the admins' page shows them.
type adminAgentView struct {
	agentView
	Sites    []string `json:"sites"`    // site keys
	Presence string   `json:"presence"` // online, away or offline
	Invited  bool     `json:"invited"`  // no password yet (an invitation or a reset is pending)
}

func (h *handlers) adminView(a *chat.Agent, keys map[string]string) adminAgentView {
	v := adminAgentView{agentView: newAgentView(a), Sites: []string{}, Presence: "offline", Invited: a.PasswordHash == ""}
	for _, id := range a.SiteIDs {
		if k, ok := keys[id]; ok {
			v.Sites = append(v.Sites, k)
		}
	}
	if h.Realtime != nil && h.Realtime.Hub != nil {
		v.Presence = h.Realtime.Hub.Presence(a.ID)
	}
	return v
}

// siteKeys maps site ids to keys, and keys to ids.
func (h *handlers) siteKeys(ctx context.Context) (map[string]string, map[string]string, error) {
	sites, err := h.Store.Sites(ctx)
	if err != nil {
		return nil, nil, err
	}
	byID, byKey := map[string]string{}, map[string]string{}
	for _, s := range sites {
		byID[s.ID], byKey[s.Key] = s.Key, s.ID
	}
	return byID, byKey, nil
}

// listAgents lists the human agents (bot accounts are managed with `baton bot`).
func (h *handlers) listAgents(c echo.Context) error {
	ctx := c.Request().Context()
	all, err := h.Store.Agents(ctx)
	if err != nil {
		return err
	}
	keys, _, err := h.siteKeys(ctx)
	if err != nil {
		return err
	}
	out := []adminAgentView{}
	for _, a := range all {
		if a.Role != chat.RoleBot {
			out = append(out, h.adminView(a, keys))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"agents": out})
}

type linkView struct {
	URL       string `json:"url"`
	ExpiresAt int64  `json:"expires_at"`
	// Email says what became of the email with the link: sent, failed, or not_configured (no
	// BATON_SMTP_URL). The admin sees the link either way.
	Email string `json:"email"`
	// EmailError is why sending failed.
	EmailError string `json:"email_error,omitempty"`
}

// addAgent adds an agent: {"email","name","role","sites","password"?}. Without a password the
// answer carries an invitation link (also emailed when a mail server is set).
func (h *handlers) addAgent(c echo.Context) error {
	var in struct {
		Email    string   `json:"email"`
		Name     string   `json:"name"`
		Role     string   `json:"role"`
		Sites    []string `json:"sites"`
		Password string   `json:"password"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	keys, ids, err := h.siteKeys(ctx)
	if err != nil {
		return err
	}
	a, err := newAgent(in.Email, in.Name, in.Role, in.Sites, ids)
	if err != nil {
		return err
	}
	if in.Password != "" {
		if a.PasswordHash, err = auth.HashPassword(in.Password); err != nil {
			return err
		}
	}
	if err := h.Store.CreateAgent(ctx, a); err != nil {
		var ce *chat.Error
		if errors.As(err, &ce) && ce.Code == chat.EConflict {
			return chat.Errorf(chat.EConflict, "email: an agent with %s exists", a.Email)
		}
		return err
	}
	out := map[string]any{"agent": h.adminView(a, keys)}
	if in.Password == "" {
		link, err := h.passwordLink(c, a, chat.LinkInvite)
		if err != nil {
			return err
		}
		out["link"] = link
	}
	return c.JSON(http.StatusCreated, out)
}

// newAgent validates what the admin typed; each error names its field.
func newAgent(email, name, role string, sites []string, siteIDs map[string]string) (*chat.Agent, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		return nil, chat.Errorf(chat.EInvalid, "email: must be a plain email address, like alice@example.com")
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || strings.ContainsAny(name, "\r\n\t") {
		return nil, chat.Errorf(chat.EInvalid, "name: must be 1 to 100 characters on one line")
	}
	switch chat.Role(role) {
	case "":
		role = string(chat.RoleAgent)
	case chat.RoleAgent, chat.RoleAdmin:
	default:
		return nil, chat.Errorf(chat.EInvalid, "role: must be agent or admin")
	}
	a := &chat.Agent{ID: chat.NewID("ag"), Email: email, Name: name, Role: chat.Role(role)}
	for i, k := range sites {
		id, ok := siteIDs[k]
		if !ok {
			return nil, chat.Errorf(chat.EInvalid, "sites[%d]: no site with key %q", i, k)
		}
		a.SiteIDs = append(a.SiteIDs, id)
	}
	if a.Role == chat.RoleAgent && len(a.SiteIDs) == 0 {
		return nil, chat.Errorf(chat.EInvalid, "sites: an agent needs at least one site (admins see every site)")
	}
	return a, nil
}

// humanAgent finds the agent of the :id parameter; bot accounts and the admin themselves are
// refused with a message naming the field.
func (h *handlers) humanAgent(c echo.Context, what string) (*chat.Agent, error) {
	id := c.Param("id")
	a, err := h.Store.AgentByID(c.Request().Context(), id)
	if errors.Is(err, chat.ErrNotFound) || (err == nil && a.Role == chat.RoleBot) {
		return nil, chat.Errorf(chat.ENotFound, "id: no agent %q", id)
	}
	if err != nil {
		return nil, err
	}
	if a.ID == agentOf(c).ID {
		return nil, chat.Errorf(chat.EInvalid, "id: you cannot %s yourself here", what)
	}
	return a, nil
}

// resetAgent resets a password: the old one stops working, every session, token and live
// connection of the agent ends, and the answer carries a one-time link to set a new one.
func (h *handlers) resetAgent(c echo.Context) error {
	a, err := h.humanAgent(c, "reset")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a.PasswordHash, a.TokenVersion = "", a.TokenVersion+1
	if err := h.Store.UpdateAgent(ctx, a); err != nil {
		return err
	}
	if err := h.Accounts.EndAll(ctx, a.ID); err != nil {
		return err
	}
	link, err := h.passwordLink(c, a, chat.LinkReset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"link": link})
}

// removeAgent deletes an agent; their live connections close at once and their open
// conversations go back to Unassigned.
func (h *handlers) removeAgent(c echo.Context) error {
	a, err := h.humanAgent(c, "remove")
	if err != nil {
		return err
	}
	if err := h.Accounts.Remove(c.Request().Context(), a.ID); err != nil {
		return err
	}
	h.Service.ForgetAgent(a.ID)
	return c.NoContent(http.StatusNoContent)
}

// passwordLink issues a one-time link for a, emails it when a mail server is set, and returns
// it for the admin to pass on. The token is in the URL's fragment: browsers never send it to
// a server, so it stays out of access logs and Referer headers.
func (h *handlers) passwordLink(c echo.Context, a *chat.Agent, kind string) (linkView, error) {
	ctx := c.Request().Context()
	tok, exp, err := h.Accounts.IssueLink(ctx, a.ID, kind)
	if err != nil {
		return linkView{}, err
	}
	// The admin's page is on Baton's own origin (checked for cookie requests), the one the
	// agent should use too; an integration without Origin gets the public URL.
	base := ""
	if o := c.Request().Header.Get("Origin"); o != "" && realtime.SameOrigin(c.Request(), o) {
		base = o
	} else if h.Web != nil {
		base = h.Web.PublicURL()
	}
	if base == "" {
		base = "http://" + c.Request().Host
	}
	v := linkView{URL: strings.TrimSuffix(base, "/") + "/console#" + kind + "/" + tok, ExpiresAt: exp.UnixMilli(), Email: "not_configured"}
	if h.Mail == nil {
		return v, nil
	}
	m := &helpdesk.Mail{Key: kind + ":" + a.ID + ":" + fmt.Sprint(exp.UnixMilli()), To: a.Email, ToName: a.Name}
	by := agentOf(c).Name
	if kind == chat.LinkInvite {
		m.Subject = "You are invited to answer visitors on Baton"
		m.Text = fmt.Sprintf("Hello %s,\n\n%s invited you to Baton. Set your password here (the link works once, until %s):\n\n%s\n\nThen sign in with %s.\n",
			a.Name, by, exp.UTC().Format("2 Jan 2006 15:04 MST"), v.URL, a.Email)
	} else {
		m.Subject = "Set a new Baton password"
		m.Text = fmt.Sprintf("Hello %s,\n\n%s reset your Baton password. Set a new one here (the link works once, until %s):\n\n%s\n",
			a.Name, by, exp.UTC().Format("2 Jan 2006 15:04 MST"), v.URL)
	}
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := h.Mail.Send(sctx, m); err != nil {
		h.Log.Warn("password link email failed", "agent", a.ID, "kind", kind, "err", err)
		v.Email, v.EmailError = "failed", err.Error()
		return v, nil
	}
	v.Email = "sent"
	return v, nil
}
