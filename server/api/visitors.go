package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/metrics"
	"github.com/batonchat/baton/server/realtime"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/wire"
)

func (h *handlers) bindVisitors(e *echo.Echo) {
	e.POST("/v1/visitors", h.createVisitor)
	e.OPTIONS("/v1/visitors", h.preflight)
	e.GET("/v1/sites/:key/config", h.siteConfig)
}

// retryAfter is ERateLimited with the time the client should wait.
type retryAfter struct {
	err  *chat.Error
	wait time.Duration
}

func (e *retryAfter) Error() string { return e.err.Error() }
func (e *retryAfter) Unwrap() error { return e.err }
func (e *retryAfter) seconds() string {
	return strconv.Itoa(int(max(1, (e.wait+time.Second-1)/time.Second)))
}

func limited(entry, msg string, wait time.Duration) error {
	metrics.RateLimited.WithLabelValues(entry).Inc()
	return &retryAfter{chat.Errorf(chat.ERateLimited, "%s", msg), wait}
}

// cors allows a browser page at the request's Origin when allowed says so.
func cors(c echo.Context, allowed bool) {
	hd := c.Response().Header()
	hd.Add("Vary", "Origin")
	if o := c.Request().Header.Get("Origin"); o != "" && allowed {
		hd.Set("Access-Control-Allow-Origin", o)
		hd.Set("Access-Control-Max-Age", "600")
	}
}

// preflight answers CORS preflights for pages of any site's allowed origins; the request
// itself is then checked against its own site.
func (h *handlers) preflight(c echo.Context) error {
	o := c.Request().Header.Get("Origin")
	allowed := o != "" && h.Sites.AllowsOrigin(c.Request().Context(), o)
	cors(c, allowed)
	if allowed {
		hd := c.Response().Header()
		hd.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
	}
	return c.NoContent(http.StatusNoContent)
}

type createVisitorInput struct {
	Site          string `json:"site"`
	VisitorToken  string `json:"visitor_token"`
	IdentityToken string `json:"identity_token"`
}

// createVisitor starts (or refreshes) a visitor session. It writes nothing to the database:
// the visitor becomes a row with their first message.
func (h *handlers) createVisitor(c echo.Context) error {
	if ok, wait := h.Limits.NewVisitors.Allow(c.RealIP()); !ok {
		return limited("new_visitor", "too many new chat sessions from your network: try again shortly", wait)
	}
	var in createVisitorInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Site == "" {
		return chat.Errorf(chat.EInvalid, "site: is required (the site key from the script tag)")
	}
	ctx := c.Request().Context()
	l, err := h.Sites.ByKey(ctx, in.Site)
	if errors.Is(err, chat.ErrNotFound) {
		return chat.Errorf(chat.ENotFound, "site: no site with key %q", in.Site)
	}
	if err != nil {
		return err
	}
	origin := c.Request().Header.Get("Origin")
	if origin != "" && !l.Settings.AllowsOrigin(origin) && !realtime.SameOrigin(c.Request(), origin) {
		return chat.Errorf(chat.EForbidden, "origin %s is not allowed for site %s: add it to allowed_origins", origin, l.Site.Key)
	}
	cors(c, origin != "")
	if in.IdentityToken != "" {
		return chat.Errorf(chat.EInvalid, "identity_token: verified identities are not enabled on this server yet")
	}
	visitorID := chat.NewID("vi")
	if in.VisitorToken != "" {
		// Keep the same visitor when the old token is ours and for this site, even if it
		// expired: the browser holding it is the same browser.
		if claims, err := h.Signer.ParseIgnoringExpiry(in.VisitorToken); err == nil && claims.Kind == auth.KindVisitor && claims.Site == l.Site.ID {
			visitorID = claims.Subject()
		}
	}
	tok, exp, err := h.Signer.VisitorToken(visitorID, l.Site.ID, h.Limits.VisitorTokenTTL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"visitor_id": visitorID, "visitor_token": tok, "expires_at": exp.UnixMilli(),
		"site_id": l.Site.ID})
}

// availability says whether a person can answer now. NextChangeAt is when that is expected to
// change (business hours); null while Baton knows no schedule for the site.
type availability struct {
	Available    bool   `json:"available"`
	NextChangeAt *int64 `json:"next_change_at"`
}

// siteConfig serves the public part of a site's settings for the widget.
func (h *handlers) siteConfig(c echo.Context) error {
	l, err := h.Sites.ByKey(c.Request().Context(), c.Param("key"))
	if errors.Is(err, chat.ErrNotFound) {
		return chat.Errorf(chat.ENotFound, "no site with key %q", c.Param("key"))
	}
	if err != nil {
		return err
	}
	origin := c.Request().Header.Get("Origin")
	cors(c, origin != "" && l.Settings.AllowsOrigin(origin))
	// Availability changes as agents come and go: the response may be cached briefly, and the
	// ETag (over the whole body) lets the widget revalidate cheaply.
	body := wire.Marshal(struct {
		site.Public
		Availability availability `json:"availability"`
	}{l.Settings.Public(), availability{Available: h.Realtime.Hub.Available(l.Site.ID)}})
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	hd := c.Response().Header()
	hd.Set("Cache-Control", "public, max-age=15")
	hd.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/json", body)
}
