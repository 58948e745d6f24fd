package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/realtime"
)

// Browser sessions for the console. The cookie holds a random session secret (the server
// stores only its hash; package account) in an HttpOnly, SameSite=Strict cookie, so no script
// (ours included) can read it; requests that change something and are authenticated by that
// cookie must also come from Baton's own origin (the Origin header), which SameSite alone does
// not guarantee (a sibling subdomain is the same site). Integrations keep sending
// Authorization: Bearer, which no browser attaches by itself and so needs no such check.

// session signs an agent in: a new server-side session, its secret in the cookie, never in
// the body.
func (h *handlers) session(c echo.Context) error {
	if err := ownOrigin(c); err != nil {
		return err
	}
	a, err := h.checkPassword(c)
	if err != nil {
		return err
	}
	secret, sess, err := h.Accounts.Start(c.Request().Context(), a, c.Request().UserAgent(), c.RealIP())
	if err != nil {
		return err
	}
	c.SetCookie(h.sessionCookie(c, secret, h.Accounts.HardExpiry(sess)))
	return c.JSON(http.StatusOK, map[string]any{"expires_at": sess.ExpiresAt.UnixMilli(), "session_id": sess.ID, "agent": newAgentView(a)})
}

// endSession ends the cookie's session on the server (its live WebSockets close at once) and
// clears the cookie; it answers 204 whether or not there was one, so a console whose session
// expired can always sign out cleanly.
func (h *handlers) endSession(c echo.Context) error {
	if err := ownOrigin(c); err != nil {
		return err
	}
	if ck, err := c.Cookie(realtime.SessionCookie); err == nil && ck.Value != "" {
		ctx := c.Request().Context()
		if sess, _, err := h.Accounts.Check(ctx, ck.Value); err == nil {
			if err := h.Accounts.End(ctx, sess.AgentID, sess.ID); err != nil && !errors.Is(err, chat.ErrNotFound) {
				return err
			}
		}
	}
	ck := h.sessionCookie(c, "", time.Unix(0, 0))
	ck.MaxAge = -1
	c.SetCookie(ck)
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) sessionCookie(c echo.Context, value string, exp time.Time) *http.Cookie {
	return &http.Cookie{
		Name:     realtime.SessionCookie,
		Value:    value,
		Path:     "/",
		Expires:  exp,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		Secure:   h.secureCookies(c.Request()),
	}
}

// secureCookies is true when browsers reach Baton over https: directly, or through a proxy that
// terminates TLS (the public URL says so; client headers such as X-Forwarded-Proto are not
// trusted).
func (h *handlers) secureCookies(r *http.Request) bool {
	return r.TLS != nil || (h.Web != nil && strings.HasPrefix(h.Web.PublicURL(), "https://"))
}

// ownOrigin refuses a request whose Origin header names another origin than Baton's own. A
// request without Origin is not a browser's cross-site request (browsers send Origin on every
// state-changing request), so it passes.
func ownOrigin(c echo.Context) error {
	r := c.Request()
	o := r.Header.Get("Origin")
	if o == "" || realtime.SameOrigin(r, o) {
		return nil
	}
	return chat.Errorf(chat.EForbidden, "origin %s may not use Baton's session: only Baton's own pages may", o)
}

// cookieCSRF guards a request authenticated by the session cookie: a state-changing method must
// carry Baton's own Origin. Safe methods change nothing and their answers are not readable by
// other origins (no CORS headers), so they pass.
func cookieCSRF(c echo.Context) error {
	r := c.Request()
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return chat.Errorf(chat.EForbidden, "a request signed in by the session cookie must carry Baton's own Origin header")
	}
	if !realtime.SameOrigin(r, o) {
		return chat.Errorf(chat.EForbidden, "origin %s may not act with Baton's session cookie", o)
	}
	return nil
}
