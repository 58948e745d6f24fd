package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/realtime"
)

// bindCounts serves the REST mirror of the realtime counts command.
func (h *handlers) bindCounts(e *echo.Echo) {
	e.GET("/v1/sites/:key/counts", h.counts, h.agentAuth)
}

// counts answers how many conversations each inbox tab of the site holds for the agent.
func (h *handlers) counts(c echo.Context) error {
	l, err := h.siteOfAgent(c)
	if err != nil {
		return err
	}
	n, err := h.Service.Counts(c.Request().Context(), actorOf(c), l.Site.ID, realtime.InboxViews(l.Settings.Views))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}
