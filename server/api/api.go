// Package api is Baton's HTTP surface: every route is bound in NewRouter, one small bind
// function per area, so the whole API fits on one screen. Handlers decode, validate, call the
// conversation service, and respond; errors are translated to HTTP once, in errorHandler.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/batonchat/baton/server/account"
	"github.com/batonchat/baton/server/attachment"
	"github.com/batonchat/baton/server/auth"
	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/handoff"
	"github.com/batonchat/baton/server/metrics"
	"github.com/batonchat/baton/server/ratelimit"
	"github.com/batonchat/baton/server/realtime"
	"github.com/batonchat/baton/server/site"
	"github.com/batonchat/baton/server/web"
)

// Deps is what the API needs.
type Deps struct {
	Store    chat.Store
	Service  *conversation.Service
	Realtime *realtime.Server
	Signer   *auth.Signer
	Sites    *site.Cache
	Web      *web.Handler // nil: no front-end assets
	Log      *slog.Logger
	Limits   Limits
	// Draining is set during shutdown: /readyz then fails so load balancers stop sending.
	Draining *atomic.Bool
	// Handoff answers availability and the dashboard's numbers; nil: nobody is ever available.
	Handoff *handoff.Service
	// Attachments keeps the files sent with messages; nil: uploads are refused.
	Attachments *attachment.Service
	// Accounts runs console sessions and the links that set a password.
	Accounts *account.Service
	// Mail sends invitation and reset links; nil: no mail server, the admin passes the link on.
	Mail Mailer
}

// Limits are the budgets of the public entry points.
type Limits struct {
	VisitorTokenTTL time.Duration
	AgentTokenTTL   time.Duration
	NewVisitors     *ratelimit.Limiter // per IP
	Logins          *ratelimit.Limiter // per IP
	Uploads         *ratelimit.Limiter // attachments per uploader (visitor or agent)
	IPUploads       *ratelimit.Limiter // visitors' attachments per IP
}

type handlers struct{ Deps }

// NewRouter binds every route.
func NewRouter(d Deps) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	h := &handlers{d}
	e.HTTPErrorHandler = h.errorHandler
	e.IPExtractor = echo.ExtractIPDirect() // behind a proxy, configure it there; never trust client headers
	e.Use(middleware.Recover())
	e.Use(h.accessLog)
	// Every body is small but an attachment's, whose route sets its own limit (attachments.go).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M", Skipper: isUpload}))
	e.Use(securityHeaders)

	h.bindHealth(e)
	h.bindVisitors(e)
	h.bindAgents(e)
	h.bindConversations(e)
	h.bindSites(e)
	h.bindDeliveries(e)
	h.bindStats(e)
	h.bindAttachments(e)
	h.bindDirectory(e)
	h.bindCounts(e)
	h.bindAccounts(e)
	e.GET("/v1/ws", d.Realtime.ServeWS)
	if d.Web != nil {
		e.GET("/widget.js", d.Web.Loader)
		e.GET("/widget/*", d.Web.Asset)
		e.GET("/console*", d.Web.Console)
		e.GET("/", d.Web.Demo)
	}
	return e
}

func (h *handlers) bindHealth(e *echo.Echo) {
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", h.ready)
	e.GET("/metrics", echo.WrapHandler(metrics.Handler()))
}

func (h *handlers) ready(c echo.Context) error {
	if h.Draining != nil && h.Draining.Load() {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "shutting down"})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := h.Store.Ping(ctx); err != nil {
		h.Log.Warn("not ready", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		return next(c)
	}
}

// accessLog logs each request without its query string (it may carry a token).
func (h *handlers) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		r := c.Request()
		status := c.Response().Status
		level := slog.LevelDebug
		if status >= 500 {
			level = slog.LevelError
		}
		h.Log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration_ms", time.Since(start).Milliseconds(), "ip", c.RealIP())
		return nil
	}
}

// apiError is the JSON body of every error response.
type apiError struct {
	Error struct {
		Code    chat.Code `json:"code"`
		Message string    `json:"message"`
	} `json:"error"`
}

var statusOf = map[chat.Code]int{
	chat.EInvalid:      http.StatusBadRequest,
	chat.EUnauthorized: http.StatusUnauthorized,
	chat.EForbidden:    http.StatusForbidden,
	chat.ENotFound:     http.StatusNotFound,
	chat.EConflict:     http.StatusConflict,
	chat.ETooLarge:     http.StatusRequestEntityTooLarge,
	chat.ERateLimited:  http.StatusTooManyRequests,
	chat.EHistoryGone:  http.StatusGone,
	chat.EUnavailable:  http.StatusServiceUnavailable,
	chat.EInternal:     http.StatusInternalServerError,
}

// errorHandler is the one place where errors become HTTP responses.
func (h *handlers) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var body apiError
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
		body.Error.Code = codeForStatus(status)
		body.Error.Message = http.StatusText(status)
		if m, ok := he.Message.(string); ok {
			body.Error.Message = m
		}
	} else {
		code := chat.ErrorCode(err)
		status = statusOf[code]
		body.Error.Code, body.Error.Message = code, chat.ErrorMessage(err)
		var rl *retryAfter
		if errors.As(err, &rl) {
			c.Response().Header().Set("Retry-After", rl.seconds())
		}
	}
	if status >= 500 {
		h.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	}
	metrics.Errors.WithLabelValues(string(body.Error.Code)).Inc()
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

func codeForStatus(status int) chat.Code {
	for code, s := range statusOf {
		if s == status {
			return code
		}
	}
	switch status {
	case http.StatusMethodNotAllowed:
		return chat.ENotFound
	}
	if status >= 500 {
		return chat.EInternal
	}
	return chat.EInvalid
}
