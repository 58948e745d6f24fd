package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/site"
)

func (h *handlers) bindStats(e *echo.Echo) {
	e.GET("/v1/sites/:key/stats", h.siteStats, h.agentAuth, requireAdmin)
}

// siteStats returns the dashboard's numbers for the conversations started in a date range.
func (h *handlers) siteStats(c echo.Context) error {
	ctx := c.Request().Context()
	l, err := h.Sites.ByKey(ctx, c.Param("key"))
	if err != nil {
		return err
	}
	from, to := c.QueryParam("from"), c.QueryParam("to")
	if from == "" || to == "" {
		return chat.Errorf(chat.EInvalid, "from and to: both are required (YYYY-MM-DD, in the site's time zone)")
	}
	if h.Handoff == nil {
		return chat.Errorf(chat.EUnavailable, "numbers are not available on this server")
	}
	st, err := h.Handoff.Stats(ctx, l, from, to, c.QueryParam("tag"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

// availabilityOf says whether a person can answer the site's visitors now: open by its
// business hours, human chat on, an agent online with room; and when business hours will
// change that.
func (h *handlers) availabilityOf(c echo.Context, l *site.Loaded) availability {
	if h.Handoff == nil {
		return availability{Available: h.Realtime.Hub.Available(l.Site.ID)}
	}
	ok, next := h.Handoff.Availability(c.Request().Context(), l)
	a := availability{Available: ok}
	if !next.IsZero() {
		ms := next.UnixMilli()
		a.NextChangeAt = &ms
	}
	return a
}
