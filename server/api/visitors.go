package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
	e.OPTIONS("/v1/visitors", h.preflight("POST, GET, OPTIONS", "Content-Type"))
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

// preflight answers CORS preflights for pages of any site's allowed origins, allowing methods
// and headers; the request itself is then checked against its own site.
func (h *handlers) preflight(methods, headers string) echo.HandlerFunc {
	return func(c echo.Context) error {
		o := c.Request().Header.Get("Origin")
		allowed := o != "" && h.Sites.AllowsOrigin(c.Request().Context(), o)
		cors(c, allowed)
		if allowed {
			hd := c.Response().Header()
			hd.Set("Access-Control-Allow-Methods", methods)
			hd.Set("Access-Control-Allow-Headers", headers)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

type createVisitorInput struct {
	Site          string `json:"site"`
	VisitorToken  string `json:"visitor_token"`
	IdentityToken string `json:"identity_token"`
}

// createVisitor starts (or refreshes) a visitor session. An anonymous session writes nothing to
// the database: the visitor becomes a row with their first message. A session with a valid
// identity token is the site's user: their row is found by (site, sub) or written now.
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
	var visitorID string
	verified := in.IdentityToken != ""
	if verified {
		// The identified user wins over any anonymous visitor token sent along: what the
		// anonymous visitor wrote stays theirs and is never merged into the user's history.
		id, err := auth.VerifyIdentity(in.IdentityToken, l.Site, time.Now())
		if err != nil {
			var ce *chat.Error
			if errors.As(err, &ce) {
				err = &chat.Error{Code: ce.Code, Message: ce.Message + " (the visitor stays anonymous: call again without identity_token)", Err: ce.Err}
			}
			return err
		}
		if visitorID, err = h.identify(ctx, l.Site.ID, id); err != nil {
			return err
		}
	} else {
		if visitorID, err = h.anonymous(ctx, l.Site.ID, in.VisitorToken); err != nil {
			return err
		}
	}
	tok, exp, err := h.Signer.VisitorToken(visitorID, l.Site.ID, h.Limits.VisitorTokenTTL)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"visitor_id": visitorID, "visitor_token": tok, "expires_at": exp.UnixMilli(),
		"site_id": l.Site.ID, "verified": verified})
}

// anonymous returns the visitor an old visitor token names, or a new visitor id. A verified
// visitor's session is renewed only with an identity token: the site's backend decides who is
// signed in, so without one the browser starts afresh as an anonymous visitor.
func (h *handlers) anonymous(ctx context.Context, siteID, visitorToken string) (string, error) {
	if visitorToken == "" {
		return chat.NewID("vi"), nil
	}
	// Keep the same visitor when the old token is ours and for this site, even if it expired:
	// the browser holding it is the same browser.
	claims, err := h.Signer.ParseIgnoringExpiry(visitorToken)
	if err != nil || claims.Kind != auth.KindVisitor || claims.Site != siteID {
		return chat.NewID("vi"), nil
	}
	v, err := h.Store.Visitor(ctx, claims.Subject())
	switch {
	case errors.Is(err, chat.ErrNotFound):
		return claims.Subject(), nil // has not written yet
	case err != nil:
		return "", fmt.Errorf("visitor of the old token: %w", err)
	case v.ExternalID != "":
		return chat.NewID("vi"), nil
	}
	return v.ID, nil
}

// identify returns the site's visitor for an identified user, creating them on first sight and
// updating email and name from the token: the site's backend is the source of truth.
func (h *handlers) identify(ctx context.Context, siteID string, id *auth.Identity) (string, error) {
	for attempt := 0; ; attempt++ {
		found, err := h.Store.VisitorByExternalID(ctx, siteID, id.Subject)
		if err != nil && !errors.Is(err, chat.ErrNotFound) {
			return "", fmt.Errorf("find verified visitor: %w", err)
		}
		v := &chat.Visitor{ID: chat.NewID("vi"), SiteID: siteID, ExternalID: id.Subject}
		err = h.Store.Tx(ctx, func(tx chat.Tx) error {
			if found != nil {
				cur, err := tx.Visitor(found.ID)
				if err != nil {
					return err
				}
				v = cur
			}
			if id.Email != "" {
				v.Email, v.EmailVerified = id.Email, true
			}
			if id.Name != "" {
				v.Name = id.Name
			}
			v.LastSeenAt = time.Now()
			return tx.SaveVisitor(v)
		})
		// Two first visits of the same user at once (two devices): the other one created the
		// row, so look again and update it.
		if chat.ErrorCode(err) == chat.EConflict && found == nil && attempt == 0 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save verified visitor: %w", err)
		}
		return v.ID, nil
	}
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
	}{l.Settings.Public(), h.availabilityOf(c, l)})
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
